"""The session history: an SQLite index over the recordings in the data directory.

The recordings are the source of truth; ``history.sqlite`` is an index that makes the history fast
to list and chart. It can always be rebuilt from the files (:meth:`HistoryStore.rebuild`), and a
failure of the index (corrupt file, another program holding the lock) raises a one-line
:class:`~hrvcoach.errors.StoreError` and never touches a recording.

Check-ins (stress before and after a session, 0-10, and a note) live in the index and also in the
recording itself, as ``Mark(kind="checkin")`` lines (see :func:`checkin_marks`), so a rebuild keeps
them. See ``docs/history.md`` for the rules.

Where each part lives:

* :mod:`.schema` -- constants, tables and migrations (the schema history is there).
* :mod:`.checkins` -- stress check-ins and their marks in a recording.
* :mod:`.rows` -- the rows handed out: :class:`SessionRow`, :class:`AssessmentRow`.
* :mod:`.indexing` -- from a recording to the values of its row.
* :mod:`.database` -- the connection: open, migrate, guard, read and write rows.
* :mod:`.queries` -- reading sessions back (the lists the trends are drawn from).
* :mod:`.rebuild` -- rebuilding from the recordings; salvaging a damaged database.
* :mod:`.assessments` -- resonance assessments.
* :mod:`.history` -- :class:`HistoryStore`, all of the above as one object.
"""

from hrvcoach.store.checkins import CheckIn, checkin_from_marks, checkin_marks, validate_stress
from hrvcoach.store.database import CorruptStoreError
from hrvcoach.store.history import HistoryStore, default_store
from hrvcoach.store.indexing import import_kind, kind_from_name, local_start, pace_plan, sha256_file
from hrvcoach.store.rows import AssessmentRow, RebuildResult, SessionRow
from hrvcoach.store.schema import (
    ACTIVITY_FORMATS,
    DB_NAME,
    DEFAULT_TIMEOUT_S,
    KINDS,
    MAX_IMPORTED_PRACTICE_S,
    METRIC_COLUMNS,
    PRACTICE_KINDS,
    SCHEMA_VERSION,
    STRESS_MAX,
    STRESS_MIN,
)

__all__ = [
    "ACTIVITY_FORMATS",
    "DB_NAME",
    "DEFAULT_TIMEOUT_S",
    "KINDS",
    "MAX_IMPORTED_PRACTICE_S",
    "METRIC_COLUMNS",
    "PRACTICE_KINDS",
    "SCHEMA_VERSION",
    "STRESS_MAX",
    "STRESS_MIN",
    "AssessmentRow",
    "CheckIn",
    "CorruptStoreError",
    "HistoryStore",
    "RebuildResult",
    "SessionRow",
    "checkin_from_marks",
    "checkin_marks",
    "default_store",
    "import_kind",
    "kind_from_name",
    "local_start",
    "pace_plan",
    "sha256_file",
    "validate_stress",
]
