"""Time-domain HRV: the definitions of each tool, over every beat or over successive pairs only.

Default conventions are neurokit2's ``hrv_time`` (SDNN with ddof 1, RMSSD as the root of the mean
squared successive difference, pNNx over the number of beats); :class:`TimeDomainConvention`
names the other tools' (:data:`HRV_PACKAGE`, :data:`PYHRV`, :data:`HRV_LOGGER`, :data:`KUBIOS`).
Poincaré SD1/SD2 are here too: they are the time domain of pairs of beats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

#: neurokit2's ``_intervals_successive`` treats two RR as successive when the time between their
#: beats differs from the second RR by at most this much.
SUCCESSIVE_TOLERANCE_MS = 10.0


# -- time domain ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeDomainConvention:
    """How a tool defines SDNN, RMSSD and pNN50 (they disagree in the details).

    Attributes:
        name: Short name for display and JSON.
        sdnn_ddof: Delta degrees of freedom of the SD of RR (1: sample SD, 0: population SD).
        rmssd_ddof: RMSSD is ``sqrt(sum(diff**2) / (n_diffs - rmssd_ddof))``.
        pnn50_denominator: ``"beats"``: NN50 / (n_diffs + 1), neurokit2's choice (the number of
            beats when nothing is missing); ``"diffs"``: NN50 / n_diffs, the Task Force definition.
    """

    name: str = "neurokit2"
    sdnn_ddof: int = 1
    rmssd_ddof: int = 0
    pnn50_denominator: Literal["beats", "diffs"] = "beats"


#: neurokit2 ``hrv_time`` (the default everywhere in hrvcoach).
NEUROKIT = TimeDomainConvention()
#: the ``hrv`` package (rhenanbartels/hrv): pNN50 over the number of beats (``len(rri)``: 321 / 910
#: = 35.2747 % on its rest recording).
HRV_PACKAGE = TimeDomainConvention("hrv-package", 1, 0, "beats")
#: pyHRV: pNN50 over the number of differences.
PYHRV = TimeDomainConvention("pyhrv", 1, 0, "diffs")
#: HRV Logger (iOS app): population SDNN and RMSSD over n_diffs - 1.
HRV_LOGGER = TimeDomainConvention("hrv-logger", 0, 1, "diffs")
#: Kubios HRV: sample SDNN, RMSSD over n_diffs, pNNxx over the number of differences.
KUBIOS = TimeDomainConvention("kubios", 1, 0, "diffs")


@dataclass(frozen=True, slots=True)
class TimeDomain:
    """Time-domain HRV of a series of RR intervals (NaN where a value is undefined).

    Attributes:
        n_beats: RR intervals used.
        n_diffs: Successive differences used (differences across a gap are left out).
        mean_rr_ms: Mean RR.
        mean_hr_bpm: ``60000 / mean_rr_ms`` (the heart rate of the mean interval).
        sdnn_ms: Standard deviation of RR.
        rmssd_ms: Root mean square of successive differences.
        nn50: Successive differences larger than 50 ms in absolute value.
        pnn50_pct: NN50 as a percentage (denominator per the convention).
        nn20: Successive differences larger than 20 ms in absolute value.
        pnn20_pct: NN20 as a percentage (the same denominator).
        sdsd_ms: Standard deviation of the successive differences (ddof 1, neurokit2's SDSD).
        median_nn_ms: Median RR.
        cvnn: ``sdnn_ms / mean_rr_ms``.
        hr_min_bpm, hr_max_bpm: Heart rate of the longest and of the shortest RR.
        hr_sd_bpm: Standard deviation of the beat-by-beat heart rate ``60000 / rr`` (ddof 1).
        sd1_ms, sd2_ms: Poincaré SD1 and SD2: the SD (ddof 1) of ``(rr[i] - rr[i+1]) / sqrt 2``
            and of ``(rr[i] + rr[i+1]) / sqrt 2`` over the successive pairs (neurokit2's
            ``hrv_nonlinear``).
        sd1_sd2: ``sd1_ms / sd2_ms``.
        triangular_index: Beats divided by the height of their histogram in 1/128 s bins
            (neurokit2's HTI).
        tinn_ms: Baseline width of the triangle fitted to that histogram (:func:`tinn`); NaN
            where no triangle fits (see there).
    """

    n_beats: int
    n_diffs: int
    mean_rr_ms: float
    mean_hr_bpm: float
    sdnn_ms: float
    rmssd_ms: float
    nn50: int
    pnn50_pct: float
    nn20: int = 0
    pnn20_pct: float = math.nan
    sdsd_ms: float = math.nan
    median_nn_ms: float = math.nan
    cvnn: float = math.nan
    hr_min_bpm: float = math.nan
    hr_max_bpm: float = math.nan
    hr_sd_bpm: float = math.nan
    sd1_ms: float = math.nan
    sd2_ms: float = math.nan
    sd1_sd2: float = math.nan
    triangular_index: float = math.nan
    tinn_ms: float = math.nan


def successive_mask(
    t_s: ArrayLike, rr_ms: ArrayLike, *, tolerance_ms: float = SUCCESSIVE_TOLERANCE_MS
) -> NDArray[np.bool_]:
    """Which successive differences are real: the beats are adjacent, nothing lost between them.

    Uses neurokit2's rule: difference ``i`` (between RR ``i`` and ``i + 1``) counts when the time
    between beats ``i`` and ``i + 1`` equals RR ``i + 1`` within ``tolerance_ms``.

    Args:
        t_s: Beat times in seconds.
        rr_ms: RR intervals in ms, one per beat.
        tolerance_ms: Largest mismatch still taken as adjacent.

    Returns:
        A boolean array of length ``len(rr_ms) - 1``.
    """
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    if t.shape != rr.shape:
        raise ValueError("t_s and rr_ms must have the same length")
    if rr.size < 2:
        return np.zeros(0, dtype=bool)
    return np.abs(np.diff(t) * 1000.0 - rr[1:]) <= tolerance_ms


def time_domain(
    rr_ms: ArrayLike,
    *,
    successive: ArrayLike | None = None,
    convention: TimeDomainConvention = NEUROKIT,
) -> TimeDomain:
    """Mean RR and HR, SDNN, RMSSD, NN50 and pNN50 of ``rr_ms``.

    With the default convention the values equal neurokit2's ``hrv_time`` on the same RR (and, with
    ``successive`` from :func:`successive_mask`, on the same RR with ``RRI_Time``).

    Args:
        rr_ms: RR intervals in ms.
        successive: Optional boolean mask of length ``len(rr_ms) - 1``: False leaves a difference
            out (across a gap or a removed beat). Default: every difference counts.
        convention: Which tool's definitions to follow.

    Returns:
        The metrics; NaN where fewer than 2 beats (SDNN) or no difference (RMSSD, pNN50) are left.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    n = int(rr.size)
    diffs = np.diff(rr)
    first, second = rr[:-1], rr[1:]
    if successive is not None:
        mask = np.asarray(successive, dtype=bool)
        if mask.shape != diffs.shape:
            raise ValueError("successive must have one entry per successive difference")
        diffs = diffs[mask]
        first, second = first[mask], second[mask]
    n_diffs = int(diffs.size)
    mean_rr = float(np.mean(rr)) if n else math.nan
    sdnn = float(np.std(rr, ddof=convention.sdnn_ddof)) if n > convention.sdnn_ddof else math.nan
    rmssd_den = n_diffs - convention.rmssd_ddof
    rmssd = math.sqrt(float(np.sum(diffs * diffs)) / rmssd_den) if rmssd_den > 0 else math.nan
    nn50 = int(np.count_nonzero(np.abs(diffs) > 50.0))
    pnn_den = n_diffs + 1 if convention.pnn50_denominator == "beats" else n_diffs
    pnn50 = 100.0 * nn50 / pnn_den if n_diffs > 0 else math.nan
    nn20 = int(np.count_nonzero(np.abs(diffs) > 20.0))
    sdsd = float(np.std(diffs, ddof=1)) if n_diffs > 1 else math.nan
    if n_diffs > 1:
        sd1 = float(np.std((first - second) / math.sqrt(2.0), ddof=1))
        sd2 = float(np.std((first + second) / math.sqrt(2.0), ddof=1))
    else:
        sd1 = sd2 = math.nan
    hr = 60000.0 / rr if n else rr
    if n:
        counts, _ = np.histogram(rr, bins=_histogram_bins(rr))
        hti = n / float(np.max(counts))
    else:
        hti = math.nan
    return TimeDomain(
        n_beats=n,
        n_diffs=n_diffs,
        mean_rr_ms=mean_rr,
        mean_hr_bpm=60000.0 / mean_rr if n else math.nan,
        sdnn_ms=sdnn,
        rmssd_ms=rmssd,
        nn50=nn50,
        pnn50_pct=pnn50,
        nn20=nn20,
        pnn20_pct=100.0 * nn20 / pnn_den if n_diffs > 0 else math.nan,
        sdsd_ms=sdsd,
        median_nn_ms=float(np.median(rr)) if n else math.nan,
        cvnn=sdnn / mean_rr if n else math.nan,
        hr_min_bpm=float(np.min(hr)) if n else math.nan,
        hr_max_bpm=float(np.max(hr)) if n else math.nan,
        hr_sd_bpm=float(np.std(hr, ddof=1)) if n > 1 else math.nan,
        sd1_ms=sd1,
        sd2_ms=sd2,
        sd1_sd2=sd1 / sd2 if sd2 > 0 else math.nan,
        triangular_index=hti,
        tinn_ms=tinn(rr),
    )


#: width of the RR histogram's bins (ms): 1/128 s, as neurokit2 and the Task Force use
HISTOGRAM_BIN_MS = 1000.0 / 128.0


def _histogram_bins(rr: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.arange(0.0, float(np.max(rr)) + HISTOGRAM_BIN_MS, HISTOGRAM_BIN_MS)


def tinn(rr_ms: ArrayLike) -> float:
    """TINN: the baseline width (ms) of the triangle that best fits the RR histogram.

    The Task Force (1996) definition, as Kubios reports it: the histogram in 1/128 s bins (the
    one :func:`triangular_index` counts); a triangle q with its apex on the tallest bin (X, Y),
    zero outside its feet N < X < M and straight between; N and M chosen among the bins to
    minimise the squared difference between the histogram and q over the whole histogram;
    TINN = M - N. The feet may stand on empty bins, one bin past the longest RR at most. The
    error splits into a part that depends on N only and one on M only, so each foot is found
    on its own (every candidate tried; the first of equal errors wins).

    neurokit2 0.2.x's ``HRV_TINN`` is not this: it fixes N at the shortest RR, scores only
    the bins between the feet and keeps a triangle only under a squared error of 2**14, so on
    most recordings over a few minutes it reports 0 (``docs/metrics.md``).

    Args:
        rr_ms: RR intervals in ms.

    Returns:
        TINN in ms, or NaN (fewer than 2 beats).
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size < 2:
        return math.nan
    counts, edges = np.histogram(rr, bins=_histogram_bins(rr))
    d = np.append(counts.astype(np.float64), 0.0)  # one empty bin past the longest RR
    x = np.append(edges[:-1], edges[-1])
    apex = int(np.argmax(d))
    y = d[apex]
    if apex == 0:
        return math.nan
    # Left foot at bin n < apex: q rises from 0 at x[n] to Y at the apex; below n it is 0.
    n = np.arange(apex)[:, None]
    i = np.arange(apex)[None, :]
    rise = y * (x[i] - x[n]) / (x[apex] - x[n])
    q_left = np.where(i >= n, rise, 0.0)
    left_error = np.sum((d[:apex][None, :] - q_left) ** 2, axis=1)
    # Right foot at bin m > apex: q falls from Y at the apex to 0 at x[m]; above m it is 0.
    m = np.arange(apex + 1, d.size)[:, None]
    j = np.arange(apex + 1, d.size)[None, :]
    fall = y * (x[m] - x[j]) / (x[m] - x[apex])
    q_right = np.where(j <= m, fall, 0.0)
    right_error = np.sum((d[apex + 1 :][None, :] - q_right) ** 2, axis=1)
    foot_n = float(x[int(np.argmin(left_error))])
    foot_m = float(x[apex + 1 + int(np.argmin(right_error))])
    return foot_m - foot_n
