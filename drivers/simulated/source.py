"""The simulator as a driver: an async iterator of beats on a playback clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hrvcoach.beats import DeviceStatus, Event, LinkState, SourceInfo
from hrvcoach.drivers.simulated.generator import BeatGenerator
from hrvcoach.drivers.simulated.params import SimParams
from hrvcoach.drivers.simulated.protocol import ProtocolCourse
from hrvcoach.drivers.simulated.signals import SignalFrames
from hrvcoach.errors import DeviceError
from hrvcoach.pacer import Pacer
from hrvcoach.signals import SampleBlock
from hrvcoach.timing import Playback

if TYPE_CHECKING:
    from hrvcoach.protocols.phases import Phase


class SimulatedSource:
    """A :class:`~hrvcoach.beats.BeatSource` that breathes with the pacer it is given.

    Args:
        params: The simulated person.
        pacer: The session's pacer; a pace change made during the session is followed from the
            next beat on.
        playback: Timing: real time, a speed factor, or as fast as possible.
        duration_s: End when this much session time has passed on the playback clock; beats
            after it are not sent (``None``: run until :meth:`stop`).
        start_time: Wall-clock start recorded in :attr:`info` (default: now, UTC).
        ecg: Also stream an ECG aligned to the beats, as a Polar H10 would (:mod:`.signals`).
        motion: Also stream chest motion from the person's own breathing.
        phases: A guided protocol's phases (:class:`hrvcoach.protocols.phases.Phase`): the
            person goes through them (:mod:`.protocol`).
    """

    def __init__(
        self,
        params: SimParams,
        *,
        pacer: Pacer,
        playback: Playback,
        duration_s: float | None = None,
        start_time: datetime | None = None,
        ecg: bool = False,
        motion: bool = False,
        phases: Sequence[Phase] | None = None,
    ) -> None:
        self.params = params
        self.ecg = ecg
        self.motion = motion
        self.course = (
            ProtocolCourse.of(phases, tau_s=params.tau_s, natural_bpm=params.natural_bpm)
            if phases
            else None
        )
        self.pacer = pacer
        self.playback = playback
        self.duration_s = duration_s
        self._start_time = start_time
        self.info = SourceInfo(
            kind="sim",
            device="simulator",
            simulated=True,
            start_time=start_time,
            details=params.details(),
        )
        self._stopped = False
        self._stop_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._entered = False

    async def __aenter__(self) -> SimulatedSource:
        start = self._start_time or datetime.now(UTC)
        self.info = SourceInfo(
            kind="sim",
            device="simulator",
            simulated=True,
            start_time=start,
            details={**self.params.details(), "spec": self.params.to_spec()},
        )
        signals = [k for k, on in (("ecg", self.ecg), ("acc", self.motion)) if on]
        if signals:
            self.info.details["signals"] = signals
        self._stop_event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if self._stopped:
            self._stop_event.set()
        self._entered = True
        self.playback.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stopped = True

    def now_s(self) -> float:
        """Session time now on the playback clock (infinite in fast mode)."""
        return self.playback.now_s()

    def stop(self) -> None:
        """End the iteration promptly, also while waiting for the next beat.

        Safe to call from any task, and from another thread (a GUI thread): the waiting task is
        woken on its own event loop.
        """
        self._stopped = True
        event, loop = self._stop_event, self._loop
        if event is None or loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    def __aiter__(self) -> AsyncIterator[Event | SampleBlock]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event | SampleBlock]:
        if not self._entered:
            raise DeviceError("the simulator must be opened with 'async with' before iterating")
        generator = BeatGenerator(self.params, pacer=self.pacer, course=self.course)
        frames = (
            SignalFrames(self.params.seed, generator.lungs, ecg=self.ecg, motion=self.motion)
            if self.ecg or self.motion
            else None
        )
        yield DeviceStatus(0.0, LinkState.CONNECTED, name="simulator", detail=self.params.to_spec())
        while not self._stopped:
            beat = generator.peek()
            if frames is not None:
                due = frames.next_due_s()
                if due <= beat.t_s and (self.duration_s is None or due <= self.duration_s):
                    if not await self._wait_until(due):
                        return
                    for block in frames.frames_until(due, generator.peek()):
                        yield block
                    continue
            if self.duration_s is not None and beat.t_s > self.duration_s:
                # the session lasts its full length on the clock, not until the last beat in it
                await self._wait_until(self.duration_s)
                return
            if not await self._wait_until(beat.t_s):
                return
            if generator.peek() is not beat:
                continue  # the pace changed while waiting: this beat follows the new plan
            taken = generator.take()
            if frames is not None:
                frames.beat(taken)
            yield taken

    async def _wait_until(self, t_s: float) -> bool:
        """Wait until ``t_s`` is due; False if stopped meanwhile."""
        if self.playback.fast:
            await self.playback.wait_until(t_s)
            return not self._stopped
        assert self._stop_event is not None
        waiter = asyncio.ensure_future(self.playback.wait_until(t_s))
        stopper = asyncio.ensure_future(self._stop_event.wait())
        try:
            await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, stopper):
                if not task.done():
                    task.cancel()
            for task in (waiter, stopper):
                if not task.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        return not self._stopped
