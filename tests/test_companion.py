"""Companion files: ECG and chest motion beside a recording, written as they arrive, read, replayed
and exported."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hrvcoach.beats import Beat, SourceInfo
from hrvcoach.companion import (
    FIRST_LINE,
    CompanionWriter,
    companion_path,
    encode_block,
    read_companion,
)
from hrvcoach.drivers.replay import ReplaySource
from hrvcoach.errors import RecordingError
from hrvcoach.readers import read_recording
from hrvcoach.recording import RecordingWriter
from hrvcoach.signals import ACC, ECG, SampleBlock
from hrvcoach.timing import Playback

START = datetime(2026, 11, 22, 7, 30, 5, tzinfo=UTC)


def ecg_blocks(n_blocks: int, *, t0_s: float = 0.0, per: int = 73) -> list[SampleBlock]:
    out = []
    k = 0
    for i in range(n_blocks):
        times = tuple(t0_s + (k + j) / 130 for j in range(per))
        values = tuple(((k + j) * 37 % 2001 - 1000,) for j in range(per))
        out.append(SampleBlock(ECG, times, values, 130.0, after_gap=(i == 3)))
        k += per
    return out


def acc_blocks(n_blocks: int, *, per: int = 36) -> list[SampleBlock]:
    out = []
    for i in range(n_blocks):
        times = tuple((i * per + j) / 25 for j in range(per))
        values = tuple((j, -j, 1000 + i) for j in range(per))
        out.append(SampleBlock(ACC, times, values, 25.0))
    return out


def record(path: Path, blocks: list[SampleBlock], beats: list[Beat]) -> None:
    info = SourceInfo("ble", "Polar H10 1A2B3C4D", details={"signals": ["ecg", "acc"]})
    with RecordingWriter(path, info=info, start_time=START) as writer:
        events = sorted([*beats, *blocks], key=lambda e: e.t_s)
        for item in events:
            if isinstance(item, SampleBlock):
                writer.write_samples(item)
            else:
                writer.write(item)


def test_blocks_round_trip_exactly_with_their_times_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "x.ecg.bin"
    writer = CompanionWriter(path, ECG, recording_name="x.csv")
    blocks = ecg_blocks(6)
    big = SampleBlock(ECG, (10.0, 10.5), ((-70000,), (90000,)), 130.0)  # beyond int16
    for b in [*blocks, big]:
        writer.write(b)
    writer.close()
    track = read_companion(path)
    assert track.kind == ECG
    assert track.values[:, 0].tolist() == [v for b in [*blocks, big] for (v,) in b.values]
    assert track.t_s.tolist() == pytest.approx([t for b in [*blocks, big] for t in b.times_s])
    assert track.gap_starts == (3 * 73,)
    assert track.rate_hz == 130.0
    again = list(track.blocks())
    assert [len(b) for b in again] == [*([73] * 6), 2]
    assert again[3].after_gap


def test_compact_two_bytes_a_sample_for_h10_ecg(tmp_path: Path) -> None:
    block = ecg_blocks(1)[0]
    assert len(encode_block(block)) == 28 + 73 * 2  # a 28-byte record header


def test_a_block_cut_off_by_a_kill_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "x.acc.bin"
    writer = CompanionWriter(path, ACC, recording_name="x.csv")
    blocks = acc_blocks(4)
    for b in blocks:
        writer.write(b)
    writer.close()
    data = path.read_bytes()
    for cut in (7, len(encode_block(blocks[-1])) - 1):
        path.write_bytes(data[:-cut])
        track = read_companion(path)
        assert len(track) == 3 * 36  # all but the block in flight
        assert track.warnings == ("x.acc.bin: dropped a block cut off while being written",)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"hello", "not an hrvcoach samples file"),
        (FIRST_LINE + b"{nope\n", "header cannot be read"),
        (FIRST_LINE + b'{"kind": "acc", "channels": 3}\n' + b"XX" + bytes(40), "damaged block"),
    ],
)
def test_an_unreadable_companion_file_is_one_line(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "x.acc.bin"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=words):
        read_companion(path)


def test_the_recording_names_its_companions_and_replay_plays_them_in_time(tmp_path: Path) -> None:
    path = tmp_path / "2026-11-22T07-30-05_practice.csv"
    blocks = [*ecg_blocks(8), *acc_blocks(3)]
    beats = [Beat(round(0.8 * k, 3), 800.0) for k in range(1, 6)]
    record(path, blocks, beats)
    rec = read_recording(path)
    assert rec.meta.extra["signals"] == {
        "ecg": "2026-11-22T07-30-05_practice.ecg.bin",
        "acc": "2026-11-22T07-30-05_practice.acc.bin",
    }
    assert companion_path(path, ECG).is_file()

    async def play(speed: float | None) -> list[object]:
        playback = Playback(fast=True) if speed is None else Playback(speed=speed)
        out: list[object] = []
        async with ReplaySource(path, playback=playback) as src:
            assert src.info.details["signals"] == ["acc", "ecg"]
            async for item in src:
                out.append(item)
        return out

    for speed in (None, 20.0):
        items = asyncio.run(play(speed))
        played = [i for i in items if isinstance(i, SampleBlock)]
        assert [v for b in played if b.kind == ECG for v in b.values] == [
            v for b in blocks if b.kind == ECG for v in b.values
        ]
        assert sum(len(b) for b in played if b.kind == ACC) == 3 * 36
        assert [i for i in items if isinstance(i, Beat)] == beats
        times = [i.t_s for i in items if isinstance(i, SampleBlock | Beat)]
        assert times == sorted(times)


def test_a_recording_without_companions_replays_as_before(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    with RecordingWriter(path, info=SourceInfo("ble", "strap"), start_time=START) as w:
        w.write(Beat(1.0, 1000.0))
        w.write_samples(ecg_blocks(1)[0])  # not announced by the source: not recorded
    assert "signals" not in read_recording(path).meta.extra
    assert not companion_path(path, ECG).exists()


def _export(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hrvcoach", "export", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_export_ecg_and_motion_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    blocks = [*ecg_blocks(2), *acc_blocks(1)]
    record(path, blocks, [Beat(0.9, 900.0)])
    ecg = _export(str(path), "--format", "ecg-csv")
    assert ecg.returncode == 0, ecg.stderr
    lines = ecg.stdout.splitlines()
    assert lines[0] == "t_s,ecg_uv"
    assert len(lines) == 1 + 2 * 73
    assert lines[1] == f"0.0000,{ecg_blocks(1)[0].values[0][0]}"
    assert lines[2] == f"{1 / 130:.4f},{ecg_blocks(1)[0].values[1][0]}"
    out = tmp_path / "acc.csv"
    acc = _export(str(path), "--format", "acc-csv", "-o", str(out))
    assert acc.returncode == 0, acc.stderr
    rows = out.read_text().splitlines()
    assert rows[0] == "t_s,x_mg,y_mg,z_mg"
    assert rows[2] == "0.0400,1,-1,1000"
    assert len(rows) == 1 + 36


def test_export_of_a_recording_without_ecg_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    with RecordingWriter(path, info=SourceInfo("ble", "strap"), start_time=START) as w:
        w.write(Beat(1.0, 1000.0))
    result = _export(str(path), "--format", "ecg-csv")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("the recording has no ECG samples to export")
    assert result.stderr.count("\n") == 1


def test_rebuilding_the_history_passes_over_companion_files(tmp_path: Path) -> None:
    from hrvcoach.store import HistoryStore

    data = tmp_path / "data"
    folder = data / "recordings"
    folder.mkdir(parents=True)
    record(folder / "s.csv", [*ecg_blocks(2), *acc_blocks(1)], [Beat(0.9, 900.0), Beat(1.8, 900.0)])
    assert {p.name for p in folder.iterdir()} == {"s.csv", "s.ecg.bin", "s.acc.bin"}
    with HistoryStore.open(data) as store:
        result = store.rebuild(folder)
    assert result.failed == ()
