"""Resonance frequency assessment: the stepped protocol and its scoring, as pure functions.

The protocol (Lehrer, Vaschillo & Vaschillo 2000; Lehrer 2013; Shaffer & Meehan 2020) paces a
series of breathing rates, usually 6.5 down to 4.5 breaths/min for two minutes each, and compares
the heart's response at each. The first seconds of every step are a settle period and are not
scored: heart rate needs a few breaths to lock on to a new pace.

For each step, after its settle period, :func:`score_step` measures

- **peak-to-trough HR** (bpm): the mean, over the pacer's breath cycles, of the largest minus the
  smallest heart rate within the cycle (respiratory sinus arrhythmia amplitude);
- **LF power** (ms², 0.04-0.15 Hz) of the RR series, and the LF spectral peak's frequency and
  height; the heart *follows the pacer* when that peak lies at the paced rate;
- **phase** (degrees) of heart rate against the pacer's lung-volume curve at the pacing frequency:
  0 means heart rate peaks as the lungs fill, which is what breathing at resonance looks like;
  positive means heart rate leads the breath;
- **coherence** (HeartMath ratio: power around the highest 0.04-0.26 Hz peak over the rest).

:func:`choose_resonance` weighs these into one score per rate and says how sure it is: a
``clear`` winner, a ``close`` call between two rates, or ``none`` when the response is flat.
The rule and its reasoning are written out in ``docs/assessment.md``.

Everything here takes numbers and returns numbers: no clocks, files or devices. numpy is imported
at the top (it is light); scipy only inside the functions that need it.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from hrvcoach.beats import RR_MAX_MS, RR_MIN_MS, Mark
from hrvcoach.errors import UsageError
from hrvcoach.pacer import MAX_RATE_BPM, MIN_RATE_BPM, BreathPattern, Pacer

log = logging.getLogger(__name__)

DEFAULT_RATES_BPM: tuple[float, ...] = (6.5, 6.0, 5.5, 5.0, 4.5)
DEFAULT_STEP_S = 120.0
DEFAULT_SETTLE_S = 20.0
#: a step must leave at least this much scored time after its settle period
MIN_SCORED_S = 30.0

RESAMPLE_HZ = 4.0  #: the usual rate for an evenly sampled HR/RR series (Task Force 1996)
LF_BAND_HZ = (0.04, 0.15)
#: HeartMath coherence: a 64 s window every 5 s (McCraty et al. 2009)
COHERENCE_WINDOW_S = 64.0
COHERENCE_STEP_S = 5.0
#: the LF peak counts as "at the paced rate" within this distance, or one spectral bin of the
#: scored window if that is wider (a 100 s window cannot resolve finer than 0.01 Hz)
FOLLOW_TOLERANCE_HZ = 0.01
#: a silence longer than this between beats is lost signal, not a slow beat
MAX_BEAT_SPACING_S = 3.0
#: a step needs this fraction of its scored window covered by beats to be judged
MIN_COVERAGE = 0.7

#: criterion -> weight in the combined score (see docs/assessment.md for why these)
WEIGHTS: dict[str, float] = {
    "peak_trough": 0.30,
    "lf_power": 0.25,
    "lf_peak": 0.15,
    "phase": 0.20,
    "coherence": 0.10,
}
#: a step whose LF peak is not at the paced rate keeps this share of its score: the heart was
#: swinging, but not with the breath being tested
NOT_FOLLOWING_FACTOR = 0.8
#: runner-up within this much of the winner's combined score (0..1 scale): a close call
CLOSE_MARGIN = 0.06
#: the response is flat when the largest peak-to-trough swing is less than this many times the
#: smallest and the LF power spread is small too
FLAT_PEAK_TROUGH_RATIO = 1.25
FLAT_LF_RATIO = 2.0
#: ... or when even the weakest rate scores at least this share of the best: no rate stands out
#: (one noisy breath can lift a single criterion; it cannot lift them all)
FLAT_SCORE_RATIO = 0.8

CONFIDENCES = ("clear", "close", "none")


# --------------------------------------------------------------------------------------------
# The protocol plan
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AssessmentStep:
    """One paced rate of the protocol.

    Attributes:
        index: Position in the protocol, from 0.
        rate_bpm: Paced breathing rate (breaths/min).
        start_s: Session time the step starts.
        duration_s: Length of the step, settle period included.
        settle_s: Seconds at the start of the step that are not scored.
    """

    index: int
    rate_bpm: float
    start_s: float
    duration_s: float
    settle_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    @property
    def scored_start_s(self) -> float:
        return self.start_s + self.settle_s

    @property
    def freq_hz(self) -> float:
        return self.rate_bpm / 60.0

    def mark(self) -> Mark:
        """The mark that records this step's start in a recording."""
        return Mark(
            self.start_s,
            "step",
            f"index={self.index} rate={self.rate_bpm:.1f} settle_s={self.settle_s:g}",
        )


_MARK_FIELD = re.compile(r"(\w+)=([-+0-9.eE]+)")


def steps_from_marks(marks: Sequence[Mark], *, end_s: float) -> tuple[AssessmentStep, ...]:
    """The steps of an assessment recording, from its ``step`` marks.

    Each step runs to the next step's start; the last one to ``end_s`` (end of the recording).

    Raises:
        ValueError: A step mark does not say ``index=.. rate=.. settle_s=..``.
    """
    found: list[tuple[float, int, float, float]] = []
    for mark in marks:
        if mark.kind != "step":
            continue
        values = dict(_MARK_FIELD.findall(mark.text))
        try:
            found.append(
                (
                    mark.t_s,
                    int(float(values["index"])),
                    float(values["rate"]),
                    float(values.get("settle_s", 0.0)),
                )
            )
        except (KeyError, ValueError):
            raise ValueError(
                f"step mark {mark.text!r} at {mark.t_s:.1f} s is not 'index=N rate=R settle_s=S'"
            ) from None
    found.sort()
    steps = []
    for i, (t_s, index, rate, settle) in enumerate(found):
        stop_s = found[i + 1][0] if i + 1 < len(found) else end_s
        steps.append(AssessmentStep(index, rate, t_s, max(0.0, stop_s - t_s), settle))
    return tuple(steps)


def plan_steps(
    rates_bpm: Sequence[float] = DEFAULT_RATES_BPM,
    *,
    step_s: float = DEFAULT_STEP_S,
    settle_s: float = DEFAULT_SETTLE_S,
    t0_s: float = 0.0,
) -> tuple[AssessmentStep, ...]:
    """The protocol: each rate in turn for ``step_s`` seconds, starting at ``t0_s``.

    Raises:
        UsageError: No rates, a rate the pacer cannot pace, or steps too short to score.
    """
    if not rates_bpm:
        raise UsageError("give at least one breathing rate to assess")
    for rate in rates_bpm:
        if not (MIN_RATE_BPM <= rate <= MAX_RATE_BPM):
            raise UsageError(
                f"rate {rate:g} breaths/min is outside {MIN_RATE_BPM:g}-{MAX_RATE_BPM:g}"
            )
    if settle_s < 0:
        raise UsageError("the settle period cannot be negative")
    if step_s - settle_s < MIN_SCORED_S:
        raise UsageError(
            f"a {step_s:g} s step with {settle_s:g} s to settle leaves less than "
            f"{MIN_SCORED_S:g} s to score; use longer steps or a shorter settle period"
        )
    return tuple(
        AssessmentStep(i, float(rate), t0_s + i * step_s, step_s, settle_s)
        for i, rate in enumerate(rates_bpm)
    )


@dataclass(frozen=True)
class ProtocolProgress:
    """Where a person is in the protocol at one moment (what a guided view announces).

    Attributes:
        steps: The whole plan.
        index: The current step's index; ``len(steps)`` once the last step is over, ``-1`` before
            the first one begins.
        settling: In the current step's settle period (its data are not scored).
        step_left_s: Seconds left in the current step (0 when there is none).
        settle_left_s: Seconds left of the settle period (0 once scoring has begun).
        total_left_s: Seconds left in the whole protocol.
    """

    steps: tuple[AssessmentStep, ...]
    index: int
    settling: bool
    step_left_s: float
    settle_left_s: float
    total_left_s: float

    @property
    def step(self) -> AssessmentStep | None:
        """The current step, or ``None`` before the first and after the last."""
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else None

    @property
    def done(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def steps_done(self) -> int:
        """Steps completed so far."""
        return max(0, min(self.index, len(self.steps)))


def progress_at(steps: Sequence[AssessmentStep], t_s: float) -> ProtocolProgress:
    """The protocol's progress at session time ``t_s``.

    Steps run end to end, so the current one is the last that has started; a step owns its
    start and not its end (at ``end_s`` the next step, or the end, has come).
    """
    plan = tuple(steps)
    if not plan:
        return ProtocolProgress(plan, 0, False, 0.0, 0.0, 0.0)
    end_s = plan[-1].end_s
    total_left = max(0.0, end_s - t_s)
    if t_s < plan[0].start_s:
        return ProtocolProgress(plan, -1, False, 0.0, 0.0, end_s - plan[0].start_s)
    if t_s >= end_s:
        return ProtocolProgress(plan, len(plan), False, 0.0, 0.0, 0.0)
    index = max(i for i, s in enumerate(plan) if s.start_s <= t_s)
    step = plan[index]
    settle_left = max(0.0, step.scored_start_s - t_s)
    return ProtocolProgress(
        plan, index, settle_left > 0.0, max(0.0, step.end_s - t_s), settle_left, total_left
    )


def protocol_pacer(steps: Sequence[AssessmentStep], *, ratio: str = "4:6") -> Pacer:
    """A pacer with every step scheduled up front, so the breathing curve is known in advance.

    Raises:
        UsageError: ``ratio`` is not like ``4:6`` or ``4:2:6:0``.
    """
    if not steps:
        raise UsageError("an assessment needs at least one step")
    try:
        patterns = [BreathPattern.with_ratio(step.rate_bpm, ratio) for step in steps]
    except ValueError as err:
        raise UsageError(str(err)) from None
    pacer = Pacer(patterns[0], t0_s=steps[0].start_s)
    for step, pattern in zip(steps[1:], patterns[1:], strict=True):
        pacer.set_pattern(step.start_s, pattern)
    return pacer


# --------------------------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CleanRr:
    """RR intervals with ectopic and misdetected beats replaced.

    Attributes:
        t_s: Beat times (unchanged: they are what the sensor saw).
        rr_ms: Corrected intervals ending at those beats.
        corrected: Intervals replaced.
    """

    t_s: np.ndarray
    rr_ms: np.ndarray
    corrected: int


def correct_artifacts(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    *,
    tolerance: float = 0.2,
    window: int = 11,
) -> CleanRr:
    """Replace intervals far from their neighbours' median by interpolation.

    A premature beat gives a short interval and then a long compensatory one; a missed detection
    one about twice as long. Either would swamp a 10 bpm breathing swing, so any interval more than
    ``tolerance`` (a fraction) away from the running median of ``window`` intervals, or outside
    what a heart can do, is replaced by linear interpolation between its good neighbours. Beat
    times are kept as the sensor gave them, so the time axis stays honest.

    This is deliberately simpler than the Kubios correction that live HRV uses
    (:mod:`hrvcoach.artifacts`): a step is short, beat times are known, and the one thing that
    matters here is that no artifact survives to inflate a peak-to-trough swing. A 20 % band is
    wide enough for a 20 bpm breathing swing (RR changes under 10 % from beat to beat).
    """
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64).copy()
    n = rr.size
    if n < 3:
        return CleanRr(t, rr, 0)
    half = window // 2
    padded = np.pad(rr, half, mode="edge")
    median = np.median(np.lib.stride_tricks.sliding_window_view(padded, window), axis=1)
    bad = (np.abs(rr - median) > tolerance * median) | (rr < RR_MIN_MS) | (rr > RR_MAX_MS)
    good = ~bad
    if good.sum() < 2:
        return CleanRr(t, rr, 0)
    index = np.arange(n)
    rr[bad] = np.interp(index[bad], index[good], rr[good])
    return CleanRr(t, rr, int(bad.sum()))


def hr_at_beats(t_s: np.ndarray, rr_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Instantaneous heart rate of each interval, placed at the interval's midpoint.

    Placing it at the beat that ends the interval would delay the series by half a beat, which
    at 5 breaths/min is a 15-20 degree phase error.

    Returns:
        ``(t_mid_s, hr_bpm)``.
    """
    return t_s - rr_ms / 2000.0, 60000.0 / rr_ms


def resample(
    t_s: np.ndarray,
    values: np.ndarray,
    *,
    fs_hz: float = RESAMPLE_HZ,
    start_s: float | None = None,
    end_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """An unevenly sampled series on an even grid by cubic spline (not beyond its samples).

    Returns:
        ``(grid_t_s, values_on_grid)``.
    """
    from scipy.interpolate import CubicSpline

    lo = t_s[0] if start_s is None else max(start_s, t_s[0])
    hi = t_s[-1] if end_s is None else min(end_s, t_s[-1])
    grid = np.arange(lo, hi + 1e-9, 1.0 / fs_hz)
    if t_s.size < 4:
        return grid, np.interp(grid, t_s, values)
    keep = np.concatenate(([True], np.diff(t_s) > 1e-6))  # spline needs strictly rising times
    return grid, CubicSpline(t_s[keep], values[keep])(grid)


# --------------------------------------------------------------------------------------------
# Criteria (each a pure function of numbers)
# --------------------------------------------------------------------------------------------
def peak_to_trough_bpm(
    t_s: np.ndarray, hr_bpm: np.ndarray, cycle_starts_s: Sequence[float]
) -> float | None:
    """Mean over breath cycles of (largest - smallest) heart rate within the cycle.

    Args:
        t_s: Times of the heart-rate samples (an evenly resampled series gives the best
            estimate of the true extremes; beat-by-beat samples work too).
        hr_bpm: Heart rate at those times.
        cycle_starts_s: Start of every breath cycle; cycle ``i`` is
            ``[cycle_starts_s[i], cycle_starts_s[i + 1])``. Only whole cycles count.

    Returns:
        The mean swing in bpm, or ``None`` if no whole cycle has at least three samples.
    """
    swings = []
    for a, b in itertools.pairwise(cycle_starts_s):
        inside = hr_bpm[(t_s >= a) & (t_s < b)]
        if inside.size >= 3:
            swings.append(float(inside.max() - inside.min()))
    return float(np.mean(swings)) if swings else None


@dataclass(frozen=True)
class StepSpectrum:
    """What the spectrum of one step's RR says.

    Attributes:
        lf_ms2: Power in the LF band.
        lf_peak_hz: Frequency of the highest LF point.
        lf_peak_ms2_hz: Its height (density).
        resolution_hz: The finest frequency step the window supports (1 / window length).
    """

    lf_ms2: float
    lf_peak_hz: float
    lf_peak_ms2_hz: float
    resolution_hz: float


def step_spectrum(
    t_s: np.ndarray,
    rr_ms: np.ndarray,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
) -> StepSpectrum:
    """LF power and peak of RR over one short paced window.

    A paced step is short (one to two minutes) and close to stationary, so the whole window is
    one Hann-tapered, linearly detrended Welch segment (:func:`hrvcoach.hrv.welch_spectrum`):
    averaging shorter segments would blur 5.0 and 5.5 breaths/min together. Zero-padding to at
    least 4096 points locates a peak between bins; it does not make the resolution finer.

    Raises:
        ValueError: Fewer than 16 samples in the window.
    """
    from hrvcoach.hrv import SpectralMethod, band_power, welch_spectrum

    grid, rr_even = resample(t_s, rr_ms, fs_hz=RESAMPLE_HZ, start_s=start_s, end_s=end_s)
    n = grid.size
    if n < 16:
        raise ValueError("too few samples for a spectrum")
    method = SpectralMethod(
        rate_hz=RESAMPLE_HZ,
        nperseg=n,
        noverlap=0,
        nfft=max(4096, n),
        detrend="linear",
        lf_hz=LF_BAND_HZ,
    )
    spectrum = welch_spectrum(rr_even, method)
    freq, density = spectrum.frequency_hz, spectrum.power_ms2_per_hz
    in_lf = np.flatnonzero((freq >= LF_BAND_HZ[0]) & (freq < LF_BAND_HZ[1]))
    top = in_lf[int(np.argmax(density[in_lf]))]
    return StepSpectrum(
        lf_ms2=band_power(spectrum, LF_BAND_HZ),
        lf_peak_hz=float(freq[top]),
        lf_peak_ms2_hz=float(density[top]),
        resolution_hz=RESAMPLE_HZ / n,
    )


def mean_coherence(
    t_s: np.ndarray, rr_ms: np.ndarray, *, start_s: float, end_s: float
) -> float | None:
    """HeartMath coherence (:func:`hrvcoach.hrv.coherence`) averaged over a window.

    As HeartMath does it: a 64 s coherence ratio every 5 s, averaged. A window shorter than 64 s
    gets one ratio over the whole window. ``None`` when the beats do not cover it.
    """
    from hrvcoach.hrv import CoherenceMethod, coherence

    # a short window leaves a beat's length spare, so a beat before it anchors the spline
    span_s = end_s - start_s - 2.0
    if span_s < 16.0:
        return None
    method = CoherenceMethod(window_s=min(COHERENCE_WINDOW_S, span_s))
    ratios = []
    first_end_s = start_s + method.window_s + 1.5  # window ends after a beat's slack
    for window_end_s in np.arange(first_end_s, end_s + 1e-9, COHERENCE_STEP_S):
        upto = int(np.searchsorted(t_s, window_end_s, side="right"))
        found = coherence(rr_ms[:upto], t_s[:upto], method)
        if found is not None and math.isfinite(found.ratio):
            ratios.append(found.ratio)
    return float(np.mean(ratios)) if ratios else None


def phase_deg(t_s: np.ndarray, hr_bpm: np.ndarray, volume: np.ndarray, freq_hz: float) -> float:
    """Phase of heart rate against the breathing curve at ``freq_hz``, in degrees (-180, 180].

    Both series are projected (Hann-tapered) on ``exp(-2 pi i f t)``; the phase is the angle of the
    heart-rate component minus that of the breathing component. 0 means heart rate peaks with full
    lungs; positive means heart rate leads. Only the fundamental counts, so an uneven 4:6 breath
    has the phase of its best-fitting sine.

    Args:
        t_s: Evenly spaced sample times shared by both series.
        hr_bpm: Heart rate at ``t_s``.
        volume: Lung volume (or any breathing curve, larger = fuller) at ``t_s``.
        freq_hz: The pacing frequency.
    """
    taper = np.hanning(t_s.size)
    basis = np.exp(-2j * np.pi * freq_hz * t_s) * taper
    z_hr = np.sum((hr_bpm - hr_bpm.mean()) * basis)
    z_vol = np.sum((volume - volume.mean()) * basis)
    angle = math.degrees(float(np.angle(z_hr * np.conj(z_vol))))
    return 180.0 if angle <= -180.0 else angle


def cycle_starts(pacer: Pacer, start_s: float, end_s: float) -> list[float]:
    """Times in ``[start_s, end_s]`` at which the pacer begins a breath (lungs empty)."""
    segments = pacer.segments()
    starts: list[float] = []
    for i, (seg_t_s, pattern) in enumerate(segments):
        seg_end_s = segments[i + 1][0] if i + 1 < len(segments) else math.inf
        lo, hi = max(seg_t_s, start_s), min(seg_end_s, end_s)
        if lo > hi:
            continue
        # within one segment the breath count grows linearly: solve for each whole breath
        b0 = pacer.breaths(lo) if lo < seg_end_s else pacer.breaths(lo - 1e-9)
        k = math.ceil(b0 - 1e-9)
        while True:
            t = max(lo, lo + (k - b0) * pattern.period_s)  # never before lo by rounding
            if t > hi or (t >= seg_end_s and i + 1 < len(segments)):
                break
            if not starts or t - starts[-1] > 1e-6:  # a segment boundary on a whole breath
                starts.append(t)
            k += 1
    return starts


# --------------------------------------------------------------------------------------------
# Per-step score
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StepScore:
    """How the heart responded at one paced rate.

    Attributes:
        index: Step index in the protocol.
        rate_bpm: Paced rate (breaths/min).
        scored_s: Seconds of the step that were scored (after the settle period).
        beats: Beats in the scored window.
        artifacts: Intervals replaced by artifact correction.
        usable: Enough clean signal to judge this rate.
        peak_trough_bpm: Mean peak-to-trough heart rate per breath.
        lf_ms2: LF power (0.04-0.15 Hz) of RR.
        lf_peak_hz: Frequency of the highest LF point.
        lf_peak_ms2_hz: Height of that point.
        follows_pacer: The LF peak lies at the paced rate.
        phase_deg: Heart rate against the pacer's breathing curve (``None`` without a pacer).
        coherence: HeartMath coherence ratio.
        mean_hr_bpm: Mean heart rate.
        note: Why a step is not usable, or other caveats.
    """

    index: int
    rate_bpm: float
    scored_s: float
    beats: int
    artifacts: int
    usable: bool
    peak_trough_bpm: float | None = None
    lf_ms2: float | None = None
    lf_peak_hz: float | None = None
    lf_peak_ms2_hz: float | None = None
    follows_pacer: bool | None = None
    phase_deg: float | None = None
    coherence: float | None = None
    mean_hr_bpm: float | None = None
    note: str = ""

    @property
    def lf_peak_bpm(self) -> float | None:
        """The LF peak in cycles per minute (comparable with ``rate_bpm``)."""
        return None if self.lf_peak_hz is None else self.lf_peak_hz * 60.0

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.index,
            "rate_bpm": self.rate_bpm,
            "peak_trough_bpm": _round(self.peak_trough_bpm, 2),
            "lf_ms2": _round(self.lf_ms2, 1),
            "lf_peak_hz": _round(self.lf_peak_hz, 4),
            "lf_peak_ms2_hz": _round(self.lf_peak_ms2_hz, 1),
            "follows_pacer": self.follows_pacer,
            "phase_deg": _round(self.phase_deg, 1),
            "coherence": _round(self.coherence, 3),
            "mean_hr_bpm": _round(self.mean_hr_bpm, 1),
            "beats": self.beats,
            "artifacts": self.artifacts,
            "scored_s": round(self.scored_s, 1),
            "usable": self.usable,
            "note": self.note,
        }


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def score_step(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    step: AssessmentStep,
    *,
    pacer: Pacer | None = None,
) -> StepScore:
    """Score one step from the beats of the whole recording.

    Args:
        t_s: Beat times (session seconds), rising.
        rr_ms: RR intervals ending at those beats (uncorrected: artifacts are handled here).
        step: The step to score; only beats in ``[step.scored_start_s, step.end_s]`` count.
        pacer: The pacer that paced the step; without one (a recording made with another app)
            cycles are taken as even periods of the step's rate from the window start and no phase
            is given, since the breathing curve is unknown.
    """
    t_all = np.asarray(t_s, dtype=np.float64)
    rr_all = np.asarray(rr_ms, dtype=np.float64)
    lo, hi = step.scored_start_s, step.end_s
    # one beat of margin either side so interpolation covers the window's edges
    first = max(int(np.searchsorted(t_all, lo, "left")) - 1, 0)
    last = min(int(np.searchsorted(t_all, hi, "right")) + 1, t_all.size)
    t_w, rr_w = t_all[first:last], rr_all[first:last]
    inside = (t_w >= lo) & (t_w <= hi)
    n_inside = int(inside.sum())
    scored_s = max(hi - lo, 0.0)
    base = partial(
        StepScore, index=step.index, rate_bpm=step.rate_bpm, scored_s=scored_s, beats=n_inside
    )
    if n_inside < 20 or scored_s <= 0:
        return base(
            artifacts=0,
            usable=False,
            note=f"only {n_inside} beats in the scored part of the step",
        )
    spacing = np.diff(t_w[inside])
    covered_s = float(spacing[spacing <= MAX_BEAT_SPACING_S].sum())
    coverage = covered_s / scored_s
    clean = correct_artifacts(t_w, rr_w)
    artifacts = clean.corrected
    if coverage < MIN_COVERAGE:
        return base(
            artifacts=artifacts,
            usable=False,
            note=f"signal lost for {scored_s - covered_s:.0f} s of {scored_s:.0f} s",
        )
    t_mid, hr = hr_at_beats(clean.t_s, clean.rr_ms)
    grid, hr_even = resample(t_mid, hr, start_s=lo, end_s=hi)
    if pacer is not None:
        cycles = cycle_starts(pacer, lo, hi)
    else:
        period = 60.0 / step.rate_bpm
        cycles = list(np.arange(lo, hi + 1e-9, period))
    ptt = peak_to_trough_bpm(grid, hr_even, cycles)
    spectrum = step_spectrum(t_mid, clean.rr_ms, start_s=lo, end_s=hi)
    lf, peak_hz, peak_density = spectrum.lf_ms2, spectrum.lf_peak_hz, spectrum.lf_peak_ms2_hz
    tolerance = max(FOLLOW_TOLERANCE_HZ, spectrum.resolution_hz)
    follows = abs(peak_hz - step.freq_hz) <= tolerance
    phase = None
    if pacer is not None:
        volume = np.array([pacer.volume(float(t)) for t in grid])
        phase = phase_deg(grid, hr_even, volume, step.freq_hz)
    notes = []
    if artifacts:
        notes.append(f"{artifacts} beat{'' if artifacts == 1 else 's'} corrected")
    if not follows:
        notes.append(f"LF peak at {peak_hz * 60:.1f}/min, not at the paced rate")
    return base(
        artifacts=artifacts,
        usable=ptt is not None,
        peak_trough_bpm=ptt,
        lf_ms2=lf,
        lf_peak_hz=peak_hz,
        lf_peak_ms2_hz=peak_density,
        follows_pacer=follows,
        phase_deg=phase,
        coherence=mean_coherence(clean.t_s, clean.rr_ms, start_s=lo, end_s=hi),
        mean_hr_bpm=float(np.mean(hr_even)) if hr_even.size else None,
        note="; ".join(notes) if ptt is not None else "no whole breath cycle to measure",
    )


# --------------------------------------------------------------------------------------------
# Choosing the rate
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AssessmentResult:
    """The outcome of an assessment.

    Attributes:
        steps: Every step's score, in protocol order.
        scores: Combined score per step (0..1, same order; 0 for unusable steps).
        resonance_bpm: The rate to practise at, or ``None`` when no rate stands out.
        best_bpm: The highest-scoring rate, even when the call is ``none``.
        confidence: ``"clear"``, ``"close"`` or ``"none"``.
        reason: One sentence saying why.
        runner_up_bpm: The second-best rate, when there is one.
    """

    steps: tuple[StepScore, ...]
    scores: tuple[float, ...]
    resonance_bpm: float | None
    best_bpm: float | None
    confidence: str
    reason: str
    runner_up_bpm: float | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self, *, recording: str | None = None) -> dict[str, object]:
        """The ``--json`` shape: ``steps``, ``resonance_bpm``, ``confidence``, ``reason``, ..."""
        steps = []
        for step, score in zip(self.steps, self.scores, strict=True):
            item = step.to_json()
            item["score"] = round(score, 3)
            steps.append(item)
        return {
            "steps": steps,
            "resonance_bpm": self.resonance_bpm,
            "best_bpm": self.best_bpm,
            "runner_up_bpm": self.runner_up_bpm,
            "confidence": self.confidence,
            "reason": self.reason,
            "recording": recording,
            **self.extra,
        }


def _normalised(values: list[float | None]) -> list[float]:
    """Each value over the largest (0 for missing); all zeros when nothing is positive."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    top = max(finite) if finite else 0.0
    if top <= 0:
        return [0.0] * len(values)
    return [
        (min(v, top) / top if v is not None and math.isfinite(v) and v > 0 else 0.0) for v in values
    ]


def combined_scores(steps: Sequence[StepScore]) -> list[float]:
    """One score in 0..1 per step (0 for unusable ones), weighted as in :data:`WEIGHTS`.

    Amplitude-like criteria are divided by the best step's value, so the best step gets 1 and
    a step with half the swing gets 0.5: unlike ranks, this keeps a flat response flat. Phase
    scores ``(1 + cos phase) / 2``: 1 in phase, 0 in antiphase. Criteria that no step has
    (phase without a pacer) are left out and the weights of the rest renormalised.
    """
    usable = [s if s.usable else None for s in steps]
    columns: dict[str, list[float]] = {
        "peak_trough": _normalised([s.peak_trough_bpm if s else None for s in usable]),
        "lf_power": _normalised([s.lf_ms2 if s else None for s in usable]),
        "lf_peak": _normalised([s.lf_peak_ms2_hz if s else None for s in usable]),
        "coherence": _normalised([s.coherence if s else None for s in usable]),
    }
    weights = dict(WEIGHTS)
    if any(s is not None and s.phase_deg is not None for s in usable):
        columns["phase"] = [
            (1.0 + math.cos(math.radians(s.phase_deg))) / 2.0
            if s is not None and s.phase_deg is not None
            else 0.0
            for s in usable
        ]
    else:
        weights.pop("phase")
    total_weight = sum(weights.values())
    scores = []
    for i, s in enumerate(usable):
        if s is None:
            scores.append(0.0)
            continue
        value = sum(weights[k] * columns[k][i] for k in weights) / total_weight
        if s.follows_pacer is False:
            value *= NOT_FOLLOWING_FACTOR
        scores.append(value)
    return scores


def _spread(values: Sequence[float]) -> float:
    low = min(values)
    return max(values) / low if low > 0 else float("inf")


def choose_resonance(steps: Sequence[StepScore]) -> AssessmentResult:
    """Pick the resonance rate from scored steps and say how sure the pick is.

    - ``none`` when fewer than two steps are usable, or the response is flat: peak-to-trough
      swings within :data:`FLAT_PEAK_TROUGH_RATIO` of each other and LF power within
      :data:`FLAT_LF_RATIO`, or every rate's combined score at least :data:`FLAT_SCORE_RATIO` of
      the best. ``resonance_bpm`` is then ``None``: nothing justifies moving away from the usual
      pace.
    - ``close`` when the runner-up's combined score is within :data:`CLOSE_MARGIN` of the
      winner's.
    - ``clear`` otherwise.
    """
    steps = tuple(steps)
    scores = combined_scores(steps)
    usable = [i for i, s in enumerate(steps) if s.usable]
    if not usable:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            None,
            "none",
            "No step had enough clean signal to judge; check the strap's "
            "contact and run the assessment again.",
        )
    order = sorted(usable, key=lambda i: (-scores[i], steps[i].index))
    best = steps[order[0]]
    second = steps[order[1]] if len(order) > 1 else None
    if second is None:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            best.rate_bpm,
            "none",
            f"Only {best.rate_bpm:.1f} breaths/min had enough clean signal, so "
            "there is nothing to compare it with.",
        )
    swings = [steps[i].peak_trough_bpm or 0.0 for i in usable]
    powers = [steps[i].lf_ms2 or 0.0 for i in usable]
    edge = ""
    rates = [steps[i].rate_bpm for i in usable]
    if best.rate_bpm in (min(rates), max(rates)) and len(rates) > 2:
        edge = " It is the end of the range tested, so your resonance may lie beyond it."
    if _spread(swings) < FLAT_PEAK_TROUGH_RATIO and _spread(powers) < FLAT_LF_RATIO:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            best.rate_bpm,
            "none",
            f"Heart-rate swings were about the same at every rate ({min(swings):.1f}-"
            f"{max(swings):.1f} bpm peak to trough), so no rate stands out; keep your usual pace.",
            runner_up_bpm=second.rate_bpm,
        )
    weakest = min(scores[i] for i in usable)
    if weakest >= FLAT_SCORE_RATIO * scores[order[0]]:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            best.rate_bpm,
            "none",
            f"Every rate scored within {100 * (1 - FLAT_SCORE_RATIO):.0f}% of the best "
            f"({weakest:.2f}-{scores[order[0]]:.2f}), so no rate stands out; keep your usual "
            "pace.",
            runner_up_bpm=second.rate_bpm,
        )
    gap = scores[order[0]] - scores[order[1]]
    if gap < CLOSE_MARGIN:
        return AssessmentResult(
            steps,
            tuple(scores),
            best.rate_bpm,
            best.rate_bpm,
            "close",
            f"{best.rate_bpm:.1f} and {second.rate_bpm:.1f} breaths/min responded almost equally "
            f"(scores {scores[order[0]]:.2f} and {scores[order[1]]:.2f}); {best.rate_bpm:.1f} "
            f"had the edge, and either is a good pace to practise.{edge}",
            runner_up_bpm=second.rate_bpm,
        )
    assert best.peak_trough_bpm is not None
    assert best.lf_ms2 is not None
    return AssessmentResult(
        steps,
        tuple(scores),
        best.rate_bpm,
        best.rate_bpm,
        "clear",
        f"{best.rate_bpm:.1f} breaths/min gave the largest response "
        f"({best.peak_trough_bpm:.1f} bpm peak to trough, LF {best.lf_ms2:.0f} ms²), "
        f"clearly ahead of {second.rate_bpm:.1f} "
        f"(score {scores[order[0]]:.2f} against {scores[order[1]]:.2f}).{edge}",
        runner_up_bpm=second.rate_bpm,
    )


@dataclass(frozen=True)
class AssessmentOutcome:
    """What a guided view shows at the end of an assessment.

    Attributes:
        result: The scored assessment, or ``None`` when it could not be scored.
        pace_note: One sentence on the default practice pace: now this rate, or why it stays.
        problem: Why there is no result (too few steps completed ...); empty when there is one.
        recording: Where the assessment was recorded, as text, if it was.
        simulated: The simulator produced the beats: the rate is the simulated person's.
    """

    result: AssessmentResult | None
    pace_note: str = ""
    problem: str = ""
    recording: str | None = None
    simulated: bool = False


def assess_beats(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    steps: Sequence[AssessmentStep],
    *,
    pacer: Pacer | None = None,
) -> AssessmentResult:
    """Score every step of one recording and choose the rate."""
    return choose_resonance([score_step(t_s, rr_ms, step, pacer=pacer) for step in steps])
