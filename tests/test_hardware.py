"""The same basic checks as ``test_ble.py``, on a real strap and the machine's real BlueZ.

Skipped unless a strap is named: ``.ci/venv pytest tests/test_hardware.py --strap "Polar H10"``
(an address, exact name or unique name prefix; wear the strap so that it advertises). The link-loss
test drops the link with ``bluetoothctl disconnect`` and skips where bluetoothctl is missing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hrvcoach.beats import RR_MAX_MS, RR_MIN_MS, Beat, BeatFlag, DeviceStatus, Event, Gap, LinkState
from hrvcoach.settings import Settings

pytestmark = pytest.mark.hardware


@pytest.fixture
def strap_target(request: pytest.FixtureRequest) -> str:
    target = request.config.getoption("--strap")
    if not target:
        pytest.skip("no real strap named: pass --strap NAME|ADDRESS to run the hardware tests")
    return str(target)


async def test_scan_finds_the_strap(strap_target: str) -> None:
    from hrvcoach.drivers.ble_hr import is_address, scan

    found = await scan(10.0)
    if is_address(strap_target):
        assert strap_target.upper() in {d.address.upper() for d in found}
    else:
        names = [d.name or "" for d in found]
        assert any(n.lower().startswith(strap_target.lower()) for n in names), names
    assert all(d.rssi is None or -127 <= d.rssi <= 20 for d in found)


async def test_strap_streams_plausible_beats_with_consistent_times(
    strap_target: str, data_dir: Path
) -> None:
    from hrvcoach.drivers.ble_hr import BleHeartRateSource

    src = BleHeartRateSource(strap_target, data_dir=data_dir, scan_timeout_s=15.0)
    beats: list[Beat] = []
    statuses: list[DeviceStatus] = []

    async def collect() -> None:
        async for event in src:
            if isinstance(event, Beat):
                beats.append(event)
                if len(beats) >= 20:
                    return
            elif isinstance(event, DeviceStatus):
                statuses.append(event)

    async with src:
        await asyncio.wait_for(collect(), 60.0)
    assert statuses[0].state == LinkState.CONNECTING
    assert any(s.state == LinkState.CONNECTED for s in statuses)
    assert src.info.address
    fresh = [b for b in beats if not b.flags & BeatFlag.BUFFERED]
    assert len(fresh) >= 10
    plausible = [b for b in fresh if RR_MIN_MS <= b.rr_ms <= RR_MAX_MS]
    assert len(plausible) >= 0.9 * len(fresh)
    for prev, cur in itertools.pairwise(beats):
        assert cur.t_s >= prev.t_s
        # buffered beats are spread where their true times are unknown; a gap breaks the chain
        special = BeatFlag.AFTER_GAP | BeatFlag.BUFFERED
        assert cur.t_s - prev.t_s <= cur.rr_ms / 1000 + 1e-6 or cur.flags & special
    settings = Settings.load(data_dir)
    assert settings.last_device_address == src.info.address


async def _until(what: str, cond: Callable[[], bool], timeout_s: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def test_a_dropped_link_is_reconnected_and_the_gap_recorded(
    strap_target: str, data_dir: Path
) -> None:
    from hrvcoach.drivers.ble_hr import BleHeartRateSource

    bluetoothctl = shutil.which("bluetoothctl")
    if bluetoothctl is None:
        pytest.skip("bluetoothctl is not installed, so the link cannot be dropped from outside")
    src = BleHeartRateSource(strap_target, data_dir=data_dir, scan_timeout_s=15.0)
    events: list[Event] = []

    def beats() -> list[Beat]:
        return [e for e in events if isinstance(e, Beat)]

    def connected() -> int:
        return sum(isinstance(e, DeviceStatus) and e.state == LinkState.CONNECTED for e in events)

    async def collect() -> None:
        async for event in src:
            events.append(event)

    async with src:
        task = asyncio.create_task(collect())
        await _until("five beats", lambda: len(beats()) >= 5, 60.0)
        assert src.info.address
        drop = await asyncio.create_subprocess_exec(
            bluetoothctl,
            "disconnect",
            src.info.address,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await drop.wait()
        await _until("reconnection", lambda: connected() >= 2, 90.0)
        n = len(beats())
        await _until("beats after reconnecting", lambda: len(beats()) >= n + 5, 60.0)
        src.stop()
        await asyncio.wait_for(task, 10.0)
    states = [e.state for e in events if isinstance(e, DeviceStatus)]
    assert LinkState.RECONNECTING in states
    gaps = [e for e in events if isinstance(e, Gap)]
    assert len(gaps) == 1
    after = [b for b in beats() if b.t_s > gaps[0].t_s]
    assert after[0].flags & BeatFlag.AFTER_GAP
    assert after[0].t_s == pytest.approx(gaps[0].t_s + gaps[0].duration_s)
    times = [b.t_s for b in beats()]
    assert times == sorted(times)


async def test_practice_records_a_session_and_names_the_recording(
    strap_target: str, data_dir: Path
) -> None:
    from hrvcoach.readers import read_recording

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hrvcoach",
        "practice",
        "--device",
        strap_target,
        "--headless",
        "--minutes",
        "0.5",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=os.environ.copy(),
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120.0)
    assert proc.returncode == 0, err.decode()
    summary = json.loads(out)
    assert summary["ended_by"] == "duration"
    rec = read_recording(summary["recording"])
    assert summary["beats"] == len(rec.beats) >= 15
    assert rec.meta.extra["address"]
    statuses = [e for e in rec.events if isinstance(e, DeviceStatus)]
    assert statuses[0].state == LinkState.CONNECTING
    assert any(s.state == LinkState.CONNECTED for s in statuses)
    assert statuses[-1].state == LinkState.DISCONNECTED
