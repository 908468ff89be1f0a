"""Polar Measurement Data (PMD) control point: requests out, ``F0`` responses in, bytes both ways.

The PMD service (``FB005C80-02E7-F387-1CAD-8ACD2D8DF0C8``) has a control point (``...5C81...``:
read, write, indicate) and a data characteristic (``...5C82...``: notify). What is implemented,
after Polar's "Measurement Data Specification for 3rd Party" (see ``docs/pmd.md``):

=================  ================================================================================
read CP            ``0F`` then a bit mask of the measurement types the device streams: byte 1 bit 0
                   ECG, bit 1 PPG, bit 2 ACC, bit 3 PPI, bit 5 gyroscope, bit 6 magnetometer
request            ``op type [settings]``: op ``01`` get settings, ``02`` start, ``03`` stop
settings           repeated ``setting_type count value*count``; values little-endian, 2 bytes for
                   sample rate (0), resolution (1) and range (2), 4 for range in milli-units (3),
                   1 for channels (4), a float32 for the factor (5)
response           ``F0 op type status [more [parameters]]``; status 0 is success, else an error
                   code (:data:`ERRORS`); the parameters of a settings response are settings
=================  ================================================================================

Everything here is pure: bytes and numbers in, frozen values out. A response that cannot be read
raises :class:`PmdError` with one line that says why.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from hrvcoach.errors import HrvCoachError

PMD_SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

FEATURES_CODE = 0x0F  #: first byte of the control point's read value
RESPONSE_CODE = 0xF0  #: first byte of every control-point response indication
TYPE_MASK = 0x3F  #: measurement type bits of the type byte (the top bits say online/offline)


class PmdError(HrvCoachError):
    """A PMD response or frame cannot be used; ``str(err)`` is one line for the user."""

    exit_code = 4


class MeasurementType(enum.IntEnum):
    ECG = 0
    PPG = 1
    ACC = 2
    PPI = 3
    GYRO = 5
    MAGNETOMETER = 6


class Op(enum.IntEnum):
    GET_SETTINGS = 0x01
    START = 0x02
    STOP = 0x03


class Setting(enum.IntEnum):
    SAMPLE_RATE = 0
    RESOLUTION = 1
    RANGE = 2
    RANGE_MILLIUNIT = 3
    CHANNELS = 4
    FACTOR = 5


#: bytes per value of each setting type
SETTING_SIZE: dict[int, int] = {0: 2, 1: 2, 2: 2, 3: 4, 4: 1, 5: 4}

#: control-point status codes and what they mean, in words a user can act on
ERRORS: dict[int, str] = {
    0: "success",
    1: "invalid op code",
    2: "invalid measurement type",
    3: "not supported",
    4: "invalid length",
    5: "invalid parameter",
    6: "already in that state",
    7: "invalid resolution",
    8: "invalid sample rate",
    9: "invalid range",
    10: "invalid MTU: the Bluetooth link's packets are too small for this stream",
    11: "invalid number of channels",
    12: "invalid state",
    13: "the device is in its charger",
    14: "disk full",
}
ALREADY_IN_STATE = 6

_FEATURE_BITS: tuple[tuple[int, int, MeasurementType], ...] = (
    (1, 0x01, MeasurementType.ECG),
    (1, 0x02, MeasurementType.PPG),
    (1, 0x04, MeasurementType.ACC),
    (1, 0x08, MeasurementType.PPI),
    (1, 0x20, MeasurementType.GYRO),
    (1, 0x40, MeasurementType.MAGNETOMETER),
)


def type_name(measurement_type: int) -> str:
    try:
        return MeasurementType(measurement_type).name
    except ValueError:
        return f"type {measurement_type}"


def parse_features(data: bytes | bytearray) -> frozenset[MeasurementType]:
    """The measurement types a device offers, from the control point's read value."""
    data = bytes(data)
    if len(data) < 2 or data[0] != FEATURES_CODE:
        raise PmdError(f"unexpected PMD feature value {data.hex(' ') or '(empty)'}")
    return frozenset(t for i, bit, t in _FEATURE_BITS if i < len(data) and data[i] & bit)


def encode_features(types: set[MeasurementType] | frozenset[MeasurementType]) -> bytes:
    """The control point's read value for a device offering ``types`` (fakes and tests)."""
    out = bytearray([FEATURES_CODE, 0, 0])
    for i, bit, t in _FEATURE_BITS:
        if t in types:
            out[i] |= bit
    return bytes(out)


# -- settings -----------------------------------------------------------------------------------


def parse_settings(data: bytes | bytearray) -> dict[Setting, tuple[float, ...]]:
    """Settings as a device lists them (``type count value*count`` repeated).

    Raises:
        PmdError: An unknown setting type or a list cut short.
    """
    data = bytes(data)
    out: dict[Setting, tuple[float, ...]] = {}
    i = 0
    while i < len(data):
        if i + 2 > len(data):
            raise PmdError(f"PMD settings cut short at byte {i}")
        kind, count = data[i], data[i + 1]
        i += 2
        if kind not in SETTING_SIZE:
            raise PmdError(f"unknown PMD setting type {kind}")
        size = SETTING_SIZE[kind]
        if i + size * count > len(data):
            raise PmdError(f"PMD setting {Setting(kind).name} cut short")
        values: list[float] = []
        for _ in range(count):
            raw = data[i : i + size]
            if kind == Setting.FACTOR:
                values.append(struct.unpack("<f", raw)[0])
            else:
                values.append(int.from_bytes(raw, "little"))
            i += size
        out[Setting(kind)] = tuple(values)
    return out


def encode_settings(
    settings: Mapping[Setting, float] | Mapping[Setting, tuple[float, ...]],
) -> bytes:
    """Settings as bytes: one value each for a start request, or lists for a settings response."""
    out = bytearray()
    for kind, value in settings.items():
        values = value if isinstance(value, tuple) else (value,)
        out += bytes([int(kind), len(values)])
        for v in values:
            if kind == Setting.FACTOR:
                out += struct.pack("<f", float(v))
            else:
                out += int(v).to_bytes(SETTING_SIZE[int(kind)], "little")
    return bytes(out)


# -- requests and responses ---------------------------------------------------------------------


def get_settings_request(measurement_type: MeasurementType) -> bytes:
    return bytes([Op.GET_SETTINGS, measurement_type])


def start_request(measurement_type: MeasurementType, settings: Mapping[Setting, float]) -> bytes:
    """Start ``measurement_type`` with one value per setting (the factor is never sent)."""
    chosen: dict[Setting, float] = {k: v for k, v in settings.items() if k != Setting.FACTOR}
    return bytes([Op.START, measurement_type]) + encode_settings(chosen)


def stop_request(measurement_type: MeasurementType) -> bytes:
    return bytes([Op.STOP, measurement_type])


@dataclass(frozen=True)
class ControlResponse:
    """One ``F0`` indication from the control point.

    Attributes:
        op: The request it answers (:class:`Op` value).
        measurement_type: The measurement type it is about.
        status: 0 for success, else an error code (:data:`ERRORS`).
        more: The device will send more frames of this response.
        parameters: What follows (settings for a get-settings response; maybe a factor for start).
    """

    op: int
    measurement_type: int
    status: int
    more: bool = False
    parameters: bytes = b""
    settings: Mapping[Setting, tuple[float, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 0

    def error_text(self) -> str:
        """What went wrong, as words (``"invalid MTU: ..."``); ``"success"`` when nothing did."""
        return ERRORS.get(self.status, f"unknown error {self.status}")

    def describe(self) -> str:
        """One line naming the request, the stream and the outcome."""
        try:
            op = Op(self.op).name.lower().replace("_", " ")
        except ValueError:
            op = f"op {self.op}"
        return f"{op} {type_name(self.measurement_type)}: {self.error_text()} (code {self.status})"


def parse_response(data: bytes | bytearray) -> ControlResponse:
    """An ``F0`` control-point indication.

    Raises:
        PmdError: Not a response, too short, or settings that cannot be read.
    """
    data = bytes(data)
    if len(data) < 4 or data[0] != RESPONSE_CODE:
        raise PmdError(f"not a PMD control point response: {data.hex(' ') or '(empty)'}")
    op, mtype, status = data[1], data[2] & TYPE_MASK, data[3]
    more = len(data) > 4 and status == 0 and data[4] != 0
    params = data[5:] if status == 0 else b""
    settings: dict[Setting, tuple[float, ...]] = {}
    if status == 0 and params and op in (Op.GET_SETTINGS, Op.START):
        settings = parse_settings(params)
    return ControlResponse(op, mtype, status, more, params, settings)


def encode_response(
    op: int,
    measurement_type: int,
    status: int = 0,
    *,
    more: bool = False,
    parameters: bytes = b"",
) -> bytes:
    """An ``F0`` indication (fakes and tests)."""
    out = bytes([RESPONSE_CODE, op, measurement_type, status])
    if status == 0:
        out += bytes([1 if more else 0]) + parameters
    return out


def choose_settings(
    offered: Mapping[Setting, tuple[float, ...]],
    wanted: Mapping[Setting, float],
) -> dict[Setting, float]:
    """One value per setting the device offers: the wanted one when offered, else the nearest.

    Settings the device did not list are left out (a start request must only name offered ones).
    """
    out: dict[Setting, float] = {}
    for kind, values in offered.items():
        if kind == Setting.FACTOR or not values:
            continue
        want = wanted.get(kind)
        if want is None:
            out[kind] = max(values)
        else:
            out[kind] = min(values, key=lambda v: (abs(v - want), -v))
    return out
