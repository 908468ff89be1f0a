"""From a recording to the values of its row: hashes, times, kinds, the pace plan, the summary."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.store.checkins import CheckIn
from hrvcoach.store.rows import SessionRow
from hrvcoach.store.schema import (
    ACTIVITY_FORMATS,
    MAX_IMPORTED_PRACTICE_S,
    METRIC_COLUMNS,
    MIN_COUNTED_S,
    TRAINING_COLUMNS,
)

if TYPE_CHECKING:
    from hrvcoach.recording import Recording

log = logging.getLogger(__name__)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _aware(when: datetime) -> datetime:
    # A naive time in a file is the wall clock of the machine that wrote it; the best guess is ours.
    return when if when.tzinfo is not None else when.astimezone()


def _utc_text(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _from_utc_text(text: str, offset_s: int) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone(timedelta(seconds=offset_s)))


def _offset_s(when: datetime) -> int:
    offset = when.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _summary_values(summary: object) -> dict[str, object]:
    if hasattr(summary, "to_json"):
        raw = dict(summary.to_json())
    elif dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        raw = dataclasses.asdict(summary)
    else:
        raw = dict(summary)  # type: ignore[call-overload]
    for name in METRIC_COLUMNS:  # attributes win: to_json may round or rename
        if hasattr(summary, name):
            raw[name] = getattr(summary, name)
    return raw


def _json_safe(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _json_safe(dataclasses.asdict(value))
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalar
        return _json_safe(value.item())
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def pace_plan(recording: Recording) -> tuple[tuple[float, str], ...]:
    """Every pace in force in a recording: the plan at its start and each ``pace`` mark after."""
    plan: dict[tuple[float, str], None] = {}
    for t_s, label in getattr(recording.meta, "pace", ()) or ():
        plan[(float(t_s), str(label))] = None
    for mark in recording.marks:
        if mark.kind == "pace" and mark.text:
            plan[(float(mark.t_s), mark.text.strip())] = None
    ordered = sorted(plan, key=lambda p: p[0])
    out: list[tuple[float, str]] = []
    for t_s, label in ordered:
        if out and out[-1][0] == t_s:
            out[-1] = (t_s, label)  # a mark at the same time replaces the plan entry
        elif not out or out[-1][1] != label:
            out.append((t_s, label))
    return tuple(out)


def local_start(start: datetime, source: str, format_name: str, duration_s: float) -> datetime:
    """The start time to index, in the offset the person lived by.

    * ``mtime``: a file is last written when its recording ends, so the start is the modification
      time less the recording's length (a 24-hour Holter file began the day before it was saved).
    * Another app's time in UTC (FIT files, Unix timestamps) is moved to this computer's zone for
      that date, so a session at 23:30 local time counts for that evening and not the next day.
      hrvcoach's own recordings keep the offset they were made in.
    """
    start = _aware(start)
    if source == "mtime":
        start = (start - timedelta(seconds=max(duration_s, 0.0))).astimezone()
    elif format_name != "hrvcoach" and start.utcoffset() == timedelta(0):
        start = start.astimezone()
    return start


def import_kind(format_name: str, duration_s: float) -> str:
    """The kind of a recording imported from another app: ``import`` (a past session, counted as
    practice) or ``other`` (a workout from a sports watch, or a recording longer than
    :data:`MAX_IMPORTED_PRACTICE_S`, such as a 24-hour Holter: not practice)."""
    if format_name in ACTIVITY_FORMATS or duration_s > MAX_IMPORTED_PRACTICE_S:
        return "other"
    return "import"


def kind_from_name(path: Path, *, simulated: bool) -> str:
    """A session kind guessed from a recording's file name, for rebuilds of unknown files."""
    stem = path.stem.lower()
    for kind, words in (
        ("assessment", ("assess",)),
        ("capacity", ("_check", "_deep-breathing", "_recovery")),
        ("demo", ("demo",)),
        ("practice", ("practice", "practise")),
    ):
        if any(w in stem for w in words):
            return kind
    return "demo" if simulated else "practice"


@dataclass(frozen=True)
class _Indexed:
    """A recording read and analysed, ready to become a row."""

    sha256: str
    path: Path
    format: str
    start: datetime
    start_time_source: str
    duration_s: float
    device: str | None
    simulated: bool
    pace: tuple[tuple[float, str], ...]
    summary: dict[str, object]
    checkin: CheckIn
    training: Mapping[str, object] = dataclasses.field(default_factory=dict)


def _indexed_from_row(row: SessionRow) -> _Indexed:
    summary = dict(row.summary)
    for name in METRIC_COLUMNS:
        summary[name] = getattr(row, name)
    return _Indexed(
        sha256=row.sha256,
        path=row.path,
        format=row.format,
        start=row.start,
        start_time_source=row.start_time_source,
        duration_s=row.duration_s,
        device=row.device,
        simulated=row.simulated,
        pace=row.pace,
        summary=summary,
        checkin=row.checkin,
        training={name: getattr(row, name) for name in TRAINING_COLUMNS},
    )


def training_values(recording: Recording, duration_s: float) -> dict[str, object]:
    """The training columns of a recorded session, computed as the live session did
    (:func:`hrvcoach.training.live.training_of_recording`). Only for recordings that can be
    practice; a recording that cannot be judged gets its practice time and counted flag alone."""
    beats = sum(1 for e in recording.events if type(e).__name__ == "Beat")
    values: dict[str, object] = {"practice_s": duration_s}
    practice = recording.meta.format == "hrvcoach" or (
        import_kind(recording.meta.format, duration_s) == "import"
    )
    if practice and beats:
        try:
            from hrvcoach.training.live import training_of_recording

            values.update(training_of_recording(recording).to_store())
        except Exception as err:  # a recording the live engine cannot take: no zones, no swing
            log.warning("no training values for %s: %s", recording.path, err)
    practice_s = _number(values.get("practice_s"))
    values["counted"] = bool(beats > 0 and (practice_s or 0.0) >= MIN_COUNTED_S)
    return values
