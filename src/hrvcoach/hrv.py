"""Pure HRV metric functions: time domain, spectrum, band powers and coherence.

Everything here takes RR intervals (and, where it matters, beat times) as numpy arrays and returns
frozen results; no state, no clocks, no I/O. :mod:`hrvcoach.live` and :mod:`hrvcoach.analysis`
build on these functions, and ``docs/metrics.md`` explains every convention with its source.

Conventions, in short:

- **Time domain** follows neurokit2's ``hrv_time`` by default (SDNN with ddof 1, RMSSD as the root
  of the mean squared successive difference, pNN50 over the number of beats). Other tools differ, so
  :class:`TimeDomainConvention` names them (:data:`HRV_PACKAGE`, :data:`PYHRV`, :data:`HRV_LOGGER`).
- **Spectrum**: RR resampled on an even grid with neurokit2's ``signal_interpolate`` (cubic), then
  Welch's method by neurokit2's ``signal_psd`` (``normalize=False``). Powers are absolute, in ms²;
  :class:`SpectralMethod` holds every choice and has presets that reproduce the ``hrv`` package and
  pyHRV exactly (with a numpy Welch, as ``signal_psd`` cannot express their settings).
- **Coherence** after McCraty et al. (2009): the highest peak of the last 64 s spectrum in
  0.04-0.26 Hz, its power in a 0.030 Hz window, divided by the rest of the 0.0033-0.4 Hz power.

neurokit2 and scipy are imported inside the functions that need them: importing this is cheap.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

Band = tuple[float, float]
#: Total power (ms²) below which a spectrum or a coherence window counts as flat: a (nearly)
#: constant RR series, whose "peaks" are rounding noise. A strap's 1 ms resolution alone gives
#: about 0.08 ms²; a resting heart hundreds to thousands. Spectral values are null below it.
POWER_FLOOR_MS2 = 1.0
#: Which code computes a Welch spectrum (see :func:`rr_spectrum`).
Estimator = Literal["auto", "signal_psd", "numpy"]

from hrvcoach.metrics.time_domain import (  # noqa: E402  (re-exported: the old home)
    HRV_LOGGER,
    HRV_PACKAGE,
    KUBIOS,
    NEUROKIT,
    PYHRV,
    SUCCESSIVE_TOLERANCE_MS,
    TimeDomain,
    TimeDomainConvention,
    successive_mask,
    time_domain,
)

__all__ = [
    "HRV_LOGGER",
    "HRV_PACKAGE",
    "KUBIOS",
    "NEUROKIT",
    "PYHRV",
    "SUCCESSIVE_TOLERANCE_MS",
    "TimeDomain",
    "TimeDomainConvention",
    "successive_mask",
    "time_domain",
]


# -- spectrum ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpectralMethod:
    """Every choice behind a power spectrum of RR, so that results can be reproduced and compared.

    Two estimators compute the same Welch average. When the method is one that neurokit2's
    ``signal_psd(method="welch", normalize=False)`` can express (:attr:`uses_signal_psd`: no
    per-segment detrending and the default ``nfft``), :func:`rr_spectrum` calls ``signal_psd``
    itself, which fixes its rules: the series mean is removed once, segments are not detrended,
    each is zero-padded to ``2 * nperseg``, and ``nperseg`` is cut to half the series when the
    series is shorter than two segments. Otherwise (per-segment detrending or another ``nfft``,
    as the ``hrv`` package and pyHRV use) :func:`welch_spectrum`, the same estimator written out in
    numpy, computes it, cutting ``nperseg`` to the series' length.

    Attributes:
        rate_hz: Even sampling rate the RR series is resampled to.
        interpolation: ``method`` for neurokit2's ``signal_interpolate`` (``"cubic"``: scipy's
            not-a-knot cubic spline through the beats).
        window: Welch segment window (any ``scipy.signal.get_window`` name).
        nperseg: Samples per Welch segment (cut on a short series, see above).
        noverlap: Samples shared by neighbouring segments (``None``: half a segment).
        nfft: FFT length, zero-padding each segment (``None``: ``2 * nperseg``, as ``signal_psd``).
        detrend: Per-segment detrending: ``"none"`` (the default, as ``signal_psd``),
            ``"constant"`` (mean) or ``"linear"``. The series' mean is always removed first.
        vlf_hz, lf_hz, hf_hz: Bands in Hz, ``[low, high)`` or ``[low, high]`` (see
            :attr:`band_edges`).
        integration: ``"trapezoid"`` (area by the trapezoid rule over the bins in the band, as
            the ``hrv`` package does) or ``"rectangle"`` (sum of the bins times the bin width, as
            pyHRV).
        band_edges: ``"half-open"`` (``[low, high)``) or ``"closed"`` (both edges included,
            as Kubios).
        kind: ``"welch"`` (everything above), ``"lomb"`` (Lomb-Scargle of the beats themselves)
            or ``"ar"`` (Burg, order 16, of the resampled series); see
            :mod:`hrvcoach.metrics.spectra`.
    """

    rate_hz: float = 4.0
    interpolation: str = "cubic"
    window: str = "hann"
    nperseg: int = 256
    noverlap: int | None = None
    nfft: int | None = None
    detrend: Literal["constant", "linear", "none"] = "none"
    vlf_hz: Band = (0.0033, 0.04)
    lf_hz: Band = (0.04, 0.15)
    hf_hz: Band = (0.15, 0.4)
    integration: Literal["trapezoid", "rectangle"] = "trapezoid"
    band_edges: Literal["half-open", "closed"] = "half-open"
    kind: Literal["welch", "lomb", "ar"] = "welch"

    def __post_init__(self) -> None:
        if self.rate_hz <= 0 or self.nperseg < 4:
            raise ValueError("rate_hz must be positive and nperseg at least 4")
        if self.noverlap is not None and not 0 <= self.noverlap < self.nperseg:
            raise ValueError("noverlap must be in [0, nperseg)")
        if self.detrend not in ("constant", "linear", "none"):
            raise ValueError(f"unknown detrend {self.detrend!r}")
        if self.integration not in ("trapezoid", "rectangle"):
            raise ValueError(f"unknown integration rule {self.integration!r}")
        for lo, hi in (self.vlf_hz, self.lf_hz, self.hf_hz):
            if not 0 <= lo < hi <= self.rate_hz / 2:
                raise ValueError(f"band ({lo}, {hi}) Hz is not inside 0..{self.rate_hz / 2} Hz")

    @property
    def uses_signal_psd(self) -> bool:
        """Whether neurokit2's ``signal_psd`` computes this method (see the class docstring)."""
        return self.detrend == "none" and self.nfft is None

    @classmethod
    def hrv_package(cls) -> SpectralMethod:
        """The ``hrv`` package's ``frequency_domain`` (scipy Welch defaults, VLF from 0 Hz).

        scipy's defaults detrend each segment and do not zero-pad, which ``signal_psd`` cannot
        do (with its own rules it misses the published LF by 6 % and VLF by 40 %, tested), so
        this preset runs on :func:`welch_spectrum`.
        """
        return cls(nfft=256, detrend="constant", vlf_hz=(0.0, 0.04))

    @classmethod
    def kubios(cls) -> SpectralMethod:
        """Kubios HRV Standard's FFT spectrum, as its user guide describes it.

        Cubic spline at 4 Hz; Welch with a 300 s window (1200 samples) and 50 % overlap, one
        segment as long as the series when it is shorter; MATLAB's symmetric ``hanning`` taper
        (no zero end points); 300 points per Hz (``nfft`` 1200 at 4 Hz); no detrending of the
        segments (the series' mean is removed); VLF 0-0.04, LF 0.04-0.15, HF 0.15-0.4 Hz with
        both band edges included; trapezoid areas.
        """
        return cls(
            window="matlab-hanning",
            nperseg=1200,
            noverlap=600,
            nfft=1200,
            detrend="none",
            vlf_hz=(0.0, 0.04),
            band_edges="closed",
        )

    @classmethod
    def pyhrv(cls) -> SpectralMethod:
        """pyHRV's ``welch_psd`` on series over 5 min (Hamming, 300-sample segments, 4096 FFT)."""
        return cls(
            window="hamming",
            nperseg=300,
            nfft=4096,
            detrend="constant",
            vlf_hz=(0.0, 0.04),
            integration="rectangle",
        )


@dataclass(frozen=True, eq=False)
class Spectrum:
    """A one-sided power spectral density of RR.

    Attributes:
        frequency_hz: Bin frequencies.
        power_ms2_per_hz: Density at each bin (integrate over Hz to get ms²).
        segments: Welch segments averaged.
        nperseg: Samples per segment actually used (shorter than asked on a short series).
    """

    frequency_hz: NDArray[np.float64]
    power_ms2_per_hz: NDArray[np.float64]
    segments: int
    nperseg: int = 0
    resolution_hz: float = math.nan


@dataclass(frozen=True, slots=True)
class FrequencyDomain:
    """Band powers of one spectrum, in ms² (NaN when the series was too short).

    Attributes:
        vlf_ms2, lf_ms2, hf_ms2: Power in each band.
        total_ms2: ``vlf + lf + hf``.
        lf_hf: ``lf / hf``.
        lf_peak_hz: Frequency of the LF peak (the resonance breathing peak), see :func:`peak_hz`;
            NaN when the LF band holds no local maximum.
        hf_peak_hz: Frequency of the HF peak (likewise).
    """

    vlf_ms2: float
    lf_ms2: float
    hf_ms2: float
    total_ms2: float
    lf_hf: float
    lf_peak_hz: float
    hf_peak_hz: float


_NO_FREQUENCY_DOMAIN = FrequencyDomain(*(math.nan,) * 7)


def beat_times_s(rr_ms: ArrayLike) -> NDArray[np.float64]:
    """Beat times from RR alone: ``cumsum(rr) / 1000`` from 0 (the ``hrv`` package's rule)."""
    t = np.cumsum(np.asarray(rr_ms, dtype=np.float64)) / 1000.0
    return t - t[0] if t.size else t


def resample_rr(
    t_s: ArrayLike, rr_ms: ArrayLike, *, rate_hz: float, interpolation: str = "cubic"
) -> NDArray[np.float64]:
    """RR on an even grid ``t_s[0] + k / rate_hz`` for every grid time before the last beat.

    Args:
        t_s: Beat times in seconds (strictly increasing).
        rr_ms: RR interval ending at each beat.
        rate_hz: Grid rate.
        interpolation: neurokit2 ``signal_interpolate`` method.

    Returns:
        The resampled series (empty when fewer than 2 beats).
    """
    import neurokit2 as nk

    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    if t.size < 2:
        return np.zeros(0)
    # The grid ends before the last beat, as in the hrv package and pyHRV: nothing extrapolated.
    grid = t[0] + np.arange(0.0, t[-1] - t[0], 1.0 / rate_hz)
    if t.size < 4 and interpolation == "cubic":
        interpolation = "linear"  # a cubic spline needs 4 points
    return np.asarray(nk.signal_interpolate(t, rr, x_new=grid, method=interpolation), dtype=float)


@functools.lru_cache(maxsize=32)
def _taper(name: str, n: int) -> NDArray[np.float64]:
    from scipy.signal import get_window

    if name == "matlab-hanning":
        # MATLAB's hanning(n): symmetric, without the zero end points (Kubios' taper).
        k = np.arange(1, n + 1, dtype=np.float64)
        w = 0.5 * (1.0 - np.cos(2.0 * np.pi * k / (n + 1)))
    else:
        w = np.asarray(get_window(name, n), dtype=np.float64)  # periodic, as scipy's welch uses
    w.flags.writeable = False
    return w


def welch_spectrum(signal: ArrayLike, method: SpectralMethod = SpectralMethod()) -> Spectrum:
    """Welch PSD of an evenly sampled RR series, in ms²/Hz, written out in numpy.

    The estimator of ``scipy.signal.welch(scaling="density")``, which neurokit2's ``signal_psd``
    wraps, with every setting free: :func:`rr_spectrum` uses it for the methods ``signal_psd``
    cannot express (per-segment detrending, another ``nfft``), the live engine for speed, and
    other modules for single-segment spectra. ``nfft=None`` pads to ``2 * nperseg``. For a
    method ``signal_psd`` can express it follows ``signal_psd``'s rules, cutting ``nperseg`` to
    half a shorter series, and gives its bins to rounding (tested); otherwise ``nperseg`` is cut
    to the series' length, as scipy does. Equal to scipy to rounding (tested).
    """
    x = np.asarray(signal, dtype=np.float64)
    x = x - np.mean(x)
    nperseg = min(method.nperseg, x.size // 2 if method.uses_signal_psd else x.size)
    noverlap = nperseg // 2 if method.noverlap is None else min(method.noverlap, nperseg - 1)
    nfft = max(method.nfft or 2 * nperseg, nperseg)
    step = nperseg - noverlap
    segs = np.lib.stride_tricks.sliding_window_view(x, nperseg)[::step]
    if method.detrend == "constant":
        segs = segs - segs.mean(axis=1, keepdims=True)
    elif method.detrend == "linear":
        from scipy.signal import detrend

        segs = detrend(segs, axis=-1, type="linear")
    w = _taper(method.window, nperseg)
    spec = np.fft.rfft(segs * w, n=nfft, axis=-1)
    power = (spec.real**2 + spec.imag**2).mean(axis=0) / (method.rate_hz * float(np.dot(w, w)))
    # One-sided: fold the negative frequencies in, except DC and (even nfft) Nyquist.
    if nfft % 2:
        power[1:] *= 2.0
    else:
        power[1:-1] *= 2.0
    freq = np.fft.rfftfreq(nfft, 1.0 / method.rate_hz).astype(np.float64)
    return Spectrum(freq, power, int(segs.shape[0]), nperseg)


def signal_psd_spectrum(signal: ArrayLike, method: SpectralMethod = SpectralMethod()) -> Spectrum:
    """Welch PSD of an evenly sampled RR series, in ms²/Hz, by neurokit2's ``signal_psd``.

    Args:
        signal: The resampled RR series.
        method: A method with :attr:`SpectralMethod.uses_signal_psd`.

    Returns:
        The spectrum from DC to Nyquist; ``nperseg`` is the segment length ``signal_psd`` used
        (half the series when the series is shorter than two segments).

    Raises:
        ValueError: The method needs something ``signal_psd`` cannot do.
    """
    import neurokit2 as nk

    if not method.uses_signal_psd:
        raise ValueError("signal_psd detrends no segment and pads to 2 * nperseg")
    x = np.asarray(signal, dtype=np.float64)
    # signal_psd's own rule for a series shorter than two segments.
    nperseg = min(method.nperseg, int(x.size / 2))
    noverlap = nperseg // 2 if method.noverlap is None else min(method.noverlap, nperseg - 1)
    psd = nk.signal_psd(
        x,
        sampling_rate=method.rate_hz,
        method="welch",
        # signal_psd takes the segment in seconds and truncates window * rate to an integer;
        # half a sample more keeps a rate like 3.3 Hz from losing one to rounding.
        window=(method.nperseg + 0.5) / method.rate_hz,
        window_type=method.window,
        normalize=False,
        # Any min_frequency <= 0 keeps every bin, DC included (0 itself is changed to 0.001 Hz).
        min_frequency=-1.0,
        noverlap=noverlap,
    )
    segments = 1 + (x.size - nperseg) // (nperseg - noverlap)
    return Spectrum(
        psd["Frequency"].to_numpy(dtype=np.float64),
        psd["Power"].to_numpy(dtype=np.float64),
        int(segments),
        nperseg,
    )


def rr_spectrum(
    rr_ms: ArrayLike,
    t_s: ArrayLike | None = None,
    method: SpectralMethod = SpectralMethod(),
    *,
    estimator: Estimator = "auto",
) -> Spectrum | None:
    """Resample RR (:func:`resample_rr`) and estimate its PSD.

    Args:
        rr_ms: RR intervals in ms, with no gap inside.
        t_s: Beat times; default :func:`beat_times_s` of ``rr_ms``.
        method: Resampling and Welch settings.
        estimator: ``"auto"``: neurokit2's ``signal_psd`` (:func:`signal_psd_spectrum`) when it
            can express ``method``, else :func:`welch_spectrum`; ``"signal_psd"`` or ``"numpy"``
            to choose. For a method ``signal_psd`` expresses the two give the same bins to
            rounding; the numpy one costs about a tenth (no DataFrame per call).

    Returns:
        The spectrum, or ``None`` when the series gives fewer than 16 samples.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    t = beat_times_s(rr) if t_s is None else np.asarray(t_s, dtype=np.float64)
    if rr.size < 4:
        return None
    if method.kind == "lomb":
        from hrvcoach.metrics.spectra import lomb_spectrum

        return lomb_spectrum(t, rr)
    x = resample_rr(t, rr, rate_hz=method.rate_hz, interpolation=method.interpolation)
    if method.kind == "ar":
        from hrvcoach.metrics.spectra import ar_spectrum

        return ar_spectrum(t, x, method.rate_hz) if x.size >= 16 else None
    if x.size < 16:
        return None
    if estimator == "signal_psd" or (estimator == "auto" and method.uses_signal_psd):
        return signal_psd_spectrum(x, method)
    return welch_spectrum(x, method)


def band_power(
    spectrum: Spectrum, band: Band, integration: str = "trapezoid", edges: str = "half-open"
) -> float:
    """Power in ``[band[0], band[1])`` Hz (``edges="closed"``: ``[band[0], band[1]]``), in ms².

    Args:
        spectrum: A PSD in ms²/Hz.
        band: Low (included) and high (excluded unless closed) edge in Hz.
        integration: ``"trapezoid"`` or ``"rectangle"`` (see :class:`SpectralMethod`).
        edges: ``"half-open"`` or ``"closed"``.
    """
    f = spectrum.frequency_hz
    p = spectrum.power_ms2_per_hz
    if edges == "closed":  # bins on an edge belong to the band (within rounding)
        sel = (f >= band[0] - 1e-12) & (f <= band[1] + 1e-12)
    else:
        sel = (f >= band[0]) & (f < band[1])
    if integration == "rectangle":
        df = float(f[1] - f[0]) if f.size > 1 else 0.0
        return float(np.sum(p[sel]) * df)
    if np.count_nonzero(sel) < 2:
        return 0.0
    return float(np.trapezoid(p[sel], f[sel]))


def peak_hz(spectrum: Spectrum, band: Band) -> float:
    """Frequency of the highest local maximum of the spectrum in ``band``, between bins.

    A local maximum is a bin inside the band higher than the bin before it and at least as high as
    the bin after it (the first bin of a flat top); its neighbours may lie outside the band. The
    highest point of the band is not enough: over a long recording very-low-frequency power leaks
    into the first LF bins, so the band falls from its lower edge and the highest point is the
    edge, although the spectrum peaks well inside (near 0.1 Hz on a 24-hour Holter recording).

    A 64 s segment resolves 1/64 Hz, almost one breath a minute, and even zero-padded to 128 s its
    bins are 0.47/min apart. A parabola through the logarithms of the peak bin and its two
    neighbours (exact for a Gaussian peak, close for a tapered sinusoid) places the peak between
    them; where a neighbour has no power the bin itself is returned.

    Returns:
        The peak frequency in Hz, or NaN when the band holds no local maximum.
    """
    f = spectrum.frequency_hz
    p = spectrum.power_ms2_per_hz
    idx = np.flatnonzero((f >= band[0]) & (f < band[1]))
    idx = idx[(idx > 0) & (idx < f.size - 1)]  # a local maximum needs a neighbour on each side
    if idx.size == 0:
        return math.nan
    is_peak = (p[idx] > p[idx - 1]) & (p[idx] >= p[idx + 1])
    if not np.any(is_peak):
        return math.nan
    peaks = idx[is_peak]
    k = int(peaks[np.argmax(p[peaks])])
    if min(p[k - 1], p[k], p[k + 1]) <= 0:
        return float(f[k])
    a, b, c = np.log(p[k - 1]), np.log(p[k]), np.log(p[k + 1])
    den = a - 2.0 * b + c
    offset = 0.5 * (a - c) / den if den < 0 else 0.0
    return float(f[k] + offset * (f[k + 1] - f[k]))


def band_powers(
    spectrum: Spectrum | None, method: SpectralMethod = SpectralMethod()
) -> FrequencyDomain:
    """VLF, LF, HF, total power, LF/HF and peak frequencies of a spectrum (NaN if ``None``)."""
    if spectrum is None:
        return _NO_FREQUENCY_DOMAIN
    vlf = band_power(spectrum, method.vlf_hz, method.integration, method.band_edges)
    lf = band_power(spectrum, method.lf_hz, method.integration, method.band_edges)
    hf = band_power(spectrum, method.hf_hz, method.integration, method.band_edges)
    return FrequencyDomain(
        vlf_ms2=vlf,
        lf_ms2=lf,
        hf_ms2=hf,
        total_ms2=vlf + lf + hf,
        lf_hf=lf / hf if hf > 0 else math.nan,
        lf_peak_hz=peak_hz(spectrum, method.lf_hz),
        hf_peak_hz=peak_hz(spectrum, method.hf_hz),
    )


def frequency_domain(
    rr_ms: ArrayLike,
    t_s: ArrayLike | None = None,
    method: SpectralMethod = SpectralMethod(),
    *,
    estimator: Estimator = "auto",
) -> FrequencyDomain:
    """Band powers in ms² of an RR series with no gap inside (see :func:`rr_spectrum`)."""
    return band_powers(rr_spectrum(rr_ms, t_s, method, estimator=estimator), method)


# -- coherence -----------------------------------------------------------------------------------


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
    w = _taper(method.taper, n)
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
