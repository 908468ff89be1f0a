"""Recording readers, chosen by content: :func:`read_recording` reads every format hrvcoach knows.

Formats (``RecordingMeta.format``; details and the recovery rules in ``docs/formats.md``):

- ``hrvcoach``: hrvcoach's own recordings (:mod:`hrvcoach.recording`).
- ``rr-list``: plain RR lists in ms or s, one per line or space-separated (Elite HRV, Kubios text,
  PhysioNet, Welltory), or ``time,rr`` rows without a header.
- ``hrvlogger``: HRV Logger's ``*_RRIntervals.csv``.
- ``polar-hrm``: Polar ``.hrm`` files recorded in R-R mode.
- ``garmin-fit``: Garmin ``.fit`` activities with ``hrv`` messages.
- ``polar-sensor-logger``: Polar Sensor Logger ``*_RR.txt`` and ``time_ns,rr_ms,hr_bpm`` CSV.
- ``numpy``: a ``.npy`` array of RR intervals (pyHRV's sample series).

Heavy libraries (fitdecode) are imported only when a file needs them.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

from hrvcoach.errors import RecordingError
from hrvcoach.readers._files import (
    MAX_BEATS,
    MAX_FILE_BYTES,
    check_beat_count,
    check_file,
    read_file,
    require_beats,
    sane_beats,
)
from hrvcoach.readers.rr_list import HEADER_WORDS as _HEADER_WORDS
from hrvcoach.recording import FORMATS, MAGIC, Recording

__all__ = [
    "FORMATS",
    "MAX_BEATS",
    "MAX_FILE_BYTES",
    "check_file",
    "read_file",
    "read_recording",
    "require_beats",
    "sniff_format",
]

#: format -> module in this package with ``read(path, data) -> Recording``
_MODULES = {
    "hrvcoach": "hrvcoach_csv",
    "rr-list": "rr_list",
    "hrvlogger": "hrvlogger",
    "polar-hrm": "polar_hrm",
    "garmin-fit": "garmin_fit",
    "polar-sensor-logger": "polar_sensor_logger",
    "numpy": "numpy_rr",
}


def _reader(fmt: str) -> Callable[[Path, bytes], Recording]:
    module = importlib.import_module(f"hrvcoach.readers.{_MODULES[fmt]}")
    reader: Callable[[Path, bytes], Recording] = module.read
    return reader


def _first_lines(data: bytes, n: int) -> list[str]:
    lines = []
    for raw in data[:4096].splitlines():
        line = raw.decode("utf-8", "replace").lstrip("\ufeff").strip()
        if line:
            lines.append(line)
            if len(lines) == n:
                break
    return lines


def _first_line(data: bytes) -> str:
    return next(iter(_first_lines(data, 1)), "")


def _starts_numeric(line: str) -> bool:
    return line[:1].isdigit() or (line[:1] in "+-." and line[1:2].isdigit())


def sniff_format(path: Path, data: bytes) -> str | None:
    """The format the content (and, for binary formats, the name) says, or ``None``."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "garmin-fit"
    if data.startswith(b"\x93NUMPY"):
        return "numpy"
    suffix = path.suffix.lower()
    if suffix == ".fit":
        return "garmin-fit"
    if suffix == ".npy":
        return "numpy"
    first = _first_line(data)
    lowered = first.lower().replace(" ", "")
    if first.startswith(MAGIC):
        return "hrvcoach"
    if first.startswith("[") and b"[HRData]" in data:
        return "polar-hrm"
    if suffix == ".hrm":
        return "polar-hrm"
    if lowered.startswith("phonetimestamp;") or lowered.startswith("time_ns,"):
        return "polar-sensor-logger"
    columns = [c.strip() for c in lowered.split(",")]
    if columns[0] in ("timestamp", "date") or columns[:2] == ["index", "timestamp"]:
        return "hrvlogger"  # also its _HR/_Features/_Event files: the reader says which file to use
    if _starts_numeric(first):
        return "rr-list"
    # a one-line header ("RR (ms)", "rr_ms") over a plain list
    lines = _first_lines(data, 2)
    if len(lines) == 2 and _starts_numeric(lines[1]) and _HEADER_WORDS.search(first):
        return "rr-list"
    return None


def read_recording(path: str | os.PathLike[str], fmt: str | None = None) -> Recording:
    """Read a recording in any supported format.

    Args:
        path: The file.
        fmt: Force one format (one of :data:`~hrvcoach.recording.FORMATS`) instead of sniffing it.

    Returns:
        The recording, with ``warnings`` for anything that was recovered from (also logged).

    Raises:
        RecordingError: The file is missing, not a regular file, too large, empty, binary, of no
            known format, or broken; the message names the file and, where it can, the line.
    """
    file = Path(path)
    data = read_file(file)
    if fmt is None:
        if not data.strip():
            raise RecordingError(file, "the file is empty")
        fmt = sniff_format(file, data)
        if fmt is None:
            first = _first_line(data)
            if "\x00" in first or not first.isprintable():
                raise RecordingError(
                    file, "this is a binary file, not a recording hrvcoach can read"
                )
            shown = first if len(first) <= 60 else first[:57] + "..."
            raise RecordingError(
                file, f"not a recording format hrvcoach knows (first line {shown!r})", line=1
            )
    elif fmt not in _MODULES:
        raise RecordingError(file, f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt != "garmin-fit":  # FIT packs values densely; counted after decoding instead
        check_beat_count(file, data, binary=fmt == "numpy")
    recording = sane_beats(_reader(fmt)(file, data))
    if len(recording.beats) > MAX_BEATS:
        raise RecordingError(
            file, f"holds {len(recording.beats):,} beats; hrvcoach reads up to {MAX_BEATS:,}"
        )
    return recording
