"""Lomb-Scargle and autoregressive (Burg) spectra of RR, beside hrv.py's Welch.

- **Lomb-Scargle** (``--spectrum lomb``) works on the beats themselves, no resampling: scipy's
  ``lombscargle`` of the mean-removed RR at their times, on a grid from 1/600 Hz to 0.5 Hz every
  1/600 Hz, scaled to a one-sided density ``2 T P / N`` (T the span, N the beats), which integrates
  to the variance of the RR (tested within a few %). (neurokit2's ``lomb`` needs astropy.)
- **AR** (``--spectrum ar``): Burg's method of order 16 on the series resampled at 4 Hz, by
  neurokit2's ``signal_psd(method="burg", order=16, normalize=False)``, halved: neurokit2 doubles a
  spectrum that is already one-sided, so its density integrates to twice the variance (tested:
  the half integrates to the resampled series' variance within a few %).

Both are computed over consecutive windows of :data:`SEGMENT_S` (5 minutes: on a whole day
neurokit2's Lomb and Burg run out of memory or minutes, and an AR model of order 16 cannot follow a
day anyway) and averaged, as Welch averages its segments; a series up to 1.5 windows long is one.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray


#: window the spectrum of a long series is averaged over (s)
SEGMENT_S = 300.0
#: Lomb-Scargle grid step and top (Hz)
LOMB_STEP_HZ = 1.0 / 600.0
LOMB_MAX_HZ = 0.5
#: Burg model order
AR_ORDER = 16


@dataclass(frozen=True, eq=False)
class Spectrum:
    """A one-sided power spectral density of RR (Welch, Lomb-Scargle or Burg AR).

    Attributes:
        frequency_hz: Bin frequencies.
        power_ms2_per_hz: Density at each bin (integrate over Hz to get ms²).
        segments: Segments averaged.
        nperseg: Samples per segment actually used (shorter than asked on a short series).
    """

    frequency_hz: NDArray[np.float64]
    power_ms2_per_hz: NDArray[np.float64]
    segments: int
    nperseg: int = 0
    resolution_hz: float = math.nan


def _segments(t: NDArray[np.float64]) -> list[slice]:
    span = float(t[-1] - t[0]) if t.size else 0.0
    if span <= 1.5 * SEGMENT_S:
        return [slice(0, t.size)]
    edges = t[0] + SEGMENT_S * np.arange(1, math.floor(span / SEGMENT_S) + 1)
    cuts = [0, *np.searchsorted(t, edges).tolist()]
    if t.size - cuts[-1] < 0.5 * SEGMENT_S / max(span / t.size, 1e-9):
        cuts = cuts[:-1]  # a short tail joins the window before it
    return [slice(a, b) for a, b in zip(cuts, [*cuts[1:], t.size], strict=True) if b - a >= 16]


def lomb_spectrum(t_s: NDArray[np.float64], rr_ms: NDArray[np.float64]) -> Spectrum | None:
    """Lomb-Scargle density (ms²/Hz) of RR at their beat times, 5-minute windows averaged."""
    from scipy.signal import lombscargle

    f = np.arange(LOMB_STEP_HZ, LOMB_MAX_HZ + LOMB_STEP_HZ / 2, LOMB_STEP_HZ)
    parts = []
    spans = []
    for sel in _segments(t_s):
        t, rr = t_s[sel], rr_ms[sel]
        if rr.size < 16 or not np.std(rr) > 0:
            continue
        span = float(t[-1] - t[0])
        p = lombscargle(t - t[0], rr - rr.mean(), 2.0 * np.pi * f)
        parts.append(2.0 * span * p / rr.size)
        spans.append(span)
    if not parts:
        return None
    power = np.mean(np.stack(parts), axis=0)
    return Spectrum(
        np.concatenate(([0.0], f)),
        np.concatenate(([0.0], power)),
        len(parts),
        0,
        resolution_hz=1.0 / float(np.mean(spans)),
    )


def ar_spectrum(
    t_s: NDArray[np.float64], resampled: NDArray[np.float64], rate_hz: float
) -> Spectrum | None:
    """Burg AR(16) density (ms²/Hz) of the resampled series, 5-minute windows averaged."""
    import neurokit2 as nk

    grid_t = t_s[0] + np.arange(resampled.size) / rate_hz
    parts = []
    freq = None
    for sel in _segments(grid_t):
        x = resampled[sel]
        if x.size < 4 * AR_ORDER or not np.std(x) > 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            psd = nk.signal_psd(
                x - x.mean(),
                sampling_rate=rate_hz,
                method="burg",
                order=AR_ORDER,
                normalize=False,
                min_frequency=0,
                window=SEGMENT_S / 2.0,  # the frequency grid: 1/300 Hz, as nfft = 2 * window
            )
        f = psd["Frequency"].to_numpy(dtype=np.float64)
        if freq is None:
            freq = f
        elif f.size != freq.size:
            continue
        parts.append(psd["Power"].to_numpy(dtype=np.float64) / 2.0)
    if not parts or freq is None:
        return None
    return Spectrum(
        freq,
        np.mean(np.stack(parts), axis=0),
        len(parts),
        0,
        resolution_hz=float(freq[1] - freq[0]),
    )
