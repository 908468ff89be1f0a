"""Whole-session HRV: one :class:`Summary` per recording, for the history, reports and ``analyze``.

The recording is split into gap-free stretches (at gaps, at beats flagged ``AFTER_GAP``, and at
dropped beats: ``IMPLAUSIBLE`` and ``BUFFERED`` beats are never used). Then, per stretch:

1. Every beat is classified (:mod:`hrvcoach.quality.classify`: normal, ectopic, missed, extra or
   artifact), which gives the stretch's :class:`hrvcoach.quality.Quality`.
2. The series analysed depends on ``artifacts``: ``"nn"`` (the default) keeps the NN intervals
   (both beats normal) and nothing else; ``"kubios"`` corrects artifacts with the Kubios method
   (:func:`hrvcoach.artifacts.correct`, neurokit2's ``signal_fixpeaks``, iterative) and keeps
   every corrected interval; ``"none"`` keeps every interval as it came.
3. Beat times are rebuilt from the RR (cumulative sum from the stretch's first beat), so the
   spectrum sees the series the RR describe, not the arrival jitter of a radio link. An NN series
   keeps each NN interval at its own beat's time: the spectrum interpolates over the holes.

Time domain is over all stretches at once, over successive pairs only: differences across breaks
are left out (neurokit2's rule with ``RRI_Time``), and so, with ``"nn"``, is every difference
whose two intervals were not neighbours (an ectopic beat between them).

The spectrum is Welch's average, by neurokit2's ``signal_psd``, over the
segments of every stretch long enough for full segments (two segments long, as ``signal_psd`` cuts
segments to half a shorter series; :class:`hrvcoach.hrv.SpectralMethod`), and only when at least
one stretch covers :data:`MIN_SPECTRAL_S` (110 s): the LF band needs about 2 minutes (Task Force
1996; a 2-minute paced trial of 118-120 s must still get its spectrum), so a shorter session
reports no spectral numbers at all (``None``) and says why in ``spectral_note``; so does a series
whose total power is under :data:`POWER_FLOOR_MS2` (a flat heart rate: noise, not a rhythm).
``spectral_resolution_hz`` states the frequency resolution: the rate over the segment length.

Session **coherence** is the mean of the 64 s coherence computed every 5 s of session time
(:func:`hrvcoach.coherence.coherence_series`): the number the user watched during the session,
averaged.

:func:`analyze` returns the :class:`Summary`; :func:`analyze_session` also hands back the corrected
stretches (with the positions of the corrected beats and their coherence) and the spectrum, so a
report draws the very numbers it prints without correcting the artifacts a second time.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach import hrv
from hrvcoach.beats import Beat, BeatFlag, Gap
from hrvcoach.coherence import CoherenceMethod, CoherenceSeries, coherence_series
from hrvcoach.quality import Quality, assess
from hrvcoach.quality.classify import ECTOPIC, NORMAL, classify_rr

if TYPE_CHECKING:
    from hrvcoach.methods import Method
    from hrvcoach.recording import Recording

#: how the beats of a stretch become the series analysed (see the module docstring)
ARTIFACT_MODES = ("nn", "kubios", "none")

#: beats with these flags are never used (see :mod:`hrvcoach.beats`)
EXCLUDED_FLAGS = BeatFlag.IMPLAUSIBLE | BeatFlag.BUFFERED

#: shortest gap-free stretch (s, sum of its corrected RR) a whole-session spectrum is computed
#: from: the LF band (down to 0.04 Hz, 25 s a cycle) needs about 2 minutes (Task Force 1996);
#: 110 s lets every 2-minute paced trial (118-120 s of beats) through, at 0.009 Hz resolution
MIN_SPECTRAL_S = 110.0

#: total spectral power (ms², VLF + LF + HF) below which a series counts as flat (see
#: :data:`hrvcoach.hrv.POWER_FLOOR_MS2`): no spectrum and no coherence
POWER_FLOOR_MS2 = hrv.POWER_FLOOR_MS2


@dataclass(frozen=True)
class Summary:
    """HRV of a whole session. Values are NaN/``None`` where the session is too short for them.

    Attributes:
        beats: Usable beats in the recording (before artifact correction).
        duration_s: Session time covered by the recording.
        mean_rr_ms, mean_hr_bpm, sdnn_ms, rmssd_ms, pnn50_pct, nn50: Time domain (neurokit2
            conventions: SDNN ddof 1, pNN50 over beats).
        vlf_ms2, lf_ms2, hf_ms2, total_power_ms2, lf_hf, lf_peak_hz: Welch spectrum, ms²;
            ``None`` unless a gap-free stretch covers ``min_spectral_s`` (default
            :data:`MIN_SPECTRAL_S`), and ``lf_peak_hz`` also when the LF band has no peak.
        coherence: Mean coherence ratio of the 64 s windows every 5 s.
        coherence_max: Highest window coherence.
        coherence_windows: Windows averaged.
        coherence_peak_hz: Median peak frequency of those windows (the breathing rhythm).
        artifacts_corrected: Beats the artifact method moved, removed or inserted; with ``"nn"``,
            the beats classified as not normal (their intervals left out).
        artifact_method: ``"nn"``, ``"kubios"`` or ``"none"``.
        beats_excluded: Beats never used (flagged implausible or buffered).
        beats_analysed: Beats after artifact correction (``beats`` minus removed plus inserted).
        stretches: Gap-free stretches the session splits into.
        quality: Share of ectopic and artifact beats and the verdicts (:mod:`hrvcoach.quality`).
        spectral_note: Why the spectral values are ``None``, when they are.
        method: The method's name (:mod:`hrvcoach.methods`).
        nn20, pnn20_pct, sdsd_ms, median_nn_ms, cvnn, hr_min_bpm, hr_max_bpm, hr_sd_bpm,
            triangular_index, tinn_ms: Time domain (:class:`hrvcoach.hrv.TimeDomain`).
        sd1_ms, sd2_ms, sd1_sd2: Poincaré plot.
        hf_peak_hz: Peak of the HF band.
        lf_nu, hf_nu: LF and HF in normalised units, ``100 * lf / (lf + hf)``.
        spectral_resolution_hz: Frequency resolution of the spectrum: rate / segment samples.
        sampen, apen, dfa_alpha1, dfa_alpha2: Nonlinear set (:mod:`hrvcoach.metrics.nonlinear`):
            of the whole NN series up to 7.5 minutes, else the median of 5-minute windows.
        sdann_ms, sdnn_index_ms: SD of the 5-minute windows' mean NN and mean of their SDNN
            (two windows or more).
        nonlinear_windows: Windows the nonlinear values come from (0: the whole series).
    """

    beats: int
    duration_s: float
    mean_rr_ms: float
    mean_hr_bpm: float
    sdnn_ms: float
    rmssd_ms: float
    pnn50_pct: float
    nn50: int
    vlf_ms2: float | None
    lf_ms2: float | None
    hf_ms2: float | None
    total_power_ms2: float | None
    lf_hf: float | None
    lf_peak_hz: float | None
    coherence: float | None
    coherence_max: float | None
    coherence_windows: int
    coherence_peak_hz: float | None
    artifacts_corrected: int
    artifact_method: str
    beats_excluded: int
    stretches: int
    beats_analysed: int
    quality: Quality | None = None
    spectral_note: str | None = None
    method: str = "default"
    nn20: int = 0
    pnn20_pct: float = math.nan
    sdsd_ms: float = math.nan
    median_nn_ms: float = math.nan
    cvnn: float = math.nan
    hr_min_bpm: float = math.nan
    hr_max_bpm: float = math.nan
    hr_sd_bpm: float = math.nan
    triangular_index: float = math.nan
    tinn_ms: float = math.nan
    sd1_ms: float = math.nan
    sd2_ms: float = math.nan
    sd1_sd2: float = math.nan
    hf_peak_hz: float | None = None
    lf_nu: float | None = None
    hf_nu: float | None = None
    spectral_resolution_hz: float | None = None
    sampen: float = math.nan
    apen: float = math.nan
    dfa_alpha1: float = math.nan
    dfa_alpha2: float = math.nan
    sdann_ms: float = math.nan
    sdnn_index_ms: float = math.nan
    nonlinear_windows: int = 0

    def to_json(self) -> dict[str, object]:
        """Plain JSON-ready values; NaN and infinities become ``None`` (JSON ``null``)."""
        out: dict[str, object] = {}
        for key, value in asdict(self).items():
            if key == "quality" and self.quality is not None:
                value = self.quality.to_json()
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            out[key] = value
        return out


@dataclass(frozen=True, eq=False)
class CorrectedStretch:
    """One gap-free stretch of a session after artifact correction.

    Attributes:
        t_s: Beat times, rebuilt from the corrected RR from where the stretch's first interval
            began (see the module docstring).
        rr_ms: Corrected RR intervals (with ``"nn"``: the NN intervals only).
        artifact_t_s: Times of the beats the correction changed: moved and removed beats at the
            time they were recorded, inserted beats at their new time (with ``"nn"``: the beats
            classified as not normal).
        corrected: Beats the correction moved, removed or inserted (``"nn"``: not normal).
        coherence: The 64 s coherence every few seconds of session time over the stretch.
        successive: One flag per difference of ``rr_ms``: True where the two intervals were
            neighbours (``None``: all were).
        beats: Beats of the stretch as recorded.
        ectopic: Beats classified ectopic.
        other: Beats classified missed, extra or artifact.
    """

    t_s: np.ndarray
    rr_ms: np.ndarray
    artifact_t_s: np.ndarray
    corrected: int
    coherence: CoherenceSeries
    successive: np.ndarray | None = None
    beats: int = 0
    ectopic: int = 0
    other: int = 0

    def successive_mask(self) -> np.ndarray:
        """:attr:`successive`, with ``None`` spelt out."""
        if self.successive is not None:
            return self.successive
        return np.ones(max(self.rr_ms.size - 1, 0), dtype=bool)


@dataclass(frozen=True, eq=False)
class Analysis:
    """A whole-session summary with what it was computed from, for pictures of the same numbers.

    Attributes:
        summary: The numbers.
        stretches: The gap-free stretches after artifact correction, in order.
        spectrum: Welch's average the band powers come from (``None``: no stretch covers the
            shortest span the spectrum needs).
    """

    summary: Summary
    stretches: tuple[CorrectedStretch, ...]
    spectrum: hrv.Spectrum | None

    @property
    def artifact_t_s(self) -> np.ndarray:
        """Times of every beat the artifact correction changed, in order."""
        if not self.stretches:
            return np.zeros(0)
        return np.sort(np.concatenate([s.artifact_t_s for s in self.stretches]))


@dataclass(frozen=True, eq=False)
class _Stretch:
    rr_ms: np.ndarray
    t_s: np.ndarray


def _stretches_of_recording(recording: Recording) -> tuple[list[_Stretch], int]:
    stretches: list[_Stretch] = []
    excluded = 0
    rr: list[float] = []
    ts: list[float] = []

    def close() -> None:
        if rr:
            stretches.append(
                _Stretch(np.array(rr, dtype=np.float64), np.array(ts, dtype=np.float64))
            )
            rr.clear()
            ts.clear()

    for event in recording.events:
        if isinstance(event, Gap):
            close()
        elif isinstance(event, Beat):
            if (
                event.flags & EXCLUDED_FLAGS
                or not (event.rr_ms > 0)
                or not math.isfinite(event.rr_ms)
            ):
                excluded += 1
                close()
                continue
            if event.flags & BeatFlag.AFTER_GAP:
                close()
            rr.append(float(event.rr_ms))
            ts.append(float(event.t_s))
    close()
    return stretches, excluded


def _as_rr_array(values: np.ndarray) -> np.ndarray:
    rr = np.asarray(values, dtype=np.float64)
    if rr.ndim != 1:
        raise ValueError("RR intervals must be a 1-D array")
    if not np.all(np.isfinite(rr)) or np.any(rr <= 0):
        raise ValueError("RR intervals must be finite and positive")
    return rr


def analysed_stretches(recording: Recording, artifacts: str) -> tuple[CorrectedStretch, ...]:
    """The gap-free stretches of the very series :func:`analyze_session` analyses with
    ``artifacts`` (``"nn"``, ``"kubios"`` or ``"none"``), without their coherence: for export.

    Raises:
        ValueError: For an unknown artifact method.
    """
    if artifacts not in ARTIFACT_MODES:
        raise ValueError(
            f"unknown artifact method {artifacts!r} (one of {', '.join(ARTIFACT_MODES)})"
        )
    raw, _ = _stretches_of_recording(recording)
    return tuple(_corrected(s, artifacts, None, 5.0) for s in raw)


def _corrected(
    s: _Stretch, method: str, coherence: CoherenceMethod | None, every_s: float
) -> CorrectedStretch:
    from hrvcoach import artifacts

    def coherence_of(rr: np.ndarray, t: np.ndarray) -> CoherenceSeries:
        if coherence is None:
            empty = np.zeros(0)
            return CoherenceSeries(empty, empty, empty)
        return coherence_series(rr, t, every_s=every_s, method=coherence)

    classes = classify_rr(s.rr_ms)
    ectopic = int(np.count_nonzero(classes.codes == ECTOPIC))
    other = int(np.count_nonzero(classes.codes != NORMAL)) - ectopic
    if method == "nn":
        t_all = s.t_s[0] - s.rr_ms[0] / 1000.0 + np.cumsum(s.rr_ms) / 1000.0
        keep = np.flatnonzero(classes.nn)
        t_nn = t_all[keep]
        rr_nn = s.rr_ms[keep]
        return CorrectedStretch(
            t_s=t_nn,
            rr_ms=rr_nn,
            artifact_t_s=s.t_s[classes.codes != NORMAL],
            corrected=ectopic + other,
            coherence=coherence_of(rr_nn, t_nn),
            successive=np.diff(keep) == 1,
            beats=int(s.rr_ms.size),
            ectopic=ectopic,
            other=other,
        )
    result = artifacts.correct(s.rr_ms, method)
    rr = result.rr_ms
    # Times from the RR themselves, from where the stretch's first interval began.
    t = s.t_s[0] - s.rr_ms[0] / 1000.0 + np.cumsum(rr) / 1000.0
    changed = np.concatenate(
        (
            s.t_s[np.array([*result.moved, *result.removed], dtype=np.intp)],
            t[np.array(result.inserted, dtype=np.intp)],
        )
    )
    return CorrectedStretch(
        t_s=t,
        rr_ms=rr,
        artifact_t_s=np.sort(changed),
        corrected=result.count,
        coherence=coherence_of(rr, t),
        beats=int(s.rr_ms.size),
        ectopic=ectopic,
        other=other,
    )


def _nonlinear(stretches: tuple[CorrectedStretch, ...], method: Method) -> tuple[Any, Any, int]:
    """The nonlinear set, the 5-minute-window measures, and the windows the set comes from."""
    from hrvcoach.metrics import nonlinear as nl

    if not stretches:
        return nl.Nonlinear(), nl.windowed(np.zeros(0), np.zeros(0)), 0
    parts = []
    for s in stretches:
        rr = s.rr_ms
        if method.nonlinear_detrend and rr.size >= 3:
            from hrvcoach.metrics.detrend import smoothness_priors

            rr = smoothness_priors(rr) + float(np.mean(rr))
        parts.append(rr)
    rr_all = np.concatenate(parts)
    t_all = np.concatenate([s.t_s for s in stretches])
    short, long = method.dfa_short, method.dfa_long
    windows = nl.windowed(t_all, rr_all, dfa_short=short, dfa_long=long)
    if t_all[-1] - t_all[0] <= 1.5 * nl.WINDOW_S:
        return nl.nonlinear(rr_all, dfa_short=short, dfa_long=long), windows, 0
    return windows.nonlinear, windows, windows.nonlinear_windows


def _span_s(s: CorrectedStretch) -> float:
    """Time a stretch covers, from the start of its first interval to its last beat."""
    if s.rr_ms.size == 0:
        return 0.0
    return float(s.t_s[-1] - s.t_s[0] + s.rr_ms[0] / 1000.0)


def _welch_average(
    stretches: tuple[CorrectedStretch, ...], method: hrv.SpectralMethod, detrend: str = "none"
) -> hrv.Spectrum | None:
    """Welch's average over the full segments of every stretch (the longest one if none has one)."""

    def series(s: CorrectedStretch) -> np.ndarray:
        if detrend == "smoothness-priors" and s.rr_ms.size:
            from hrvcoach.metrics.detrend import smoothness_priors

            return smoothness_priors(s.rr_ms) + float(np.mean(s.rr_ms))
        return s.rr_ms

    spectra = [hrv.rr_spectrum(series(s), s.t_s, method) for s in stretches]
    usable = [sp for sp in spectra if sp is not None]
    if not usable:
        return None
    if method.kind != "welch":  # 5-minute windows averaged, on one grid
        same = [sp for sp in usable if sp.frequency_hz.size == usable[0].frequency_hz.size]
        weights = np.array([sp.segments for sp in same], dtype=np.float64)
        power = np.average(np.stack([sp.power_ms2_per_hz for sp in same]), axis=0, weights=weights)
        return hrv.Spectrum(
            same[0].frequency_hz, power, int(weights.sum()), 0, same[0].resolution_hz
        )
    full = [sp for sp in usable if sp.nperseg == method.nperseg]
    if not full:
        return max(usable, key=lambda sp: sp.nperseg)
    weights = np.array([sp.segments for sp in full], dtype=np.float64)
    power = np.average(np.stack([sp.power_ms2_per_hz for sp in full]), axis=0, weights=weights)
    return hrv.Spectrum(full[0].frequency_hz, power, int(weights.sum()), method.nperseg)


def analyze(recording: Recording | np.ndarray, **options: Any) -> Summary:
    """Summarise a whole session: :func:`analyze_session`'s summary, with the same options."""
    return analyze_session(recording, **options).summary


def analyze_session(
    recording: Recording | np.ndarray,
    *,
    method: str | Method | None = None,
    artifacts: str | None = None,
    spectral: hrv.SpectralMethod | None = None,
    convention: hrv.TimeDomainConvention | None = None,
    detrend: str | None = None,
    coherence: CoherenceMethod | None = None,
    coherence_every_s: float = 5.0,
    min_spectral_s: float = MIN_SPECTRAL_S,
) -> Analysis:
    """Summarise a whole session, and keep what the summary was computed from.

    A report draws the corrected beats, the spectrum and the coherence of the same computation,
    so artifact correction (the costly part: about a second for a day) runs once.

    Args:
        recording: A :class:`~hrvcoach.recording.Recording`, or RR intervals in ms as a 1-D array
            (one gap-free stretch starting at time 0).
        method: A :class:`hrvcoach.methods.Method` or its name (default ``"default"``):
            the defaults of the four settings below.
        artifacts: ``"nn"``, ``"kubios"`` or ``"none"`` (see the module docstring).
        spectral: Spectrum settings.
        convention: Time-domain definitions.
        detrend: ``"none"`` or ``"smoothness-priors"`` before the spectrum.
        coherence: Coherence definition (default :class:`hrvcoach.coherence.CoherenceMethod`).
        coherence_every_s: Interval between coherence windows.
        min_spectral_s: Shortest gap-free stretch (s) the spectrum is computed from; without
            one, every spectral value is ``None``.

    Returns:
        The summary, the corrected stretches and the spectrum.

    Raises:
        ValueError: For an unknown artifact method, or an array that is not positive finite RR.
    """
    from hrvcoach import methods

    chosen = method if isinstance(method, methods.Method) else methods.get(method)
    artifacts = artifacts or chosen.artifacts
    convention = convention or chosen.convention
    detrend = detrend or chosen.detrend
    if detrend not in methods.DETRENDS:
        raise ValueError(f"unknown detrend {detrend!r} (one of {', '.join(methods.DETRENDS)})")
    if artifacts not in ARTIFACT_MODES:
        raise ValueError(
            f"unknown artifact method {artifacts!r} (one of {', '.join(ARTIFACT_MODES)})"
        )
    spectral = spectral or chosen.spectral
    coherence = coherence or CoherenceMethod()
    if isinstance(recording, np.ndarray):
        rr = _as_rr_array(recording)
        raw = [_Stretch(rr, np.cumsum(rr) / 1000.0)] if rr.size else []
        excluded = 0
        duration_s = float(np.sum(rr)) / 1000.0
    else:
        raw, excluded = _stretches_of_recording(recording)
        duration_s = float(recording.duration_s)

    stretches = tuple(_corrected(s, artifacts, coherence, coherence_every_s) for s in raw)
    corrected = sum(s.corrected for s in stretches)

    if stretches:
        rr_all = np.concatenate([s.rr_ms for s in stretches])
        succ = np.concatenate([np.concatenate(([False], s.successive_mask())) for s in stretches])[
            1:
        ]
    else:
        rr_all = np.zeros(0)
        succ = np.zeros(0, dtype=bool)
    td = hrv.time_domain(rr_all, successive=succ, convention=convention)

    nonlin, windows, nonlinear_windows = _nonlinear(stretches, chosen)
    quality = assess(
        sum(s.beats for s in stretches),
        sum(s.ectopic for s in stretches),
        sum(s.other for s in stretches),
    )
    # Below the shortest span the LF band needs there is no honest spectral number to give.
    longest_s = max((_span_s(s) for s in stretches), default=0.0)
    note: str | None = None
    if longest_s < min_spectral_s:
        note = f"needs {min_spectral_s:.0f} s of beats without a gap"
    elif quality.spectral_verdict == "poor" and artifacts == "nn":
        note = (
            f"{quality.not_normal_pct:.0f} % of beats are not normal: "
            "too many holes for a spectrum or coherence"
        )
    spectrum = _welch_average(stretches, spectral, detrend) if note is None else None
    if spectrum is not None and note is None:
        total = hrv.band_powers(spectrum, spectral).total_ms2
        if not total >= POWER_FLOOR_MS2:
            spectrum = None
            note = (
                f"the heart rate is nearly flat (total power {total:.2g} ms², below the "
                f"{POWER_FLOOR_MS2:g} ms² floor): no spectrum or coherence to give"
            )
    fd = hrv.band_powers(spectrum, spectral)

    withheld = quality.spectral_verdict == "poor" and artifacts == "nn"
    series = [] if withheld else [s.coherence for s in stretches]
    coh = np.concatenate([c.ratio for c in series]) if series else np.zeros(0)
    coh_peak = np.concatenate([c.peak_hz for c in series]) if series else np.zeros(0)
    rhythmic = np.isfinite(coh)  # windows over the power floor
    coh, coh_peak = coh[rhythmic], coh_peak[rhythmic]

    def opt(value: float) -> float | None:
        return float(value) if math.isfinite(value) else None

    summary = Summary(
        beats=sum(int(part.rr_ms.size) for part in raw),
        duration_s=duration_s,
        mean_rr_ms=td.mean_rr_ms,
        mean_hr_bpm=td.mean_hr_bpm,
        sdnn_ms=td.sdnn_ms,
        rmssd_ms=td.rmssd_ms,
        pnn50_pct=td.pnn50_pct,
        nn50=td.nn50,
        vlf_ms2=opt(fd.vlf_ms2),
        lf_ms2=opt(fd.lf_ms2),
        hf_ms2=opt(fd.hf_ms2),
        total_power_ms2=opt(fd.total_ms2),
        lf_hf=opt(fd.lf_hf),
        lf_peak_hz=opt(fd.lf_peak_hz),
        coherence=float(np.mean(coh)) if coh.size else None,
        coherence_max=float(np.max(coh)) if coh.size else None,
        coherence_windows=int(coh.size),
        coherence_peak_hz=float(np.median(coh_peak)) if coh_peak.size else None,
        artifacts_corrected=corrected,
        artifact_method=artifacts,
        beats_excluded=excluded,
        stretches=len(stretches),
        beats_analysed=int(rr_all.size),
        quality=quality,
        spectral_note=note,
        method=chosen.name,
        nn20=td.nn20,
        pnn20_pct=td.pnn20_pct,
        sdsd_ms=td.sdsd_ms,
        median_nn_ms=td.median_nn_ms,
        cvnn=td.cvnn,
        hr_min_bpm=td.hr_min_bpm,
        hr_max_bpm=td.hr_max_bpm,
        hr_sd_bpm=td.hr_sd_bpm,
        triangular_index=td.triangular_index,
        tinn_ms=td.tinn_ms,
        sd1_ms=td.sd1_ms,
        sd2_ms=td.sd2_ms,
        sd1_sd2=td.sd1_sd2,
        hf_peak_hz=opt(fd.hf_peak_hz),
        lf_nu=opt(100.0 * fd.lf_ms2 / (fd.lf_ms2 + fd.hf_ms2)) if spectrum is not None else None,
        hf_nu=opt(100.0 * fd.hf_ms2 / (fd.lf_ms2 + fd.hf_ms2)) if spectrum is not None else None,
        spectral_resolution_hz=(
            None
            if spectrum is None
            else spectrum.resolution_hz
            if math.isfinite(spectrum.resolution_hz)
            else spectral.rate_hz / max(spectrum.nperseg, 1)
        ),
        sampen=nonlin.sampen,
        apen=nonlin.apen,
        dfa_alpha1=nonlin.dfa_alpha1,
        dfa_alpha2=nonlin.dfa_alpha2,
        sdann_ms=windows.sdann_ms,
        sdnn_index_ms=windows.sdnn_index_ms,
        nonlinear_windows=nonlinear_windows,
    )
    return Analysis(summary, stretches, spectrum)
