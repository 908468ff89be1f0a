"""The assessment's criteria, each a pure function of numbers: peak-to-trough heart rate, the LF
spectrum of one step, HeartMath coherence, and the phase of heart rate against the breath.

numpy at the top; scipy and the spectral code only inside the functions that need them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hrvcoach.pacer import Pacer
from hrvcoach.protocols.signals import RESAMPLE_HZ, resample

LF_BAND_HZ = (0.04, 0.15)
#: HeartMath coherence: a 64 s window every 5 s (McCraty et al. 2009)
COHERENCE_WINDOW_S = 64.0
COHERENCE_STEP_S = 5.0


def peak_to_trough_bpm(
    t_s: np.ndarray, hr_bpm: np.ndarray, cycle_starts_s: Sequence[float]
) -> float | None:
    """Mean over breath cycles of (largest - smallest) heart rate within the cycle.

    Args:
        t_s: Times of the heart-rate samples (an evenly resampled series gives the best
            estimate of the true extremes; beat-by-beat samples work too).
        hr_bpm: Heart rate at those times.
        cycle_starts_s: Start of every breath cycle; cycle ``i`` is
            ``[cycle_starts_s[i], cycle_starts_s[i + 1])``. Only whole cycles count.

    Returns:
        The mean swing in bpm, or ``None`` if no whole cycle has at least three samples.
    """
    swings = []
    for a, b in itertools.pairwise(cycle_starts_s):
        inside = hr_bpm[(t_s >= a) & (t_s < b)]
        if inside.size >= 3:
            swings.append(float(inside.max() - inside.min()))
    return float(np.mean(swings)) if swings else None


@dataclass(frozen=True)
class StepSpectrum:
    """What the spectrum of one step's RR says.

    Attributes:
        lf_ms2: Power in the LF band.
        lf_peak_hz: Frequency of the highest LF point.
        lf_peak_ms2_hz: Its height (density).
        resolution_hz: The finest frequency step the window supports (1 / window length).
    """

    lf_ms2: float
    lf_peak_hz: float
    lf_peak_ms2_hz: float
    resolution_hz: float


def step_spectrum(
    t_s: np.ndarray,
    rr_ms: np.ndarray,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
) -> StepSpectrum:
    """LF power and peak of RR over one short paced window.

    A paced step is short (one to two minutes) and close to stationary, so the whole window is
    one Hann-tapered, linearly detrended Welch segment (:func:`hrvcoach.hrv.welch_spectrum`):
    averaging shorter segments would blur 5.0 and 5.5 breaths/min together. Zero-padding to at
    least 4096 points locates a peak between bins; it does not make the resolution finer.

    Raises:
        ValueError: Fewer than 16 samples in the window.
    """
    from hrvcoach.hrv import SpectralMethod, band_power, welch_spectrum

    grid, rr_even = resample(t_s, rr_ms, fs_hz=RESAMPLE_HZ, start_s=start_s, end_s=end_s)
    n = grid.size
    if n < 16:
        raise ValueError("too few samples for a spectrum")
    method = SpectralMethod(
        rate_hz=RESAMPLE_HZ,
        nperseg=n,
        noverlap=0,
        nfft=max(4096, n),
        detrend="linear",
        lf_hz=LF_BAND_HZ,
    )
    spectrum = welch_spectrum(rr_even, method)
    freq, density = spectrum.frequency_hz, spectrum.power_ms2_per_hz
    in_lf = np.flatnonzero((freq >= LF_BAND_HZ[0]) & (freq < LF_BAND_HZ[1]))
    top = in_lf[int(np.argmax(density[in_lf]))]
    return StepSpectrum(
        lf_ms2=band_power(spectrum, LF_BAND_HZ),
        lf_peak_hz=float(freq[top]),
        lf_peak_ms2_hz=float(density[top]),
        resolution_hz=RESAMPLE_HZ / n,
    )


def mean_coherence(
    t_s: np.ndarray, rr_ms: np.ndarray, *, start_s: float, end_s: float
) -> float | None:
    """HeartMath coherence (:func:`hrvcoach.coherence.coherence`) averaged over a window.

    As HeartMath does it: a 64 s coherence ratio every 5 s, averaged. A window shorter than 64 s
    gets one ratio over the whole window. ``None`` when the beats do not cover it.
    """
    from hrvcoach.coherence import CoherenceMethod, coherence

    # a short window leaves a beat's length spare, so a beat before it anchors the spline
    span_s = end_s - start_s - 2.0
    if span_s < 16.0:
        return None
    method = CoherenceMethod(window_s=min(COHERENCE_WINDOW_S, span_s))
    ratios = []
    first_end_s = start_s + method.window_s + 1.5  # window ends after a beat's slack
    for window_end_s in np.arange(first_end_s, end_s + 1e-9, COHERENCE_STEP_S):
        upto = int(np.searchsorted(t_s, window_end_s, side="right"))
        found = coherence(rr_ms[:upto], t_s[:upto], method)
        if found is not None and math.isfinite(found.ratio):
            ratios.append(found.ratio)
    return float(np.mean(ratios)) if ratios else None


def phase_deg(t_s: np.ndarray, hr_bpm: np.ndarray, volume: np.ndarray, freq_hz: float) -> float:
    """Phase of heart rate against the breathing curve at ``freq_hz``, in degrees (-180, 180].

    Both series are projected (Hann-tapered) on ``exp(-2 pi i f t)``; the phase is the angle of the
    heart-rate component minus that of the breathing component. 0 means heart rate peaks with full
    lungs; positive means heart rate leads. Only the fundamental counts, so an uneven 4:6 breath
    has the phase of its best-fitting sine.

    Args:
        t_s: Evenly spaced sample times shared by both series.
        hr_bpm: Heart rate at ``t_s``.
        volume: Lung volume (or any breathing curve, larger = fuller) at ``t_s``.
        freq_hz: The pacing frequency.
    """
    taper = np.hanning(t_s.size)
    basis = np.exp(-2j * np.pi * freq_hz * t_s) * taper
    z_hr = np.sum((hr_bpm - hr_bpm.mean()) * basis)
    z_vol = np.sum((volume - volume.mean()) * basis)
    angle = math.degrees(float(np.angle(z_hr * np.conj(z_vol))))
    return 180.0 if angle <= -180.0 else angle


def cycle_starts(pacer: Pacer, start_s: float, end_s: float) -> list[float]:
    """Times in ``[start_s, end_s]`` at which the pacer begins a breath (lungs empty)."""
    segments = pacer.segments()
    starts: list[float] = []
    for i, (seg_t_s, pattern) in enumerate(segments):
        seg_end_s = segments[i + 1][0] if i + 1 < len(segments) else math.inf
        lo, hi = max(seg_t_s, start_s), min(seg_end_s, end_s)
        if lo > hi:
            continue
        # within one segment the breath count grows linearly: solve for each whole breath
        b0 = pacer.breaths(lo) if lo < seg_end_s else pacer.breaths(lo - 1e-9)
        k = math.ceil(b0 - 1e-9)
        while True:
            t = max(lo, lo + (k - b0) * pattern.period_s)  # never before lo by rounding
            if t > hi or (t >= seg_end_s and i + 1 < len(segments)):
                break
            if not starts or t - starts[-1] > 1e-6:  # a segment boundary on a whole breath
                starts.append(t)
            k += 1
    return starts
