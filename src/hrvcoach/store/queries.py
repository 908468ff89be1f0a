"""Reading the session index: single sessions and the lists the trends are drawn from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hrvcoach.errors import StoreError
from hrvcoach.store.database import StoreBase
from hrvcoach.store.indexing import _aware, _utc_text, sha256_file
from hrvcoach.store.rows import SessionRow


class Queries(StoreBase):
    """Reading sessions back: by id, by content, and in time order for the trends."""

    def find_by_hash(self, sha256: str) -> SessionRow | None:
        rows = self._query("SELECT * FROM sessions WHERE sha256 = ?", (sha256,))
        return self._row(rows[0], self.base) if rows else None

    def find_file(self, path: Path) -> SessionRow | None:
        """The row of a file with the same bytes as ``path``, if it is indexed."""
        return self.find_by_hash(sha256_file(Path(path)))

    def session(self, session_id: int) -> SessionRow:
        """One session by id; :class:`StoreError` if there is none."""
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise StoreError(f"no session {session_id} in the history (see 'hrvcoach sessions')")
        return self._row(rows[0], self.base)

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
        return [self._row(r, self.base) for r in self._query(sql, params)]
