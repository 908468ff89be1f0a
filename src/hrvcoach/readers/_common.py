"""What the readers share: text decoding, RR validation and units, beat times, gaps, start times."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hrvcoach.beats import RR_MAX_MS, RR_MIN_MS, Beat, BeatFlag, Event, Gap
from hrvcoach.errors import RecordingError

log = logging.getLogger("hrvcoach.readers")

#: a median RR below this is taken to be in seconds (no human RR is 10 ms; none is 10 s)
SECONDS_BELOW = 10.0
#: a median RR at or above this is taken to be in milliseconds
MILLISECONDS_FROM = 100.0
#: the file's own clock running ahead of the RR sum by more than this between two beats is a gap
GAP_MIN_S = 3.0


@dataclass
class Problems:
    """Warnings a reader recovered from: kept for ``Recording.warnings`` and logged once each."""

    path: Path
    items: list[str] = field(default_factory=list)

    def warn(self, message: str, *, line: int | None = None) -> None:
        text = (
            f"{self.path.name}:{line}: {message}"
            if line is not None
            else f"{self.path.name}: {message}"
        )
        # Logged at INFO: every caller shows Recording.warnings itself, once, in its own words.
        log.info("%s", text)
        self.items.append(text)


def decode_text(path: Path, data: bytes) -> str:
    """The text of a file, or a :class:`RecordingError` if it is empty or binary."""
    if not data.strip():
        raise RecordingError(path, "the file is empty")
    if b"\x00" in data[:65536]:
        raise RecordingError(path, "this is a binary file, not a recording hrvcoach can read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Older Windows apps (Polar ProTrainer, Kubios) write cp1252: accept it if it looks like text.
    text = data.decode("latin-1")
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\r\n")
    if controls > len(text[:65536]) // 100:
        raise RecordingError(path, "this is a binary file, not a recording hrvcoach can read")
    return text


def parse_number(text: str, path: Path, line: int, what: str) -> float:
    """A finite float from one cell, or a :class:`RecordingError` naming the line."""
    try:
        value = float(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise RecordingError(path, f"{what} {shown!r} is not a number", line=line) from None
    if not math.isfinite(value):
        raise RecordingError(path, f"{what} {text!r} is not a finite number", line=line)
    return value


def to_milliseconds(values: Sequence[float], path: Path) -> tuple[list[float], str]:
    """RR values in ms and the unit they were in, judged by the median (documented in formats.md).

    A median below 10 means seconds (converted, rounded to the nanosecond so that ``0.812`` becomes
    ``812`` and not ``812.0000000000001``); 100 and above means milliseconds; in between is neither.
    """
    if not values:
        return [], "ms"
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    if median < SECONDS_BELOW:
        return [round(v * 1000.0, 6) for v in values], "s"
    if median >= MILLISECONDS_FROM:
        return list(values), "ms"
    raise RecordingError(path, f"RR values around {median:g} are neither milliseconds nor seconds")


def check_rr(rr_ms: Sequence[float], lines: Sequence[int], path: Path, problems: Problems) -> int:
    """How many RR values to keep: all of them, after checking none is zero or negative.

    Zeros at the very end are dropped with a warning (some tools end their lists with a ``0``
    line, e.g. the ``hrv`` package's ``real_rri.txt``); a zero or negative value elsewhere is an
    error.
    """
    n = len(rr_ms)
    while n and rr_ms[n - 1] == 0:
        n -= 1
    if n < len(rr_ms):
        dropped = len(rr_ms) - n
        problems.warn(
            f"ignored {dropped} trailing zero RR value{'s' if dropped > 1 else ''}"
            " (an end-of-list marker)",
            line=lines[n],
        )
    for i in range(n):
        if rr_ms[i] <= 0:
            raise RecordingError(
                path, f"RR {rr_ms[i]:g} ms is not positive", line=lines[i] if lines else None
            )
    return n


def beat_events(
    rr_ms: Sequence[float],
    *,
    hr_bpm: Sequence[float | None] | None = None,
    clock_s: Sequence[float] | None = None,
    problems: Problems | None = None,
) -> tuple[Event, ...]:
    """Beats from RR intervals: each beat at the running sum of RR (the first at its own RR).

    Args:
        rr_ms: RR intervals in ms, already checked to be positive.
        hr_bpm: Heart rate the file gives with each beat, if any.
        clock_s: The file's own time of each beat (phone arrival time, epoch...), if any. Where it
            runs ahead of the RR sum by more than :data:`GAP_MIN_S` between two beats the strap was
            out of reach: a :class:`Gap` goes in there and the next beat is flagged ``AFTER_GAP``.
        problems: Where to note the gaps found.
    """
    from hrvcoach.readers._files import IMPOSSIBLE_RR, RR_STRAP_MAX_MS, impossible_warning

    events: list[Event] = []
    t_s = 0.0
    previous_clock: float | None = None
    gaps = impossible = 0
    after_impossible = False
    rr_list = [float(v) for v in rr_ms]
    for i, rr in enumerate(rr_list):
        flags = BeatFlag.NONE
        if not (math.isfinite(rr) and rr <= RR_STRAP_MAX_MS):
            # No strap sends this: the time it claims is unknown, so it moves no beat (one
            # 1e12 ms value would otherwise make the session 31 years long).
            impossible += 1
            events.append(Gap(round(t_s, 6), 0.0, IMPOSSIBLE_RR))
            after_impossible = True
            if clock_s is not None:
                previous_clock = None
            continue
        if after_impossible:
            flags |= BeatFlag.AFTER_GAP
            after_impossible = False
        if clock_s is not None:
            now = clock_s[i]
            if previous_clock is not None:
                excess_s = (now - previous_clock) - rr / 1000.0
                if excess_s > GAP_MIN_S:
                    events.append(Gap(round(t_s, 6), round(excess_s, 3), "no beats in the file"))
                    t_s += excess_s
                    flags |= BeatFlag.AFTER_GAP
                    gaps += 1
            previous_clock = now
        t_s += rr / 1000.0
        if not (RR_MIN_MS <= rr <= RR_MAX_MS):
            flags |= BeatFlag.IMPLAUSIBLE
        hr = hr_bpm[i] if hr_bpm is not None else None
        events.append(Beat(round(t_s, 6), rr, hr, flags=flags))
    if gaps and problems is not None:
        problems.warn(f"the file's clock shows {gaps} gap{'s' if gaps > 1 else ''} between beats")
    if impossible and problems is not None:
        problems.items.append(impossible_warning(problems.path, impossible))
    return tuple(events)


def local_time(dt: datetime) -> datetime:
    """A timezone-aware time: a naive one is taken as this computer's local time."""
    return dt.astimezone() if dt.tzinfo is None else dt


def epoch_time(seconds: float) -> datetime:
    """A Unix time as an aware datetime in the local zone (the same instant as UTC)."""
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone()


def mtime_start(path: Path) -> datetime:
    """The file's modification time: the only clue to when a bare RR list was recorded."""
    from hrvcoach.readers._files import stat_file

    return epoch_time(stat_file(path).st_mtime)
