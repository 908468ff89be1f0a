"""Scoring assessments recorded earlier, or paced recordings made in another app.

Takes recordings already read (:class:`hrvcoach.recording.Recording`); reading files is the
command's job. Pure otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hrvcoach.errors import RecordingError
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.protocols.resonance.choice import AssessmentResult, choose_resonance
from hrvcoach.protocols.resonance.plan import MIN_SCORED_S, AssessmentStep, steps_from_marks
from hrvcoach.protocols.resonance.scoring import score_step
from hrvcoach.protocols.signals import trusted_beats

if TYPE_CHECKING:
    from hrvcoach.recording import Recording

log = logging.getLogger(__name__)


def pacer_from_marks(recording: Recording) -> Pacer | None:
    """The pacer a recording was made with, from its ``pace`` marks (or header), if any."""
    plan = [(m.t_s, m.text) for m in recording.marks if m.kind == "pace"]
    if not plan:
        plan = list(recording.meta.pace)
    if not plan:
        return None
    try:
        pacer = Pacer(BreathPattern.parse(plan[0][1]), t0_s=plan[0][0])
        for t_s, label in plan[1:]:
            if t_s >= pacer.segments()[-1][0]:
                pacer.set_pattern(t_s, BreathPattern.parse(label))
    except (ValueError, IndexError):
        return None
    return pacer


def score_assessment_recording(recording: Recording) -> AssessmentResult:
    """Score again an assessment recorded by hrvcoach (its ``step`` marks give the steps).

    Raises:
        RecordingError: Its step marks cannot be read, or there are fewer than two.
    """
    t_s, rr_ms = trusted_beats(recording.beats)
    try:
        steps = steps_from_marks(recording.marks, end_s=recording.duration_s)
    except ValueError as err:
        raise RecordingError(recording.path, str(err)) from None
    if len(steps) < 2:
        raise RecordingError(
            recording.path,
            "has no assessment steps; give one paced recording per rate as RATE=FILE",
        )
    pacer = pacer_from_marks(recording)
    from hrvcoach.breathing.measured import measured_breath

    breath = measured_breath(recording.path, recording.meta.extra, pacer)
    return choose_resonance(
        [score_step(t_s, rr_ms, step, pacer=pacer, breath=breath) for step in steps]
    )


def score_paced_recordings(
    items: Sequence[tuple[float, Recording]], *, settle_s: float
) -> AssessmentResult:
    """Score one paced recording per rate, each a step from its first beat to its last.

    Raises:
        RecordingError: A recording with fewer than 20 usable beats.
    """
    scores = []
    for index, (rate, recording) in enumerate(items):
        t_s, rr_ms = trusted_beats(recording.beats)
        if len(t_s) < 20:
            raise RecordingError(recording.path, f"has only {len(t_s)} usable beats")
        start_s, end_s = t_s[0], t_s[-1]
        settle = min(settle_s, max(0.0, end_s - start_s - MIN_SCORED_S))
        step = AssessmentStep(index, rate, start_s, end_s - start_s, settle)
        pacer = pacer_from_marks(recording)
        if pacer is not None and abs(pacer.rate_at(step.scored_start_s) - rate) > 0.05:
            log.warning(
                "%s was paced at %g, not %g breaths/min; phase not scored",
                recording.path,
                pacer.rate_at(step.scored_start_s),
                rate,
            )
            pacer = None
        scores.append(score_step(t_s, rr_ms, step, pacer=pacer))
    return choose_resonance(scores)
