"""The session history: an SQLite index over the recordings in the data directory.

The recordings are the source of truth; ``history.sqlite`` is an index that makes the history fast
to list and chart. It can always be rebuilt from the files (:meth:`HistoryStore.rebuild`), and a
failure of the index (corrupt file, another program holding the lock) raises a one-line
:class:`~hrvcoach.errors.StoreError` and never touches a recording.

Check-ins (stress before and after a session, 0-10, and a note) live in the index and also in the
recording itself, as ``Mark(kind="checkin")`` lines (see :func:`checkin_marks`), so a rebuild keeps
them. See ``docs/history.md`` for the rules.

Schema history (``PRAGMA user_version``):

* v1: ``sessions`` (one row per recording, keyed by the sha256 of its bytes).
* v2: check-in columns on ``sessions`` and the ``assessments`` table.
* v3: imports that are not practice (workouts, long Holter recordings) get the kind ``other``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrvcoach.beats import Mark
from hrvcoach.errors import StoreError

if TYPE_CHECKING:
    from hrvcoach.analysis import Summary
    from hrvcoach.recording import Recording

log = logging.getLogger(__name__)

DB_NAME = "history.sqlite"
SCHEMA_VERSION = 3
KINDS = ("practice", "demo", "import", "assessment", "other")
#: Kinds that are practice: counted in the trends' minutes, streaks and metrics. ``other`` is a
#: recording that is not a breathing session (a 24-hour Holter, a workout): listed, reportable,
#: but its hours are not minutes practised and its HRV is not comparable with a resting session.
PRACTICE_KINDS = ("practice", "demo", "import", "assessment")
#: Formats written by sports watches and bike computers: their recordings are workouts.
ACTIVITY_FORMATS = ("garmin-fit", "polar-hrm")
#: An imported recording longer than this is not taken for a practice session.
MAX_IMPORTED_PRACTICE_S = 45 * 60.0
STRESS_MIN = 0
STRESS_MAX = 10
DEFAULT_TIMEOUT_S = 5.0

#: Whole-session metrics copied from :class:`hrvcoach.analysis.Summary` into their own columns.
METRIC_COLUMNS: tuple[str, ...] = (
    "beats",
    "mean_rr_ms",
    "mean_hr_bpm",
    "rmssd_ms",
    "sdnn_ms",
    "pnn50_pct",
    "lf_ms2",
    "hf_ms2",
    "lf_hf",
    "lf_peak_hz",
    "coherence",
    "artifacts_corrected",
)

_SCHEMA_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    kind TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    utc_offset_s INTEGER NOT NULL,
    start_time_source TEXT NOT NULL,
    duration_s REAL NOT NULL,
    device TEXT,
    simulated INTEGER NOT NULL,
    pace_json TEXT NOT NULL,
    beats INTEGER,
    mean_rr_ms REAL,
    mean_hr_bpm REAL,
    rmssd_ms REAL,
    sdnn_ms REAL,
    pnn50_pct REAL,
    lf_ms2 REAL,
    hf_ms2 REAL,
    lf_hf REAL,
    lf_peak_hz REAL,
    coherence REAL,
    artifacts_corrected INTEGER,
    summary_json TEXT NOT NULL,
    added_utc TEXT NOT NULL
);
CREATE INDEX sessions_by_start ON sessions (start_utc);
"""

# Each migration takes the database from version i+1 to i+2; never edit one that has shipped.
_MIGRATIONS: tuple[str, ...] = (
    _SCHEMA_V1,
    """
    ALTER TABLE sessions ADD COLUMN checkin_before INTEGER
        CHECK (checkin_before BETWEEN 0 AND 10);
    ALTER TABLE sessions ADD COLUMN checkin_after INTEGER
        CHECK (checkin_after BETWEEN 0 AND 10);
    ALTER TABLE sessions ADD COLUMN note TEXT;
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        time_utc TEXT NOT NULL,
        utc_offset_s INTEGER NOT NULL,
        rate_bpm REAL NOT NULL,
        confidence,
        steps_json TEXT NOT NULL,
        recording_path TEXT,
        session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL
    );
    CREATE INDEX assessments_by_time ON assessments (time_utc);
    """,
    # Keep in step with import_kind(): a v2 history counted workouts and Holter days as practice.
    """
    UPDATE sessions SET kind = 'other'
        WHERE kind = 'import' AND (format IN ('garmin-fit', 'polar-hrm') OR duration_s > 2700);
    """,
)
assert len(_MIGRATIONS) == SCHEMA_VERSION


class CorruptStoreError(StoreError):
    """The history database is damaged or not a database at all (the recordings are fine)."""


# -- check-ins -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckIn:
    """How the person felt: stress 0-10 before and after a session, and a free note."""

    before: int | None = None
    after: int | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        return self.before is None and self.after is None and not self.note


def validate_stress(value: int | None, what: str) -> int | None:
    """``value`` if it is a whole number 0-10 (or ``None``), else a :class:`StoreError`."""
    if value is None:
        return None
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not STRESS_MIN <= value <= STRESS_MAX:
        raise StoreError(
            f"{what} stress must be a whole number {STRESS_MIN}-{STRESS_MAX}, not {value!r}"
        )
    return value


def checkin_marks(
    t_s: float, *, before: int | None = None, after: int | None = None, note: str | None = None
) -> tuple[Mark, ...]:
    """The ``Mark`` events that carry a check-in inside a recording.

    Written into the recording by the practice and demo commands, so that
    :meth:`HistoryStore.rebuild` finds them again: ``Mark("checkin", "before stress=6")``,
    ``Mark("checkin", "after stress=3")`` and ``Mark("note", "<text>")`` (newlines folded to
    spaces).
    """
    marks = []
    if validate_stress(before, "before") is not None:
        marks.append(Mark(t_s, "checkin", f"before stress={before}"))
    if validate_stress(after, "after") is not None:
        marks.append(Mark(t_s, "checkin", f"after stress={after}"))
    if note and note.strip():
        marks.append(Mark(t_s, "note", " ".join(note.split())))
    return tuple(marks)


def checkin_from_marks(marks: Iterable[Mark]) -> CheckIn:
    """The check-in carried by a recording's marks (see :func:`checkin_marks`).

    Reads ``checkin`` marks as ``before stress=N`` / ``after stress=N`` (also ``before=N``,
    ``after=N``, ``note=TEXT``); the last value of each wins. ``note`` marks make the note.
    """
    before = after = None
    note = None
    notes: list[str] = []
    for mark in marks:
        if mark.kind == "note" and mark.text.strip():
            notes.append(mark.text.strip())
            continue
        if mark.kind != "checkin":
            continue
        text = mark.text.strip()
        key, _, value = text.partition("=")
        when = key.split()[0].strip().lower() if key.split() else ""
        try:
            if when == "before":
                before = validate_stress(int(value), "before")
            elif when == "after":
                after = validate_stress(int(value), "after")
            elif when == "note":
                note = value.strip() or None
            else:
                raise ValueError(text)
        except (ValueError, StoreError):
            log.warning("ignoring unreadable check-in mark %r", mark.text)
    if note is None and notes:
        note = "; ".join(notes)
    return CheckIn(before, after, note)


# -- rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    """One session in the history.

    Attributes:
        id: Stable id (``hrvcoach report ID``).
        sha256: Hash of the recording's bytes; the same file is indexed once.
        path: The recording (in ``recordings/`` or, for imports, where it was imported from).
        format: Recording format (``"hrvcoach"``, ``"hrvlogger"``, ``"garmin-fit"``...).
        kind: ``practice``, ``demo``, ``import``, ``assessment`` or ``other`` (a recording that
            is not practice: see :func:`import_kind`).
        start: Start time, timezone-aware, in the local offset in force when it was recorded.
        start_time_source: Where ``start`` came from: ``file``, ``filename`` or ``mtime``.
        duration_s: Length of the recording in seconds.
        device: Sensor name, where known.
        simulated: True when no real heart produced the beats.
        pace: The pacer plan: ``(t_s, label)`` for each pace in force (``"6.0 4:6"``).
        metrics: Whole-session values from :func:`hrvcoach.analysis.analyze` (``None`` where the
            recording was too short for one).
        checkin: Stress before/after and note.
        added: When the row was written (UTC).
    """

    id: int
    sha256: str
    path: Path
    format: str
    kind: str
    start: datetime
    start_time_source: str
    duration_s: float
    device: str | None
    simulated: bool
    pace: tuple[tuple[float, str], ...]
    beats: int | None
    mean_rr_ms: float | None
    mean_hr_bpm: float | None
    rmssd_ms: float | None
    sdnn_ms: float | None
    pnn50_pct: float | None
    lf_ms2: float | None
    hf_ms2: float | None
    lf_hf: float | None
    lf_peak_hz: float | None
    coherence: float | None
    artifacts_corrected: int | None
    checkin: CheckIn
    added: datetime
    summary: Mapping[str, object] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def local_date(self) -> date:
        """The calendar day the person practised on (in their offset at the time)."""
        return self.start.date()

    @property
    def minutes(self) -> float:
        return self.duration_s / 60.0

    @property
    def is_practice(self) -> bool:
        """Whether the session counts as practice in the trends (its kind is not ``other``)."""
        return self.kind in PRACTICE_KINDS

    @property
    def pace_bpm(self) -> float | None:
        """The breathing rate held longest in the session, or ``None`` if there was no pacer."""
        label = self.pace_label
        if label is None:
            return None
        try:
            return float(label.split()[0])
        except (ValueError, IndexError):
            return None

    @property
    def pace_label(self) -> str | None:
        """The pace label held longest (``"6.0 4:6"``), or ``None`` if there was no pacer."""
        if not self.pace:
            return None
        spans: dict[str, float] = {}
        for i, (t_s, label) in enumerate(self.pace):
            end = self.pace[i + 1][0] if i + 1 < len(self.pace) else max(self.duration_s, t_s)
            spans[label] = spans.get(label, 0.0) + max(0.0, min(end, self.duration_s) - t_s)
        return max(spans, key=lambda k: (spans[k], -list(spans).index(k)))

    @property
    def stress_change(self) -> int | None:
        """``after - before`` (negative is calmer), where both were given."""
        if self.checkin.before is None or self.checkin.after is None:
            return None
        return self.checkin.after - self.checkin.before

    def to_json(self) -> dict[str, object]:
        """Plain JSON-able values (``hrvcoach sessions --json``)."""
        out: dict[str, object] = {
            "id": self.id,
            "start": self.start.isoformat(),
            "start_time_source": self.start_time_source,
            "kind": self.kind,
            "duration_s": round(self.duration_s, 3),
            "format": self.format,
            "device": self.device,
            "simulated": self.simulated,
            "pace": [[t, label] for t, label in self.pace],
            "pace_bpm": self.pace_bpm,
        }
        for name in METRIC_COLUMNS:
            out[name] = getattr(self, name)
        out.update(
            checkin_before=self.checkin.before,
            checkin_after=self.checkin.after,
            stress_change=self.stress_change,
            note=self.checkin.note,
            path=str(self.path),
            sha256=self.sha256,
        )
        return out


@dataclass(frozen=True)
class AssessmentRow:
    """One resonance assessment.

    Attributes:
        id: Row id.
        time: When it was done (timezone-aware).
        rate_bpm: The resonance rate found, breaths/min.
        confidence: The assessor's confidence (a number 0-1 or a word, as the assessor reports it).
        steps: One mapping per step tried (rate, scores ...), as the assessor reported them.
        recording_path: The recording of the assessment, if any.
        session_id: Its row in ``sessions``, if it was indexed.
    """

    id: int
    time: datetime
    rate_bpm: float
    confidence: float | str | None
    steps: tuple[Mapping[str, object], ...]
    recording_path: Path | None
    session_id: int | None


@dataclass(frozen=True)
class RebuildResult:
    """What :meth:`HistoryStore.rebuild` did.

    Attributes:
        indexed: Sessions in the index afterwards, read from their recordings.
        kept: Rows kept as they were because their recording is missing or now unreadable.
        failed: ``(path, message)`` for files that could not be read (and had no row to keep).
        new: Recordings that were not in the index before.
    """

    indexed: int
    kept: tuple[tuple[Path, str], ...]
    failed: tuple[tuple[Path, str], ...]
    new: int


# -- helpers -------------------------------------------------------------------------------------


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
        ("demo", ("demo",)),
        ("practice", ("practice", "practise")),
    ):
        if any(w in stem for w in words):
            return kind
    return "demo" if simulated else "practice"


# -- the store -----------------------------------------------------------------------------------


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


class HistoryStore:
    """The session history database.

    Args:
        db_path: The SQLite file (created with its folder if missing).
        timeout_s: How long to wait for another writer's lock before giving up with a
            :class:`StoreError`.
        reader: Reads a recording (default :func:`hrvcoach.readers.read_recording`).
        analyzer: Whole-session summary of a recording (default :func:`hrvcoach.analysis.analyze`).

    Use as a context manager, or call :meth:`close`. Every method that fails because of the
    database raises :class:`StoreError` with a one-line message; recordings are never modified.
    """

    def __init__(
        self,
        db_path: Path,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        reader: Callable[[Path], Recording] | None = None,
        analyzer: Callable[[Recording], Summary] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.timeout_s = timeout_s
        self._reader = reader
        self._analyzer = analyzer
        self._conn: sqlite3.Connection | None = None
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create {self.db_path.parent}: {err.strerror}") from None
        with self._guard():
            conn = sqlite3.connect(self.db_path, timeout=timeout_s, isolation_level=None)
            self._conn = conn
            try:
                conn.execute("PRAGMA foreign_keys = ON")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.db_path} was written by a newer hrvcoach (schema v{version}, this "
                        f"one knows v{SCHEMA_VERSION}); upgrade hrvcoach"
                    )
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("history database is in %s mode, not WAL", mode)
                self._migrate(version)
            except BaseException:
                self.close()
                raise

    @staticmethod
    def set_aside(db_path: Path) -> Path:
        """Rename a damaged database (and its WAL files) out of the way; never deletes anything.

        Returns:
            The new name of the database file.
        """
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
        try:
            for suffix in ("-wal", "-shm", ""):
                part = Path(f"{db_path}{suffix}")
                if part.exists():
                    os.replace(part, Path(f"{aside}{suffix}"))
        except OSError as err:
            raise StoreError(f"cannot move {db_path} aside: {err.strerror or err}") from None
        return aside

    @classmethod
    def salvage(cls, db_path: Path, *, max_misses: int = 1000) -> list[SessionRow]:
        """The session rows that can still be read from a damaged database (read-only).

        Reads the table in order until the damage stops it, then row by row past the damaged
        pages (stopping after ``max_misses`` ids in a row that give nothing). Whatever cannot be
        read is skipped; this never raises and never writes.
        """
        rows: dict[int, SessionRow] = {}
        try:
            conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            return []
        conn.row_factory = sqlite3.Row
        last = 0
        try:
            try:
                for raw in conn.execute("SELECT * FROM sessions ORDER BY id"):
                    with contextlib.suppress(Exception):
                        rows[raw["id"]] = cls._row(raw)
                        last = raw["id"]
            except sqlite3.Error:
                misses = 0
                row_id = last
                while misses < max_misses:
                    row_id += 1
                    try:
                        raw = conn.execute(
                            "SELECT * FROM sessions WHERE id = ?", (row_id,)
                        ).fetchone()
                        if raw is None:
                            misses += 1
                            continue
                        rows[row_id] = cls._row(raw)
                        misses = 0
                    except Exception:  # a damaged page: that row is lost, the next may not be
                        misses += 1
        except sqlite3.Error:
            pass  # not even the table can be found: nothing to salvage
        finally:
            conn.close()
        return [rows[k] for k in sorted(rows)]

    @classmethod
    def open(cls, data_dir: Path, **kwargs: Any) -> HistoryStore:
        """The history of the data directory ``data_dir`` (``data_dir/history.sqlite``)."""
        return cls(Path(data_dir) / DB_NAME, **kwargs)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._guard():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- internals ------------------------------------------------------------------------------
    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.db_path} is closed")
        return self._conn

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite failures into one-line :class:`StoreError` messages."""
        try:
            yield
        except sqlite3.OperationalError as err:
            text = str(err).lower()
            if "locked" in text or "busy" in text:
                raise StoreError(
                    f"{self.db_path} is locked by another program (waited {self.timeout_s:g} s); "
                    "recordings are safe, try again when it has finished"
                ) from None
            if "unable to open" in text or "readonly" in text or "disk i/o" in text:
                raise StoreError(f"cannot write {self.db_path}: {err}") from None
            raise StoreError(f"{self.db_path}: {err}") from None
        except sqlite3.DatabaseError as err:
            raise CorruptStoreError(
                f"{self.db_path} is not a usable history database ({err}); recordings are safe: "
                "'hrvcoach sessions --rebuild' keeps it aside and rebuilds the history"
            ) from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        with self._guard():
            # IMMEDIATE takes the write lock up front, so a busy database fails before any work.
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _migrate(self, version: int) -> None:
        if version == SCHEMA_VERSION:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the lock: another process may have migrated meanwhile.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, SCHEMA_VERSION):
                log.info("migrating %s to schema v%d", self.db_path, step + 1)
                for statement in _MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {step + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _read(self, path: Path) -> Recording:
        if self._reader is not None:
            return self._reader(path)
        from hrvcoach.readers import read_recording

        return read_recording(path)

    def _analyze(self, recording: Recording) -> Summary:
        if self._analyzer is not None:
            return self._analyzer(recording)
        from hrvcoach.analysis import analyze

        return analyze(recording)

    def _index(self, path: Path, sha: str, summary: Summary | None) -> _Indexed:
        recording = self._read(path)
        meta = recording.meta
        start = meta.start_time
        source = meta.start_time_source if start is not None else None
        if start is None:
            start = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
            source = "mtime"
        start = local_start(start, source or "file", meta.format, float(recording.duration_s))
        if summary is None:
            summary = self._analyze(recording)
        return _Indexed(
            sha256=sha,
            path=path,
            format=meta.format,
            start=_aware(start),
            start_time_source=source or "file",
            duration_s=float(recording.duration_s),
            device=meta.device,
            simulated=bool(meta.simulated),
            pace=pace_plan(recording),
            summary=_summary_values(summary),
            checkin=checkin_from_marks(recording.marks),
        )

    def _insert(
        self,
        db: sqlite3.Connection,
        item: _Indexed,
        kind: str,
        checkin: CheckIn,
        row_id: int | None,
    ) -> int:
        values: dict[str, object] = {
            "id": row_id,
            "sha256": item.sha256,
            "path": str(item.path),
            "format": item.format,
            "kind": kind,
            "start_utc": _utc_text(item.start),
            "utc_offset_s": _offset_s(item.start),
            "start_time_source": item.start_time_source,
            "duration_s": item.duration_s,
            "device": item.device,
            "simulated": int(item.simulated),
            "pace_json": json.dumps([[t, label] for t, label in item.pace]),
            "summary_json": json.dumps(_json_safe(item.summary)),
            "added_utc": _utc_text(datetime.now(UTC)),
            "checkin_before": checkin.before,
            "checkin_after": checkin.after,
            "note": checkin.note,
        }
        for name in METRIC_COLUMNS:
            number = _number(item.summary.get(name))
            if number is not None and name in ("beats", "artifacts_corrected"):
                values[name] = int(number)
            else:
                values[name] = number
        columns = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        cur = db.execute(f"INSERT INTO sessions ({columns}) VALUES ({marks})", values)
        return int(cur.lastrowid or 0)

    @staticmethod
    def _row(raw: sqlite3.Row) -> SessionRow:
        metrics: dict[str, Any] = {name: raw[name] for name in METRIC_COLUMNS}
        return SessionRow(
            id=raw["id"],
            sha256=raw["sha256"],
            path=Path(raw["path"]),
            format=raw["format"],
            kind=raw["kind"],
            start=_from_utc_text(raw["start_utc"], raw["utc_offset_s"]),
            start_time_source=raw["start_time_source"],
            duration_s=raw["duration_s"],
            device=raw["device"],
            simulated=bool(raw["simulated"]),
            pace=tuple((float(t), str(label)) for t, label in json.loads(raw["pace_json"])),
            checkin=CheckIn(raw["checkin_before"], raw["checkin_after"], raw["note"]),
            added=datetime.fromisoformat(raw["added_utc"]),
            summary=json.loads(raw["summary_json"]),
            **metrics,
        )

    def _query(self, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> list[Any]:
        db = self._db
        with self._guard():
            db.row_factory = sqlite3.Row
            try:
                return db.execute(sql, params).fetchall()
            finally:
                db.row_factory = None

    # -- sessions -------------------------------------------------------------------------------
    def add_recording(
        self,
        path: Path,
        *,
        kind: str | None = "practice",
        checkin_before: int | None = None,
        checkin_after: int | None = None,
        note: str | None = None,
        summary: Summary | None = None,
    ) -> SessionRow:
        """Index one recording (once: a file with the same bytes returns the row already there).

        Args:
            path: The recording, in any format :func:`hrvcoach.readers.read_recording` reads.
            kind: ``practice``, ``demo``, ``import``, ``assessment`` or ``other``; ``None`` for a
                file from another app: ``import`` or ``other`` as :func:`import_kind` decides.
            checkin_before: Stress 0-10 before the session (overrides a check-in mark in the file).
            checkin_after: Stress 0-10 after the session.
            note: A free note.
            summary: The whole-session summary if the caller has it already (else it is computed).

        Returns:
            The session's row. For a file already indexed, check-ins given here are added to it.

        Raises:
            StoreError: The database cannot be written (the recording is untouched), or bad values.
            RecordingError: The file cannot be read as a recording.
        """
        if kind is not None and kind not in KINDS:
            raise StoreError(f"unknown session kind {kind!r} (one of {', '.join(KINDS)})")
        given = CheckIn(
            validate_stress(checkin_before, "before"),
            validate_stress(checkin_after, "after"),
            note.strip() if note and note.strip() else None,
        )
        path = Path(path).expanduser().resolve()
        try:
            sha = sha256_file(path)
        except OSError as err:
            from hrvcoach.errors import RecordingError

            raise RecordingError(path, err.strerror or str(err)) from None
        existing = self.find_by_hash(sha)
        if existing is not None:
            if not given.empty:
                self.set_checkin(
                    existing.id, before=given.before, after=given.after, note=given.note
                )
                existing = self.session(existing.id)
            return existing
        item = self._index(path, sha, summary)
        checkin = CheckIn(
            given.before if given.before is not None else item.checkin.before,
            given.after if given.after is not None else item.checkin.after,
            given.note or item.checkin.note,
        )
        with self._write() as db:
            # Another process may have indexed the same bytes while this one was analysing.
            again = db.execute("SELECT id FROM sessions WHERE sha256 = ?", (sha,)).fetchone()
            if kind is None:
                kind = import_kind(item.format, item.duration_s)
            row_id = again[0] if again else self._insert(db, item, kind, checkin, None)
        log.info("indexed %s as session %d", path, row_id)
        return self.session(row_id)

    def find_by_hash(self, sha256: str) -> SessionRow | None:
        rows = self._query("SELECT * FROM sessions WHERE sha256 = ?", (sha256,))
        return self._row(rows[0]) if rows else None

    def find_file(self, path: Path) -> SessionRow | None:
        """The row of a file with the same bytes as ``path``, if it is indexed."""
        return self.find_by_hash(sha256_file(Path(path)))

    def session(self, session_id: int) -> SessionRow:
        """One session by id; :class:`StoreError` if there is none."""
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise StoreError(f"no session {session_id} in the history (see 'hrvcoach sessions')")
        return self._row(rows[0])

    def sessions(
        self, *, since: datetime | None = None, kinds: Sequence[str] | None = None
    ) -> list[SessionRow]:
        """Sessions in start-time order, optionally from ``since`` on and of some ``kinds``."""
        sql = "SELECT * FROM sessions"
        where: list[str] = []
        params: list[object] = []
        if since is not None:
            where.append("start_utc >= ?")
            params.append(_utc_text(_aware(since)))
        if kinds:
            where.append(f"kind IN ({', '.join('?' for _ in kinds)})")
            params.extend(kinds)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY start_utc, id"
        return [self._row(r) for r in self._query(sql, params)]

    def set_checkin(
        self,
        session_id: int,
        *,
        before: int | None = None,
        after: int | None = None,
        note: str | None = None,
    ) -> None:
        """Set the given parts of a session's check-in (``None`` leaves a part as it is)."""
        validate_stress(before, "before")
        validate_stress(after, "after")
        with self._write() as db:
            cur = db.execute(
                "UPDATE sessions SET checkin_before = COALESCE(?, checkin_before),"
                " checkin_after = COALESCE(?, checkin_after), note = COALESCE(?, note)"
                " WHERE id = ?",
                (before, after, note, session_id),
            )
            if cur.rowcount == 0:
                raise StoreError(f"no session {session_id} in the history")

    def rebuild(
        self,
        recordings_dir: Path,
        *,
        progress: Callable[[Path], None] | None = None,
        previous: Sequence[SessionRow] | None = None,
    ) -> RebuildResult:
        """Rebuild the index from the recordings.

        Reads every file in ``recordings_dir`` and every file indexed before from elsewhere
        (imports), re-analyses each and replaces the index in one transaction. Ids, kinds and
        check-ins of files already known (same bytes) are kept; check-in marks in a recording win.
        A row whose file is missing or no longer readable is kept as it was, so the history never
        shrinks because a drive is unplugged.

        Args:
            recordings_dir: The data folder's ``recordings/``.
            progress: Called with each file before it is read.
            previous: The rows known before (default: this index's); :meth:`salvage` gives those
                of a damaged database, so imports and check-ins outlive it.
        """
        old = {row.sha256: row for row in (self.sessions() if previous is None else previous)}
        old_by_path = {row.path: row for row in old.values()}
        candidates: list[Path] = []
        if recordings_dir.is_dir():
            candidates += sorted(
                p.resolve()
                for p in recordings_dir.iterdir()
                if p.is_file()
                and not p.name.startswith(".")
                and not p.name.endswith((".tmp", ".result.json"))  # not recordings: sidecars
            )
        candidates += [p for p in sorted(old_by_path) if p not in candidates]
        items: list[tuple[_Indexed, str, CheckIn, int | None]] = []
        kept: list[tuple[Path, str]] = []
        failed: list[tuple[Path, str]] = []
        seen: set[str] = set()
        for path in candidates:
            before_row = old_by_path.get(path)
            if progress is not None:
                progress(path)
            if not path.is_file():
                if before_row is not None:
                    kept.append((path, "missing"))
                    seen.add(before_row.sha256)
                continue
            try:
                sha = sha256_file(path)
                if sha in seen:
                    continue
                item = self._index(path, sha, None)
            except Exception as err:  # one bad file must not stop the others
                message = str(err).splitlines()[0] if str(err) else type(err).__name__
                log.warning("cannot index %s: %s", path, message)
                log.debug("details", exc_info=True)
                if before_row is not None:
                    kept.append((path, message))
                    seen.add(before_row.sha256)
                else:
                    failed.append((path, message))
                continue
            seen.add(sha)
            known = old.get(sha) or before_row
            if known is not None and known.sha256 != sha:
                known = None  # the file changed: a different recording now
            checkin = CheckIn(
                item.checkin.before if item.checkin.before is not None else _get(known, "before"),
                item.checkin.after if item.checkin.after is not None else _get(known, "after"),
                item.checkin.note or _get(known, "note"),
            )
            if known is not None:
                kind = known.kind
            elif path.parent != recordings_dir.resolve():
                kind = import_kind(item.format, item.duration_s)
            else:
                kind = kind_from_name(path, simulated=item.simulated)
            items.append((item, kind, checkin, known.id if known else None))
        kept_rows = [old[s] for s in seen if s in old and s not in {i.sha256 for i, *_ in items}]
        with self._write() as db:
            db.execute("DELETE FROM sessions")
            # Rows that keep their id go in first, so a new row's automatic id cannot take one.
            for row in kept_rows:
                self._insert(db, _indexed_from_row(row), row.kind, row.checkin, row.id)
            for item, kind, checkin, row_id in sorted(items, key=lambda i: i[3] is None):
                self._insert(db, item, kind, checkin, row_id)
        new = sum(1 for _, _, _, row_id in items if row_id is None)
        return RebuildResult(len(items), tuple(kept), tuple(failed), new)

    # -- assessments ----------------------------------------------------------------------------
    def add_assessment(
        self,
        *,
        rate_bpm: float,
        confidence: float | str | None,
        steps: Sequence[object] = (),
        time: datetime | None = None,
        recording: Path | None = None,
    ) -> AssessmentRow:
        """Record a resonance assessment.

        Args:
            rate_bpm: The resonance rate found (breaths/min).
            confidence: How sure the assessor is (a number 0-1 or a word).
            steps: Per-step scores: mappings or dataclasses (stored as JSON).
            time: When it was done (default now).
            recording: The assessment's recording; linked to its session row if indexed.
        """
        if not (_number(rate_bpm) and 0 < float(rate_bpm) < 30):
            raise StoreError(f"assessment rate {rate_bpm!r} is not a breathing rate")
        when = _aware(time) if time is not None else datetime.now().astimezone()
        steps_json = json.dumps(_json_safe(list(steps)))
        if isinstance(confidence, float | int) and not isinstance(confidence, bool):
            confidence = float(confidence)
        session_id = None
        rec_path = Path(recording).expanduser().resolve() if recording is not None else None
        if rec_path is not None:
            hit = self._query("SELECT id FROM sessions WHERE path = ?", (str(rec_path),))
            session_id = hit[0]["id"] if hit else None
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO assessments (time_utc, utc_offset_s, rate_bpm, confidence, steps_json,"
                " recording_path, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _utc_text(when),
                    _offset_s(when),
                    float(rate_bpm),
                    confidence,
                    steps_json,
                    str(rec_path) if rec_path else None,
                    session_id,
                ),
            )
            row_id = int(cur.lastrowid or 0)
        return self._assessments("WHERE id = ?", (row_id,))[0]

    def latest_assessment(self) -> AssessmentRow | None:
        """The most recent assessment, or ``None`` if there has been none."""
        rows = self._assessments("ORDER BY time_utc DESC, id DESC LIMIT 1", ())
        return rows[0] if rows else None

    def assessments(self) -> list[AssessmentRow]:
        """Every assessment, oldest first."""
        return self._assessments("ORDER BY time_utc, id", ())

    def _assessments(self, tail: str, params: Sequence[object]) -> list[AssessmentRow]:
        return [
            AssessmentRow(
                id=r["id"],
                time=_from_utc_text(r["time_utc"], r["utc_offset_s"]),
                rate_bpm=r["rate_bpm"],
                confidence=r["confidence"],
                steps=tuple(json.loads(r["steps_json"])),
                recording_path=Path(r["recording_path"]) if r["recording_path"] else None,
                session_id=r["session_id"],
            )
            for r in self._query(f"SELECT * FROM assessments {tail}", params)
        ]


def _get(row: SessionRow | None, part: str) -> Any:
    return getattr(row.checkin, part) if row is not None else None


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
    )


def default_store(data_dir: str | os.PathLike[str] | None = None) -> HistoryStore:
    """The store of the user's data directory (``--data-dir``, ``$HRVCOACH_DATA_DIR``, default)."""
    from hrvcoach.paths import data_dir as resolve

    return HistoryStore.open(resolve(data_dir))
