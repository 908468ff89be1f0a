"""The training side of the practice window: the zone, level and swing live, and the wins at
the end.

The session's training tracker (:mod:`hrvcoach.training.live`) hands a snapshot with every update;
:meth:`TrainingDisplay.take` keeps the latest and the moments the zone changed, and
:meth:`TrainingDisplay.show` draws them once a frame: the coherence tile and the pacer's ring in
the zone's colour, the level in the header, the swing of the last breath, and the zone strip
over the session (which stops where coherence updates stop: a pause or a lost link is a gap).
"""

from __future__ import annotations

import logging

from hrvcoach.gui.link_status import StatusHeader
from hrvcoach.gui.pacer_widget import PacerWidget
from hrvcoach.gui.tiles import LiveNumbers
from hrvcoach.gui.training_view import live_view, zone_name
from hrvcoach.gui.zones import ZoneRuns, ZoneStrip

log = logging.getLogger(__name__)


class TrainingDisplay:
    """Keeps what arrived of training and shows it on the views it was given."""

    def __init__(
        self, numbers: LiveNumbers, pacer: PacerWidget, strip: ZoneStrip, header: StatusHeader
    ) -> None:
        self.numbers = numbers
        self.header = header
        self.pacer = pacer
        self.strip = strip
        self.latest: object | None = None
        #: the zone strip's runs of one zone, from each coherence update
        self.zones = ZoneRuns()
        self._shown: object | None = None
        self._full = False

    def take(self, snapshot: object | None) -> None:
        """One update's training snapshot (``None``: the session does not track training)."""
        if snapshot is None:
            return
        self.latest = snapshot
        self.zones.take(
            getattr(snapshot, "zone_t_s", None),
            zone_name(getattr(snapshot, "zone", None)),
            frozen=bool(getattr(snapshot, "frozen", False)),
        )

    def show(self, now_s: float, span_s: float | None) -> None:
        """Draw the latest snapshot (only when it changed) and move the strip on to ``now_s``."""
        snapshot = self.latest
        if snapshot is not None and snapshot is not self._shown:
            self._shown = snapshot
            view = live_view(snapshot)
            self.numbers.show_training(view)
            self.pacer.set_ring_color(view.color)
            self.header.show_level(view.level)
        if self.zones.runs:
            to_end_s = span_s if self._full and span_s else None
            spans = self.zones.spans(now_s, to_end_s=to_end_s)
            self.strip.show_zones(spans, max(now_s, to_end_s or 0.0), span_s)

    def end(self, now_s: float, span_s: float | None, *, full: bool) -> None:
        """The session is over: the pacer's ring goes back to plain, and the strip is drawn to
        the end (``full``: it ran its whole length, so the strip reaches its end)."""
        self._full = full
        self.show(now_s, span_s)
        self.pacer.set_ring_color(None)


def judge(judge_fn: object, result: object, summary: object, stress_after: int | None) -> object:
    """The composition root's verdict on a finished session, or ``None`` if it has none or fails
    (a failure is logged: the end screen then shows the numbers without the wins)."""
    if not callable(judge_fn) or result is None:
        return None
    try:
        return judge_fn(result, summary, stress_after)
    except Exception:
        log.exception("the session's wins could not be worked out; the recording is kept")
        return None
