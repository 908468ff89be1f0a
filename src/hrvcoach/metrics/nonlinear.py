"""Nonlinear HRV (SampEn, ApEn, DFA α1 and α2) and the 5-minute-window measures (SDANN, SDNN index).

The nonlinear set is neurokit2's: ``entropy_sample`` and ``entropy_approximate`` with embedding
dimension 2 and tolerance 0.2 × SD (ddof 1), ``fractal_dfa`` (integrated series, 50 % overlapping
windows, linear detrending) over every window size from 4 to 16 beats (α1) and from 16 to 64 (α2);
Kubios' sizes (4-12 and 13-64) are a parameter. Over a whole day these cost minutes and memory,
so long recordings are measured in 5-minute windows (:func:`windowed`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

#: DFA window sizes in beats: short term (α1) and long term (α2), both ends included
DFA_SHORT = (4, 16)
DFA_LONG = (16, 64)
#: Kubios HRV's sizes
KUBIOS_DFA_SHORT = (4, 12)
KUBIOS_DFA_LONG = (13, 64)
#: window for long recordings (s) and the most windows the nonlinear set is computed in
WINDOW_S = 300.0
MAX_NONLINEAR_WINDOWS = 36
#: fewest beats a nonlinear value is computed from
MIN_BEATS = 50


@dataclass(frozen=True, slots=True)
class Nonlinear:
    """SampEn, ApEn and the DFA exponents of one series (NaN where it is too short)."""

    sampen: float = math.nan
    apen: float = math.nan
    dfa_alpha1: float = math.nan
    dfa_alpha2: float = math.nan


def nonlinear(
    rr_ms: ArrayLike,
    *,
    dfa_short: tuple[int, int] = DFA_SHORT,
    dfa_long: tuple[int, int] = DFA_LONG,
) -> Nonlinear:
    """The nonlinear set of one series of RR (neurokit2's functions, settings above)."""
    import neurokit2 as nk

    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size < MIN_BEATS or not np.std(rr) > 0:
        return Nonlinear()
    tol = 0.2 * float(np.std(rr, ddof=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampen = float(nk.entropy_sample(rr, dimension=2, tolerance=tol)[0])
        apen = float(nk.entropy_approximate(rr, dimension=2, tolerance=tol)[0])

    return Nonlinear(
        sampen=sampen if math.isfinite(sampen) else math.nan,
        apen=apen,
        dfa_alpha1=dfa(rr, dfa_short),
        dfa_alpha2=dfa(rr, dfa_long),
    )


def dfa(rr_ms: ArrayLike, sizes: tuple[int, int]) -> float:
    """DFA exponent over window sizes ``sizes[0]..sizes[1]`` beats (both included).

    neurokit2's ``fractal_dfa(rr, scale=range)`` (integrated profile, windows starting every half
    window, linear trend per window, q = 2) computed with one matrix product per window size
    instead of a polynomial evaluation per window: the same number to rounding (tested), about 20
    times faster, which is what lets a day's windows be measured in a second. A series shorter
    than two windows of the largest size uses sizes up to half its length.
    """
    x = np.asarray(rr_ms, dtype=np.float64)
    lo, hi = sizes
    hi = min(hi, x.size // 2)
    if hi - lo < 2:
        return math.nan
    y = np.cumsum(x - np.mean(x))
    n = y.size
    scales = np.arange(lo, hi + 1)
    fluct = np.empty(scales.size)
    for i, w in enumerate(scales):
        starts = np.arange(0, n - w, w // 2)
        segs = np.lib.stride_tricks.sliding_window_view(y, int(w))[starts]
        t = np.arange(w, dtype=np.float64)
        tc = t - t.mean()
        slope = segs @ tc / float(tc @ tc)
        resid = segs - segs.mean(axis=1, keepdims=True) - slope[:, None] * tc
        var = np.mean(resid * resid, axis=1)
        var = var[var > 1e-08]
        fluct[i] = math.sqrt(float(np.mean(var))) if var.size else math.nan
    ok = np.isfinite(fluct) & (fluct > 0)
    if np.count_nonzero(ok) < 2:
        return math.nan
    return float(np.polyfit(np.log2(scales[ok]), np.log2(fluct[ok]), 1)[0])


@dataclass(frozen=True, slots=True)
class Windowed:
    """Measures of 5-minute windows of a long recording.

    Attributes:
        windows: Windows with at least :data:`MIN_BEATS` NN intervals.
        sdann_ms: SD (ddof 1) of the windows' mean NN (NaN under two windows).
        sdnn_index_ms: Mean of the windows' SDNN (NaN under two windows).
        nonlinear: Median of the nonlinear set over up to :data:`MAX_NONLINEAR_WINDOWS` windows
            spread evenly over the recording.
        nonlinear_windows: Windows the nonlinear median is taken over.
    """

    windows: int
    sdann_ms: float
    sdnn_index_ms: float
    nonlinear: Nonlinear
    nonlinear_windows: int


def windowed(
    t_s: ArrayLike,
    rr_ms: ArrayLike,
    *,
    window_s: float = WINDOW_S,
    dfa_short: tuple[int, int] = DFA_SHORT,
    dfa_long: tuple[int, int] = DFA_LONG,
) -> Windowed:
    """SDANN, the SDNN index and the nonlinear set from consecutive windows of session time.

    Args:
        t_s: Time of each NN interval's beat (increasing).
        rr_ms: The NN intervals.
        window_s: Window length (Task Force: 5 minutes).
    """
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size == 0:
        return Windowed(0, math.nan, math.nan, Nonlinear(), 0)
    which = np.floor(t / window_s).astype(np.int64)
    bounds = np.flatnonzero(np.diff(which)) + 1
    parts = [p for p in np.split(rr, bounds) if p.size >= MIN_BEATS]
    means = np.array([p.mean() for p in parts])
    sds = np.array([p.std(ddof=1) for p in parts])
    many = len(parts) >= 2
    pick = parts
    if len(parts) > MAX_NONLINEAR_WINDOWS:
        idx = np.unique(np.linspace(0, len(parts) - 1, MAX_NONLINEAR_WINDOWS).round().astype(int))
        pick = [parts[i] for i in idx]
    values = [nonlinear(p, dfa_short=dfa_short, dfa_long=dfa_long) for p in pick]

    def median(name: str) -> float:
        v = np.array([getattr(x, name) for x in values], dtype=np.float64)
        v = v[np.isfinite(v)]
        return float(np.median(v)) if v.size else math.nan

    return Windowed(
        windows=len(parts),
        sdann_ms=float(np.std(means, ddof=1)) if many else math.nan,
        sdnn_index_ms=float(np.mean(sds)) if many else math.nan,
        nonlinear=Nonlinear(*(median(n) for n in ("sampen", "apen", "dfa_alpha1", "dfa_alpha2"))),
        nonlinear_windows=len(values),
    )
