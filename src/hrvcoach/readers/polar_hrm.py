"""Polar HRM files (Polar ProTrainer / Precision Performance exports) recorded in R-R mode.

An INI-like text: ``[Params]`` has ``Date=YYYYMMDD``, ``StartTime=HH:MM:SS.s`` (the watch's local
time), ``Interval`` (238 means R-R recording; other values are seconds between heart-rate samples,
which hold no beat-to-beat intervals) and ``Monitor`` (the watch model code). ``[HRData]`` has one
row per beat; its first column is the RR interval in ms.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hrvcoach.errors import RecordingError
from hrvcoach.readers._common import (
    Problems,
    beat_events,
    check_rr,
    decode_text,
    local_time,
    parse_number,
)
from hrvcoach.recording import Recording, RecordingMeta

RR_MODE_INTERVAL = "238"


def _sections(path: Path, text: str) -> dict[str, list[tuple[int, str]]]:
    sections: dict[str, list[tuple[int, str]]] = {}
    current: list[tuple[int, str]] | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line:
            if current is None:
                raise RecordingError(path, "text before the first [section]", line=n)
            current.append((n, line))
    return sections


def _start(params: dict[str, str]) -> datetime | None:
    date, clock = params.get("Date", ""), params.get("StartTime", "")
    try:
        day = datetime.strptime(date, "%Y%m%d")
        h, m, s = clock.split(":")
        seconds = float(s)
        stamp = day.replace(
            hour=int(h), minute=int(m), second=int(seconds), microsecond=round(seconds % 1 * 1e6)
        )
    except ValueError:
        return None
    return local_time(stamp)


def read(path: Path, data: bytes) -> Recording:
    """Read a Polar HRM file recorded in R-R mode."""
    text = decode_text(path, data)
    problems = Problems(path)
    sections = _sections(path, text)
    if "HRData" not in sections:
        raise RecordingError(path, "no [HRData] section: not a Polar HRM file with data")
    params: dict[str, str] = {}
    for _, line in sections.get("Params", []):
        key, _, value = line.partition("=")
        params[key.strip()] = value.strip()
    interval = params.get("Interval", "")
    if interval != RR_MODE_INTERVAL:
        raise RecordingError(
            path,
            f"recorded heart rate every {interval or '?'} s, not R-R intervals "
            "(set the watch to R-R recording for HRV)",
        )
    rr_ms: list[float] = []
    lines: list[int] = []
    for n, line in sections["HRData"]:
        rr_ms.append(parse_number(line.split()[0], path, n, "RR"))
        lines.append(n)
    keep = check_rr(rr_ms, lines, path, problems)
    rr_ms = rr_ms[:keep]
    if not rr_ms:
        raise RecordingError(path, "the [HRData] section has no RR values")
    start = _start(params)
    if start is None:
        problems.warn("no readable Date/StartTime in [Params]; the start time is unknown")
    monitor = params.get("Monitor")
    meta = RecordingMeta(
        format="polar-hrm",
        device=f"Polar (HRM monitor {monitor})" if monitor else "Polar",
        start_time=start,
        start_time_source="file" if start else None,
        extra={
            "hrm_version": params.get("Version"),
            "monitor": monitor,
            "smode": params.get("SMode"),
        },
    )
    events = beat_events(rr_ms, problems=problems)
    return Recording(path, meta, events, tuple(problems.items))
