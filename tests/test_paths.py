"""The data folder: chosen by flag, environment or platform; a folder that cannot be used is a
one-line error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrvcoach.cli import main
from hrvcoach.errors import StoreError
from hrvcoach.paths import data_dir, recordings_dir


def test_flag_beats_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRVCOACH_DATA_DIR", str(tmp_path / "env"))
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert data_dir() == tmp_path / "env"
    assert (tmp_path / "env").is_dir()


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda tmp: Path("/proc/hrvcoach-cannot-exist/data"), "cannot create"),
        (lambda tmp: (tmp / "file.txt").write_text("x") and tmp / "file.txt", "is a file"),
    ],
)
def test_an_unusable_data_folder_is_one_line(
    make: object, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(StoreError, match=needle):
        data_dir(path)
    for args in (
        ["--data-dir", str(path), "demo", "--headless", "--fast", "--minutes", "1"],
        ["sessions", "--data-dir", str(path)],
    ):
        assert main(args) == StoreError.exit_code
        err = capsys.readouterr().err
        assert needle in err
        assert len(err.strip().splitlines()) == 1


def test_a_folder_where_recordings_cannot_be_made_is_refused() -> None:
    # /proc exists and is "writable" to root, but nothing can be created in it
    with pytest.raises(StoreError, match="cannot create the recordings folder"):
        recordings_dir(data_dir("/proc"))
