"""PMD data frames (notifications of ``...5C82...``): bytes in, samples out.

Layout::

    byte 0      measurement type (low 6 bits; 0 ECG, 2 ACC)
    bytes 1-8   uint64 little-endian: time of the LAST sample in the frame, in nanoseconds since
                2000-01-01T00:00:00 on the strap's own clock
    byte 9      frame type: low 7 bits the type, bit 7 set for a delta-compressed frame
    bytes 10-   samples

Raw frame types read here:

- ECG type 0: int24 little-endian per sample, microvolts (what the Polar H10 sends at 130 Hz);
- ACC type 0, 1, 2: x, y, z as int8, int16 or int24 little-endian, milli-G (H10: type 1).

A delta-compressed frame starts with one reference sample (each channel little-endian in whole
bytes of the resolution), then blocks of ``bit_width count`` and ``count * channels`` deltas of
``bit_width`` bits each, packed from the least significant bit of each byte onwards, two's
complement; each sample is the previous one plus its deltas. Compressed ACC (type 0 in G scaled by
the stream's factor, type 1 in milli-G) is decoded; anything else, or a frame whose length does
not add up, raises :class:`~hrvcoach.pmd.protocol.PmdError` with one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hrvcoach.pmd.protocol import MeasurementType, PmdError, type_name

HEADER_BYTES = 10
COMPRESSED = 0x80
#: nanoseconds from 1970-01-01 (Unix) to 2000-01-01, the epoch of PMD timestamps
EPOCH_2000_UNIX_NS = 946_684_800 * 1_000_000_000


@dataclass(frozen=True)
class PmdFrame:
    """One decoded data frame.

    Attributes:
        measurement_type: 0 ECG, 2 ACC (other types are refused).
        timestamp_ns: Strap time of the last sample, ns since 2000-01-01.
        frame_type: The frame type (low 7 bits of byte 9).
        compressed: Whether it was delta-compressed.
        samples: One tuple per sample: ``(uV,)`` for ECG, ``(x, y, z)`` in milli-G for ACC.
    """

    measurement_type: int
    timestamp_ns: int
    frame_type: int
    compressed: bool
    samples: tuple[tuple[int, ...], ...]

    @property
    def channels(self) -> int:
        return 1 if self.measurement_type == MeasurementType.ECG else 3


def _signed(raw: bytes) -> int:
    return int.from_bytes(raw, "little", signed=True)


def _raw_samples(content: bytes, channels: int, width: int, what: str) -> list[tuple[int, ...]]:
    step = channels * width
    if len(content) % step:
        raise PmdError(
            f"{what} frame of {len(content)} sample bytes is not whole samples of {step} bytes"
        )
    return [
        tuple(_signed(content[i + c * width : i + (c + 1) * width]) for c in range(channels))
        for i in range(0, len(content), step)
    ]


def decode_delta(content: bytes, channels: int, resolution_bits: int) -> list[tuple[int, ...]]:
    """Samples of a delta-compressed frame body (see the module docstring).

    Raises:
        PmdError: The body is shorter than its reference sample or a block it announces.
    """
    ref_width = (resolution_bits + 7) // 8
    i = channels * ref_width
    if len(content) < i:
        raise PmdError("compressed frame shorter than its reference sample")
    last = [_signed(content[c * ref_width : (c + 1) * ref_width]) for c in range(channels)]
    out = [tuple(last)]
    while i < len(content):
        if i + 2 > len(content):
            raise PmdError("compressed frame ends inside a block header")
        bits, count = content[i], content[i + 1]
        i += 2
        nbytes = (bits * count * channels + 7) // 8
        if i + nbytes > len(content):
            raise PmdError(f"compressed frame block of {count} samples is cut short")
        if bits == 0:
            # no bits per delta: the samples repeat (a degenerate block, still well formed)
            out.extend(tuple(last) for _ in range(count))
            i += nbytes
            continue
        packed = int.from_bytes(content[i : i + nbytes], "little")
        sign = 1 << (bits - 1)
        mask = (1 << bits) - 1
        pos = 0
        for _ in range(count):
            for c in range(channels):
                d = (packed >> pos) & mask
                pos += bits
                last[c] += d - (1 << bits) if d & sign else d
            out.append(tuple(last))
        i += nbytes
    return out


def encode_delta(
    samples: Sequence[Sequence[int]], resolution_bits: int, *, block: int = 30
) -> bytes:
    """A delta-compressed frame body for ``samples`` (fakes and tests); blocks of ``block``."""
    if not samples:
        raise ValueError("a compressed frame needs a reference sample")
    channels = len(samples[0])
    ref_width = (resolution_bits + 7) // 8
    out = bytearray()
    for v in samples[0]:
        out += int(v).to_bytes(ref_width, "little", signed=True)
    prev = list(samples[0])
    rest = list(samples[1:])
    for start in range(0, len(rest), block):
        chunk = rest[start : start + block]
        deltas: list[int] = []
        for s in chunk:
            deltas += [int(s[c]) - prev[c] for c in range(channels)]
            prev = list(s)
        bits = max(max(abs(d) for d in deltas).bit_length() + 1, 1)
        packed = 0
        for k, d in enumerate(deltas):
            packed |= (d & ((1 << bits) - 1)) << (k * bits)
        nbytes = (bits * len(deltas) + 7) // 8
        out += bytes([bits, len(chunk)]) + packed.to_bytes(nbytes, "little")
    return bytes(out)


def parse_frame(data: bytes | bytearray, *, factor: float = 1.0) -> PmdFrame:
    """Decode one data notification.

    Args:
        data: The notification's bytes.
        factor: The stream's factor (from its start response), for compressed ACC type 0.

    Raises:
        PmdError: Too short, a type or frame type not read here, or a body that does not add up.
    """
    data = bytes(data)
    if len(data) < HEADER_BYTES:
        raise PmdError(f"PMD frame of {len(data)} bytes is shorter than its 10-byte header")
    mtype = data[0] & 0x3F
    timestamp_ns = int.from_bytes(data[1:9], "little")
    frame_type = data[9] & 0x7F
    compressed = bool(data[9] & COMPRESSED)
    content = data[HEADER_BYTES:]
    what = f"{type_name(mtype)} {'compressed ' if compressed else ''}type {frame_type}"
    samples: list[tuple[int, ...]]
    if mtype == MeasurementType.ECG:
        if compressed or frame_type != 0:
            raise PmdError(f"{what} frames are not read here (the Polar H10 sends raw type 0)")
        samples = _raw_samples(content, 1, 3, what)
    elif mtype == MeasurementType.ACC:
        if not compressed and frame_type in (0, 1, 2):
            samples = _raw_samples(content, 3, frame_type + 1, what)
        elif compressed and frame_type == 1:
            samples = decode_delta(content, 3, 16)
            if factor != 1.0:
                samples = [tuple(int(v * factor) for v in s) for s in samples]
        elif compressed and frame_type == 0:
            # values in G scaled by the factor: to milli-G
            samples = [
                tuple(int(v * factor * 1000) for v in s) for s in decode_delta(content, 3, 16)
            ]
        else:
            raise PmdError(f"{what} frames are not read here")
    else:
        raise PmdError(f"{what} frames are not read here (only ECG and ACC are)")
    if not samples:
        raise PmdError(f"{what} frame holds no samples")
    return PmdFrame(mtype, timestamp_ns, frame_type, compressed, tuple(samples))


def encode_frame(
    measurement_type: int,
    timestamp_ns: int,
    samples: Sequence[Sequence[int]],
    *,
    frame_type: int | None = None,
    compressed: bool = False,
    resolution_bits: int = 16,
) -> bytes:
    """A data notification (fakes and tests): raw ECG type 0, raw ACC type 1 by default."""
    if frame_type is None:
        frame_type = 0 if measurement_type == MeasurementType.ECG else 1
    head = (
        bytes([measurement_type])
        + int(timestamp_ns).to_bytes(8, "little")
        + bytes([frame_type | (COMPRESSED if compressed else 0)])
    )
    if compressed:
        return head + encode_delta(samples, resolution_bits)
    width = 3 if measurement_type == MeasurementType.ECG else frame_type + 1
    body = bytearray()
    for s in samples:
        for v in s:
            body += int(v).to_bytes(width, "little", signed=True)
    return head + bytes(body)
