"""Numbers and clocks in words, for every view (the practice window, the terminal dashboard).

Plain functions of plain values: ``"–"`` stands for a value that is not there.
"""

from __future__ import annotations

import math


def fmt_clock(t_s: float | None, *, nearest: bool = False) -> str:
    """``"m:ss"`` (``"h:mm:ss"`` from an hour) for a duration in seconds; ``"–"`` for none.

    A running clock shows whole seconds passed (floor); a finished duration (``nearest``) rounds,
    so a 10-minute session whose last beat came at 599.6 s reads 10:00.
    """
    if t_s is None or not math.isfinite(t_s):
        return "–"
    total = max(0, round(t_s) if nearest else int(t_s))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def fmt_number(value: float | None, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"
