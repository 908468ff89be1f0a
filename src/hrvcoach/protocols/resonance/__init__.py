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

Everything here takes numbers and returns numbers: no clocks, files or devices. The modules:
:mod:`.plan` (steps, marks, pacer), :mod:`.criteria` (each criterion), :mod:`.scoring` (one
step) and :mod:`.choice` (the rate and its confidence).
"""

from __future__ import annotations

from hrvcoach.protocols.phases import (
    ProtocolProgress,
    progress_at,
)
from hrvcoach.protocols.resonance.choice import (
    CLOSE_MARGIN,
    CONFIDENCES,
    FLAT_LF_RATIO,
    FLAT_PEAK_TROUGH_RATIO,
    FLAT_SCORE_RATIO,
    NOT_FOLLOWING_FACTOR,
    WEIGHTS,
    AssessmentOutcome,
    AssessmentResult,
    assess_beats,
    choose_resonance,
    combined_scores,
)
from hrvcoach.protocols.resonance.criteria import (
    COHERENCE_STEP_S,
    COHERENCE_WINDOW_S,
    LF_BAND_HZ,
    StepSpectrum,
    cycle_starts,
    mean_coherence,
    peak_to_trough_bpm,
    phase_deg,
    step_spectrum,
)
from hrvcoach.protocols.resonance.plan import (
    DEFAULT_RATES_BPM,
    DEFAULT_SETTLE_S,
    DEFAULT_STEP_S,
    MIN_SCORED_S,
    AssessmentStep,
    plan_steps,
    protocol_pacer,
    steps_from_marks,
)
from hrvcoach.protocols.resonance.scoring import (
    FOLLOW_TOLERANCE_HZ,
    MIN_COVERAGE,
    StepScore,
    score_step,
)
from hrvcoach.protocols.signals import (
    MAX_BEAT_SPACING_S,
    RESAMPLE_HZ,
    CleanRr,
    correct_artifacts,
    hr_at_beats,
    resample,
)

__all__ = [
    "CLOSE_MARGIN",
    "COHERENCE_STEP_S",
    "COHERENCE_WINDOW_S",
    "CONFIDENCES",
    "DEFAULT_RATES_BPM",
    "DEFAULT_SETTLE_S",
    "DEFAULT_STEP_S",
    "FLAT_LF_RATIO",
    "FLAT_PEAK_TROUGH_RATIO",
    "FLAT_SCORE_RATIO",
    "FOLLOW_TOLERANCE_HZ",
    "LF_BAND_HZ",
    "MAX_BEAT_SPACING_S",
    "MIN_COVERAGE",
    "MIN_SCORED_S",
    "NOT_FOLLOWING_FACTOR",
    "RESAMPLE_HZ",
    "WEIGHTS",
    "AssessmentOutcome",
    "AssessmentResult",
    "AssessmentStep",
    "CleanRr",
    "ProtocolProgress",
    "StepScore",
    "StepSpectrum",
    "assess_beats",
    "choose_resonance",
    "combined_scores",
    "correct_artifacts",
    "cycle_starts",
    "hr_at_beats",
    "mean_coherence",
    "peak_to_trough_bpm",
    "phase_deg",
    "plan_steps",
    "progress_at",
    "protocol_pacer",
    "resample",
    "score_step",
    "step_spectrum",
    "steps_from_marks",
]
