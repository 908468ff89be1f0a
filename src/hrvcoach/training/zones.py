"""Coherence zones and the per-session tally of time in each zone and achievement points."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hrvcoach.training.rules import DEFAULT_RULES, TrainingRules, Zone


def zone_of(coherence: float, level: int, rules: TrainingRules = DEFAULT_RULES) -> Zone:
    """The zone of one coherence value at a challenge level."""
    thresholds = rules.thresholds(level)
    if coherence >= thresholds.high:
        return Zone.HIGH
    if coherence >= thresholds.medium:
        return Zone.MEDIUM
    return Zone.LOW


@dataclass(frozen=True, slots=True)
class ZoneSummary:
    """Time in each zone over a session and the points it earned.

    Attributes:
        level: The challenge level the zones were judged at.
        low_s, medium_s, high_s: Practice seconds in each zone (one update counts ``update_s``).
        points: Achievement points.
        updates: Coherence updates counted.
    """

    level: int
    low_s: float = 0.0
    medium_s: float = 0.0
    high_s: float = 0.0
    points: int = 0
    updates: int = 0

    @property
    def total_s(self) -> float:
        return self.low_s + self.medium_s + self.high_s

    def pct(self, zone: Zone) -> float:
        """Percent of the zoned time spent in ``zone`` (0 when nothing was zoned yet)."""
        total = self.total_s
        if total <= 0:
            return 0.0
        part = {Zone.LOW: self.low_s, Zone.MEDIUM: self.medium_s, Zone.HIGH: self.high_s}[zone]
        return 100.0 * part / total

    @property
    def zones_pct(self) -> dict[str, float]:
        """``{"low": %, "medium": %, "high": %}``, rounded to 0.1 (the session JSON's value)."""
        return {zone.value: round(self.pct(zone), 1) for zone in Zone}

    @property
    def minutes_in_high(self) -> float:
        return self.high_s / 60.0


class ZoneTally:
    """Counts each live coherence update into its zone, while the session is counting.

    Feed it every coherence update (every ``rules.update_s`` of session time) with whether the
    session was running at that moment: an update while paused or disconnected is not counted, so
    zone time and points stay frozen meanwhile.
    """

    def __init__(self, level: int, rules: TrainingRules = DEFAULT_RULES) -> None:
        self.rules = rules
        self.level = rules.clamp_level(level)
        self._seconds = dict.fromkeys(Zone, 0.0)
        self._points = 0
        self._updates = 0
        self.last_zone: Zone | None = None

    def add(self, coherence: float | None, *, counting: bool = True) -> Zone | None:
        """Count one update; returns its zone (``None`` for no value). Zone shown even if frozen."""
        if coherence is None or not math.isfinite(coherence):
            return None
        zone = zone_of(coherence, self.level, self.rules)
        self.last_zone = zone
        if counting:
            self._seconds[zone] += self.rules.update_s
            self._points += self.rules.points_for(zone)
            self._updates += 1
        return zone

    def summary(self) -> ZoneSummary:
        return ZoneSummary(
            level=self.level,
            low_s=self._seconds[Zone.LOW],
            medium_s=self._seconds[Zone.MEDIUM],
            high_s=self._seconds[Zone.HIGH],
            points=self._points,
            updates=self._updates,
        )
