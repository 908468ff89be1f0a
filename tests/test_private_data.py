"""Private by default: the data folder is 0700 and every file in it 0600 whatever the umask, while
files written where the user asks (``export -o``) follow the user's umask."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hrvcoach.beats import SourceInfo
from hrvcoach.cli import main
from hrvcoach.recording import create_recording
from hrvcoach.settings import Settings


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277], indirect=True)
def test_the_data_folder_is_private_whatever_the_umask(
    umask: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code = main(["--data-dir", str(data), "demo", "--headless", "--fast", "--minutes", "0.5"])
    assert code == 0, capsys.readouterr().err
    Settings(last_device_name="Polar H10 1A2B3C4D").save(data)
    assert mode(data) == 0o700
    assert mode(data / "recordings") == 0o700
    files = list((data / "recordings").iterdir())  # the recording and its ECG/motion companions
    assert any(f.suffix == ".csv" for f in files)
    for path in files:
        assert mode(path) == 0o600, path
    assert mode(data / "settings.json") == 0o600
    for part in data.glob("history.sqlite*"):  # the database and its -wal and -shm
        assert mode(part) == 0o600, part


def test_an_old_world_readable_data_folder_is_made_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    (data / "recordings").mkdir(parents=True)
    old = data / "recordings" / "2025-01-01T07-00-00_practice.csv"
    old.write_text("x")
    (data / "settings.json").write_text("{}")
    for path, m in ((data, 0o755), (data / "recordings", 0o755), (old, 0o644)):
        path.chmod(m)
    (data / "settings.json").chmod(0o644)
    assert main(["--data-dir", str(data), "sessions"]) == 0
    main(["--data-dir", str(data), "demo", "--headless", "--fast", "--minutes", "0.2"])
    capsys.readouterr()
    assert mode(data) == 0o700
    assert mode(data / "recordings") == 0o700
    assert mode(old) == 0o600
    assert mode(data / "settings.json") == 0o600


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002], indirect=True)
def test_export_keeps_the_users_umask(
    umask: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "rr.txt"
    source.write_text("\n".join(str(800 + i % 5) for i in range(100)) + "\n")
    out = tmp_path / "out.txt"
    assert main(["export", str(source), "-o", str(out)]) == 0, capsys.readouterr().err
    assert mode(out) == 0o666 & ~umask


def test_sessions_starting_in_the_same_second_never_collide(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    start = datetime(2026, 11, 22, 7, 30, 5, tzinfo=timezone(timedelta(hours=1)))
    info = SourceInfo(device="sim", kind="simulator", simulated=True)
    n = 24
    barrier = threading.Barrier(n)
    made: list[Path] = []
    errors: list[BaseException] = []

    def start_one() -> None:
        barrier.wait()  # all at once, as a double click on two terminals would
        try:
            with create_recording(folder, start, "practice", info=info) as writer:
                made.append(writer.path)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=start_one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(made)) == n
    names = sorted(p.name for p in folder.iterdir())
    assert "2026-11-22T07-30-05_practice.csv" in names
    assert "2026-11-22T07-30-05_practice_24.csv" in names
    for path in made:
        assert path.read_text().startswith("# hrvcoach recording v1\n")


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"pace_bpm": null}',
        '{"ratio": 5}',
        '{"ratio": "nan:6"}',
        '{"pace_bpm": "fast"}',
        '{"pace_bpm": 1e400}',
        '{"pace_bpm": 50}',
        '{"last_device_name": ["Polar"]}',
        '"just a string"',
        "{not json",
        '{"pace_bpm": true}',
    ],
)
def test_a_damaged_settings_file_falls_back_to_defaults_with_one_line(
    content: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(content)
    code = main(
        ["--data-dir", str(data), "demo", "--headless", "--fast", "--minutes", "0.3", "--json"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["beats"] > 0
    warned = [r.getMessage() for r in caplog.records if r.name == "hrvcoach.settings"]
    assert len(warned) == 1, warned  # once, though the settings are read more than once
    assert "settings.json" in warned[0]
    assert "\n" not in warned[0]
    assert "Traceback" not in err
    assert Settings.load(data).ratio == "4:6"


def test_good_settings_survive_one_bad_field(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        '{"pace_bpm": 5.5, "ratio": [4, 6], "last_device_name": "Polar H10"}'
    )
    settings = Settings.load(tmp_path)
    assert settings.pace_bpm == 5.5
    assert settings.ratio == "4:6"
    assert settings.last_device_name == "Polar H10"
