"""Coherence: how much of the heart's rhythm sits in one slow, steady wave.

After McCraty et al. (2009): the highest peak of the last 64 s spectrum in 0.04-0.26 Hz, its power
in a 0.030 Hz window, divided by the rest of the 0.0033-0.4 Hz power (:class:`CoherenceMethod`
holds every choice). Pure: RR intervals and beat times in, frozen results out. Below the power
floor of :mod:`hrvcoach.hrv` (a flat series) the ratio is NaN, never rounding noise.
``docs/metrics.md`` gives the definition and its sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hrvcoach.hrv import POWER_FLOOR_MS2, Band, beat_times_s, taper

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True)
class CoherenceMethod:
    """HeartMath's coherence ratio (McCraty et al., *The coherent heart*, 2009), made exact.

    The paper fixes the 64 s window, the 0.04-0.26 Hz search range, the 0.030 Hz peak window and the
    ratio; HeartMath's knowledge base adds the 2 Hz resampling (128 samples) and the 5 s update. The
    taper and the zero-padding are ours: a Hann taper keeps leakage from a slow drift out of the
    peak, and padding to 1024 points gives the 0.030 Hz integral about 15 bins instead of two.

    Attributes:
        window_s: Length of RR analysed, ending at the latest beat.
        rate_hz: Resampling rate (2 Hz: 128 samples in 64 s).
        taper: Window applied to the 64 s before the FFT.
        nfft: FFT length (zero-padded).
        peak_search_hz: Range searched for the highest peak.
        peak_width_hz: Width of the window, centred on the peak, whose power is the peak power.
        total_hz: Range of the total power.
        squared: Square the ratio, as the 2009 paper prints it (McCraty 2014 and 2017 do not).
    """

    window_s: float = 64.0
    rate_hz: float = 2.0
    taper: str = "hann"
    nfft: int = 1024
    peak_search_hz: Band = (0.04, 0.26)
    peak_width_hz: float = 0.030
    total_hz: Band = (0.0033, 0.4)
    squared: bool = False


@dataclass(frozen=True, slots=True)
class Coherence:
    """The coherence of one window.

    Attributes:
        ratio: ``peak / (total - peak)`` (squared if the method says so).
        peak_hz: Frequency of the highest peak in the search range.
        peak_power_ms2: Power in the peak window.
        total_power_ms2: Power over the total range.
    """

    ratio: float
    peak_hz: float
    peak_power_ms2: float
    total_power_ms2: float


def _coherence_of_windows(
    x: NDArray[np.float64], method: CoherenceMethod
) -> tuple[NDArray[np.float64], ...]:
    """Coherence of each row of ``x`` (evenly resampled RR windows): ratio, peak Hz, peak, total."""
    n = x.shape[1]
    nfft = max(method.nfft, n)
    x = x - x.mean(axis=1, keepdims=True)
    w = taper(method.taper, n)
    spec = np.fft.rfft(x * w, n=nfft, axis=-1)
    # Density scaling as a one-segment Welch (the DC and Nyquist bins lie outside every band used).
    p = 2.0 * (spec.real**2 + spec.imag**2) / (method.rate_hz * float(np.dot(w, w)))
    f = np.fft.rfftfreq(nfft, 1.0 / method.rate_hz)
    df = float(f[1])
    search = np.flatnonzero((f >= method.peak_search_hz[0]) & (f < method.peak_search_hz[1]))
    k = search[0] + np.argmax(p[:, search], axis=1)
    # Running trapezoid area, so any run of bins costs two look-ups.
    area = np.concatenate(
        (np.zeros((p.shape[0], 1)), np.cumsum((p[:, 1:] + p[:, :-1]) * (df / 2), axis=1)), axis=1
    )
    half_bins = int(np.floor(method.peak_width_hz / 2 / df + 1e-9))
    lo = np.maximum(k - half_bins, 0)
    hi = np.minimum(k + half_bins, f.size - 1)
    rows = np.arange(p.shape[0])
    peak = area[rows, hi] - area[rows, lo]
    total_bins = np.flatnonzero((f >= method.total_hz[0]) & (f < method.total_hz[1]))
    total = area[:, total_bins[-1]] - area[:, total_bins[0]]
    with np.errstate(divide="ignore", invalid="ignore"):
        # All the power inside the peak window would divide by zero; a billionth keeps it finite.
        # Under the power floor the window is flat: its "peak" is rounding noise, so no ratio.
        ratio = np.where(
            total >= POWER_FLOOR_MS2, peak / np.maximum(total - peak, total * 1e-9), np.nan
        )
    if method.squared:
        ratio = ratio * ratio
    return ratio, f[k], peak, total


def coherence(
    rr_ms: ArrayLike, t_s: ArrayLike | None = None, method: CoherenceMethod = CoherenceMethod()
) -> Coherence | None:
    """Coherence of the last ``method.window_s`` seconds of an RR series with no gap inside.

    The window is resampled at ``method.rate_hz`` with neurokit2's ``signal_interpolate`` (cubic
    spline through the window's beats and the one before it), tapered, zero-padded to
    ``method.nfft`` and Fourier-transformed. The peak is the highest bin in ``peak_search_hz``;
    peak power is the trapezoid area of the bins within ``peak_width_hz / 2`` of it; total power the
    area over ``total_hz``; the ratio is ``peak / (total - peak)``.

    Args:
        rr_ms: RR intervals in ms.
        t_s: Beat times in seconds (default: :func:`beat_times_s`).
        method: The definition's numbers.

    Returns:
        The coherence, or ``None`` if the beats do not cover a whole window.
    """
    import neurokit2 as nk

    rr = np.asarray(rr_ms, dtype=np.float64)
    t = beat_times_s(rr) if t_s is None else np.asarray(t_s, dtype=np.float64)
    if rr.size < 4:
        return None
    t_end = float(t[-1])
    t_start = t_end - method.window_s
    # First beat at or before the window start, so the spline covers the whole window.
    first = int(np.searchsorted(t, t_start, side="right")) - 1
    if first < 0:
        return None
    n = round(method.window_s * method.rate_hz)
    grid = t_end - (n - 1 - np.arange(n)) / method.rate_hz
    x = np.asarray(
        nk.signal_interpolate(t[first:], rr[first:], x_new=grid, method="cubic"), dtype=float
    )
    ratio, peak_hz, peak, total = _coherence_of_windows(x[np.newaxis, :], method)
    return Coherence(float(ratio[0]), float(peak_hz[0]), float(peak[0]), float(total[0]))


@dataclass(frozen=True, eq=False)
class CoherenceSeries:
    """Coherence of consecutive windows of one stretch of beats.

    Attributes:
        t_s: Time of the last beat of each window.
        ratio: Coherence ratio of each window.
        peak_hz: Peak frequency of each window.
    """

    t_s: NDArray[np.float64]
    ratio: NDArray[np.float64]
    peak_hz: NDArray[np.float64]


def coherence_series(
    rr_ms: ArrayLike,
    t_s: ArrayLike,
    *,
    every_s: float = 5.0,
    method: CoherenceMethod = CoherenceMethod(),
    chunk: int = 2048,
) -> CoherenceSeries:
    """Coherence every ``every_s`` of session time, as the live display shows it, over a stretch.

    At each multiple of ``every_s`` the window is the ``method.window_s`` seconds ending at the
    first beat at or after that time (the beat that triggers a live refresh). For speed, one spline
    is laid through the whole stretch instead of one per window; inside a window the two differ by
    far less than the beat-to-beat noise (tested against :func:`coherence`).

    Args:
        rr_ms: RR intervals of a gap-free stretch.
        t_s: Beat times in seconds.
        every_s: Refresh interval.
        method: The coherence definition.
        chunk: Windows transformed at a time (bounds memory).
    """
    import neurokit2 as nk

    rr = np.asarray(rr_ms, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    empty = CoherenceSeries(np.zeros(0), np.zeros(0), np.zeros(0))
    if rr.size < 4 or t[-1] - t[0] < method.window_s:
        return empty
    first_k = math.floor((t[0] + method.window_s) / every_s)
    ticks = np.arange(first_k, math.floor(t[-1] / every_s) + 1) * every_s
    idx = np.unique(np.searchsorted(t, ticks, side="left"))
    idx = idx[idx < t.size]
    ends = t[idx]
    ends = ends[ends - method.window_s >= t[0]]
    if ends.size == 0:
        return empty
    n = round(method.window_s * method.rate_hz)
    offsets = (n - 1 - np.arange(n)) / method.rate_hz
    ratios = []
    peaks = []
    for i in range(0, ends.size, chunk):
        e = ends[i : i + chunk]
        grid = (e[:, np.newaxis] - offsets[np.newaxis, :]).ravel()
        x = np.asarray(nk.signal_interpolate(t, rr, x_new=grid, method="cubic"), dtype=float)
        ratio, peak_hz, _, _ = _coherence_of_windows(x.reshape(e.size, n), method)
        ratios.append(ratio)
        peaks.append(peak_hz)
    return CoherenceSeries(ends, np.concatenate(ratios), np.concatenate(peaks))
