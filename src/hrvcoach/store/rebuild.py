"""Rebuilding the index from the recordings; setting a damaged database aside and salvaging it."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from hrvcoach.errors import HrvCoachError, StoreError
from hrvcoach.store.checkins import CheckIn
from hrvcoach.store.imports import (
    all_copies,
    is_copy,
    keep_copy,
    read_sidecar,
    sidecar_checkin,
    write_sidecar,
)
from hrvcoach.store.indexing import (
    _Indexed,
    _indexed_from_row,
    import_kind,
    kind_from_name,
    sha256_file,
)
from hrvcoach.store.queries import Queries
from hrvcoach.store.rows import RebuildResult, SessionRow
from hrvcoach.store.schema import KINDS

log = logging.getLogger(__name__)

#: a recording changed this recently may be a session still running: not taken as lost
SETTLING_S = 120.0


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
                if os.path.lexists(part):  # a dangling link or a folder is moved aside too
                    os.replace(part, Path(f"{aside}{suffix}"))
        except OSError as err:
            raise StoreError(f"cannot move {db_path} aside: {err.strerror or err}") from None
        return aside

    @classmethod
    def salvage(cls, db_path: Path, *, max_misses: int = 1000) -> list[SessionRow]:
        """The session rows that can still be read from a damaged database (read-only).

        Reads the table in order until the damage stops it, then row by row past the damaged
        pages (stopping after ``max_misses`` ids in a row that give nothing). A file cut short
        (SQLite refuses one shorter than its header's page count) is read again from a copy padded
        to its full length, so the rows on the pages that survived come back. Whatever cannot be
        read is skipped; this never raises and never writes to ``db_path``.
        """
        base = _data_folder_of(Path(db_path))
        rows = cls._salvage_rows(Path(db_path), base, max_misses)
        if rows:
            return rows
        with tempfile.TemporaryDirectory(prefix="hrvcoach-salvage-") as tmp:
            padded = _padded_copy(Path(db_path), Path(tmp))
            if padded is not None:
                rows = cls._salvage_rows(padded, base, max_misses)
                if rows:
                    log.info("%s: %d row(s) read past its cut-off end", db_path, len(rows))
        return rows

    @classmethod
    def _salvage_rows(cls, db_path: Path, base: Path, max_misses: int) -> list[SessionRow]:
        rows: dict[int, SessionRow] = {}
        try:
            conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            return []
        conn.row_factory = sqlite3.Row
        last = 0
        try:
            try:
                for raw in conn.execute("SELECT * FROM sessions ORDER BY id"):
                    with contextlib.suppress(Exception):
                        rows[raw["id"]] = cls._row(raw, base)
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
                        rows[row_id] = cls._row(raw, base)
                        misses = 0
                    except Exception:  # a damaged page: that row is lost, the next may not be
                        misses += 1
        except sqlite3.Error:
            pass  # not even the table can be found: nothing to salvage
        finally:
            conn.close()
        return [rows[k] for k in sorted(rows)]

    def unknown_recordings(self, *, now_s: float | None = None) -> list[Path]:
        """Recordings in the data folder that the index does not know, leaving out those still
        being written (changed in the last :data:`SETTLING_S`) and those a rebuild has already
        found to be no session (same size and time as then)."""
        folder = self.base / "recordings"
        files = [p for p in _recording_files(folder)] + all_copies(self.base)
        if not files:
            return []
        known = {r[0] for r in self._query("SELECT path FROM sessions")}
        passed = {r[0]: (r[1], r[2]) for r in self._query("SELECT * FROM unindexed")}
        now_s = time.time() if now_s is None else now_s
        unknown = []
        for path in files:
            stored = self._stored_path(path.resolve())
            if stored in known:
                continue
            try:
                info = path.stat()
            except OSError:
                continue
            if now_s - info.st_mtime < SETTLING_S or passed.get(stored) == (
                info.st_size,
                info.st_mtime_ns,
            ):
                continue
            unknown.append(path)
        return unknown

    def recover_lost(self, *, now_s: float | None = None) -> RebuildResult | None:
        """Index recordings the history has lost, with one warning; ``None`` if none were."""
        lost = self.unknown_recordings(now_s=now_s)
        if not lost:
            return None
        before = len(self.sessions())
        result = self.rebuild(self.base / "recordings")
        log.warning(
            "the history did not know %d recording(s) (it was emptied or rolled back, e.g. by "
            "a crash or a deleted %s-wal); rebuilt it from the recordings: %d session(s), "
            "%d before",
            len(lost),
            self.db_path.name,
            result.indexed,
            before,
        )
        return result

    def _adopt(self, item: _Indexed, kind: str, checkin: CheckIn) -> _Indexed:
        """An import indexed before imports were copied in, still where it was imported from:
        copied into the data folder now (with its kind and check-ins beside it), so it outlives
        its original as later imports do. If the copy cannot be made it stays where it is."""
        try:
            copy = keep_copy(self.base, item.path, item.sha256)
            write_sidecar(copy, original=item.path, kind=kind, checkin=checkin)
        except HrvCoachError as err:
            log.warning("%s stays where it was imported from: %s", item.path, err)
            return item
        log.info("kept a copy of %s as %s", item.path, copy)
        return dataclasses.replace(item, path=copy.resolve())

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
        shrinks because a drive is unplugged. An import indexed before imports were copied, still
        where it was imported from, is copied into the data folder now.

        Args:
            recordings_dir: The data folder's ``recordings/``.
            progress: Called with each file before it is read.
            previous: The rows known before (default: this index's); :meth:`salvage` gives those
                of a damaged database, so imports and check-ins outlive it.
        """
        old = {row.sha256: row for row in (self.sessions() if previous is None else previous)}
        old_by_path = {row.path: row for row in old.values()}
        candidates: list[Path] = sorted(p.resolve() for p in _recording_files(recordings_dir))
        # imports live as copies in the data folder (older ones where they were imported from)
        candidates += [p.resolve() for p in all_copies(self.base) if p.resolve() not in candidates]
        candidates += [p for p in sorted(old_by_path) if p not in candidates]
        items: list[tuple[_Indexed, str, CheckIn, int | None]] = []
        kept: list[tuple[Path, str]] = []
        failed: list[tuple[Path, str]] = []
        skipped: list[tuple[Path, str]] = []
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
                if "fewer than 2 usable beats" in message and before_row is None:
                    skipped.append((path, message))  # not a session (a killed start)
                    continue
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
            side = read_sidecar(path) if is_copy(self.base, path) else {}
            kept_checkin = sidecar_checkin(side)
            checkin = CheckIn(
                _first(item.checkin.before, _get(known, "before"), kept_checkin.before),
                _first(item.checkin.after, _get(known, "after"), kept_checkin.after),
                item.checkin.note or _get(known, "note") or kept_checkin.note,
            )
            if known is not None:
                kind = known.kind
            elif side.get("kind") in KINDS:
                kind = str(side["kind"])
            elif path.parent != recordings_dir.resolve():
                kind = import_kind(item.format, item.duration_s)
            else:
                kind = kind_from_name(path, simulated=item.simulated)
            if before_row is not None and not _inside(path, self.base):
                item = self._adopt(item, kind, checkin)
            items.append((item, kind, checkin, known.id if known else None))
        kept_rows = [old[s] for s in seen if s in old and s not in {i.sha256 for i, *_ in items}]
        with self._write() as db:
            # Files that are no session (or unreadable) are remembered as they are now, so that
            # noticing unknown recordings does not rebuild for them again until they change.
            db.execute("DELETE FROM unindexed")
            for path, _why in (*skipped, *failed):
                with contextlib.suppress(OSError):
                    info = path.stat()
                    db.execute(
                        "INSERT OR REPLACE INTO unindexed VALUES (?, ?, ?)",
                        (self._stored_path(path), info.st_size, info.st_mtime_ns),
                    )
            db.execute("DELETE FROM sessions")
            # Rows that keep their id go in first, so a new row's automatic id cannot take one.
            for row in kept_rows:
                self._insert(db, _indexed_from_row(row), row.kind, row.checkin, row.id)
            for item, kind, checkin, row_id in sorted(items, key=lambda i: i[3] is None):
                self._insert(db, item, kind, checkin, row_id)
        new = sum(1 for _, _, _, row_id in items if row_id is None)
        return RebuildResult(len(items), tuple(kept), tuple(failed), new, tuple(skipped))


def _padded_copy(db_path: Path, folder: Path) -> Path | None:
    """A copy of a database file cut short, zero-filled up to the size its header gives (the
    missing pages then read as damaged pages, not as a file SQLite refuses); ``None`` if the
    file is not cut short or has no SQLite header."""
    try:
        with db_path.open("rb") as f:
            data = f.read()
    except OSError:
        return None
    if len(data) < 100 or not data.startswith(b"SQLite format 3\x00"):
        return None
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(data[28:32], "big")
    full = page_size * pages
    if page_size < 512 or full <= len(data):
        return None
    copy = folder / db_path.name
    copy.write_bytes(data + bytes(full - len(data)))
    return copy


def _recording_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.endswith((".tmp", ".result.json", ".bin"))  # sidecars, ECG and motion
    ]


def _data_folder_of(db_path: Path) -> Path:
    """The data folder a (possibly set-aside) database belongs to: relative paths start there."""
    return db_path.resolve().parent


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _get(row: SessionRow | None, part: str) -> Any:
    return getattr(row.checkin, part) if row is not None else None


def _inside(path: Path, base: Path) -> bool:
    try:
        path.resolve().relative_to(base.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True
