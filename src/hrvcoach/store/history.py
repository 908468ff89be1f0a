"""The session history as one object: :class:`HistoryStore`."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrvcoach.errors import StoreError
from hrvcoach.store.assessments import Assessments
from hrvcoach.store.capacity import CapacityResults
from hrvcoach.store.checkins import CheckIn, validate_stress
from hrvcoach.store.imports import drop_copy, is_copy, keep_copy, write_sidecar
from hrvcoach.store.indexing import import_kind
from hrvcoach.store.rebuild import Rebuilding
from hrvcoach.store.rows import SessionRow
from hrvcoach.store.schema import DB_NAME, KINDS

if TYPE_CHECKING:
    from hrvcoach.analysis import Summary

log = logging.getLogger(__name__)


class HistoryStore(Rebuilding, Assessments, CapacityResults):
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

    @classmethod
    def open(cls, data_dir: Path, *, notice_lost: bool = True, **kwargs: Any) -> HistoryStore:
        """The history of the data directory ``data_dir`` (``data_dir/history.sqlite``).

        With ``notice_lost``, recordings the index does not know (a history emptied by a crash
        or a sync tool, a deleted ``-wal``) are indexed at once, and a warning says so.
        """
        store = cls(Path(data_dir) / DB_NAME, **kwargs)
        if notice_lost:
            try:
                store.recover_lost()
            except BaseException:
                store.close()
                raise
        return store

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
        training: Mapping[str, object] | None = None,
    ) -> SessionRow:
        """Index one recording (once: a file with the same bytes returns the row already there).

        Args:
            path: The recording, in any format :func:`hrvcoach.readers.read_recording` reads.
            kind: ``practice``, ``demo``, ``import``, ``assessment``, ``other`` or ``capacity``;
                ``None`` for a file from another app: ``import`` or ``other`` as
                :func:`import_kind` decides.
            checkin_before: Stress 0-10 before the session (overrides a check-in mark in the file).
            checkin_after: Stress 0-10 after the session.
            note: A free note.
            summary: The whole-session summary if the caller has it already (else it is computed).
            training: The training columns (``TRAINING_COLUMNS``) the live session computed (else
                they are computed from the recording, as a rebuild does).

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
        source = Path(path).expanduser()
        sha = _sha256_of(source)
        existing = self.find_by_hash(sha)
        if existing is not None:
            if not given.empty:
                self.set_checkin(
                    existing.id, before=given.before, after=given.after, note=given.note
                )
                existing = self.session(existing.id)
            return existing
        inside = _inside(source, self.base)
        # A file from elsewhere is copied in: the data folder, not the index, is what a rebuild
        # reads, so an import outlives a damaged history and a moved or deleted original.
        path = source.resolve() if inside else keep_copy(self.base, source, sha)
        try:
            item = self._index(path, sha, summary, training)
        except BaseException:
            if not inside:
                drop_copy(path)  # not a session: no copy left behind to be noticed as lost
            raise
        checkin = CheckIn(
            given.before if given.before is not None else item.checkin.before,
            given.after if given.after is not None else item.checkin.after,
            given.note or item.checkin.note,
        )
        if kind is None:
            kind = import_kind(item.format, item.duration_s)
        with self._write() as db:
            # Another process may have indexed the same bytes while this one was analysing.
            again = db.execute("SELECT id FROM sessions WHERE sha256 = ?", (sha,)).fetchone()
            # The same file indexed while it was still being written: this is its final form.
            same_path = db.execute(
                "SELECT id FROM sessions WHERE path = ?", (self._stored_path(path),)
            ).fetchone()
            if again:
                row_id = again[0]
            else:
                if same_path:
                    db.execute("DELETE FROM sessions WHERE id = ?", (same_path[0],))
                row_id = self._insert(db, item, kind, checkin, same_path[0] if same_path else None)
        if not inside:
            write_sidecar(path, original=source, kind=kind, checkin=checkin)
        log.info("indexed %s as session %d", path, row_id)
        return self.session(row_id)

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
        row = self.session(session_id)
        if is_copy(self.base, row.path):  # kept beside the copy too, for a rebuild
            write_sidecar(row.path, checkin=CheckIn(before, after, note))


def _sha256_of(path: Path) -> str:
    """The hash of a recording's bytes, read as recordings are read (regular files of any path
    length only; a FIFO, device or symlink loop is a one-line :class:`RecordingError`)."""
    from hrvcoach.readers import read_file

    return hashlib.sha256(read_file(path)).hexdigest()


def _inside(path: Path, base: Path) -> bool:
    try:
        path.resolve().relative_to(base)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def default_store(data_dir: str | os.PathLike[str] | None = None) -> HistoryStore:
    """The store of the user's data directory (``--data-dir``, ``$HRVCOACH_DATA_DIR``, default)."""
    from hrvcoach.paths import data_dir as resolve

    return HistoryStore.open(resolve(data_dir))
