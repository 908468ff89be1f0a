"""Finding a heart-rate strap over Bluetooth LE, and Bluetooth failures in one sentence.

:func:`scan` lists the straps in range (and those already connected to this computer);
:func:`find_strap` finds the one a ``--device`` names (exact address, exact name or a unique name
prefix). :func:`bluetooth_errors` turns a Bluetooth stack failure a user can fix (adapter absent or
off, BlueZ not running, no permission) into a :class:`~hrvcoach.errors.DeviceError` with one
sentence that says what to do. Used by :mod:`hrvcoach.drivers.ble_hr`; see ``docs/ble.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bleak import BleakAdapter, BleakScanner
from bleak.args.bluez import BlueZClientArgs, BlueZScannerArgs
from bleak.backends.device import BLEDevice
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakError,
)

from hrvcoach.errors import DeviceError, HrvCoachError
from hrvcoach.hrm import HEART_RATE_SERVICE_UUID

log = logging.getLogger(__name__)

_ADDRESS = re.compile(
    r"(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}"
)
HOW_TO_PICK = "run `hrvcoach scan` to list the straps in range, then pass `--device NAME`"


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """A strap seen advertising the Heart Rate Service.

    Attributes:
        name: Advertised name (``None`` when it advertises none).
        address: BLE address (a UUID on macOS).
        rssi: Signal strength in dBm, where known.
        connected: Already connected to this computer (so not advertising: no signal strength),
            for instance by another program or by a session that ended without disconnecting.
    """

    name: str | None
    address: str
    rssi: int | None
    connected: bool = False

    def label(self) -> str:
        return f"{self.name or '(no name)'} [{self.address}]"


# -- errors -------------------------------------------------------------------------------------

_DBUS_NO_BLUEZ = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.UnknownObject",
}
_DBUS_DENIED = {
    "org.freedesktop.DBus.Error.AccessDenied",
    "org.freedesktop.DBus.Error.AuthFailed",
    "org.bluez.Error.NotAuthorized",
    "org.bluez.Error.NotPermitted",
}


def bluetooth_error_message(err: BaseException) -> str | None:
    """One sentence for a Bluetooth failure a user can fix, or ``None`` if it is not one."""
    if isinstance(err, BleakBluetoothNotAvailableError):
        reason = err.reason
        if reason == BleakBluetoothNotAvailableReason.NO_BLUETOOTH:
            return "no Bluetooth adapter found: plug one in or enable Bluetooth on this computer"
        if reason == BleakBluetoothNotAvailableReason.POWERED_OFF:
            return "Bluetooth is off: turn it on (e.g. `bluetoothctl power on`) and try again"
        if reason in (
            BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM,
            BleakBluetoothNotAvailableReason.DENIED_BY_USER,
        ):
            return (
                "permission to use Bluetooth was denied: allow this program to use Bluetooth "
                "(on Linux, add your user to the 'bluetooth' group)"
            )
        if reason == BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE:
            return "the Bluetooth adapter cannot connect to BLE devices (no central role)"
        return f"Bluetooth is not available: {err}"
    if isinstance(err, BleakDBusError):
        if err.dbus_error in _DBUS_NO_BLUEZ:
            return (
                "the Bluetooth service (BlueZ) is not running: start it "
                "(`sudo systemctl start bluetooth`) and try again"
            )
        if err.dbus_error in _DBUS_DENIED:
            return (
                "permission to use Bluetooth was denied by the system: add your user to the "
                "'bluetooth' group or run where BlueZ allows it"
            )
        if err.dbus_error == "org.bluez.Error.NotReady":
            return "Bluetooth is off: turn it on (e.g. `bluetoothctl power on`) and try again"
        return None
    if isinstance(err, PermissionError):
        return (
            "permission denied talking to Bluetooth: add your user to the 'bluetooth' group "
            "or run where BlueZ allows it"
        )
    if isinstance(err, FileNotFoundError | ConnectionRefusedError):
        return (
            "cannot reach the system D-Bus, so no Bluetooth service is available here: "
            "install and start BlueZ (`sudo systemctl start bluetooth`)"
        )
    return None


@contextlib.contextmanager
def bluetooth_errors(doing: str) -> Iterator[None]:
    """Turn a Bluetooth stack failure into a one-line :class:`DeviceError` (``doing``: for what)."""
    try:
        yield
    except HrvCoachError:
        raise
    except TimeoutError as err:
        # before OSError, of which TimeoutError is a subclass (and whose text is empty)
        raise DeviceError(f"Bluetooth timed out while {doing}") from err
    except (BleakError, OSError) as err:
        message = bluetooth_error_message(err)
        if message is None:
            message = f"Bluetooth failed while {doing}: {err}"
        raise DeviceError(message) from err


def _failure_text(err: BaseException) -> str:
    """A short reason for a failed connection attempt (logged and shown as a status detail)."""
    if isinstance(err, TimeoutError):
        return "timed out"
    return bluetooth_error_message(err) or str(err) or type(err).__name__


# -- scanning -----------------------------------------------------------------------------------


async def scan(timeout_s: float = 5.0, *, adapter: str | None = None) -> list[FoundDevice]:
    """Devices advertising the Heart Rate Service, strongest signal first, then those connected.

    A strap already connected to this computer does not advertise, yet ``practice`` can use it, so
    it is listed too (``connected``, no signal strength).

    Args:
        timeout_s: How long to listen for advertisements.
        adapter: Adapter name (``hci1``) on Linux; default: the first powered one.

    Raises:
        DeviceError: Bluetooth is absent, off, denied or not running.
    """
    with bluetooth_errors("scanning"):
        found = await BleakScanner.discover(
            timeout_s,
            return_adv=True,
            service_uuids=[HEART_RATE_SERVICE_UUID],
            bluez=_scanner_bluez(adapter),
        )
        connected = await _connected_straps(adapter)
    devices = [
        FoundDevice(adv.local_name or dev.name, dev.address, adv.rssi)
        for dev, adv in found.values()
        if HEART_RATE_SERVICE_UUID in [u.lower() for u in adv.service_uuids]
    ]
    devices.sort(key=lambda d: -(d.rssi if d.rssi is not None else -999))
    listed = {d.address for d in devices}
    devices += [
        FoundDevice(dev.name, dev.address, None, connected=True)
        for dev in connected
        if dev.address not in listed
    ]
    return devices


def _scanner_bluez(adapter: str | None) -> BlueZScannerArgs:
    return {"adapter": adapter} if adapter else {}


def _bluez(adapter: str | None) -> BlueZClientArgs:
    """BlueZ-specific arguments (the same ``adapter`` key for the scanner, client and adapter)."""
    return {"adapter": adapter} if adapter else {}


def is_address(target: str) -> bool:
    """Whether ``target`` is a BLE address (or a macOS device UUID) rather than a name."""
    return _ADDRESS.fullmatch(target) is not None


async def find_strap(
    target: str,
    *,
    timeout_s: float,
    prefix_wait_s: float = 1.0,
    adapter: str | None = None,
) -> BLEDevice:
    """Find the strap ``target`` names: among straps already connected to the system, then by scan.

    An address must match exactly (any case); a name matches exactly (any case) or as a unique
    prefix. After the first name match the scan goes on for ``prefix_wait_s`` to catch a second
    strap that would make the name ambiguous. A strap still connected at the system level (BlueZ
    keeps the link when a program dies) does not advertise, so it is looked for first.

    Raises:
        DeviceError: nothing matches within ``timeout_s``, or the name matches several straps.
    """
    want = target.strip()
    by_address = is_address(want)
    seen: dict[str, tuple[BLEDevice, str]] = {}  # address -> (device, name)
    found = asyncio.Event()

    def consider(dev: BLEDevice, name: str) -> None:
        if by_address:
            matched = dev.address.upper() == want.upper().replace("-", ":")
        else:
            matched = name.lower().startswith(want.lower())
        if matched:
            seen[dev.address] = (dev, name)
            found.set()

    with bluetooth_errors("looking for connected straps"):
        for dev in await _connected_straps(adapter):
            consider(dev, dev.name or "")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    if not (found.is_set() and by_address):
        with bluetooth_errors("scanning"):
            scanner = BleakScanner(
                lambda dev, adv: consider(dev, adv.local_name or dev.name or ""),
                # an address is unambiguous; a name is only looked for among heart-rate devices
                service_uuids=None if by_address else [HEART_RATE_SERVICE_UUID],
                bluez=_scanner_bluez(adapter),
            )
            async with scanner:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(found.wait(), timeout_s)
                if found.is_set() and not by_address:
                    await asyncio.sleep(max(0.0, min(prefix_wait_s, deadline - loop.time())))
    if not seen:
        what = "with address" if by_address else "named"
        raise DeviceError(
            f"no heart-rate strap {what} {want!r} found in {timeout_s:g} s: wear it (straps "
            f"sleep when dry), close other apps using it, or {HOW_TO_PICK}"
        )
    if by_address:
        return next(iter(seen.values()))[0]
    exact = [a for a, (_, name) in seen.items() if name.lower() == want.lower()]
    matches = exact or list(seen)
    if len(matches) > 1:
        listing = ", ".join(f"{seen[a][1]} [{a}]" for a in sorted(matches))
        raise DeviceError(
            f"{want!r} matches {len(matches)} straps ({listing}): "
            "pass a longer name or the address with --device"
        )
    return seen[matches[0]][0]


async def _connected_straps(adapter: str | None) -> list[BLEDevice]:
    """Heart-rate devices already connected at the system level (empty where unsupported)."""
    try:
        system_adapter = await BleakAdapter.get(bluez=_bluez(adapter))
        return await system_adapter.get_connected_devices([HEART_RATE_SERVICE_UUID])
    except NotImplementedError:
        return []
