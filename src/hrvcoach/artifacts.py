"""Artifact correction of RR series: the Kubios method (Lipponen & Tarvainen 2019) via neurokit2.

``nk.signal_fixpeaks(method="kubios")`` works on peak positions, so RR intervals are turned into
peak times first. Those are integers in neurokit2's correction step, so we count in microseconds
(``sampling_rate = 1_000_000``): RR the method leaves alone come back unchanged to within 1 µs,
whatever the resolution of the strap (Polar sends 1/1024 s ticks, not whole ms).

The result says which beats were moved (ectopic or long/short beats put back between their
neighbours), removed (an extra beat merged into its neighbour) or inserted (a missed beat split in
two), by comparing the peak times before and after, so the count is exact even when neurokit2
iterates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

#: artifact handling methods :func:`correct` knows
METHODS = ("kubios", "none")

_US_PER_MS = 1000
_SAMPLING_RATE = 1_000_000  # peaks in microseconds
_SHORT_PEAKS = 1000  # below this, try the cheap shortcuts first (see kubios_peaks_us)
_TH_WINDOW = 91  # neurokit2's Kubios defaults: threshold window (beats) and multiplier
_TH_ALPHA = 5.2


@dataclass(frozen=True, eq=False)
class ArtifactResult:
    """A corrected RR series and what was changed to get it.

    Attributes:
        rr_ms: The corrected RR intervals.
        method: ``"kubios"`` or ``"none"``.
        moved: Indices (into the input RR) of beats whose time was moved, so that the RR ending at
            them and the RR after them changed.
        removed: Indices (into the input RR) of beats removed as extra.
        inserted: Indices (into :attr:`rr_ms`) of beats inserted for a missed one.
    """

    rr_ms: NDArray[np.float64]
    method: str
    moved: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    inserted: tuple[int, ...] = ()

    @property
    def count(self) -> int:
        """Beats corrected: moved + removed + inserted."""
        return len(self.moved) + len(self.removed) + len(self.inserted)


def rr_to_peaks_us(rr_ms: ArrayLike) -> NDArray[np.int64]:
    """Peak times in integer µs: a peak at 0, then one at the end of each RR."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    return np.concatenate(([0], np.round(np.cumsum(rr) * _US_PER_MS))).astype(np.int64)


def might_flag(peaks_us: NDArray[np.int64], *, start: int = 0, stop: int | None = None) -> bool:
    """Whether the Kubios method could move peaks ``start..stop`` (False: surely not).

    neurokit2's Kubios detection (``_find_artifacts``) looks further at a beat only when its
    successive difference exceeds the threshold ``th1``: 5.2 times the quartile deviation of the
    absolute differences over a centred 91-beat window, and then flags that beat or the next;
    a flag at beat ``j`` moves, removes or inserts before peak ``j``. This recomputes
    ``drrs / th1`` with numpy (well under a millisecond, against the method's 1.5-5 ms) and says
    False only when every ``drrs[i]`` that could lead to a flag in the range is below 1 by a
    margin. Zero thresholds (a flat stretch) answer True: the method has its own rules there.

    Args:
        peaks_us: Peak times in integer microseconds.
        start: First peak index that matters (peak ``k`` ends RR interval ``k - 1``).
        stop: One past the last peak index that matters (default: all).
    """
    if peaks_us.size < 3:
        return True
    rr = np.diff(peaks_us).astype(np.float64) / _SAMPLING_RATE
    rr = np.concatenate(([np.mean(rr)], rr))  # neurokit2 puts the mean RR before the first beat
    drrs = np.diff(rr)
    drrs = np.concatenate(([np.mean(drrs)], drrs))  # and the mean difference before the first
    absd = np.abs(drrs)
    q1, q3 = _rolling_quartiles(absd, _TH_WINDOW)
    th1 = _TH_ALPHA * (q3 - q1) / 2
    # drrs[i] compares the intervals ending at peaks i - 1 and i; a beat over the threshold there
    # can flag peak i or i + 1, so the peaks start..stop-1 need drrs from start - 1 to stop - 1.
    sel = slice(max(start - 1, 0), peaks_us.size if stop is None else max(stop, 0))
    if np.any(th1[sel] <= 0) or not np.all(np.isfinite(th1[sel])):
        return True
    return bool(np.any(absd[sel] / th1[sel] > 1.0 - 1e-6))


def _rolling_quartiles(x: NDArray[np.float64], width: int) -> tuple[NDArray, NDArray]:
    """25th and 75th percentiles over a centred window, shortened at the ends (pandas' rule).

    Linear interpolation between order statistics, as pandas' rolling quantile and numpy do.
    """
    n = x.size
    half = width // 2
    if n <= half + 1:  # every window holds the whole series
        q1, q3 = np.percentile(x, [25, 75])
        return np.full(n, q1), np.full(n, q3)
    padded = np.concatenate((np.full(half, np.nan), x, np.full(half, np.nan)))
    ordered = np.sort(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)
    count = np.count_nonzero(~np.isnan(ordered), axis=1)  # NaN sorts last
    rows = np.arange(n)
    out = []
    for q in (0.25, 0.75):
        pos = q * (count - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, count - 1)
        frac = pos - lo
        out.append(ordered[rows, lo] + frac * (ordered[rows, hi] - ordered[rows, lo]))
    return out[0], out[1]


def kubios_peaks_us(peaks_us: NDArray[np.int64], *, iterative: bool = True) -> NDArray[np.int64]:
    """neurokit2's Kubios correction (default thresholds) of peak times in µs.

    From :data:`_DETECT_FROM` peaks on, the detection is :func:`_kubios_detect` (the same
    decisions, without neurokit2's per-beat Python loops); the correction is always neurokit2's.

    Args:
        peaks_us: Peak times in integer microseconds.
        iterative: Detect again after correcting, until no fewer artifacts are found (neurokit2's
            default).

    Returns:
        The corrected peak times, exactly what ``nk.signal_fixpeaks`` returns (tested).
    """
    import neurokit2 as nk
    from neurokit2.signal.signal_fixpeaks import _correct_artifacts

    if peaks_us.size <= _SHORT_PEAKS and not might_flag(peaks_us):
        return peaks_us.copy()  # the live engine's usual case: a short, clean stretch

    def detect(peaks: NDArray[np.int64]) -> dict[str, list[int]]:
        if peaks.size >= _DETECT_FROM:
            return _kubios_detect(peaks)
        info, _ = nk.signal_fixpeaks(
            peaks, sampling_rate=_SAMPLING_RATE, method="kubios", iterative=False
        )
        return {k: [int(j) for j in info[k]] for k in _KINDS}

    def count(found: dict[str, list[int]]) -> int:
        return sum(len(found[k]) for k in _KINDS)

    # neurokit2's own iteration, one detection per step: with iterative=True it always runs a
    # second detection, also when the first found nothing (then the answer cannot change).
    found = detect(peaks_us)
    clean = _as_peaks(_correct_artifacts(found, peaks_us))
    while iterative and count(found):
        found_again = detect(clean)
        if count(found_again) >= count(found):
            break
        clean, found = _as_peaks(_correct_artifacts(found_again, clean)), found_again
    return clean


def _as_peaks(peaks: ArrayLike) -> NDArray[np.int64]:
    return np.asarray(peaks, dtype=np.int64)


# -- detection over a long series ----------------------------------------------------------------
#
# neurokit2's Kubios detection (``_find_artifacts``) visits every beat in Python loops: over a day,
# 1.2 s per detection, and the iteration detects 8 times (on physionet 000.txt the artifacts found
# fall 1808, 459, 189, 112, 88, 80, 79, 79: each pass corrects what the one before found, which
# brings neighbours over the thresholds). Chunks of the day cannot stand in for it: neurokit2 puts
# the means of the whole series before the first beat, so the first beats' thresholds depend on the
# whole day. :func:`_kubios_detect` makes the same decisions on the same numbers: the thresholds and
# the median by the same pandas rolling calls, the subspaces element-wise, and the classification
# walk only where a difference crosses its threshold (stepping over the other beats is all the walk
# does there). Tested equal to neurokit2's detection, pass by pass, on day-long recordings.

_KINDS = ("ectopic", "missed", "extra", "longshort")
_DETECT_FROM = 2000  # peaks; shorter series go through nk.signal_fixpeaks itself
_C1 = 0.13  # neurokit2's Kubios defaults for the ectopic and long/short criteria
_C2 = 0.17
_MEDFILT = 11


def _threshold(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """neurokit2's ``_compute_threshold``: 5.2 quartile deviations over a centred 91-beat window."""
    import pandas as pd

    rolling = pd.Series(np.abs(x)).rolling(_TH_WINDOW, center=True, min_periods=1)
    q1 = rolling.quantile(0.25).to_numpy()
    q3 = rolling.quantile(0.75).to_numpy()
    return _TH_ALPHA * ((q3 - q1) / 2)


def _kubios_detect(peaks_us: NDArray[np.int64]) -> dict[str, list[int]]:
    """The artifacts neurokit2's Kubios method finds in ``peaks_us`` (at least 3 peaks).

    Returns:
        Peak indices by class (``"ectopic"``, ``"missed"``, ``"extra"``, ``"longshort"``), as in
        ``nk.signal_fixpeaks``' info.
    """
    import pandas as pd

    rr = np.ediff1d(peaks_us, to_begin=0) / _SAMPLING_RATE
    rr[0] = np.mean(rr[1:])
    drrs = np.ediff1d(rr, to_begin=0)
    drrs[0] = np.mean(drrs[1:])
    th1 = _threshold(drrs)
    np.divide(drrs, th1, out=drrs, where=th1 != 0)
    drrs[th1 == 0] = np.nan
    pad = np.pad(drrs, 2, "reflect")
    before, after, after2 = pad[1:-3], pad[3:-1], pad[4:]
    with np.errstate(invalid="ignore"):
        s12 = np.where(
            drrs > 0,
            np.maximum(before, after),
            np.where(drrs < 0, np.minimum(before, after), 0.0),
        )
        s22 = np.where(
            drrs >= 0,
            np.minimum(after, after2),
            np.where(drrs < 0, np.maximum(after, after2), 0.0),
        )
    medrr = pd.Series(rr).rolling(_MEDFILT, center=True, min_periods=1).median().to_numpy()
    mrrs = rr - medrr
    mrrs[mrrs < 0] = mrrs[mrrs < 0] * 2
    th2 = _threshold(mrrs)
    np.divide(mrrs, th2, out=mrrs, where=th2 != 0)
    mrrs[th2 == 0] = np.nan

    found: dict[str, list[int]] = {k: [] for k in _KINDS}
    # The walk steps over every beat whose |drrs| <= 1; NaN (a zero threshold) is not stepped over.
    loud = np.flatnonzero(~(np.abs(drrs) <= 1))
    stop = rr.size - 2
    i = 0
    while True:
        at = int(np.searchsorted(loud, i))
        if at == loud.size or loud[at] >= stop:
            break
        i = int(loud[at])
        d = drrs[i]
        if (d > 1 and s12[i] < (-_C1 * d - _C2)) or (d < -1 and s12[i] > (-_C1 * d + _C2)):
            found["ectopic"].append(i)
            i += 1
            continue
        if not (abs(d) > 1 or abs(mrrs[i]) > 3):
            i += 1
            continue
        candidates = [i]
        if abs(drrs[i + 1]) < abs(drrs[i + 2]):
            candidates.append(i + 1)
        for j in candidates:
            # Each candidate advances the walk by one, as in neurokit2 (two candidates skip a beat).
            i += 1
            long_beat = drrs[j] > 1 and s22[j] < -1
            short_beat = drrs[j] < -1 and s22[j] > 1
            if not (long_beat or abs(mrrs[j]) > 3 or short_beat):
                continue
            if short_beat and abs(rr[j] + rr[j + 1] - medrr[j]) < th2[j]:
                found["extra"].append(j)
            elif long_beat and abs(rr[j] / 2 - medrr[j]) < th2[j]:
                found["missed"].append(j)
            else:
                found["longshort"].append(j)
    return found


def kubios_detect(peaks_us: NDArray[np.int64]) -> dict[str, list[int]]:
    """One pass of neurokit2's Kubios detection: peak indices by class (at least 3 peaks)."""
    return _kubios_detect(peaks_us)


def classify(
    before: NDArray[np.int64], after: NDArray[np.int64]
) -> tuple[list[int], list[int], list[int]]:
    """Walk two sorted peak lists; between peaks they share, pair up the ones that differ.

    Returns (moved, removed, inserted) as beat indices: beat ``k`` is peak ``k + 1``; moved and
    removed index ``before``, inserted index ``after``.
    """
    common = np.intersect1d(before, after, assume_unique=True)
    in_before = np.isin(before, common, assume_unique=True)
    in_after = np.isin(after, common, assume_unique=True)
    moved: list[int] = []
    removed: list[int] = []
    inserted: list[int] = []
    odd_before = np.flatnonzero(~in_before)
    odd_after = np.flatnonzero(~in_after)
    if odd_before.size == 0 and odd_after.size == 0:
        return moved, removed, inserted
    # Group changed peaks by the last shared peak before them: the same stretch in both lists.
    key_before = np.searchsorted(common, before[odd_before])
    key_after = np.searchsorted(common, after[odd_after])
    for key in np.union1d(key_before, key_after):
        b = odd_before[key_before == key]
        a = odd_after[key_after == key]
        pairs = min(b.size, a.size)
        moved.extend(int(i) - 1 for i in b[:pairs])
        removed.extend(int(i) - 1 for i in b[pairs:])
        inserted.extend(int(i) - 1 for i in a[pairs:])
    return moved, removed, inserted


def correct(rr_ms: ArrayLike, method: str = "kubios") -> ArtifactResult:
    """Correct artifacts in a gap-free RR series.

    Args:
        rr_ms: RR intervals in ms (contiguous: split recordings at gaps first).
        method: ``"kubios"`` (neurokit2's ``signal_fixpeaks``, iterative, default thresholds) or
            ``"none"`` (returned as is).

    Returns:
        The corrected series and the beats changed.

    Raises:
        ValueError: For an unknown method.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    if method == "none":
        return ArtifactResult(rr.copy(), "none")
    if method != "kubios":
        raise ValueError(f"unknown artifact method {method!r} (one of {', '.join(METHODS)})")
    # Kubios needs a few neighbours on each side (its median filter is 11 beats wide).
    if rr.size < 4:
        return ArtifactResult(rr.copy(), "kubios")
    peaks = rr_to_peaks_us(rr)
    clean = kubios_peaks_us(peaks)
    moved, removed, inserted = classify(peaks, clean)
    if not (moved or removed or inserted):
        return ArtifactResult(rr.copy(), "kubios")
    out = np.diff(clean).astype(np.float64) / _US_PER_MS
    # An RR between two peaks that are neighbours in both lists keeps its exact input value.
    j = np.flatnonzero(np.isin(clean[:-1], peaks) & np.isin(clean[1:], peaks))
    i = np.searchsorted(peaks, clean[j])
    ok = (i + 1 < peaks.size) & (peaks[np.minimum(i + 1, peaks.size - 1)] == clean[j + 1])
    out[j[ok]] = rr[i[ok]]
    return ArtifactResult(out, "kubios", tuple(moved), tuple(removed), tuple(inserted))
