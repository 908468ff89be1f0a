"""Beat classification for the live engine: times kept, decisions in order, window quality.

:class:`LiveClassifier` wraps :class:`~hrvcoach.quality.classify.BeatClassifier` (the local rule,
decided beat by beat: a beat that looks normal is decided at once, a suspect one waits for the two
beats after it) for one stream with breaks, and counts the classes of the beats decided within the
last ``window_s`` seconds, so the live window's :class:`~hrvcoach.quality.Quality` costs O(1).
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

from hrvcoach.quality import Quality, assess
from hrvcoach.quality.classify import ECTOPIC, NORMAL, BeatClassifier


class Decided(NamedTuple):
    """A beat whose class is known.

    Attributes:
        t_s: Its time.
        rr_ms: The RR interval ending at it.
        code: Its class (:data:`~hrvcoach.quality.classify.NORMAL` ...).
        nn: Whether that interval is NN (both its beats normal).
    """

    t_s: float
    rr_ms: float
    code: int
    nn: bool


class LiveClassifier:
    """Classifies a live beat stream and keeps the quality of the last ``window_s`` seconds.

    Args:
        window_s: Span of the window quality.
    """

    def __init__(self, window_s: float) -> None:
        self.window_s = float(window_s)
        self._clf = BeatClassifier()
        self._first = 0  # stream index of _waiting[0]
        self._waiting: deque[tuple[float, float]] = deque()
        self._recent: deque[tuple[float, int]] = deque()
        self._counts = [0, 0, 0]  # all, ectopic, other not normal (within the window)
        self.total = [0, 0, 0]  # the same over the whole stream

    @property
    def waiting(self) -> int:
        """Beats taken but not yet decided."""
        return len(self._waiting)

    def push(self, t_s: float, rr_ms: float) -> list[Decided]:
        """Take a beat; return the beats decided now, in order."""
        self._waiting.append((t_s, rr_ms))
        return self._take(self._clf.push(rr_ms))

    def end_stretch(self) -> list[Decided]:
        """A break (gap, dropped beat): decide on every waiting beat, start a new stretch."""
        out = self._take(self._clf.finish())
        self._clf = BeatClassifier()
        self._first = 0
        self._waiting.clear()
        return out

    def _take(self, decisions: list[tuple[int, int]]) -> list[Decided]:
        out: list[Decided] = []
        nn = self._clf.nn
        for index, code in decisions:
            t, rr = self._waiting.popleft()
            self._first += 1
            out.append(Decided(t, rr, code, nn[index]))
            self._count(t, code, +1)
            self._recent.append((t, code))
        return out

    def _count(self, t_s: float, code: int, sign: int) -> None:
        del t_s
        for counts in (self._counts, self.total) if sign > 0 else (self._counts,):
            counts[0] += sign
            if code == ECTOPIC:
                counts[1] += sign
            elif code != NORMAL:
                counts[2] += sign

    def quality(self, now_s: float) -> Quality:
        """The quality of the beats decided within ``window_s`` before ``now_s``."""
        cut = now_s - self.window_s
        while self._recent and self._recent[0][0] <= cut:
            t, code = self._recent.popleft()
            self._count(t, code, -1)
        return assess(*self._counts)

    def session_quality(self) -> Quality:
        """The quality of every beat decided so far."""
        return assess(*self.total)
