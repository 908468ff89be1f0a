"""One step of the assessment scored: how the heart responded at one paced rate.

Pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from hrvcoach.pacer import Pacer
from hrvcoach.protocols.resonance.criteria import (
    cycle_starts,
    mean_coherence,
    peak_to_trough_bpm,
    phase_deg,
    step_spectrum,
)
from hrvcoach.protocols.resonance.plan import AssessmentStep
from hrvcoach.protocols.signals import (
    MAX_BEAT_SPACING_S,
    correct_artifacts,
    hr_at_beats,
    resample,
)

#: the LF peak counts as "at the paced rate" within this distance, or one spectral bin of the
#: scored window if that is wider (a 100 s window cannot resolve finer than 0.01 Hz)
FOLLOW_TOLERANCE_HZ = 0.01
#: a silence longer than this between beats is lost signal, not a slow beat
#: a step needs this fraction of its scored window covered by beats to be judged
MIN_COVERAGE = 0.7


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
    breath: Callable[[np.ndarray], np.ndarray | None] | None = None,
) -> StepScore:
    """Score one step from the beats of the whole recording.

    Args:
        t_s: Beat times (session seconds), rising.
        rr_ms: RR intervals ending at those beats (uncorrected: artifacts are handled here).
        step: The step to score; only beats in ``[step.scored_start_s, step.end_s]`` count.
        pacer: The pacer that paced the step; without one (a recording made with another app)
            cycles are taken as even periods of the step's rate from the window start and no phase
            is given, since the breathing curve is unknown.
        breath: The person's measured breath (chest motion) on a time grid, or ``None`` where
            it does not cover it: the phase is then taken against it instead of the pacer.
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
    measured = breath(grid) if breath is not None else None
    if measured is not None:
        phase = phase_deg(grid, hr_even, measured, step.freq_hz)
    elif pacer is not None:
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
