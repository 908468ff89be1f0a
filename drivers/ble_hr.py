"""A Bluetooth LE heart-rate strap (Heart Rate Service 0x180D) as a beat source, through bleak.

:class:`BleHeartRateSource` finds the strap (exact address, exact name or a unique name prefix;
the last strap that connected when none is named), subscribes to the Heart Rate Measurement
(0x2A37), reads battery (0x2A19, or BlueZ's ``Battery1`` which replaces it on Linux) and body
sensor location (0x2A38), and yields :class:`~hrvcoach.beats.Beat` events timed by
:class:`hrvcoach.hrm.BeatTimeline`. A lost link, or a strap that stays connected but goes quiet
for ``watchdog_s``, is reconnected with backoff while the session goes on; the hole goes out as a
:class:`~hrvcoach.beats.Gap`. See ``docs/ble.md``.

Every failure a user can cause or fix (Bluetooth off or absent, BlueZ not running, no
permission, no strap, two straps matching a prefix) is a :class:`~hrvcoach.errors.DeviceError`
with one sentence that says what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError

from hrvcoach.beats import DeviceStatus, Event, LinkState, SourceInfo
from hrvcoach.drivers.ble_scan import (
    HOW_TO_PICK,
    FoundDevice,
    _bluez,
    _failure_text,
    bluetooth_error_message,
    bluetooth_errors,
    find_strap,
    is_address,
    scan,
)
from hrvcoach.drivers.pmd import PmdStreams
from hrvcoach.errors import DeviceError, HrvCoachError
from hrvcoach.hrm import (
    BATTERY_LEVEL_UUID,
    BODY_SENSOR_LOCATION_UUID,
    HEART_RATE_MEASUREMENT_UUID,
    BeatTimeline,
    HrmParseError,
    body_location_name,
    parse_hrm,
)
from hrvcoach.settings import Settings
from hrvcoach.signals import SampleBlock

__all__ = [
    "HOW_TO_PICK",
    "BleHeartRateSource",
    "FoundDevice",
    "bluetooth_error_message",
    "bluetooth_errors",
    "find_strap",
    "is_address",
    "scan",
]

log = logging.getLogger(__name__)

_END = object()

# -- the source ---------------------------------------------------------------------------------


class BleHeartRateSource:
    """A heart-rate strap over BLE (:class:`~hrvcoach.beats.BeatSource`).

    Args:
        target: Address, exact name or unique name prefix; ``None``: the last strap that connected
            (remembered in ``data_dir``).
        data_dir: The user's data directory (the last strap is saved there on every connect).
        scan_timeout_s: How long to look for the strap before giving up (and on each rescan).
        connect_timeout_s: How long one connection attempt may take.
        watchdog_s: A connected strap silent this long is treated as a lost link.
        backoff_initial_s: First wait between reconnection attempts; doubles each failure...
        backoff_max_s: ...up to this.
        connect_attempts: Attempts at the first connection before giving up (BlueZ connections
            fail now and then for no lasting reason: "Software caused connection abort").
        burst_gap_s: Notifications closer than this after subscribing are a buffered burst.
        prefix_wait_s: After a name matches, how long to keep scanning for a second match.
        adapter: Adapter name (``hci1``) on Linux; default: the first powered one.
        start_time: Wall-clock start of the session (default: when the source is entered).
        clock: Monotonic clock in seconds (session time is measured on it).
        ecg: Stream the strap's ECG when it offers Polar's PMD service (``drivers/pmd.py``).
        motion: Stream its accelerometer (chest motion, for the breath) likewise.
    """

    def __init__(
        self,
        target: str | None,
        *,
        data_dir: Path,
        scan_timeout_s: float = 10.0,
        connect_timeout_s: float = 20.0,
        watchdog_s: float = 5.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 8.0,
        connect_attempts: int = 3,
        burst_gap_s: float = 0.35,
        prefix_wait_s: float = 1.0,
        adapter: str | None = None,
        start_time: datetime | None = None,
        clock: Callable[[], float] = time.monotonic,
        ecg: bool = True,
        motion: bool = True,
    ) -> None:
        self.target = target
        self.data_dir = Path(data_dir)
        self.scan_timeout_s = scan_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.watchdog_s = watchdog_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.connect_attempts = max(1, connect_attempts)
        self.prefix_wait_s = prefix_wait_s
        self.adapter = adapter
        self._clock = clock
        self._start_time = start_time
        self.info = SourceInfo(kind="ble", device=target or "last strap")
        self.timeline = BeatTimeline(burst_gap_s=burst_gap_s)
        self.reconnects = 0  #: successful reconnections so far
        self.parse_errors = 0  #: notifications that could not be decoded
        self._t0: float | None = None  # clock reading at session time 0 (the first connection)
        self._entered_at: float | None = None
        self._wall_start: datetime | None = None
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._stop_event = asyncio.Event()
        self._link_down = asyncio.Event()
        self._stopping = False
        self._device: BLEDevice | None = None
        self._client: BleakClient | None = None
        self._name: str | None = None
        self._address: str | None = None
        self._battery_pct: int | None = None
        self._body_location: str | None = None
        self._last_notify_s = 0.0
        self._runner: asyncio.Task[None] | None = None
        self._failure: HrvCoachError | None = None
        self._warned: set[str] = set()
        self._ever_connected = False
        self.pmd = PmdStreams(
            ecg=ecg, motion=motion, put=self._put, now_s=self.now_s, say=self._say_pmd
        )

    # -- BeatSource -----------------------------------------------------------------------------
    def now_s(self) -> float:
        """Session seconds; 0 until the strap first connects (``_start_clock_at_connection``)."""
        if self._t0 is None:
            return 0.0
        return self._clock() - self._t0

    def stop(self) -> None:
        self._stopping = True
        self._stop_event.set()
        self._wake.set()

    async def __aenter__(self) -> BleHeartRateSource:
        self._entered_at = self._clock()
        if self._start_time is None:
            self._start_time = datetime.now().astimezone()
        self._wall_start = self._start_time
        target = self.target
        if target is None:
            settings = Settings.load(self.data_dir)
            if not settings.last_device_address:
                raise DeviceError(f"no strap has connected yet: {HOW_TO_PICK}")
            target = settings.last_device_address
            log.info("connecting to the last strap, %s", settings.last_device_name or target)
        self._put(DeviceStatus(self.now_s(), LinkState.CONNECTING, detail=f"looking for {target}"))
        device = await find_strap(
            target,
            timeout_s=self.scan_timeout_s,
            prefix_wait_s=self.prefix_wait_s,
            adapter=self.adapter,
        )
        await self._first_connect(device)
        self.info = SourceInfo(
            kind="ble",
            device=self._name or device.address,
            address=self._address,
            start_time=self._start_time,
            details={
                k: v
                for k, v in (
                    ("battery_pct", self._battery_pct),
                    ("body_location", self._body_location),
                    ("signals", self.pmd.kinds() or None),
                )
                if v is not None
            },
        )
        self._runner = asyncio.create_task(self._run(), name="ble-heart-rate")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()
        if self._runner is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._runner), 5.0)
            except (TimeoutError, asyncio.CancelledError):
                self._runner.cancel()
                with contextlib.suppress(BaseException):
                    await self._runner
            except Exception:  # the runner's failure was already reported through iteration
                log.debug("runner ended with an error", exc_info=True)
        await self.pmd.stop()
        await self._drop_client()

    async def __aiter__(self) -> AsyncIterator[Event | SampleBlock]:
        while True:
            item = await self._queue.get()
            if item is _END:
                if self._failure is not None:
                    raise self._failure
                return
            yield cast(Event | SampleBlock, item)

    # -- connection -----------------------------------------------------------------------------
    async def _first_connect(self, device: BLEDevice) -> None:
        """Connect, retrying a few times: a single failed attempt is common and means little."""
        doing = f"connecting to {device.name or device.address}"
        delay = self.backoff_initial_s
        for attempt in range(1, self.connect_attempts + 1):
            try:
                with bluetooth_errors(doing):
                    await self._connect(device)
                return
            except DeviceError as err:
                cause = err.__cause__
                fixable = cause is not None and bluetooth_error_message(cause) is not None
                if fixable or attempt == self.connect_attempts:
                    if attempt > 1:
                        raise DeviceError(f"{err} (after {attempt} attempts)") from cause
                    raise
                reason = _failure_text(cause) if cause is not None else str(err)
                log.info("connection attempt %d failed (%s); trying again", attempt, reason)
                self._put(
                    DeviceStatus(
                        0.0,  # session time starts at the first connection
                        LinkState.CONNECTING,
                        name=device.name,
                        address=device.address,
                        detail=reason,
                    )
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.backoff_max_s)

    def _start_clock_at_connection(self) -> None:
        """Session time 0 is when the strap is first connected, not when the search began.

        ``--minutes`` then counts practice with beats, however long finding the strap took; the
        wall-clock start moves with it, so session times still map to the right moments.
        """
        if self._ever_connected:
            return
        self._t0 = self._clock()
        if self._wall_start is not None and self._entered_at is not None:
            self._start_time = self._wall_start + timedelta(seconds=self._t0 - self._entered_at)

    async def _connect(self, device: BLEDevice) -> None:
        """Connect, read battery and location, subscribe; the new client becomes current."""
        client = BleakClient(
            device,
            disconnected_callback=self._on_disconnected,
            timeout=self.connect_timeout_s,
            bluez=_bluez(self.adapter),
        )
        await client.connect()
        try:
            self._name = client.name or device.name or self._name
            self._address = device.address
            self._battery_pct = await self._read_battery(client, device)
            self._body_location = await self._read_body_location(client)
            self._client = client
            self._link_down.clear()
            self._start_clock_at_connection()
            now = self.now_s()
            self.timeline.subscribed(now)
            self._last_notify_s = now

            def on_notify(_char: object, data: bytearray) -> None:
                if client is self._client:
                    self._on_notify(data)

            await client.start_notify(HEART_RATE_MEASUREMENT_UUID, on_notify)
        except BaseException:
            self._client = None
            if not self._ever_connected:
                self._t0 = None  # session time starts with the attempt that succeeds
            with contextlib.suppress(Exception):
                await client.disconnect()
            raise
        self._device = device
        self._ever_connected = True
        self._remember(device)
        self._put(
            DeviceStatus(
                self.now_s(),
                LinkState.CONNECTED,
                name=self._name,
                address=self._address,
                battery_pct=self._battery_pct,
                body_location=self._body_location,
            )
        )
        await self.pmd.start(client)

    def _say_pmd(self, line: str) -> None:
        """One line about the ECG and motion streams: logged, and a status detail for the views."""
        log.warning("strap %s: %s", self._name, line)
        self._put(
            DeviceStatus(self.now_s(), LinkState.CONNECTED, self._name, self._address, detail=line)
        )

    def _remember(self, device: BLEDevice) -> None:
        try:
            settings = Settings.load(self.data_dir)
            settings.last_device_name = self._name or device.name
            settings.last_device_address = device.address
            settings.save(self.data_dir)
        except OSError as err:
            log.warning("could not remember the strap in %s: %s", self.data_dir, err)

    async def _read_battery(self, client: BleakClient, device: BLEDevice) -> int | None:
        try:
            char = client.services.get_characteristic(BATTERY_LEVEL_UUID)
            if char is not None:
                value = await client.read_gatt_char(char)
                return int(value[0]) if value else None
            if sys.platform == "linux":
                # BlueZ's battery plugin claims the Battery Service and shows it as Battery1
                return await _bluez_battery_percentage(device)
        except Exception as err:  # a battery level is nice to have, never a reason to fail
            log.info("battery level not available: %s", err)
        return None

    async def _read_body_location(self, client: BleakClient) -> str | None:
        try:
            char = client.services.get_characteristic(BODY_SENSOR_LOCATION_UUID)
            if char is None:
                return None
            return body_location_name(await client.read_gatt_char(char))
        except Exception as err:
            log.info("body sensor location not available: %s", err)
            return None

    def _on_disconnected(self, client: BleakClient) -> None:
        if client is self._client:
            self._link_down.set()
            self._wake.set()

    def _on_notify(self, data: bytearray) -> None:
        now = self.now_s()
        self._last_notify_s = now
        try:
            m = parse_hrm(data)
        except HrmParseError as err:
            self.parse_errors += 1
            log.warning("ignored a heart-rate notification: %s", err)
            return
        for warning in m.warnings:
            if warning not in self._warned:
                self._warned.add(warning)
                log.info("heart-rate notification: %s", warning)
        for event in self.timeline.add(m, now):
            self._put(event)
        if self.timeline.deadline() is not None:
            self._wake.set()

    def _put(self, event: object) -> None:
        self._queue.put_nowait(event)

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 5.0)

    # -- supervision ----------------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            while not self._stopping:
                reason = await self._supervise()
                if reason is None:
                    break
                lost_at = self.now_s()
                log.warning("strap %s: %s; reconnecting", self._name, reason)
                self.pmd.link_lost()
                for event in self.timeline.link_lost(lost_at, reason):
                    self._put(event)
                self._put(
                    DeviceStatus(
                        lost_at, LinkState.RECONNECTING, self._name, self._address, detail=reason
                    )
                )
                await self._drop_client()
                await self._reconnect()
        except HrvCoachError as err:
            self._failure = err
        except Exception as err:
            log.exception("the strap connection failed")
            self._failure = DeviceError(f"the strap connection failed: {err}")
        finally:
            for event in self.timeline.flush():
                self._put(event)
            gap = self.timeline.pending_gap(self.now_s())
            if gap is not None:
                self._put(gap)
            self._put(DeviceStatus(self.now_s(), LinkState.DISCONNECTED, self._name, self._address))
            self._put(_END)

    async def _supervise(self) -> str | None:
        """Wait while the link is healthy; say why it is not (``None``: asked to stop)."""
        while True:
            if self._stopping:
                return None
            if self._link_down.is_set():
                return "link lost"
            now = self.now_s()
            for event in self.timeline.flush_due(now):
                self._put(event)
            silent_for = now - self._last_notify_s
            if silent_for >= self.watchdog_s:
                return f"no notifications for {silent_for:.1f} s"
            wake_at = self._last_notify_s + self.watchdog_s
            deadline = self.timeline.deadline()
            if deadline is not None:
                wake_at = min(wake_at, deadline)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, wake_at - self.now_s()) + 0.005)

    async def _reconnect(self) -> None:
        delay = self.backoff_initial_s
        while not self._stopping:
            attempt = asyncio.create_task(self._reconnect_once())
            stopped = asyncio.create_task(self._stop_event.wait())
            try:
                await asyncio.wait({attempt, stopped}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopped.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await stopped
            if not attempt.done():
                # asked to stop in the middle of a scan or connection attempt: abandon it
                attempt.cancel()
                with contextlib.suppress(BaseException):
                    await attempt
                return
            try:
                attempt.result()
                self.reconnects += 1
                return
            except Exception as err:
                message = _failure_text(err)
                log.info("reconnection failed (%s); next try in %.1f s", message, delay)
                self._put(
                    DeviceStatus(
                        self.now_s(),
                        LinkState.RECONNECTING,
                        self._name,
                        self._address,
                        detail=message,
                    )
                )
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            delay = min(delay * 2, self.backoff_max_s)

    async def _reconnect_once(self) -> None:
        assert self._address is not None
        if self._device is not None:
            try:
                await self._connect(self._device)
                return
            except (BleakError, TimeoutError) as err:
                # BlueZ may have removed the device object (out of range for a while): bleak then
                # raises a plain BleakError, and only a new scan brings the device back
                log.info("reconnecting to the known device failed (%s); scanning again", err)
        device = await find_strap(
            self._address, timeout_s=self.scan_timeout_s, adapter=self.adapter
        )
        await self._connect(device)


async def _bluez_battery_percentage(device: BLEDevice) -> int | None:
    """``org.bluez.Battery1.Percentage`` of the device, read straight from BlueZ."""
    details = device.details if isinstance(device.details, dict) else {}
    path = details.get("path")
    if not path:
        return None
    from dbus_fast import BusType, Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    try:
        reply = await bus.call(
            Message(
                destination="org.bluez",
                path=path,
                interface="org.freedesktop.DBus.Properties",
                member="Get",
                signature="ss",
                body=["org.bluez.Battery1", "Percentage"],
            )
        )
    finally:
        bus.disconnect()
        with contextlib.suppress(Exception):
            await bus.wait_for_disconnect()
    if reply is None or reply.message_type != MessageType.METHOD_RETURN:
        return None
    return int(reply.body[0].value)
