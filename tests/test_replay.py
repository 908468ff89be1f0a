"""Replay: a recording becomes a live source that yields its events at their times."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hrvcoach.beats import Beat, BeatSource, Event, Gap, Mark, SourceInfo
from hrvcoach.drivers.replay import ReplaySource
from hrvcoach.errors import RecordingError
from hrvcoach.paths import bundled_recordings_dir
from hrvcoach.readers import read_recording
from hrvcoach.recording import Recording, RecordingMeta, RecordingWriter
from hrvcoach.session import Session
from hrvcoach.timing import Playback

START = datetime(2026, 11, 22, 6, 30, 5, tzinfo=UTC)


def _recording(n_beats: int = 10, rr_ms: float = 1000.0) -> Recording:
    events: list[Event] = [Mark(0.0, "pace", "6.0 4:6")]
    events += [Beat((i + 1) * rr_ms / 1000.0, rr_ms, 60.0) for i in range(n_beats)]
    meta = RecordingMeta("hrvcoach", device="Polar H10 1A2B3C4D", start_time=START, simulated=True)
    return Recording(None, meta, tuple(events))


async def _collect(source: ReplaySource) -> list[Event]:
    async with source:
        return [event async for event in source]


async def test_fast_replay_yields_exactly_the_recordings_events(shared_data: Path) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    expected = read_recording(path).events
    events = await _collect(ReplaySource(path, playback=Playback(fast=True)))
    assert tuple(events) == expected
    assert len(events) == 910


async def test_fast_replay_of_own_recording_keeps_gaps_and_marks(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    written: list[Event] = [
        Mark(0.0, "pace", "6.0 4:6"),
        Beat(1.0, 1000.0, 60.0),
        Gap(1.0, 3.0),
        Beat(5.0, 1000.0, 60.0),
        Mark(5.5, "note", "felt calm"),
    ]
    info = SourceInfo("ble", "Polar H10 1A2B3C4D", address="A0:9E:1A:00:00:01", start_time=START)
    with RecordingWriter(path, info=info) as writer:
        for event in written:
            writer.write(event)
    source = ReplaySource(path, playback=Playback(fast=True))
    assert await _collect(source) == written
    assert source.info.kind == "replay"
    assert source.info.device == "Polar H10 1A2B3C4D"
    assert source.info.start_time == START
    assert source.info.simulated is False
    assert source.info.details["recorded_address"] == "A0:9E:1A:00:00:01"
    assert source.info.details["path"] == str(path)


def test_replay_is_a_beat_source() -> None:
    assert isinstance(ReplaySource(_recording(), playback=Playback(fast=True)), BeatSource)


async def test_info_falls_back_to_the_file_name(shared_data: Path) -> None:
    source = ReplaySource(shared_data / "rr/hrv-package/real_rri.txt", playback=Playback(fast=True))
    assert source.info.device == "real_rri.txt"  # before the file is read, too
    async with source:
        assert source.info.device == "real_rri.txt"
        assert source.info.details["format"] == "rr-list"
        assert source.info.simulated is False


async def test_simulated_flag_and_start_time_come_from_the_recording() -> None:
    source = ReplaySource(_recording(), playback=Playback(fast=True))
    async with source:
        assert source.info.simulated is True
        assert source.info.start_time == START
        assert source.info.device == "Polar H10 1A2B3C4D"


async def test_speed_50_takes_about_the_recordings_time_over_50() -> None:
    rec = _recording(n_beats=10, rr_ms=1000.0)  # last beat at 10 s -> 0.2 s at 50x
    source = ReplaySource(rec, playback=Playback(speed=50.0))
    started = time.monotonic()
    times: list[float] = []
    async with source:
        async for event in source:
            times.append(time.monotonic() - started)
            assert source.now_s() >= event.t_s - 1e-6  # never early on the replay's clock
    elapsed = time.monotonic() - started
    assert len(times) == 11
    assert elapsed >= 10.0 / 50.0 * 0.95
    # each beat comes no earlier than its time at 50x
    for t_wall, event in zip(times, rec.events, strict=True):
        assert t_wall >= event.t_s / 50.0 - 0.005


async def test_stop_ends_iteration_while_waiting() -> None:
    rec = _recording(n_beats=5, rr_ms=2000.0)  # beats every 2 s in real time
    source = ReplaySource(rec, playback=Playback(speed=1.0))
    got: list[Event] = []
    async with source:
        loop = asyncio.get_running_loop()
        loop.call_later(0.1, source.stop)
        started = time.monotonic()
        async for event in source:
            got.append(event)
        waited = time.monotonic() - started
    assert got == [rec.events[0]]  # the mark at 0 s; the first beat (2 s) never came
    assert waited < 1.0


async def test_stop_mid_way_in_fast_replay() -> None:
    rec = _recording(n_beats=1000)
    source = ReplaySource(rec, playback=Playback(fast=True))
    got = 0
    async with source:
        async for _ in source:
            got += 1
            if got == 100:
                source.stop()
    assert got == 100


async def test_now_s_follows_the_replay_clock() -> None:
    source = ReplaySource(_recording(n_beats=3), playback=Playback(fast=True))
    assert source.now_s() == 0.0
    async with source:
        async for _ in source:
            pass
        assert source.now_s() == pytest.approx(3.0)


async def test_bad_file_raises_a_recording_error_on_entering(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("800\nnot a number\n900\n")
    source = ReplaySource(bad, playback=Playback(fast=True))
    with pytest.raises(RecordingError, match=r"bad\.txt:2"):
        async with source:
            pass


class _NoHrv:
    """Stand-in for the live HRV engine: the replay, not the metrics, is under test here."""

    def __init__(self) -> None:
        self.beats: list[Beat] = []
        self.gaps: list[Gap] = []

    def update(self, beat: Beat) -> None:
        self.beats.append(beat)

    def gap(self, gap: Gap) -> None:
        self.gaps.append(gap)


async def test_a_replayed_session_records_the_same_beats(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    original = read_recording(path)
    live = _NoHrv()
    out = tmp_path / "replayed.csv"

    def recorder(info: SourceInfo) -> RecordingWriter:
        return RecordingWriter(out, info=info, start_time=info.start_time)

    session = Session(
        ReplaySource(path, playback=Playback(fast=True)),
        live=live,  # type: ignore[arg-type]
        recorder=recorder,
    )
    result = await session.run()
    assert result.ended_by == "source-ended"
    assert result.beats == 620
    assert live.beats == list(original.beats)
    again = read_recording(out)
    assert again.beats == original.beats
    assert again.meta.device == "sample_data_ibi.csv"
    assert again.meta.extra["source"] == "replay"


def test_every_bundled_recording_reads_cleanly_and_replays() -> None:
    try:
        folder = bundled_recordings_dir()
    except FileNotFoundError:
        pytest.skip("no bundled recordings yet")
    files = sorted(folder.glob("*.csv"))
    assert files
    for path in files:
        rec = read_recording(path)
        assert rec.meta.format == "hrvcoach"
        assert rec.warnings == ()
        assert rec.beats
        events = asyncio.run(_collect(ReplaySource(rec, playback=Playback(fast=True))))
        assert tuple(events) == rec.events


@pytest.mark.parametrize("artifact_method", ["none", "kubios"])
def test_replay_command_jsonl_with_and_without_artifact_correction(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], artifact_method: str
) -> None:
    import json

    import numpy as np

    from hrvcoach import hrv
    from hrvcoach.cli import main

    # A recording full of premature beats: Kubios must find some, "none" must touch none.
    path = shared_data / "rr/ectopic-polar-h10-ecg/rr.csv"
    args = ["replay", str(path), "--fast", "--headless", "--jsonl"]
    assert main([*args, "--artifacts", artifact_method, "--data-dir", str(tmp_path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    beats = [r for r in rows if r.get("type") == "beat"]
    summary = rows[-1]["summary"]
    assert len(beats) == summary["beats"] == 798
    assert summary["artifact_method"] == artifact_method
    if artifact_method == "none":
        assert {r["artifacts"] for r in beats} == {0}
        assert summary["artifacts_corrected"] == 0
        # Uncorrected, the live window is the raw last 60 s: its values are hrv_time's on them.
        rec = read_recording(path)
        t, rr = rec.t_s, rec.rr_ms
        for row in beats[100::150]:
            window = rr[(t > row["t_s"] - 60.0) & (t <= row["t_s"] + 1e-6)]
            td = hrv.time_domain(window)
            assert row["n_beats"] == window.size
            assert row["rmssd_ms"] == pytest.approx(td.rmssd_ms, rel=1e-9)
            assert row["sdnn_ms"] == pytest.approx(td.sdnn_ms, rel=1e-9)
            assert np.isfinite(row["lf_ms2"])
    else:
        assert beats[-1]["artifacts"] > 0
        assert summary["artifacts_corrected"] > 0
