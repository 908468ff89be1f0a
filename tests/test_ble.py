"""The BLE strap driver against an emulated BlueZ: the real, unpatched bleak on a private bus.

Each test module run starts one ``dbus-daemon``; each test starts a fresh fake ``org.bluez`` on it
(``tests/fakebluez``) with the straps it needs, points ``DBUS_SYSTEM_BUS_ADDRESS`` at it and runs
the driver exactly as ``hrvcoach practice`` does. Straps play fast (``speed``) so that a minute of
heartbeats takes seconds; the timestamp test plays in real time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fakebluez import FakeBluez, FakeDevice, FakeStrap, dbus_daemon_path, private_bus

from hrvcoach.beats import Beat, BeatFlag, Contact, DeviceStatus, Event, Gap, LinkState
from hrvcoach.drivers.ble_hr import BleHeartRateSource, FoundDevice, scan
from hrvcoach.errors import DeviceError
from hrvcoach.settings import Settings

pytestmark = pytest.mark.skipif(
    dbus_daemon_path() is None,
    reason="dbus-daemon is not installed (apt-get install dbus-daemon), so BlueZ cannot be faked",
)

H10 = "A0:9E:1A:12:34:56"
H10_NAME = "Polar H10 1A2B3C4D"


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bus_address() -> Iterator[str]:
    with private_bus() as address:
        yield address


@pytest.fixture(autouse=True)
async def no_task_left_behind() -> AsyncIterator[None]:
    """Every test ends with nothing of the driver, bleak or the fake still running on its loop."""
    yield
    await asyncio.sleep(0.01)  # cancelled tasks finish on the next turns of the loop
    current = asyncio.current_task()
    left = [
        t
        for t in asyncio.all_tasks()
        if t is not current
        and not t.done()
        # bleak keeps one BlueZ manager per event loop for the life of the loop, by design
        and t.get_coro().__qualname__ != "BlueZManager._monitor_bus_disconnect"  # type: ignore[union-attr]
    ]
    assert not left, f"tasks left running: {left}"


@pytest.fixture
def system_bus(bus_address: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_address)
    return bus_address


@pytest.fixture
async def bluez(system_bus: str) -> AsyncIterator[FakeBluez]:
    fake = await FakeBluez().start(system_bus)
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture(scope="module")
def welltory_rr_ms(shared_data_path: Path) -> list[float]:
    text = (shared_data_path / "rr/welltory-polar-h10/subject_01/RR.txt").read_text()
    return [float(x) for x in text.split()]


@pytest.fixture(scope="module")
def shared_data_path(request: pytest.FixtureRequest) -> Path:
    # the session-scoped conftest fixture, usable from module-scoped ones
    return request.getfixturevalue("shared_data")


FAST = {
    "scan_timeout_s": 3.0,
    "connect_timeout_s": 3.0,
    "watchdog_s": 2.0,
    "backoff_initial_s": 0.1,
    "backoff_max_s": 0.4,
    "burst_gap_s": 0.1,
    "prefix_wait_s": 0.3,
}


def source(target: str | None, data_dir: Path, **overrides: float) -> BleHeartRateSource:
    return BleHeartRateSource(target, data_dir=data_dir, **{**FAST, **overrides})  # type: ignore[arg-type]


def strap(rr_ms: list[float] | None = None, **kw: object) -> FakeStrap:
    kw.setdefault("speed", 4.0)
    return FakeStrap(
        str(kw.pop("name", H10_NAME)),
        str(kw.pop("address", H10)),
        rr_ms or [820.0, 860.0, 905.0, 880.0, 840.0, 810.0],
        **kw,  # type: ignore[arg-type]
    )


class Collector:
    """Runs a source in the background and keeps every event with the session time it arrived."""

    def __init__(self, src: BleHeartRateSource) -> None:
        self.src = src
        self.events: list[Event] = []
        self.arrived_s: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Collector:
        await self.src.__aenter__()
        self._task = asyncio.create_task(self._pump())
        return self

    async def _pump(self) -> None:
        async for event in self.src:
            self.events.append(event)
            self.arrived_s.append(self.src.now_s())

    async def __aexit__(self, *exc: object) -> None:
        self.src.stop()
        assert self._task is not None
        try:
            await asyncio.wait_for(self._task, 5.0)
        finally:
            await self.src.__aexit__(*exc)

    async def wait_for(self, what: str, cond: Callable[[], bool], timeout_s: float = 8.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        while not cond():
            if self._task is not None and self._task.done():
                self._task.result()
                raise AssertionError(f"source ended while waiting for {what}")
            if loop.time() > end:
                raise AssertionError(f"timed out waiting for {what}; events: {self.events[-8:]}")
            await asyncio.sleep(0.02)

    @property
    def beats(self) -> list[Beat]:
        return [e for e in self.events if isinstance(e, Beat)]

    @property
    def gaps(self) -> list[Gap]:
        return [e for e in self.events if isinstance(e, Gap)]

    def statuses(self, state: LinkState | None = None) -> list[DeviceStatus]:
        return [
            e
            for e in self.events
            if isinstance(e, DeviceStatus) and (state is None or e.state == state)
        ]


async def quiesce(s: FakeStrap) -> None:
    """Stop the strap sending and let what is in flight arrive, so sent and received compare."""
    s.go_silent()
    await asyncio.sleep(0.25)


# -- scanning -----------------------------------------------------------------------------------


async def test_scan_lists_heart_rate_straps_and_not_other_devices(bluez: FakeBluez) -> None:
    bluez.add(strap(rssi=-55))
    bluez.add(strap(name="HRM-Pro:123456", address="C4:7A:11:00:00:02", rssi=-80))
    bluez.add(FakeDevice("Mi Smart Band 6", "D0:00:00:00:00:03"))
    found = await scan(0.6)
    assert {d.address for d in found} == {H10, "C4:7A:11:00:00:02"}
    assert found[0] == FoundDevice(H10_NAME, H10, found[0].rssi)
    assert found[0].rssi is not None
    assert found[0].rssi > found[1].rssi  # type: ignore[operator]
    assert found[1].name == "HRM-Pro:123456"
    # the filter is the service UUID handed to BlueZ, not a list of known names
    assert bluez.adapter is not None
    assert ["0000180d-0000-1000-8000-00805f9b34fb"] in bluez.adapter.filters_seen


async def test_a_named_adapter_is_used_and_a_missing_one_is_a_clear_error(
    bluez: FakeBluez, data_dir: Path
) -> None:
    bluez.add(strap())
    assert [d.address for d in await scan(0.4, adapter="hci0")] == [H10]
    with pytest.raises(DeviceError, match="hci1"):
        await scan(0.2, adapter="hci1")
    with pytest.raises(DeviceError, match="hci1") as info:
        await BleHeartRateSource(H10, data_dir=data_dir, adapter="hci1").__aenter__()
    assert "\n" not in str(info.value)


async def test_scan_command_prints_json_and_a_table(bluez: FakeBluez, data_dir: Path) -> None:
    bluez.add(strap())
    busy = bluez.add(strap(name="HRM-Pro:123456", address="C4:7A:11:00:00:02"))
    await busy.connect_orphan()  # connected elsewhere: listed after those advertising
    out = await run_cli("scan", "--timeout", "0.6", "--json")
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [(d["name"], d["address"], d["connected"]) for d in listed] == [
        (H10_NAME, H10, False),
        ("HRM-Pro:123456", "C4:7A:11:00:00:02", True),
    ]
    assert isinstance(listed[0]["rssi"], int)
    assert listed[1]["rssi"] is None
    table = await run_cli("scan", "--timeout", "0.6")
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()
    assert rows[1].split()[:-2] == [*H10_NAME.split(), H10]
    assert rows[1].endswith(" dBm")  # the strength the fake advertises, -60 or -61 dBm
    assert rows[2].split() == ["HRM-Pro:123456", "C4:7A:11:00:00:02", "connected"]
    assert f"hrvcoach practice --device '{H10_NAME}'" in table.stdout


async def test_scan_command_with_nothing_in_range_is_a_one_line_error(
    bluez: FakeBluez, data_dir: Path
) -> None:
    out = await run_cli("scan", "--timeout", "0.3")
    assert out.returncode == DeviceError.exit_code
    assert out.stderr.count("\n") == 1
    assert "no heart-rate strap found" in out.stderr
    assert "Traceback" not in out.stderr


# -- connecting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [H10_NAME, H10, H10.lower(), "polar h10 1a", "Polar"])
async def test_connects_by_name_address_or_unique_prefix(
    bluez: FakeBluez, data_dir: Path, target: str
) -> None:
    s = bluez.add(strap())
    bluez.add(strap(name="Wahoo TICKR 9F2E", address="E1:00:00:00:00:09"))
    async with Collector(source(target, data_dir)) as c:
        await c.wait_for("three beats", lambda: len(c.beats) >= 3)
        assert c.src.info.kind == "ble"
        assert c.src.info.device == H10_NAME
        assert c.src.info.address == H10
    assert s.connections == 1
    assert [e.state for e in c.statuses()][:2] == [LinkState.CONNECTING, LinkState.CONNECTED]
    settings = Settings.load(data_dir)
    assert (settings.last_device_name, settings.last_device_address) == (H10_NAME, H10)


async def test_a_strap_left_connected_by_a_dead_session_is_taken_over(
    bluez: FakeBluez, data_dir: Path
) -> None:
    s = bluez.add(strap())
    await s.connect_orphan()  # connected at the system level: it no longer advertises
    # scan lists it all the same, as connected, so a user can find the name to pass
    assert await scan(0.3) == [FoundDevice(H10_NAME, H10, None, connected=True)]
    async with Collector(source("Polar", data_dir)) as c:
        await c.wait_for("beats", lambda: len(c.beats) >= 3)
    assert c.src.info.address == H10
    assert s.connect_calls == 1  # bleak saw it connected and did not call Connect again


async def test_session_time_starts_when_the_strap_connects(
    bluez: FakeBluez, data_dir: Path
) -> None:
    bluez.add(strap())
    asked_at = datetime.now().astimezone()
    # a prefix keeps the search going for prefix_wait_s: time that is not part of the practice
    src = source("Polar", data_dir, prefix_wait_s=1.0, start_time=asked_at)  # type: ignore[arg-type]
    async with Collector(src) as c:
        await c.wait_for("connected", lambda: bool(c.statuses(LinkState.CONNECTED)))
        wall_now = datetime.now().astimezone()
        session_now_s = src.now_s()
    assert c.statuses()[0].state == LinkState.CONNECTING
    assert c.statuses()[0].t_s == 0.0
    searched_s = (src.info.start_time - asked_at).total_seconds()  # type: ignore[operator]
    assert searched_s >= 1.0
    assert 0.0 <= c.statuses(LinkState.CONNECTED)[0].t_s < searched_s
    # session time still maps to the wall clock through the recorded start time
    assert src.info.start_time + timedelta(seconds=session_now_s) == pytest.approx(
        wall_now, abs=timedelta(seconds=0.2)
    )


async def test_a_failed_first_connection_attempt_is_retried(
    bluez: FakeBluez, data_dir: Path
) -> None:
    s = bluez.add(strap(connect_fails=2))
    async with Collector(source(H10, data_dir)) as c:
        await c.wait_for("beats", lambda: len(c.beats) >= 2)
    assert (s.connect_calls, s.connections) == (3, 1)
    retries = [e for e in c.statuses(LinkState.CONNECTING) if e.detail]
    assert len(retries) == 3  # "looking for", then the two failed attempts
    assert "connection abort" in retries[-1].detail
    assert all(e.t_s == 0.0 for e in c.statuses(LinkState.CONNECTING))


async def test_a_strap_that_keeps_refusing_is_one_sentence_after_a_few_attempts(
    bluez: FakeBluez, data_dir: Path
) -> None:
    s = bluez.add(strap(connect_fails=10))
    with pytest.raises(DeviceError) as info:
        await source(H10, data_dir, connect_attempts=3).__aenter__()
    message = str(info.value)
    assert message.startswith(f"Bluetooth failed while connecting to {H10_NAME}")
    assert message.endswith("(after 3 attempts)")
    assert "\n" not in message
    assert s.connect_calls == 3


async def test_a_connection_that_hangs_times_out_with_one_sentence(
    bluez: FakeBluez, data_dir: Path
) -> None:
    s = bluez.add(strap(connect_delay_s=30.0))
    with pytest.raises(DeviceError) as info:
        await source(H10, data_dir, connect_timeout_s=0.3, connect_attempts=1).__aenter__()
    assert str(info.value) == f"Bluetooth timed out while connecting to {H10_NAME}"
    assert s.disconnect_calls >= 1  # bleak cancelled the pending connection
    assert not s.connected


async def test_two_straps_matching_a_prefix_is_a_one_sentence_error(
    bluez: FakeBluez, data_dir: Path
) -> None:
    bluez.add(strap())
    bluez.add(strap(name="Polar H10 99887766", address="A0:9E:1A:99:88:77"))
    with pytest.raises(DeviceError) as info:
        await source("Polar", data_dir).__aenter__()
    message = str(info.value)
    assert "matches 2 straps" in message
    assert H10_NAME in message
    assert "Polar H10 99887766" in message
    assert "\n" not in message


async def test_no_target_connects_to_the_last_strap(bluez: FakeBluez, data_dir: Path) -> None:
    bluez.add(strap())
    Settings(last_device_name=H10_NAME, last_device_address=H10).save(data_dir)
    async with Collector(source(None, data_dir)) as c:
        await c.wait_for("a beat", lambda: len(c.beats) >= 1)
    assert c.src.info.address == H10


async def test_no_target_and_no_last_strap_says_how_to_pick_one(
    bluez: FakeBluez, data_dir: Path
) -> None:
    with pytest.raises(DeviceError, match=r"hrvcoach scan.*--device"):
        await source(None, data_dir).__aenter__()


async def test_a_strap_that_never_appears_is_a_clear_error(
    bluez: FakeBluez, data_dir: Path
) -> None:
    bluez.add(FakeDevice("Polar Loop", "D0:00:00:00:00:05"))  # not a heart-rate strap
    with pytest.raises(DeviceError) as info:
        await source("Polar", data_dir, scan_timeout_s=0.4).__aenter__()
    assert "no heart-rate strap named 'Polar' found" in str(info.value)
    assert "hrvcoach scan" in str(info.value)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("no-adapter", "no Bluetooth adapter found"),
        ("powered-off", "Bluetooth is off"),
        ("no-bluez", "BlueZ) is not running"),
        ("no-bus", "cannot reach the system D-Bus"),
    ],
)
async def test_bluetooth_unavailable_is_one_clear_sentence(
    system_bus: str,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setup: str,
    expected: str,
) -> None:
    fake = None
    if setup == "no-adapter":
        fake = await FakeBluez(adapter=False).start(system_bus)
    elif setup == "powered-off":
        fake = await FakeBluez(powered=False).start(system_bus)
    elif setup == "no-bus":
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-such-bus'}")
    try:
        with pytest.raises(DeviceError) as info:
            await source(H10, data_dir).__aenter__()
        assert expected in str(info.value)
        assert "\n" not in str(info.value)
        with pytest.raises(DeviceError) as info:
            await scan(0.2)
        assert expected in str(info.value)
        # and on the command line: the sentence, a non-zero exit, no traceback
        for args in (["scan", "--timeout", "0.2"], ["practice", "--device", H10, "--headless"]):
            assert await cli_in_thread(*args) == DeviceError.exit_code
            err = capsys.readouterr().err
            assert err.startswith(f"hrvcoach {args[0]}: ")
            assert expected in err
            assert err.count("\n") == 1
    finally:
        if fake is not None:
            await fake.close()


async def cli_in_thread(*args: str) -> int:
    """``hrvcoach ARGS`` in this process (its own event loop, in a thread): the exit code."""
    from hrvcoach.cli import main

    return await asyncio.to_thread(main, list(args))


async def test_permission_denied_by_the_system_bus_is_one_clear_sentence(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with private_bus(deny_send_to="org.bluez") as address:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address)
        fake = await FakeBluez().start(address)
        try:
            fake.add(strap())
            with pytest.raises(DeviceError) as info:
                await source(H10, data_dir).__aenter__()
            exit_code = await cli_in_thread("scan", "--timeout", "0.2")
        finally:
            await fake.close()
    assert str(info.value).startswith("permission to use Bluetooth was denied")
    assert "\n" not in str(info.value)
    assert exit_code == DeviceError.exit_code
    err = capsys.readouterr().err
    assert err.startswith("hrvcoach scan: permission to use Bluetooth was denied")
    assert err.count("\n") == 1


# -- what arrives -------------------------------------------------------------------------------


async def test_rr_values_arrive_exactly_as_sent(
    bluez: FakeBluez, data_dir: Path, welltory_rr_ms: list[float]
) -> None:
    # a real Polar H10 recording, three strap-seconds per packet: several RR in most packets
    s = bluez.add(strap(welltory_rr_ms, loop=False, speed=30.0, packet_interval_s=3.0))
    async with Collector(source(H10, data_dir, burst_gap_s=0.04)) as c:
        await c.wait_for("the whole recording", lambda: s.exhausted, timeout_s=15.0)
        await asyncio.sleep(0.15)  # the last packet
        await quiesce(s)
    sent = s.sent_rr_ms()
    assert [b.rr_ms for b in c.beats] == sent
    # the strap sent the recording's tail from where the subscription caught it, in 1/1024 s ticks
    skipped = len(welltory_rr_ms) - len(sent)
    assert 0 <= skipped < 15
    assert [round(x) for x in sent] == [round(x) for x in welltory_rr_ms[skipped:]]
    assert max(len(p.rr_ticks) for p in s.sent) >= 3
    assert all(b.contact is Contact.UNSUPPORTED for b in c.beats)
    assert not any(b.flags & BeatFlag.NO_CONTACT for b in c.beats)
    times = [b.t_s for b in c.beats]
    assert times == sorted(times)


async def test_beat_times_are_back_dated_from_arrival_and_agree_with_rr(
    bluez: FakeBluez, data_dir: Path
) -> None:
    # real time: the fake knows when each beat really happened, so the estimate can be judged
    rr = [600.0, 640.0, 580.0, 620.0, 610.0, 590.0]
    s = bluez.add(strap(rr, speed=1.0, packet_interval_s=1.2))
    async with Collector(source(H10, data_dir, burst_gap_s=0.3)) as c:
        await c.wait_for("six beats", lambda: len(c.beats) >= 6, timeout_s=12.0)
        await quiesce(s)
        loop_minus_session_s = asyncio.get_running_loop().time() - c.src.now_s()
    beats = c.beats
    assert [b.rr_ms for b in beats] == s.sent_rr_ms()
    assert max(len(p.rr_ticks) for p in s.sent) >= 2  # back-dating within a packet is exercised
    true_s = [t - loop_minus_session_s for p in s.sent for t in p.beat_t_loop_s]
    late_s = [b.t_s - t for b, t in zip(beats, true_s, strict=True)]
    # never before the beat really happened, never later than one notification period plus
    # delivery, and the estimate only ever improves (a pull-back to an earlier arrival)
    assert min(late_s) > -0.01
    assert max(late_s) < 1.2 + 0.3
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(late_s))
    for prev, cur in itertools.pairwise(beats):
        step = cur.t_s - prev.t_s
        assert 0 < step <= cur.rr_ms / 1000 + 1e-9  # RR, or shorter where pulled back


async def test_battery_and_body_location_are_read(bluez: FakeBluez, data_dir: Path) -> None:
    bluez.add(strap(battery_pct=64, battery_via="gatt", body_location=1))
    bluez.add(
        strap(
            name="Garmin HRM-Dual", address="C0:FF:EE:00:00:01", battery_pct=41, body_location=None
        )
    )
    async with Collector(source(H10, data_dir)) as c:
        await c.wait_for("connected", lambda: bool(c.statuses(LinkState.CONNECTED)))
    connected = c.statuses(LinkState.CONNECTED)[0]
    assert (connected.battery_pct, connected.body_location) == (64, "chest")
    assert c.src.info.details == {"battery_pct": 64, "body_location": "chest"}
    # on real BlueZ the Battery Service appears as org.bluez.Battery1, not as GATT
    async with Collector(source("Garmin", data_dir)) as c2:
        await c2.wait_for("connected", lambda: bool(c2.statuses(LinkState.CONNECTED)))
    connected = c2.statuses(LinkState.CONNECTED)[0]
    assert (connected.battery_pct, connected.body_location) == (41, None)


async def test_first_burst_is_flagged_buffered_and_implausible_rr_flagged(
    bluez: FakeBluez, data_dir: Path
) -> None:
    stale = [1200.0, 180.0, 1150.0, 990.0, 3400.0, 1010.0, 1005.0]
    # packets every 0.5 s after the burst: well clear of the 0.1 s burst window, even on a busy host
    s = bluez.add(strap(buffered_rr_ms=stale, buffered_per_packet=2, speed=2.0))
    async with Collector(source(H10, data_dir)) as c:
        await c.wait_for("fresh beats", lambda: len(c.beats) >= len(stale) + 4)
        await quiesce(s)
    beats = c.beats
    assert [b.rr_ms for b in beats] == s.sent_rr_ms()
    n = len(stale)
    assert [b.rr_ms for b in beats[:n]] == s.sent_rr_ms(buffered=True)
    assert all(b.flags & BeatFlag.BUFFERED for b in beats[:n])
    assert not any(b.flags & BeatFlag.BUFFERED for b in beats[n:])
    implausible = [b.rr_ms for b in beats if b.flags & BeatFlag.IMPLAUSIBLE]
    assert implausible == [s.sent_rr_ms(buffered=True)[1], s.sent_rr_ms(buffered=True)[4]]
    times = [b.t_s for b in beats]
    assert times == sorted(times)
    assert times[0] > 0


async def test_contact_reported_off_the_skin_flags_beats(bluez: FakeBluez, data_dir: Path) -> None:
    bluez.add(strap(contact=Contact.NOT_DETECTED))
    async with Collector(source(H10, data_dir)) as c:
        await c.wait_for("beats", lambda: len(c.beats) >= 3)
    assert all(b.contact is Contact.NOT_DETECTED for b in c.beats)
    assert all(b.flags & BeatFlag.NO_CONTACT for b in c.beats)


# -- keeping the link ---------------------------------------------------------------------------


def assert_one_gap_and_nothing_lost(c: Collector, s: FakeStrap) -> Gap:
    beats = c.beats
    assert [b.rr_ms for b in beats] == s.sent_rr_ms()
    assert len(c.gaps) == 1
    gap = c.gaps[0]
    i = c.events.index(gap)
    before = [e for e in c.events[:i] if isinstance(e, Beat)]
    after = [e for e in c.events[i:] if isinstance(e, Beat)]
    assert before
    assert after
    assert gap.t_s == before[-1].t_s
    assert gap.t_s + gap.duration_s == pytest.approx(after[0].t_s)
    assert after[0].flags & BeatFlag.AFTER_GAP
    assert not any(b.flags & BeatFlag.AFTER_GAP for b in beats if b is not after[0])
    times = [b.t_s for b in beats]
    assert times == sorted(times)
    return gap


async def test_link_loss_reconnects_and_records_the_gap(bluez: FakeBluez, data_dir: Path) -> None:
    s = bluez.add(strap())
    async with Collector(source(H10, data_dir)) as c:
        await c.wait_for("beats", lambda: len(c.beats) >= 6)
        s.drop_link()
        await c.wait_for("reconnection", lambda: len(c.statuses(LinkState.CONNECTED)) == 2)
        n = len(c.beats)
        await c.wait_for("beats after", lambda: len(c.beats) >= n + 5)
        await quiesce(s)
    assert s.connections == 2
    states = [e.state for e in c.statuses()]
    assert states[:4] == [
        LinkState.CONNECTING,
        LinkState.CONNECTED,
        LinkState.RECONNECTING,
        LinkState.CONNECTED,
    ]
    gap = assert_one_gap_and_nothing_lost(c, s)
    assert gap.reason == "link lost"
    assert c.src.reconnects == 1


async def test_strap_away_for_a_while_is_found_by_a_new_scan_with_backoff(
    bluez: FakeBluez, data_dir: Path
) -> None:
    s = bluez.add(strap())
    src = source(H10, data_dir, scan_timeout_s=0.2, backoff_initial_s=0.1, backoff_max_s=0.4)
    async with Collector(src) as c:
        await c.wait_for("beats", lambda: len(c.beats) >= 3)
        scans_before = bluez.discovery_starts
        s.vanish(for_s=2.0)  # the device object goes: bleak cannot reconnect without a scan
        await c.wait_for(
            "reconnection", lambda: len(c.statuses(LinkState.CONNECTED)) == 2, timeout_s=12.0
        )
        n = len(c.beats)
        await c.wait_for("beats after", lambda: len(c.beats) >= n + 3)
        await quiesce(s)
    failed = [e for e in c.statuses(LinkState.RECONNECTING) if e.detail != "link lost"]
    assert bluez.discovery_starts > scans_before + len(failed)
    assert s.connections == 2
    assert len(failed) >= 3, c.statuses()
    assert all(f"no heart-rate strap with address {H10!r}" in e.detail for e in failed)
    # each wait at least doubles, up to backoff_max_s (each attempt also scans for 0.2 s)
    waits_s = [b.t_s - a.t_s for a, b in itertools.pairwise(failed)]
    for i, wait_s in enumerate(waits_s):
        assert wait_s >= min(0.1 * 2**i, 0.4) + 0.2 - 0.02, waits_s
    assert_one_gap_and_nothing_lost(c, s)


async def test_silent_strap_is_caught_by_the_watchdog(bluez: FakeBluez, data_dir: Path) -> None:
    s = bluez.add(strap())
    async with Collector(source(H10, data_dir, watchdog_s=0.6)) as c:
        await c.wait_for("beats", lambda: len(c.beats) >= 4)
        s.go_silent()
        await c.wait_for("reconnection", lambda: len(c.statuses(LinkState.CONNECTED)) == 2)
        n = len(c.beats)
        await c.wait_for("beats after", lambda: len(c.beats) >= n + 4)
        await quiesce(s)
    reconnecting = c.statuses(LinkState.RECONNECTING)
    assert reconnecting[0].detail.startswith("no notifications for")
    assert s.disconnect_calls >= 1  # the driver dropped the dead link itself
    gap = assert_one_gap_and_nothing_lost(c, s)
    assert gap.reason.startswith("no notifications")
    assert gap.duration_s >= 0.6


async def test_stop_while_reconnecting_ends_with_the_open_gap(
    bluez: FakeBluez, data_dir: Path
) -> None:
    s = bluez.add(strap())
    async with Collector(source(H10, data_dir)) as c:
        await c.wait_for("beats", lambda: len(c.beats) >= 3)
        s.vanish()  # and never comes back
        await c.wait_for("reconnecting", lambda: bool(c.statuses(LinkState.RECONNECTING)))
    assert [b.rr_ms for b in c.beats] == s.sent_rr_ms()
    assert len(c.gaps) == 1
    assert c.gaps[0].t_s == c.beats[-1].t_s
    assert c.statuses()[-1].state == LinkState.DISCONNECTED


async def test_a_killed_test_process_leaves_no_dbus_daemon_behind(tmp_path: Path) -> None:
    tests_dir = Path(__file__).parent
    code = (
        "import os, sys\n"
        "from fakebluez import private_bus\n"
        "with private_bus() as address:\n"
        "    print(address, flush=True)\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(tests_dir)},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 20.0)
    assert proc.returncode == -signal.SIGKILL
    socket_path = Path(out.decode().split("unix:path=", 1)[1].split(",", 1)[0])
    try:
        refused = False
        for _ in range(100):  # the guard ends the daemon as soon as the pipe closes
            with socket.socket(socket.AF_UNIX) as sock:
                try:
                    sock.connect(str(socket_path))
                except (ConnectionRefusedError, FileNotFoundError):
                    refused = True
                    break
            await asyncio.sleep(0.05)
        assert refused, "the private dbus-daemon outlived the process that started it"
    finally:
        shutil.rmtree(socket_path.parent, ignore_errors=True)  # kill -9 left its folder


def test_practice_with_no_strap_named_or_remembered_says_how_to_pick_one(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.cli import main

    assert main(["practice", "--headless", "--minutes", "0.1"]) == DeviceError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no strap has connected yet" in err
    assert "hrvcoach scan" in err
    assert "--device NAME" in err


# -- the command line ---------------------------------------------------------------------------


class CliResult:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


async def run_cli(*args: str, timeout_s: float = 30.0) -> CliResult:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hrvcoach",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=os.environ.copy(),
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    assert proc.returncode is not None
    return CliResult(proc.returncode, out.decode(), err.decode())


class Practice:
    """``hrvcoach practice`` in a child process, its output in files, its recording readable."""

    def __init__(self, data_dir: Path, out_dir: Path, *args: str, window: bool = True) -> None:
        self.data_dir = data_dir
        self.args = ("practice", "--device", H10_NAME, *args)
        self.env = os.environ.copy()
        if not window:  # no display at all: the terminal dashboard is the view
            for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
                self.env.pop(name, None)
        self.out_path, self.err_path = out_dir / "stdout.txt", out_dir / "stderr.txt"
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Practice:
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "hrvcoach", *self.args, stdout=out, stderr=err, env=self.env
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def recording_path(self) -> Path | None:
        files = sorted((self.data_dir / "recordings").glob("*"))
        assert len(files) <= 1
        return files[0] if files else None

    def recorded_beats(self) -> int:
        from hrvcoach.readers import read_recording

        path = self.recording_path()
        if path is None:
            return 0
        try:
            return len(read_recording(path).beats)
        except Exception:  # mid-write: the reader may see a half line
            return 0

    async def wait_for_beats(self, n: int, timeout_s: float = 25.0) -> int:
        assert self.proc is not None
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        while self.recorded_beats() < n and loop.time() < end and self.proc.returncode is None:
            await asyncio.sleep(0.1)
        got = self.recorded_beats()
        assert got >= n, self.err_path.read_text()
        return got

    async def finished(self, timeout_s: float = 30.0) -> tuple[str, str]:
        """Wait for the process to end: its stdout and stderr (it must not have crashed)."""
        assert self.proc is not None
        await asyncio.wait_for(self.proc.wait(), timeout_s)
        stdout, stderr = self.out_path.read_text(), self.err_path.read_text()
        assert "Traceback" not in stderr, stderr
        assert self.proc.returncode == 0, stderr
        return stdout, stderr


async def test_practice_headless_sigterm_leaves_a_complete_recording(
    bluez: FakeBluez, data_dir: Path, tmp_path: Path
) -> None:
    from hrvcoach.readers import read_recording

    s = bluez.add(strap([610.0, 590.0, 640.0, 600.0], speed=1.0, packet_interval_s=0.5))
    async with Practice(data_dir, tmp_path, "--headless", "--minutes", "1", "--json") as run:
        before_sigterm = await run.wait_for_beats(3)
        assert run.proc is not None
        run.proc.send_signal(signal.SIGTERM)
        stdout, _ = await run.finished(20.0)
    path = run.recording_path()
    assert path is not None
    # --json: the summary of the analyze command, and where the recording is
    summary = json.loads(stdout)
    assert summary["recording"] == str(path)
    assert summary["ended_by"] == "terminated"
    rec = read_recording(path)
    assert summary["beats"] == len(rec.beats)
    assert rec.meta.device == H10_NAME
    assert rec.meta.extra["address"] == H10
    assert not rec.meta.simulated
    # what was recorded before SIGTERM is all there, exactly the strap's RR, in order
    assert len(rec.beats) >= before_sigterm
    sent = s.sent_rr_ms()
    assert [b.rr_ms for b in rec.beats] == sent[: len(rec.beats)]
    times = [b.t_s for b in rec.beats]
    assert times == sorted(times)
    assert [e.state for e in rec.events if isinstance(e, DeviceStatus)][-1] == (
        LinkState.DISCONNECTED
    )


async def test_practice_keeps_going_through_a_lost_link_and_shows_it(
    bluez: FakeBluez, data_dir: Path, tmp_path: Path
) -> None:
    from hrvcoach.readers import read_recording

    s = bluez.add(strap([520.0, 560.0, 540.0, 580.0, 550.0], speed=1.0, packet_interval_s=0.5))
    # no display: the terminal dashboard; its output is a pipe, so it prints plain lines
    async with Practice(data_dir, tmp_path, "--minutes", "0.1", window=False) as run:
        await run.wait_for_beats(3)
        s.drop_link()
        stdout, _ = await run.finished()
    lines = stdout.splitlines()
    shown = [i for i, line in enumerate(lines) if "reconnecting" in line]
    assert shown, stdout
    assert any("connected · " + H10_NAME in line for line in lines[shown[0] :]), stdout
    path = run.recording_path()
    assert path is not None
    assert any(ln.startswith("Recording") and ln.endswith(str(path)) for ln in lines), stdout
    rec = read_recording(path)
    statuses = [e for e in rec.events if isinstance(e, DeviceStatus)]
    assert [e.state for e in statuses] == [
        LinkState.CONNECTING,
        LinkState.CONNECTED,
        LinkState.RECONNECTING,
        LinkState.CONNECTED,
        LinkState.DISCONNECTED,
    ]
    for connected in (statuses[1], statuses[3]):
        assert (connected.battery_pct, connected.body_location) == (87, "chest")
    assert statuses[2].detail == "link lost"
    assert rec.meta.extra["details"] == {"battery_pct": 87, "body_location": "chest"}
    # the gap is in the recording, between the last beat before and the first beat after
    assert len(rec.gaps) == 1
    gap = rec.gaps[0]
    assert gap.reason == "link lost"
    before = [b for b in rec.beats if b.t_s <= gap.t_s]
    after = [b for b in rec.beats if b.t_s > gap.t_s]
    assert before[-1].t_s == gap.t_s
    # times are written to the millisecond: three roundings of up to 0.5 ms each
    assert after[0].t_s == pytest.approx(gap.t_s + gap.duration_s, abs=1.5e-3 + 1e-9)
    assert after[0].flags & BeatFlag.AFTER_GAP
    assert len(after) >= 2
    # nothing the strap sent before or after the gap is lost
    assert [b.rr_ms for b in rec.beats] == s.sent_rr_ms()[: len(rec.beats)]
