"""The command line itself: global options in either place, help for every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrvcoach.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_works_before_or_after_the_subcommand(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HRVCOACH_DATA_DIR", raising=False)
    data = tmp_path / "mine"
    demo = ["demo", "--headless", "--fast", "--minutes", "1", "--json"]
    option = ["--data-dir", str(data)]
    args = [*option, *demo] if where == "before" else [*demo, *option]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert Path(summary["recording"]).parent == data / "recordings"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    assert f"hrvcoach {command}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [["demo", "--ratio", "-4:6"], ["bogus"], ["demo", "--minutes"], ["sessions", "--last", "x"]],
)
def test_a_usage_mistake_is_one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "--help" in err


def test_replay_format_can_be_forced(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["replay", str(path), "--fast", "--headless", "--json", "--format", "rr-list"]) == 0
    assert json.loads(capsys.readouterr().out)["beats"] == 910
    code = main(["replay", str(path), "--fast", "--headless", "--format", "hrvlogger"])
    assert code != 0
    err = capsys.readouterr().err
    assert str(path) in err
    assert len(err.strip().splitlines()) == 1
