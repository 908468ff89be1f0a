"""The breathing pacer: a soft circle that fills as the lungs fill, with the cue and seconds left.

The widget is dumb: :meth:`PacerWidget.show_state` receives a :class:`PacerView` computed from the
pacer (a pure function of session time) and repaints. Two faint rings mark empty and full, so the
eye has fixed anchors and can follow the edge of the circle with soft focus.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QRadialGradient,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from hrvcoach.gui import theme
from hrvcoach.pacer import PacerState

_BOTTOM = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
_TOP = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop

CUES = {"in": "Breathe in", "hold_in": "Hold", "out": "Breathe out", "hold_out": "Hold"}

#: the empty circle is this fraction of the full one: large enough to read the text inside it
MIN_RADIUS_FRACTION = 0.5


@dataclass(frozen=True, slots=True)
class PacerView:
    """What the pacer shows in one frame.

    Attributes:
        volume: 0 (empty) to 1 (full), from :meth:`hrvcoach.pacer.Pacer.state`.
        cue: The words in the middle ("Breathe in", "Hold", "Paused", "Ready").
        seconds_left: Whole seconds left in the stage, or ``None`` to show none.
        active: False dims the circle (paused, not started, ended).
    """

    volume: float
    cue: str
    seconds_left: int | None
    active: bool = True


def view_of(state: PacerState, *, paused: bool = False) -> PacerView:
    """The pacer view for a pacer state: cue words and the seconds left, rounded up."""
    if paused:
        return PacerView(state.volume, "Paused", None, active=False)
    # ceil, so the count reads 3, 2, 1 and the stage turns as "1" ends (never shows "0")
    left = max(1, math.ceil(state.stage_remaining_s - 1e-6))
    return PacerView(state.volume, CUES[state.stage], left)


class PacerWidget(QWidget):
    """Paints a :class:`PacerView`; never reads the pacer or the clock itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(180, 180)
        # it can hold the focus (calm mode hides the plot that otherwise does), so no number
        # field takes it and shows its text selected
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._view = PacerView(0.0, "Ready", None, active=False)
        self._background = QColor(theme.BACKGROUND)
        self._breath = QColor(theme.BREATH)
        self._text = QColor(theme.TEXT)
        self._muted = QColor(theme.MUTED)
        self._ring = QColor(theme.PANEL_EDGE)
        self._zone: QColor | None = None  #: the outer ring in the coherence zone's colour
        self.paint_count = 0
        self.paint_perf_s: deque[float] = deque(maxlen=20_000)  #: when each paint began
        self.paint_ms: deque[float] = deque(maxlen=20_000)
        self.on_painted: Callable[[float], None] | None = None  #: called with the end time
        self._layout()

    @property
    def view(self) -> PacerView:
        return self._view

    def show_state(self, view: PacerView) -> None:
        if view != self._view:
            self._view = view
            # only the square around the full circle changes; the rest is plain background
            self.update(self._dirty)

    @property
    def ring_color(self) -> str | None:
        return None if self._zone is None else self._zone.name()

    def set_ring_color(self, color: str | None) -> None:
        """Draw the outer ring in ``color`` (the coherence zone), or plain with ``None``."""
        zone = None if color is None else QColor(color)
        if zone != self._zone:
            self._zone = zone
            self._layout()
            self.update()

    def radius_for(self, volume: float) -> float:
        """Circle radius in pixels for a lung volume at the current widget size."""
        r_max = 0.46 * min(self.width(), self.height())
        r_min = MIN_RADIUS_FRACTION * r_max
        return r_min + (r_max - r_min) * min(1.0, max(0.0, volume))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def _layout(self) -> None:
        """Everything that depends only on the size: the rings, the fonts, the text boxes."""
        w, h = max(1, self.width()), max(1, self.height())
        c = QPointF(w / 2.0, h / 2.0)
        r_full, r_empty = self.radius_for(1.0), self.radius_for(0.0)
        self._center = c
        pad = int(r_full) + 3
        self._dirty = QRect(int(c.x()) - pad, int(c.y()) - pad, 2 * pad, 2 * pad)
        static = QPixmap(w, h)
        static.fill(self._background)
        p = QPainter(static)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        ring = QPen(self._ring, 1.5)
        if self._zone is not None:
            # the zone as a wide soft band just outside the full circle: seen without looking
            p.setPen(QPen(self._zone, max(4.0, r_full * 0.045)))
            p.drawEllipse(c, r_full + max(3.0, r_full * 0.03), r_full + max(3.0, r_full * 0.03))
        p.setPen(ring)
        p.drawEllipse(c, r_full, r_full)
        ring.setStyle(Qt.PenStyle.DotLine)
        p.setPen(ring)
        p.drawEllipse(c, r_empty, r_empty)
        p.end()
        self._static = static
        # text sits in the empty circle, so it never moves as the circle breathes
        self._cue_font = QFont()
        self._cue_font.setPixelSize(max(14, int(r_empty * 0.3)))
        self._num_font = QFont()
        self._num_font.setPixelSize(max(18, int(r_empty * 0.6)))
        size = r_empty
        self._cue_box = QRectF(c.x() - 1.6 * size, c.y() - size * 0.62, 3.2 * size, size * 0.6)
        self._num_box = QRectF(c.x() - size, c.y(), 2 * size, size * 0.7)

    def paintEvent(self, event: QPaintEvent) -> None:
        t0 = time.perf_counter()
        self.paint_count += 1
        self.paint_perf_s.append(t0)
        self._paint()
        t1 = time.perf_counter()
        self.paint_ms.append((t1 - t0) * 1000.0)
        if self.on_painted is not None:
            self.on_painted(t1)

    def _paint(self) -> None:
        view = self._view
        p = QPainter(self)
        p.drawPixmap(0, 0, self._static)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        c = self._center
        r = self.radius_for(view.volume)
        alpha = 1.0 if view.active else 0.45
        grad = QRadialGradient(c, max(r, 1.0))
        grad.setColorAt(0.0, self._soft(0.16 * alpha))
        grad.setColorAt(0.82, self._soft(0.55 * alpha))
        grad.setColorAt(1.0, self._soft(0.78 * alpha))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(grad)
        p.drawEllipse(c, r, r)
        p.setFont(self._cue_font)
        p.setPen(self._text if view.active else self._muted)
        p.drawText(self._cue_box, _BOTTOM, view.cue)
        if view.seconds_left is not None:
            p.setFont(self._num_font)
            p.drawText(self._num_box, _TOP, str(view.seconds_left))
        p.end()

    def _soft(self, alpha: float) -> QColor:
        color = QColor(self._breath)
        color.setAlphaF(alpha)
        return color
