"""Challenge levels: up after a run of sessions mostly in the high zone, down after a run
mostly in the low zone, or set by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hrvcoach.training.history import SessionFacts
from hrvcoach.training.rules import DEFAULT_RULES, TrainingRules


@dataclass(frozen=True, slots=True)
class LevelSet:
    """The person set their level by hand at ``at``."""

    at: datetime
    level: int


@dataclass(frozen=True, slots=True)
class LevelChange:
    """One change of level: when, from what, to what and why (``up``, ``down`` or ``by hand``)."""

    at: datetime
    before: int
    after: int
    reason: str


@dataclass(frozen=True, slots=True)
class LevelState:
    """The level in force after a history, and the progress toward the next change.

    Attributes:
        level: The level for the next session.
        toward_up: Qualifying sessions in a row so far (of ``needed_up``).
        needed_up: Sessions in a row that raise the level.
        toward_down: Sessions in a row mostly in the low zone so far (of ``needed_down``).
        needed_down: Sessions in a row that lower it.
        at_top: Already at the highest level.
        changes: Every change of level, oldest first.
        high_pct: The share of the high zone a session needs to qualify.
        min_minutes: The length a session needs to qualify.
    """

    level: int
    toward_up: int
    needed_up: int
    toward_down: int
    needed_down: int
    at_top: bool
    changes: tuple[LevelChange, ...]
    high_pct: float
    min_minutes: float

    def progress_text(self) -> str:
        """How far the next level is, in words (``"2 of 3 sessions at 80 % high"``)."""
        if self.at_top:
            return f"level {self.level}, the top level"
        return (
            f"{self.toward_up} of {self.needed_up} sessions at {self.high_pct:g} % high "
            f"toward level {self.level + 1}"
        )


def qualifies_up(facts: SessionFacts, rules: TrainingRules = DEFAULT_RULES) -> bool:
    """Long enough and with enough of it in the high zone to count toward a level-up."""
    return (
        facts.high_pct is not None
        and facts.minutes >= rules.level_up_min_minutes
        and facts.high_pct >= rules.level_up_high_pct
    )


def mostly_low(facts: SessionFacts, rules: TrainingRules = DEFAULT_RULES) -> bool:
    return facts.low_pct is not None and facts.low_pct > rules.level_down_low_pct


def level_state(
    sessions: Sequence[SessionFacts],
    *,
    manual: LevelSet | None = None,
    rules: TrainingRules = DEFAULT_RULES,
) -> LevelState:
    """Walk the counted sessions in time order and apply the level rules.

    Everything starts at level 1. A level set by hand takes effect at its time and starts both
    runs afresh. Sessions without zones (imports) and sessions whose zones do not count toward
    levels (an assessment, :attr:`SessionFacts.leveled`) neither raise nor lower the level, nor
    break a run. Each change of level starts both runs afresh too.

    Args:
        sessions: Counted sessions (see :func:`hrvcoach.training.history.basis`).
        manual: The latest level set by hand, if any.
        rules: The numbers.
    """
    level = 1
    up = down = 0
    changes: list[LevelChange] = []
    pending = manual
    for facts in sorted(sessions, key=lambda f: f.start):
        if pending is not None and pending.at <= facts.start:
            level, up, down = _by_hand(level, pending, changes, rules)
            pending = None
        if not facts.leveled or (facts.high_pct is None and facts.low_pct is None):
            continue
        up = up + 1 if qualifies_up(facts, rules) else 0
        down = down + 1 if mostly_low(facts, rules) else 0
        if up >= rules.level_up_sessions and level < rules.max_level:
            changes.append(LevelChange(facts.start, level, level + 1, "up"))
            level, up, down = level + 1, 0, 0
        elif down >= rules.level_down_sessions and level > 1:
            changes.append(LevelChange(facts.start, level, level - 1, "down"))
            level, up, down = level - 1, 0, 0
        up = min(up, rules.level_up_sessions)
        down = min(down, rules.level_down_sessions)
    if pending is not None:
        level, up, down = _by_hand(level, pending, changes, rules)
    return LevelState(
        level=level,
        toward_up=up if level < rules.max_level else 0,
        needed_up=rules.level_up_sessions,
        toward_down=down if level > 1 else 0,
        needed_down=rules.level_down_sessions,
        at_top=level >= rules.max_level,
        changes=tuple(changes),
        high_pct=rules.level_up_high_pct,
        min_minutes=rules.level_up_min_minutes,
    )


def _by_hand(
    level: int, manual: LevelSet, changes: list[LevelChange], rules: TrainingRules
) -> tuple[int, int, int]:
    new = rules.clamp_level(manual.level)
    if new != level:
        changes.append(LevelChange(manual.at, level, new, "by hand"))
    return new, 0, 0
