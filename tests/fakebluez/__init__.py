"""An emulated BlueZ for testing the BLE driver with the real bleak: a private ``dbus-daemon``
(:mod:`.daemon`) and a fake ``org.bluez`` service with scripted straps on it (:mod:`.bluez`)."""

from fakebluez.bluez import FakeBluez, FakeDevice, FakeStrap, SentPacket
from fakebluez.daemon import dbus_daemon_path, private_bus
from fakebluez.pmd import FakePmd

__all__ = [
    "FakeBluez",
    "FakeDevice",
    "FakePmd",
    "FakeStrap",
    "SentPacket",
    "dbus_daemon_path",
    "private_bus",
]
