"""Beat classification: normal, ectopic, missed, extra or artifact, one beat at a time.

Two opinions decide on every beat:

- **The local rule**, which holds under bigeminy and trigeminy: each RR is compared with the
  median of the last :data:`REF_BEATS` intervals already judged normal-to-normal (NN) and with the
  last NN interval. An RR within :data:`DEVIATION` (20 %) of that median, or within
  :data:`STEP` (15 % of the median) of the last NN interval, is normal: slow breathing moves RR
  smoothly, a step at a time. A sudden jump is classified by the beats that follow it (look-ahead
  of two beats): short then long (premature beat and its compensatory pause) is *ectopic*; short
  with its neighbour summing to one normal interval is *extra* (a false detection); a multiple of
  the normal interval is *missed*; a new level that the next two beats keep is a real change of
  rate (normal, and the reference restarts there); anything else is an *artifact*. The reference
  is made of NN intervals only, so a premature beat every second or third beat never enters it,
  which is where a threshold over all beats (the Kubios method's) adapts to the arrhythmia and
  stops seeing it.
- **neurokit2's Kubios method** (Lipponen & Tarvainen 2019, ``signal_fixpeaks``, one detection):
  a beat it flags is not normal when it also lies more than :data:`KUBIOS_CONFIRM` (10 %) from the
  local reference; the Kubios class (ectopic, missed, extra, long/short) then names it. Alone, the
  method flags 1.7-2.2 % of the beats of healthy day-long Holter recordings (the large but smooth
  swings of sinus arrhythmia), and only 19 of the ~250 premature beats of a trigeminy.

A beat's class says which intervals it spoils: an ectopic beat, an extra beat and an artifact
spoil the interval ending at them and the one after (both have an abnormal end); a missed beat
only the interval ending at it (that interval spans two). NN intervals are the rest.

:class:`BeatClassifier` is incremental (the live engine feeds it beat by beat and gets each
decision two beats later); :func:`classify_rr` runs it over a whole stretch, with the Kubios
opinion for the whole stretch computed once.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

Label = Literal["normal", "ectopic", "missed", "extra", "artifact"]
LABELS: tuple[Label, ...] = ("normal", "ectopic", "missed", "extra", "artifact")
#: integer codes of :data:`LABELS` in :attr:`Classification.codes`
NORMAL, ECTOPIC, MISSED, EXTRA, ARTIFACT = range(5)

#: NN intervals in the local reference median
REF_BEATS = 9
#: relative distance from the reference median within which a beat is normal
DEVIATION = 0.20
#: step from the last NN interval (relative to the reference) within which a beat is normal
STEP = 0.15
#: relative distance from the reference beyond which a Kubios flag is confirmed
KUBIOS_CONFIRM = DEVIATION
#: beats the local rule looks ahead before deciding
LOOKAHEAD = 2
#: beats that seed the reference at the start of a stretch (their median)
SEED_BEATS = 9


@dataclass(frozen=True, eq=False)
class Classification:
    """The class of every beat of a stretch and the NN intervals that follow from it.

    Attributes:
        codes: One code per RR interval (the beat ending it): :data:`NORMAL` ... :data:`ARTIFACT`.
        nn: One flag per RR interval: True where both its beats are normal (an NN interval).
    """

    codes: NDArray[np.int8]
    nn: NDArray[np.bool_]

    def count(self, label: Label) -> int:
        """Beats of one class."""
        return int(np.count_nonzero(self.codes == LABELS.index(label)))

    @property
    def labels(self) -> list[Label]:
        """The class names, one per beat."""
        return [LABELS[int(c)] for c in self.codes]

    @property
    def successive_nn(self) -> NDArray[np.bool_]:
        """One flag per successive difference: True where both intervals are NN."""
        return self.nn[:-1] & self.nn[1:]


def spoils(code: int) -> int:
    """How many intervals a beat of this class takes out of the NN series (0, 1 or 2)."""
    if code == NORMAL:
        return 0
    return 1 if code == MISSED else 2


class BeatClassifier:
    """Classifies a stream of RR intervals (one gap-free stretch), two beats behind.

    Call :meth:`push` with each RR; it returns the decisions it could make, as ``(index, code)``
    pairs in order. :meth:`finish` decides on the beats still waiting (end of stretch).

    Args:
        kubios: Indices (into the stream) the Kubios method flagged, with their class code;
            ``None``: no Kubios opinion (the local rule alone).
    """

    def __init__(self, kubios: dict[int, int] | None = None) -> None:
        self._kubios = kubios or {}
        self._rr: list[float] = []  # every RR pushed (the look-ahead reads it)
        self._next = 0  # next index to decide
        self._ref: deque[float] = deque(maxlen=REF_BEATS)
        self._sorted: list[float] = []
        self._last_nn: float | None = None
        self._skip_to = 0  # beats up to here were decided as part of a pattern
        self._prev_spoils = 0  # intervals still spoiled by the beat before
        self.nn: list[bool] = []

    # -- reference ---------------------------------------------------------------------------
    def _ref_add(self, rr: float) -> None:
        if len(self._ref) == self._ref.maxlen:
            old = self._ref[0]
            del self._sorted[bisect.bisect_left(self._sorted, old)]
        self._ref.append(rr)
        bisect.insort(self._sorted, rr)

    def _ref_reset(self, values: list[float]) -> None:
        self._ref.clear()
        self._sorted = []
        for v in values[-REF_BEATS:]:
            self._ref_add(v)

    def _median(self) -> float:
        s = self._sorted
        n = len(s)
        return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])

    # -- stream ------------------------------------------------------------------------------
    def push(self, rr_ms: float) -> list[tuple[int, int]]:
        """Take the next RR; return the beats decided now."""
        self._rr.append(float(rr_ms))
        return self._decide(final=False)

    def finish(self) -> list[tuple[int, int]]:
        """The stretch ended: decide on every beat still waiting."""
        return self._decide(final=True)

    @property
    def waiting(self) -> int:
        """Beats pushed but not yet decided."""
        return len(self._rr) - self._next

    def _decide(self, *, final: bool) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        rr = self._rr
        if not self._sorted:
            if len(rr) < SEED_BEATS and not final:
                return out
            if not rr:
                return out
            self._ref_reset([float(np.median(rr[:SEED_BEATS]))])
        while self._next < len(rr):
            i = self._next
            if not final and i + LOOKAHEAD >= len(rr):
                # Without the look-ahead only a beat that looks normal can be decided.
                quick = self._quick(i)
                if quick is None:
                    break
                code, span = quick, 1
            else:
                code, span = self._classify(i)
            for k in range(span):
                c = code if k == 0 else NORMAL
                out.append((i + k, c))
                self._emit(i + k, c)
            self._next = i + span
        return out

    def _emit(self, i: int, code: int) -> None:
        """Record the NN flag of interval ``i`` and feed the reference."""
        own = spoils(code) > 0
        is_nn = not own and self._prev_spoils == 0
        self._prev_spoils = max(self._prev_spoils - 1, 0)
        if spoils(code) == 2:
            self._prev_spoils = 1
        self.nn.append(is_nn)
        if is_nn:
            self._ref_add(self._rr[i])
            self._last_nn = self._rr[i]

    def _quick(self, i: int) -> int | None:
        """The class of beat ``i`` when its own RR decides it (it looks normal), else None."""
        x = self._rr[i]
        ref = self._median()
        last = self._last_nn if self._last_nn is not None else ref
        dev = abs(x - ref) / ref
        if dev <= DEVIATION or abs(x - last) / ref <= STEP:
            kubios = self._kubios.get(i)
            if kubios is not None and dev > KUBIOS_CONFIRM:
                return kubios
            return NORMAL
        return None

    def _classify(self, i: int) -> tuple[int, int]:
        """The class of beat ``i`` and how many beats the decision covers (1 or 2)."""
        quick = self._quick(i)
        if quick is not None:
            return quick, 1
        rr = self._rr
        x = rr[i]
        ref = self._median()
        y = rr[i + 1] if i + 1 < len(rr) else None
        z = rr[i + 2] if i + 2 < len(rr) else None
        kubios = self._kubios.get(i)
        if x < ref:
            if y is not None and abs(x + y - ref) <= DEVIATION * ref:
                return EXTRA, 2  # the beat after it closes one normal interval: it is normal
            if y is not None and y - x > DEVIATION * ref:
                return ECTOPIC, 2  # short then long: the beat after the pause is normal
        else:
            k = round(x / ref)
            if k >= 2 and abs(x / k - ref) <= DEVIATION * ref:
                return MISSED, 1
            if (
                y is not None
                and x - y > DEVIATION * ref
                and abs(x + y - 2 * ref) <= DEVIATION * ref
            ):
                return ARTIFACT, 2  # a beat detected late, the next one early: one misplaced beat
        if y is not None and z is not None and abs(y - x) <= STEP * x and abs(z - x) <= STEP * x:
            # The rate changed and stayed: a new level, not an artifact.
            self._ref_reset([x, y, z])
            return NORMAL, 1
        return (kubios if kubios is not None else ARTIFACT), 1


def kubios_flags(rr_ms: ArrayLike) -> dict[int, int]:
    """neurokit2's Kubios detection (one pass) as ``{RR index: class code}``.

    Peak ``j`` ends RR interval ``j - 1``; long/short beats count as artifacts.
    """
    from hrvcoach import artifacts

    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size < 4:
        return {}
    found = artifacts.kubios_detect(artifacts.rr_to_peaks_us(rr))
    codes = {"ectopic": ECTOPIC, "missed": MISSED, "extra": EXTRA, "longshort": ARTIFACT}
    out: dict[int, int] = {}
    for kind, code in codes.items():
        for j in found[kind]:
            if 1 <= j <= rr.size:
                out.setdefault(j - 1, code)
    return out


def classify_rr(rr_ms: ArrayLike, *, kubios: bool = True) -> Classification:
    """Classify every beat of a gap-free stretch of RR intervals.

    Args:
        rr_ms: RR intervals in ms.
        kubios: Take neurokit2's Kubios method as the second opinion (default); False: the local
            rule alone (what the live engine does between refreshes).
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    clf = BeatClassifier(kubios_flags(rr) if kubios else None)
    codes = np.zeros(rr.size, dtype=np.int8)
    for value in rr:
        for j, c in clf.push(value):
            codes[j] = c
    for j, c in clf.finish():
        codes[j] = c
    return Classification(codes, np.array(clf.nn, dtype=bool))
