"""What the window shows of training, as plain values: the zone and level live, the day before
Start, and the wins at the end.

The training core (:mod:`hrvcoach.training`) judges; these functions only turn its results into
words, numbers and colours for dumb views. They read the core's objects by attribute name, so a
view can be fed a hand-made value in a test as well as the real thing. No Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from hrvcoach.gui import theme

ZONES: Final = ("low", "medium", "high")

#: zone -> colour: one calm scale from a cool grey-blue to a light green, lighter as coherence
#: rises, so the zones differ in lightness as well as in hue (readable without colour vision)
ZONE_COLORS: Final[dict[str, str]] = {
    "low": theme.ZONE_LOW,
    "medium": theme.ZONE_MEDIUM,
    "high": theme.ZONE_HIGH,
}


def zone_name(zone: object) -> str | None:
    """``"low"``, ``"medium"`` or ``"high"`` for a zone (an enum with those values or a string)."""
    if zone is None:
        return None
    name = str(getattr(zone, "value", zone)).lower()
    return name if name in ZONES else None


def zone_color(zone: object) -> str | None:
    name = zone_name(zone)
    return None if name is None else ZONE_COLORS[name]


def _num(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def fmt_minutes(value: float | None) -> str:
    """Whole minutes, rounded as the training core's sentences round them; ``"–"`` for none."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.0f}"


# -- live ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveTrainingView:
    """The zone, level and swing to show during a session.

    Attributes:
        level: The challenge level of the session.
        zone: ``"low"``, ``"medium"``, ``"high"`` or ``None`` before the first coherence value.
        zone_t_s: Session time of the coherence value that set the zone.
        color: The zone's colour (``None`` with no zone).
        zone_text: The zone in words, e.g. ``"high zone · level 2"``.
        swing_bpm: Heart-rate swing of the last whole breath.
        swing_text: Mean and best so far, e.g. ``"mean 12.1 · best 15.0 bpm"``.
        frozen: Paused or disconnected: zones and points are not counting.
    """

    level: int
    zone: str | None
    zone_t_s: float | None
    color: str | None
    zone_text: str
    swing_bpm: float | None
    swing_text: str
    frozen: bool = False


def live_view(snapshot: object) -> LiveTrainingView:
    """From a :class:`hrvcoach.training.live.TrainingLive` (or anything with its attributes)."""
    level = int(getattr(snapshot, "level", 1) or 1)
    zone = zone_name(getattr(snapshot, "zone", None))
    frozen = bool(getattr(snapshot, "frozen", False))
    if zone is None:
        zone_text = f"level {level} · zone after the first minute"
    else:
        zone_text = f"{zone} zone · level {level}"
    if frozen:
        zone_text += " · on hold"
    mean = _num(getattr(snapshot, "swing_mean_bpm", None))
    best = _num(getattr(snapshot, "swing_best_bpm", None))
    if mean is None:
        swing_text = "per breath, from the first whole breath"
    else:
        swing_text = f"mean {mean:.1f}  ·  best {best if best is not None else mean:.1f} bpm"
    return LiveTrainingView(
        level=level,
        zone=zone,
        zone_t_s=_num(getattr(snapshot, "zone_t_s", None)),
        color=zone_color(zone),
        zone_text=zone_text,
        swing_bpm=_num(getattr(snapshot, "swing_bpm", None)),
        swing_text=swing_text,
        frozen=frozen,
    )


# -- before Start -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TodayView:
    """The Today panel: the day's goal, streak, level and the planned session.

    Attributes:
        goal_fraction: Share of the goal done, 0 to 1 (the ring).
        goal_text: In the ring, e.g. ``"4 of 10 min"``.
        goal_note: Under it, e.g. ``"6 minutes to today's goal"`` or ``"today's goal reached"``.
        streak_text: e.g. ``"3-day streak"``.
        level_text: e.g. ``"Level 2"``.
        progress_text: Progress to the next level in words.
        plan_text: The next session, e.g. ``"7 minutes at 6.0 breaths/min"``.
        note: Said when the numbers come from simulated sessions, else ``None``.
        check_text: The latest resting check in one sentence (as the ``today`` command says
            it), or ``None`` when there has been none.
    """

    goal_fraction: float
    goal_text: str
    goal_note: str
    streak_text: str
    level_text: str
    progress_text: str
    plan_text: str
    note: str | None = None
    check_text: str | None = None


def streak_words(days: int) -> str:
    if days <= 0:
        return "A new streak starts with today's session"
    if days == 1:
        return "1 day in a row"
    return f"{days}-day streak"


def today_view(day: object, *, latest_check: str | None = None) -> TodayView:
    """From a :class:`hrvcoach.training.Today` (or anything with its attributes) and the
    sentence on the latest resting check, if there has been one."""
    goal = _num(getattr(day, "goal_minutes", None)) or 0.0
    done = _num(getattr(day, "practised_minutes", None)) or 0.0
    fraction = 1.0 if goal <= 0 else max(0.0, min(1.0, done / goal))
    if goal > 0 and done >= goal:
        goal_note = "Today's goal reached: more is a bonus"
    elif done > 0:
        goal_note = f"{fmt_minutes(goal - done)} minutes to today's goal"
    else:
        goal_note = "Today's first session"
    plan = getattr(day, "plan", None)
    minutes = _num(getattr(plan, "minutes", None))
    pace = _num(getattr(plan, "pace_bpm", None))
    if minutes is None:
        plan_text = "An open session"
    else:
        plan_text = f"{fmt_minutes(minutes)} minutes"
        if pace is not None:
            plan_text += f" at {pace:.1f} breaths/min"
    note_fn = getattr(day, "note", None)
    note = note_fn() if callable(note_fn) else None
    progress = str(getattr(day, "level_progress", "") or "")
    return TodayView(
        goal_fraction=fraction,
        goal_text=f"{fmt_minutes(done)} of {fmt_minutes(goal)} min",
        goal_note=goal_note,
        streak_text=streak_words(int(getattr(day, "streak_days", 0) or 0)),
        level_text=f"Level {int(getattr(day, 'level', 1) or 1)}",
        progress_text=progress[:1].upper() + progress[1:],
        plan_text=plan_text,
        note=note if isinstance(note, str) else None,
        check_text=latest_check or None,
    )


# -- the end ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WinsView:
    """The training part of the end screen.

    Attributes:
        counted: The session counts toward the goal, streak and level.
        headline: One line: the zones and points, that there were no zones yet (coherence needs
            about a minute of beats), or "Not counted".
        zones_pct: ``(low, medium, high)`` percent, for the zone bar (zeros: no bar).
        wins: Short sentences, in order.
        goal_fraction: Today's goal done after this session, 0 to 1.
        goal_text: e.g. ``"10 of 10 min today"``.
    """

    counted: bool
    headline: str
    zones_pct: tuple[float, float, float]
    wins: tuple[str, ...]
    goal_fraction: float
    goal_text: str


def wins_view(outcome: object) -> WinsView:
    """From a :class:`hrvcoach.training.SessionOutcome` (or anything with its attributes)."""
    counted = bool(getattr(outcome, "counted", False))
    raw = getattr(outcome, "zones_pct", None) or {}
    zones = tuple(_num(raw.get(z)) or 0.0 if isinstance(raw, dict) else 0.0 for z in ZONES)
    level = int(getattr(outcome, "level", 1) or 1)
    points = int(getattr(outcome, "achievement_points", 0) or 0)
    zoned = sum(zones) > 0
    if counted and zoned:
        headline = (
            f"Level {level}  ·  {zones[2]:.0f} % high, {zones[1]:.0f} % medium, "
            f"{zones[0]:.0f} % low  ·  {points} points"
        )
    elif counted:
        # coherence needs about a minute of beats: a short session may end before any zone
        headline = f"Level {level}  ·  no zones this time: coherence needs about a minute of beats"
    else:
        headline = "Not counted"
    wins = tuple(str(w) for w in (getattr(outcome, "wins", None) or ()))
    day = getattr(outcome, "today", None)
    goal = _num(getattr(day, "goal_minutes", None)) or 0.0
    done = _num(getattr(day, "practised_minutes", None)) or 0.0
    return WinsView(
        counted=counted,
        headline=headline,
        zones_pct=(zones[0], zones[1], zones[2]) if counted and zoned else (0.0, 0.0, 0.0),
        wins=wins,
        goal_fraction=1.0 if goal <= 0 else max(0.0, min(1.0, done / goal)),
        goal_text=f"{fmt_minutes(done)} of {fmt_minutes(goal)} min today",
    )
