"""The capacity panels of the trends picture: resting ln RMSSD with its baseline band, the
deep-breathing test's HR difference, and the recovery drill's tau and HRR60, each over time.

Drawn from :class:`hrvcoach.protocols.history.CapacityTrends` (plain values), so the PNG, the HTML
page and the trends window show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.reports.styling import (
    BREATH,
    BREATH_SOFT,
    COHERENCE,
    HEART,
    MUTED,
    RMSSD,
    ReportError,
    _headline,
    _local_naive,
    _new_figure,
    _style,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hrvcoach.protocols.history import CapacitySeries, CapacityTrends

TITLES = (
    "Resting check: ln RMSSD, your 7-day baseline and usual range  (higher is more capacity)",
    "Deep-breathing test: heart-rate difference per breath  (larger is a stronger swing)",
    "Recovery drill: time constant tau of the return  (shorter is a quicker return)",
    "Recovery drill: HRR60, the drop in the first minute  (larger is a quicker return)",
)
COLORS = (RMSSD, COHERENCE, BREATH, HEART)
DIGITS = (2, 1, 0, 0)


def _panel(ax: Any, series: CapacitySeries, title: str, color: str, digits: int) -> None:
    import matplotlib.dates as mdates

    ax.set_title(title)
    ax.set_ylabel(series.unit)
    if series.empty:
        ax.text(0.5, 0.5, "no readings yet", transform=ax.transAxes, ha="center", color=MUTED)
        ax.tick_params(labelleft=False)
        return
    x = np.asarray(mdates.date2num(_local_naive(list(series.times))), dtype=float)
    y = np.asarray(series.values, dtype=float)
    if series.band_low:
        low, high, base = series.band_arrays()
        banded = np.isfinite(low) & np.isfinite(high)
        if banded.sum() >= 2:
            ax.fill_between(
                x[banded],
                low[banded],
                high[banded],
                color=BREATH_SOFT,
                alpha=0.6,
                lw=0,
                label="usual range",
                step="post",
            )
        if np.isfinite(base).sum() >= 2:
            ax.plot(x, base, color=color, lw=2.0, label="7-day baseline")
    ax.plot(x, y, color=color, lw=0.8, alpha=0.5)
    ax.scatter(x, y, s=26, color=color, edgecolors="none", zorder=3, label="reading")
    _headline(ax, f"{y[-1]:.{digits}f} {series.unit}", color)
    lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
    pad = max((hi - lo) * 0.2, abs(hi) * 0.05, 10.0 ** (-digits))
    ax.set_ylim(lo - pad, hi + pad)
    ax.legend(loc="upper left", ncols=3)


def capacity_figure(capacity: CapacityTrends, *, first: datetime, last: datetime) -> Figure:
    """The four capacity panels on one page, on the date axis ``first`` .. ``last``."""
    import matplotlib as mpl

    from hrvcoach.reports.styling import _date_axis

    with mpl.rc_context(_style()):
        fig = _new_figure(11.0, 9.0)
        grid = fig.add_gridspec(5, 1, height_ratios=[0.35, 1.3, 1.1, 1.1, 1.1], hspace=0.6)
        fig.subplots_adjust(left=0.08, right=0.97, top=0.97, bottom=0.05)
        head = fig.add_subplot(grid[0])
        head.axis("off")
        head.text(0, 0.9, "Capacity", fontsize=18, fontweight="bold", va="top")
        head.text(
            0,
            0.1,
            "Your own checks and drills over time: observations to follow, not a diagnosis",
            fontsize=10.5,
            color=MUTED,
            va="top",
        )
        axes = [fig.add_subplot(grid[i]) for i in range(1, 5)]
        for ax in axes[1:]:
            ax.sharex(axes[0])
        for ax, series, title, color, digits in zip(
            axes, capacity.panels(), TITLES, COLORS, DIGITS, strict=True
        ):
            _panel(ax, series, title, color, digits)
        _date_axis(axes[-1], first.date(), last.date())
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)
        return fig


def capacity_span(capacity: CapacityTrends) -> tuple[datetime, datetime] | None:
    """The first and last reading's times, or ``None`` without readings."""
    times = [t for s in capacity.panels() for t in s.times]
    return (min(times), max(times)) if times else None


def capacity_text(capacity: CapacityTrends) -> str:
    """The latest value of each capacity measure, a line each (empty without readings)."""
    lines = []
    for series, digits in zip(capacity.panels(), DIGITS, strict=True):
        if series.empty:
            continue
        n = len(series.values)
        line = (
            f"{series.label}: {series.values[-1]:.{digits}f} {series.unit} on "
            f"{series.times[-1]:%Y-%m-%d} ({n} reading{'s' * (n != 1)})"
        )
        if series.baseline and series.baseline[-1] is not None:
            line += f"; 7-day baseline {series.baseline[-1]:.{digits}f}"
        lines.append(line)
    return "\n".join(lines)


def stack_png(figures: Sequence[Figure], path: Path, *, dpi: int = 110) -> None:
    """Several figures one under the other in one PNG (the trends page and its capacity panels).

    Raises:
        ReportError: The file cannot be written.
    """
    import matplotlib.image as mpimg
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    images = []
    for fig in figures:
        fig.set_dpi(dpi)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        images.append(np.asarray(canvas.buffer_rgba()))
    width = max(img.shape[1] for img in images)
    padded = [
        np.pad(img, ((0, 0), (0, width - img.shape[1]), (0, 0)), constant_values=255)
        for img in images
    ]
    try:
        mpimg.imsave(path, np.vstack(padded), format="png")
    except OSError as err:
        raise ReportError(f"cannot write {path}: {err.strerror or err}") from None
