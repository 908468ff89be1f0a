"""Coherence zones on screen: a strip of zone colours over the session, and a bar of the share of
time in each zone. Both paint the values they are given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from hrvcoach.gui import theme
from hrvcoach.gui.training_view import ZONE_COLORS, ZONES, zone_name

#: how long a zone holds on the strip after the coherence update that gave it: one refresh (5 s)
#: and the beat that brings the next, at 40 bpm or less. When no update follows (no beats, a lost
#: link) the strip stops there and the time after it stays empty.
ZONE_HOLD_S = 8.0


@dataclass
class ZoneRun:
    """Consecutive coherence updates in one zone: from the first (``start_s``) to the last
    (``last_s``); ``closed``: a pause or a lost link ended it, nothing holds it on."""

    start_s: float
    last_s: float
    zone: str
    closed: bool = False


class ZoneRuns:
    """The zone strip's content, built from each coherence update as it arrives.

    An update while the session is frozen (paused, or the link not connected) is not practice:
    it closes the run, and the time until the next live update stays empty on the strip, even
    when the zone after it is the same. So does a silence longer than the hold with the link up
    (a strap off the chest, a gap in the beats).
    """

    def __init__(self, hold_s: float = ZONE_HOLD_S) -> None:
        self.hold_s = float(hold_s)
        self.runs: list[ZoneRun] = []
        self._last_t: float | None = None

    def take(self, t_s: float | None, zone: str | None, *, frozen: bool) -> None:
        """One training snapshot's zone and the session time of its coherence update."""
        if frozen:
            if self.runs:
                self.runs[-1].closed = True
            return
        if zone is None or t_s is None or t_s == self._last_t:
            return
        self._last_t = t_s
        run = self.runs[-1] if self.runs else None
        # the same zone continues a run only without a silence longer than the hold between
        if (
            run is not None
            and not run.closed
            and run.zone == zone
            and t_s - run.last_s <= self.hold_s
        ):
            run.last_s = float(t_s)
        else:
            self.runs.append(ZoneRun(float(t_s), float(t_s), zone))

    def spans(
        self, now_s: float, *, to_end_s: float | None = None
    ) -> list[tuple[float, float, str]]:
        """``(start_s, end_s, zone)`` to paint at ``now_s``; ``to_end_s``: the session ran its
        whole length, so a run still going at the end reaches it."""
        out: list[tuple[float, float, str]] = []
        for i, run in enumerate(self.runs):
            if run.closed:
                end = run.last_s
            elif i + 1 < len(self.runs):
                end = min(self.runs[i + 1].start_s, run.last_s + self.hold_s)
            elif to_end_s is not None:
                end = to_end_s
            else:
                end = min(now_s, run.last_s + self.hold_s)
            if i + 1 < len(self.runs):
                end = min(end, self.runs[i + 1].start_s)
            out.append((run.start_s, max(end, run.start_s), run.zone))
        return out


def _track(widget: QWidget, *, radius: float) -> tuple[QPainter, float, float]:
    """A painter on ``widget`` with its empty track drawn (the panel edge colour, rounded), for
    the zone colours to go on; and the widget's width and height."""
    p = QPainter(widget)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    w, h = float(widget.width()), float(widget.height())
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(theme.PANEL_EDGE))
    p.drawRoundedRect(QRectF(0, 0, w, h), radius, radius)
    return p, w, h


class ZoneStrip(QWidget):
    """The session as a thin bar: each stretch of time in the colour of its zone.

    :meth:`show_zones` takes ``(start_s, end_s, zone)`` spans in time order (:class:`ZoneRuns`),
    the session time now and the session's planned length (``None``: open, the strip spans the
    time so far). Time not practised, still ahead or without coherence updates (a pause, a lost
    link), stays in the panel colour, so the strip also shows how far the session has come.
    """

    HEIGHT_PX = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(self.HEIGHT_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._spans: tuple[tuple[float, float, str], ...] = ()
        self._now_s = 0.0
        self._span_s: float | None = None
        self.setToolTip("coherence zone over the session: low, medium, high")

    @property
    def spans(self) -> tuple[tuple[float, float, str], ...]:
        return self._spans

    @property
    def changes(self) -> tuple[tuple[float, str], ...]:
        """``(start_s, zone)`` of each span."""
        return tuple((start, zone) for start, _, zone in self._spans)

    def show_zones(
        self, spans: Sequence[tuple[float, float, str]], now_s: float, span_s: float | None
    ) -> None:
        state = (tuple(spans), now_s, span_s)
        if state != (self._spans, self._now_s, self._span_s):
            self._spans, self._now_s, self._span_s = state
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p, w, h = _track(self, radius=self.height() / 2)
        span = max(self._span_s or 0.0, self._now_s, 1e-9)
        for start, end, zone in self._spans:
            if end <= start:
                continue
            x0, x1 = w * max(0.0, start) / span, w * min(end, span) / span
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
        p, w, h = _track(self, radius=4.0)
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
