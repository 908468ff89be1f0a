"""Shared styling of the report pictures: the palette, matplotlib settings, the HTML page and
the drawing helpers every picture uses."""

from __future__ import annotations

import html
import io
import math
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.errors import HrvCoachError

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
