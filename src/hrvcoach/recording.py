"""Recordings: what a session (or an imported file) holds, and hrvcoach's own file format.

A :class:`Recording` is the events of one session with what is known about where they came from
(:class:`RecordingMeta`). Readers for every supported format live in :mod:`hrvcoach.readers`.

hrvcoach writes its own recordings with :class:`RecordingWriter`: a CSV file that a spreadsheet can
open, written one line per event and flushed at once, so a process killed mid-session loses at most
the event it was writing. The layout (documented in ``docs/formats.md``)::

    # hrvcoach recording v1
    # meta: {"device": "Polar H10 1A2B3C4D", "start_time": "2026-11-22T07:30:05+01:00", ...}
    t_s,kind,rr_ms,hr_bpm,contact,flags,duration_s,label,text
    0.000,mark,,,,,,pace,6.0 4:6
    0.000,status,,,,,,connected,"{""name"": ""Polar H10 1A2B3C4D""}"
    0.967,beat,966.796875,62,detected,,,,
    1.930,beat,962.890625,62,detected,,,,
    31.200,gap,,,,,4.500,,signal lost
    35.812,beat,1001.953125,60,detected,after_gap,,,
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from hrvcoach import __version__
from hrvcoach.beats import (
    Beat,
    BeatFlag,
    Contact,
    DeviceStatus,
    Event,
    Gap,
    Mark,
    SourceInfo,
)
from hrvcoach.errors import RecordingError, RecordingExistsError

if TYPE_CHECKING:
    import numpy as np

    from hrvcoach.signals import SampleBlock

log = logging.getLogger(__name__)

#: recording formats :func:`hrvcoach.readers.read_recording` knows (``RecordingMeta.format``)
FORMATS = (
    "hrvcoach",
    "rr-list",
    "hrvlogger",
    "polar-hrm",
    "garmin-fit",
    "polar-sensor-logger",
    "numpy",
)

FORMAT_VERSION = 1
MAGIC = "# hrvcoach recording"
FIRST_LINE = f"{MAGIC} v{FORMAT_VERSION}"
META_PREFIX = "# meta: "
COLUMNS = ("t_s", "kind", "rr_ms", "hr_bpm", "contact", "flags", "duration_s", "label", "text")

#: ``contact`` column words; ``Contact.UNKNOWN`` is written as an empty cell
CONTACT_WORDS: dict[Contact, str] = {
    Contact.UNSUPPORTED: "unsupported",
    Contact.NOT_DETECTED: "not-detected",
    Contact.DETECTED: "detected",
}
#: ``flags`` column words, joined with ``+`` when a beat has several
FLAG_WORDS: dict[BeatFlag, str] = {
    BeatFlag.BUFFERED: "buffered",
    BeatFlag.IMPLAUSIBLE: "implausible",
    BeatFlag.NO_CONTACT: "no_contact",
    BeatFlag.AFTER_GAP: "after_gap",
    BeatFlag.SIMULATED_ECTOPIC: "simulated_ectopic",
    BeatFlag.SIMULATED_MISSED: "simulated_missed",
}


@dataclass(frozen=True)
class RecordingMeta:
    """What is known about a recording besides its events.

    Attributes:
        format: The file format it was read from (one of :data:`FORMATS`).
        device: The sensor or app that measured the beats, where the file says.
        start_time: Wall-clock time of session time 0, timezone-aware (times a file gives without a
            zone are taken as this computer's local time).
        start_time_source: Where ``start_time`` came from: ``"file"`` (the content), ``"filename"``
            (e.g. Elite HRV's ``2026-11-22 07-30-05.txt``) or ``"mtime"`` (the file's modification
            time, a guess).
        simulated: True when no real heart produced the beats (simulator sessions).
        pace: The breathing plan at the start of the recording: ``(t_s, BreathPattern.label())``.
        extra: Anything else the file says (app version, simulator parameters, sensor address...).
    """

    format: str
    device: str | None = None
    start_time: datetime | None = None
    start_time_source: str | None = None
    simulated: bool = False
    pace: tuple[tuple[float, str], ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Recording:
    """The events of one session, in time order, and where they came from.

    Attributes:
        path: The file it was read from (``None`` when built in memory).
        meta: Format, device, start time and the rest.
        events: Beats, gaps, marks and device status changes, in time order.
        warnings: What a reader recovered from (one line each; also logged), e.g. a partial last
            line of a recording that was cut off.
    """

    path: Path | None
    meta: RecordingMeta
    events: tuple[Event, ...]
    warnings: tuple[str, ...] = ()

    @cached_property
    def beats(self) -> tuple[Beat, ...]:
        """The beats alone."""
        return tuple(e for e in self.events if isinstance(e, Beat))

    @cached_property
    def gaps(self) -> tuple[Gap, ...]:
        """Times the signal was lost."""
        return tuple(e for e in self.events if isinstance(e, Gap))

    @cached_property
    def marks(self) -> tuple[Mark, ...]:
        """Pace changes, notes, assessment steps..."""
        return tuple(e for e in self.events if isinstance(e, Mark))

    @cached_property
    def rr_ms(self) -> np.ndarray:
        """RR intervals of the beats in ms (float64, read-only)."""
        import numpy as np  # here, so that --help never loads numpy

        arr = np.fromiter((b.rr_ms for b in self.beats), dtype=np.float64, count=len(self.beats))
        arr.flags.writeable = False
        return arr

    @cached_property
    def t_s(self) -> np.ndarray:
        """Times of the beats in seconds since the start (float64, read-only)."""
        import numpy as np

        arr = np.fromiter((b.t_s for b in self.beats), dtype=np.float64, count=len(self.beats))
        arr.flags.writeable = False
        return arr

    @property
    def duration_s(self) -> float:
        """Session time covered: up to the last beat, or the end of a trailing gap."""
        end = 0.0
        for event in reversed(self.events):
            if isinstance(event, Gap):
                end = max(end, event.t_s + event.duration_s)
            elif isinstance(event, Beat):
                return max(end, event.t_s)
        return end


# -- writing -------------------------------------------------------------------------------------


def format_number(value: float | None) -> str:
    """A number as the shortest text that reads back exactly (``1000``, ``966.796875``)."""
    if value is None:
        return ""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_flags(flags: BeatFlag) -> str:
    return "+".join(word for flag, word in FLAG_WORDS.items() if flags & flag)


def _status_json(event: DeviceStatus) -> str:
    detail: dict[str, object] = {}
    for key in ("name", "address", "battery_pct", "body_location"):
        value = getattr(event, key)
        if value is not None:
            detail[key] = value
    if event.detail:
        detail["detail"] = event.detail
    return json.dumps(detail, ensure_ascii=False) if detail else ""


def _one_line(text: str) -> str:
    # One event per physical line is what makes a cut-off line detectable and droppable.
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def event_row(event: Event) -> list[str]:
    """The CSV cells of one event (see :data:`COLUMNS`)."""
    t = f"{event.t_s:.3f}"
    if isinstance(event, Beat):
        contact = CONTACT_WORDS.get(event.contact, "")
        rr, hr, flags = format_number(event.rr_ms), format_number(event.hr_bpm), event.flags
        return [t, "beat", rr, hr, contact, format_flags(flags), "", "", ""]
    if isinstance(event, Gap):
        return [t, "gap", "", "", "", "", f"{event.duration_s:.3f}", "", _one_line(event.reason)]
    if isinstance(event, Mark):
        return [t, "mark", "", "", "", "", "", _one_line(event.kind), _one_line(event.text)]
    if isinstance(event, DeviceStatus):
        return [t, "status", "", "", "", "", "", event.state.value, _status_json(event)]
    raise TypeError(f"not an event: {event!r}")


def event_line(event: Event) -> str:
    """One event as the line the writer appends, line end included."""
    if isinstance(event, Beat):
        # beats never need CSV quoting: format them directly (the common, hot case)
        contact = CONTACT_WORDS.get(event.contact, "")
        flags = format_flags(event.flags) if event.flags else ""
        return (
            f"{event.t_s:.3f},beat,{format_number(event.rr_ms)},"
            f"{format_number(event.hr_bpm)},{contact},{flags},,,\n"
        )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(event_row(event))
    return buffer.getvalue()


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds" if dt.microsecond else "seconds")


class RecordingWriter:
    """Writes one session in hrvcoach's recording format, line by line.

    The file is created exclusively (an existing file is never overwritten) and opened for
    appending; each event is one line, flushed at once. There is no fsync per line: a flush hands
    the line to the operating system, which is enough to survive the process being killed (what a
    power cut takes is up to the operating system). A line cut off by a kill is dropped, with a
    warning, when the file is read back.

    Args:
        path: The file to create.
        info: The source of the beats (device, address, simulated, details go into the metadata).
        pace: The breathing plan at the start, ``(t_s, BreathPattern.label())``.
        start_time: Wall-clock start; defaults to ``info.start_time``, then to now.

    Raises:
        RecordingError: The file exists already or cannot be created.
    """

    def __init__(
        self,
        path: Path,
        *,
        info: SourceInfo,
        pace: Sequence[tuple[float, str]] = (),
        start_time: datetime | None = None,
    ) -> None:
        self.path = Path(path)
        start = start_time or info.start_time or datetime.now().astimezone()
        if start.tzinfo is None:
            start = start.astimezone()
        self.start_time = start
        from hrvcoach.companion import META_KEY, CompanionWriter, companion_path
        from hrvcoach.signals import KINDS

        raw_signals = info.details.get("signals", ())
        kinds = [k for k in KINDS if isinstance(raw_signals, list | tuple) and k in raw_signals]
        self._companions = {
            k: CompanionWriter(companion_path(self.path, k), k, recording_name=self.path.name)
            for k in kinds
        }
        meta: dict[str, object] = {
            "device": info.device,
            "address": info.address,
            "source": info.kind,
            "simulated": info.simulated,
            "start_time": _iso(start),
            "pace": [[float(t), str(label)] for t, label in pace],
            "app": f"hrvcoach {__version__}",
            "details": info.details,
        }
        if kinds:
            # ECG and chest motion go to files of their own, named here (docs/formats.md)
            meta[META_KEY] = {k: w.path.name for k, w in self._companions.items()}
        try:
            meta_json = json.dumps(meta, ensure_ascii=False, default=str)
        except ValueError as err:  # circular details: a programming error; keep it one line
            raise RecordingError(self.path, f"cannot record the source details: {err}") from None
        try:
            # O_EXCL: never overwrite; O_APPEND: every write lands at the end, whole lines only
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL
            self._fd: int | None = os.open(self.path, flags, 0o600)
        except FileExistsError:
            raise RecordingExistsError(
                self.path, "already exists; a recording is never overwritten"
            ) from None
        except OSError as err:
            raise RecordingError(self.path, f"cannot create: {err.strerror}") from None
        try:
            os.fchmod(self._fd, 0o600)  # the owner's alone, whatever the umask
        except OSError as err:
            log.warning("%s: could not make the recording private: %s", self.path, err.strerror)
        self.events_written = 0
        self._write_text(f"{FIRST_LINE}\n{META_PREFIX}{meta_json}\n{','.join(COLUMNS)}\n")

    def _write_text(self, text: str) -> None:
        # Straight to the file descriptor: one system call per line and nothing left in a
        # user-space buffer for a kill to lose (the same guarantee as flush(), at less cost).
        if self._fd is None:
            raise RecordingError(self.path, "the recording is already closed")
        data = text.encode("utf-8")
        try:
            while data:
                written = os.write(self._fd, data)
                data = data[written:]
        except OSError as err:
            raise RecordingError(self.path, f"cannot write: {err.strerror}") from None

    def write(self, event: Event) -> None:
        """Append one event as one line, handed to the operating system at once."""
        self._write_text(event_line(event))
        self.events_written += 1

    def write_samples(self, block: SampleBlock) -> None:
        """Append a block of ECG or motion samples to its companion file (at once, like events).

        A kind the header does not name (the source did not announce it) is not recorded.
        """
        writer = self._companions.get(block.kind)
        if writer is not None:
            writer.write(block)

    def samples_written(self, kind: str) -> int:
        writer = self._companions.get(kind)
        return writer.samples if writer is not None else 0

    def close(self) -> None:
        """Close the file (safe to call more than once)."""
        for writer in self._companions.values():
            writer.close()
        if self._fd is not None:
            try:
                os.close(self._fd)
            finally:
                self._fd = None

    @property
    def closed(self) -> bool:
        return self._fd is None

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _recording_name(directory: Path, start: datetime, kind: str, n: int) -> Path:
    safe_kind = "".join(c if c.isalnum() or c in "-_" else "-" for c in kind) or "session"
    stem = f"{start.strftime('%Y-%m-%dT%H-%M-%S')}_{safe_kind}"
    return directory / (f"{stem}.csv" if n == 1 else f"{stem}_{n}.csv")


#: how many names one start second may take before giving up (no loop runs forever)
MAX_SAME_SECOND = 10000


def new_recording_path(directory: Path, start: datetime, kind: str) -> Path:
    """A file name like ``2026-11-22T07-30-05_practice.csv`` in ``directory`` that is free now.

    A second session in the same second gets ``_2``, ``_3``... Free now is not free when another
    process creates it a moment later: to create a recording use :func:`create_recording`.
    """
    for n in range(1, MAX_SAME_SECOND + 1):
        candidate = _recording_name(directory, start, kind, n)
        if not candidate.exists():
            return candidate
    raise RecordingError(directory, f"{MAX_SAME_SECOND} recordings started in one second")


def create_recording(
    directory: Path,
    start: datetime,
    kind: str,
    *,
    info: SourceInfo,
    pace: Sequence[tuple[float, str]] = (),
    start_time: datetime | None = None,
) -> RecordingWriter:
    """A new recording named for its start and kind, created exclusively.

    Sessions starting in the same second race for one name: the exclusive create decides who
    gets it, and the others take the next free name (``_2``, ``_3``...). Nothing is overwritten.
    """
    for n in range(1, MAX_SAME_SECOND + 1):
        path = _recording_name(directory, start, kind, n)
        try:
            return RecordingWriter(path, info=info, pace=pace, start_time=start_time)
        except RecordingExistsError:
            continue
    raise RecordingError(directory, f"{MAX_SAME_SECOND} recordings started in one second")


def append_events(path: Path, events: Iterable[Event]) -> None:
    """Add events to the end of a finished hrvcoach recording (a check-in or note after a session).

    If the file ends in a line cut off by a killed process, that fragment (which no reader can
    use, see ``docs/formats.md``) is removed first so the new lines do not glue onto it; a whole
    last line that only lacks its line end gets one.

    Raises:
        RecordingError: The file is missing, not an hrvcoach recording (or one cut off inside its
            header), or cannot be written. Nothing is changed then.
    """
    path = Path(path)
    lines = [event_line(e) for e in events]
    header = ",".join(COLUMNS[:2]).encode()
    try:
        with path.open("r+b") as f:
            data = f.read()
            if not data.startswith(MAGIC.encode()):
                raise RecordingError(path, "not an hrvcoach recording; nothing was added")
            end = len(data)
            prefix = b""
            if not data.endswith(b"\n"):
                cut = data.rfind(b"\n") + 1
                last = data[cut:].decode("utf-8", "replace")
                if len(next(csv.reader([last]), [])) >= len(COLUMNS):
                    prefix = b"\n"
                else:
                    end = cut
            if b"\n" + header not in data[:end]:
                raise RecordingError(path, "the recording has no column header; nothing was added")
            if end < len(data):
                log.warning("%s: removed a line cut off while being written: %r", path, data[end:])
                f.truncate(end)
            f.seek(end)
            f.write(prefix + "".join(lines).encode("utf-8"))
            f.flush()
    except FileNotFoundError:
        raise RecordingError(path, "no such recording") from None
    except OSError as err:
        raise RecordingError(path, f"cannot add to the recording: {err.strerror or err}") from None
