"""The training panels of the trends picture: minutes in the high zone, swing per breath, the
level over time and the days the daily goal was met (docs/training.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from hrvcoach.reports.styling import BREATH, BREATH_SOFT, COHERENCE, HEART, MUTED, _headline
from hrvcoach.reports.trends import Trends

#: colour of the high zone (the practice window's zone colours use the same hue)
HIGH_ZONE = "#3f9a5a"


def training_panels(ax_high: Any, ax_swing: Any, ax_level: Any, ax_goal: Any, t: Trends) -> None:
    """Draw the four training panels on axes that share the date axis of the others."""
    from hrvcoach.reports.trends_figure import _series_panel

    _series_panel(ax_high, t, t.minutes_in_high, HIGH_ZONE, 1, " min")
    ax_high.set_title("Minutes in the high coherence zone  (time in rhythm, per session)")
    _series_panel(ax_swing, t, t.swing, HEART, 1, " bpm")
    ax_swing.set_title("Heart-rate swing per breath  (the size of a rep)")
    _level_panel(ax_level, t)
    _goal_panel(ax_goal, t)


def _level_panel(ax: Any, t: Trends) -> None:
    import matplotlib.dates as mdates

    from hrvcoach.reports.styling import _local_naive

    values = t.level.values
    ok = np.isfinite(values)
    if ok.any():
        x = np.asarray(mdates.date2num(_local_naive(t.times)), dtype=float)[ok]
        ax.step(x, values[ok], where="post", color=COHERENCE, lw=2.0)
        ax.scatter(x, values[ok], s=18, color=COHERENCE, zorder=3)
        _headline(ax, f"level {int(values[ok][-1])}", COHERENCE)
    else:
        ax.text(0.5, 0.5, "no levels yet", transform=ax.transAxes, ha="center", color=MUTED)
    ax.set_ylim(0.5, 4.5)
    ax.set_yticks([1, 2, 3, 4])
    ax.set_ylabel("level")
    ax.set_title("Challenge level")


def _goal_panel(ax: Any, t: Trends) -> None:
    import matplotlib.dates as mdates

    days = [d for d in t.goal_days if d[1] > 0]
    if days:
        x = [mdates.date2num(datetime.combine(d, datetime.min.time())) for d, _, _ in days]
        ax.bar(
            x,
            [m for _, m, _ in days],
            width=0.86,
            align="edge",
            color=[BREATH if met else BREATH_SOFT for _, _, met in days],
            edgecolor=BREATH,
            linewidth=0.6,
        )
        ax.set_ylim(0, max(max(m for _, m, _ in days), t.goal_minutes) * 1.3)
    else:
        ax.set_ylim(0, t.goal_minutes * 1.3)
        ax.text(0.5, 0.5, "no practice yet", transform=ax.transAxes, ha="center", color=MUTED)
    ax.axhline(t.goal_minutes, color=MUTED, lw=1.0, ls="--", label=f"goal {t.goal_minutes:g} min")
    ax.legend(loc="upper left")
    _headline(ax, f"{t.goal_days_met} of {len(t.goal_days)} days", BREATH)
    ax.set_ylabel("min/day")
    ax.set_title("Days the daily goal was met")
    ax.grid(axis="x", visible=False)
