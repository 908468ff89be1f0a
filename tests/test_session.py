"""The session runner: events reach the recording, the live engine and the views, in time order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from hrvcoach.beats import Beat, DeviceStatus, Event, Gap, LinkState, Mark, SourceInfo
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session, SessionUpdate
from hrvcoach.timing import Playback


class ListSource:
    """A source that plays a fixed list of events on a playback clock."""

    def __init__(self, events: Sequence[Event], playback: Playback | None = None) -> None:
        self.events = list(events)
        self.playback = playback or Playback(fast=True)
        self.info = SourceInfo(kind="test", device="list")
        self._stopped = asyncio.Event()
        self.entered = self.exited = False

    async def __aenter__(self) -> ListSource:
        self.entered = True
        self.playback.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.exited = True

    def now_s(self) -> float:
        return self.playback.now_s()

    def stop(self) -> None:
        self._stopped.set()

    async def __aiter__(self) -> AsyncIterator[Event]:
        for event in self.events:
            if self._stopped.is_set():
                return
            await self.playback.wait_until(event.t_s)
            yield event


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.closed = False

    def write(self, event: Event) -> None:
        self.events.append(event)

    def close(self) -> None:
        self.closed = True


class CountingLive:
    def __init__(self) -> None:
        self.beats: list[Beat] = []
        self.gaps: list[Gap] = []

    def update(self, beat: Beat) -> int:  # stands in for LiveMetrics
        self.beats.append(beat)
        return len(self.beats)

    def gap(self, gap: Gap) -> None:
        self.gaps.append(gap)


def beats_every(rr_ms: float, n: int, t0_s: float = 0.0) -> list[Beat]:
    return [Beat(t0_s + (i + 1) * rr_ms / 1000, rr_ms) for i in range(n)]


async def test_every_event_reaches_recording_live_engine_and_views() -> None:
    events: list[Event] = [
        DeviceStatus(0.0, LinkState.CONNECTED, name="list"),
        *beats_every(1000, 5),
        Gap(5.0, 3.0, "link lost"),
        *beats_every(1000, 3, t0_s=8.0),
    ]
    recorder, live, seen = Recorder(), CountingLive(), []

    class Sink:
        def on_update(self, update: SessionUpdate) -> None:
            seen.append(update)

    session = Session(
        ListSource(events),
        live=live,  # type: ignore[arg-type]
        recorder=lambda info: recorder,
        sinks=[Sink()],
        keep_events=True,
    )
    result = await session.run()
    assert result.ended_by == "source-ended"
    assert (result.beats, result.gaps) == (8, 1)
    assert recorder.closed
    recorded = [e for e in recorder.events if not isinstance(e, Mark)]
    assert recorded == events
    assert [e for e in recorder.events if isinstance(e, Mark)] == [Mark(0.0, "pace", "6.0 4:6")]
    assert len(live.beats) == 8
    assert len(live.gaps) == 1
    assert seen[-1].metrics == 8
    assert seen[-1].link is LinkState.CONNECTED


async def test_duration_ends_the_session_at_the_right_beat() -> None:
    recorder = Recorder()
    session = Session(
        ListSource(beats_every(800, 100)),
        live=CountingLive(),  # type: ignore[arg-type]
        writer=recorder,
        duration_s=10.0,
    )
    result = await session.run()
    assert result.ended_by == "duration"
    assert result.beats == 12  # beats at 0.8 .. 9.6 s
    assert max(e.t_s for e in recorder.events) <= 10.0


async def test_stop_from_another_task_ends_a_real_time_session_promptly() -> None:
    source = ListSource(beats_every(1000, 600), Playback(speed=20.0))
    session = Session(source, live=CountingLive())  # type: ignore[arg-type]
    task = asyncio.create_task(session.run())
    await asyncio.sleep(0.3)
    session.stop("stopped")
    result = await asyncio.wait_for(task, timeout=2.0)
    assert result.ended_by == "stopped"
    assert 2 <= result.beats < 600
    assert source.exited


async def test_a_broken_view_never_loses_the_recording(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def on_update(self, update: SessionUpdate) -> None:
            raise RuntimeError("paint failed")

    recorder = Recorder()
    session = Session(
        ListSource(beats_every(1000, 4)),
        live=CountingLive(),  # type: ignore[arg-type]
        writer=recorder,
        sinks=[Broken()],
    )
    result = await session.run()
    assert result.beats == 4
    assert sum(isinstance(e, Beat) for e in recorder.events) == 4
    assert "view failed" in caplog.text


async def test_pace_changes_and_scheduled_steps_are_recorded_in_time_order() -> None:
    pacer = Pacer(BreathPattern(6.5))
    pacer.set_pattern(30.0, BreathPattern(6.0))
    pacer.set_pattern(60.0, BreathPattern(5.5))
    recorder = Recorder()
    session = Session(
        ListSource(beats_every(1000, 90)),
        pacer=pacer,
        live=CountingLive(),  # type: ignore[arg-type]
        writer=recorder,
    )
    await session.run()
    times = [e.t_s for e in recorder.events]
    assert times == sorted(times)
    marks = [(m.t_s, m.text) for m in recorder.events if isinstance(m, Mark)]
    assert marks == [(0.0, "6.5 4:6"), (30.0, "6.0 4:6"), (60.0, "5.5 4:6")]


async def test_replayed_pace_marks_drive_the_pacer() -> None:
    events: list[Event] = [*beats_every(1000, 20), Mark(20.0, "pace", "5.0 4:6")]
    events += beats_every(1000, 20, t0_s=20.0)
    pacer = Pacer(BreathPattern(6.0))
    recorder = Recorder()
    session = Session(
        ListSource(events),
        pacer=pacer,
        live=CountingLive(),  # type: ignore[arg-type]
        writer=recorder,
    )
    await session.run()
    assert pacer.rate_at(10.0) == 6.0
    assert pacer.rate_at(25.0) == 5.0
    assert [m.text for m in recorder.events if isinstance(m, Mark)] == ["6.0 4:6", "5.0 4:6"]


async def test_pause_and_checkin_marks_are_recorded() -> None:
    recorder = Recorder()
    session = Session(
        ListSource(beats_every(1000, 5), Playback(speed=50.0)),
        live=CountingLive(),  # type: ignore[arg-type]
        writer=recorder,
    )
    session.add_mark("checkin", "before stress=6")
    task = asyncio.create_task(session.run())
    await asyncio.sleep(0.03)
    session.pause()
    assert session.paused
    session.resume()
    await task
    kinds = [m.kind for m in recorder.events if isinstance(m, Mark)]
    assert kinds[:2] == ["pace", "checkin"]
    assert "pause" in kinds
    assert "resume" in kinds


async def test_a_stalled_event_loop_does_not_cut_a_sped_up_session_short() -> None:
    import time

    class StallingLive(CountingLive):
        def update(self, beat: Beat) -> int:
            if not self.beats:
                time.sleep(1.0)  # like the first neurokit2 import, on the event loop
            return super().update(beat)

    recorder = Recorder()
    session = Session(
        ListSource(beats_every(500, 100), Playback(speed=20.0)),
        live=StallingLive(),  # type: ignore[arg-type]
        writer=recorder,
        duration_s=10.0,
    )
    result = await session.run()
    assert result.ended_by == "duration"
    assert result.beats == 20  # every beat due by 10 s, though the clock ran 20 s past it


class HoldingSource(ListSource):
    """Like a strap: on stop it hands over the beats it held back and its closing status."""

    def __init__(self, events: Sequence[Event], held: Sequence[Event]) -> None:
        super().__init__(events, Playback(speed=20.0))
        self.held = list(held)

    async def __aiter__(self) -> AsyncIterator[Event]:
        async for event in super().__aiter__():
            yield event
        for event in self.held:
            yield event


async def test_stopping_keeps_what_the_source_still_hands_over() -> None:
    held: list[Event] = [Beat(3.4, 700.0), DeviceStatus(3.5, LinkState.DISCONNECTED)]
    source = HoldingSource(beats_every(1000, 600), held)
    recorder = Recorder()
    session = Session(source, live=CountingLive(), writer=recorder)  # type: ignore[arg-type]
    task = asyncio.create_task(session.run())
    await asyncio.sleep(0.2)
    session.stop("terminated")
    result = await asyncio.wait_for(task, timeout=5.0)
    assert result.ended_by == "terminated"
    assert recorder.events[-2:] == held
    assert session.link is LinkState.DISCONNECTED


async def test_a_source_that_ignores_stop_cannot_hold_the_session_open() -> None:
    class Stubborn(ListSource):
        def stop(self) -> None:  # never listens
            pass

    session = Session(
        Stubborn(beats_every(1000, 600), Playback(speed=2.0)),
        live=CountingLive(),  # type: ignore[arg-type]
    )
    Session.DRAIN_S = 0.2
    try:
        task = asyncio.create_task(session.run())
        await asyncio.sleep(0.1)
        session.stop()
        result = await asyncio.wait_for(task, timeout=5.0)
    finally:
        Session.DRAIN_S = 2.0
    assert result.ended_by == "stopped"


async def test_a_slow_update_is_not_taken_for_a_quiet_source() -> None:
    import time

    class SlowLive(CountingLive):
        def update(self, beat: Beat) -> int:
            if len(self.beats) == 3:
                time.sleep(1.0)  # a stall inside the pipeline, after the event arrived
            return super().update(beat)

    session = Session(
        ListSource(beats_every(500, 100), Playback(speed=20.0)),
        live=SlowLive(),  # type: ignore[arg-type]
        duration_s=10.0,
    )
    result = await session.run()
    assert result.beats == 20


async def test_pause_holds_the_pacer_and_the_clock_and_extends_the_session() -> None:
    source = ListSource(beats_every(250, 400), Playback(speed=20.0))
    recorder = Recorder()
    session = Session(
        source,
        live=CountingLive(),  # type: ignore[arg-type]
        writer=recorder,
        duration_s=20.0,
    )
    task = asyncio.create_task(session.run())
    await asyncio.sleep(0.25)  # ~5 s in
    session.pause()
    t_pause = session.now_s()
    held = session.pacer.state(t_pause)
    await asyncio.sleep(0.25)  # ~5 s paused
    t_later = session.now_s()
    assert session.pacer.state(t_later).volume == pytest.approx(held.volume)
    assert session.active_s(t_later) == pytest.approx(session.active_s(t_pause))
    assert session.active_s(t_later) == pytest.approx(t_pause, abs=0.05)
    session.resume()
    t_resume = session.now_s()
    assert session.pacer.state(t_resume).volume == pytest.approx(held.volume, abs=0.02)
    result = await asyncio.wait_for(task, timeout=10.0)
    assert result.ended_by == "duration"
    # 20 s of practice plus the pause: the last beat lies beyond 20 s of session time
    paused_s = t_resume - t_pause
    assert paused_s > 2.0
    last_beat = max(e.t_s for e in recorder.events if isinstance(e, Beat))
    assert last_beat == pytest.approx(20.0 + paused_s, abs=0.6)
    kinds = [m.kind for m in recorder.events if isinstance(m, Mark)]
    assert kinds.count("pause") == kinds.count("resume") == 1
