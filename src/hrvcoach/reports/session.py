"""One session as plain data (:class:`SessionReport`) and its text summary."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.reports.styling import ReportError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from hrvcoach.analysis import CorrectedStretch
    from hrvcoach.recording import Recording

#: A recording longer than this is reported in windows (a 24-hour Holter in 5-minute ones) instead
#: of beat by beat through the live engine, which would take minutes and draw an unreadable smear.
LONG_REPORT_S = 30 * 60.0
REPORT_WINDOWS_S = (60.0, 120.0, 300.0, 600.0, 900.0, 1800.0)  #: the shortest giving <= 300
MAX_REPORT_WINDOWS = 300
MIN_WINDOW_DIFFS = 10  #: fewer successive differences give no RMSSD for a window

# -- one session ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionReport:
    """One session, ready to draw.

    Attributes:
        title: What the session was (``"Practice 2026-11-22 07:30"``).
        summary: Whole-session numbers (``analysis.Summary.to_json()``).
        beat_t_s, hr_bpm: Time and instantaneous heart rate of every beat.
        artifact_t_s: Times of beats the artifact correction replaced.
        pacer_t_s, pacer_volume: The pacer curve (lung volume 0-1), empty without a pacer.
        pace_changes: ``(t_s, label)`` of each pace in force.
        live_t_s, live_rmssd_ms, live_coherence: The live metrics through the session.
        freq_hz, power_ms2_hz: RR spectrum.
        lf_band_hz, hf_band_hz: The bands shaded on the spectrum.
        peak_hz: The LF peak (resonance) frequency, if any.
        gaps: ``(t_s, duration_s)`` where the signal was lost.
        window_s: ``None`` when the live curves are the practice window's (one value per beat);
            for a long recording the length of the windows it is summarised in: then
            ``live_*`` hold one value per window (at its middle) and ``hr_window_*`` the median
            heart rate of each window with its 10th and 90th percentiles.
    """

    title: str
    subtitle: str
    summary: dict[str, object]
    beat_t_s: np.ndarray
    hr_bpm: np.ndarray
    artifact_t_s: np.ndarray
    pacer_t_s: np.ndarray
    pacer_volume: np.ndarray
    pace_changes: tuple[tuple[float, str], ...]
    live_t_s: np.ndarray
    live_rmssd_ms: np.ndarray
    live_coherence: np.ndarray
    freq_hz: np.ndarray
    power_ms2_hz: np.ndarray
    lf_band_hz: tuple[float, float]
    hf_band_hz: tuple[float, float]
    peak_hz: float | None
    gaps: tuple[tuple[float, float], ...]
    checkin: tuple[int | None, int | None, str | None] = (None, None, None)
    window_s: float | None = None
    hr_window_t_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hr_window_bpm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hr_window_low_bpm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hr_window_high_bpm: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def duration_s(self) -> float:
        return float(self.beat_t_s[-1]) if self.beat_t_s.size else 0.0


def session_report(
    recording: Recording,
    *,
    title: str | None = None,
    checkin: tuple[int | None, int | None, str | None] = (None, None, None),
    artifacts: str = "kubios",
    summary: Mapping[str, object] | None = None,
) -> SessionReport:
    """Everything the session pictures show, computed from a recording.

    Up to :data:`LONG_REPORT_S`, the live curves come from running the beats through
    :class:`hrvcoach.live.LiveHrv` as fast as it goes, so they are what the practice window showed.
    A longer recording is summarised in windows (see :func:`report_window_s`): per window the
    median heart rate and its 10th-90th percentiles, the RMSSD of the corrected beats inside it
    (over successive pairs only, as the summary's),
    and the mean of the 64 s coherence values ending inside it. The corrected beats, the spectrum
    and the coherence are those of the whole-session summary
    (:func:`hrvcoach.analysis.analyze_session`), so the artifact correction runs once.

    Args:
        recording: The session.
        title: The heading (default: kind and start time).
        checkin: Stress before, after and the note.
        artifacts: Artifact correction, ``"kubios"`` or ``"none"``.
        summary: The whole-session numbers if known already (the history keeps them), as
            ``Summary.to_json()``; shown instead of those computed here.
    """
    from hrvcoach import hrv
    from hrvcoach.analysis import analyze_session
    from hrvcoach.beats import Beat, Gap
    from hrvcoach.live import LiveHrv
    from hrvcoach.pacer import BreathPattern, Pacer
    from hrvcoach.store import pace_plan

    beats = recording.beats
    if len(beats) < 2:
        raise ReportError(f"{recording.path or 'recording'}: too few beats for a report")
    method = hrv.SpectralMethod()
    analysis = analyze_session(recording, artifacts=artifacts, spectral=method)
    numbers = dict(summary) if summary is not None else analysis.summary.to_json()
    spectrum = analysis.spectrum

    beat_t = np.array([b.t_s for b in beats], dtype=float)
    hr = 60000.0 / np.array([b.rr_ms for b in beats], dtype=float)
    # The marked peak is the summary's, so the picture and the numbers agree.
    lf_peak = numbers.get("lf_peak_hz")
    peak = float(lf_peak) if isinstance(lf_peak, int | float) and math.isfinite(lf_peak) else None

    window_s = report_window_s(float(beat_t[-1]))
    windows: dict[str, np.ndarray] = {}
    if window_s is None:
        live = LiveHrv(artifacts=artifacts)
        live_t, live_rmssd, live_coh = [], [], []
        for event in recording.events:
            if isinstance(event, Gap):
                live.gap(event)
            elif isinstance(event, Beat):
                m = live.update(event)
                live_t.append(m.t_s)
                live_rmssd.append(m.rmssd_ms if m.n_beats >= 10 else math.nan)
                live_coh.append(math.nan if m.coherence is None else m.coherence)
        windows.update(
            live_t=np.array(live_t, dtype=float),
            live_rmssd=np.array(live_rmssd, dtype=float),
            live_coh=np.array(live_coh, dtype=float),
        )
    else:
        windows = _window_metrics(beat_t, hr, analysis.stretches, window_s)

    plan = pace_plan(recording)
    pacer_t = np.zeros(0)
    pacer_v = np.zeros(0)
    # A breathing curve over hours would be a solid block: long recordings show the pace in words.
    if plan and window_s is None:
        try:
            pacer = Pacer(BreathPattern.parse(plan[0][1]), t0_s=plan[0][0])
            for t_s, label in plan[1:]:
                pacer.set_pattern(t_s, BreathPattern.parse(label))
            pacer_t = np.arange(plan[0][0], beat_t[-1], 0.25)
            pacer_v = np.array([pacer.volume(t) for t in pacer_t])
        except (ValueError, IndexError) as err:
            log.warning("cannot draw the pacer from %r: %s", plan, err)

    meta = recording.meta
    start = meta.start_time
    kind = "Simulated session" if meta.simulated else "Session"
    name = recording.path.name if recording.path else "recording"
    bits = [duration_text(float(beat_t[-1])), f"{len(beats)} beats"]
    if meta.device:
        bits.insert(0, meta.device)
    if plan:
        bits.append("pace " + ", ".join(label for _, label in plan) + " breaths/min")
    bits.append(name)
    return SessionReport(
        title=title or (f"{kind} of {start:%d %b %Y, %H:%M}" if start else f"{kind}: {name}"),
        subtitle="   ·   ".join(bits),
        summary=numbers,
        beat_t_s=beat_t,
        hr_bpm=hr,
        artifact_t_s=analysis.artifact_t_s,
        pacer_t_s=pacer_t,
        pacer_volume=pacer_v,
        pace_changes=plan,
        live_t_s=windows["live_t"],
        live_rmssd_ms=windows["live_rmssd"],
        live_coherence=windows["live_coh"],
        freq_hz=spectrum.frequency_hz if spectrum is not None else np.zeros(0),
        power_ms2_hz=spectrum.power_ms2_per_hz if spectrum is not None else np.zeros(0),
        lf_band_hz=method.lf_hz,
        hf_band_hz=method.hf_hz,
        peak_hz=peak,
        gaps=tuple((g.t_s, g.duration_s) for g in recording.gaps),
        checkin=checkin,
        window_s=window_s,
        hr_window_t_s=windows.get("hr_t", np.zeros(0)),
        hr_window_bpm=windows.get("hr_mid", np.zeros(0)),
        hr_window_low_bpm=windows.get("hr_low", np.zeros(0)),
        hr_window_high_bpm=windows.get("hr_high", np.zeros(0)),
    )


def duration_text(duration_s: float) -> str:
    """``"12.5 min"``, or ``"21.1 h"`` from 90 minutes on."""
    minutes = duration_s / 60.0
    return f"{minutes:.1f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def report_window_s(duration_s: float) -> float | None:
    """The window a recording of ``duration_s`` is summarised in: ``None`` (beat by beat) up to
    :data:`LONG_REPORT_S`, else the shortest of :data:`REPORT_WINDOWS_S` that gives at most
    :data:`MAX_REPORT_WINDOWS` windows (5 minutes for 24 hours, the usual Holter segment)."""
    if duration_s <= LONG_REPORT_S:
        return None
    return next(
        (w for w in REPORT_WINDOWS_S if duration_s / w <= MAX_REPORT_WINDOWS), REPORT_WINDOWS_S[-1]
    )


def _window_metrics(
    beat_t_s: np.ndarray,
    hr_bpm: np.ndarray,
    corrected: Sequence[CorrectedStretch],
    window_s: float,
) -> dict[str, np.ndarray]:
    """Heart rate, RMSSD and coherence per window of ``window_s`` (see :func:`session_report`)."""
    count = max(1, math.ceil(float(beat_t_s[-1]) / window_s))
    middle = (np.arange(count) + 0.5) * window_s

    def bins(t_s: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(t_s) // window_s).astype(int), 0, count - 1)

    hr_mid, hr_low, hr_high = (np.full(count, np.nan) for _ in range(3))
    which = bins(beat_t_s)
    order = np.argsort(which, kind="stable")
    starts = np.searchsorted(which[order], np.arange(count + 1))
    for i in range(count):
        inside = hr_bpm[order[starts[i] : starts[i + 1]]]
        if inside.size:
            hr_low[i], hr_mid[i], hr_high[i] = np.percentile(inside, [10, 50, 90])

    sq_sum = np.zeros(count)
    diffs = np.zeros(count)
    coh_sum = np.zeros(count)
    coh_n = np.zeros(count)
    for stretch in corrected:
        if stretch.rr_ms.size >= 2:
            # successive pairs only, as the summary takes them: none across a beat left out
            ok = stretch.successive_mask()
            k = bins(stretch.t_s[1:][ok])
            np.add.at(sq_sum, k, np.diff(stretch.rr_ms)[ok] ** 2)
            np.add.at(diffs, k, 1)
        series = stretch.coherence
        if series.ratio.size:
            k = bins(series.t_s)
            np.add.at(coh_sum, k, series.ratio)
            np.add.at(coh_n, k, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rmssd = np.where(diffs >= MIN_WINDOW_DIFFS, np.sqrt(sq_sum / diffs), np.nan)
        coh = np.where(coh_n > 0, coh_sum / coh_n, np.nan)
    return {
        "live_t": middle,
        "live_rmssd": rmssd,
        "live_coh": coh,
        "hr_t": middle,
        "hr_mid": hr_mid,
        "hr_low": hr_low,
        "hr_high": hr_high,
    }


def _time_axis(ax: Any, duration_s: float) -> str:
    """Ticks in minutes, or in hours beyond three hours; returns the axis label."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    ax.set_xlim(0, max(duration_s, 1.0))
    if duration_s > 3 * 3600:
        hours = duration_s / 3600.0
        step = next(s for s in (0.5, 1, 2, 3, 4, 6, 12, 24, 1e9) if hours / s <= 12)
        ax.xaxis.set_major_locator(MultipleLocator(step * 3600))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 3600:g}"))
        return "hours"
    minutes = duration_s / 60.0
    step = next(s for s in (0.5, 1, 2, 5, 10, 15, 30, 60, 1e9) if minutes / s <= 12)
    ax.xaxis.set_major_locator(MultipleLocator(step * 60))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 60:g}"))
    return "minutes"


def summary_lines(report: SessionReport) -> list[tuple[str, str]]:
    """The summary numbers as ``(label, value with unit)`` rows."""
    s = report.summary

    def num(key: str, digits: int, unit: str = "") -> str:
        value = s.get(key)
        if value is None or isinstance(value, str):
            return "-"
        value = float(value)  # type: ignore[arg-type]
        return f"{value:.{digits}f}{unit}" if math.isfinite(value) else "-"

    peak = s.get("lf_peak_hz")
    peak_text = num("lf_peak_hz", 3, " Hz")
    if isinstance(peak, int | float) and math.isfinite(peak):
        peak_text += f" ({peak * 60:.1f} breaths/min)"
    rows = [
        ("Duration", duration_text(report.duration_s)),
        ("Beats", num("beats", 0)),
        ("Mean heart rate", num("mean_hr_bpm", 1, " bpm")),
        ("RMSSD", num("rmssd_ms", 1, " ms")),
        ("SDNN", num("sdnn_ms", 1, " ms")),
        ("pNN50", num("pnn50_pct", 1, " %")),
        ("LF power", num("lf_ms2", 0, " ms²")),
        ("HF power", num("hf_ms2", 0, " ms²")),
        ("LF/HF", num("lf_hf", 2)),
        ("LF peak", peak_text),
        ("Coherence", num("coherence", 2)),
        (
            "Beats not normal" if s.get("artifact_method") == "nn" else "Artifacts corrected",
            num("artifacts_corrected", 0),
        ),
    ]
    quality = s.get("quality")
    if isinstance(quality, Mapping) and "verdict" in quality:
        rows.insert(2, ("Signal", signal_text(quality)))
    before, after, note = report.checkin
    if before is not None or after is not None:
        rows.append(
            (
                "Stress before → after",
                f"{'?' if before is None else before} → {'?' if after is None else after}  (0-10)",
            )
        )
    if note:
        rows.append(("Note", note if len(note) <= 40 else note[:39] + "…"))
    return rows


def signal_text(quality: Mapping[str, object]) -> str:
    """A session's signal-quality verdict in words, with the shares of beats behind it."""
    verdict = str(quality.get("verdict"))
    shares = (
        f"{float(quality.get('ectopic_pct') or 0.0):.1f} % ectopic, "  # type: ignore[arg-type]
        f"{float(quality.get('artifact_pct') or 0.0):.1f} % artifacts"  # type: ignore[arg-type]
    )
    if verdict == "poor":
        return f"poor ({shares}): read the numbers as a rough guide"
    return f"{verdict} ({shares})"


def session_text(report: SessionReport) -> str:
    """The summary numbers for a terminal."""
    rows = summary_lines(report)
    width = max(len(label) for label, _ in rows)
    lines = [report.title, report.subtitle.replace("   ·   ", ", ")]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)
