"""One trends panel: a metric per session over the date axis the other panels share."""

from __future__ import annotations

from typing import Any

import numpy as np

from hrvcoach.reports.styling import MUTED, _headline, _local_naive, broken_line
from hrvcoach.reports.trends import ROLLING_DAYS, Series, Trends


def series_panel(
    ax: Any, trends: Trends, series: Series, color: str, digits: int, unit: str = ""
) -> None:
    """One metric per session as dots, its rolling mean as a line, the latest value as a headline.

    Sessions with a poor signal are drawn hollow and are not in the rolling mean.
    """
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
