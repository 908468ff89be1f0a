"""The practice and trends windows fit the available screen down to 1280x720 and grow on a large
one. The small screens are real Qt screens: the offscreen platform with a screen of that size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hrvcoach.gui.screen import FRAME_H, FRAME_W, fitted_size


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        ((1366, 740), (1280, 692)),  # a 1366x768 laptop less its panel
        ((1280, 720), (1264, 672)),
        ((1280, 800), (1264, 752)),
        ((2560, 1400), (1839, 1149)),  # grows with its proportions
    ],
)
def test_a_window_fits_its_screen_and_grows_on_a_large_one(
    available: tuple[int, int], expected: tuple[int, int]
) -> None:
    got = fitted_size((1280, 800), available)
    assert got == expected
    assert got[0] <= available[0] - FRAME_W
    assert got[1] <= available[1] - FRAME_H


_CHILD = r"""
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from hrvcoach.drivers.simulated import SimParams, SimulatedSource
from hrvcoach.gui.bridge import SessionRunner
from hrvcoach.gui.screen import fit_to_screen
from hrvcoach.gui.trends_window import TrendsWindow
from hrvcoach.gui.window import PracticeWindow
from hrvcoach.live import LiveHrv
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session
from hrvcoach.timing import Playback

out = {}
area = app.primaryScreen().availableGeometry()
out["area"] = [area.width(), area.height()]
pacer = Pacer(BreathPattern(6.0))
source = SimulatedSource(SimParams(seed=1), pacer=pacer, playback=Playback(fast=True))
runner = SessionRunner(Session(source, pacer=pacer, live=LiveHrv()))
window = PracticeWindow(runner, title="Practice", autostart=False)
fit_to_screen(window, (1280, 800))
window.show()
for _ in range(20):
    app.processEvents()
stop = window.stop_button
corner = stop.mapTo(window, stop.rect().bottomRight())
out["practice"] = [window.width(), window.height()]
out["stop_inside"] = window.rect().contains(corner) and stop.isVisible()
window.grab().save(sys.argv[1] + "-practice.png")
trends = TrendsWindow()
trends.show()
for _ in range(20):
    app.processEvents()
out["trends"] = [trends.width(), trends.height()]
axis = trends.plots["calendar"].getAxis("bottom")
view = trends.graphics
bottom = view.mapFromScene(axis.mapToScene(axis.boundingRect().bottomLeft()))
out["date_axis_bottom"] = bottom.y()
out["graphics_height"] = view.viewport().height()
out["date_axis_height"] = axis.height()
trends.grab().save(sys.argv[1] + "-trends.png")
print(json.dumps(out))
"""


@pytest.mark.parametrize("screen", [(1366, 768), (1280, 720)])
def test_on_a_small_screen_stop_and_the_date_axis_are_on_it(
    screen: tuple[int, int], tmp_path: Path, artifacts_dir: Path
) -> None:
    config = tmp_path / "screen.json"
    width, height = screen
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "laptop",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBase": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    prefix = artifacts_dir / f"window_{width}x{height}"
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(prefix)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["area"] == [width, height]
    assert got["practice"][0] <= width - FRAME_W
    assert got["practice"][1] <= height - FRAME_H
    assert got["stop_inside"]
    assert got["trends"][1] <= height - FRAME_H
    assert got["date_axis_height"] > 10  # drawn, not squeezed away
    assert 0 < got["date_axis_bottom"] <= got["graphics_height"] + 1
