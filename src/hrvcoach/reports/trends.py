"""The trends of the history as plain data (:class:`Trends`), its text summary and the CSV table.

The PNG, the HTML page and the trends window all draw these same values."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.errors import HrvCoachError
from hrvcoach.reports.styling import _fmt, _write_text
from hrvcoach.store import METRIC_COLUMNS, AssessmentRow, SessionRow

if TYPE_CHECKING:
    from hrvcoach.protocols.history import CapacityTrends

ROLLING_DAYS = 7
MIN_SPAN_DAYS = 14  #: the trends window spans at least this many days
DEFAULT_MAX_DAYS = 365  #: without --days, the trends window starts at most this long ago
DAILY_STRIP_MAX_DAYS = 120  #: up to this span the calendar is one strip of days, else a week grid

# -- trends: the numbers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One metric per session, with its rolling mean.

    Attributes:
        name: Label with unit (``"RMSSD (ms)"``).
        values: One value per session (NaN where the session has none).
        rolling: Mean of the values of the sessions in the :data:`ROLLING_DAYS` days up to and
            including each session (NaN until there is one).
    """

    name: str
    values: np.ndarray
    rolling: np.ndarray

    @property
    def has_data(self) -> bool:
        return bool(np.isfinite(self.values).any())


@dataclass(frozen=True)
class DayTotal:
    """Practice on one calendar day."""

    day: date
    minutes: float
    sessions: int


@dataclass(frozen=True)
class WeekTotal:
    """Practice in one week (Monday to Sunday)."""

    week_start: date
    minutes: float
    sessions: int


@dataclass(frozen=True)
class Trends:
    """The history over a window of days, ready to draw or print.

    Attributes:
        sessions: The sessions in the window, oldest first.
        first_day: First day of the window.
        last_day: Last day of the window (today).
        times: Session start times (timezone-aware), one per session.
        rmssd, coherence, mean_hr, minutes, pace: Per-session series with rolling means.
        stress_before, stress_after: Check-ins per session (NaN where not given).
        days: Days with practice in the window.
        weeks: Every week of the window, with its minutes (0 for weeks without practice).
        streak_current_days: Consecutive days practised up to today (or yesterday: a streak is not
            broken before the day is over).
        streak_longest_days: Longest run of consecutive days ever practised.
        excluded_simulated: Simulated sessions left out (no real heart produced them).
        excluded_other: Recordings that are not practice (kind ``other``: workouts, Holter days)
            left out of every number, whatever their date.
        assessments: ``(time, rate_bpm)`` of the resonance assessments in the window.
        older_sessions: Sessions before the window (not shown).
        stress_before_rolling, stress_after_rolling: Per session, the 7-day means of the
            check-ins before and after, over the sessions with both (their gap is the change).
        minutes_7d: For every day of the window, the minutes practised in the 7 days up to it.
        minutes_in_high: Minutes in the high coherence zone per session (docs/training.md).
        swing: Mean heart-rate swing per breath per session (bpm).
        level: Challenge level each session was practised at.
        goal_days: For every day of the window, ``(day, minutes, goal met)``.
        goal_minutes: The daily goal the days are measured against.
        simulated_only: The history has no real session yet, so these are the simulated ones.
        not_counted: Sessions under a minute or without beats, left out of every number.
        capacity: The checks and drills over time (:mod:`hrvcoach.protocols.history`), if any.
    """

    sessions: tuple[SessionRow, ...]
    first_day: date
    last_day: date
    times: tuple[datetime, ...]
    rmssd: Series
    coherence: Series
    mean_hr: Series
    minutes: Series
    pace: Series
    stress_before: np.ndarray
    stress_after: np.ndarray
    days: tuple[DayTotal, ...]
    weeks: tuple[WeekTotal, ...]
    streak_current_days: int
    streak_longest_days: int
    excluded_simulated: int
    assessments: tuple[tuple[datetime, float], ...] = ()
    older_sessions: int = 0
    excluded_other: int = 0
    stress_before_rolling: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stress_after_rolling: np.ndarray = field(default_factory=lambda: np.zeros(0))
    minutes_7d: tuple[tuple[date, float], ...] = ()
    minutes_in_high: Series = field(default_factory=lambda: _empty_series("minutes in high zone"))
    swing: Series = field(default_factory=lambda: _empty_series("swing per breath (bpm)"))
    level: Series = field(default_factory=lambda: _empty_series("level"))
    goal_days: tuple[tuple[date, float, bool], ...] = ()
    goal_minutes: float = 10.0
    simulated_only: bool = False
    poor_signal: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    not_counted: int = 0
    capacity: CapacityTrends | None = None

    @property
    def goal_days_met(self) -> int:
        return sum(1 for _, _, met in self.goal_days if met)

    @property
    def total_minutes(self) -> float:
        return float(sum(d.minutes for d in self.days))

    @property
    def stress_change(self) -> np.ndarray:
        return self.stress_after - self.stress_before


def _empty_series(name: str) -> Series:
    return Series(name, np.zeros(0), np.zeros(0))


def _practice_minutes(row: SessionRow) -> float:
    """Practice minutes (pauses left out where the history knows them)."""
    practice_s = getattr(row, "practice_s", None)
    return (practice_s if practice_s is not None else row.duration_s) / 60.0


def counted_row(row: SessionRow) -> bool:
    """The training rule for what counts (``hrvcoach.training.is_counted``): beats, and at least
    a minute of practice."""
    from hrvcoach.training import is_counted

    return is_counted(_practice_minutes(row), int(row.beats or 0))


def _high_minutes(row: SessionRow) -> float | None:
    high = getattr(row, "zone_high_pct", None)
    return None if high is None else _practice_minutes(row) * float(high) / 100.0


def signal_poor(row: SessionRow) -> bool:
    """Whether the session's whole-session signal quality was ``poor`` (see hrvcoach.quality)."""
    quality = row.summary.get("quality") if isinstance(row.summary, Mapping) else None
    return isinstance(quality, Mapping) and quality.get("verdict") == "poor"


def _rolling_mean(times_s: np.ndarray, values: np.ndarray, window_s: float) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, t in enumerate(times_s):
        inside = (times_s > t - window_s) & (times_s <= t) & np.isfinite(values)
        if inside.any():
            out[i] = float(values[inside].mean())
    return out


def streaks(days: Sequence[date], today: date) -> tuple[int, int]:
    """``(current, longest)`` runs of consecutive days in ``days``.

    The current streak counts back from today, or from yesterday when today has no practice yet.
    """
    practised = set(days)
    longest = run = 0
    previous: date | None = None
    for day in sorted(practised):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in practised else today - timedelta(days=1)
    while day in practised:
        current += 1
        day -= timedelta(days=1)
    return current, longest


def compute_trends(
    rows: Sequence[SessionRow],
    *,
    days: int | None = None,
    today: date | None = None,
    include_simulated: bool = False,
    assessments: Sequence[AssessmentRow] = (),
    goal_minutes: float = 10.0,
) -> Trends:
    """The trends of a history.

    Args:
        rows: Every session (streaks count all of them; the series only those in the window).
        days: Window length in days ending today (``None``: from the first session on).
        today: The last day of the window (default: today, local time).
        include_simulated: Also count simulator sessions (they are left out by default: no real
            heart produced them).
        assessments: Resonance assessments, shown with the pace; one whose recording is a
            simulated session is left out with it.
        goal_minutes: The daily goal, for the days the goal was met.

    Only counted sessions (beats, and at least a minute) are in the numbers. While the history
    has no real session yet, the simulated ones are used instead (``simulated_only``).
    """
    today = today or datetime.now().astimezone().date()
    all_practice = [r for r in rows if r.is_practice]
    practice = [r for r in all_practice if counted_row(r)]
    simulated_only = not include_simulated and all(r.simulated for r in practice)
    use_simulated = include_simulated or simulated_only
    real = [r for r in practice if use_simulated or not r.simulated]
    excluded = len(practice) - len(real)
    simulated_ids = {r.id for r in rows if r.simulated and not use_simulated}
    assessments = [a for a in assessments if a.session_id not in simulated_ids]
    real.sort(key=lambda r: r.start)
    if days is not None:
        if days < 1:
            raise HrvCoachError("--days must be at least 1")
        first_day = today - timedelta(days=days - 1)
    else:
        # From the first session of the last year (trends are about recent practice; --days
        # shows more), and at least two weeks, so a short history still reads as days.
        year_ago = today - timedelta(days=DEFAULT_MAX_DAYS - 1)
        first_day = min((r.local_date for r in real if r.local_date >= year_ago), default=today)
        first_day = min(first_day, today - timedelta(days=MIN_SPAN_DAYS - 1))
    shown = tuple(r for r in real if first_day <= r.local_date <= today)
    times = tuple(r.start for r in shown)
    t_s = np.array([t.timestamp() for t in times], dtype=float)
    window_s = ROLLING_DAYS * 86400.0

    # Sessions whose signal was poor (too many beats not normal) are shown, hollow, but their
    # numbers stay out of the rolling means: one arrhythmic session must not bend the line.
    poor = np.array([signal_poor(r) for r in shown], dtype=bool)

    def series(name: str, values: Sequence[float | None], *, hrv: bool = True) -> Series:
        arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        counted = np.where(poor, np.nan, arr) if hrv else arr
        return Series(name, arr, _rolling_mean(t_s, counted, window_s))

    per_day: dict[date, list[SessionRow]] = {}
    for r in shown:
        per_day.setdefault(r.local_date, []).append(r)
    day_totals = tuple(
        DayTotal(d, sum(_practice_minutes(r) for r in rs), len(rs))
        for d, rs in sorted(per_day.items())
    )
    weeks: list[WeekTotal] = []
    monday = first_day - timedelta(days=first_day.weekday())
    while monday <= today:
        inside = [d for d in day_totals if monday <= d.day < monday + timedelta(days=7)]
        weeks.append(
            WeekTotal(monday, sum(d.minutes for d in inside), sum(d.sessions for d in inside))
        )
        monday += timedelta(days=7)
    current, longest = streaks([r.local_date for r in real], today)
    before = np.array(
        [np.nan if r.checkin.before is None else r.checkin.before for r in shown], dtype=float
    )
    after = np.array(
        [np.nan if r.checkin.after is None else r.checkin.after for r in shown], dtype=float
    )
    both = np.isfinite(before) & np.isfinite(after)
    by_day = {d.day: d.minutes for d in day_totals}
    minutes_7d = []
    for offset in range((today - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        minutes_7d.append(
            (day, sum(by_day.get(day - timedelta(days=k), 0.0) for k in range(ROLLING_DAYS)))
        )
    return Trends(
        sessions=shown,
        first_day=first_day,
        last_day=today,
        times=times,
        rmssd=series("RMSSD (ms)", [r.rmssd_ms for r in shown]),
        coherence=series("coherence", [r.coherence for r in shown]),
        mean_hr=series("mean HR (bpm)", [r.mean_hr_bpm for r in shown]),
        minutes=series("minutes", [_practice_minutes(r) for r in shown], hrv=False),
        pace=series("pace (breaths/min)", [r.pace_bpm for r in shown], hrv=False),
        poor_signal=poor,
        stress_before=before,
        stress_after=after,
        stress_before_rolling=_rolling_mean(t_s, np.where(both, before, np.nan), window_s),
        stress_after_rolling=_rolling_mean(t_s, np.where(both, after, np.nan), window_s),
        minutes_7d=tuple(minutes_7d),
        days=day_totals,
        weeks=tuple(weeks),
        streak_current_days=current,
        streak_longest_days=longest,
        excluded_simulated=excluded,
        excluded_other=len(rows) - len(all_practice),
        older_sessions=sum(1 for r in real if r.local_date < first_day),
        assessments=tuple(
            (a.time, a.rate_bpm) for a in assessments if first_day <= a.time.date() <= today
        ),
        minutes_in_high=series("minutes in high zone", [_high_minutes(r) for r in shown]),
        swing=series("swing per breath (bpm)", [getattr(r, "swing_mean_bpm", None) for r in shown]),
        level=series("level", [getattr(r, "level", None) for r in shown]),
        goal_days=tuple(
            (day, by_day.get(day, 0.0), by_day.get(day, 0.0) >= goal_minutes)
            for day, _ in minutes_7d
        ),
        goal_minutes=goal_minutes,
        simulated_only=simulated_only and bool(practice),
        not_counted=len(all_practice) - len(practice),
    )


# -- trends: text and CSV ------------------------------------------------------------------------


def _first_last_week(series: Series, trends: Trends) -> tuple[float | None, float | None]:
    """Mean of the first and of the last :data:`ROLLING_DAYS` days of the window with data."""
    ok = np.isfinite(series.values)
    if not ok.any():
        return None, None
    days = np.array([t.date().toordinal() for t in trends.times])[ok]
    vals = series.values[ok]
    first = vals[days < days.min() + ROLLING_DAYS].mean()
    last = vals[days > days.max() - ROLLING_DAYS].mean()
    return float(first), float(last)


def _data_span_days(series: Series, trends: Trends) -> int:
    days = [t.date() for t, v in zip(trends.times, series.values, strict=True) if math.isfinite(v)]
    return (max(days) - min(days)).days + 1 if days else 0


def trends_text(trends: Trends) -> str:
    """A few lines that say what the pictures show, for a terminal."""
    n = len(trends.sessions)
    lines = [
        f"History {trends.first_day} to {trends.last_day}: {n} session{'s' * (n != 1)}, "
        f"{trends.total_minutes:.0f} min on {len(trends.days)} day{'s' * (len(trends.days) != 1)}",
        f"Streak: {trends.streak_current_days} day(s) now, longest {trends.streak_longest_days}",
    ]
    if trends.weeks:
        this = trends.weeks[-1]
        last = trends.weeks[-2].minutes if len(trends.weeks) > 1 else None
        lines.append(
            f"This week: {this.minutes:.0f} min in {this.sessions} session(s)"
            + (f" (last week {last:.0f} min)" if last is not None else "")
        )
    for series, digits, unit in (
        (trends.rmssd, 1, " ms"),
        (trends.coherence, 2, ""),
        (trends.mean_hr, 1, " bpm"),
        (trends.minutes_in_high, 1, " min"),
        (trends.swing, 1, " bpm"),
    ):
        if not series.has_data:
            continue
        first, last = _first_last_week(series, trends)
        if first is None:
            continue
        label = {"minutes in high zone": "high zone", "swing per breath (bpm)": "swing"}.get(
            series.name, series.name.split(" (")[0]
        )
        if _data_span_days(series, trends) < 2 * ROLLING_DAYS:
            # The first and the latest week would be the same sessions: no trend to tell yet.
            lines.append(f"{label:<10} {_fmt(float(np.nanmean(series.values)), digits, unit)} mean")
            continue
        lines.append(
            f"{label:<10} first week {_fmt(first, digits, unit)}, "
            f"latest week {_fmt(last, digits, unit)}"
        )
    if trends.goal_days and trends.days:
        lines.append(
            f"Daily goal ({trends.goal_minutes:g} min) met on {trends.goal_days_met} of "
            f"{len(trends.goal_days)} day(s)"
        )
    levels = trends.level.values[np.isfinite(trends.level.values)]
    if levels.size:
        lines.append(f"Level: {int(levels[-1])} in the latest session (from {int(levels[0])})")
    both = np.isfinite(trends.stress_before) & np.isfinite(trends.stress_after)
    if both.any():
        lines.append(
            f"Stress (0-10): {trends.stress_before[both].mean():.1f} before -> "
            f"{trends.stress_after[both].mean():.1f} after on average "
            f"({int(both.sum())} session(s) with both)"
        )
    paces = [r.pace_label for r in trends.sessions if r.pace_label]
    if paces:
        from collections import Counter

        counts = Counter(paces).most_common()  # ties in the order the paces were first used
        common, times = counts[0]
        if 2 * times > len(paces):
            lines.append(f"Pace: mostly {common} breaths/min ({times} of {len(paces)})")
        else:
            used = ", ".join(f"{label} ({n})" for label, n in counts[:4])
            lines.append(f"Pace: {used}{', ...' if len(counts) > 4 else ''} breaths/min")
    if trends.older_sessions:
        lines.append(f"({trends.older_sessions} older session(s) not shown; --days N shows more)")
    if trends.excluded_other:
        lines.append(
            f"({trends.excluded_other} recording(s) that are not practice (workouts, long "
            "recordings) not counted)"
        )
    if trends.excluded_simulated:
        lines.append(
            f"({trends.excluded_simulated} simulated session(s) not counted; "
            "--include-simulated shows them)"
        )
    if trends.simulated_only:
        lines.append("(No session with a strap yet: these trends are of simulated sessions.)")
    if trends.not_counted:
        lines.append(
            f"({trends.not_counted} session(s) under a minute or without beats not counted)"
        )
    poor = int(np.count_nonzero(trends.poor_signal))
    if poor:
        lines.append(
            f"({poor} session(s) with a poor signal, many beats not normal: drawn hollow, "
            "not in the 7-day means)"
        )
    if not n:
        lines.append("No sessions in this window yet: practise, or import past recordings.")
    return "\n".join(lines)


CSV_COLUMNS = (
    "id",
    "start",
    "kind",
    "minutes",
    "pace_bpm",
    "pace",
    *METRIC_COLUMNS,
    "checkin_before",
    "checkin_after",
    "stress_change",
    "note",
    "simulated",
    "device",
    "format",
    "start_time_source",
    "path",
)


def write_sessions_csv(rows: Sequence[SessionRow], path: Path) -> None:
    """One line per session, with the columns of :data:`CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        values: dict[str, Any] = r.to_json()
        values["minutes"] = round(r.minutes, 2)
        values["pace"] = r.pace_label or ""
        writer.writerow(["" if values.get(c) is None else values[c] for c in CSV_COLUMNS])
    _write_text(path, buffer.getvalue())
