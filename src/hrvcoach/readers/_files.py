"""Getting a recording's bytes safely, and the limits every reader shares.

Only regular files are opened (a FIFO or a device would block or never end), up to a documented
size and number of beats so no command runs unbounded, by a path of any length. RR values no
strap can send become gaps, with a warning. The limits are documented in ``docs/formats.md``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from hrvcoach.beats import Beat, BeatFlag, Event, Gap
from hrvcoach.errors import RecordingError
from hrvcoach.recording import Recording

#: the largest file read (a week-long recording in hrvcoach's format is about 30 MB)
MAX_FILE_BYTES = 64 * 1024 * 1024
#: the most beats read from one file: about five days of heartbeats (analysing that many takes
#: about half a minute and a few hundred MB; ten million would take ten minutes and gigabytes)
MAX_BEATS = 500_000
#: the longest RR a strap can send: 0x2A37 carries RR as a 16-bit count (65 535)
RR_STRAP_MAX_MS = 65535.0
#: why an impossible RR value became a gap
IMPOSSIBLE_RR = "an RR value no strap can send"

_NAME_MAX = 255


def _what(mode: int) -> str | None:
    """What a non-regular file is, in words (``None`` for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a recording"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a recording file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a recording file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a recording file"
    return "is not a regular file"


def _os_reason(err: OSError) -> str:
    if err.errno == errno.ENOENT:
        return "no such file"
    if err.errno == errno.ELOOP:
        return "is a symbolic link that loops (or a chain of too many links)"
    if err.errno == errno.ENAMETOOLONG:
        return f"a name in this path is longer than the system allows ({_NAME_MAX} bytes)"
    if err.errno == errno.ENOTDIR:
        return "no such file (a part of the path is not a folder)"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    return f"cannot read: {(err.strerror or str(err)).lower()}"


@contextlib.contextmanager
def _parent(path: Path) -> Iterator[tuple[int | None, str]]:
    """``(dir_fd, name)`` to reach ``path`` by; a path longer than the system's limit is walked
    one folder at a time (each name within the limit), so it still reads."""
    try:
        too_long = len(os.fsencode(path)) >= os.pathconf("/", "PC_PATH_MAX")
    except (OSError, ValueError):
        too_long = False
    if not too_long:
        yield None, str(path)
        return
    parts = list(path.parts)
    fd = os.open(parts[0] if path.is_absolute() else ".", os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[1 if path.is_absolute() else 0 : -1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        yield fd, parts[-1]
    finally:
        os.close(fd)


def stat_file(path: Path) -> os.stat_result:
    """``os.stat`` that also reaches paths longer than the system's limit."""
    with _parent(path) as (dir_fd, name):
        return os.stat(name, dir_fd=dir_fd)


def check_file(path: Path) -> os.stat_result:
    """The file's status, if it is a regular file hrvcoach may read; else a
    :class:`RecordingError` saying what it is. Nothing is opened."""
    try:
        info = stat_file(path)
    except OSError as err:
        raise RecordingError(path, _os_reason(err)) from None
    what = _what(info.st_mode)
    if what is not None:
        raise RecordingError(path, what)
    if info.st_size > MAX_FILE_BYTES:
        raise RecordingError(
            path,
            f"is {info.st_size / 1e6:.0f} MB; hrvcoach reads recordings up to "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB",
        )
    return info


def read_file(path: Path) -> bytes:
    """The bytes of a recording: a regular file of at most :data:`MAX_FILE_BYTES`.

    Raises:
        RecordingError: Missing, a folder, FIFO, device or socket, a symlink loop, unreadable or
            too large; the message says which.
    """
    check_file(path)
    try:
        with _parent(path) as (dir_fd, name):
            # O_NONBLOCK: should the file have become a FIFO since it was checked, the open does
            # not wait for a writer; fstat below then refuses it.
            flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as err:
        raise RecordingError(path, _os_reason(err)) from None
    try:
        what = _what(os.fstat(fd).st_mode)
        if what is not None:
            raise RecordingError(path, what)
        os.set_blocking(fd, True)
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise RecordingError(path, _os_reason(err)) from None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise RecordingError(
            path, f"grew past {MAX_FILE_BYTES // (1024 * 1024)} MB while being read"
        )
    return b"".join(chunks)


def check_beat_count(path: Path, data: bytes, *, binary: bool = False) -> None:
    """Refuse, before parsing, a file with far more values than :data:`MAX_BEATS`.

    In text, lines plus blanks bound the number of values from above without building any list;
    a ``.npy`` array holds at most one value per 8 bytes (float64, int64).
    """
    blanks = data.count(b"\n") + data.count(b" ") + data.count(b"\t")
    values = len(data) // 8 if binary else blanks
    if values > MAX_BEATS * 1.1:
        raise RecordingError(
            path,
            f"holds about {values:,} values; hrvcoach reads up to {MAX_BEATS:,} beats "
            "(about five days) from one file",
        )


def sane_beats(recording: Recording) -> Recording:
    """The recording with every beat whose RR no strap can send (over 65.535 s, not finite)
    turned into a gap, and a warning saying how many; the same object when there are none."""
    events: list[Event] = []
    bad = 0
    after_gap = False
    for event in recording.events:
        if isinstance(event, Beat):
            if not (math.isfinite(event.rr_ms) and 0 < event.rr_ms <= RR_STRAP_MAX_MS):
                bad += 1
                events.append(Gap(event.t_s, 0.0, IMPOSSIBLE_RR))
                after_gap = True
                continue
            if after_gap:
                event = dataclasses.replace(event, flags=event.flags | BeatFlag.AFTER_GAP)
                after_gap = False
        events.append(event)
    if not bad:
        return recording
    return dataclasses.replace(
        recording,
        events=tuple(events),
        warnings=(*recording.warnings, impossible_warning(recording.path, bad)),
    )


def impossible_warning(path: Path | None, count: int) -> str:
    name = path.name if path is not None else "recording"
    values = "value" if count == 1 else "values"
    return f"{name}: {count} RR {values} over 65.535 s (longer than a strap can send) taken as gaps"


def require_beats(recording: Recording, what: str) -> None:
    """A :class:`RecordingError` (exit 3) unless the recording has at least 2 beats."""
    if len(recording.beats) < 2:
        count = len(recording.beats)
        has = "no beats" if count == 0 else "only 1 beat"
        raise RecordingError(
            recording.path or "recording",
            f"has {has}, fewer than 2 usable beats: nothing to {what}",
        )
