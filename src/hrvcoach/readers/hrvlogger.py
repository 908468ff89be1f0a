"""HRV Logger (Marco Altini's app) RR exports: ``*_RRIntervals.csv``.

Two header styles are known: ``timestamp, rr, since_start`` (Unix time in ms; the newer export) and
``date,rr,since start`` (a local date-time per beat). Beat times are the running sum of RR (the
``since_start`` column counts from when the app started, not from the first beat); the phone's time
stamps give the start time and reveal gaps. The app's other files (``_HR``, ``_Features``,
``_Event``) hold no RR: reading one says which file to use instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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

_SIBLINGS = {"heart_rate": "heart-rate", "rmssd": "features", "avnn": "features"}


def _name(cell: str) -> str:
    return "_".join(cell.strip().lower().split())


def read(path: Path, data: bytes) -> Recording:
    """Read an HRV Logger ``_RRIntervals.csv`` export."""
    text = decode_text(path, data)
    problems = Problems(path)
    rows = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    header_n, header_line = rows[0]
    names = [_name(c) for c in header_line.split(",")]
    if "rr" not in names:
        kind = next((v for k, v in _SIBLINGS.items() if k in names), None)
        if kind is None and names == ["timestamp"]:
            kind = "events"
        hint = f"this is HRV Logger's {kind} file; " if kind else ""
        raise RecordingError(
            path, f"{hint}no rr column: read the matching *_RRIntervals.csv", line=header_n
        )
    if "timestamp" in names:
        time_col, epoch = names.index("timestamp"), True
    elif "date" in names:
        time_col, epoch = names.index("date"), False
    else:
        raise RecordingError(path, "no timestamp or date column", line=header_n)
    rr_col = names.index("rr")
    rr_ms: list[float] = []
    clock_s: list[float] = []
    lines: list[int] = []
    first_time: datetime | None = None
    for n, line in rows[1:]:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) > len(names) and not any(cells[len(names) :]):
            cells = cells[: len(names)]  # a trailing comma
        if len(cells) != len(names):
            raise RecordingError(
                path, f"expected {len(names)} columns but found {len(cells)}", line=n
            )
        rr_ms.append(parse_number(cells[rr_col], path, n, "RR"))
        if epoch:
            clock_s.append(parse_number(cells[time_col], path, n, "timestamp") / 1000.0)
        else:
            try:
                stamp = datetime.fromisoformat(cells[time_col])
            except ValueError:
                raise RecordingError(
                    path, f"date {cells[time_col]!r} is not a date", line=n
                ) from None
            if first_time is None:
                first_time = local_time(stamp)
            clock_s.append((local_time(stamp) - first_time).total_seconds())
        lines.append(n)
    keep = check_rr(rr_ms, lines, path, problems)
    rr_ms, clock_s = rr_ms[:keep], clock_s[:keep]
    if not rr_ms:
        raise RecordingError(path, "there are no RR values in the file")
    # The first row's time stamp is when its beat arrived: the session began one RR earlier.
    if epoch:
        start = epoch_time(clock_s[0] - rr_ms[0] / 1000.0)
    else:
        assert first_time is not None
        start = first_time - timedelta(milliseconds=rr_ms[0])
    meta = RecordingMeta(
        format="hrvlogger",
        start_time=start,
        start_time_source="file",
        extra={"app": "HRV Logger"},
    )
    events = beat_events(rr_ms, clock_s=clock_s, problems=problems)
    return Recording(path, meta, events, tuple(problems.items))
