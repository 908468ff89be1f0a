"""Rebuilding the index from the recordings; setting a damaged database aside and salvaging it."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hrvcoach.errors import StoreError
from hrvcoach.store.checkins import CheckIn
from hrvcoach.store.indexing import (
    _Indexed,
    _indexed_from_row,
    import_kind,
    kind_from_name,
    sha256_file,
)
from hrvcoach.store.queries import Queries
from hrvcoach.store.rows import RebuildResult, SessionRow

log = logging.getLogger(__name__)


class Rebuilding(Queries):
    """Rebuilding the index from the recordings, and rescuing what a damaged one still holds."""

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
                # not recordings: sidecars, and the ECG/motion companion files of one
                and not p.name.endswith((".tmp", ".result.json", ".ecg.bin", ".acc.bin"))
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


def _get(row: SessionRow | None, part: str) -> Any:
    return getattr(row.checkin, part) if row is not None else None
