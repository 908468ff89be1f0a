"""The heart's response against the breathing curve: heart rate over the last minute and a half,
the breath the pacer asked for under it, and the next few seconds of the guide ahead of "now"."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel

from hrvcoach.gui import theme

if TYPE_CHECKING:
    from hrvcoach.pacer import Pacer

PLOT_EVERY_S = 0.1  #: the plot scrolls ~1 px per 0.1 s at 1280 px, so 10 Hz looks continuous
TRACE_WINDOW_S = 90.0  #: heart rate shown over the last minute and a half
LOOKAHEAD_S = 8.0  #: the breathing curve runs this far ahead of "now" so the next turn is visible
#: room above the top tick and below the bottom one, so their labels are never cut in half
Y_PADDING = 0.04
BREATH_STEP_S = 0.25  #: 40 points a breath at 6/min: smooth, at a third of the paint cost of 0.1 s


class TimedPlotWidget(pg.PlotWidget):
    """A plot widget that counts and times its paints (for the frame statistics)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.paint_count = 0
        self.last_paint_perf_s = 0.0
        self.paint_ms: deque[float] = deque(maxlen=5000)
        self.on_painted: Callable[[float], None] | None = None

    def paintEvent(self, ev: QPaintEvent) -> None:
        t0 = time.perf_counter()
        super().paintEvent(ev)
        t1 = time.perf_counter()
        self.paint_count += 1
        self.last_paint_perf_s = t1
        self.paint_ms.append((t1 - t0) * 1000.0)
        if self.on_painted is not None:
            self.on_painted(t1)


class ResponsePlot:
    """The plot (:attr:`plot`) and its legend (:attr:`legend`), drawn from the values given.

    Args:
        on_painted: Called with ``time.perf_counter()`` after each paint of the plot.
    """

    def __init__(self, on_painted: Callable[[float], None]) -> None:
        self._y_range: tuple[float, float] = (50.0, 90.0)
        self._breath_t: deque[float] = deque()
        self._breath_v: deque[float] = deque()
        self.plot = TimedPlotWidget(background=theme.BACKGROUND)
        self.plot.setMinimumHeight(120)
        self.plot.on_painted = on_painted
        pi = self.plot.getPlotItem()
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.setMouseEnabled(x=False, y=False)
        # pyqtgraph's own grid costs ~10 ms a paint here; a few faint lines in one curve cost ~0.2
        self.grid = pg.PlotDataItem(pen=pg.mkPen(theme.PANEL_EDGE, width=1), connect="pairs")
        pi.addItem(self.grid)
        for name in ("left", "bottom"):
            ax = pi.getAxis(name)
            ax.setPen(pg.mkPen(theme.PANEL_EDGE))
            ax.setTextPen(pg.mkPen(theme.MUTED))
        pi.getAxis("left").setLabel("bpm", color=theme.MUTED)
        pi.getAxis("left").setWidth(52)
        pi.getAxis("bottom").setLabel("seconds from now", color=theme.MUTED)
        pi.setXRange(-TRACE_WINDOW_S, LOOKAHEAD_S, padding=0)
        pi.setYRange(*self._y_range, padding=Y_PADDING)
        # A 1 px pen on the filled guide: wider antialiased pens on a filled path cost 3-4x more
        # per paint in Qt's raster engine (see docs/window.md).
        self.breath_curve = pg.PlotDataItem(
            pen=pg.mkPen(theme.BREATH, width=1),
            brush=pg.mkBrush(*theme.BREATH_SOFT),
            fillLevel=self._y_range[0],
            antialias=True,
        )
        self.breath_ahead = pg.PlotDataItem(
            pen=pg.mkPen(theme.BREATH, width=1, style=Qt.PenStyle.DashLine), antialias=True
        )
        self.hr_curve = pg.PlotDataItem(
            pen=pg.mkPen(theme.HEART, width=2.6), connect="finite", antialias=True
        )
        self.now_line = pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen(theme.FAINT, width=1))
        for item in (self.breath_curve, self.breath_ahead, self.hr_curve):
            item.setClipToView(True)
            pi.addItem(item)
        pi.addItem(self.now_line)
        self._show_grid(*self._y_range)
        self.legend = legend = QLabel(
            f"<span style='color:{theme.HEART}'>━ heart rate</span>&nbsp;&nbsp;&nbsp;"
            f"<span style='color:{theme.BREATH}'>━ breathing guide</span>"
        )
        legend.setProperty("role", "caption")

    def show(
        self,
        now_s: float,
        beat_t: Sequence[float],
        beat_hr: Sequence[float],
        pacer: Pacer | None,
        *,
        started: bool,
        ahead: bool,
    ) -> None:
        """Draw the beats (session times and heart rates) and the breathing guide at ``now_s``.

        Args:
            started: The session runs: the breathing guide is sampled up to ``now_s``.
            ahead: Show the guide's next seconds (not before the start, at the end or paused).

        With no ``pacer`` (a replay without a breathing guide) only the heart rate is drawn.
        """
        if pacer is None:
            started = ahead = False
            self.breath_curve.setData([], [])
        if started and pacer is not None:
            self._breath_samples(now_s, pacer)
        bt = np.fromiter(beat_t, dtype=float, count=len(beat_t)) - now_s
        bh = np.fromiter(beat_hr, dtype=float, count=len(beat_hr))
        y_range = self._y_limits(bh)
        if y_range != self._y_range:
            self._y_range = y_range
            self.plot.getPlotItem().setYRange(*y_range, padding=Y_PADDING)
            self._show_grid(*y_range)
            self.breath_curve.setFillLevel(y_range[0])
        lo, hi = self._y_range
        # the breathing guide spans the lower two thirds: HR peaks stay clear of its crest
        span = (hi - lo) * 0.66
        self.hr_curve.setData(bt, bh, connect="finite")
        if self._breath_t:
            xt = np.fromiter(self._breath_t, dtype=float, count=len(self._breath_t)) - now_s
            xv = np.fromiter(self._breath_v, dtype=float, count=len(self._breath_v))
            past = xt <= 1e-9  # at the end, "now" is the last event, before the last frame
            xt, xv = xt[past], xv[past]
            self.breath_curve.setData(xt, lo + span * xv)
        if ahead and pacer is not None:
            # (paused: no breath ahead to follow; the circle holds still and so does this)
            ahead_t = np.arange(0.0, LOOKAHEAD_S + 1e-9, 0.2)
            ahead_v = np.array([pacer.volume(now_s + dt) for dt in ahead_t])
            self.breath_ahead.setData(ahead_t, lo + span * ahead_v)
        else:
            self.breath_ahead.setData([], [])

    def _breath_samples(self, now_s: float, pacer: Pacer) -> None:
        """Extend the sampled breathing curve up to ``now_s`` (the past never changes)."""
        start = now_s - TRACE_WINDOW_S
        # nothing before the session began: the guide shows what was breathed, not made-up past
        t = self._breath_t[-1] + BREATH_STEP_S if self._breath_t else max(0.0, start)
        t = max(t, math.floor(start / BREATH_STEP_S) * BREATH_STEP_S)
        while t <= now_s:
            self._breath_t.append(t)
            self._breath_v.append(pacer.volume(t))
            t += BREATH_STEP_S
        while self._breath_t and self._breath_t[0] < start - 1.0:
            self._breath_t.popleft()
            self._breath_v.popleft()

    def _y_limits(self, hr: np.ndarray) -> tuple[float, float]:
        finite = hr[np.isfinite(hr)]
        if finite.size == 0:
            return self._y_range
        # A missed or ectopic beat is one or two far points; scaling to it would flatten the
        # breathing rhythm the eye follows, so the scale follows the middle 94 % and a lone
        # outlier runs off the edge of the plot (still visible as a spike, never hidden).
        if finite.size >= 30:
            lo, hi = (float(v) for v in np.percentile(finite, [3.0, 97.0]))
        else:
            lo, hi = float(np.min(finite)), float(np.max(finite))
        # whole 5 bpm steps with a margin, so the scale moves rarely and never clips the trace
        lo5 = 5.0 * math.floor((lo - 2.0) / 5.0)
        hi5 = 5.0 * math.ceil((hi + 2.0) / 5.0)
        if hi5 - lo5 < 20.0:
            mid = 0.5 * (lo5 + hi5)
            lo5, hi5 = 5.0 * math.floor((mid - 10.0) / 5.0), 5.0 * math.ceil((mid + 10.0) / 5.0)
        return lo5, hi5

    def _show_grid(self, lo: float, hi: float) -> None:
        step = 10.0 if hi - lo > 25.0 else 5.0
        ys = np.arange(math.ceil(lo / step) * step, hi + 1e-9, step)
        x = np.tile([-TRACE_WINDOW_S, LOOKAHEAD_S], len(ys))
        self.grid.setData(x, np.repeat(ys, 2), connect="pairs")
