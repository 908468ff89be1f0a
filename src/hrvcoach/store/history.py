"""The session history as one object: :class:`HistoryStore`."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrvcoach.errors import StoreError
from hrvcoach.store.assessments import Assessments
from hrvcoach.store.capacity import CapacityResults
from hrvcoach.store.checkins import CheckIn, validate_stress
from hrvcoach.store.indexing import import_kind, sha256_file
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
    def open(cls, data_dir: Path, **kwargs: Any) -> HistoryStore:
        """The history of the data directory ``data_dir`` (``data_dir/history.sqlite``)."""
        return cls(Path(data_dir) / DB_NAME, **kwargs)

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
        item = self._index(path, sha, summary, training)
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


def default_store(data_dir: str | os.PathLike[str] | None = None) -> HistoryStore:
    """The store of the user's data directory (``--data-dir``, ``$HRVCOACH_DATA_DIR``, default)."""
    from hrvcoach.paths import data_dir as resolve

    return HistoryStore.open(resolve(data_dir))
