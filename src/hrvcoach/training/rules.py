"""The numbers of the training rules, in one place, each with its documented default.

Every rule of :mod:`hrvcoach.training` reads its numbers from a :class:`TrainingRules`; change one
by passing ``dataclasses.replace(DEFAULT_RULES, ...)``. ``docs/training.md`` explains each default
and how the zone thresholds were calibrated.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Zone(enum.Enum):
    """Where a coherence value falls for the current challenge level."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class LevelThresholds:
    """The two coherence thresholds of one challenge level.

    Attributes:
        medium: A coherence at or above this is in the medium zone (below it: low).
        high: A coherence at or above this is in the high zone.
    """

    medium: float
    high: float

    def __post_init__(self) -> None:
        if not 0 < self.medium < self.high:
            raise ValueError(f"thresholds must satisfy 0 < medium < high, not {self}")


#: hrvcoach's thresholds on its own coherence ratio (``peak / (total - peak)``, not squared), for
#: levels 1 to 4. Calibrated on the simulator and the real recordings (docs/training.md).
DEFAULT_LEVELS: tuple[LevelThresholds, ...] = (
    LevelThresholds(0.5, 1.0),
    LevelThresholds(0.6, 1.5),
    LevelThresholds(0.8, 2.0),
    LevelThresholds(1.0, 3.0),
)


@dataclass(frozen=True, slots=True)
class TrainingRules:
    """Every number the training rules use.

    Attributes:
        levels: Thresholds of each challenge level, level 1 first.
        points: Achievement points per coherence update in the low, medium and high zone.
        update_s: Seconds of practice one coherence update stands for (the live refresh interval).
        min_counted_s: A session shorter than this (practice time) is not counted.
        level_up_sessions: Consecutive qualifying sessions that raise the level.
        level_up_min_minutes: A session qualifies for a level-up only if at least this long.
        level_up_high_pct: ... and with at least this share of its time in the high zone.
        level_down_sessions: Consecutive sessions mostly in the low zone that lower the level.
        level_down_low_pct: "Mostly in the low zone": more than this share of the time.
        goal_minutes: Default daily goal (minutes of counted practice).
        start_minutes: Planned session length at the start, and the floor of easing back.
        step_minutes: Minutes added to the planned length per step.
        goal_days_per_step: Days on which the goal was met that earn one step.
        max_minutes: Longest planned session.
        ease_after_missed_days: A run of this many days without practice eases the plan back by one
            step (two such runs back-to-back, two steps), never below ``start_minutes``.
        default_pace_bpm: Pace when no assessment has set one.
        trend_days: Days in the "recent mean" wins compare with.
    """

    levels: tuple[LevelThresholds, ...] = field(default=DEFAULT_LEVELS)
    points: tuple[int, int, int] = (0, 1, 2)
    update_s: float = 5.0
    min_counted_s: float = 60.0
    level_up_sessions: int = 3
    level_up_min_minutes: float = 5.0
    level_up_high_pct: float = 80.0
    level_down_sessions: int = 3
    level_down_low_pct: float = 50.0
    goal_minutes: float = 10.0
    start_minutes: float = 5.0
    step_minutes: float = 1.0
    goal_days_per_step: int = 3
    max_minutes: float = 20.0
    ease_after_missed_days: int = 2
    default_pace_bpm: float = 6.0
    trend_days: int = 7

    @property
    def max_level(self) -> int:
        return len(self.levels)

    def thresholds(self, level: int) -> LevelThresholds:
        """The thresholds of ``level`` (1-based; clamped into the known levels)."""
        return self.levels[self.clamp_level(level) - 1]

    def clamp_level(self, level: int) -> int:
        return max(1, min(self.max_level, int(level)))

    def points_for(self, zone: Zone) -> int:
        return self.points[(Zone.LOW, Zone.MEDIUM, Zone.HIGH).index(zone)]


DEFAULT_RULES = TrainingRules()
