"""The Bluetooth Heart Rate Measurement characteristic (0x2A37): bytes in, a frozen result out.

Layout (Bluetooth SIG Heart Rate Service 1.0, section 3.1):

=======  ==================================================================================
byte 0   flags: bit 0 HR is uint16 (else uint8); bits 1-2 sensor contact (bit 2 "supported",
         bit 1 "detected"); bit 3 energy expended present; bit 4 RR intervals present;
         bits 5-7 reserved
next     heart rate, uint8 or uint16 little-endian, beats per minute
next     energy expended, uint16 little-endian, kilojoules (only with bit 3)
rest     RR intervals, uint16 little-endian each, in units of 1/1024 s (only with bit 4)
=======  ==================================================================================

What this parser does with packets real straps send that the spec does not foresee (each is
reported in :attr:`HeartRateMeasurement.warnings`, never silently):

- a stray odd byte after the last complete RR value is ignored;
- reserved flag bits (5-7) are ignored, as the spec tells receivers to do;
- the contact-detected bit set while the contact-supported bit is clear is read as
  "contact not supported" (the spec's meaning of that combination).

A packet too short for what its flags announce (no heart rate, a truncated 16-bit heart rate or
energy field) is not a measurement: :func:`parse_hrm` raises :class:`HrmParseError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hrvcoach.beats import Contact
from hrvcoach.errors import HrvCoachError

HEART_RATE_SERVICE_UUID = "0000180d-0000-1000-8000-00805f9b34fb"
HEART_RATE_MEASUREMENT_UUID = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_SENSOR_LOCATION_UUID = "00002a38-0000-1000-8000-00805f9b34fb"
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"

FLAG_HR_UINT16 = 0x01
FLAG_CONTACT_DETECTED = 0x02
FLAG_CONTACT_SUPPORTED = 0x04
FLAG_ENERGY = 0x08
FLAG_RR = 0x10
FLAGS_RESERVED = 0xE0

RR_TICKS_PER_S = 1024  #: RR intervals count 1/1024 s ticks
MAX_RR_TICKS = 0xFFFF

#: Body Sensor Location (0x2A38) values, Heart Rate Service 1.0 section 3.2
BODY_LOCATIONS: dict[int, str] = {
    0: "other",
    1: "chest",
    2: "wrist",
    3: "finger",
    4: "hand",
    5: "ear lobe",
    6: "foot",
}


class HrmParseError(HrvCoachError):
    """A 0x2A37 notification cannot be decoded (too short for what its flags announce)."""

    exit_code = 4


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded 0x2A37 notification.

    Attributes:
        hr_bpm: Heart rate the sensor computed, beats per minute.
        contact: Skin contact as the flags report it.
        energy_kj: Energy expended in kilojoules, when the packet carries it.
        rr_ticks: RR intervals as sent, in 1/1024 s.
        rr_ms: The same intervals in milliseconds, exactly ``ticks * 1000 / 1024``.
        flags: The raw flags byte.
        warnings: What was unusual about the packet and how it was read (empty for clean packets).
    """

    hr_bpm: int
    contact: Contact
    energy_kj: int | None
    rr_ticks: tuple[int, ...]
    rr_ms: tuple[float, ...]
    flags: int
    warnings: tuple[str, ...] = ()


def rr_ms_from_ticks(ticks: int) -> float:
    """An RR interval in 1/1024 s ticks as milliseconds (exact in binary floating point)."""
    return ticks * 1000.0 / RR_TICKS_PER_S


def ticks_from_rr_ms(rr_ms: float) -> int:
    """The nearest 1/1024 s tick count for an RR interval in milliseconds (what a strap would send).

    Raises:
        ValueError: if the interval does not fit the field (negative or over 64 s).
    """
    ticks = round(rr_ms * RR_TICKS_PER_S / 1000.0)
    if not 0 <= ticks <= MAX_RR_TICKS:
        raise ValueError(f"RR {rr_ms} ms does not fit a 0x2A37 RR field")
    return ticks


def contact_from_flags(flags: int) -> Contact:
    """Contact status from flag bits 1-2: "not supported" is not "off the skin"."""
    if not flags & FLAG_CONTACT_SUPPORTED:
        return Contact.UNSUPPORTED
    return Contact.DETECTED if flags & FLAG_CONTACT_DETECTED else Contact.NOT_DETECTED


def parse_hrm(data: bytes | bytearray | memoryview) -> HeartRateMeasurement:
    """Decode one Heart Rate Measurement notification.

    Args:
        data: The characteristic value exactly as notified.

    Returns:
        The decoded measurement; see the module docstring for what counts as a warning.

    Raises:
        HrmParseError: if the packet is shorter than its flags require.
    """
    raw = bytes(data)
    if len(raw) < 2:
        raise HrmParseError(f"heart rate packet of {len(raw)} byte(s) is too short: {raw.hex(' ')}")
    flags = raw[0]
    warnings: list[str] = []
    pos = 1
    if flags & FLAG_HR_UINT16:
        if len(raw) < 3:
            raise HrmParseError(
                f"heart rate packet ends inside its 16-bit heart rate: {raw.hex(' ')}"
            )
        hr_bpm = int.from_bytes(raw[1:3], "little")
        pos = 3
    else:
        hr_bpm = raw[1]
        pos = 2
    energy_kj: int | None = None
    if flags & FLAG_ENERGY:
        if len(raw) < pos + 2:
            raise HrmParseError(f"heart rate packet ends inside its energy field: {raw.hex(' ')}")
        energy_kj = int.from_bytes(raw[pos : pos + 2], "little")
        pos += 2
    rr_ticks: tuple[int, ...] = ()
    if flags & FLAG_RR:
        rest = raw[pos:]
        whole = len(rest) - len(rest) % 2
        rr_ticks = tuple(int.from_bytes(rest[i : i + 2], "little") for i in range(0, whole, 2))
        if len(rest) % 2:
            warnings.append(f"ignored a stray trailing byte 0x{rest[-1]:02x} after the RR values")
    elif len(raw) > pos:
        warnings.append(f"ignored {len(raw) - pos} byte(s) after the heart rate (no RR flag)")
    if flags & FLAGS_RESERVED:
        warnings.append(f"ignored reserved flag bits 0x{flags & FLAGS_RESERVED:02x}")
    if flags & FLAG_CONTACT_DETECTED and not flags & FLAG_CONTACT_SUPPORTED:
        warnings.append("contact-detected bit without contact-supported: read as not supported")
    return HeartRateMeasurement(
        hr_bpm=hr_bpm,
        contact=contact_from_flags(flags),
        energy_kj=energy_kj,
        rr_ticks=rr_ticks,
        rr_ms=tuple(rr_ms_from_ticks(t) for t in rr_ticks),
        flags=flags,
        warnings=tuple(warnings),
    )


def encode_hrm(
    hr_bpm: int,
    rr_ticks: Sequence[int] = (),
    *,
    contact: Contact = Contact.UNSUPPORTED,
    energy_kj: int | None = None,
    hr_uint16: bool | None = None,
    rr_flag: bool | None = None,
) -> bytes:
    """Build a 0x2A37 packet as a strap would (the inverse of :func:`parse_hrm`).

    Args:
        hr_bpm: Heart rate; sent as uint16 when over 255 or when ``hr_uint16`` is true.
        rr_ticks: RR intervals in 1/1024 s.
        contact: Contact status to put in flag bits 1-2 (``UNKNOWN`` is sent as unsupported).
        energy_kj: Energy expended, sent when not ``None``.
        hr_uint16: Force (or forbid) the 16-bit heart-rate field; default: only when needed.
        rr_flag: Set the RR-present flag; default: when there are RR values.

    Raises:
        ValueError: if a value does not fit its field.
    """
    wide = hr_bpm > 0xFF if hr_uint16 is None else hr_uint16
    if not 0 <= hr_bpm <= (0xFFFF if wide else 0xFF):
        raise ValueError(f"heart rate {hr_bpm} does not fit its field")
    with_rr = bool(rr_ticks) if rr_flag is None else rr_flag
    flags = FLAG_HR_UINT16 if wide else 0
    if contact == Contact.DETECTED:
        flags |= FLAG_CONTACT_SUPPORTED | FLAG_CONTACT_DETECTED
    elif contact == Contact.NOT_DETECTED:
        flags |= FLAG_CONTACT_SUPPORTED
    if energy_kj is not None:
        flags |= FLAG_ENERGY
    if with_rr:
        flags |= FLAG_RR
    out = bytearray([flags])
    out += hr_bpm.to_bytes(2 if wide else 1, "little")
    if energy_kj is not None:
        if not 0 <= energy_kj <= 0xFFFF:
            raise ValueError(f"energy {energy_kj} kJ does not fit its field")
        out += energy_kj.to_bytes(2, "little")
    if rr_ticks and not with_rr:
        raise ValueError("RR values given but the RR flag is off")
    for ticks in rr_ticks:
        if not 0 <= ticks <= MAX_RR_TICKS:
            raise ValueError(f"RR {ticks} ticks does not fit its field")
        out += int(ticks).to_bytes(2, "little")
    return bytes(out)


def body_location_name(value: bytes | bytearray) -> str | None:
    """The Body Sensor Location (0x2A38) as a word, ``None`` for an empty value."""
    if not value:
        return None
    return BODY_LOCATIONS.get(value[0], f"unknown ({value[0]})")
