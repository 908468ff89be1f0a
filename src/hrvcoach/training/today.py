"""One day at a glance: goal, minutes practised, streak, level, next session, personal bests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hrvcoach.training.history import (
    Basis,
    PersonalBests,
    SessionFacts,
    basis,
    personal_bests,
    streak_days,
    until,
)
from hrvcoach.training.levels import LevelSet, LevelState, level_state
from hrvcoach.training.plan import PlanState, plan_for
from hrvcoach.training.rules import DEFAULT_RULES, TrainingRules


@dataclass(frozen=True, slots=True)
class Today:
    """What ``hrvcoach today`` and the window's Today panel show.

    Attributes:
        date: The day.
        goal_minutes: Its goal.
        practised_minutes: Counted minutes practised that day.
        sessions: Counted sessions that day.
        streak_days: See :func:`hrvcoach.training.history.streak_days`.
        level: The level for the next session.
        level_progress: Progress toward the next level, in words.
        plan: The next session's plan.
        personal_bests: Over the sessions up to that day.
        simulated_only: The numbers come from simulated sessions (no real one yet).
        left_out_simulated: Simulated sessions left out.
    """

    date: date
    goal_minutes: float
    practised_minutes: float
    sessions: int
    streak_days: int
    level: int
    level_progress: str
    plan: PlanState
    personal_bests: PersonalBests
    simulated_only: bool
    left_out_simulated: int
    level_state: LevelState

    @property
    def goal_met(self) -> bool:
        return self.practised_minutes >= self.goal_minutes

    @property
    def goal_fraction(self) -> float:
        """Share of the goal done, 0 to 1 (for a ring or a bar)."""
        if self.goal_minutes <= 0:
            return 1.0
        return max(0.0, min(1.0, self.practised_minutes / self.goal_minutes))

    def note(self) -> str | None:
        if self.simulated_only:
            return "No session with a strap yet: these numbers come from simulated sessions."
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "goal_minutes": self.goal_minutes,
            "practised_minutes": round(self.practised_minutes, 1),
            "sessions": self.sessions,
            "streak_days": self.streak_days,
            "level": self.level,
            "next_session": {"minutes": self.plan.minutes, "pace_bpm": self.plan.pace_bpm},
            "personal_bests": self.personal_bests.to_json(),
            "goal_met": self.goal_met,
            "level_progress": self.level_progress,
            "simulated_only": self.simulated_only,
            "simulated_left_out": self.left_out_simulated,
        }


def today(
    history: Iterable[SessionFacts],
    on: date,
    *,
    goal_minutes: float | None = None,
    pace_bpm: float | None = None,
    pace_source: str = "default",
    manual_level: LevelSet | None = None,
    rules: TrainingRules = DEFAULT_RULES,
    used: Basis | None = None,
) -> Today:
    """The day ``on`` as the training rules see it (sessions after that day are ignored)."""
    chosen = used if used is not None else basis(history, rules=rules)
    sessions = until(chosen.sessions, on)
    on_day = [f for f in sessions if f.day == on]
    goal = rules.goal_minutes if goal_minutes is None else goal_minutes
    manual = manual_level if manual_level is not None and manual_level.at.date() <= on else None
    levels = level_state(sessions, manual=manual, rules=rules)
    return Today(
        date=on,
        goal_minutes=goal,
        practised_minutes=sum(f.minutes for f in on_day),
        sessions=len(on_day),
        streak_days=streak_days((f.day for f in sessions), on),
        level=levels.level,
        level_progress=levels.progress_text(),
        plan=plan_for(
            sessions, on, goal_minutes=goal, pace_bpm=pace_bpm, pace_source=pace_source, rules=rules
        ),
        personal_bests=personal_bests(sessions),
        simulated_only=chosen.simulated_only,
        left_out_simulated=chosen.left_out_simulated,
        level_state=levels,
    )
