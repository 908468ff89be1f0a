"""Plain RR lists: Elite HRV exports, Kubios text, PhysioNet RR, Welltory, ``time,rr`` rows.

- Values are separated by white space: one per line, several per line, or all on one line.
- The unit is judged by magnitude (median below 10: seconds; 100 and above: milliseconds).
- One header line (``RR``, ``rr_ms``, ``IBI (ms)``...) is allowed before the numbers.
- Rows of two comma-separated numbers are ``time,rr`` (a time stamp per beat, no header, like
  numpy's ``savetxt``); the time is used only to find gaps, never as the beat time.
- A comma-separated header naming an ``rr_ms`` column (``t_s,rr_ms,hr_bpm``, what ``hrvcoach
  export --format csv`` writes) selects columns by name: RR from ``rr_ms``, heart rate from
  ``hr_bpm`` (may be empty), and ``t_s`` only to find gaps, as above.
- Recoveries (warned): trailing ``0`` values are dropped; so is one non-numeric last line (PhysioNet
  files may end with ``@``).
- Start time: Elite HRV names its exports ``YYYY-MM-DD HH-MM-SS.txt`` (local time); any other name
  gets the file's modification time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import overload

from hrvcoach.errors import RecordingError
from hrvcoach.readers._common import (
    Problems,
    beat_events,
    check_rr,
    decode_text,
    local_time,
    mtime_start,
    parse_number,
    to_milliseconds,
)
from hrvcoach.recording import Recording, RecordingMeta

_ELITE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2})-(\d{2})-(\d{2})")
#: what a header line over a plain list mentions
HEADER_WORDS = re.compile(r"rr|ibi|nn|interval|ms\b|time|beat", re.IGNORECASE)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def start_from_name(path: Path) -> datetime | None:
    """Elite HRV's ``2026-11-22 07-30-05.txt`` as a local time, else ``None``."""
    match = _ELITE_NAME.match(path.stem)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        return local_time(datetime(year, month, day, hour, minute, second))
    except ValueError:
        return None


def _clock_in_seconds(
    clock: list[float], rr_ms: list[float], problems: Problems
) -> list[float] | None:
    # The time column's unit is whatever makes its span match the RR sum.
    if len(clock) < 3:
        return None
    span = clock[-1] - clock[0]
    rr_sum_s = sum(rr_ms[1:]) / 1000.0
    if rr_sum_s <= 0:
        return None
    ratio = span / rr_sum_s
    if 0.5 < ratio < 2.0:
        return clock
    if 500.0 < ratio < 2000.0:
        return [t / 1000.0 for t in clock]
    problems.warn("the time column does not follow the RR values; it is ignored")
    return None


def _bulk_values(rows: list[tuple[int, str]]) -> list[float] | None:
    """Every value at once, or ``None`` if any is not a finite number (then go line by line)."""
    try:
        values = [float(cell) for _, line in rows for cell in line.split()]
    except ValueError:
        return None
    return values if all(map(math.isfinite, values)) else None


def _values_line_by_line(
    rows: list[tuple[int, str]], with_time: bool, clock: list[float], path: Path
) -> tuple[list[float], list[int]]:
    """Values and their lines, naming the first line that is wrong; fills ``clock`` for time,rr."""
    values: list[float] = []
    lines: list[int] = []
    for n, line in rows:
        if with_time:
            cells = line.split(",")
            if len(cells) != 2:
                raise RecordingError(
                    path, f"expected 2 columns (time, RR) but found {len(cells)}", line=n
                )
            clock.append(parse_number(cells[0].strip(), path, n, "time"))
            values.append(parse_number(cells[1].strip(), path, n, "RR"))
            lines.append(n)
        else:
            for cell in line.split():
                values.append(parse_number(cell, path, n, "RR"))
                lines.append(n)
    return values, lines


class _LineNumbers(Sequence[int]):
    """The line of each value, computed on first use (a 100k-beat file rarely needs any)."""

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        self._rows = rows
        self._lines: list[int] | None = None

    def _all(self) -> list[int]:
        if self._lines is None:
            self._lines = [n for n, line in self._rows for _ in line.split()]
        return self._lines

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def _named_columns(
    path: Path, names: list[str], rows: list[tuple[int, str]]
) -> tuple[list[float], list[int], list[float | None], list[float]]:
    """RR, their lines, heart rates and times from CSV rows under a header that names them."""
    i_rr = names.index("rr_ms")
    i_hr = names.index("hr_bpm") if "hr_bpm" in names else None
    i_t = names.index("t_s") if "t_s" in names else None
    rr: list[float] = []
    lines: list[int] = []
    hr: list[float | None] = []
    clock: list[float] = []
    for n, line in rows:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(names):
            raise RecordingError(
                path,
                f"expected {len(names)} columns ({', '.join(names)}) but found {len(cells)}",
                line=n,
            )
        rr.append(parse_number(cells[i_rr], path, n, "RR"))
        lines.append(n)
        if i_hr is not None:
            hr.append(parse_number(cells[i_hr], path, n, "heart rate") if cells[i_hr] else None)
        if i_t is not None:
            clock.append(parse_number(cells[i_t], path, n, "time"))
    return rr, lines, hr, clock


def read(path: Path, data: bytes) -> Recording:
    """Read a plain RR list (see the module docstring)."""
    text = decode_text(path, data)
    problems = Problems(path)
    rows = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not rows:
        raise RecordingError(path, "the file is empty")
    header: str | None = None
    first_cells = rows[0][1].replace(",", " ").split()
    if not all(_is_number(c) for c in first_cells):
        if not HEADER_WORDS.search(rows[0][1]) or len(rows) == 1:
            raise RecordingError(path, f"{rows[0][1][:40]!r} is not an RR value", line=rows[0][0])
        header = rows[0][1]
        rows = rows[1:]
    # One non-numeric line at the very end is a known quirk (PhysioNet's "@"), not a broken file.
    last_n, last_line = rows[-1]
    if len(rows) > 1 and not all(_is_number(c) for c in last_line.replace(",", " ").split()):
        problems.warn(f"ignored a non-numeric last line {last_line[:40]!r}", line=last_n)
        rows = rows[:-1]

    values: list[float] = []
    lines: Sequence[int]
    clock: list[float] = []
    hr_bpm: list[float | None] | None = None
    names = [c.strip().lower() for c in header.split(",")] if header and "," in header else []
    named = "rr_ms" in names
    with_time = named or "," in rows[0][1]
    if named:
        values, lines, hr, clock = _named_columns(path, names, rows)
        hr_bpm = hr or None
        rr_ms, unit = values, "ms"  # the column says so: no guessing by magnitude
    else:
        fast = None if with_time else _bulk_values(rows)
        if fast is not None:
            # the usual clean list: line numbers are only worked out if a warning or error needs one
            values, lines = fast, _LineNumbers(rows)
        else:
            values, lines = _values_line_by_line(rows, with_time, clock, path)
        rr_ms, unit = to_milliseconds(values, path)
    keep = check_rr(rr_ms, lines, path, problems)
    rr_ms = rr_ms[:keep]
    if not rr_ms:
        raise RecordingError(path, "there are no RR values in the file")
    if named:  # t_s is in seconds by its name
        clock_s = clock[:keep] or None
    else:
        clock_s = _clock_in_seconds(clock[:keep], rr_ms, problems) if clock else None
    if hr_bpm is not None:
        hr_bpm = hr_bpm[:keep]

    start = start_from_name(path)
    source = "filename"
    if start is None:
        start, source = mtime_start(path), "mtime"
    layout = "columns" if named else "time,rr" if with_time else "values"
    extra: dict[str, object] = {"unit": unit, "layout": layout}
    if header is not None:
        extra["header"] = header
    meta = RecordingMeta(
        format="rr-list",
        start_time=start,
        start_time_source=source,
        extra=extra,
    )
    events = beat_events(rr_ms, hr_bpm=hr_bpm, clock_s=clock_s, problems=problems)
    return Recording(path, meta, events, tuple(problems.items))
