"""Polar Sensor Logger RR exports, and CSV in the same spirit with Unix nanoseconds.

- Polar Sensor Logger (Android app, Polar SDK) ``*_RR.txt``: semicolon-separated,
  ``Phone timestamp;RR-interval [ms]``, the phone's local time per row as ISO 8601 without a zone
  (``2026-04-24T14:10:16.752``). The app names files ``Polar_H10_A8438D20_20230329_181740_RR.txt``:
  the device is taken from the name.
- ``time_ns,rr_ms,hr_bpm``: comma-separated, Unix time in ns, RR in ms, heart rate (may be empty).

The time stamps are when the phone received each interval, so beat times are the running sum of RR;
the stamps give the start time and reveal gaps.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from hrvcoach.errors import RecordingError
from hrvcoach.readers._common import (
    Problems,
    beat_events,
    check_rr,
    decode_text,
    epoch_time,
    local_time,
    parse_number,
)
from hrvcoach.recording import Recording, RecordingMeta

_PSL_NAME = re.compile(r"^(Polar_.+?)_(\d{8})_(\d{6})_RR", re.IGNORECASE)


def _device_from_name(path: Path) -> str | None:
    match = _PSL_NAME.match(path.stem)
    return match.group(1).replace("_", " ") if match else None


def read(path: Path, data: bytes) -> Recording:
    """Read a Polar Sensor Logger RR file (either column style)."""
    text = decode_text(path, data)
    problems = Problems(path)
    rows = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    header_n, header = rows[0]
    sep = ";" if ";" in header else ","
    names = [c.strip().lower() for c in header.split(sep)]
    if "rr-interval [ms]" in names and "phone timestamp" in names:
        rr_col, time_col, hr_col, style = (
            names.index("rr-interval [ms]"),
            names.index("phone timestamp"),
            None,
            "psl",
        )
    elif "rr_ms" in names and "time_ns" in names:
        rr_col, time_col, style = names.index("rr_ms"), names.index("time_ns"), "time_ns"
        hr_col = names.index("hr_bpm") if "hr_bpm" in names else None
    else:
        what = ""
        if any("ecg" in n for n in names):
            what = " (this looks like an ECG file)"
        elif "hr [bpm]" in names:
            what = " (this is Polar Sensor Logger's HR file: read the matching *_RR.txt)"
        raise RecordingError(
            path,
            f"no RR column{what}: expected 'Phone timestamp;RR-interval [ms]' or 'time_ns,rr_ms'",
            line=header_n,
        )
    rr_ms: list[float] = []
    hr_bpm: list[float | None] = []
    clock_s: list[float] = []
    lines: list[int] = []
    first: datetime | None = None
    for n, line in rows[1:]:
        cells = [c.strip() for c in line.split(sep)]
        if len(cells) > len(names) and not any(cells[len(names) :]):
            cells = cells[: len(names)]
        if len(cells) != len(names):
            raise RecordingError(
                path, f"expected {len(names)} columns but found {len(cells)}", line=n
            )
        rr_ms.append(parse_number(cells[rr_col], path, n, "RR"))
        if hr_col is not None and cells[hr_col]:
            hr_bpm.append(parse_number(cells[hr_col], path, n, "heart rate"))
        else:
            hr_bpm.append(None)
        if style == "psl":
            try:
                stamp = local_time(datetime.fromisoformat(cells[time_col]))
            except ValueError:
                raise RecordingError(
                    path, f"time stamp {cells[time_col]!r} is not ISO 8601", line=n
                ) from None
            if first is None:
                first = stamp
            clock_s.append((stamp - first).total_seconds())
        else:
            clock_s.append(parse_number(cells[time_col], path, n, "time_ns") / 1e9)
        lines.append(n)
    keep = check_rr(rr_ms, lines, path, problems)
    rr_ms, hr_bpm, clock_s = rr_ms[:keep], hr_bpm[:keep], clock_s[:keep]
    if not rr_ms:
        raise RecordingError(path, "there are no RR values in the file")
    # The first time stamp is when its beat arrived: the session began one RR earlier.
    if style == "psl":
        assert first is not None
        start = epoch_time(first.timestamp() - rr_ms[0] / 1000.0)
    else:
        start = epoch_time(clock_s[0] - rr_ms[0] / 1000.0)
    meta = RecordingMeta(
        format="polar-sensor-logger",
        device=_device_from_name(path),
        start_time=start,
        start_time_source="file",
        extra={"columns": sep.join(names)},
    )
    events = beat_events(
        rr_ms, hr_bpm=hr_bpm if hr_col is not None else None, clock_s=clock_s, problems=problems
    )
    return Recording(path, meta, events, tuple(problems.items))
