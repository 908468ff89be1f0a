"""A person's history as the training rules see it: one :class:`SessionFacts` per session.

The composition root turns stored sessions into facts; everything here is a pure function of those
facts and of a date passed in (never the clock).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hrvcoach.training.rules import DEFAULT_RULES, TrainingRules


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What the training rules need to know about one session.

    Attributes:
        start: When it began, timezone-aware, in the person's local offset at the time (its
            ``date()`` is the day it counts for).
        minutes: Practice minutes (pauses left out where known).
        beats: Beats recorded (0: nothing came in).
        practice: Whether the session counts as practice (not a Holter day, a workout, ...).
        simulated: No real heart produced the beats.
        level: Challenge level it was practised at (``None``: not known, e.g. an import).
        low_pct, medium_pct, high_pct: Percent of the zoned time in each zone (``None``: no zones).
        points: Achievement points.
        swing_mean_bpm, swing_best_bpm: Heart-rate swing per breath (mean, best).
        coherence: Whole-session coherence.
        rmssd_ms: Whole-session RMSSD.
        stress_before, stress_after: Check-ins, 0 (calm) to 10.
        session_id: Its id in the history, where it has one.
        leveled: Whether its zones count toward the level rules. A resonance assessment breathes
            at several rates on purpose, so it neither raises nor lowers the level, nor breaks a
            run; its minutes still count toward the day's goal and the streak.
    """

    start: datetime
    minutes: float
    beats: int = 0
    practice: bool = True
    simulated: bool = False
    level: int | None = None
    low_pct: float | None = None
    medium_pct: float | None = None
    high_pct: float | None = None
    points: int | None = None
    swing_mean_bpm: float | None = None
    swing_best_bpm: float | None = None
    coherence: float | None = None
    rmssd_ms: float | None = None
    stress_before: int | None = None
    stress_after: int | None = None
    session_id: int | None = None
    leveled: bool = True

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def minutes_in_high(self) -> float | None:
        if self.high_pct is None:
            return None
        return self.minutes * self.high_pct / 100.0


def is_counted(minutes: float, beats: int, rules: TrainingRules = DEFAULT_RULES) -> bool:
    """A session counts when it has beats and at least ``rules.min_counted_s`` of practice."""
    return beats > 0 and minutes * 60.0 >= rules.min_counted_s


def counted(facts: SessionFacts, rules: TrainingRules = DEFAULT_RULES) -> bool:
    """Whether a session counts toward goals, streaks and levels."""
    return facts.practice and is_counted(facts.minutes, facts.beats, rules)


@dataclass(frozen=True, slots=True)
class Basis:
    """Which sessions the training numbers are computed over.

    Attributes:
        sessions: The counted sessions used, oldest first.
        simulated_only: True when the history has no real session yet, so these are simulated.
        left_out_simulated: Simulated sessions left out because real ones exist.
    """

    sessions: tuple[SessionFacts, ...]
    simulated_only: bool
    left_out_simulated: int

    def note(self) -> str | None:
        """A sentence for the screen when the basis needs saying, else ``None``."""
        if self.simulated_only and self.sessions:
            return "No session with a strap yet: these numbers come from simulated sessions."
        return None


def basis(
    history: Iterable[SessionFacts],
    *,
    include_simulated: bool = False,
    rules: TrainingRules = DEFAULT_RULES,
) -> Basis:
    """The counted sessions goals, streaks, levels and bests are computed over.

    Real sessions only, unless the history holds no real counted session yet (someone trying
    hrvcoach on the simulator): then the simulated ones, flagged ``simulated_only``.
    """
    usable = sorted((f for f in history if counted(f, rules)), key=lambda f: f.start)
    real = [f for f in usable if not f.simulated]
    sim = len(usable) - len(real)
    if include_simulated:
        return Basis(tuple(usable), simulated_only=not real and bool(usable), left_out_simulated=0)
    if real:
        return Basis(tuple(real), simulated_only=False, left_out_simulated=sim)
    return Basis(tuple(usable), simulated_only=bool(usable), left_out_simulated=0)


def minutes_by_day(sessions: Iterable[SessionFacts]) -> dict[date, float]:
    """Counted practice minutes per local day."""
    days: dict[date, float] = {}
    for f in sessions:
        days[f.day] = days.get(f.day, 0.0) + f.minutes
    return days


def streak_days(practice_days: Iterable[date], on: date) -> int:
    """Consecutive days with at least one counted session, ending on ``on``.

    If ``on`` has no session yet, the streak ending the day before still stands (the day is not
    over): it is counted from there.
    """
    days = set(practice_days)
    day = on if on in days else on - timedelta(days=1)
    n = 0
    while day in days:
        n += 1
        day -= timedelta(days=1)
    return n


@dataclass(frozen=True, slots=True)
class PersonalBests:
    """The best values over the sessions before a date (``None`` where nothing is known).

    Attributes:
        swing_bpm: Best single-breath heart-rate swing.
        coherence: Highest whole-session coherence.
        rmssd_ms: Highest whole-session RMSSD.
        minutes_in_high: Most minutes in the high zone in one session.
    """

    swing_bpm: float | None = None
    coherence: float | None = None
    rmssd_ms: float | None = None
    minutes_in_high: float | None = None

    def to_json(self) -> dict[str, float | None]:
        return {
            "swing_bpm": _round(self.swing_bpm, 1),
            "coherence": _round(self.coherence, 2),
            "rmssd_ms": _round(self.rmssd_ms, 1),
            "minutes_in_high": _round(self.minutes_in_high, 1),
        }


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _best(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None and math.isfinite(v)]
    return max(known) if known else None


def personal_bests(sessions: Sequence[SessionFacts]) -> PersonalBests:
    """The best of each training number. Swing and minutes in the high zone are the practice's
    own (:attr:`SessionFacts.leveled`): an assessment breathes at rates no practice uses and is
    zoned at level 1, so its values would set bests no practice session can be compared with.
    Coherence and RMSSD are measured the same way in every session and count from all."""
    practised = [f for f in sessions if f.leveled]
    return PersonalBests(
        swing_bpm=_best(f.swing_best_bpm for f in practised),
        coherence=_best(f.coherence for f in sessions),
        rmssd_ms=_best(f.rmssd_ms for f in sessions),
        minutes_in_high=_best(f.minutes_in_high for f in practised),
    )


def until(sessions: Iterable[SessionFacts], on: date) -> list[SessionFacts]:
    """The sessions on or before ``on``."""
    return [f for f in sessions if f.day <= on]
