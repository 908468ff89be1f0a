"""The end of a session: whether it counted, and its wins against the person's own history."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from hrvcoach.training.history import SessionFacts, basis, counted, is_counted
from hrvcoach.training.levels import LevelSet, LevelState
from hrvcoach.training.rules import DEFAULT_RULES, TrainingRules
from hrvcoach.training.today import Today, today


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """Everything the end screen, the terminal summary and the session JSON say about training.

    Attributes:
        counted: The session counts toward goals, streaks and levels.
        not_counted_reason: Why not, in a short sentence (``None`` when counted).
        level: The level the session was practised at.
        zones_pct: ``{"low", "medium", "high"}`` percent of the zoned time; each ``None`` when the
            session had no coherence value to zone (shorter than about a minute of beats).
        achievement_points: Points earned.
        swing_mean_bpm, swing_best_bpm: Heart-rate swing per breath.
        wins: Short, value-free sentences comparing the session with the person's own history.
        today: The day after this session (goal, streak, level, next session).
        level_before: Level state before the session; ``today.level_state`` is after it.
    """

    counted: bool
    not_counted_reason: str | None
    level: int
    zones_pct: dict[str, float | None]
    achievement_points: int
    swing_mean_bpm: float | None
    swing_best_bpm: float | None
    wins: tuple[str, ...]
    today: Today
    level_before: LevelState

    @property
    def level_after(self) -> int:
        return self.today.level

    def to_json(self) -> dict[str, object]:
        """The keys the session ``--json`` summary gains."""
        return {
            "level": self.level,
            "zones_pct": dict(self.zones_pct),
            "achievement_points": self.achievement_points,
            "swing_bpm": {
                "mean": _r(self.swing_mean_bpm, 1),
                "best": _r(self.swing_best_bpm, 1),
            },
            "counted": self.counted,
            "wins": list(self.wins),
        }


#: said when a session had no coherence value to zone
NO_ZONES = (
    "Coherence needs about a minute of beats before the zones start: none this time, and no points."
)


def _r(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None and math.isfinite(v)]
    return sum(known) / len(known) if known else None


def _best(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None and math.isfinite(v)]
    return max(known) if known else None


def not_counted_reason(facts: SessionFacts, rules: TrainingRules = DEFAULT_RULES) -> str | None:
    if facts.beats <= 0:
        return "No beats came in, so this session is not counted."
    if not is_counted(facts.minutes, facts.beats, rules):
        return (
            f"Under {rules.min_counted_s / 60:g} minute of practice: not counted. "
            "Any session from one minute on counts."
        )
    if not facts.practice:
        return "Not a practice session, so it is not counted toward goals."
    return None


def session_outcome(
    this: SessionFacts,
    history: Sequence[SessionFacts],
    *,
    goal_minutes: float | None = None,
    pace_bpm: float | None = None,
    pace_source: str = "default",
    manual_level: LevelSet | None = None,
    kept: bool = True,
    rules: TrainingRules = DEFAULT_RULES,
) -> SessionOutcome:
    """Judge a finished session against the sessions before it.

    Args:
        this: The session just finished (its zones, points and swing filled in).
        history: Every other session in the history (any order; simulated ones included: the
            same choice of real or simulated sessions as everywhere applies).
        goal_minutes, pace_bpm, pace_source, manual_level: The person's settings.
        kept: False for a session that is not added to the history (a replay): it is judged and
            compared like any other, but adds nothing to the day's goal, streak or level.
        rules: The numbers.
    """
    on = this.day
    before = [f for f in history if f.start < this.start]
    kwargs = {
        "goal_minutes": goal_minutes,
        "pace_bpm": pace_bpm,
        "pace_source": pace_source,
        "manual_level": manual_level,
        "rules": rules,
    }
    was = today(before, on, **kwargs)  # type: ignore[arg-type]
    now = today([*before, this], on, **kwargs)  # type: ignore[arg-type]
    reason = not_counted_reason(this, rules)
    is_used = (
        kept and counted(this, rules) and any(f is this for f in basis([*before, this]).sessions)
    )
    # no coherence value yet (the first ~64 s): no zones, rather than three zeros
    zones = {
        "low": _r(this.low_pct, 1),
        "medium": _r(this.medium_pct, 1),
        "high": _r(this.high_pct, 1),
    }
    wins: list[str] = []
    if reason is not None:
        wins.append(reason)
    else:
        if not kept:
            wins.append("A replay: compared with your history, and not added to it.")
        elif not is_used:
            wins.append(
                "A simulated session: your goal, streak and level follow your sessions with a "
                "strap."
            )
        wins.extend(_wins(this, basis(before).sessions, was, now, is_used, rules))
    return SessionOutcome(
        counted=reason is None,
        not_counted_reason=reason,
        level=this.level if this.level is not None else was.level,
        zones_pct=zones,
        achievement_points=this.points or 0,
        swing_mean_bpm=this.swing_mean_bpm,
        swing_best_bpm=this.swing_best_bpm,
        wins=tuple(wins),
        today=now if is_used else was,
        level_before=was.level_state,
    )


def _wins(
    this: SessionFacts,
    past: Sequence[SessionFacts],
    was: Today,
    now: Today,
    used: bool,
    rules: TrainingRules,
) -> list[str]:
    out: list[str] = []
    b, a = this.stress_before, this.stress_after
    if b is not None and a is not None:
        if a < b:
            out.append(f"Stress {b} → {a}: {b - a} point(s) calmer.")
        elif a == b:
            out.append(f"Stress {b} → {a}: steady.")
        else:
            out.append(f"Stress {b} → {a}: noted; the practice is what counts.")
    recent = [f for f in past if this.start - f.start <= timedelta(days=rules.trend_days)]
    out.extend(
        _compare(
            "Swing per breath",
            this.swing_mean_bpm,
            _mean([f.swing_mean_bpm for f in recent]),
            this.swing_best_bpm,
            _best([f.swing_best_bpm for f in past]),
            "bpm",
            1,
            rules,
            best_text="New personal best: a {value} bpm swing in one breath.",
        )
    )
    out.extend(
        _compare(
            "Coherence",
            this.coherence,
            _mean([f.coherence for f in recent]),
            this.coherence,
            _best([f.coherence for f in past]),
            "",
            2,
            rules,
            best_text="New personal best coherence for a session: {value}.",
        )
    )
    if this.high_pct is not None:
        points = this.points or 0
        out.append(f"{points} achievement points, {this.high_pct:.0f} % in the high zone.")
    else:
        out.append(NO_ZONES)
    if used:
        goal = now.goal_minutes
        if now.goal_met and not was.goal_met:
            out.append(f"Today's goal of {goal:g} minutes: reached.")
        elif now.goal_met:
            out.append(f"{now.practised_minutes:.0f} minutes today, past the {goal:g}-minute goal.")
        else:
            out.append(f"{now.practised_minutes:.0f} of {goal:g} minutes toward today's goal.")
        if now.streak_days >= 2:
            out.append(f"{now.streak_days}-day streak.")
        else:
            out.append("Day 1 of a streak.")
        if now.level > was.level:
            out.append(f"Level up: now level {now.level}.")
        elif now.level < was.level:
            out.append(f"Level {now.level} for now: a target to build on.")
        else:
            state = now.level_state
            short = this.minutes < rules.level_up_min_minutes
            high_enough = (this.high_pct or 0.0) >= rules.level_up_high_pct
            if short and high_enough and not state.at_top:
                # in the zone but too short to count: say what counts, not only "0 of 3"
                out.append(
                    f"{this.high_pct:.0f} % high: sessions of {rules.level_up_min_minutes:g} "
                    f"minutes or more count toward level {state.level + 1} "
                    f"({state.toward_up} of {state.needed_up} so far)."
                )
            else:
                out.append(state.progress_text().capitalize() + ".")
    return out


def _compare(
    what: str,
    value: float | None,
    recent_mean: float | None,
    best_value: float | None,
    past_best: float | None,
    unit: str,
    digits: int,
    rules: TrainingRules,
    *,
    best_text: str,
) -> list[str]:
    if value is None or not math.isfinite(value):
        return []
    shown = f"{value:.{digits}f}{' ' + unit if unit else ''}"
    out: list[str] = []
    if recent_mean is None:
        out.append(f"{what} {shown}: your first on record.")
    elif value > recent_mean:
        mean = f"{recent_mean:.{digits}f}"
        out.append(f"{what} {shown}, above your {rules.trend_days}-day mean of {mean}.")
    else:
        out.append(f"{what} {shown} ({rules.trend_days}-day mean {recent_mean:.{digits}f}).")
    if best_value is not None and past_best is not None and best_value > past_best:
        out.append(best_text.format(value=f"{best_value:.{digits}f}"))
    return out
