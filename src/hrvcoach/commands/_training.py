"""The training side of the composition root: the person's history as training facts, their
settings, and the day's plan, for the session commands, ``plan`` and ``today``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrvcoach.session import Session, SessionResult
    from hrvcoach.settings import Settings
    from hrvcoach.training import LevelSet, SessionFacts, SessionOutcome, Today
    from hrvcoach.training.live import TrainingResult

#: session kinds whose level, zones and swing are tracked live
TRACKED_KINDS = ("practice", "demo", "replay")


def _num(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def facts_from_row(row: Any) -> SessionFacts:
    """A stored session as the training rules see it."""
    from hrvcoach.training import SessionFacts

    practice_s = _num(getattr(row, "practice_s", None))
    minutes = (practice_s if practice_s is not None else row.duration_s) / 60.0
    level = getattr(row, "level", None)
    return SessionFacts(
        start=row.start,
        minutes=minutes,
        beats=int(row.beats or 0),
        practice=bool(row.is_practice),
        simulated=bool(row.simulated),
        level=int(level) if level is not None else None,
        low_pct=_num(getattr(row, "zone_low_pct", None)),
        medium_pct=_num(getattr(row, "zone_medium_pct", None)),
        high_pct=_num(getattr(row, "zone_high_pct", None)),
        points=getattr(row, "achievement_points", None),
        swing_mean_bpm=_num(getattr(row, "swing_mean_bpm", None)),
        swing_best_bpm=_num(getattr(row, "swing_best_bpm", None)),
        coherence=_num(row.coherence),
        rmssd_ms=_num(row.rmssd_ms),
        stress_before=row.checkin.before,
        stress_after=row.checkin.after,
        session_id=row.id,
        # an assessment breathes at several rates on purpose: its zones say nothing of the level
        leveled=row.kind != "assessment",
    )


def manual_level(settings: Settings) -> LevelSet | None:
    from hrvcoach.training import LevelSet

    if settings.level_set is None or not settings.level_set_at:
        return None
    try:
        at = datetime.fromisoformat(settings.level_set_at)
    except ValueError:
        return None
    return LevelSet(at if at.tzinfo else at.astimezone(), int(settings.level_set))


@dataclass(frozen=True)
class TrainingContext:
    """The person's history and settings, loaded once before a session or a report.

    Attributes:
        history: Every session in the history, as training facts.
        settings: The per-user settings (goal, pace, level set by hand).
        manual: The level set by hand, if any.
        include_simulated: Count simulated sessions even when real ones exist.
    """

    history: tuple[SessionFacts, ...]
    settings: Settings
    manual: LevelSet | None
    include_simulated: bool = False

    def today(self, on: date) -> Today:
        from hrvcoach.training import basis, today

        return today(
            self.history,
            on,
            goal_minutes=self.settings.goal_minutes,
            pace_bpm=self.settings.pace_bpm,
            pace_source=self.settings.pace_source,
            manual_level=self.manual,
            used=basis(self.history, include_simulated=self.include_simulated),
        )

    def outcome(self, this: SessionFacts, *, kept: bool = True) -> SessionOutcome:
        from hrvcoach.training import session_outcome

        return session_outcome(
            this,
            [f for f in self.history if f.session_id is None or f.session_id != this.session_id],
            goal_minutes=self.settings.goal_minutes,
            pace_bpm=self.settings.pace_bpm,
            pace_source=self.settings.pace_source,
            manual_level=self.manual,
            kept=kept,
        )


def load_context(
    data_dir: Path, *, include_simulated: bool = False, strict: bool = False
) -> TrainingContext:
    """Read the settings and the history (none yet: an empty one). A history that cannot be read
    gives an empty one for a session (practice goes on), or, ``strict``, its one-line error (exit
    code 5) for the commands that show it."""
    from hrvcoach.errors import HrvCoachError
    from hrvcoach.settings import Settings

    settings = Settings.load(data_dir)
    rows: Sequence[Any] = ()
    try:
        from hrvcoach.store import HistoryStore

        if (data_dir / "history.sqlite").exists():
            with HistoryStore.open(data_dir) as store:
                rows = store.sessions()
    except HrvCoachError:
        if strict:
            raise
        rows = ()
    return TrainingContext(
        history=tuple(facts_from_row(r) for r in rows),
        settings=settings,
        manual=manual_level(settings),
        include_simulated=include_simulated,
    )


def facts_of_session(
    *,
    start: datetime,
    practice_s: float,
    beats: int,
    simulated: bool,
    training: TrainingResult | None,
    summary: Any,
    stress_before: int | None,
    stress_after: int | None,
    session_id: int | None = None,
) -> SessionFacts:
    """The session just run, as training facts."""
    from hrvcoach.training import SessionFacts, Zone

    zones = training.zones if training is not None else None
    zoned = zones is not None and zones.total_s > 0
    swing = training.swing if training is not None else None
    return SessionFacts(
        start=start,
        minutes=practice_s / 60.0,
        beats=beats,
        practice=True,
        simulated=simulated,
        level=training.level if training is not None else None,
        low_pct=zones.pct(Zone.LOW) if zoned and zones else None,
        medium_pct=zones.pct(Zone.MEDIUM) if zoned and zones else None,
        high_pct=zones.pct(Zone.HIGH) if zoned and zones else None,
        points=zones.points if zones is not None else None,
        swing_mean_bpm=swing.mean_bpm if swing else None,
        swing_best_bpm=swing.best_bpm if swing else None,
        coherence=_num(getattr(summary, "coherence", None)),
        rmssd_ms=_num(getattr(summary, "rmssd_ms", None)),
        stress_before=stress_before,
        stress_after=stress_after,
        session_id=session_id,
    )


def judge_session(
    session: Session,
    result: SessionResult | None,
    summary: object,
    *,
    start: datetime,
    context: TrainingContext,
    stress_before: int | None,
    stress_after: int | None,
    kept: bool,
) -> SessionOutcome:
    """The session just run, judged against the history: for the JSON, the terminal summary and
    the window's end screen (called again there once the stress after is known)."""
    info = getattr(session.source, "info", None)
    t_s = result.t_s if result is not None else 0.0
    this = facts_of_session(
        start=start,
        practice_s=session.active_s(t_s),
        beats=result.beats if result is not None else 0,
        simulated=bool(getattr(info, "simulated", False)),
        training=session.training.result() if session.training is not None else None,
        summary=summary,
        stress_before=stress_before,
        stress_after=stress_after,
    )
    return context.outcome(this, kept=kept)


def stored_training(
    session: Session, result: SessionResult, *, counted: bool
) -> dict[str, object] | None:
    """What the history keeps of the session's training (the store's training columns)."""
    if session.training is None:
        return None
    values: dict[str, object] = dict(session.training.result().to_store())
    values["practice_s"] = session.active_s(result.t_s)
    values["counted"] = counted
    return values


def format_wins(outcome: SessionOutcome) -> str:
    """The end-of-session training lines for the terminal."""
    zones = outcome.zones_pct
    if zones["high"] is None or zones["medium"] is None or zones["low"] is None:
        head = f"Level {outcome.level}: no zones yet (coherence needs about a minute of beats)"
    else:
        head = (
            f"Level {outcome.level}: {zones['high']:.0f} % high, {zones['medium']:.0f} % medium, "
            f"{zones['low']:.0f} % low · {outcome.achievement_points} points"
        )
    if outcome.swing_mean_bpm is not None and outcome.swing_best_bpm is not None:
        head += (
            f" · swing {outcome.swing_mean_bpm:.1f} bpm per breath "
            f"(best {outcome.swing_best_bpm:.1f})"
        )
    lines = ["", head if outcome.counted else "Not counted", *("  " + w for w in outcome.wins)]
    return "\n".join(lines)
