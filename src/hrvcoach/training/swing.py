"""The rep: the heart-rate swing (max - min heart rate) within each pacer breath."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BreathSwing:
    """One finished breath.

    Attributes:
        breath: The pacer's breath number (0 for the first).
        t_s: Session time of the last beat in the breath.
        swing_bpm: Highest minus lowest heart rate among the breath's beats.
    """

    breath: int
    t_s: float
    swing_bpm: float


@dataclass(frozen=True, slots=True)
class SwingSummary:
    """The swing over a session: mean and best of the whole breaths, and how many there were."""

    mean_bpm: float | None
    best_bpm: float | None
    breaths: int


class SwingTracker:
    """Heart-rate swing per pacer breath, from beats and the pacer's breath count.

    Feed :meth:`add` every usable beat with the pacer's breath count at its time (``Pacer.breaths``,
    which holds still while paused). A breath is finished when a beat of a later breath arrives; it
    counts only if it had at least ``min_beats`` beats and was not interrupted (:meth:`interrupt`:
    a pause, a gap or a lost link), so a half breath never looks like a small rep.
    """

    def __init__(self, *, min_beats: int = 3) -> None:
        self.min_beats = min_beats
        self._breath: int | None = None
        self._hr: list[float] = []
        self._t_s = 0.0
        self._broken = False
        self._swings: list[float] = []
        self.last: BreathSwing | None = None

    def interrupt(self) -> None:
        """The current breath will not count (a pause, a gap, a link loss within it)."""
        self._broken = True

    def add(
        self, t_s: float, hr_bpm: float, breaths: float, *, counting: bool = True
    ) -> BreathSwing | None:
        """One beat; returns the breath it finished, if any."""
        if not math.isfinite(hr_bpm) or not math.isfinite(breaths):
            return None
        breath = math.floor(breaths)
        done: BreathSwing | None = None
        if self._breath is not None and breath != self._breath:
            done = self._close()
        if self._breath != breath:
            self._breath = breath
            self._hr = []
            self._broken = False
        if not counting:
            self._broken = True
        self._hr.append(hr_bpm)
        self._t_s = t_s
        return done

    def _close(self) -> BreathSwing | None:
        if self._broken or len(self._hr) < self.min_beats or self._breath is None:
            return None
        swing = BreathSwing(self._breath, self._t_s, max(self._hr) - min(self._hr))
        self._swings.append(swing.swing_bpm)
        self.last = swing
        return swing

    @property
    def swings_bpm(self) -> list[float]:
        return list(self._swings)

    def summary(self) -> SwingSummary:
        if not self._swings:
            return SwingSummary(None, None, 0)
        return SwingSummary(
            mean_bpm=sum(self._swings) / len(self._swings),
            best_bpm=max(self._swings),
            breaths=len(self._swings),
        )
