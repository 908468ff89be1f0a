"""Polar Measurement Data (PMD): the H10's ECG and accelerometer streams, as pure functions.

- :mod:`.protocol`: the control point (features, settings, start/stop requests, ``F0`` responses);
- :mod:`.frames`: data frames (raw and delta-compressed) to samples;
- :mod:`.clock`: the strap's clock mapped to session time, and frames to timed sample blocks.

The BLE side (subscribing, writing requests, waiting for indications) is in
``hrvcoach.drivers.pmd``. See ``docs/pmd.md``.
"""

from hrvcoach.pmd.clock import StrapClock, StreamDecoder
from hrvcoach.pmd.frames import PmdFrame, decode_delta, encode_frame, parse_frame
from hrvcoach.pmd.protocol import (
    PMD_CONTROL_UUID,
    PMD_DATA_UUID,
    PMD_SERVICE_UUID,
    ControlResponse,
    MeasurementType,
    Op,
    PmdError,
    Setting,
    parse_features,
    parse_response,
)

__all__ = [
    "PMD_CONTROL_UUID",
    "PMD_DATA_UUID",
    "PMD_SERVICE_UUID",
    "ControlResponse",
    "MeasurementType",
    "Op",
    "PmdError",
    "PmdFrame",
    "Setting",
    "StrapClock",
    "StreamDecoder",
    "decode_delta",
    "encode_frame",
    "parse_features",
    "parse_frame",
    "parse_response",
]
