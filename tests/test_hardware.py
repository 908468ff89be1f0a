"""The same basic checks as ``test_ble.py``, on a real strap and the machine's real BlueZ.

Skipped unless a strap is named: ``.ci/venv pytest tests/test_hardware.py --strap "Polar H10"``
(an address, exact name or unique name prefix; wear the strap so that it advertises).
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from hrvcoach.beats import RR_MAX_MS, RR_MIN_MS, Beat, BeatFlag, DeviceStatus, LinkState
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
        assert cur.t_s - prev.t_s <= cur.rr_ms / 1000 + 1e-6 or cur.flags & BeatFlag.AFTER_GAP
    settings = Settings.load(data_dir)
    assert settings.last_device_address == src.info.address
