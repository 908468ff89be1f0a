"""The SQLite connection under the history: open, migrate, guard, read and write rows."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from hrvcoach.errors import StoreError
from hrvcoach.store.checkins import CheckIn, checkin_from_marks
from hrvcoach.store.indexing import (
    _aware,
    _from_utc_text,
    _Indexed,
    _json_safe,
    _number,
    _offset_s,
    _summary_values,
    _utc_text,
    local_start,
    pace_plan,
    training_values,
)
from hrvcoach.store.rows import SessionRow
from hrvcoach.store.schema import (
    _MIGRATIONS,
    DEFAULT_TIMEOUT_S,
    METRIC_COLUMNS,
    SCHEMA_VERSION,
    TRAINING_COLUMNS,
)

if TYPE_CHECKING:
    from hrvcoach.analysis import Summary
    from hrvcoach.recording import Recording

log = logging.getLogger(__name__)


class CorruptStoreError(StoreError):
    """The history database is damaged or not a database at all (the recordings are fine)."""


class StoreBase:
    """The connection to the history database: opening and migrating it, turning SQLite
    failures into one-line errors, and the row conversions every part of the store shares.

    See :class:`~hrvcoach.store.HistoryStore` for the arguments.
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

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
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

    def _index(
        self,
        path: Path,
        sha: str,
        summary: Summary | None,
        training: Mapping[str, object] | None = None,
    ) -> _Indexed:
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
            training=(
                dict(training)
                if training is not None
                else training_values(recording, float(recording.duration_s))
            ),
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
        for name in TRAINING_COLUMNS:
            raw_value = item.training.get(name)
            number = _number(int(raw_value) if isinstance(raw_value, bool) else raw_value)
            if number is not None and name in ("counted", "level", "achievement_points"):
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
            **_training_of_raw(raw),
        )

    def _query(self, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> list[Any]:
        db = self._db
        with self._guard():
            db.row_factory = sqlite3.Row
            try:
                return db.execute(sql, params).fetchall()
            finally:
                db.row_factory = None


def _training_of_raw(raw: sqlite3.Row) -> dict[str, Any]:
    keys = raw.keys()
    out: dict[str, Any] = {name: raw[name] for name in TRAINING_COLUMNS if name in keys}
    if out.get("counted") is not None:
        out["counted"] = bool(out["counted"])
    return out
