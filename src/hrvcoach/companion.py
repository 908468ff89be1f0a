"""Companion files: a session's ECG and chest-motion samples, beside its beat recording.

One file per stream, named after the recording (``2026-11-22T07-30-05_practice.ecg.bin`` beside
``2026-11-22T07-30-05_practice.csv``) and listed in the recording's header (``"signals"``). Each
file is a text header line, a JSON line, then binary records appended one per block of samples as
they arrive, each with a single write straight to the file descriptor: a process killed mid-session
loses at most the block being written, and a record cut off that way is dropped, with a warning,
when the file is read. The layout (``docs/formats.md``)::

    hrvcoach samples v1\\n
    {"kind": "ecg", "channels": 1, "unit": "uV", "recording": "....csv"}\\n
    record*: "SB" flags:u8 channels:u8 width:u8 0:u8 n:u16 rate_hz:f32 t_first_s:f64 t_last_s:f64
             then n * channels values, int16 (width 2) or int32 (width 4), little-endian

Samples of a record are evenly spaced from ``t_first_s`` to ``t_last_s`` (as the drivers make
them); flag bit 0 marks a block that follows missing samples.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.errors import RecordingError
from hrvcoach.signals import CHANNELS, KINDS, SampleBlock

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

FIRST_LINE = b"hrvcoach samples v1\n"
RECORD = struct.Struct("<2sBBBBHfdd")
MAGIC = b"SB"
UNITS = {"ecg": "uV", "acc": "mG"}
META_KEY = "signals"  #: the recording header's key naming the companion files


def companion_path(recording_path: Path, kind: str) -> Path:
    """The companion file of ``kind`` for the recording at ``recording_path``."""
    return recording_path.with_name(f"{recording_path.stem}.{kind}.bin")


def encode_block(block: SampleBlock) -> bytes:
    """One record for ``block``."""
    flat = [v for sample in block.values for v in sample]
    width = 2 if all(-32768 <= v <= 32767 for v in flat) else 4
    head = RECORD.pack(
        MAGIC,
        1 if block.after_gap else 0,
        len(block.values[0]),
        width,
        0,
        len(block),
        block.rate_hz,
        block.times_s[0],
        block.times_s[-1],
    )
    return head + struct.pack(f"<{len(flat)}{'h' if width == 2 else 'i'}", *flat)


class CompanionWriter:
    """Appends the blocks of one stream to its companion file.

    The file is created exclusively (never overwritten) at the first block, so a session whose
    strap sent no samples of this kind leaves no file.
    """

    def __init__(self, path: Path, kind: str, *, recording_name: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"no companion file for {kind!r}")
        self.path = Path(path)
        self.kind = kind
        self.recording_name = recording_name
        self.samples = 0
        self._fd: int | None = None

    def write(self, block: SampleBlock) -> None:
        if block.kind != self.kind:
            raise ValueError(f"a {block.kind} block for the {self.kind} file")
        if self._fd is None:
            self._open()
        self._write(encode_block(block))
        self.samples += len(block)

    def _open(self) -> None:
        meta = {
            "kind": self.kind,
            "channels": CHANNELS[self.kind],
            "unit": UNITS[self.kind],
            "recording": self.recording_name,
        }
        try:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL
            self._fd = os.open(self.path, flags, 0o600)
        except FileExistsError:
            raise RecordingError(
                self.path, "already exists; a recording is never overwritten"
            ) from None
        except OSError as err:
            raise RecordingError(self.path, f"cannot create: {err.strerror}") from None
        with contextlib.suppress(OSError):
            os.fchmod(self._fd, 0o600)  # private like the recording, whatever the umask
        self._write(FIRST_LINE + json.dumps(meta).encode() + b"\n")

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as err:
            raise RecordingError(self.path, f"cannot write: {err.strerror}") from None

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            finally:
                self._fd = None


@dataclass(frozen=True)
class SignalTrack:
    """The samples of one companion file.

    Attributes:
        kind: ``ecg`` or ``acc``.
        t_s: Session time of each sample (float64, read-only).
        values: Samples, shape ``(n, channels)`` (int32, read-only).
        gap_starts: Indices of samples that follow missing ones.
        rate_hz: The nominal sample rate (of the first block).
        warnings: What was recovered from (a record cut off by a killed process).
        spans: Each recorded block as ``(start, stop, after_gap, rate_hz)`` sample indices.
    """

    kind: str
    t_s: np.ndarray
    values: np.ndarray
    gap_starts: tuple[int, ...] = ()
    rate_hz: float = 0.0
    warnings: tuple[str, ...] = ()
    spans: tuple[tuple[int, int, bool, float], ...] = ()

    def __len__(self) -> int:
        return len(self.t_s)

    def blocks(self) -> Iterator[SampleBlock]:
        """The samples again as blocks (as recorded, for replay)."""
        for start, stop, after_gap, rate in self.spans:
            times = tuple(float(t) for t in self.t_s[start:stop])
            values = tuple(tuple(int(v) for v in row) for row in self.values[start:stop])
            yield SampleBlock(self.kind, times, values, rate, after_gap)


def read_companion(path: Path) -> SignalTrack:
    """Read a companion file.

    Raises:
        RecordingError: The file is missing, unreadable or not a companion file (a record cut off
            at the end is not an error: it is dropped with a warning).
    """
    import numpy as np

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RecordingError(path, "companion file not found") from None
    except OSError as err:
        raise RecordingError(path, f"cannot read: {err.strerror}") from None
    if not data.startswith(FIRST_LINE):
        raise RecordingError(path, "not an hrvcoach samples file")
    end = data.find(b"\n", len(FIRST_LINE))
    try:
        meta = json.loads(data[len(FIRST_LINE) : end]) if end > 0 else {}
        kind = meta["kind"]
        channels = int(meta["channels"])
    except (ValueError, KeyError, TypeError):
        raise RecordingError(path, "the samples file's header cannot be read") from None
    pos = end + 1
    times: list[np.ndarray] = []
    values: list[np.ndarray] = []
    bounds: list[tuple[int, int, bool, float]] = []
    gap_starts: list[int] = []
    warnings: list[str] = []
    count = 0
    while pos < len(data):
        if pos + RECORD.size > len(data):
            warnings.append(f"{path.name}: dropped a block cut off while being written")
            break
        magic, flags, ch, width, _, n, rate, t0, t1 = RECORD.unpack_from(data, pos)
        size = n * ch * width
        if magic != MAGIC or ch != channels or width not in (2, 4) or n == 0:
            raise RecordingError(path, f"damaged block at byte {pos}")
        if pos + RECORD.size + size > len(data):
            warnings.append(f"{path.name}: dropped a block cut off while being written")
            break
        raw = np.frombuffer(
            data, dtype="<i2" if width == 2 else "<i4", count=n * ch, offset=pos + RECORD.size
        )
        values.append(raw.astype(np.int32).reshape(n, ch))
        times.append(np.linspace(t0, t1, n) if n > 1 else np.array([t1]))
        if flags & 1:
            gap_starts.append(count)
        bounds.append((count, count + n, bool(flags & 1), float(rate)))
        count += n
        pos += RECORD.size + size
    for w in warnings:
        log.warning("%s", w)
    t_all = np.concatenate(times) if times else np.zeros(0)
    v_all = np.concatenate(values) if values else np.zeros((0, channels), dtype=np.int32)
    t_all.flags.writeable = False
    v_all.flags.writeable = False
    rate_hz = bounds[0][3] if bounds else 0.0
    return SignalTrack(
        kind, t_all, v_all, tuple(gap_starts), rate_hz, tuple(warnings), tuple(bounds)
    )


def companions_of(recording_path: Path | None, extra: Mapping[str, object]) -> dict[str, Path]:
    """The companion files a recording's header names (those that exist), by kind."""
    if recording_path is None:
        return {}
    named = extra.get(META_KEY)
    if not isinstance(named, Mapping):
        return {}
    out: dict[str, Path] = {}
    for kind, name in named.items():
        if kind in KINDS and isinstance(name, str) and "/" not in name and "\\" not in name:
            path = recording_path.with_name(name)
            if path.is_file():
                out[kind] = path
    return out


def load_tracks(recording_path: Path | None, extra: Mapping[str, object]) -> dict[str, SignalTrack]:
    """Every companion track of a recording, by kind (empty for a recording without any)."""
    return {
        kind: read_companion(path) for kind, path in companions_of(recording_path, extra).items()
    }
