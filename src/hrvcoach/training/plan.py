"""The daily goal and the plan that grows: the next session's length and pace, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hrvcoach.training.history import SessionFacts, minutes_by_day
from hrvcoach.training.rules import DEFAULT_RULES, TrainingRules


@dataclass(frozen=True, slots=True)
class PlanState:
    """The plan for the next session.

    Attributes:
        minutes: Planned session length.
        pace_bpm: Planned pace (from the last assessment, else the default).
        pace_source: Where the pace came from.
        goal_minutes: The daily goal.
        goal_days: Days on which the goal was met, in all.
        toward_step: Goal days since the last step (of ``goal_days_per_step``).
        goal_days_per_step: Goal days that add a step.
        eased_back: Steps taken back after missed days, in all.
        at_max: The planned length is at its ceiling.
        reasons: The plan's story in short sentences, for ``hrvcoach plan``.
    """

    minutes: float
    pace_bpm: float
    pace_source: str
    goal_minutes: float
    goal_days: int
    toward_step: int
    goal_days_per_step: int
    eased_back: int
    at_max: bool
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "goal_minutes": self.goal_minutes,
            "next_session": {"minutes": self.minutes, "pace_bpm": self.pace_bpm},
            "pace_source": self.pace_source,
            "goal_days": self.goal_days,
            "goal_days_toward_next_step": self.toward_step,
            "goal_days_per_step": self.goal_days_per_step,
            "eased_back": self.eased_back,
            "at_max": self.at_max,
            "reasons": list(self.reasons),
        }


def plan_for(
    sessions: Sequence[SessionFacts],
    on: date,
    *,
    goal_minutes: float | None = None,
    pace_bpm: float | None = None,
    pace_source: str = "default",
    rules: TrainingRules = DEFAULT_RULES,
) -> PlanState:
    """The plan for the next session on ``on``, from the counted sessions up to that day.

    From the first day practised, each day on which the goal was met counts toward a step; every
    ``goal_days_per_step`` such days add ``step_minutes`` (up to ``max_minutes``). Every run of
    ``ease_after_missed_days`` days without practice (days before ``on``: that day is not over)
    takes one step back (never below ``start_minutes``) and starts the count toward the next step
    afresh.

    Args:
        sessions: Counted sessions (see :func:`hrvcoach.training.history.basis`).
        on: The day the plan is for.
        goal_minutes: The daily goal (default ``rules.goal_minutes``).
        pace_bpm: Pace from the last assessment, if any (else ``rules.default_pace_bpm``).
        pace_source: Where ``pace_bpm`` came from, for the reasons.
        rules: The numbers.
    """
    goal = rules.goal_minutes if goal_minutes is None else goal_minutes
    pace = rules.default_pace_bpm if pace_bpm is None else pace_bpm
    days = minutes_by_day(f for f in sessions if f.day <= on)
    minutes = rules.start_minutes
    goal_days = toward = eased = missed = 0
    reasons: list[str] = []
    if days:
        day = min(days)
        while day <= on:
            practised = days.get(day, 0.0)
            if practised > 0:
                missed = 0
                if practised >= goal:
                    goal_days += 1
                    toward += 1
                    if toward >= rules.goal_days_per_step:
                        toward = 0
                        if minutes < rules.max_minutes:
                            minutes = min(rules.max_minutes, minutes + rules.step_minutes)
            elif day < on:
                missed += 1
                if missed >= rules.ease_after_missed_days:
                    missed = 0
                    toward = 0
                    if minutes > rules.start_minutes:
                        minutes = max(rules.start_minutes, minutes - rules.step_minutes)
                        eased += 1
            day += timedelta(days=1)
    reasons.append(f"Daily goal: {goal:g} minutes.")
    if not days:
        reasons.append(f"A first plan: {minutes:g}-minute sessions to start.")
    else:
        reasons.append(
            f"Goal met on {goal_days} day(s); every {rules.goal_days_per_step} such days add "
            f"{rules.step_minutes:g} minute (from {rules.start_minutes:g}, up to "
            f"{rules.max_minutes:g})."
        )
        if eased:
            reasons.append(
                f"Eased back {eased} step(s) after {rules.ease_after_missed_days} days without "
                "practice: an easy way back in."
            )
    at_max = minutes >= rules.max_minutes
    if at_max:
        reasons.append(f"At the longest planned session, {rules.max_minutes:g} minutes.")
    else:
        reasons.append(
            f"{toward} of {rules.goal_days_per_step} goal days toward "
            f"{minutes + rules.step_minutes:g}-minute sessions."
        )
    reasons.append(f"Pace {pace:g} breaths/min ({pace_source}).")
    return PlanState(
        minutes=minutes,
        pace_bpm=pace,
        pace_source=pace_source,
        goal_minutes=goal,
        goal_days=goal_days,
        toward_step=toward,
        goal_days_per_step=rules.goal_days_per_step,
        eased_back=eased,
        at_max=at_max,
        reasons=tuple(reasons),
    )


def goal_met_days(sessions: Sequence[SessionFacts], goal_minutes: float) -> dict[date, bool]:
    """For each day practised: whether its counted minutes reached the goal."""
    return {day: m >= goal_minutes for day, m in sorted(minutes_by_day(sessions).items())}
