"""Replay a recording as a live source: the same events, at their times, through the same pipeline.

Any format :func:`hrvcoach.readers.read_recording` reads can be replayed. Timing comes from a
:class:`~hrvcoach.timing.Playback`: real time, ``speed`` times faster, or as fast as possible.
An hrvcoach recording with companion files (ECG, chest motion) plays their sample blocks too, each
at the time of its last sample, between the events as they were recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import TracebackType

from hrvcoach.beats import Event, SourceInfo
from hrvcoach.companion import SignalTrack, load_tracks
from hrvcoach.recording import Recording
from hrvcoach.signals import SampleBlock
from hrvcoach.timing import Playback

log = logging.getLogger(__name__)


class ReplaySource:
    """A :class:`~hrvcoach.beats.BeatSource` that plays back a recording.

    Args:
        recording: A recording, or the path of a file to read (read on entering the context, so a
            bad file raises :class:`~hrvcoach.errors.RecordingError` there).
        playback: When each event is due (``Playback(fast=True)`` for tests and batch analysis).

    Iteration yields every event of the recording in order and then ends; :meth:`stop` ends it
    early, even while it is waiting for the next event.
    """

    def __init__(self, recording: Recording | str | Path, *, playback: Playback) -> None:
        self._source = recording
        self.playback = playback
        self.recording: Recording | None = recording if isinstance(recording, Recording) else None
        self.tracks: dict[str, SignalTrack] = {}  #: companion files, read on entering
        if self.recording is not None:
            self.info = self._info()
        else:  # completed from the file's metadata on entering
            self.info = SourceInfo("replay", Path(str(recording)).name)
        self._stop = asyncio.Event()
        self._last_t_s = 0.0
        self._started = False

    def _info(self) -> SourceInfo:
        assert self.recording is not None
        meta = self.recording.meta
        path = self.recording.path
        device = meta.device or (path.name if path is not None else "recording")
        details: dict[str, object] = {"format": meta.format}
        if path is not None:
            details["path"] = str(path)
        if meta.extra.get("address"):
            details["recorded_address"] = meta.extra["address"]
        if self.tracks:
            details["signals"] = sorted(self.tracks)
        return SourceInfo(
            kind="replay",
            device=device,
            simulated=meta.simulated,
            start_time=meta.start_time,
            details=details,
        )

    async def __aenter__(self) -> ReplaySource:
        if self.recording is None:
            from hrvcoach.readers import read_recording

            self.recording = read_recording(Path(self._source))  # type: ignore[arg-type]
        self.tracks = load_tracks(self.recording.path, self.recording.meta.extra)
        self.info = self._info()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __aiter__(self) -> AsyncIterator[Event | SampleBlock]:
        return self._events()

    def _timeline(self) -> Iterator[Event | SampleBlock]:
        """The recording's events in their order, with each sample block before the first event
        that comes after it."""
        assert self.recording is not None
        pending = [iter(t.blocks()) for t in self.tracks.values()]
        heads: list[SampleBlock | None] = [next(it, None) for it in pending]

        def due(t_s: float) -> Iterator[SampleBlock]:
            while True:
                ready = [(h.t_s, i) for i, h in enumerate(heads) if h is not None and h.t_s <= t_s]
                if not ready:
                    return
                _, i = min(ready)
                block = heads[i]
                assert block is not None
                heads[i] = next(pending[i], None)
                yield block

        for event in self.recording.events:
            yield from due(event.t_s)
            yield event
        yield from due(float("inf"))

    async def _events(self) -> AsyncIterator[Event | SampleBlock]:
        if self.recording is None:
            raise RuntimeError("use 'async with' before iterating a ReplaySource")
        if not self._started:
            self._started = True
            self.playback.start()
        stop_wait: asyncio.Task[bool] | None = None
        try:
            for event in self._timeline():
                if self._stop.is_set():
                    return
                if self.playback.fast:
                    # no real waiting: racing a stop task per event would only slow a 100k-beat file
                    await self.playback.wait_until(event.t_s)
                else:
                    if stop_wait is None:
                        stop_wait = asyncio.ensure_future(self._stop.wait())
                    due = asyncio.ensure_future(self.playback.wait_until(event.t_s))
                    await asyncio.wait({due, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                    if not due.done():
                        due.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await due
                        return
                if self._stop.is_set():
                    return
                self._last_t_s = max(self._last_t_s, event.t_s)
                yield event
        finally:
            if stop_wait is not None and not stop_wait.done():
                stop_wait.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await stop_wait

    def now_s(self) -> float:
        """Session time on the replay's clock (the last event's time when replaying fast)."""
        if not self._started:
            return 0.0
        if self.playback.fast:
            return self._last_t_s
        return self.playback.now_s()

    def stop(self) -> None:
        """End the iteration at once, even mid-wait."""
        self._stop.set()
