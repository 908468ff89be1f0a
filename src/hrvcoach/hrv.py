"""Pure HRV metric functions: the spectrum of RR and its band powers.

Everything here takes RR intervals (and, where it matters, beat times) as numpy arrays and returns
frozen results; no state, no clocks, no I/O. :mod:`hrvcoach.live` and :mod:`hrvcoach.analysis`
build on these functions, and ``docs/metrics.md`` explains every convention with its source.

- **Spectrum**: RR resampled on an even grid with neurokit2's ``signal_interpolate`` (cubic), then
  Welch's method by neurokit2's ``signal_psd`` (``normalize=False``). Powers are absolute, in ms²;
  :class:`SpectralMethod` holds every choice and has presets that reproduce the ``hrv`` package,
  pyHRV and Kubios (with a numpy Welch where ``signal_psd`` cannot express their settings).
- **Time domain** lives in :mod:`hrvcoach.metrics.time_domain` (re-exported here, its old home):
  neurokit2's ``hrv_time`` by default, :class:`TimeDomainConvention` for the other tools'.
- **Coherence** lives in :mod:`hrvcoach.coherence`; Lomb-Scargle and AR spectra in
  :mod:`hrvcoach.metrics.spectra`.

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

from hrvcoach.metrics.spectra import Spectrum  # noqa: E402  (re-exported: the old home)
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
    "Spectrum",
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
def taper(name: str, n: int) -> NDArray[np.float64]:
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
    w = taper(method.window, nperseg)
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
