"""The assessment's plan: one step per paced rate, its settle period, its mark, its pacer.

Pure: numbers in, numbers out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hrvcoach.beats import Mark
from hrvcoach.errors import UsageError
from hrvcoach.pacer import MAX_RATE_BPM, MIN_RATE_BPM, BreathPattern, Pacer
from hrvcoach.protocols.phases import parse_mark_fields

DEFAULT_RATES_BPM: tuple[float, ...] = (6.5, 6.0, 5.5, 5.0, 4.5)
DEFAULT_STEP_S = 120.0
DEFAULT_SETTLE_S = 20.0
#: a step must leave at least this much scored time after its settle period
MIN_SCORED_S = 30.0


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
        values = parse_mark_fields(mark.text)
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
