"""Long work shows a progress bar on standard error when it is a terminal, and nothing extra when
output is piped or with ``--json``. The terminal is a real pseudo-terminal."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from hrvcoach.commands._progress import Progress


def _run(args: list[str], data: Path, *, tty: bool) -> tuple[int, str, str]:
    """Run hrvcoach with stderr on a pseudo-terminal (``tty``) or a pipe; stdout is a pipe."""
    env = {**os.environ, "HRVCOACH_DATA_DIR": str(data)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    if not tty:
        proc = subprocess.run(
            [sys.executable, "-m", "hrvcoach", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        return proc.returncode, proc.stdout, proc.stderr
    master, slave = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "hrvcoach", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=env,
    ) as child:
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        assert child.stdout is not None
        out = child.stdout.read().decode()
        code = child.wait(timeout=300)
    return code, out, b"".join(chunks).decode(errors="replace")


def _rr_files(folder: Path, n: int, beats: int = 300) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k in range(n):
        path = folder / f"rest-{k}.txt"
        path.write_text("\n".join(str(800 + (i * (k + 3)) % 40) for i in range(beats)) + "\n")
        names.append(str(path))
    return names


def test_import_of_many_files_shows_a_bar_on_a_terminal_only(tmp_path: Path) -> None:
    files = _rr_files(tmp_path / "in", 3)
    code, out, err = _run(["import", *files], tmp_path / "a", tty=True)
    assert code == 0, err
    assert "importing [" in err
    assert "3 added" in out
    assert "importing" not in out
    code, out, err = _run(["import", *files], tmp_path / "b", tty=False)
    assert code == 0
    assert "importing" not in err


def test_replay_fast_shows_a_bar_but_not_with_json(tmp_path: Path) -> None:
    (file,) = _rr_files(tmp_path / "in", 1, beats=600)
    code, _out, err = _run(["replay", file, "--fast", "--headless"], tmp_path / "d", tty=True)
    assert code == 0, err
    assert "replaying [" in err
    code, out, err = _run(
        ["replay", file, "--fast", "--headless", "--json"], tmp_path / "d", tty=True
    )
    assert code == 0, err
    assert "replaying" not in err
    assert "replaying" not in out


def test_rebuild_and_long_analysis_say_they_are_working(tmp_path: Path) -> None:
    files = _rr_files(tmp_path / "in", 2)
    data = tmp_path / "data"
    assert _run(["demo", "--headless", "--fast", "--minutes", "0.5"], data, tty=False)[0] == 0
    code, _out, err = _run(["sessions", "--rebuild"], data, tty=True)
    assert code == 0, err
    assert "rebuilding [" in err
    code, _out, err = _run(["sessions", "--rebuild", "--json"], data, tty=True)
    assert "rebuilding" not in err
    (day,) = _rr_files(tmp_path / "long", 1, beats=12_000)
    code, _out, err = _run(["analyze", day], data, tty=True)
    assert code == 0, err
    assert "analysing 12,000 beats" in err
    code, _out, err = _run(["analyze", day], data, tty=False)
    assert "analysing" not in err
    assert files


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_reads_well_and_is_cleared_at_the_end() -> None:
    stream = _FakeTerminal()
    with Progress("importing", total=4, stream=stream) as bar:
        bar.step()
        assert bar.line() == "importing [########----------------------]  25%  1/4"
        bar.print("added #1", file=io.StringIO())
    assert stream.getvalue().endswith("\r\x1b[K")
    piped = io.StringIO()
    with Progress("importing", total=4, stream=piped) as bar:
        bar.step()
    assert piped.getvalue() == ""


@pytest.mark.parametrize("enabled", [False])
def test_a_disabled_bar_draws_nothing_even_on_a_terminal(enabled: bool) -> None:
    stream = _FakeTerminal()
    with Progress("x", total=2, stream=stream, enabled=enabled) as bar:
        bar.step()
    assert stream.getvalue() == ""
