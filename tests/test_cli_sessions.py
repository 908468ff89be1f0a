"""End to end through the command line: demo, practice on the simulator, replay, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as stop:  # a usage error found while the arguments are read
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def hrvcoach_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "hrvcoach", *args]


def test_demo_headless_records_summarises_and_remembers(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.readers import read_recording

    code, out, err = run_cli(
        [
            "demo",
            "--headless",
            "--fast",
            "--minutes",
            "3",
            "--json",
            "--checkin-before",
            "6",
            "--checkin-after",
            "3",
            "--note",
            "evening",
        ],
        capsys,
    )
    assert code == 0, err
    summary = json.loads(out)
    for key in (
        "beats",
        "duration_s",
        "mean_rr_ms",
        "mean_hr_bpm",
        "sdnn_ms",
        "rmssd_ms",
        "pnn50_pct",
        "lf_ms2",
        "hf_ms2",
        "lf_hf",
        "lf_peak_hz",
        "coherence",
        "artifacts_corrected",
        "recording",
    ):
        assert key in summary
    assert 170 <= summary["duration_s"] <= 181
    recording = read_recording(summary["recording"])
    assert recording.meta.simulated
    assert len(recording.beats) == summary["beats"]
    kinds = [(m.kind, m.text) for m in recording.marks]
    assert ("checkin", "before stress=6") in kinds
    assert ("checkin", "after stress=3") in kinds
    # the session is in the history with its check-ins
    code, out, err = run_cli(["sessions", "--json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 1
    assert rows[0]["kind"] == "demo"


def test_replay_jsonl_prints_every_beat_then_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hrvcoach.readers import read_recording

    bundled = sorted((ROOT / "recordings").glob("*.csv"))
    assert bundled, "bundled recordings are missing"
    path = bundled[0]
    code, out, err = run_cli(["replay", str(path), "--fast", "--headless", "--jsonl"], capsys)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    beats = [row for row in lines if row.get("type") == "beat"]
    assert len(beats) == len(read_recording(path).beats)
    assert {"rmssd_ms", "mean_hr_bpm", "coherence"} <= beats[-1].keys()
    assert "summary" in lines[-1]
    assert lines[-1]["summary"]["beats"] == len(beats)


def test_replay_summary_equals_analyze(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    code, out, err = run_cli(["replay", str(path), "--fast", "--headless", "--json"], capsys)
    assert code == 0, err
    replayed = json.loads(out)
    code, out, err = run_cli(["analyze", str(path), "--json"], capsys)
    assert code == 0, err
    analyzed = json.loads(out)
    for key, value in analyzed.items():
        if isinstance(value, float):
            assert replayed[key] == pytest.approx(value, rel=1e-9), key


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["replay", "no/such/file.csv"], 3, "no such file"),
        (["replay", "."], 3, "is a folder"),
        (["demo", "--headless", "--pace", "20"], 2, "from 3 to 10"),
        (["demo", "--headless", "--minutes", "-1"], 2, "--minutes"),
        (["demo", "--headless", "--recording", "nope"], 2, "no bundled recording"),
        (["demo", "--headless", "--device", "sim:resonance=banana"], 4, "resonance"),
    ],
)
def test_bad_input_is_one_line_and_a_nonzero_exit(
    args: list[str], code: int, needle: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, _, err = run_cli(args, capsys)
    assert got == code
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_replay_of_a_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 8)
    proc = subprocess.run(
        hrvcoach_cmd("replay", str(junk), "--fast", "--headless"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert str(junk) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def _start_practice(data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "HRVCOACH_DATA_DIR": str(data_dir)}
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.Popen(
        hrvcoach_cmd("practice", "--device", "sim:seed=4", "--headless", "--speed", "20", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_beats(data_dir: Path, n: int, timeout_s: float = 30.0) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        files = list((data_dir / "recordings").glob("*.csv"))
        if files and files[0].read_text().count("\n") > n:
            return files[0]
        time.sleep(0.1)
    raise AssertionError("the session did not start recording")


@pytest.mark.parametrize(
    ("sig", "reason"), [(signal.SIGTERM, "terminated"), (signal.SIGHUP, "terminal closed")]
)
def test_a_signal_mid_session_leaves_a_complete_readable_recording(
    sig: signal.Signals, reason: str, tmp_path: Path
) -> None:
    from hrvcoach.readers import read_recording

    data_dir = tmp_path / "data"
    proc = _start_practice(data_dir, "--json")
    path = _wait_for_beats(data_dir, 60)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["ended_by"] == reason
    recording = read_recording(path)
    assert not recording.warnings
    assert len(recording.beats) == summary["beats"] > 50


def test_kill_9_loses_at_most_the_beat_in_flight(tmp_path: Path) -> None:
    from hrvcoach.readers import read_recording

    data_dir = tmp_path / "data"
    proc = _start_practice(data_dir)
    path = _wait_for_beats(data_dir, 60)
    proc.kill()
    proc.communicate(timeout=30)
    before_text = path.read_text()
    recording = read_recording(path)
    beat_lines = [line for line in before_text.splitlines() if ",beat," in line]
    # every complete line is read back; only a torn last line may be dropped
    assert len(recording.beats) >= len(beat_lines) - 1
    rr = np.array([b.rr_ms for b in recording.beats])
    assert np.all(rr > 0)


def test_json_output_stays_clean_while_the_dashboard_shows(tmp_path: Path) -> None:
    env = {**os.environ, "HRVCOACH_DATA_DIR": str(tmp_path / "data")}
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    proc = subprocess.run(
        hrvcoach_cmd("practice", "--device", "sim", "--speed", "30", "--minutes", "0.5", "--json"),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)  # the summary alone
    assert summary["ended_by"] == "duration"
    assert "DONE" in proc.stderr  # the dashboard went to stderr


def test_checkins_answered_in_the_window_reach_the_recording_and_the_history(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window asks before the source opens and after it ends; the command stores both."""
    import asyncio

    import hrvcoach.gui.app as app
    from hrvcoach.gui.checkin import Checkin
    from hrvcoach.readers import read_recording
    from hrvcoach.store import HistoryStore

    def window_that_asks(session, **kwargs):  # type: ignore[no-untyped-def]
        # the session runs for real; only the person's answers are scripted
        result = asyncio.run(session.run())
        return app.WindowOutcome(
            result, Checkin(7, "tense day"), Checkin(3, ""), kwargs["summary"](result)
        )

    monkeypatch.setattr(app, "run_practice_window", window_that_asks)
    code, out, err = run_cli(["demo", "--fast", "--minutes", "2", "--json"], capsys)
    assert code == 0, err
    summary = json.loads(out)
    marks = {(m.kind, m.text) for m in read_recording(summary["recording"]).marks}
    assert {("checkin", "before stress=7"), ("checkin", "after stress=3")} <= marks
    assert ("note", "tense day") in marks
    for db in data_dir.glob("history.sqlite*"):
        db.unlink()  # the index is gone: rebuild it from the recordings alone
    with HistoryStore.open(data_dir) as store:
        store.rebuild(data_dir / "recordings")
        rows = store.sessions()
    assert (rows[0].checkin.before, rows[0].checkin.after) == (7, 3)


def test_a_demo_on_a_recording_is_dated_now_and_keeps_its_pace_plan(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta

    from hrvcoach.readers import read_recording

    code, out, err = run_cli(
        [
            "demo",
            "--headless",
            "--fast",
            "--recording",
            "sim-assessment-10min",
            "--minutes",
            "5",
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    made = read_recording(json.loads(out)["recording"])
    assert made.meta.simulated  # a replay of a simulated example is still simulated
    assert made.meta.start_time is not None
    assert abs(datetime.now().astimezone() - made.meta.start_time) < timedelta(minutes=5)
    paces = [m.text for m in made.marks if m.kind == "pace"]
    assert paces[:3] == ["6.5 4:6", "6.0 4:6", "5.5 4:6"]  # the example's plan, followed


def test_jsonl_beats_carry_the_training_zone_swing_and_level(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        ["demo", "--fast", "--minutes", "2", "--headless", "--jsonl", "--device", "sim:seed=4"],
        capsys,
    )
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    beats = [row for row in lines if row.get("type") == "beat"]
    summary = lines[-1]["summary"]
    assert all({"zone", "swing_bpm", "level"} <= row.keys() for row in beats)
    assert {row["level"] for row in beats} == {summary["level"]}
    # no zone until coherence has its first minute of beats, then one of the three
    assert beats[0]["zone"] is None
    zoned = [row for row in beats if row["zone"] is not None]
    assert zoned
    assert min(row["t_s"] for row in zoned) >= 60.0
    assert {row["zone"] for row in zoned} <= {"low", "medium", "high"}
    # the swing appears once a whole breath has been seen (10 s at 6 breaths a minute)
    swings = [row["swing_bpm"] for row in beats if row["swing_bpm"] is not None]
    assert swings
    assert all(s > 0 for s in swings)
