"""Pictures and numbers of the history (trends) and of one session (report), as PNG, HTML and text.

The numbers are computed here as plain data (:class:`Trends`, :class:`SessionReport`), so the PNG,
the HTML page, the text summary and the trends window (:mod:`hrvcoach.gui.trends_window`) all show
the same values. Drawing uses matplotlib's Agg canvas (no display needed), imported only when a
picture is drawn. The HTML page is self-contained: its pictures are inline SVG, no scripts, nothing
fetched from the network.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.errors import HrvCoachError
from hrvcoach.store import METRIC_COLUMNS, AssessmentRow, SessionRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hrvcoach.analysis import CorrectedStretch
    from hrvcoach.recording import Recording


log = logging.getLogger(__name__)

ROLLING_DAYS = 7
MIN_SPAN_DAYS = 14  #: the trends window spans at least this many days
DEFAULT_MAX_DAYS = 365  #: without --days, the trends window starts at most this long ago
DAILY_STRIP_MAX_DAYS = 120  #: up to this span the calendar is one strip of days, else a week grid
#: A recording longer than this is reported in windows (a 24-hour Holter in 5-minute ones) instead
#: of beat by beat through the live engine, which would take minutes and draw an unreadable smear.
LONG_REPORT_S = 30 * 60.0
REPORT_WINDOWS_S = (60.0, 120.0, 300.0, 600.0, 900.0, 1800.0)  #: the shortest giving <= 300
MAX_REPORT_WINDOWS = 300
MIN_WINDOW_DIFFS = 10  #: fewer successive differences give no RMSSD for a window

# A light palette for sharing and printing, in the hues of the practice window (gui.theme):
# teal for breathing, amber for the heart, periwinkle for coherence.
INK = "#263238"
MUTED = "#6b7785"
GRID = "#e3e7ec"
BREATH = "#2a9d8f"
BREATH_SOFT = "#bfe6e0"
HEART = "#e07b39"
COHERENCE = "#5b6fd6"
RMSSD = "#2a9d8f"
CALMER = "#3f9a5a"
TENSER = "#d0583f"
SAME = "#8d97a8"
ARTIFACT = "#c0392b"
LF_BAND = "#c4dcf5"
HF_BAND = "#f6d9bd"
HEAT = ("#eef2f5", "#c7e9e2", "#8fd3c6", "#4fb3a4", "#23877a")  #: 0, <10, <20, <30, 30+ minutes


class ReportError(HrvCoachError):
    """A picture or page cannot be written."""


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

    @property
    def total_minutes(self) -> float:
        return float(sum(d.minutes for d in self.days))

    @property
    def stress_change(self) -> np.ndarray:
        return self.stress_after - self.stress_before


def _headline(ax: Any, text: str, color: str) -> None:
    """The panel's headline number, bold in the top-right corner above the plot."""
    ax.annotate(
        text,
        xy=(1.0, 1.0),
        xycoords="axes fraction",
        ha="right",
        va="bottom",
        fontsize=11,
        fontweight="bold",
        color=color,
    )


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
    """
    today = today or datetime.now().astimezone().date()
    practice = [r for r in rows if r.is_practice]
    real = [r for r in practice if include_simulated or not r.simulated]
    excluded = len(practice) - len(real)
    simulated_ids = {r.id for r in rows if r.simulated and not include_simulated}
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

    def series(name: str, values: Sequence[float | None]) -> Series:
        arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        return Series(name, arr, _rolling_mean(t_s, arr, window_s))

    per_day: dict[date, list[SessionRow]] = {}
    for r in shown:
        per_day.setdefault(r.local_date, []).append(r)
    day_totals = tuple(
        DayTotal(d, sum(r.minutes for r in rs), len(rs)) for d, rs in sorted(per_day.items())
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
        minutes=series("minutes", [r.minutes for r in shown]),
        pace=series("pace (breaths/min)", [r.pace_bpm for r in shown]),
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
        excluded_other=len(rows) - len(practice),
        older_sessions=sum(1 for r in real if r.local_date < first_day),
        assessments=tuple(
            (a.time, a.rate_bpm) for a in assessments if first_day <= a.time.date() <= today
        ),
    )


# -- trends: text and CSV ------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{digits}f}{unit}"


def broken_line(x: np.ndarray, y: np.ndarray, max_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """The finite points of a line, broken (a NaN ``y`` at the midpoint) between neighbours more
    than ``max_gap`` apart.

    A rolling mean means nothing across a pause longer than its window, so its line breaks there
    (both matplotlib and pyqtgraph leave a gap at NaN).
    """
    keep = np.isfinite(y)
    x, y = np.asarray(x, dtype=float)[keep], np.asarray(y, dtype=float)[keep]
    if x.size < 2:
        return x, y
    cuts = np.flatnonzero(np.diff(x) > max_gap) + 1
    middle = (x[cuts - 1] + x[cuts]) / 2
    return np.insert(x, cuts, middle), np.insert(y, cuts, np.nan)


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
    ):
        first, last = _first_last_week(series, trends)
        if first is None:
            continue
        label = series.name.split(" (")[0]
        if _data_span_days(series, trends) < 2 * ROLLING_DAYS:
            # The first and the latest week would be the same sessions: no trend to tell yet.
            lines.append(f"{label:<10} {_fmt(float(np.nanmean(series.values)), digits, unit)} mean")
            continue
        lines.append(
            f"{label:<10} first week {_fmt(first, digits, unit)}, "
            f"latest week {_fmt(last, digits, unit)}"
        )
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


def _write_text(path: Path, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as err:
        raise ReportError(f"cannot write {path}: {err.strerror or err}") from None


# -- drawing helpers -----------------------------------------------------------------------------


def _style() -> Any:  # an rcParams mapping (typed by matplotlib as a dict of literal keys)
    return {
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.edgecolor": "#b8c0ca",
        "axes.labelcolor": INK,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.titlecolor": INK,
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": GRID,
        "grid.linewidth": 0.8,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "text.color": INK,
        "legend.frameon": False,
        "legend.fontsize": 9,
        "svg.fonttype": "none",
    }


def _new_figure(width_in: float, height_in: float) -> Figure:
    from matplotlib.figure import Figure

    # A bare Figure draws on the Agg canvas without pyplot: no global state, no display.
    return Figure(figsize=(width_in, height_in), dpi=100, facecolor="white")


def save_png(fig: Figure, path: Path, *, dpi: int = 110) -> None:
    """Write a figure as PNG."""
    try:
        fig.savefig(path, format="png", dpi=dpi, facecolor=fig.get_facecolor())
    except OSError as err:
        raise ReportError(f"cannot write {path}: {err.strerror or err}") from None


def figure_svg(fig: Figure) -> str:
    """A figure as an inline ``<svg>`` element (no XML prologue)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", facecolor=fig.get_facecolor())
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def html_page(
    title: str,
    sections: Sequence[tuple[str, str]],
    *,
    subtitle: str = "",
    heading: bool = True,
) -> str:
    """A self-contained page: ``sections`` are ``(heading, html)`` pairs (HTML already escaped).

    ``heading=False`` leaves out the visible title and subtitle, for a page whose first picture
    carries them already.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        "<style>",
        "body{font-family:'DejaVu Sans',system-ui,sans-serif;color:#263238;background:#f6f8fa;"
        "margin:0;padding:24px}",
        "main{max-width:1150px;margin:0 auto;background:#fff;border-radius:12px;padding:24px 32px;"
        "box-shadow:0 1px 4px rgba(0,0,0,.08)}",
        "h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}",
        ".sub{color:#6b7785;margin:0 0 16px}svg{max-width:100%;height:auto}",
        "table{border-collapse:collapse;font-size:14px}"
        "td,th{padding:4px 14px 4px 0;text-align:left}",
        "th{color:#6b7785;font-weight:normal}td.n{text-align:right;font-variant-numeric:tabular-nums}",
        "pre{background:#f6f8fa;padding:12px;border-radius:8px;font-size:13px;white-space:pre-wrap}",
        "footer{color:#6b7785;font-size:12px;margin-top:24px}",
        "</style></head><body><main>",
    ]
    if heading:
        parts.append(f"<h1>{html.escape(title)}</h1>")
    if heading and subtitle:
        parts.append(f'<p class="sub">{html.escape(subtitle)}</p>')
    for section, body in sections:
        if section:
            parts.append(f"<h2>{html.escape(section)}</h2>")
        parts.append(body)
    parts.append(
        "<footer>hrvcoach: training, not treatment. These numbers describe practice; "
        "they are not a diagnosis.</footer></main></body></html>"
    )
    return "\n".join(parts)


def _date_axis(ax: Any, first: date, last: date) -> None:
    import matplotlib.dates as mdates

    ax.set_xlim(
        mdates.date2num(datetime.combine(first, datetime.min.time())) - 0.5,
        mdates.date2num(datetime.combine(last, datetime.min.time())) + 1.5,
    )
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _local_naive(times: Sequence[datetime]) -> list[datetime]:
    # Plot each session at the wall-clock time the person saw, whatever zone they were in.
    return [t.replace(tzinfo=None) for t in times]


def _series_panel(
    ax: Any, trends: Trends, series: Series, color: str, digits: int, unit: str = ""
) -> None:
    x = _local_naive(trends.times)
    ok = np.isfinite(series.values)
    ax.scatter(
        [xi for xi, k in zip(x, ok, strict=True) if k],
        series.values[ok],
        s=22,
        color=color,
        alpha=0.45,
        edgecolors="none",
        label="session",
        zorder=3,
    )
    okr = np.isfinite(series.rolling)
    if okr.sum() >= 2:
        import matplotlib.dates as mdates

        line_x, line_y = broken_line(
            np.asarray(mdates.date2num(x), dtype=float), series.rolling, ROLLING_DAYS
        )
        ax.plot(
            line_x,  # date numbers: the axis already speaks dates
            line_y,
            color=color,
            lw=2.4,
            label=f"{ROLLING_DAYS}-day mean",
            zorder=4,
        )
    if ok.any():
        latest = series.rolling[okr][-1] if okr.any() else series.values[ok][-1]
        _headline(ax, f"{latest:.{digits}f}{unit}", color)
        lo, hi = np.nanmin(series.values), np.nanmax(series.values)
        pad = max((hi - lo) * 0.15, abs(hi) * 0.05, 10 ** (-digits))
        ax.set_ylim(max(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad)
    else:
        ax.text(0.5, 0.5, "no sessions yet", transform=ax.transAxes, ha="center", color=MUTED)
        ax.tick_params(labelleft=False)
    ax.set_ylabel(series.name)


# -- trends: the picture -------------------------------------------------------------------------


def trends_figure(trends: Trends) -> Figure:
    """Every trend on one page: metrics, pace, stress, weekly minutes and the practice calendar."""
    import matplotlib as mpl
    import matplotlib.dates as mdates

    with mpl.rc_context(_style()):
        span = (trends.last_day - trends.first_day).days + 1
        calendar_height = 0.45 if span <= DAILY_STRIP_MAX_DAYS else 1.1
        fig = _new_figure(11.0, 12.8 + calendar_height)
        grid = fig.add_gridspec(
            8, 1, height_ratios=[0.55, 1.5, 1.5, 1.3, 0.9, 1.3, 0.8, calendar_height], hspace=0.6
        )
        fig.subplots_adjust(left=0.08, right=0.97, top=0.975, bottom=0.035)
        head = fig.add_subplot(grid[0])
        head.axis("off")
        n = len(trends.sessions)
        head.text(0, 0.95, "Practice history", fontsize=18, fontweight="bold", va="top")
        head.text(
            0,
            0.25,
            f"{trends.first_day:%d %b %Y} – {trends.last_day:%d %b %Y}   ·   {n} session"
            f"{'s' * (n != 1)}   ·   {trends.total_minutes:.0f} min on {len(trends.days)} day"
            f"{'s' * (len(trends.days) != 1)}",
            fontsize=10.5,
            color=MUTED,
            va="top",
        )
        for i, (value, label) in enumerate(
            (
                (trends.streak_current_days, "day streak"),
                (trends.streak_longest_days, "longest"),
                (round(trends.weeks[-1].minutes) if trends.weeks else 0, "min this week"),
            )
        ):
            stat_x = 0.64 + i * 0.13
            head.text(
                stat_x, 0.95, f"{value}", fontsize=20, fontweight="bold", color=BREATH, va="top"
            )
            head.text(stat_x, 0.2, label, fontsize=9.5, color=MUTED, va="top")

        axes = [fig.add_subplot(grid[i]) for i in range(1, 8)]
        for ax in axes[1:]:
            ax.sharex(axes[0])
        ax_rmssd, ax_coh, ax_hr, ax_pace, ax_stress, ax_week, ax_cal = axes
        _series_panel(ax_rmssd, trends, trends.rmssd, RMSSD, 1, " ms")
        ax_rmssd.set_title("Heart rate variability  (higher is more capacity)")
        if trends.rmssd.has_data:
            ax_rmssd.legend(loc="upper left", ncols=2)
        _series_panel(ax_coh, trends, trends.coherence, COHERENCE, 2)
        ax_coh.set_title("Coherence  (how rhythmic the heart follows the breath)")
        _series_panel(ax_hr, trends, trends.mean_hr, HEART, 0, " bpm")
        ax_hr.set_title("Mean heart rate")

        x = _local_naive(trends.times)
        ok = np.isfinite(trends.pace.values)
        if trends.assessments:
            ax_pace.scatter(
                mdates.date2num(_local_naive([t for t, _ in trends.assessments])),
                [r for _, r in trends.assessments],
                s=90,
                marker="*",
                color=COHERENCE,
                zorder=4,
                label="resonance found by an assessment",
            )
            ax_pace.legend(loc="upper left")
        rates = [*trends.pace.values[ok], *(r for _, r in trends.assessments)]
        if rates:
            ax_pace.scatter(
                np.asarray(mdates.date2num(x), dtype=float)[ok],
                trends.pace.values[ok],
                s=30,
                marker="s",
                color=BREATH,
                edgecolors="none",
                zorder=3,
            )
            if np.isfinite(trends.pace.rolling).sum() >= 2:
                line_x, line_y = broken_line(
                    np.asarray(mdates.date2num(x), dtype=float), trends.pace.rolling, ROLLING_DAYS
                )
                ax_pace.plot(line_x, line_y, color=BREATH, lw=2.0, label=f"{ROLLING_DAYS}-day mean")
                ax_pace.legend(loc="upper left", ncols=2)
            ax_pace.set_ylim(min(min(rates) - 0.5, 5.0), max(max(rates) + 0.5, 7.0))
        else:
            ax_pace.text(
                0.5, 0.5, "no paced sessions", transform=ax_pace.transAxes, ha="center", color=MUTED
            )
            ax_pace.set_ylim(4, 8)
        ax_pace.set_ylabel("breaths/min")
        ax_pace.set_title("Pace used")

        _stress_panel(ax_stress, x, trends)

        # Weeks and the calendar share the date axis: a week is a bar from Monday, 7 days wide.
        week_x = [
            mdates.date2num(datetime.combine(w.week_start, datetime.min.time()))
            for w in trends.weeks
        ]
        week_min = [w.minutes for w in trends.weeks]
        ax_week.bar(
            week_x,
            week_min,
            width=6.6,
            align="edge",
            color=BREATH_SOFT,
            edgecolor=BREATH,
            linewidth=0.8,
        )
        for wx, minutes in zip(week_x, week_min, strict=True):
            if minutes > 0 and len(week_x) <= 20:
                ax_week.text(
                    wx + 3.3,
                    minutes,
                    f"{minutes:.0f}",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color=MUTED,
                )
        if trends.minutes_7d:
            ax_week.plot(
                [
                    mdates.date2num(datetime.combine(d, datetime.min.time())) + 0.5
                    for d, _ in trends.minutes_7d
                ],
                [m for _, m in trends.minutes_7d],
                color=BREATH,
                lw=1.6,
                label=f"minutes in the last {ROLLING_DAYS} days",
            )
            ax_week.legend(loc="upper left")
        top = max([*week_min, *(m for _, m in trends.minutes_7d), 10.0])
        ax_week.set_ylim(0, top * 1.35)
        ax_week.set_ylabel("min/week")
        ax_week.set_title("Minutes practised per week")
        ax_week.grid(axis="x", visible=False)

        _calendar_panel(ax_cal, trends)
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)
        return fig


def _calendar_panel(ax: Any, trends: Trends) -> None:
    import matplotlib.dates as mdates
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(HEAT)
    by_day = {d.day: d.minutes for d in trends.days}
    span = (trends.last_day - trends.first_day).days + 1
    daily = span <= DAILY_STRIP_MAX_DAYS
    monday = trends.first_day - timedelta(days=trends.first_day.weekday())
    day = trends.first_day if daily else monday
    xs, ys, colors = [], [], []
    while day <= trends.last_day:
        minutes = by_day.get(day, 0.0)
        level = 0 if minutes <= 0 else min(4, 1 + int(minutes // 10))
        cell = day if daily else day - timedelta(days=day.weekday())
        xs.append(mdates.date2num(datetime.combine(cell, datetime.min.time())))
        ys.append(0 if daily else day.weekday())
        colors.append(cmap(level) if trends.first_day <= day else "white")
        day += timedelta(days=1)
    ax.grid(False)
    if daily:
        # One cell per day on the shared date axis, right under the session dots.
        ax.bar(xs, 1.0, bottom=-0.5, width=0.86, align="edge", color=colors, linewidth=0)
        ax.set_ylim(0.9, -0.9)
        ax.set_yticks([])
        _date_axis(ax, trends.first_day, trends.last_day)
    else:
        ax.bar(
            xs,
            0.84,
            bottom=np.array(ys) - 0.42,
            width=6.6,
            align="edge",
            color=colors,
            edgecolor="white",
            linewidth=0.6,
        )
        ax.set_ylim(6.6, -0.6)
        ax.set_yticks([0, 2, 4, 6], ["Mon", "Wed", "Fri", "Sun"])
        _date_axis(ax, monday, trends.last_day)
    ax.set_title("Days practised  (darker = longer: <10, 10-20, 20-30, 30+ min)")


def _stress_panel(ax: Any, x: Sequence[datetime], trends: Trends) -> None:
    before, after = trends.stress_before, trends.stress_after
    shown = False
    for xi, b, a in zip(x, before, after, strict=True):
        if np.isfinite(b) and np.isfinite(a):
            color = CALMER if a < b else TENSER if a > b else SAME
            if a != b:
                ax.annotate(
                    "",
                    xy=(xi, a),
                    xytext=(xi, b),
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": color,
                        "lw": 1.8,
                        "shrinkA": 0,
                        "shrinkB": 0,
                    },
                )
            ax.plot([xi], [b], "o", color=color, ms=4, mfc="white")
            ax.plot([xi], [a], "o", color=color, ms=5)
            shown = True
        elif np.isfinite(b) or np.isfinite(a):
            ax.plot([xi], [b if np.isfinite(b) else a], "o", color=SAME, ms=4, mfc="white")
            shown = True
    both = np.isfinite(before) & np.isfinite(after)
    if both.any():
        change = float((after[both] - before[both]).mean())
        tone = CALMER if change < 0 else TENSER if change > 0 else SAME
        _headline(ax, f"{change:+.1f} on average", tone)
    if shown:
        ax.plot([], [], "o", color=SAME, ms=4, mfc="white", label="before")
        ax.plot([], [], "o", color=SAME, ms=5, label="after")
    else:
        ax.text(
            0.5,
            0.5,
            "no check-ins yet (--checkin-before / --checkin-after)",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=MUTED,
        )
    if np.isfinite(trends.stress_after_rolling).sum() >= 2:
        import matplotlib.dates as mdates

        days = np.asarray(mdates.date2num(list(x)), dtype=float)
        for values, style, label in (
            (trends.stress_before_rolling, "--", "before"),
            (trends.stress_after_rolling, "-", "after"),
        ):
            line_x, line_y = broken_line(days, values, ROLLING_DAYS)
            ax.plot(
                line_x,
                line_y,
                style,
                color=SAME,
                lw=1.6,
                label=f"{ROLLING_DAYS}-day mean {label}",
                zorder=2,
            )
    if shown:
        ax.legend(loc="upper left", ncols=4, handletextpad=0.3)
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks([0, 5, 10])
    ax.set_ylabel("stress (0-10)")
    ax.set_title("Self-rated stress, before → after each session  (down is calmer)")


def write_trends_png(trends: Trends, path: Path) -> None:
    """The trends picture as a PNG file."""
    save_png(trends_figure(trends), path)


def trends_html(trends: Trends) -> str:
    """The trends as a self-contained HTML page (inline SVG, text summary, table of sessions)."""
    svg = figure_svg(trends_figure(trends))
    rows = []
    for r in reversed(trends.sessions):
        rows.append(
            "<tr>"
            f"<td>{r.id}</td><td>{r.start:%Y-%m-%d %H:%M}</td>"
            f"<td>{html.escape(r.kind)}{' (sim)' if r.simulated else ''}</td>"
            f'<td class="n">{r.minutes:.1f}</td><td>{html.escape(r.pace_label or "-")}</td>'
            f'<td class="n">{_fmt(r.mean_hr_bpm, 0)}</td><td class="n">{_fmt(r.rmssd_ms, 1)}</td>'
            f'<td class="n">{_fmt(r.coherence, 2)}</td><td>{_stress_text(r)}</td>'
            "</tr>"
        )
    table = (
        "<table><tr><th>#</th><th>start</th><th>kind</th><th>min</th><th>pace</th><th>HR bpm</th>"
        "<th>RMSSD ms</th><th>coherence</th><th>stress</th></tr>" + "".join(rows) + "</table>"
    )
    return html_page(
        "Practice history",
        [
            ("", svg),
            ("In short", f"<pre>{html.escape(trends_text(trends))}</pre>"),
            ("Sessions", table),
        ],
        heading=False,  # the picture's own header has the title, the dates and the streaks
    )


def _stress_text(row: SessionRow) -> str:
    b, a = row.checkin.before, row.checkin.after
    if b is None and a is None:
        return "-"
    return f"{'?' if b is None else b} → {'?' if a is None else a}"


def write_trends_html(trends: Trends, path: Path) -> None:
    """The trends page as an HTML file."""
    _write_text(path, trends_html(trends))


# -- one session ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionReport:
    """One session, ready to draw.

    Attributes:
        title: What the session was (``"Practice 2026-11-22 07:30"``).
        summary: Whole-session numbers (``analysis.Summary.to_json()``).
        beat_t_s, hr_bpm: Time and instantaneous heart rate of every beat.
        artifact_t_s: Times of beats the artifact correction replaced.
        pacer_t_s, pacer_volume: The pacer curve (lung volume 0-1), empty without a pacer.
        pace_changes: ``(t_s, label)`` of each pace in force.
        live_t_s, live_rmssd_ms, live_coherence: The live metrics through the session.
        freq_hz, power_ms2_hz: RR spectrum.
        lf_band_hz, hf_band_hz: The bands shaded on the spectrum.
        peak_hz: The LF peak (resonance) frequency, if any.
        gaps: ``(t_s, duration_s)`` where the signal was lost.
        window_s: ``None`` when the live curves are the practice window's (one value per beat);
            for a long recording the length of the windows it is summarised in: then
            ``live_*`` hold one value per window (at its middle) and ``hr_window_*`` the median
            heart rate of each window with its 10th and 90th percentiles.
    """

    title: str
    subtitle: str
    summary: dict[str, object]
    beat_t_s: np.ndarray
    hr_bpm: np.ndarray
    artifact_t_s: np.ndarray
    pacer_t_s: np.ndarray
    pacer_volume: np.ndarray
    pace_changes: tuple[tuple[float, str], ...]
    live_t_s: np.ndarray
    live_rmssd_ms: np.ndarray
    live_coherence: np.ndarray
    freq_hz: np.ndarray
    power_ms2_hz: np.ndarray
    lf_band_hz: tuple[float, float]
    hf_band_hz: tuple[float, float]
    peak_hz: float | None
    gaps: tuple[tuple[float, float], ...]
    checkin: tuple[int | None, int | None, str | None] = (None, None, None)
    window_s: float | None = None
    hr_window_t_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hr_window_bpm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hr_window_low_bpm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hr_window_high_bpm: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def duration_s(self) -> float:
        return float(self.beat_t_s[-1]) if self.beat_t_s.size else 0.0


def session_report(
    recording: Recording,
    *,
    title: str | None = None,
    checkin: tuple[int | None, int | None, str | None] = (None, None, None),
    artifacts: str = "kubios",
    summary: Mapping[str, object] | None = None,
) -> SessionReport:
    """Everything the session pictures show, computed from a recording.

    Up to :data:`LONG_REPORT_S`, the live curves come from running the beats through
    :class:`hrvcoach.live.LiveHrv` as fast as it goes, so they are what the practice window showed.
    A longer recording is summarised in windows (see :func:`report_window_s`): per window the
    median heart rate and its 10th-90th percentiles, the RMSSD of the corrected beats inside it,
    and the mean of the 64 s coherence values ending inside it. The corrected beats, the spectrum
    and the coherence are those of the whole-session summary
    (:func:`hrvcoach.analysis.analyze_session`), so the artifact correction runs once.

    Args:
        recording: The session.
        title: The heading (default: kind and start time).
        checkin: Stress before, after and the note.
        artifacts: Artifact correction, ``"kubios"`` or ``"none"``.
        summary: The whole-session numbers if known already (the history keeps them), as
            ``Summary.to_json()``; shown instead of those computed here.
    """
    from hrvcoach import hrv
    from hrvcoach.analysis import analyze_session
    from hrvcoach.beats import Beat, Gap
    from hrvcoach.live import LiveHrv
    from hrvcoach.pacer import BreathPattern, Pacer
    from hrvcoach.store import pace_plan

    beats = recording.beats
    if len(beats) < 2:
        raise ReportError(f"{recording.path or 'recording'}: too few beats for a report")
    method = hrv.SpectralMethod()
    analysis = analyze_session(recording, artifacts=artifacts, spectral=method)
    numbers = dict(summary) if summary is not None else analysis.summary.to_json()
    spectrum = analysis.spectrum

    beat_t = np.array([b.t_s for b in beats], dtype=float)
    hr = 60000.0 / np.array([b.rr_ms for b in beats], dtype=float)
    # The marked peak is the summary's, so the picture and the numbers agree.
    lf_peak = numbers.get("lf_peak_hz")
    peak = float(lf_peak) if isinstance(lf_peak, int | float) and math.isfinite(lf_peak) else None

    window_s = report_window_s(float(beat_t[-1]))
    windows: dict[str, np.ndarray] = {}
    if window_s is None:
        live = LiveHrv(artifacts=artifacts)
        live_t, live_rmssd, live_coh = [], [], []
        for event in recording.events:
            if isinstance(event, Gap):
                live.gap(event)
            elif isinstance(event, Beat):
                m = live.update(event)
                live_t.append(m.t_s)
                live_rmssd.append(m.rmssd_ms if m.n_beats >= 10 else math.nan)
                live_coh.append(math.nan if m.coherence is None else m.coherence)
        windows.update(
            live_t=np.array(live_t, dtype=float),
            live_rmssd=np.array(live_rmssd, dtype=float),
            live_coh=np.array(live_coh, dtype=float),
        )
    else:
        windows = _window_metrics(beat_t, hr, analysis.stretches, window_s)

    plan = pace_plan(recording)
    pacer_t = np.zeros(0)
    pacer_v = np.zeros(0)
    # A breathing curve over hours would be a solid block: long recordings show the pace in words.
    if plan and window_s is None:
        try:
            pacer = Pacer(BreathPattern.parse(plan[0][1]), t0_s=plan[0][0])
            for t_s, label in plan[1:]:
                pacer.set_pattern(t_s, BreathPattern.parse(label))
            pacer_t = np.arange(plan[0][0], beat_t[-1], 0.25)
            pacer_v = np.array([pacer.volume(t) for t in pacer_t])
        except (ValueError, IndexError) as err:
            log.warning("cannot draw the pacer from %r: %s", plan, err)

    meta = recording.meta
    start = meta.start_time
    kind = "Simulated session" if meta.simulated else "Session"
    name = recording.path.name if recording.path else "recording"
    bits = [duration_text(float(beat_t[-1])), f"{len(beats)} beats"]
    if meta.device:
        bits.insert(0, meta.device)
    if plan:
        bits.append("pace " + ", ".join(label for _, label in plan) + " breaths/min")
    bits.append(name)
    return SessionReport(
        title=title or (f"{kind} of {start:%d %b %Y, %H:%M}" if start else f"{kind}: {name}"),
        subtitle="   ·   ".join(bits),
        summary=numbers,
        beat_t_s=beat_t,
        hr_bpm=hr,
        artifact_t_s=analysis.artifact_t_s,
        pacer_t_s=pacer_t,
        pacer_volume=pacer_v,
        pace_changes=plan,
        live_t_s=windows["live_t"],
        live_rmssd_ms=windows["live_rmssd"],
        live_coherence=windows["live_coh"],
        freq_hz=spectrum.frequency_hz if spectrum is not None else np.zeros(0),
        power_ms2_hz=spectrum.power_ms2_per_hz if spectrum is not None else np.zeros(0),
        lf_band_hz=method.lf_hz,
        hf_band_hz=method.hf_hz,
        peak_hz=peak,
        gaps=tuple((g.t_s, g.duration_s) for g in recording.gaps),
        checkin=checkin,
        window_s=window_s,
        hr_window_t_s=windows.get("hr_t", np.zeros(0)),
        hr_window_bpm=windows.get("hr_mid", np.zeros(0)),
        hr_window_low_bpm=windows.get("hr_low", np.zeros(0)),
        hr_window_high_bpm=windows.get("hr_high", np.zeros(0)),
    )


def duration_text(duration_s: float) -> str:
    """``"12.5 min"``, or ``"21.1 h"`` from 90 minutes on."""
    minutes = duration_s / 60.0
    return f"{minutes:.1f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def report_window_s(duration_s: float) -> float | None:
    """The window a recording of ``duration_s`` is summarised in: ``None`` (beat by beat) up to
    :data:`LONG_REPORT_S`, else the shortest of :data:`REPORT_WINDOWS_S` that gives at most
    :data:`MAX_REPORT_WINDOWS` windows (5 minutes for 24 hours, the usual Holter segment)."""
    if duration_s <= LONG_REPORT_S:
        return None
    return next(
        (w for w in REPORT_WINDOWS_S if duration_s / w <= MAX_REPORT_WINDOWS), REPORT_WINDOWS_S[-1]
    )


def _window_metrics(
    beat_t_s: np.ndarray,
    hr_bpm: np.ndarray,
    corrected: Sequence[CorrectedStretch],
    window_s: float,
) -> dict[str, np.ndarray]:
    """Heart rate, RMSSD and coherence per window of ``window_s`` (see :func:`session_report`)."""
    count = max(1, math.ceil(float(beat_t_s[-1]) / window_s))
    middle = (np.arange(count) + 0.5) * window_s

    def bins(t_s: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(t_s) // window_s).astype(int), 0, count - 1)

    hr_mid, hr_low, hr_high = (np.full(count, np.nan) for _ in range(3))
    which = bins(beat_t_s)
    order = np.argsort(which, kind="stable")
    starts = np.searchsorted(which[order], np.arange(count + 1))
    for i in range(count):
        inside = hr_bpm[order[starts[i] : starts[i + 1]]]
        if inside.size:
            hr_low[i], hr_mid[i], hr_high[i] = np.percentile(inside, [10, 50, 90])

    sq_sum = np.zeros(count)
    diffs = np.zeros(count)
    coh_sum = np.zeros(count)
    coh_n = np.zeros(count)
    for stretch in corrected:
        if stretch.rr_ms.size >= 2:
            k = bins(stretch.t_s[1:])
            np.add.at(sq_sum, k, np.diff(stretch.rr_ms) ** 2)
            np.add.at(diffs, k, 1)
        series = stretch.coherence
        if series.ratio.size:
            k = bins(series.t_s)
            np.add.at(coh_sum, k, series.ratio)
            np.add.at(coh_n, k, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rmssd = np.where(diffs >= MIN_WINDOW_DIFFS, np.sqrt(sq_sum / diffs), np.nan)
        coh = np.where(coh_n > 0, coh_sum / coh_n, np.nan)
    return {
        "live_t": middle,
        "live_rmssd": rmssd,
        "live_coh": coh,
        "hr_t": middle,
        "hr_mid": hr_mid,
        "hr_low": hr_low,
        "hr_high": hr_high,
    }


def _time_axis(ax: Any, duration_s: float) -> str:
    """Ticks in minutes, or in hours beyond three hours; returns the axis label."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    ax.set_xlim(0, max(duration_s, 1.0))
    if duration_s > 3 * 3600:
        hours = duration_s / 3600.0
        step = next(s for s in (0.5, 1, 2, 3, 4, 6, 12, 24, 1e9) if hours / s <= 12)
        ax.xaxis.set_major_locator(MultipleLocator(step * 3600))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 3600:g}"))
        return "hours"
    minutes = duration_s / 60.0
    step = next(s for s in (0.5, 1, 2, 5, 10, 15, 30, 60, 1e9) if minutes / s <= 12)
    ax.xaxis.set_major_locator(MultipleLocator(step * 60))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 60:g}"))
    return "minutes"


def summary_lines(report: SessionReport) -> list[tuple[str, str]]:
    """The summary numbers as ``(label, value with unit)`` rows."""
    s = report.summary

    def num(key: str, digits: int, unit: str = "") -> str:
        value = s.get(key)
        if value is None or isinstance(value, str):
            return "-"
        value = float(value)  # type: ignore[arg-type]
        return f"{value:.{digits}f}{unit}" if math.isfinite(value) else "-"

    peak = s.get("lf_peak_hz")
    peak_text = num("lf_peak_hz", 3, " Hz")
    if isinstance(peak, int | float) and math.isfinite(peak):
        peak_text += f" ({peak * 60:.1f} breaths/min)"
    rows = [
        ("Duration", duration_text(report.duration_s)),
        ("Beats", num("beats", 0)),
        ("Mean heart rate", num("mean_hr_bpm", 1, " bpm")),
        ("RMSSD", num("rmssd_ms", 1, " ms")),
        ("SDNN", num("sdnn_ms", 1, " ms")),
        ("pNN50", num("pnn50_pct", 1, " %")),
        ("LF power", num("lf_ms2", 0, " ms²")),
        ("HF power", num("hf_ms2", 0, " ms²")),
        ("LF/HF", num("lf_hf", 2)),
        ("LF peak", peak_text),
        ("Coherence", num("coherence", 2)),
        ("Artifacts corrected", num("artifacts_corrected", 0)),
    ]
    before, after, note = report.checkin
    if before is not None or after is not None:
        rows.append(
            (
                "Stress before → after",
                f"{'?' if before is None else before} → {'?' if after is None else after}  (0-10)",
            )
        )
    if note:
        rows.append(("Note", note if len(note) <= 40 else note[:39] + "…"))
    return rows


def session_text(report: SessionReport) -> str:
    """The summary numbers for a terminal."""
    rows = summary_lines(report)
    width = max(len(label) for label, _ in rows)
    lines = [report.title, report.subtitle.replace("   ·   ", ", ")]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


def session_figure(report: SessionReport) -> Figure:
    """Heart rate with the pacer, RMSSD and coherence over time, the spectrum and the numbers."""
    import matplotlib as mpl

    with mpl.rc_context(_style()):
        fig = _new_figure(11.0, 10.5)
        grid = fig.add_gridspec(
            4,
            2,
            height_ratios=[0.22, 1.7, 1.2, 1.7],
            width_ratios=[1.5, 1.0],
            hspace=0.55,
            wspace=0.18,
        )
        fig.subplots_adjust(left=0.07, right=0.93, top=0.965, bottom=0.06)
        head = fig.add_subplot(grid[0, :])
        head.axis("off")
        head.text(0, 1.0, report.title, fontsize=17, fontweight="bold", va="top")
        head.text(0, 0.1, report.subtitle, fontsize=10, color=MUTED, va="top")

        ax_hr = fig.add_subplot(grid[1, :])
        ax_live = fig.add_subplot(grid[2, :], sharex=ax_hr)
        _hr_panel(ax_hr, report)
        _live_panel(ax_live, report)
        ax_hr.tick_params(labelbottom=False)
        ax_live.set_xlabel(_time_axis(ax_live, report.duration_s))

        ax_spec = fig.add_subplot(grid[3, 0])
        _spectrum_panel(ax_spec, report)
        ax_num = fig.add_subplot(grid[3, 1])
        _numbers_panel(ax_num, report)
        return fig


def _hr_panel(ax: Any, report: SessionReport) -> None:
    for t0, dur in report.gaps:
        ax.axvspan(t0, t0 + dur, color="#eceff3", zorder=0, lw=0)
    if report.pacer_t_s.size:
        breath = ax.twinx()
        breath.fill_between(
            report.pacer_t_s,
            0,
            report.pacer_volume,
            color=BREATH_SOFT,
            lw=0,
            zorder=0,
            label="pacer (up = inhale)",
        )
        breath.plot(report.pacer_t_s, report.pacer_volume, color=BREATH, lw=0.8, alpha=0.8)
        breath.set_ylim(0, 2.4)  # the breath fills the lower part; heart rate reads above it
        breath.set_yticks([])
        breath.spines["right"].set_visible(False)
        breath.grid(False)
        ax.set_zorder(breath.get_zorder() + 1)
        ax.patch.set_visible(False)
    if report.window_s is not None:
        _hr_windows(ax, report)
        return
    ax.plot(report.beat_t_s, report.hr_bpm, color=HEART, lw=1.3, label="heart rate")
    if report.artifact_t_s.size:
        hr_at = np.interp(report.artifact_t_s, report.beat_t_s, report.hr_bpm)
        ax.plot(
            report.artifact_t_s,
            hr_at,
            "x",
            color=ARTIFACT,
            ms=7,
            mew=1.8,
            label=f"corrected beat ({report.artifact_t_s.size})",
        )
    lo, hi = np.percentile(report.hr_bpm, [0.5, 99.5])
    pad = max(3.0, (hi - lo) * 0.15)
    # Room below for the breathing band and above for the legend.
    ax.set_ylim(lo - pad - (hi - lo) * 0.5, hi + pad + (hi - lo) * 0.4)
    ax.set_ylabel("heart rate (bpm)")
    if report.pacer_t_s.size:
        ax.set_title("Heart rate and the pacer  (the heart should rise with each in-breath)")
    else:
        ax.set_title("Heart rate  (no pacer in this recording)")
    handles, labels = ax.get_legend_handles_labels()
    if report.pacer_t_s.size:
        from matplotlib.patches import Patch

        handles.append(Patch(color=BREATH_SOFT, label="pacer: breathing in ↑, out ↓"))
        labels.append("pacer: breathing in ↑, out ↓")
    ax.legend(
        handles,
        labels,
        loc="upper right",
        ncols=3,
        frameon=True,
        framealpha=0.85,
        facecolor="white",
        edgecolor="none",
    )


def _window_text(window_s: float) -> str:
    return f"{window_s / 60:g} min"


def _hr_windows(ax: Any, report: SessionReport) -> None:
    """Heart rate of a long recording: median per window, the 10th-90th percentile band, and the
    corrected beats as a rug along the bottom (hundreds of crosses would hide the curve)."""
    every = _window_text(report.window_s or 0.0)
    t = report.hr_window_t_s
    ax.fill_between(
        t,
        report.hr_window_low_bpm,
        report.hr_window_high_bpm,
        color=HEART,
        alpha=0.22,
        lw=0,
        label="10th-90th percentile",
    )
    ax.plot(t, report.hr_window_bpm, color=HEART, lw=1.6, label=f"median per {every}")
    ok = np.isfinite(report.hr_window_bpm)
    lo = float(np.nanmin(report.hr_window_low_bpm[ok])) if ok.any() else 40.0
    hi = float(np.nanmax(report.hr_window_high_bpm[ok])) if ok.any() else 100.0
    pad = max(3.0, (hi - lo) * 0.15)
    bottom, top = lo - pad - (hi - lo) * 0.15, hi + pad + (hi - lo) * 0.35
    if report.artifact_t_s.size:
        ax.plot(
            report.artifact_t_s,
            np.full(report.artifact_t_s.size, bottom + (top - bottom) * 0.03),
            "|",
            color=ARTIFACT,
            ms=8,
            mew=0.8,
            alpha=0.6,
            label=f"corrected beat ({report.artifact_t_s.size})",
        )
    ax.set_ylim(bottom, top)
    ax.set_ylabel("heart rate (bpm)")
    pace = (
        ""
        if not report.pace_changes
        else "; pace " + ", ".join(label for _, label in report.pace_changes)
    )
    ax.set_title(f"Heart rate, in {every} windows  (a long recording{pace})")
    ax.legend(
        loc="upper right",
        ncols=3,
        frameon=True,
        framealpha=0.85,
        facecolor="white",
        edgecolor="none",
    )


def _live_panel(ax: Any, report: SessionReport) -> None:
    ok = np.isfinite(report.live_rmssd_ms)
    windowed = report.window_s is not None
    every = _window_text(report.window_s or 0.0)
    ax.plot(
        report.live_t_s[ok],
        report.live_rmssd_ms[ok],
        color=RMSSD,
        lw=1.8,
        label=f"RMSSD per {every} (ms)" if windowed else "RMSSD, last 60 s (ms)",
    )
    ax.set_ylabel("RMSSD (ms)", color=RMSSD)
    if ok.any():
        ax.set_ylim(0, np.nanmax(report.live_rmssd_ms) * 1.2)
    coh = ax.twinx()
    coh.grid(False)
    coh.spines["right"].set_visible(True)
    okc = np.isfinite(report.live_coherence)
    coh.plot(
        report.live_t_s[okc],
        report.live_coherence[okc],
        color=COHERENCE,
        lw=1.8,
        label=f"coherence, mean per {every}" if windowed else "coherence, last 64 s",
    )
    coh.set_ylabel("coherence", color=COHERENCE)
    top = float(np.nanmax(report.live_coherence)) if okc.any() else 1.0
    coh.set_ylim(0, max(1.0, top * 1.15))
    ax.set_title(
        "RMSSD and coherence through the recording"
        if windowed
        else "RMSSD and coherence through the session"
    )
    handles = ax.get_legend_handles_labels()[0] + coh.get_legend_handles_labels()[0]
    ax.legend(handles, [str(h.get_label()) for h in handles], loc="upper left", ncols=2)


def _spectrum_panel(ax: Any, report: SessionReport) -> None:
    lf, hf = report.lf_band_hz, report.hf_band_hz
    ax.axvspan(*lf, color=LF_BAND, lw=0)
    ax.axvspan(*hf, color=HF_BAND, lw=0)
    for (lo, hi), name in ((lf, "LF"), (hf, "HF")):
        ax.text(
            (lo + hi) / 2,
            0.97,
            f"{name}\n{lo:g}-{hi:g} Hz",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=8.5,
            color=MUTED,
        )
    if report.freq_hz.size:
        sel = report.freq_hz <= 0.5
        ax.plot(report.freq_hz[sel], report.power_ms2_hz[sel], color=INK, lw=1.5)
        ax.fill_between(report.freq_hz[sel], 0, report.power_ms2_hz[sel], color=INK, alpha=0.07)
        top = float(report.power_ms2_hz[sel].max())
        # Slow drifts (below the LF band) can dwarf the bands that matter here; scale to the bands
        # and say that the very-low frequencies run off the top.
        bands = sel & (report.freq_hz >= lf[0])
        in_bands = float(report.power_ms2_hz[bands].max()) if bands.any() else top
        if 0 < in_bands < top / 3:
            top = in_bands
            ax.set_title("RR spectrum  (very-low frequencies run off the top)")
        ax.set_ylim(0, top * 1.25 if top > 0 else 1)
        if report.peak_hz is not None:
            p = float(np.interp(report.peak_hz, report.freq_hz, report.power_ms2_hz))
            ax.plot([report.peak_hz], [p], "v", color=COHERENCE, ms=8)
            ax.annotate(
                f"peak {report.peak_hz:.3f} Hz\n= {report.peak_hz * 60:.1f} breaths/min",
                xy=(report.peak_hz, p),
                # Beside a tall peak; above a low one, where it cannot run into the axis labels.
                xytext=(12, -6) if p > 0.5 * top else (6, 12),
                textcoords="offset points",
                fontsize=9,
                color=INK,
                va="top" if p > 0.5 * top else "bottom",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    else:
        ax.text(
            0.5, 0.5, "too short for a spectrum", transform=ax.transAxes, ha="center", color=MUTED
        )
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(_short_number))
    ax.set_xlim(0, 0.5)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (ms²/Hz)")
    if not ax.get_title():
        ax.set_title("RR spectrum")


def _short_number(value: float, _pos: object = None) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def _numbers_panel(ax: Any, report: SessionReport) -> None:
    ax.axis("off")
    ax.set_title("Whole session")
    rows = summary_lines(report)
    step = 1.0 / (len(rows) + 0.5)
    for i, (label, value) in enumerate(rows):
        y = 1.0 - (i + 0.6) * step
        ax.text(0.0, y, label, color=MUTED, fontsize=10, va="center", transform=ax.transAxes)
        ax.text(
            1.0,
            y,
            value,
            color=INK,
            fontsize=10,
            va="center",
            ha="right",
            fontweight="bold",
            transform=ax.transAxes,
        )


def write_session_png(report: SessionReport, path: Path) -> None:
    """The session picture as a PNG file."""
    save_png(session_figure(report), path)


def session_html(report: SessionReport) -> str:
    """The session as a self-contained HTML page (inline SVG and the numbers as a table)."""
    svg = figure_svg(session_figure(report))
    table = (
        "<table>"
        + "".join(
            f'<tr><th>{html.escape(label)}</th><td class="n">{html.escape(value)}</td></tr>'
            for label, value in summary_lines(report)
        )
        + "</table>"
    )
    # The picture carries the title and the subtitle; the table repeats its numbers as text.
    return html_page(report.title, [("", svg), ("Numbers", table)], heading=False)


def write_session_html(report: SessionReport, path: Path) -> None:
    """The session page as an HTML file."""
    _write_text(path, session_html(report))
