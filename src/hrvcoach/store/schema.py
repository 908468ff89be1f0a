"""What the history database holds: its constants, tables and migrations.

Schema history (``PRAGMA user_version``):

* v1: ``sessions`` (one row per recording, keyed by the sha256 of its bytes).
* v2: check-in columns on ``sessions`` and the ``assessments`` table.
* v3: imports that are not practice (workouts, long Holter recordings) get the kind ``other``.
* v4: the ``capacity`` table (resting checks, deep-breathing tests, recovery drills) and the
  session kind ``capacity`` for their recordings.
* v5: training columns (:data:`TRAINING_COLUMNS`): practice time, whether the session counted,
  its challenge level, time per coherence zone, achievement points and heart-rate swing per
  breath. A migrated row gets its practice time and counted flag here; its zones and swing come
  with the next ``hrvcoach sessions --rebuild``.

A new version appends one migration to ``_MIGRATIONS`` and raises :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

DB_NAME = "history.sqlite"
SCHEMA_VERSION = 5
KINDS = ("practice", "demo", "import", "assessment", "other", "capacity")
#: Kinds that are practice: counted in the trends' minutes, streaks and metrics. ``other`` is a
#: recording that is not a breathing session (a 24-hour Holter, a workout): listed, reportable,
#: but its hours are not minutes practised and its HRV is not comparable with a resting session.
#: ``capacity`` is a check or a drill: its numbers have their own table and panels.
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

#: Training values of a session (docs/training.md), kept in their own columns.
TRAINING_COLUMNS: tuple[str, ...] = (
    "practice_s",
    "counted",
    "level",
    "zone_low_pct",
    "zone_medium_pct",
    "zone_high_pct",
    "achievement_points",
    "swing_mean_bpm",
    "swing_best_bpm",
)
#: The shortest session that counts (``hrvcoach.training.TrainingRules.min_counted_s``).
MIN_COUNTED_S = 60.0

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
    # Checks and drills made before v4 were indexed by a rebuild as practice from their names.
    """
    CREATE TABLE capacity (
        id INTEGER PRIMARY KEY,
        time_utc TEXT NOT NULL,
        utc_offset_s INTEGER NOT NULL,
        protocol TEXT NOT NULL,
        simulated INTEGER NOT NULL,
        values_json TEXT NOT NULL,
        recording_path TEXT,
        result_path TEXT UNIQUE,
        session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL
    );
    CREATE INDEX capacity_by_time ON capacity (protocol, time_utc);
    UPDATE sessions SET kind = 'capacity'
        WHERE kind IN ('practice', 'demo') AND (path LIKE '%!_check%.csv' ESCAPE '!'
            OR path LIKE '%!_deep-breathing%.csv' ESCAPE '!'
            OR path LIKE '%!_recovery%.csv' ESCAPE '!');
    """,
    """
    ALTER TABLE sessions ADD COLUMN practice_s REAL;
    ALTER TABLE sessions ADD COLUMN counted INTEGER;
    ALTER TABLE sessions ADD COLUMN level INTEGER;
    ALTER TABLE sessions ADD COLUMN zone_low_pct REAL;
    ALTER TABLE sessions ADD COLUMN zone_medium_pct REAL;
    ALTER TABLE sessions ADD COLUMN zone_high_pct REAL;
    ALTER TABLE sessions ADD COLUMN achievement_points INTEGER;
    ALTER TABLE sessions ADD COLUMN swing_mean_bpm REAL;
    ALTER TABLE sessions ADD COLUMN swing_best_bpm REAL;
    UPDATE sessions SET practice_s = duration_s,
        counted = (COALESCE(beats, 0) > 0 AND duration_s >= 60);
    """,
)
assert len(_MIGRATIONS) == SCHEMA_VERSION
