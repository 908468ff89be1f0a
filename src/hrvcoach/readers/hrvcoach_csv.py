"""hrvcoach's own recordings (written by :class:`hrvcoach.recording.RecordingWriter`).

Recovery: a last line without its line end (the process was killed while writing it) is dropped
with a warning unless it has every column (a spreadsheet saved the file without a final newline).
"""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import datetime
from pathlib import Path

from hrvcoach.beats import Beat, BeatFlag, Contact, DeviceStatus, Event, Gap, LinkState, Mark
from hrvcoach.errors import RecordingError
from hrvcoach.readers._common import Problems, decode_text, parse_number
from hrvcoach.recording import (
    COLUMNS,
    CONTACT_WORDS,
    FLAG_WORDS,
    FORMAT_VERSION,
    MAGIC,
    META_PREFIX,
    Recording,
    RecordingMeta,
)

_CONTACTS = {word: contact for contact, word in CONTACT_WORDS.items()} | {"": Contact.UNKNOWN}
_FLAGS = {word: flag for flag, word in FLAG_WORDS.items()}
_STATES = {state.value: state for state in LinkState}
_VERSION = re.compile(r"^# hrvcoach recording v(\d+)\s*$")


def _meta(path: Path, raw: dict[str, object], line: int) -> RecordingMeta:
    start_time = None
    if raw.get("start_time"):
        try:
            start_time = datetime.fromisoformat(str(raw["start_time"]))
        except ValueError:
            raise RecordingError(
                path, f"start_time {raw['start_time']!r} is not ISO 8601", line=line
            ) from None
        if start_time.tzinfo is None:
            start_time = start_time.astimezone()
    pace: list[tuple[float, str]] = []
    raw_pace = raw.get("pace") or []
    if not isinstance(raw_pace, list):
        raise RecordingError(path, "pace must be a list of [t_s, pattern]", line=line)
    for item in raw_pace:
        if not (isinstance(item, list) and len(item) == 2):
            raise RecordingError(path, f"pace entry {item!r} is not [t_s, pattern]", line=line)
        pace.append((float(item[0]), str(item[1])))
    known = {"device", "start_time", "simulated", "pace"}
    device = raw.get("device")
    return RecordingMeta(
        format="hrvcoach",
        device=str(device) if device is not None else None,
        start_time=start_time,
        start_time_source="file" if start_time else None,
        simulated=bool(raw.get("simulated", False)),
        pace=tuple(pace),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def _flags(text: str, path: Path, line: int) -> BeatFlag:
    flags = BeatFlag.NONE
    if not text:
        return flags
    if text.isdigit():
        return BeatFlag(int(text))
    for word in text.split("+"):
        try:
            flags |= _FLAGS[word.strip()]
        except KeyError:
            raise RecordingError(path, f"unknown beat flag {word!r}", line=line) from None
    return flags


def _event(row: list[str], index: dict[str, int], path: Path, line: int) -> Event:
    def cell(name: str) -> str:
        i = index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    t_s = parse_number(cell("t_s"), path, line, "time")
    kind = cell("kind")
    if kind == "beat":
        rr_ms = parse_number(cell("rr_ms"), path, line, "RR")
        if rr_ms <= 0:
            raise RecordingError(path, f"RR {rr_ms:g} ms is not positive", line=line)
        hr_text = cell("hr_bpm")
        hr = parse_number(hr_text, path, line, "heart rate") if hr_text else None
        contact_text = cell("contact")
        try:
            contact = (
                _CONTACTS[contact_text]
                if not contact_text.lstrip("-").isdigit()
                else Contact(int(contact_text))
            )
        except (KeyError, ValueError):
            raise RecordingError(path, f"unknown contact {contact_text!r}", line=line) from None
        return Beat(t_s, rr_ms, hr, contact, _flags(cell("flags"), path, line))
    if kind == "gap":
        duration = parse_number(cell("duration_s"), path, line, "gap duration")
        if duration < 0:
            raise RecordingError(path, f"gap duration {duration:g} s is negative", line=line)
        return Gap(t_s, duration, cell("text") or "signal lost")
    if kind == "mark":
        return Mark(t_s, cell("label"), cell("text"))
    if kind == "status":
        try:
            state = _STATES[cell("label")]
        except KeyError:
            raise RecordingError(path, f"unknown link state {cell('label')!r}", line=line) from None
        detail: dict[str, object] = {}
        if cell("text"):
            try:
                loaded = json.loads(cell("text"))
            except ValueError:
                raise RecordingError(path, "status detail is not JSON", line=line) from None
            if isinstance(loaded, dict):
                detail = loaded
        battery = detail.get("battery_pct")
        return DeviceStatus(
            t_s,
            state,
            name=_opt_str(detail.get("name")),
            address=_opt_str(detail.get("address")),
            battery_pct=int(battery) if isinstance(battery, int | float) else None,
            body_location=_opt_str(detail.get("body_location")),
            detail=str(detail.get("detail", "")),
        )
    raise RecordingError(path, f"unknown event kind {kind!r}", line=line)


def _fast_beat(row: list[str], cols: tuple[int, ...]) -> Beat:
    # The usual beat line as the writer makes it; anything unusual raises and takes the slow path.
    t_col, rr_col, hr_col, contact_col, flags_col = cols
    rr_ms = float(row[rr_col])
    t_s = float(row[t_col])
    if not (rr_ms > 0 and math.isfinite(rr_ms) and math.isfinite(t_s)):
        raise ValueError("not a plain beat")
    hr = row[hr_col]
    flags = row[flags_col]
    return Beat(
        t_s,
        rr_ms,
        float(hr) if hr else None,
        _CONTACTS[row[contact_col]],
        _flags_fast(flags) if flags else BeatFlag.NONE,
    )


def _flags_fast(text: str) -> BeatFlag:
    flags = BeatFlag.NONE
    for word in text.split("+"):
        flags |= _FLAGS[word]
    return flags


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def read(path: Path, data: bytes) -> Recording:
    """Read an hrvcoach recording (see the module docstring for the recovery rules)."""
    text = decode_text(path, data)
    problems = Problems(path)
    lines = text.split("\n")
    terminated = lines[-1] == ""
    if terminated:
        lines.pop()
    lines = [ln.removesuffix("\r") for ln in lines]
    match = _VERSION.match(lines[0]) if lines else None
    if match is None:
        if lines and lines[0].startswith(MAGIC):
            raise RecordingError(path, f"unreadable format line {lines[0]!r}", line=1)
        raise RecordingError(
            path, f"not an hrvcoach recording (it does not start with {MAGIC!r})", line=1
        )
    version = int(match.group(1))
    if version > FORMAT_VERSION:
        raise RecordingError(
            path,
            f"written by a newer hrvcoach (format v{version}; this one reads v{FORMAT_VERSION})",
            line=1,
        )
    meta_raw: dict[str, object] = {}
    meta_line = 0
    i = 1
    while i < len(lines) and lines[i].startswith("#"):
        if lines[i].startswith(META_PREFIX):
            meta_line = i + 1
            try:
                loaded = json.loads(lines[i][len(META_PREFIX) :])
            except ValueError:
                if i == len(lines) - 1 and not terminated:
                    problems.warn("the metadata line was cut off; metadata lost", line=i + 1)
                    loaded = {}
                else:
                    raise RecordingError(
                        path, "the metadata is not valid JSON", line=i + 1
                    ) from None
            if not isinstance(loaded, dict):
                raise RecordingError(path, "the metadata is not a JSON object", line=i + 1)
            meta_raw.update(loaded)
        i += 1
    meta = _meta(path, meta_raw, meta_line)
    events: list[Event] = []
    if i >= len(lines):
        problems.warn("the recording has no events (it ended before the column header)")
        return Recording(path, meta, (), tuple(problems.items))
    header = [c.strip() for c in lines[i].split(",")]
    if i == len(lines) - 1 and not terminated and header != list(COLUMNS):
        problems.warn("the column header was cut off; the recording has no events", line=i + 1)
        return Recording(path, meta, (), tuple(problems.items))
    missing = [c for c in ("t_s", "kind") if c not in header]
    if missing:
        raise RecordingError(path, f"the column header lacks {', '.join(missing)}", line=i + 1)
    index = {name: n for n, name in enumerate(header)}
    width = len(header)
    kind_col = index["kind"]
    cols = tuple(index.get(name, -1) for name in ("t_s", "rr_ms", "hr_bpm", "contact", "flags"))
    fast = -1 not in cols
    first_body = i + 1
    body = lines[first_body:]
    last = len(body) - 1
    for offset, row in enumerate(csv.reader(body)):
        line = first_body + offset + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if offset == last and not terminated:
            # Written in one go and flushed, a line lacks its line end only if the process died
            # while writing it. Keep it if it is whole (a spreadsheet may drop the final newline).
            try:
                if len(row) < len(header):
                    raise RecordingError(path, "cut off", line=line)
                events.append(_event(row, index, path, line))
            except RecordingError:
                problems.warn(
                    f"dropped the last line, cut off while being written: {body[offset]!r}",
                    line=line,
                )
            break
        if fast and len(row) == width and row[kind_col] == "beat":
            try:
                events.append(_fast_beat(row, cols))
                continue
            except (ValueError, KeyError):
                pass  # the careful path below names what is wrong
        events.append(_event(row, index, path, line))
    return Recording(path, meta, tuple(events), tuple(problems.items))
