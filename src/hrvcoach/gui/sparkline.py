"""A small trend line (coherence over the session) painted directly: no axes, no interaction."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from hrvcoach.gui import theme


class Sparkline(QWidget):
    """Draws ``values`` against ``t_s`` scaled to the widget, from zero to the largest value."""

    def __init__(self, parent: QWidget | None = None, *, color: str = theme.COHERENCE) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(34)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)
        self._t: tuple[float, ...] = ()
        self._v: tuple[float, ...] = ()
        self._color = QColor(color)
        self._base = QColor(theme.PANEL_EDGE)

    def show_series(self, t_s: Sequence[float], values: Sequence[float]) -> None:
        t, v = tuple(t_s), tuple(values)
        if (t, v) != (self._t, self._v):
            self._t, self._v = t, v
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = self.width(), self.height()
        p.setPen(QPen(self._base, 1))
        p.drawLine(QPointF(0, h - 1.5), QPointF(w, h - 1.5))
        if len(self._v) >= 2:
            t0, t1 = self._t[0], self._t[-1]
            span = max(t1 - t0, 1e-9)
            top = max(max(self._v), 1e-9)
            path = QPainterPath()
            for i, (t, v) in enumerate(zip(self._t, self._v, strict=True)):
                x = 2 + (w - 4) * (t - t0) / span
                y = (h - 3) - (h - 6) * max(0.0, v) / top
                if i == 0:
                    path.moveTo(x, y)
                else:
                    path.lineTo(x, y)
            p.setPen(QPen(self._color, 1.8))
            p.drawPath(path)
        p.end()
