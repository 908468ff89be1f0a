"""hrvcoach's own recording format: exact round trips, line-by-line durability (kill -9), recovery
from a cut-off last line, and file names that never overwrite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.beats import (
    Beat,
    BeatFlag,
    Contact,
    DeviceStatus,
    Event,
    Gap,
    LinkState,
    Mark,
    SourceInfo,
)
from hrvcoach.errors import RecordingError
from hrvcoach.readers import read_recording
from hrvcoach.recording import (
    COLUMNS,
    FIRST_LINE,
    Recording,
    RecordingMeta,
    RecordingWriter,
    append_events,
    new_recording_path,
)

TZ = timezone(timedelta(hours=1))
START = datetime(2026, 11, 22, 7, 30, 5, tzinfo=TZ)
INFO = SourceInfo(
    kind="ble",
    device="Polar H10 1A2B3C4D",
    address="A0:9E:1A:00:00:01",
    details={"firmware": "3.0.35", "body_location": "chest"},
)

SAMPLE_EVENTS: list[Event] = [
    Mark(0.0, "pace", "6.0 4:6"),
    DeviceStatus(0.0, LinkState.CONNECTED, name="Polar H10 1A2B3C4D", battery_pct=87),
    Beat(0.967, 966.796875, 62.0, Contact.DETECTED, BeatFlag.BUFFERED),
    Beat(1.93, 962.890625, 62.0, Contact.DETECTED),
    Beat(2.93, 1000.0, None, Contact.UNSUPPORTED),
    Beat(3.1, 170.0, 61.0, Contact.NOT_DETECTED, BeatFlag.IMPLAUSIBLE | BeatFlag.NO_CONTACT),
    Gap(3.1, 4.5, "signal lost"),
    DeviceStatus(3.2, LinkState.RECONNECTING, detail='strap said "bye",\nthen nothing'),
    DeviceStatus(7.5, LinkState.CONNECTED),
    Beat(8.612, 1001.953125, 60.0, Contact.DETECTED, BeatFlag.AFTER_GAP),
    Mark(9.0, "note", 'commas, "quotes" and ümlauts\non two lines'),
    Beat(9.6, 988.0, 61.0, flags=BeatFlag.SIMULATED_ECTOPIC | BeatFlag.SIMULATED_MISSED),
]


def _write(path: Path, events: list[Event], **kwargs: object) -> Path:
    with RecordingWriter(path, info=INFO, pace=[(0.0, "6.0 4:6")], start_time=START) as writer:
        for event in events:
            writer.write(event)
    return path


def _sanitised(event: Event) -> Event:
    # a mark's text is written on one line: a line break becomes a space
    if isinstance(event, Mark) and "\n" in event.text:
        return Mark(event.t_s, event.kind, event.text.replace("\n", " "))
    return event


def test_round_trip_is_exact(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", SAMPLE_EVENTS)
    rec = read_recording(path)
    assert rec.events == tuple(_sanitised(e) for e in SAMPLE_EVENTS)
    assert rec.warnings == ()
    assert rec.meta == RecordingMeta(
        format="hrvcoach",
        device="Polar H10 1A2B3C4D",
        start_time=START,
        start_time_source="file",
        simulated=False,
        pace=((0.0, "6.0 4:6"),),
        extra=rec.meta.extra,
    )
    assert rec.meta.start_time is not None
    assert rec.meta.start_time.utcoffset() == timedelta(hours=1)
    assert rec.meta.extra["address"] == INFO.address
    assert rec.meta.extra["source"] == "ble"
    assert rec.meta.extra["details"] == INFO.details
    assert str(rec.meta.extra["app"]).startswith("hrvcoach ")


def test_file_is_self_describing_and_spreadsheet_readable(tmp_path: Path) -> None:
    import csv

    path = _write(tmp_path / "s.csv", SAMPLE_EVENTS)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == FIRST_LINE == "# hrvcoach recording v1"
    assert lines[1].startswith("# meta: ")
    meta = json.loads(lines[1].removeprefix("# meta: "))
    assert meta["start_time"] == "2026-11-22T07:30:05+01:00"
    assert meta["device"] == "Polar H10 1A2B3C4D"
    assert meta["simulated"] is False
    rows = list(csv.DictReader(lines[2:]))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(SAMPLE_EVENTS) == len(lines) - 3  # one line per event
    beat = rows[2]
    assert beat["kind"] == "beat"
    assert beat["rr_ms"] == "966.796875"
    assert beat["t_s"] == "0.967"
    assert beat["contact"] == "detected"
    assert beat["flags"] == "buffered"
    assert rows[4]["rr_ms"] == "1000"
    assert rows[4]["hr_bpm"] == ""
    assert rows[6]["kind"] == "gap"
    assert rows[6]["duration_s"] == "4.500"


def test_recording_properties(tmp_path: Path) -> None:
    rec = read_recording(_write(tmp_path / "s.csv", SAMPLE_EVENTS))
    assert len(rec.beats) == 6
    assert len(rec.gaps) == 1
    assert len(rec.marks) == 2
    assert rec.rr_ms.tolist() == [966.796875, 962.890625, 1000.0, 170.0, 1001.953125, 988.0]
    assert rec.t_s.tolist() == [0.967, 1.93, 2.93, 3.1, 8.612, 9.6]
    with pytest.raises(ValueError, match="read-only"):
        rec.rr_ms[0] = 1.0
    assert rec.duration_s == pytest.approx(9.6)
    trailing_gap = Recording(None, RecordingMeta("hrvcoach"), (Beat(1.0, 1000.0), Gap(1.0, 5.0)))
    assert trailing_gap.duration_s == pytest.approx(6.0)
    assert Recording(None, RecordingMeta("hrvcoach"), ()).duration_s == 0.0


def test_writer_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("precious\n")
    with pytest.raises(RecordingError, match="already exists") as err:
        RecordingWriter(path, info=INFO)
    assert "\n" not in str(err.value)
    assert path.read_text() == "precious\n"


def test_writer_in_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot create"):
        RecordingWriter(tmp_path / "no" / "s.csv", info=INFO)


def test_close_is_idempotent_and_writing_after_close_is_refused(tmp_path: Path) -> None:
    writer = RecordingWriter(tmp_path / "s.csv", info=INFO)
    writer.write(Beat(1.0, 1000.0))
    writer.close()
    writer.close()
    assert writer.closed
    with pytest.raises(RecordingError, match="closed"):
        writer.write(Beat(2.0, 1000.0))
    assert len(read_recording(tmp_path / "s.csv").beats) == 1


def test_each_event_is_on_disk_before_close(tmp_path: Path) -> None:
    writer = RecordingWriter(tmp_path / "s.csv", info=INFO, start_time=START)
    try:
        for n, event in enumerate(SAMPLE_EVENTS, 1):
            writer.write(event)
            # another reader (a crash, a kill) sees every event written so far
            assert len(read_recording(tmp_path / "s.csv").events) == n
    finally:
        writer.close()


def test_start_time_defaults_to_the_source_then_to_now(tmp_path: Path) -> None:
    info = SourceInfo("sim", "simulator", simulated=True, start_time=START)
    with RecordingWriter(tmp_path / "a.csv", info=info):
        pass
    meta = read_recording(tmp_path / "a.csv").meta
    assert meta.start_time == START
    assert meta.simulated is True
    before = datetime.now().astimezone()
    with RecordingWriter(tmp_path / "b.csv", info=SourceInfo("sim", "simulator")):
        pass
    now_meta = read_recording(tmp_path / "b.csv").meta
    assert now_meta.start_time is not None
    assert now_meta.start_time.tzinfo is not None
    assert abs(now_meta.start_time - before) < timedelta(seconds=5)


def test_every_cut_through_the_events_reads_back_a_prefix(tmp_path: Path) -> None:
    full = _write(tmp_path / "full.csv", SAMPLE_EVENTS).read_bytes()
    header_end = full.index(b"\n", full.index(b"t_s,kind")) + 1
    expected = [_sanitised(e) for e in SAMPLE_EVENTS]
    for cut in range(header_end, len(full) + 1):
        path = tmp_path / f"cut{cut}.csv"
        path.write_bytes(full[:cut])
        rec = read_recording(path)
        complete_lines = full[header_end:cut].count(b"\n")
        n = len(rec.events)
        assert complete_lines <= n <= complete_lines + 1
        assert list(rec.beats) == [e for e in expected[:n] if isinstance(e, Beat)][: len(rec.beats)]
        # everything but a last line that lost only part of its free text is exact
        assert list(rec.events[:complete_lines]) == expected[:complete_lines]
        mid_line = cut < len(full) and full[cut - 1 : cut] != b"\n"
        if mid_line and n == complete_lines:
            assert len(rec.warnings) == 1
            assert "cut off" in rec.warnings[0]


def test_partial_last_line_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", [Beat(1.0, 1000.0), Beat(2.0, 1000.0)])
    with path.open("a", encoding="utf-8") as f:
        f.write("3.000,beat,100")  # the process died here
    rec = read_recording(path)
    assert rec.rr_ms.tolist() == [1000.0, 1000.0]
    assert len(rec.warnings) == 1
    assert rec.warnings[0].startswith("s.csv:6: dropped the last line, cut off")


def test_whole_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    # a spreadsheet may save the file without its final line end
    path = _write(tmp_path / "s.csv", [Beat(1.0, 1000.0), Beat(2.0, 990.0)])
    path.write_bytes(path.read_bytes().rstrip(b"\n").replace(b"\n", b"\r\n"))
    rec = read_recording(path)
    assert rec.rr_ms.tolist() == [1000.0, 990.0]
    assert rec.warnings == ()


def test_file_cut_inside_the_header_reads_as_empty_with_a_warning(tmp_path: Path) -> None:
    full = _write(tmp_path / "full.csv", []).read_bytes()
    meta_start = full.index(b"# meta")
    for cut in (meta_start + 20, full.index(b"t_s,kind") + 5, len(full)):
        path = tmp_path / f"h{cut}.csv"
        path.write_bytes(full[:cut])
        rec = read_recording(path)
        assert rec.events == ()
    assert read_recording(tmp_path / f"h{meta_start + 20}.csv").warnings


_KILL_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from hrvcoach.beats import Beat, SourceInfo
    from hrvcoach.recording import RecordingWriter

    writer = RecordingWriter(Path(sys.argv[1]), info=SourceInfo("ble", "strap"))
    n = 0
    while True:
        n += 1
        writer.write(Beat(n * 0.9765625, 976.5625 + (n % 7), 61.0))
        print(n, flush=True)
    """
)


def test_kill_9_loses_at_most_the_event_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "killed.csv"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    confirmed = 0
    try:
        for line in child.stdout:
            confirmed = int(line)
            if confirmed >= 2000:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    rec = read_recording(path)
    # every write the child confirmed is there; at most one more (written, not yet confirmed)
    # or a cut-off line, which the reader drops with a warning
    assert confirmed >= 2000
    assert len(rec.beats) >= confirmed
    n = len(rec.beats)
    expected_rr = [976.5625 + (i % 7) for i in range(1, n + 1)]
    assert rec.rr_ms.tolist() == expected_rr
    assert len(rec.warnings) <= 1


def test_a_100k_beat_session_round_trips(tmp_path: Path) -> None:
    # 24 h at 70 bpm; speed is watched in benchmarks/, here only correctness at that size
    rng = np.random.default_rng(1)
    ticks = rng.integers(600, 1200, 100_000)
    rr_ms = ticks * 1000.0 / 1024.0
    t_s = np.round(np.cumsum(rr_ms) / 1000.0, 3)
    path = tmp_path / "day.csv"
    with RecordingWriter(path, info=INFO) as writer:
        for t, rr in zip(t_s.tolist(), rr_ms.tolist(), strict=True):
            writer.write(Beat(t, rr, None, Contact.DETECTED))
    rec = read_recording(path)
    assert len(rec.beats) == 100_000
    np.testing.assert_array_equal(rec.rr_ms, rr_ms)
    np.testing.assert_array_equal(rec.t_s, t_s)


def test_new_recording_path_names_and_never_repeats(tmp_path: Path) -> None:
    start = datetime(2026, 11, 22, 7, 30, 5)
    first = new_recording_path(tmp_path, start, "practice")
    assert first == tmp_path / "2026-11-22T07-30-05_practice.csv"
    first.touch()
    second = new_recording_path(tmp_path, start, "practice")
    assert second == tmp_path / "2026-11-22T07-30-05_practice_2.csv"
    second.touch()
    assert new_recording_path(tmp_path, start, "practice").name.endswith("_3.csv")
    assert new_recording_path(tmp_path, start, "assess/../x").name == (
        "2026-11-22T07-30-05_assess----x.csv"
    )


def test_append_events_adds_to_a_finished_recording(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", SAMPLE_EVENTS)
    later = [Mark(9.7, "checkin", "after stress=2"), Mark(9.7, "note", "calm\nand warm")]
    append_events(path, later)
    rec = read_recording(path)
    expected = [_sanitised(e) for e in [*SAMPLE_EVENTS, *later]]
    assert list(rec.events) == expected
    assert rec.warnings == ()


def test_append_events_after_a_kill_drops_the_fragment_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path / "s.csv", [Beat(1.0, 1000.0), Beat(2.0, 990.0)])
    with path.open("a", encoding="utf-8") as f:
        f.write("3.000,beat,98")  # killed mid-line
    append_events(path, [Mark(3.0, "checkin", "after stress=1")])
    rec = read_recording(path)
    assert rec.events == (
        Beat(1.0, 1000.0),
        Beat(2.0, 990.0),
        Mark(3.0, "checkin", "after stress=1"),
    )
    assert rec.warnings == ()
    assert "cut off" in caplog.text


def test_append_events_keeps_a_whole_last_line_without_newline(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", [Beat(1.0, 1000.0), Beat(2.0, 990.0)])
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    append_events(path, [Mark(3.0, "note", "x")])
    assert read_recording(path).events == (
        Beat(1.0, 1000.0),
        Beat(2.0, 990.0),
        Mark(3.0, "note", "x"),
    )


def test_append_events_refuses_other_files_and_changes_nothing(tmp_path: Path) -> None:
    other = tmp_path / "rr.txt"
    other.write_text("800\n810\n")
    with pytest.raises(RecordingError, match="not an hrvcoach recording"):
        append_events(other, [Mark(1.0, "note", "x")])
    assert other.read_text() == "800\n810\n"
    headless = tmp_path / "h.csv"
    headless.write_text("# hrvcoach recording v1\n# meta: {}\nt_s,ki")
    with pytest.raises(RecordingError, match="no column header"):
        append_events(headless, [Mark(1.0, "note", "x")])
    assert headless.read_text() == "# hrvcoach recording v1\n# meta: {}\nt_s,ki"
    with pytest.raises(RecordingError, match="no such recording"):
        append_events(tmp_path / "missing.csv", [])
