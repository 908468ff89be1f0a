"""Training: challenge levels and coherence zones, the rep (heart-rate swing per breath), a daily
goal with a plan that grows, streaks, and the wins of each session.

Pure core: numbers and dates in, numbers out. No clock, files or Qt; the composition root passes
the history, the settings and the date in. The rules and their defaults are in :mod:`.rules`, and
explained in ``docs/training.md``.
"""

from hrvcoach.training.history import (
    Basis,
    PersonalBests,
    SessionFacts,
    basis,
    counted,
    is_counted,
    minutes_by_day,
    personal_bests,
    streak_days,
)
from hrvcoach.training.levels import LevelChange, LevelSet, LevelState, level_state
from hrvcoach.training.plan import PlanState, goal_met_days, plan_for
from hrvcoach.training.rules import (
    DEFAULT_LEVELS,
    DEFAULT_RULES,
    LevelThresholds,
    TrainingRules,
    Zone,
)
from hrvcoach.training.swing import BreathSwing, SwingSummary, SwingTracker
from hrvcoach.training.today import Today, today
from hrvcoach.training.wins import SessionOutcome, not_counted_reason, session_outcome
from hrvcoach.training.zones import ZoneSummary, ZoneTally, zone_of

__all__ = [
    "DEFAULT_LEVELS",
    "DEFAULT_RULES",
    "Basis",
    "BreathSwing",
    "LevelChange",
    "LevelSet",
    "LevelState",
    "LevelThresholds",
    "PersonalBests",
    "PlanState",
    "SessionFacts",
    "SessionOutcome",
    "SwingSummary",
    "SwingTracker",
    "Today",
    "TrainingRules",
    "Zone",
    "ZoneSummary",
    "ZoneTally",
    "basis",
    "counted",
    "goal_met_days",
    "is_counted",
    "level_state",
    "minutes_by_day",
    "not_counted_reason",
    "personal_bests",
    "plan_for",
    "session_outcome",
    "streak_days",
    "today",
    "zone_of",
]
