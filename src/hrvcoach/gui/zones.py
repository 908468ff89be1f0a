"""Coherence zones on screen: a strip of zone colours over the session, and a bar of the share of
time in each zone. Both paint the values they are given."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from hrvcoach.gui import theme
from hrvcoach.gui.training_view import ZONE_COLORS, ZONES, zone_name


class ZoneStrip(QWidget):
    """The session as a thin bar: each stretch of time in the colour of its zone.

    :meth:`show_zones` takes ``(t_s, zone)`` changes in time order, the session time now and the
    session's planned length (``None``: open, the strip spans the time so far). Time not yet
    practised stays in the panel colour, so the strip also shows how far the session has come.
    """

    HEIGHT_PX = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(self.HEIGHT_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._changes: tuple[tuple[float, str], ...] = ()
        self._now_s = 0.0
        self._span_s: float | None = None
        self.setToolTip("coherence zone over the session: low, medium, high")

    @property
    def changes(self) -> tuple[tuple[float, str], ...]:
        return self._changes

    def show_zones(
        self, changes: Sequence[tuple[float, str]], now_s: float, span_s: float | None
    ) -> None:
        state = (tuple(changes), now_s, span_s)
        if state != (self._changes, self._now_s, self._span_s):
            self._changes, self._now_s, self._span_s = state
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = float(self.width()), float(self.height())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(theme.PANEL_EDGE))
        p.drawRoundedRect(QRectF(0, 0, w, h), h / 2, h / 2)
        span = max(self._span_s or 0.0, self._now_s, 1e-9)
        changes = self._changes
        for i, (t_s, zone) in enumerate(changes):
            end = changes[i + 1][0] if i + 1 < len(changes) else self._now_s
            if end <= t_s:
                continue
            x0, x1 = w * max(0.0, t_s) / span, w * min(end, span) / span
            p.setBrush(QColor(ZONE_COLORS.get(zone, theme.FAINT)))
            p.drawRect(QRectF(x0, 0, max(1.0, x1 - x0), h))
        p.end()


def zone_changes(series: Sequence[tuple[float, object]]) -> list[tuple[float, str]]:
    """``(t_s, zone)`` of every coherence update, reduced to the moments the zone changed."""
    out: list[tuple[float, str]] = []
    for t_s, zone in series:
        name = zone_name(zone)
        if name is not None and (not out or out[-1][1] != name):
            out.append((t_s, name))
    return out


class ZoneBar(QWidget):
    """The share of the session in each zone, low to high, as one bar of three colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._pct: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def pct(self) -> tuple[float, float, float]:
        return self._pct

    def show_pct(self, pct: tuple[float, float, float]) -> None:
        if pct != self._pct:
            self._pct = pct
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = float(self.width()), float(self.height())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(theme.PANEL_EDGE))
        p.drawRoundedRect(QRectF(0, 0, w, h), 4, 4)
        total = sum(self._pct)
        x = 0.0
        if total > 0:
            for zone, pct in zip(ZONES, self._pct, strict=True):
                part = w * pct / total
                if part > 0:
                    p.setBrush(QColor(ZONE_COLORS[zone]))
                    p.drawRect(QRectF(x, 0, part, h))
                x += part
        p.end()
