"""Signals every protocol scores: RR with artifacts replaced, heart rate, an even resampling.

Pure: numbers in, numbers out. numpy at the top; scipy only inside the function that needs it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from hrvcoach.beats import RR_MAX_MS, RR_MIN_MS, Beat, BeatFlag

RESAMPLE_HZ = 4.0  #: the usual rate for an evenly sampled HR/RR series (Task Force 1996)
#: a silence longer than this between beats is lost signal, not a slow beat
MAX_BEAT_SPACING_S = 3.0
#: beats a sensor has told us not to trust
DISTRUSTED = BeatFlag.BUFFERED | BeatFlag.IMPLAUSIBLE | BeatFlag.NO_CONTACT


def trusted_beats(beats: Iterable[Beat]) -> tuple[list[float], list[float]]:
    """Times and RR of the beats the sensor did not flag as untrustworthy.

    Returns:
        ``(t_s, rr_ms)``.
    """
    t_s, rr_ms = [], []
    for beat in beats:
        if not beat.flags & DISTRUSTED:
            t_s.append(beat.t_s)
            rr_ms.append(beat.rr_ms)
    return t_s, rr_ms


@dataclass(frozen=True)
class CleanRr:
    """RR intervals with ectopic and misdetected beats replaced.

    Attributes:
        t_s: Beat times (unchanged: they are what the sensor saw).
        rr_ms: Corrected intervals ending at those beats.
        corrected: Intervals replaced.
    """

    t_s: np.ndarray
    rr_ms: np.ndarray
    corrected: int


def correct_artifacts(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    *,
    tolerance: float = 0.2,
    window: int = 11,
) -> CleanRr:
    """Replace intervals far from their neighbours' median by interpolation.

    A premature beat gives a short interval and then a long compensatory one; a missed detection
    one about twice as long. Either would swamp a 10 bpm breathing swing, so any interval more than
    ``tolerance`` (a fraction) away from the running median of ``window`` intervals, or outside
    what a heart can do, is replaced by linear interpolation between its good neighbours. Beat
    times are kept as the sensor gave them, so the time axis stays honest.

    This is deliberately simpler than the Kubios correction that live HRV uses
    (:mod:`hrvcoach.artifacts`): a step is short, beat times are known, and the one thing that
    matters here is that no artifact survives to inflate a peak-to-trough swing. A 20 % band is
    wide enough for a 20 bpm breathing swing (RR changes under 10 % from beat to beat).
    """
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64).copy()
    n = rr.size
    if n < 3:
        return CleanRr(t, rr, 0)
    half = window // 2
    padded = np.pad(rr, half, mode="edge")
    median = np.median(np.lib.stride_tricks.sliding_window_view(padded, window), axis=1)
    bad = (np.abs(rr - median) > tolerance * median) | (rr < RR_MIN_MS) | (rr > RR_MAX_MS)
    good = ~bad
    if good.sum() < 2:
        return CleanRr(t, rr, 0)
    index = np.arange(n)
    rr[bad] = np.interp(index[bad], index[good], rr[good])
    return CleanRr(t, rr, int(bad.sum()))


def hr_at_beats(t_s: np.ndarray, rr_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Instantaneous heart rate of each interval, placed at the interval's midpoint.

    Placing it at the beat that ends the interval would delay the series by half a beat, which
    at 5 breaths/min is a 15-20 degree phase error.

    Returns:
        ``(t_mid_s, hr_bpm)``.
    """
    return t_s - rr_ms / 2000.0, 60000.0 / rr_ms


def resample(
    t_s: np.ndarray,
    values: np.ndarray,
    *,
    fs_hz: float = RESAMPLE_HZ,
    start_s: float | None = None,
    end_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """An unevenly sampled series on an even grid by cubic spline (not beyond its samples).

    Returns:
        ``(grid_t_s, values_on_grid)``.
    """
    from scipy.interpolate import CubicSpline

    lo = t_s[0] if start_s is None else max(start_s, t_s[0])
    hi = t_s[-1] if end_s is None else min(end_s, t_s[-1])
    grid = np.arange(lo, hi + 1e-9, 1.0 / fs_hz)
    if t_s.size < 4:
        return grid, np.interp(grid, t_s, values)
    keep = np.concatenate(([True], np.diff(t_s) > 1e-6))  # spline needs strictly rising times
    return grid, CubicSpline(t_s[keep], values[keep])(grid)


def window(
    t_s: np.ndarray, values: np.ndarray, start_s: float, end_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """The samples with ``start_s <= t < end_s``."""
    inside = (t_s >= start_s) & (t_s < end_s)
    return t_s[inside], values[inside]


def coverage(t_s: np.ndarray, start_s: float, end_s: float) -> float:
    """Fraction of ``[start_s, end_s]`` covered by beats no more than a lost-signal gap apart."""
    span = end_s - start_s
    if span <= 0:
        return 0.0
    inside = t_s[(t_s >= start_s) & (t_s <= end_s)]
    if inside.size < 2:
        return 0.0
    spacing = np.diff(inside)
    return float(spacing[spacing <= MAX_BEAT_SPACING_S].sum()) / span


def rmssd_ms(rr_ms: Sequence[float] | np.ndarray) -> float | None:
    """Root mean square of successive RR differences (ms); ``None`` with fewer than 3 beats.

    The same definition as neurokit2's ``HRV_RMSSD`` (Task Force 1996).
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size < 3:
        return None
    value = float(np.sqrt(np.mean(np.diff(rr) ** 2)))
    return value if math.isfinite(value) else None
