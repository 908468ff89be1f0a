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
_SHORT_PEAKS = 1000  # below this, try a single detection pass first (see kubios_peaks_us)


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


def kubios_peaks_us(peaks_us: NDArray[np.int64], *, iterative: bool = True) -> NDArray[np.int64]:
    """neurokit2's Kubios correction (default thresholds) of peak times in µs.

    Args:
        peaks_us: Peak times in integer microseconds.
        iterative: Detect again after correcting, until no fewer artifacts are found (neurokit2's
            default).

    Returns:
        The corrected peak times, exactly what ``nk.signal_fixpeaks`` returns.
    """
    import neurokit2 as nk

    def fix(peaks: NDArray[np.int64], again: bool) -> NDArray[np.int64]:
        _, clean = nk.signal_fixpeaks(
            peaks, sampling_rate=_SAMPLING_RATE, method="kubios", iterative=again
        )
        return np.asarray(clean, dtype=np.int64)

    if iterative and peaks_us.size <= _SHORT_PEAKS:
        # Iterating always runs a second detection; when the first finds nothing it finds nothing
        # again, so one pass gives the same answer at half the cost (the live engine's usual case).
        once = fix(peaks_us, False)
        if np.array_equal(once, peaks_us):
            return once
    return fix(peaks_us, iterative)


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
