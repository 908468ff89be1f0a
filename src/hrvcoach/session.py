"""One practice session: drives events from a source through recording, live HRV and the views.

The session owns no I/O of its own: the source, the recording writer and the sinks (terminal,
window, JSON lines) are passed in by the composition root (``cli``/``gui.app``). It is the single
place where live and replayed sessions meet the same pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from hrvcoach.beats import (
    Beat,
    BeatSource,
    DeviceStatus,
    Event,
    Gap,
    LinkState,
    Mark,
    SourceInfo,
)
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.signals import SampleBlock

if TYPE_CHECKING:
    from hrvcoach.live import LiveHrv, LiveMetrics
    from hrvcoach.training.live import SessionTraining, TrainingLive

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionUpdate:
    """What a view needs after each event: the event, the latest metrics and the session clock.

    ``training`` is the zone, points and swing so far, when the session tracks them.
    """

    event: Event
    metrics: LiveMetrics | None
    t_s: float
    link: LinkState
    paused: bool
    training: TrainingLive | None = None


class SessionSink(Protocol):
    """A view or logger fed by the session (terminal dashboard, window bridge, JSON lines)."""

    def on_update(self, update: SessionUpdate) -> None: ...


@dataclass
class SessionResult:
    """How a session ended and what it produced."""

    ended_by: str  #: "duration", "source-ended", "stopped"
    t_s: float  #: session time at the end
    beats: int
    gaps: int
    recording: object | None = None  #: path of the recording written, if any
    final_metrics: LiveMetrics | None = None
    events: list[Event] = field(default_factory=list, repr=False)
    samples: dict[str, int] = field(default_factory=dict)  #: ECG/motion samples, by kind


class Session:
    """Runs one session.

    Attributes:
        QUIET_S: Wall-clock seconds without events after which a session past its end stops.
        DRAIN_S: After a stop, how long to wait for each event the source still hands over
            (beats it held back, its closing status) before giving up on it.
        END_SLACK_S: A source that ends within this many seconds of ``duration_s`` ended on time.

    Args:
        source: Any driver (strap, replay, simulator), not yet entered.
        pacer: The breathing pacer; pace changes go through :meth:`set_pattern`.
        live: The live HRV engine.
        writer: Recording writer (``write(event)``, ``close()``), or ``None`` to record nothing.
        recorder: Instead of ``writer``: a factory called with the source's info once the source is
            open (the device is only known then); the session closes what it returns when it ends.
        duration_s: End after this much session time (``None``: until the source ends or ``stop``).
        sinks: Views fed with a :class:`SessionUpdate` after every event.
        keep_events: Keep every event in memory for the result (for short sessions and tests).
        training: Zones, points and swing per breath (:mod:`hrvcoach.training.live`), fed after
            live HRV and before the views; ``None``: not tracked.
    """

    QUIET_S = 0.5
    DRAIN_S = 2.0
    END_SLACK_S = 3.0

    def __init__(
        self,
        source: BeatSource,
        *,
        pacer: Pacer | None = None,
        live: LiveHrv | None = None,
        writer: object | None = None,
        recorder: Callable[[SourceInfo], object] | None = None,
        duration_s: float | None = None,
        sinks: Iterable[SessionSink] = (),
        keep_events: bool = False,
        training: SessionTraining | None = None,
    ) -> None:
        self.source = source
        self.pacer = pacer or Pacer()
        if live is None:
            from hrvcoach.live import LiveHrv

            live = LiveHrv()
        self.live = live
        self.writer = writer
        self.recorder = recorder
        self.duration_s = duration_s
        self.sinks: list[SessionSink] = list(sinks)
        #: False when no breathing guide is to be shown: a replay of a recording made without
        #: one (another app's) breathed at its own rate, and a drawn pacer would be invented
        self.pacer_shown = True
        #: what to show instead of the pacer then (the rhythm found in the recording, or why not)
        self.pacer_note: str | None = None
        #: called with every block of ECG or motion samples (breathing, ECG views)
        self.sample_listeners: list[Callable[[SampleBlock], None]] = []
        self.samples: dict[str, int] = {}
        self.keep_events = keep_events
        self.training = training
        self.metrics: LiveMetrics | None = None
        self.link = LinkState.CONNECTING
        self.paused = False
        self._stop_reason: str | None = None
        self._last_t_s = 0.0
        self._started = False
        self._pending_marks: list[Mark] = []
        self._announced = 0
        self._pauses: list[tuple[float, float]] = []
        self._paused_since_s = 0.0
        self._last_event_wall = time.monotonic()

    # -- control (safe to call from any task or from the GUI bridge) ---------------------------
    def now_s(self) -> float:
        """Session time now (follows the source's clock, so replays at any speed stay in step)."""
        if not self._started:
            return 0.0
        now = self.source.now_s()
        return now if now != float("inf") else self._last_t_s

    def stop(self, reason: str = "stopped") -> None:
        if self._stop_reason is None:
            self._stop_reason = reason
        self.source.stop()

    def set_pattern(self, pattern: BreathPattern) -> None:
        self.pacer.set_pattern(max(self.now_s(), self.pacer.segments()[-1][0]), pattern)

    def pause(self) -> None:
        """Hold the pacer and the session clock; beats go on being recorded."""
        if not self.paused:
            t_s = self.now_s()
            self.paused = True
            self._paused_since_s = t_s
            self.pacer.pause(t_s)
            self._pending_marks.append(Mark(t_s, "pause"))

    def resume(self) -> None:
        if self.paused:
            t_s = max(self.now_s(), self._paused_since_s)
            self.paused = False
            self._pauses.append((self._paused_since_s, t_s))
            self.pacer.resume(t_s)
            self._pending_marks.append(Mark(t_s, "resume"))

    def active_s(self, t_s: float) -> float:
        """Practice time at session time ``t_s``: the time since the start, less the pauses.

        ``--minutes`` counts this time, and the views show it as the elapsed time.
        """
        active = t_s
        for start_s, end_s in self._pauses:
            if t_s > start_s:
                active -= min(t_s, end_s) - start_s
        if self.paused and t_s > self._paused_since_s:
            active -= t_s - self._paused_since_s
        return active

    def elapsed_s(self) -> float:
        """Practice time now (see :meth:`active_s`)."""
        return self.active_s(self.now_s())

    def add_mark(self, kind: str, text: str = "") -> None:
        self._pending_marks.append(Mark(self.now_s(), kind, text))

    # -- running --------------------------------------------------------------------------------
    async def run(self) -> SessionResult:
        beats = gaps = 0
        events: list[Event] = []
        ended_by = "source-ended"
        watchdog: asyncio.Task[None] | None = None
        async with self.source:
            self._started = True
            if self.recorder is not None:
                self.writer = self.recorder(self.source.info)
            self._announce_pace(0.0, events)
            if self.duration_s is not None:
                watchdog = asyncio.create_task(self._watch_duration(self.duration_s))
            try:
                events_in = aiter(self.source)
                while True:
                    try:
                        if self._stop_reason is None:
                            event = await anext(events_in)
                        else:  # drain what the source still holds, but do not wait on it forever
                            event = await asyncio.wait_for(anext(events_in), self.DRAIN_S)
                    except (StopAsyncIteration, TimeoutError):
                        break
                    if isinstance(event, SampleBlock):
                        self._on_samples(event)
                        continue
                    if isinstance(event, Mark) and event.kind == "pace":
                        # a replayed pace change: the pacer follows it, and announces it itself
                        self._follow_recorded_pace(event)
                        continue
                    if isinstance(event, Beat):
                        if self.duration_s is not None and self._past_end(event.t_s):
                            self.stop("duration")
                            continue  # past the end: not part of this session
                        beats += 1
                    elif isinstance(event, Gap):
                        gaps += 1
                    self._announce_pace(event.t_s, events)
                    self._flush_marks(events)
                    self._emit(event, events)
            finally:
                if watchdog is not None:
                    watchdog.cancel()
                self._announce_pace(self._last_t_s, events)
                self._flush_marks(events)
                if self.recorder is not None and self.writer is not None:
                    self.writer.close()  # type: ignore[attr-defined]
        if self._stop_reason is not None:
            ended_by = self._stop_reason
        elif (
            self.duration_s is not None
            and self.active_s(self._last_t_s) >= self.duration_s - self.END_SLACK_S
        ):
            ended_by = "duration"  # the source itself was told how long to run
        end_t = self._last_t_s
        if ended_by == "duration" and self.duration_s is not None:
            # it ran its set length of practice: the end is where that length was reached
            end_t = max(end_t, self._last_t_s + self.duration_s - self.active_s(self._last_t_s))
        return SessionResult(
            ended_by=ended_by,
            t_s=end_t,
            beats=beats,
            gaps=gaps,
            recording=getattr(self.writer, "path", None),
            final_metrics=self.metrics,
            events=events,
            samples=dict(self.samples),
        )

    def _on_samples(self, block: SampleBlock) -> None:
        # Not an event: it neither moves the session clock nor counts as the source being
        # active (a strap streaming ECG while its beats went quiet is still quiet).
        if self._past_end(block.t_s):
            return
        self.samples[block.kind] = self.samples.get(block.kind, 0) + len(block)
        write_samples = getattr(self.writer, "write_samples", None)
        if write_samples is not None:
            write_samples(block)
        for listener in self.sample_listeners:
            try:
                listener(block)
            except Exception:  # a broken view must never lose the recording
                log.exception("sample listener failed; session goes on")

    async def _watch_duration(self, duration_s: float) -> None:
        # A live source may go quiet; the session must still end on time. But after the event loop
        # stalled (a slow first import, a busy machine), a sped-up source has beats already due:
        # stop only once the source has gone quiet, so no due beat is left unread.
        while True:
            now = self.source.now_s()
            quiet_s = time.monotonic() - self._last_event_wall
            if now != float("inf") and self._past_end(now) and quiet_s >= self.QUIET_S:
                self.stop("duration")
                return
            await asyncio.sleep(0.1)

    def _past_end(self, t_s: float) -> bool:
        return self.duration_s is not None and self.active_s(t_s) > self.duration_s

    def _follow_recorded_pace(self, mark: Mark) -> None:
        try:
            pattern = BreathPattern.parse(mark.text)
        except (ValueError, IndexError):
            log.warning("ignoring unreadable pace mark %r at %.1f s", mark.text, mark.t_s)
            return
        last_t_s = self.pacer.segments()[-1][0]
        if pattern != self.pacer.pattern_at(mark.t_s) and mark.t_s >= last_t_s:
            self.pacer.set_pattern(mark.t_s, pattern)

    def _announce_pace(self, up_to_s: float, events: list[Event]) -> None:
        # Pace segments (set live, or scheduled up front by an assessment) go into the recording
        # as marks when their time comes, so the recording stays in time order.
        segments = self.pacer.segments()
        while self._announced < len(segments) and segments[self._announced][0] <= up_to_s:
            t_s, pattern = segments[self._announced]
            self._emit(Mark(t_s, "pace", pattern.label()), events)
            self._announced += 1

    def _flush_marks(self, events: list[Event]) -> None:
        while self._pending_marks:
            self._emit(self._pending_marks.pop(0), events)

    def _emit(self, event: Event, events: list[Event]) -> None:
        self._last_event_wall = time.monotonic()
        if self.writer is not None:
            self.writer.write(event)  # type: ignore[attr-defined]
        if isinstance(event, Beat):
            self.metrics = self.live.update(event)
            if self.link is LinkState.CONNECTING:  # sources with no status events (replays)
                self.link = LinkState.CONNECTED
        elif isinstance(event, Gap):
            self.live.gap(event)
        elif isinstance(event, DeviceStatus):
            self.link = event.state
        if not isinstance(event, Mark) or event.t_s > self._last_t_s:
            self._last_t_s = max(self._last_t_s, event.t_s)
        if self.keep_events:
            events.append(event)
        snapshot = None
        if self.training is not None:
            snapshot = self.training.update(event, self.metrics, paused=self.paused, link=self.link)
        update = SessionUpdate(
            event, self.metrics, self._last_t_s, self.link, self.paused, snapshot
        )
        for sink in self.sinks:
            try:
                sink.on_update(update)
            except Exception:  # a broken view must never lose the recording
                log.exception("view failed on update; session goes on")
        # counted from the end of the work too: a slow update is not the source going quiet
        self._last_event_wall = time.monotonic()


def install_stop_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[str], None]) -> None:
    """End the session cleanly on SIGINT (Ctrl-C), SIGTERM and SIGHUP (its terminal closed)."""
    import contextlib
    import signal

    signals = (
        (signal.SIGINT, "interrupted"),
        (signal.SIGTERM, "terminated"),
        (signal.SIGHUP, "terminal closed"),  # the terminal went away: keep the session all the same
    )
    for sig, reason in signals:
        # not available off Unix or outside the main thread: Ctrl-C then raises as usual
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop, reason)
