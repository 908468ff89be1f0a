"""Every bad input gets one line and the right exit code, through every command that reads input.

Exit codes (README): 2 usage, 3 unreadable recording, 4 device, 5 data folder or history. The same
bad file gets the same code from ``analyze``, ``replay``, ``export``, ``report`` and ``import``.
Inputs that would block or run away (a FIFO, ``/dev/zero``) run in a child process with a time
limit, so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hrvcoach.cli import main
from hrvcoach.readers import MAX_BEATS, read_recording

#: every command that reads a recording, as it is called on one file
READERS: dict[str, Callable[[str], list[str]]] = {
    "analyze": lambda f: ["analyze", f],
    "replay": lambda f: ["replay", f, "--fast", "--headless"],
    "export": lambda f: ["export", f],
    "report": lambda f: ["report", f],
    "import": lambda f: ["import", f],
}

HEADER_ONLY = (
    "# hrvcoach recording v1\n"
    '# meta: {"start_time": "2026-11-22T07:30:05+01:00"}\n'
    "t_s,kind,rr_ms,hr_bpm,contact,flags,duration_s,label,text\n"
)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def rr_list(path: Path, values: list[str]) -> Path:
    path.write_text("\n".join(values) + "\n")
    return path


def steady(n: int = 300) -> list[str]:
    return [str(800 + (i % 9) * 7) for i in range(n)]


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what the one line must say)"""
    folder = tmp_path / "bad"
    folder.mkdir()
    header_only = folder / "killed.csv"
    header_only.write_text(HEADER_ONLY)
    one_beat = folder / "one-beat.csv"
    one_beat.write_text(HEADER_ONLY + "0.800,beat,800,75,,,,,\n")
    loop = folder / "loop-a"
    loop.symlink_to(folder / "loop-b")
    (folder / "loop-b").symlink_to(loop)
    dangling = folder / "gone.txt"
    dangling.symlink_to(folder / "nowhere.txt")
    (folder / "a-folder").mkdir()
    return {
        "header-only": (header_only, "no beats"),
        "one-beat": (one_beat, "only 1 beat"),
        "symlink-loop": (loop, "symbolic link that loops"),
        "dangling-link": (dangling, "no such file"),
        "folder": (folder / "a-folder", "is a folder"),
        "name-too-long": (folder / ("x" * 300 + ".txt"), "longer than the system allows"),
    }


@pytest.mark.parametrize("command", list(READERS))
def test_a_bad_file_is_one_line_and_exit_3_from_every_command(
    command: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, (path, says) in _bad_files(tmp_path).items():
        code, _out, err = run(READERS[command](str(path)), capsys)
        assert code == 3, (name, err)
        assert len(err.strip().splitlines()) == 1, (name, err)
        assert says in err, (name, err)
        assert "Traceback" not in err


@pytest.mark.parametrize("command", list(READERS))
def test_rr_values_no_strap_can_send_become_gaps_with_a_warning(
    command: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One value of 1e12 ms once made a 277,778-hour session dated 1995; 1e300 crashed replay.
    for absurd in ("1e12", "1e300", "70000"):
        path = rr_list(tmp_path / f"absurd-{absurd}.txt", [*steady(), absurd, *steady()])
        code, _out, err = run(READERS[command](str(path)), capsys)
        assert code == 0, err
        assert "Traceback" not in err
        assert "longer than a strap can send" in err
    recording = read_recording(tmp_path / "absurd-1e12.txt")
    assert len(recording.beats) == 600
    assert recording.duration_s < 600  # 600 beats of about 0.83 s, not 31 years
    assert recording.gaps
    assert recording.gaps[0].duration_s == 0.0


def test_an_impossible_rr_in_an_hrvcoach_recording_becomes_a_gap(tmp_path: Path) -> None:
    beats = "".join(f"{0.8 * (i + 1):.3f},beat,800,75,,,,,\n" for i in range(10))
    path = tmp_path / "r.csv"
    path.write_text(HEADER_ONLY + beats + "9.000,beat,1e12,75,,,,,\n" + beats.replace("0.", "9."))
    recording = read_recording(path)
    assert len(recording.beats) == 20
    assert len(recording.gaps) == 1
    assert any("longer than a strap can send" in w for w in recording.warnings)


def test_fewer_than_two_beats_are_never_a_session_or_a_practice_day(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _bad_files(tmp_path)
    files = [str(bad["header-only"][0]), str(bad["one-beat"][0])]
    code, out, _err = run(["import", *files], capsys)
    assert code == 3
    assert "0 added, 0 already there, 2 failed" in out
    code, out, _ = run(["sessions", "--json"], capsys)
    assert code == 0
    assert json.loads(out) == []


def test_one_bad_file_in_a_batch_is_one_line_and_the_others_are_imported(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = rr_list(tmp_path / "first.txt", steady())
    last = rr_list(tmp_path / "last.txt", steady(400))
    bad = [str(p) for p, _ in _bad_files(tmp_path).values()]
    code, out, err = run(["import", str(first), *bad, str(last)], capsys)
    assert code == 3
    assert f"2 added, 0 already there, {len(bad)} failed" in out
    assert len(err.strip().splitlines()) == len(bad)
    assert "Traceback" not in err


_CHILD = """
import sys
from hrvcoach.cli import main
for args in {runs!r}:
    code = main(args)
    print("EXIT", code, flush=True)
"""


def _run_child(runs: list[list[str]], env_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HRVCOACH_DATA_DIR": str(env_dir)}
    return subprocess.run(
        [sys.executable, "-c", _CHILD.format(runs=runs)],
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=120,
        env=env,
    )


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_fifos_and_devices_are_refused_before_they_are_opened(
    kind: str, data_dir: Path, tmp_path: Path
) -> None:
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)  # opening it for reading would wait for a writer forever
        says = "named pipe"
    else:
        target = Path("/dev/zero")  # reading it would never end
        says = "is a device"
    runs = [make(str(target)) for make in READERS.values()]
    try:
        proc = _run_child(runs, data_dir)
    except subprocess.TimeoutExpired:
        pytest.fail(f"a command hung on {target}")
    assert [line for line in proc.stdout.splitlines() if line.startswith("EXIT")] == [
        "EXIT 3"
    ] * len(runs)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == len(runs), proc.stderr
    assert all(says in line for line in lines), proc.stderr


def test_a_file_above_the_documented_size_is_refused_in_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # More values than MAX_BEATS is refused before parsing: no list of millions is ever built.
    big = tmp_path / "ten-days.txt"
    with big.open("w") as out:
        out.writelines("800\n" for _ in range(int(MAX_BEATS * 1.2)))
    for command, make in READERS.items():
        code, _out, err = run(make(str(big)), capsys)
        assert code == 3, (command, err)
        assert len(err.strip().splitlines()) == 1
        assert f"up to {MAX_BEATS:,} beats" in err


def test_a_file_name_with_undecodable_bytes_is_read_and_reported(
    data_dir: Path, tmp_path: Path
) -> None:
    name = os.fsdecode(b"caf\xe9 session.txt")  # Latin-1 bytes in a UTF-8 file system
    path = tmp_path / name
    rr_list(path, steady())
    runs = [make(str(path)) for make in READERS.values()]
    proc = _run_child(runs, data_dir)
    assert [line for line in proc.stdout.splitlines() if line.startswith("EXIT")] == [
        "EXIT 0"
    ] * len(runs), proc.stderr
    assert "Traceback" not in proc.stderr
    assert name in proc.stdout  # the name is shown as its own bytes, like ls shows it


def _deep_file(root: Path, data: bytes) -> str:
    """A file under a path longer than PATH_MAX (4096 bytes), made one folder at a time."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(22):
            os.mkdir("d" * 200, dir_fd=fd)
            next_fd = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        out = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, data)
        os.close(out)
    finally:
        os.close(fd)
    return str(root / "/".join(["d" * 200] * 22) / "deep.txt")


@pytest.mark.parametrize("command", ["analyze", "replay", "export", "report"])
def test_a_path_longer_than_the_system_limit_is_read(
    command: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _deep_file(tmp_path, ("\n".join(steady()) + "\n").encode())
    assert len(path) > 4096
    code, out, err = run(READERS[command](path), capsys)
    assert code == 0, err
    assert out


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--headless", "--ratio", "nan:6"],
        ["demo", "--headless", "--ratio", "4:inf"],
        ["demo", "--headless", "--window-seconds", "nan"],
        ["demo", "--headless", "--window-seconds", "inf"],
        ["demo", "--headless", "--speed", "1e-9"],
        ["demo", "--headless", "--minutes", "1e308"],
        ["demo", "--headless", "--pace", "nan"],
        ["replay", "x.csv", "--speed", "nan"],
        ["trends", "--days", "100000000"],
        ["sessions", "--last", "0"],
        ["report", "99999999999999999999999"],
        ["report", "0"],
        ["scan", "--timeout", "inf"],
    ],
)
def test_absurd_arguments_are_usage_errors(
    args: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(args)
    except SystemExit as stop:
        code = int(stop.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err


def test_library_warnings_never_leak_as_multi_line_text(data_dir: Path, tmp_path: Path) -> None:
    # A flat RR list made matplotlib warn about identical y limits, with a source line under it.
    flat = rr_list(tmp_path / "flat.txt", ["800"] * 300)
    proc = _run_child([["report", str(flat), "--png", str(tmp_path / "flat.png")]], data_dir)
    assert "EXIT 0" in proc.stdout, proc.stderr
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["sesions"], "did you mean 'sessions'?"),
        (["analyze", "x.txt", "--jsno"], "did you mean --json?"),
        (["analyze", "x.txt", "--artifacts", "kubio"], "did you mean 'kubios'?"),
    ],
)
def test_unknown_words_get_did_you_mean(
    args: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert hint in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("spec", ["simm", "SIM", "sim=resonance", "sin"])
def test_a_mistyped_simulator_is_not_searched_for_over_bluetooth(
    spec: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["practice", "--device", spec, "--headless", "--minutes", "0.1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "did you mean 'sim'" in err
    assert len(err.strip().splitlines()) == 1


def test_screenshot_without_a_display_does_not_blame_a_headless_never_given(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    code = main(["demo", "--fast", "--minutes", "0.1", "--screenshot", "x.png"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--headless" not in err
    assert "no display" in err
    code = main(["demo", "--headless", "--fast", "--minutes", "0.1", "--screenshot", "x.png"])
    assert code == 2
    assert "--headless" in capsys.readouterr().err
