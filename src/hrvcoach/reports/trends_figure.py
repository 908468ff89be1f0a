"""The trends picture: every trend on one page, as PNG and as a self-contained HTML page."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.reports.styling import (
    BREATH,
    BREATH_SOFT,
    CALMER,
    COHERENCE,
    HEART,
    HEAT,
    MUTED,
    RMSSD,
    SAME,
    TENSER,
    _date_axis,
    _fmt,
    _headline,
    _local_naive,
    _new_figure,
    _style,
    _write_text,
    broken_line,
    figure_svg,
    html_page,
    save_png,
)
from hrvcoach.reports.trends import DAILY_STRIP_MAX_DAYS, ROLLING_DAYS, Series, Trends, trends_text
from hrvcoach.reports.trends_training import training_panels
from hrvcoach.store import SessionRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hrvcoach.protocols.history import CapacityTrends


# -- trends: the picture -------------------------------------------------------------------------


def _series_panel(
    ax: Any, trends: Trends, series: Series, color: str, digits: int, unit: str = ""
) -> None:
    x = _local_naive(trends.times)
    ok = np.isfinite(series.values)
    poor = trends.poor_signal if trends.poor_signal.size == ok.size else np.zeros_like(ok)
    solid = ok & ~poor
    ax.scatter(
        [xi for xi, k in zip(x, solid, strict=True) if k],
        series.values[solid],
        s=22,
        color=color,
        alpha=0.45,
        edgecolors="none",
        label="session",
        zorder=3,
    )
    hollow = ok & poor
    if hollow.any():
        # A poor signal: shown, hollow, and left out of the rolling mean.
        ax.scatter(
            [xi for xi, k in zip(x, hollow, strict=True) if k],
            series.values[hollow],
            s=22,
            facecolors="none",
            edgecolors=color,
            linewidths=1.2,
            label="poor signal",
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


def simulated_note(trends: Trends) -> str | None:
    """What the picture says about simulated sessions, if anything."""
    if trends.simulated_only:
        return "No session with a strap yet: these are simulated sessions."
    if trends.excluded_simulated:
        return (
            f"{trends.excluded_simulated} simulated session(s) left out: "
            "hrvcoach trends --include-simulated shows them."
        )
    return None


def trends_figure(trends: Trends) -> Figure:
    """Every trend on one page: metrics, pace, stress, weekly minutes and the practice calendar."""
    import matplotlib as mpl
    import matplotlib.dates as mdates

    with mpl.rc_context(_style()):
        span = (trends.last_day - trends.first_day).days + 1
        calendar_height = 0.45 if span <= DAILY_STRIP_MAX_DAYS else 1.1
        fig = _new_figure(11.0, 18.6 + calendar_height)
        ratios = [0.55, 1.5, 1.5, 1.3, 1.3, 0.9, 1.3, 0.9, 1.3, 1.0, 0.8, calendar_height]
        grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0.65)
        fig.subplots_adjust(left=0.08, right=0.97, top=0.98, bottom=0.025)
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
        note = simulated_note(trends)
        if note:
            head.text(0, -0.25, note, fontsize=9.5, color=MUTED, va="top")
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

        axes = [fig.add_subplot(grid[i]) for i in range(1, len(ratios))]
        for ax in axes[1:]:
            ax.sharex(axes[0])
        ax_rmssd, ax_coh, ax_high, ax_swing, ax_level, ax_hr = axes[:6]
        ax_pace, ax_stress, ax_goal, ax_week, ax_cal = axes[6:]
        training_panels(ax_high, ax_swing, ax_level, ax_goal, trends)
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
    """The trends picture as a PNG file, the capacity panels under it when there are any."""
    capacity = trends.capacity
    if capacity is None or capacity.empty:
        save_png(trends_figure(trends), path)
        return
    from hrvcoach.reports.capacity import stack_png

    stack_png([trends_figure(trends), _capacity_figure(trends, capacity)], path)


def _capacity_figure(trends: Trends, capacity: CapacityTrends) -> Figure:
    from hrvcoach.reports.capacity import capacity_figure

    # the practice panels' days, so the two pictures line up
    first = datetime.combine(trends.first_day, datetime.min.time())
    last = datetime.combine(trends.last_day, datetime.min.time())
    return capacity_figure(capacity, first=first, last=last)


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
    sections = [
        ("", svg),
        ("In short", f"<pre>{html.escape(trends_text(trends))}</pre>"),
        ("Sessions", table),
    ]
    if trends.capacity is not None and not trends.capacity.empty:
        sections.insert(1, ("", figure_svg(_capacity_figure(trends, trends.capacity))))
    return html_page(
        "Practice history",
        sections,
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
