"""The breathing pacer: a soft circle that fills as the lungs fill, with the cue and seconds left.

The widget is dumb: :meth:`PacerWidget.show_state` receives a :class:`PacerView` computed from the
pacer (a pure function of session time) and repaints. Two faint rings mark empty and full, so the
eye has fixed anchors and can follow the edge of the circle with soft focus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QRadialGradient
from PySide6.QtWidgets import QSizePolicy, QWidget

from hrvcoach.gui import theme
from hrvcoach.pacer import PacerState

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
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._view = PacerView(0.0, "Ready", None, active=False)
        self._background = QColor(theme.BACKGROUND)
        self._breath = QColor(theme.BREATH)
        self._text = QColor(theme.TEXT)
        self._muted = QColor(theme.MUTED)
        self._ring = QColor(theme.PANEL_EDGE)
        self.paint_count = 0

    @property
    def view(self) -> PacerView:
        return self._view

    def show_state(self, view: PacerView) -> None:
        if view != self._view:
            self._view = view
            self.update()

    def radius_for(self, volume: float) -> float:
        """Circle radius in pixels for a lung volume at the current widget size."""
        r_max = 0.46 * min(self.width(), self.height())
        r_min = MIN_RADIUS_FRACTION * r_max
        return r_min + (r_max - r_min) * min(1.0, max(0.0, volume))

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paint_count += 1
        view = self._view
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), self._background)
        c = QPointF(self.width() / 2.0, self.height() / 2.0)
        r_full = self.radius_for(1.0)
        r_empty = self.radius_for(0.0)
        r = self.radius_for(view.volume)

        ring = QPen(self._ring, 1.5)
        p.setPen(ring)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(c, r_full, r_full)
        ring.setStyle(Qt.PenStyle.DotLine)
        p.setPen(ring)
        p.drawEllipse(c, r_empty, r_empty)

        alpha = 1.0 if view.active else 0.45
        inner = QColor(self._breath)
        inner.setAlphaF(0.55 * alpha)
        outer = QColor(self._breath)
        outer.setAlphaF(0.16 * alpha)
        grad = QRadialGradient(c, max(r, 1.0))
        grad.setColorAt(0.0, outer)
        grad.setColorAt(0.82, inner)
        grad.setColorAt(
            1.0,
            QColor(self._breath.red(), self._breath.green(), self._breath.blue(), int(200 * alpha)),
        )
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(grad)
        p.drawEllipse(c, r, r)

        # text sits in the empty circle, so it never moves as the circle breathes
        size = r_empty
        cue_font = QFont()
        cue_font.setPixelSize(max(14, int(size * 0.3)))
        p.setFont(cue_font)
        p.setPen(self._text if view.active else self._muted)
        cue_box = QRectF(c.x() - 1.6 * size, c.y() - size * 0.62, 3.2 * size, size * 0.6)
        p.drawText(cue_box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, view.cue)
        if view.seconds_left is not None:
            num_font = QFont()
            num_font.setPixelSize(max(18, int(size * 0.6)))
            p.setFont(num_font)
            num_box = QRectF(c.x() - size, c.y(), 2 * size, size * 0.7)
            p.drawText(
                num_box,
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                str(view.seconds_left),
            )
        p.end()
