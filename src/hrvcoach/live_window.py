"""The beats the live engine keeps, with running sums for its time domain.

:class:`RunningWindow` holds every beat of the last ``horizon_s`` seconds (what spectra and
coherence are computed over) and keeps mean, SD and successive-difference sums of the last
``window_s`` of them up to date beat by beat, so the time domain costs nothing per beat. The sums
are of ``rr - ref`` (the first beat in the window), which keeps the SD free of cancellation, and
:meth:`RunningWindow.resync` recomputes them exactly, which :class:`hrvcoach.live.LiveHrv` does at
every spectral refresh so rounding never accumulates.

A difference counts only between two beats that followed each other without a break (a gap, a
beat left out): :attr:`RunningWindow.break_next` makes the next beat start a new chain.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from hrvcoach.metrics.time_domain import TimeDomainConvention


class Entry:
    """A beat in the buffer; ``d``: its difference from the beat before (``None`` after a break)."""

    __slots__ = ("d", "rr", "t")

    def __init__(self, t: float, rr: float, d: float | None) -> None:
        self.t = t
        self.rr = rr
        self.d = d


class RunningWindow:
    """Beats within ``horizon_s`` of the latest; time-domain sums over the last ``window_s``.

    Attributes:
        buf: Every beat within the horizon, oldest first; those from :attr:`td_start` on are in
            the time-domain window.
        break_next: The next beat's difference does not count (it starts a new chain).
    """

    def __init__(self, window_s: float, horizon_s: float) -> None:
        self.window_s = float(window_s)
        self.horizon_s = float(horizon_s)
        self.buf: deque[Entry] = deque()
        self.td_start = 0
        self.break_next = True
        self._reset_sums()

    # -- running sums ------------------------------------------------------------------------
    def _reset_sums(self) -> None:
        self._n = 0
        self._ref = 0.0
        self._s1 = 0.0
        self._s2 = 0.0
        self._nd = 0
        self._sd2 = 0.0
        self._nn50 = 0

    def _add_diff(self, d: float | None, sign: int) -> None:
        if d is None:
            return
        self._nd += sign
        self._sd2 += sign * d * d
        if abs(d) > 50.0:
            self._nn50 += sign

    def _td_add(self, e: Entry) -> None:
        if self._n == 0:
            self._ref = e.rr
        else:
            self._add_diff(e.d, +1)
        x = e.rr - self._ref
        self._n += 1
        self._s1 += x
        self._s2 += x * x

    def _td_remove_left(self) -> None:
        e = self.buf[self.td_start]
        x = e.rr - self._ref
        self._n -= 1
        self._s1 -= x
        self._s2 -= x * x
        self.td_start += 1
        if self._n > 0:
            # The next beat's difference pointed at the beat leaving the window.
            self._add_diff(self.buf[self.td_start].d, -1)
        else:
            self._reset_sums()

    def resync(self) -> None:
        """Recompute the sums exactly from the window."""
        entries = self.entries()
        self._reset_sums()
        for e in entries:
            self._td_add(e)

    # -- beats -------------------------------------------------------------------------------
    def append(self, t: float, rr: float) -> None:
        """Add a beat (``t`` s, ``rr`` ms); drop what falls out of the window and the horizon."""
        d = None if self.break_next or not self.buf else rr - self.buf[-1].rr
        self.break_next = False
        e = Entry(t, rr, d)
        self.buf.append(e)
        self._td_add(e)
        cut = t - self.window_s
        while self._n > 0 and self.buf[self.td_start].t <= cut:
            self._td_remove_left()
        horizon = t - self.horizon_s
        while self.buf and self.buf[0].t <= horizon and self.td_start > 0:
            self.buf.popleft()
            self.td_start -= 1

    def pop_right(self, count: int) -> bool:
        """Take back the last ``count`` beats (provisional ones about to be replaced).

        Returns:
            Whether the earliest beat taken back started a new chain (no difference before it).
        """
        starts_chain = False
        for _ in range(count):
            e = self.buf.pop()
            starts_chain = e.d is None
            if len(self.buf) >= self.td_start:  # it was inside the window
                x = e.rr - self._ref
                self._n -= 1
                self._s1 -= x
                self._s2 -= x * x
                if self._n > 0:
                    self._add_diff(e.d, -1)
                else:
                    self._reset_sums()
            else:
                self.td_start = len(self.buf)
        return starts_chain

    def entries(self) -> list[Entry]:
        """The beats in the time-domain window, oldest first."""
        return [self.buf[i] for i in range(self.td_start, len(self.buf))]

    def time_domain(
        self, convention: TimeDomainConvention
    ) -> tuple[int, float, float, float, float]:
        """``(beats, mean RR, SDNN, RMSSD, pNN50)`` of the window (NaN where undefined)."""
        n, nd = self._n, self._nd
        mean_rr = self._ref + self._s1 / n if n else math.nan
        if n > convention.sdnn_ddof:
            var = (self._s2 - self._s1 * self._s1 / n) / (n - convention.sdnn_ddof)
            sdnn = math.sqrt(max(var, 0.0))
        else:
            sdnn = math.nan
        rmssd_den = nd - convention.rmssd_ddof
        rmssd = math.sqrt(max(self._sd2, 0.0) / rmssd_den) if rmssd_den > 0 else math.nan
        pnn_den = nd + 1 if convention.pnn50_denominator == "beats" else nd
        pnn50 = 100.0 * self._nn50 / pnn_den if nd > 0 else math.nan
        return n, mean_rr, sdnn, rmssd, pnn50

    def since(self, start_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Times and RR of the beats at or after ``start_s``."""
        entries = [e for e in self.buf if e.t >= start_s]
        t = np.fromiter((e.t for e in entries), dtype=np.float64, count=len(entries))
        rr = np.fromiter((e.rr for e in entries), dtype=np.float64, count=len(entries))
        return t, rr
