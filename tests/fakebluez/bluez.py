"""A fake ``org.bluez`` on a private bus, good enough for the real, unpatched bleak BlueZ backend.

It exports what bleak's ``bluezdbus`` backend reads (see ``bleak/backends/bluezdbus/manager.py``
and ``client.py``): objects under ``/`` through the ObjectManager that dbus-fast provides
(``GetManagedObjects``, ``InterfacesAdded``/``InterfacesRemoved``), ``org.bluez.Adapter1`` at
``/org/bluez/hci0``, one ``org.bluez.Device1`` per device found during discovery, and GATT objects
at BlueZ's exact paths (``.../dev_XX_XX_XX_XX_XX_XX/serviceXXXX/charYYYY/descZZZZ``: bleak reads
handles and the device path out of them). Notifications are ``PropertiesChanged(Value)`` on the
characteristic after ``StartNotify``, as BlueZ sends them.

Everything runs on the event loop of the test that created it; the test drives the devices
(drop the link, vanish, go silent) and reads back exactly what was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from dbus_fast import BusType, DBusError, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusByte,
    DBusBytes,
    DBusDict,
    DBusInt16,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
)
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from fakebluez.pmd import FakePmd
from hrvcoach.beats import Contact
from hrvcoach.hrm import encode_hrm, ticks_from_rr_ms

log = logging.getLogger(__name__)

HR_SERVICE = "0000180d-0000-1000-8000-00805f9b34fb"
HR_MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_LOCATION = "00002a38-0000-1000-8000-00805f9b34fb"
BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL = "00002a19-0000-1000-8000-00805f9b34fb"
DEVICE_INFO_SERVICE = "0000180a-0000-1000-8000-00805f9b34fb"
CCCD = "00002902-0000-1000-8000-00805f9b34fb"
PMD_SERVICE = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

ADAPTER_PATH = "/org/bluez/hci0"

DBusStrList = Annotated[list[str], DBusSignature("as")]
DBusPathList = Annotated[list[str], DBusSignature("ao")]
DBusManufacturerData = Annotated[dict[int, Variant], DBusSignature("a{qv}")]
DBusServiceData = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
DBusUInt16 = Annotated[int, DBusSignature("q")]


def device_path(address: str) -> str:
    return f"{ADAPTER_PATH}/dev_{address.upper().replace(':', '_')}"


# -- D-Bus interfaces ---------------------------------------------------------------------------


class Adapter1(ServiceInterface):
    """``org.bluez.Adapter1``: discovery on and off, devices announced while it is on."""

    def __init__(self, bluez: FakeBluez, *, address: str, powered: bool, roles: list[str]) -> None:
        super().__init__("org.bluez.Adapter1")
        self._bluez = bluez
        self._address = address
        self._powered = powered
        self._roles = roles
        self._discovering = False
        self.filter_uuids: list[str] = []
        self.filters_seen: list[list[str]] = []  #: every UUID filter a client set, in order

    @dbus_property(access=PropertyAccess.READ)
    def Address(self) -> DBusStr:
        return self._address

    @dbus_property(access=PropertyAccess.READ)
    def AddressType(self) -> DBusStr:
        return "public"

    @dbus_property(access=PropertyAccess.READ)
    def Name(self) -> DBusStr:
        return "fakebluez"

    @dbus_property(access=PropertyAccess.READ)
    def Alias(self) -> DBusStr:
        return "fakebluez"

    @dbus_property(access=PropertyAccess.READ)
    def Powered(self) -> DBusBool:
        return self._powered

    @dbus_property(access=PropertyAccess.READ)
    def Discovering(self) -> DBusBool:
        return self._discovering

    @dbus_property(access=PropertyAccess.READ)
    def Roles(self) -> DBusStrList:
        return self._roles

    @dbus_property(access=PropertyAccess.READ)
    def UUIDs(self) -> DBusStrList:
        return []

    @dbus_method()
    def SetDiscoveryFilter(self, filters: DBusDict):
        uuids = filters.get("UUIDs")
        self.filter_uuids = [u.lower() for u in uuids.value] if uuids is not None else []
        self.filters_seen.append(list(self.filter_uuids))

    @dbus_method()
    def GetDiscoveryFilters(self) -> DBusStrList:
        return ["UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData"]

    @dbus_method()
    def StartDiscovery(self):
        if not self._powered:
            raise DBusError("org.bluez.Error.NotReady", "Resource Not Ready")
        self._discovering = True
        self.emit_properties_changed({"Discovering": True})
        self._bluez._discovery_started()

    @dbus_method()
    def StopDiscovery(self):
        self._discovering = False
        self.emit_properties_changed({"Discovering": False})
        self._bluez._discovery_stopped()

    @dbus_method()
    def RemoveDevice(self, path: DBusObjectPath):
        dev = self._bluez._device_at(path)
        if dev is None:
            raise DBusError("org.bluez.Error.DoesNotExist", "Does Not Exist")
        dev._teardown_link()
        dev._unexport_device()


class Device1(ServiceInterface):
    """``org.bluez.Device1`` of one fake device."""

    def __init__(self, dev: FakeDevice) -> None:
        super().__init__("org.bluez.Device1")
        self._dev = dev

    @dbus_property(access=PropertyAccess.READ)
    def Address(self) -> DBusStr:
        return self._dev.address

    @dbus_property(access=PropertyAccess.READ)
    def AddressType(self) -> DBusStr:
        return "random"

    @dbus_property(access=PropertyAccess.READ)
    def Name(self) -> DBusStr:
        return self._dev.name

    @dbus_property(access=PropertyAccess.READ)
    def Alias(self) -> DBusStr:
        return self._dev.name

    @dbus_property(access=PropertyAccess.READ)
    def Adapter(self) -> DBusObjectPath:
        return ADAPTER_PATH

    @dbus_property(access=PropertyAccess.READ)
    def Connected(self) -> DBusBool:
        return self._dev.connected

    @dbus_property(access=PropertyAccess.READ)
    def ServicesResolved(self) -> DBusBool:
        return self._dev.services_resolved

    @dbus_property(access=PropertyAccess.READ)
    def Paired(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Bonded(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Trusted(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Blocked(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def LegacyPairing(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def UUIDs(self) -> DBusStrList:
        return list(self._dev.uuids)

    @dbus_property(access=PropertyAccess.READ)
    def RSSI(self) -> DBusInt16:
        return self._dev.rssi

    @dbus_property(access=PropertyAccess.READ)
    def ManufacturerData(self) -> DBusManufacturerData:
        return {k: Variant("ay", v) for k, v in self._dev.manufacturer_data.items()}

    @dbus_property(access=PropertyAccess.READ)
    def ServiceData(self) -> DBusServiceData:
        return {}

    @dbus_method()
    async def Connect(self):
        await self._dev._connect()

    @dbus_method()
    async def Disconnect(self):
        self._dev.disconnect_calls += 1
        self._dev._connect_cancelled.set()
        await asyncio.sleep(0.005)
        self._dev._teardown_link()


class Battery1(ServiceInterface):
    """``org.bluez.Battery1``: how real BlueZ shows the Battery Service (it hides 0x180F's GATT)."""

    def __init__(self, percentage: int) -> None:
        super().__init__("org.bluez.Battery1")
        self._percentage = percentage

    @dbus_property(access=PropertyAccess.READ)
    def Percentage(self) -> DBusByte:
        return self._percentage

    @dbus_property(access=PropertyAccess.READ)
    def Source(self) -> DBusStr:
        return "GATT Battery Service"


class GattService1(ServiceInterface):
    def __init__(self, uuid: str, device: str) -> None:
        super().__init__("org.bluez.GattService1")
        self._uuid = uuid
        self._device = device

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Device(self) -> DBusObjectPath:
        return self._device

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def Includes(self) -> DBusPathList:
        return []


class GattCharacteristic1(ServiceInterface):
    def __init__(
        self,
        dev: FakeDevice,
        uuid: str,
        service: str,
        flags: list[str],
        value: bytes = b"",
    ) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self._dev = dev
        self._uuid = uuid
        self._service = service
        self._flags = flags
        self.value = value
        self.notifying = False

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> DBusObjectPath:
        return self._service

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self.value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> DBusBool:
        return self.notifying

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> DBusStrList:
        return self._flags

    @dbus_property(access=PropertyAccess.READ)
    def MTU(self) -> DBusUInt16:
        return 247

    @dbus_method()
    async def ReadValue(self, options: DBusDict) -> DBusBytes:
        if "read" not in self._flags:
            raise DBusError("org.bluez.Error.NotPermitted", "Read not permitted")
        await asyncio.sleep(0.002)
        return self.value

    @dbus_method()
    def WriteValue(self, value: DBusBytes, options: DBusDict):
        if "write" not in self._flags and "write-without-response" not in self._flags:
            raise DBusError("org.bluez.Error.NotPermitted", "Write not permitted")
        self._dev._written(self, bytes(value))

    @dbus_method()
    def StartNotify(self):
        if "notify" not in self._flags and "indicate" not in self._flags:
            raise DBusError("org.bluez.Error.NotSupported", "Operation is not supported")
        if not self.notifying:
            self.notifying = True
            self.emit_properties_changed({"Notifying": True})
            self._dev._notify_started(self)

    @dbus_method()
    def StopNotify(self):
        if self.notifying:
            self.notifying = False
            self.emit_properties_changed({"Notifying": False})
            self._dev._notify_stopped(self)

    def notify(self, value: bytes) -> None:
        self.value = value
        self.emit_properties_changed({"Value": value})


class GattDescriptor1(ServiceInterface):
    def __init__(self, uuid: str, characteristic: str, value: bytes = b"\x00\x00") -> None:
        super().__init__("org.bluez.GattDescriptor1")
        self._uuid = uuid
        self._characteristic = characteristic
        self._value = value

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Characteristic(self) -> DBusObjectPath:
        return self._characteristic

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self._value

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> DBusStrList:
        return ["read", "write"]

    @dbus_method()
    def ReadValue(self, options: DBusDict) -> DBusBytes:
        return self._value


# -- devices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentPacket:
    """One notification the fake strap sent: when (loop time), the bytes, and what they held."""

    t_loop_s: float
    payload: bytes
    rr_ticks: tuple[int, ...]
    buffered: bool
    beat_t_loop_s: tuple[float, ...] = ()  #: when each beat really happened (fresh beats only)


class FakeDevice:
    """A BLE peripheral that advertises, accepts connections and exposes GATT services.

    Args:
        name: Advertised name (``Device1.Name`` and ``Alias``).
        address: BLE address ``XX:XX:XX:XX:XX:XX``.
        uuids: Advertised service UUIDs.
        rssi: Signal strength reported while advertising.
        connect_fails: Answer ``Connect`` with an error this many times first.
        connect_delay_s: How long ``Connect`` takes (a strap slow to answer, or one that is about
            to give up); a ``Disconnect`` meanwhile cancels it, as in BlueZ.
    """

    def __init__(
        self,
        name: str,
        address: str,
        *,
        uuids: Sequence[str] = (DEVICE_INFO_SERVICE,),
        rssi: int = -70,
        manufacturer_data: dict[int, bytes] | None = None,
        connect_fails: int = 0,
        connect_delay_s: float = 0.0,
    ) -> None:
        self.name = name
        self.address = address.upper()
        self.path = device_path(self.address)
        self.uuids = [u.lower() for u in uuids]
        self.rssi = rssi
        self.base_rssi = rssi
        self.manufacturer_data = manufacturer_data or {}
        self.connect_fails = connect_fails
        self.connect_delay_s = connect_delay_s
        self._connect_cancelled = asyncio.Event()
        self.connected = False
        self.services_resolved = False
        self.in_range = True
        self.connect_calls = 0
        self.disconnect_calls = 0
        self.connections = 0  #: successful connections so far
        self._bluez: FakeBluez | None = None
        self._device_iface: Device1 | None = None
        self._exported: list[tuple[str, ServiceInterface]] = []  # GATT objects while connected
        self._extra: list[tuple[str, ServiceInterface]] = []  # device-level extras (Battery1)

    # -- what tests call ------------------------------------------------------------------------
    @property
    def announced(self) -> bool:
        """Whether BlueZ currently has a ``Device1`` object for this device."""
        return self._device_iface is not None

    def drop_link(self) -> None:
        """Lose the link for a moment: ``Connected`` goes false and the GATT objects go."""
        self._teardown_link()

    async def connect_orphan(self) -> None:
        """Be connected with no client, as BlueZ leaves a strap when the program using it died."""
        self._export_device()
        await self._connect()

    def vanish(self, for_s: float | None = None) -> None:
        """Drop the link, remove the device object, and stop advertising (for ``for_s`` seconds)."""
        self._teardown_link()
        self._unexport_device()
        self.in_range = False
        if for_s is not None:
            asyncio.get_running_loop().call_later(for_s, self.reappear)

    def reappear(self) -> None:
        """Advertise again: the next discovery announces the device anew."""
        self.in_range = True

    # -- internals ------------------------------------------------------------------------------
    def _bus(self) -> MessageBus:
        assert self._bluez is not None
        assert self._bluez.bus is not None
        return self._bluez.bus

    def _export_device(self) -> None:
        if self._device_iface is None:
            self._device_iface = Device1(self)
            self._bus().export(self.path, self._device_iface)

    def _unexport_device(self) -> None:
        if self._device_iface is None:
            return
        bus = self._bus()
        for path, iface in self._extra:
            bus.unexport(path, iface)
        self._extra.clear()
        bus.unexport(self.path, self._device_iface)
        self._device_iface = None

    def _advertise(self) -> None:
        if self._device_iface is None:
            self._export_device()
        else:
            # a new advertisement shows as an RSSI change, which bleak treats as "seen again"
            self.rssi = self.base_rssi if self.rssi != self.base_rssi else self.base_rssi - 1
            self._device_iface.emit_properties_changed({"RSSI": self.rssi})

    def _set(self, **props: Any) -> None:
        for key, value in props.items():
            setattr(
                self,
                {"Connected": "connected", "ServicesResolved": "services_resolved"}[key],
                value,
            )
        if self._device_iface is not None:
            self._device_iface.emit_properties_changed(props)

    async def _connect(self) -> None:
        self.connect_calls += 1
        assert self._bluez is not None
        if not self._bluez.powered:
            raise DBusError("org.bluez.Error.NotReady", "Resource Not Ready")
        if self.connected:
            return
        if not self.in_range or self.connect_fails > 0:
            self.connect_fails = max(0, self.connect_fails - 1)
            await asyncio.sleep(0.05)
            raise DBusError("org.bluez.Error.Failed", "Software caused connection abort")
        self._connect_cancelled.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connect_cancelled.wait(), self.connect_delay_s + 0.01)
        if self._connect_cancelled.is_set():
            raise DBusError("org.bluez.Error.Failed", "Operation aborted")
        self._set(Connected=True)
        bus = self._bus()
        for path, iface in self._gatt_objects():
            bus.export(path, iface)
            self._exported.append((path, iface))
        for path, iface in self._device_extras():
            bus.export(path, iface)
            self._extra.append((path, iface))
        await asyncio.sleep(0.01)
        self.connections += 1
        self._set(ServicesResolved=True)

    def _teardown_link(self) -> None:
        if not self.connected:
            return
        self._link_lost()
        bus = self._bus()
        self._set(ServicesResolved=False)
        for path, iface in reversed(self._exported):
            bus.unexport(path, iface)
        self._exported.clear()
        for path, iface in self._extra:
            bus.unexport(path, iface)
        self._extra.clear()
        self._set(Connected=False)

    def _gatt_objects(self) -> list[tuple[str, ServiceInterface]]:
        svc = f"{self.path}/service0001"
        return [(svc, GattService1(DEVICE_INFO_SERVICE, self.path))]

    def _device_extras(self) -> list[tuple[str, ServiceInterface]]:
        return []

    def _link_lost(self) -> None:
        """Stop whatever runs while connected (the strap's notifications)."""

    def _notify_started(self, char: GattCharacteristic1) -> None:
        """A client subscribed to ``char``."""

    def _notify_stopped(self, char: GattCharacteristic1) -> None:
        """A client unsubscribed from ``char``."""

    def _written(self, char: GattCharacteristic1, value: bytes) -> None:
        """A client wrote ``value`` to ``char``."""


class FakeStrap(FakeDevice):
    """A heart-rate chest strap playing a fixed RR sequence through real 0x2A37 notifications.

    The strap's heart beats from the moment it is added, whether or not anyone listens: beat ``k``
    falls at ``sum(rr_ms[:k + 1]) / 1000 / speed`` seconds. Every ``packet_interval_s / speed``
    seconds while subscribed it notifies the beats since its last packet (several RR per packet
    when the interval is long; a packet with heart rate only when no beat fell in it). Beats while
    nobody is subscribed, or while the strap is silent, are never sent.

    Args:
        rr_ms: The RR sequence to play, in ms (sent as the nearest 1/1024 s tick).
        loop: Start the sequence again at its end (else the strap stops notifying RR).
        packet_interval_s: Strap seconds between notifications (real straps: about 1 s).
        speed: Strap seconds per wall-clock second (tests play fast).
        contact: What the contact bits say (Polar H10: not supported).
        battery_pct: Battery level; ``None`` for a strap without a Battery Service.
        battery_via: ``"bluez"`` (``org.bluez.Battery1``, as real BlueZ shows it) or ``"gatt"``.
        body_location: Body Sensor Location value (1 = chest), ``None`` for no 0x2A38.
        buffered_rr_ms: Stale RR values flushed in quick packets right after each subscription.
        buffered_per_packet: RR values per packet of that burst.
        rssi, connect_fails, connect_delay_s: As for :class:`FakeDevice`.
        pmd: Polar's Measurement Data service (ECG and chest motion), or ``None`` for a strap
            without it.
    """

    def __init__(
        self,
        name: str,
        address: str,
        rr_ms: Sequence[float],
        *,
        loop: bool = True,
        packet_interval_s: float = 1.0,
        speed: float = 1.0,
        contact: Contact = Contact.UNSUPPORTED,
        battery_pct: int | None = 87,
        battery_via: str = "bluez",
        body_location: int | None = 1,
        buffered_rr_ms: Sequence[float] = (),
        buffered_per_packet: int = 3,
        rssi: int = -60,
        connect_fails: int = 0,
        connect_delay_s: float = 0.0,
        pmd: FakePmd | None = None,
    ) -> None:
        super().__init__(
            name,
            address,
            uuids=(HR_SERVICE, BATTERY_SERVICE, DEVICE_INFO_SERVICE),
            rssi=rssi,
            manufacturer_data={0x006B: b"\x33\x1c\x00\x00"},
            connect_fails=connect_fails,
            connect_delay_s=connect_delay_s,
        )
        if not rr_ms:
            raise ValueError("a strap needs an RR sequence")
        self.rr_ticks = [ticks_from_rr_ms(x) for x in rr_ms]
        self.loop = loop
        self.packet_interval_s = packet_interval_s
        self.speed = speed
        self.contact = contact
        self.battery_pct = battery_pct
        self.battery_via = battery_via
        self.body_location = body_location
        self.buffered_ticks = [ticks_from_rr_ms(x) for x in buffered_rr_ms]
        self.buffered_per_packet = buffered_per_packet
        self.sent: list[SentPacket] = []
        self.silent = False
        self.subscriptions = 0
        self._t0: float | None = None
        self._next_beat = 0  # index (unbounded when looping) of the next beat not yet due
        self._next_beat_t = 0.0  # strap seconds of that beat
        self._task: asyncio.Task[None] | None = None
        self._hr_char: GattCharacteristic1 | None = None
        self.pmd = pmd

    # -- what tests call ------------------------------------------------------------------------
    def go_silent(self) -> None:
        """Stay connected but stop notifying, until the next subscription."""
        self.silent = True

    @property
    def exhausted(self) -> bool:
        """Whether a non-looping strap's heart has played its whole sequence."""
        return not self.loop and self._next_beat >= len(self.rr_ticks)

    def sent_rr_ticks(self, *, buffered: bool | None = None) -> list[int]:
        """Every RR value notified so far, in order (only the buffered or fresh ones if asked)."""
        return [
            t for p in self.sent if buffered is None or p.buffered == buffered for t in p.rr_ticks
        ]

    def sent_rr_ms(self, *, buffered: bool | None = None) -> list[float]:
        return [t * 1000 / 1024 for t in self.sent_rr_ticks(buffered=buffered)]

    # -- heart ----------------------------------------------------------------------------------
    def _power_on(self, now: float) -> None:
        self._t0 = now
        self._next_beat = 0
        self._next_beat_t = self.rr_ticks[0] / 1024
        if self.pmd is not None:
            loop = asyncio.get_running_loop()
            self.pmd.attach(
                strap_s=lambda: (loop.time() - now) * self.speed,
                loop_at=lambda strap_s: now + strap_s / self.speed,
                drop=self.drop_link,
            )

    def _due_beats(self, now: float) -> list[tuple[int, float]]:
        """RR ticks and loop time of every beat up to ``now`` not handed out before."""
        assert self._t0 is not None
        strap_t = (now - self._t0) * self.speed
        out = []
        n = len(self.rr_ticks)
        while self._next_beat_t <= strap_t:
            if not self.loop and self._next_beat >= n:
                break
            out.append(
                (self.rr_ticks[self._next_beat % n], self._t0 + self._next_beat_t / self.speed)
            )
            self._next_beat += 1
            if not self.loop and self._next_beat >= n:
                self._next_beat_t = float("inf")
            else:
                self._next_beat_t += self.rr_ticks[self._next_beat % n] / 1024
        return out

    # -- GATT -----------------------------------------------------------------------------------
    def _gatt_objects(self) -> list[tuple[str, ServiceInterface]]:
        p = self.path
        objs: list[tuple[str, ServiceInterface]] = []
        hr_svc = f"{p}/service000c"
        objs.append((hr_svc, GattService1(HR_SERVICE, p)))
        self._hr_char = GattCharacteristic1(self, HR_MEASUREMENT, hr_svc, ["notify"])
        objs.append((f"{hr_svc}/char000d", self._hr_char))
        objs.append((f"{hr_svc}/char000d/desc000f", GattDescriptor1(CCCD, f"{hr_svc}/char000d")))
        if self.body_location is not None:
            objs.append(
                (
                    f"{hr_svc}/char0010",
                    GattCharacteristic1(
                        self, BODY_LOCATION, hr_svc, ["read"], bytes([self.body_location])
                    ),
                )
            )
        if self.battery_pct is not None and self.battery_via == "gatt":
            bat_svc = f"{p}/service0014"
            objs.append((bat_svc, GattService1(BATTERY_SERVICE, p)))
            objs.append(
                (
                    f"{bat_svc}/char0015",
                    GattCharacteristic1(
                        self, BATTERY_LEVEL, bat_svc, ["read", "notify"], bytes([self.battery_pct])
                    ),
                )
            )
        dis = f"{p}/service0020"
        objs.append((dis, GattService1(DEVICE_INFO_SERVICE, p)))
        if self.pmd is not None:
            objs += self._pmd_objects()
        return objs

    def _pmd_objects(self) -> list[tuple[str, ServiceInterface]]:
        assert self.pmd is not None
        svc = f"{self.path}/service0030"
        control = GattCharacteristic1(
            self, PMD_CONTROL, svc, ["read", "write", "indicate"], self.pmd.features_value()
        )
        data = GattCharacteristic1(self, PMD_DATA, svc, ["notify"])
        self.pmd.control, self.pmd.data = control, data
        return [
            (svc, GattService1(PMD_SERVICE, self.path)),
            (f"{svc}/char0031", control),
            (f"{svc}/char0031/desc0033", GattDescriptor1(CCCD, f"{svc}/char0031")),
            (f"{svc}/char0034", data),
            (f"{svc}/char0034/desc0036", GattDescriptor1(CCCD, f"{svc}/char0034")),
        ]

    def _written(self, char: GattCharacteristic1, value: bytes) -> None:
        if self.pmd is not None and char is self.pmd.control:
            self.pmd.written(value)

    def _device_extras(self) -> list[tuple[str, ServiceInterface]]:
        if self.battery_pct is not None and self.battery_via == "bluez":
            return [(self.path, Battery1(self.battery_pct))]
        return []

    def _notify_started(self, char: GattCharacteristic1) -> None:
        if char is not self._hr_char:
            return
        self.subscriptions += 1
        self.silent = False
        self._stop_playback()
        self._task = asyncio.get_running_loop().create_task(self._play(char))

    def _notify_stopped(self, char: GattCharacteristic1) -> None:
        if char is self._hr_char:
            self._stop_playback()

    def _link_lost(self) -> None:
        self._stop_playback()
        if self.pmd is not None:
            self.pmd.stop_all()
            self.pmd.control = self.pmd.data = None

    def _stop_playback(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _send(
        self, rr_ticks: Sequence[int], *, buffered: bool, beat_t_loop_s: Sequence[float] = ()
    ) -> None:
        assert self._hr_char is not None
        last = rr_ticks[-1] if rr_ticks else self.rr_ticks[0]
        hr = max(1, min(255, round(60 * 1024 / max(last, 1))))
        payload = encode_hrm(hr, list(rr_ticks), contact=self.contact, rr_flag=bool(rr_ticks))
        self.sent.append(
            SentPacket(
                asyncio.get_running_loop().time(),
                payload,
                tuple(rr_ticks),
                buffered,
                tuple(beat_t_loop_s),
            )
        )
        self._hr_char.notify(payload)

    async def _play(self, char: GattCharacteristic1) -> None:
        loop = asyncio.get_running_loop()
        # bleak registers its callback before StartNotify returns; let the reply go out first
        await asyncio.sleep(0.005)
        for i in range(0, len(self.buffered_ticks), self.buffered_per_packet):
            self._send(self.buffered_ticks[i : i + self.buffered_per_packet], buffered=True)
            await asyncio.sleep(0.002)
        self._due_beats(loop.time())  # beats while nobody listened are gone
        period = self.packet_interval_s / self.speed
        next_t = loop.time() + period
        while char.notifying:
            await asyncio.sleep(max(0.0, next_t - loop.time()))
            next_t += period
            due = self._due_beats(loop.time())
            if self.silent:
                continue
            if not due:
                self._send((), buffered=False)
            for i in range(0, len(due), 9):
                chunk = due[i : i + 9]
                self._send(
                    [t for t, _ in chunk], buffered=False, beat_t_loop_s=[b for _, b in chunk]
                )


# -- the service --------------------------------------------------------------------------------


class FakeBluez:
    """The fake ``org.bluez`` service.

    Args:
        adapter: Export an adapter at all (``False``: Bluetooth absent).
        powered: Whether the adapter is powered.
        roles: Adapter roles (bleak needs ``"central"``).
        advertise_interval_s: How often devices in range show up while discovering.
    """

    def __init__(
        self,
        *,
        adapter: bool = True,
        powered: bool = True,
        roles: Sequence[str] = ("central", "peripheral"),
        advertise_interval_s: float = 0.05,
    ) -> None:
        self.bus: MessageBus | None = None
        self.powered = powered
        self.devices: list[FakeDevice] = []
        self.advertise_interval_s = advertise_interval_s
        self.discovery_starts = 0
        self._with_adapter = adapter
        self._roles = list(roles)
        self.adapter: Adapter1 | None = None
        self._advertiser: asyncio.Task[None] | None = None

    async def start(self, bus_address: str) -> FakeBluez:
        self.bus = await MessageBus(bus_address=bus_address, bus_type=BusType.SYSTEM).connect()
        await self.bus.request_name("org.bluez")
        if self._with_adapter:
            self.adapter = Adapter1(
                self, address="00:1A:7D:DA:71:13", powered=self.powered, roles=self._roles
            )
            self.bus.export(ADAPTER_PATH, self.adapter)
        return self

    async def close(self) -> None:
        if self._advertiser is not None:
            self._advertiser.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._advertiser
        for dev in self.devices:
            if isinstance(dev, FakeStrap):
                dev._stop_playback()
                if dev.pmd is not None:
                    dev.pmd.stop_all()
        if self.bus is not None:
            self.bus.disconnect()
            with contextlib.suppress(Exception):
                await self.bus.wait_for_disconnect()
            self.bus = None

    async def __aenter__(self) -> FakeBluez:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def add(self, device: FakeDevice) -> Any:
        device._bluez = self
        if isinstance(device, FakeStrap):
            device._power_on(asyncio.get_running_loop().time())
        self.devices.append(device)
        return device

    def _device_at(self, path: str) -> FakeDevice | None:
        return next((d for d in self.devices if d.path == path and d.announced), None)

    def _discovery_started(self) -> None:
        self.discovery_starts += 1
        if self._advertiser is None or self._advertiser.done():
            self._advertiser = asyncio.get_running_loop().create_task(self._advertise())

    def _discovery_stopped(self) -> None:
        if self._advertiser is not None:
            self._advertiser.cancel()
            self._advertiser = None

    def _matches_filter(self, dev: FakeDevice) -> bool:
        assert self.adapter is not None
        wanted = self.adapter.filter_uuids
        return not wanted or bool(set(wanted) & set(dev.uuids))

    async def _advertise(self) -> None:
        while True:
            await asyncio.sleep(self.advertise_interval_s)
            for dev in self.devices:
                if dev.in_range and not dev.connected and self._matches_filter(dev):
                    dev._advertise()
