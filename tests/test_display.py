"""Choosing between a window and the terminal: a display that Qt cannot start on is no display."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrvcoach import display
from hrvcoach.cli import main


@pytest.fixture(autouse=True)
def _fresh_probe() -> None:
    display.qt_problem.cache_clear()


def test_offscreen_counts_as_a_window_without_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(display, "qt_problem", lambda: pytest.fail("probed"))
    assert display.window_possible()


def test_no_display_means_no_window(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert not display.window_possible()


def test_a_display_qt_cannot_open_falls_back_to_the_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # nothing listens on display :97, so Qt's xcb plugin cannot start (it would abort this
    # process if asked to in it); the command must notice first and use the terminal
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":97")
    assert display.qt_problem() is not None
    assert not display.window_possible()
    monkeypatch.setenv("HRVCOACH_DATA_DIR", str(tmp_path))
    code = main(["demo", "--fast", "--minutes", "1", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["ended_by"] == "duration"
    assert "DONE" in err  # the dashboard, on stderr beside the JSON
