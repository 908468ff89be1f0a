"""The capacity protocols' plans and what a guided view says in each phase.

The resting check, the deep-breathing test and the recovery drill are rows of
:class:`~hrvcoach.protocols.phases.Phase`. :func:`phase_guide` says, for any session time, which
phase is under way, its countdown and what to do now, in the same words for the window and the
terminal. For a mental activation it gives the serial-7 task to show on screen.

Pure: numbers in, values out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hrvcoach.errors import UsageError
from hrvcoach.protocols import deep_breathing, recovery, resting
from hrvcoach.protocols.phases import Phase, plan_phases, progress_at
from hrvcoach.protocols.resonance.choice import AssessmentOutcome

#: serial sevens: a new starting number every this many seconds keeps the task going
SERIAL7_EVERY_S = 30.0
SERIAL7_STARTS = (1000, 913, 847, 792, 731, 684, 622, 577)


def resting_plan(
    *, minutes: float = resting.DEFAULT_MINUTES, settle_s: float = resting.DEFAULT_SETTLE_S
) -> tuple[Phase, ...]:
    """One resting phase: ``settle_s`` to settle, then ``minutes`` scored.

    Raises:
        UsageError: ``minutes`` outside 1-5 or a negative settle period.
    """
    if not (math.isfinite(minutes) and resting.MIN_MINUTES <= minutes <= resting.MAX_MINUTES):
        raise UsageError(
            f"--minutes must be {resting.MIN_MINUTES:g}-{resting.MAX_MINUTES:g} for a check"
        )
    if not (math.isfinite(settle_s) and settle_s >= 0):
        raise UsageError("the settle period cannot be negative")
    return plan_phases([("rest", settle_s + minutes * 60.0, settle_s)])


def deep_breathing_plan(*, settle_s: float = deep_breathing.DEFAULT_SETTLE_S) -> tuple[Phase, ...]:
    """Pacing at 6 breaths/min throughout: ``settle_s`` to find the rhythm, then six breaths."""
    if not (math.isfinite(settle_s) and settle_s >= 0):
        raise UsageError("the settle period cannot be negative")
    scored = deep_breathing.BREATHS * (deep_breathing.IN_S + deep_breathing.OUT_S)
    return plan_phases(
        [("paced", settle_s + scored, settle_s)], pace_bpm={"paced": deep_breathing.PACE_BPM}
    )


def recovery_plan(
    *,
    activation: str = "physical",
    recover_with: str = "natural",
    pace_bpm: float = 6.0,
    baseline_s: float = recovery.BASELINE_S,
    recovery_s: float = recovery.RECOVERY_S,
    activation_s: float | None = None,
) -> tuple[Phase, ...]:
    """Baseline, activation, recovery (the resonance pacer in the recovery with ``pacer``).

    Raises:
        UsageError: An unknown activation or recovery mode.
    """
    if activation not in recovery.ACTIVATIONS:
        raise UsageError(f"--activation must be one of {', '.join(recovery.ACTIVATIONS)}")
    if recover_with not in recovery.RECOVER_WITH:
        raise UsageError(f"--recover-with must be one of {', '.join(recovery.RECOVER_WITH)}")
    if activation_s is None:
        activation_s = recovery.PHYSICAL_S if activation == "physical" else recovery.MENTAL_S
    paces = {"recovery": pace_bpm} if recover_with == "pacer" else {}
    return plan_phases(
        [
            ("baseline", baseline_s, recovery.BASELINE_SETTLE_S),
            ("activation", activation_s, 0.0),
            ("recovery", recovery_s, 0.0),
        ],
        pace_bpm=paces,
        task=activation,
    )


def serial7(elapsed_s: float) -> tuple[int, str]:
    """The serial-7 task ``elapsed_s`` into a mental activation: the number to start from, and
    the words to show."""
    k = max(0, int(elapsed_s // SERIAL7_EVERY_S)) % len(SERIAL7_STARTS)
    start = SERIAL7_STARTS[k]
    return start, f"From {start}, count down in sevens: {start}, {start - 7}, …"


PHASE_TITLES = {
    "rest": "Resting check",
    "paced": "Deep breathing",
    "baseline": "Baseline",
    "activation": "Activation",
    "recovery": "Recovery",
}


@dataclass(frozen=True)
class PhaseGuide:
    """What a guided view shows at one moment of a capacity protocol.

    Attributes:
        title: The phase, e.g. ``"Activation · 2 of 3"``.
        instruction: What to do now, one sentence.
        countdown_s: Seconds left in the phase (0 before and after).
        settling: In the settle period (not scored yet).
        task: A task to show large on screen (the serial-7 prompt), else empty.
        next_text: What comes next, announced in the phase's last seconds.
        index: The phase under way (``-1`` before, ``len(phases)`` after).
        fraction: How far through the phase (0..1).
        done: The protocol is over.
    """

    title: str
    instruction: str
    countdown_s: float
    settling: bool
    task: str
    next_text: str
    index: int
    fraction: float
    done: bool


ANNOUNCE_NEXT_S = 10.0


def _instruction(phase: Phase, elapsed_s: float, settling: bool) -> tuple[str, str]:
    if phase.name == "rest":
        if settling:
            return "Sit still and breathe naturally; settling in, not scored yet.", ""
        return "Sit still and breathe naturally; no need to follow any rhythm.", ""
    if phase.name == "paced":
        if settling:
            return "Breathe with the pacer, 5 s in and 5 s out: finding the rhythm.", ""
        return "Breathe deeply with the pacer, 5 s in and 5 s out: six full breaths.", ""
    if phase.name == "baseline":
        return "Sit and breathe naturally: this is your baseline.", ""
    if phase.name == "activation":
        if phase.task == "mental":
            _, words = serial7(elapsed_s)
            return "Subtract 7 aloud, again and again, as quickly as you can.", words
        return "Physical activation: squats or stair steps at a steady, brisk pace.", ""
    if phase.name == "recovery":
        if phase.pace_bpm is not None:
            return f"Sit down and breathe with the pacer ({phase.pace_bpm:g}/min).", ""
        return "Sit down and breathe naturally; let your heart settle on its own.", ""
    return "", ""


def _next_words(phase: Phase) -> str:
    return PHASE_TITLES.get(phase.name, phase.name)


def phase_guide(phases: Sequence[Phase], t_s: float, *, paused: bool = False) -> PhaseGuide:
    """The guide at session time ``t_s`` (pure: tests call it with any time)."""
    plan = tuple(phases)
    progress = progress_at(plan, t_s)
    n = len(plan)
    if progress.done:
        return PhaseGuide("All done", "Scoring…", 0.0, False, "", "", n, 1.0, True)
    phase = progress.step
    if phase is None:
        first = plan[0] if plan else None
        words = "" if first is None else f"First: {_next_words(first).lower()}."
        return PhaseGuide("Get ready", words, 0.0, False, "", "", -1, 0.0, False)
    elapsed = t_s - phase.start_s
    instruction, task = _instruction(phase, elapsed, progress.settling)
    if paused:
        instruction = "Paused: the phase's time goes on; resume soon for a clean reading."
    following = progress.next_step
    next_text = ""
    if following is not None and progress.step_left_s <= ANNOUNCE_NEXT_S:
        next_text = f"Next: {_next_words(following).lower()}"
        if following.name == "activation":
            next_text += " (get ready to stand up)" if following.task == "physical" else ""
    title = PHASE_TITLES.get(phase.name, phase.name)
    if n > 1:
        title += f"  ·  {phase.index + 1} of {n}"
    fraction = min(1.0, max(0.0, elapsed / phase.duration_s)) if phase.duration_s > 0 else 0.0
    return PhaseGuide(
        title,
        instruction,
        progress.step_left_s,
        progress.settling,
        task,
        next_text,
        phase.index,
        fraction,
        False,
    )


def format_phase_line(phases: Sequence[Phase], t_s: float, *, ended: bool = False) -> str:
    """The terminal's phase line, e.g. ``"Activation · 2 of 3 · 0:42 left · squats ..."``."""
    guide = phase_guide(phases, t_s)
    if ended and not guide.done:
        return f"{guide.title} · stopped"
    if guide.done:
        return "all phases done · scoring…"
    total = max(0, math.ceil(guide.countdown_s - 1e-6))
    parts = [guide.title.replace("  ·  ", " · "), f"{total // 60}:{total % 60:02d} left"]
    if guide.task:
        parts.append(guide.task)
    elif guide.instruction:
        parts.append(guide.instruction)
    if guide.next_text:
        parts.append(guide.next_text)
    return " · ".join(parts)


@dataclass(frozen=True)
class CapacityOutcome(AssessmentOutcome):
    """What the window shows at the end of a capacity protocol: a headline and a few lines.

    It is an :class:`~hrvcoach.protocols.resonance.AssessmentOutcome` without an assessment
    result, so the window's end page takes it as it takes an assessment's.
    """

    headline: str = ""
    lines: tuple[str, ...] = ()
