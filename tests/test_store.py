"""The history store on a real SQLite file: indexing, duplicates, check-ins, migration, rebuild,
corrupt and locked databases, assessments, and real recordings read back with analyze's numbers."""

from __future__ import annotations

import math
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.beats import Beat, Mark, SourceInfo
from hrvcoach.errors import StoreError
from hrvcoach.recording import Recording, RecordingWriter, new_recording_path
from hrvcoach.store import (
    DB_NAME,
    SCHEMA_VERSION,
    CheckIn,
    HistoryStore,
    checkin_from_marks,
    checkin_marks,
    sha256_file,
)

# The schema as version 1 shipped it: a frozen copy, so that the migration path is exercised from
# what an older hrvcoach really left on disk (do not update this when the schema changes).
V1_DDL = """
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
PRAGMA user_version = 1;
"""

# What version 2 added to version 1, frozen likewise.
V2_DDL = """
ALTER TABLE sessions ADD COLUMN checkin_before INTEGER CHECK (checkin_before BETWEEN 0 AND 10);
ALTER TABLE sessions ADD COLUMN checkin_after INTEGER CHECK (checkin_after BETWEEN 0 AND 10);
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
PRAGMA user_version = 2;
"""

CET = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class PlainSummary:
    """A stand-in for analysis.Summary in tests of the store's own mechanics (time-domain only)."""

    beats: int
    duration_s: float
    mean_rr_ms: float
    mean_hr_bpm: float
    sdnn_ms: float
    rmssd_ms: float
    pnn50_pct: float
    lf_ms2: float | None = None
    hf_ms2: float | None = None
    lf_hf: float | None = None
    lf_peak_hz: float | None = None
    coherence: float | None = None
    artifacts_corrected: int = 0

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def plain_summary(recording: Recording) -> PlainSummary:
    rr = np.asarray(recording.rr_ms, dtype=float)
    diff = np.diff(rr)
    return PlainSummary(
        beats=len(rr),
        duration_s=float(recording.duration_s),
        mean_rr_ms=float(rr.mean()),
        mean_hr_bpm=float(60000.0 / rr.mean()),
        sdnn_ms=float(rr.std(ddof=1)),
        rmssd_ms=float(np.sqrt(np.mean(diff**2))),
        pnn50_pct=float(100.0 * np.mean(np.abs(diff) > 50)),
    )


def write_session(
    folder: Path,
    start: datetime,
    *,
    kind: str = "practice",
    minutes: float = 3.0,
    rate_bpm: float = 6.0,
    amplitude_ms: float = 60.0,
    before: int | None = None,
    after: int | None = None,
    note: str | None = None,
    simulated: bool = False,
) -> Path:
    """A real hrvcoach recording: RR swinging with the breath at ``rate_bpm``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = new_recording_path(folder, start, kind)
    info = SourceInfo(kind="sim", device="test strap", simulated=simulated)
    pace = f"{rate_bpm:.1f} 4:6"
    with RecordingWriter(path, info=info, pace=[(0.0, pace)], start_time=start) as writer:
        writer.write(Mark(0.0, "pace", pace))
        for mark in checkin_marks(0.0, before=before):
            writer.write(mark)
        t_s = 0.0
        while t_s < minutes * 60:
            rr = 900.0 + amplitude_ms * math.sin(2 * math.pi * rate_bpm / 60 * t_s)
            t_s += rr / 1000
            writer.write(Beat(round(t_s, 3), rr))
        for mark in checkin_marks(t_s, after=after, note=note):
            writer.write(mark)
    return path


def open_store(data_dir: Path, **kwargs: object) -> HistoryStore:
    return HistoryStore.open(data_dir, analyzer=plain_summary, **kwargs)  # type: ignore[arg-type]


def test_new_history_is_a_wal_database_at_the_current_schema(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        assert store.sessions() == []
    conn = sqlite3.connect(data_dir / DB_NAME)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"sessions", "assessments", "capacity"} <= tables
    finally:
        conn.close()


def test_a_recording_is_indexed_with_its_start_pace_metrics_and_checkins(data_dir: Path) -> None:
    folder = data_dir / "recordings"
    folder.mkdir()
    start = datetime(2026, 11, 20, 7, 30, 5, tzinfo=CET)
    path = write_session(folder, start, minutes=4, before=7, after=3, note="slept\nbadly")
    with open_store(data_dir) as store:
        row = store.add_recording(path, kind="practice")
    assert row.id >= 1
    assert row.start == start
    assert row.start.utcoffset() == timedelta(hours=1)
    assert row.start_time_source == "file"
    assert row.local_date.isoformat() == "2026-11-20"
    assert row.format == "hrvcoach"
    assert row.device == "test strap"
    assert not row.simulated
    assert row.pace == ((0.0, "6.0 4:6"),)
    assert row.pace_bpm == 6.0
    assert row.checkin == CheckIn(7, 3, "slept badly")
    assert row.stress_change == -4
    expected = plain_summary(_read(path))
    assert row.beats == expected.beats
    assert row.rmssd_ms == pytest.approx(expected.rmssd_ms, rel=1e-12)
    assert row.mean_hr_bpm == pytest.approx(expected.mean_hr_bpm, rel=1e-12)
    assert row.coherence is None  # the stand-in has none: stored as NULL, not 0
    assert row.duration_s == pytest.approx(_read(path).duration_s)
    assert row.minutes == pytest.approx(4.0, abs=0.05)
    assert row.sha256 == sha256_file(path)
    assert row.path == path.resolve()
    # the JSON form carries the same values
    payload = row.to_json()
    assert payload["checkin_before"] == 7
    assert payload["stress_change"] == -4
    assert payload["start"] == "2026-11-20T07:30:05+01:00"


def _read(path: Path) -> Recording:
    from hrvcoach.readers import read_recording

    return read_recording(path)


def test_the_same_file_twice_is_indexed_once_and_later_checkins_are_kept(
    data_dir: Path, tmp_path: Path
) -> None:
    path = write_session(data_dir, datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    with open_store(data_dir) as store:
        first = store.add_recording(path)
        second = store.add_recording(copy, kind="import", checkin_after=2)
        assert second.id == first.id
        assert second.checkin.after == 2
        assert second.kind == "practice"
        assert len(store.sessions()) == 1
        assert store.find_file(copy) == second


def test_checkins_round_trip_through_recording_marks() -> None:
    marks = checkin_marks(12.5, before=6, after=3, note="  after\nwork ")
    assert [(m.kind, m.text) for m in marks] == [
        ("checkin", "before stress=6"),
        ("checkin", "after stress=3"),
        ("note", "after work"),
    ]
    assert checkin_from_marks(marks) == CheckIn(6, 3, "after work")
    # the short form and junk: junk is ignored, not fatal
    odd = [Mark(0, "checkin", "before=4"), Mark(0, "checkin", "after stress=eleven")]
    assert checkin_from_marks(odd) == CheckIn(4, None, None)


@pytest.mark.parametrize("value", [-1, 11, 2.5, True])
def test_stress_outside_0_to_10_is_a_store_error(data_dir: Path, value: object) -> None:
    path = write_session(data_dir, datetime(2026, 11, 20, 7, 0, tzinfo=UTC), minutes=1)
    with open_store(data_dir) as store, pytest.raises(StoreError, match="0-10"):
        store.add_recording(path, checkin_before=value)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="0-10"):
        checkin_marks(0.0, after=value)  # type: ignore[arg-type]


def test_an_unknown_kind_is_refused(data_dir: Path) -> None:
    path = write_session(data_dir, datetime(2026, 11, 20, 7, 0, tzinfo=UTC), minutes=1)
    with open_store(data_dir) as store, pytest.raises(StoreError, match="kind"):
        store.add_recording(path, kind="jogging")


def test_a_version_1_database_migrates_and_keeps_its_sessions(data_dir: Path) -> None:
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.executescript(V1_DDL)
    conn.execute(
        "INSERT INTO sessions (sha256, path, format, kind, start_utc, utc_offset_s,"
        " start_time_source, duration_s, device, simulated, pace_json, beats, rmssd_ms,"
        " coherence, summary_json, added_utc) VALUES ('abc', '/old/rec.csv', 'hrvcoach',"
        " 'practice', '2026-01-02T06:00:00.000000+00:00', 3600, 'file', 600.0, 'Polar H10', 0,"
        " '[[0.0, \"5.5 4:6\"]]', 640, 42.5, 0.61, '{}', '2026-01-02T06:10:00+00:00')"
    )
    conn.commit()
    conn.close()

    with open_store(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        (row,) = store.sessions()
        assert row.rmssd_ms == 42.5
        assert row.coherence == 0.61
        assert row.beats == 640
        assert row.start == datetime(2026, 1, 2, 7, 0, tzinfo=timezone(timedelta(hours=1)))
        assert row.pace_bpm == 5.5
        assert row.checkin == CheckIn()  # the columns v2 added, empty for old rows
        # v5: practice time and the counted flag from what the row knows; zones and swing wait
        # for a rebuild from the recording
        assert (row.practice_s, row.counted, row.level, row.zone_high_pct) == (
            600.0,
            True,
            None,
            None,
        )
        store.set_checkin(row.id, before=5, after=2)
        assert store.session(row.id).stress_change == -3
        store.add_assessment(rate_bpm=5.5, confidence=0.8, steps=[{"rate_bpm": 5.5}])
        assert store.latest_assessment() is not None


def test_a_database_from_a_newer_hrvcoach_is_refused_untouched(data_dir: Path) -> None:
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer hrvcoach"):
        open_store(data_dir)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 99
    conn.close()


def test_a_corrupt_database_is_one_clear_error_and_no_recording_is_lost(data_dir: Path) -> None:
    rec = write_session(data_dir / "recordings", datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    before = rec.read_bytes()
    db = data_dir / DB_NAME
    db.write_bytes(b"this is not a database, it was overwritten by something else\n" * 100)
    with pytest.raises(StoreError) as err:
        open_store(data_dir)
    message = str(err.value)
    assert "\n" not in message
    assert "not a usable history database" in message
    assert "--rebuild" in message
    assert rec.read_bytes() == before
    # moved aside, the history is rebuilt from the recordings
    db.rename(data_dir / "history.broken")
    with open_store(data_dir) as store:
        result = store.rebuild(data_dir / "recordings")
        assert result.indexed == 1
        assert len(store.sessions()) == 1


def test_a_locked_database_is_one_clear_error_and_no_recording_is_lost(data_dir: Path) -> None:
    rec = write_session(data_dir / "recordings", datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    original = rec.read_bytes()
    with open_store(data_dir):
        pass
    holder = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
        holder.execute("UPDATE sessions SET note = 'x'")
        with open_store(data_dir, timeout_s=0.2) as store:
            assert store.sessions() == []  # WAL: reading still works while another writes
            with pytest.raises(StoreError) as err:
                store.add_recording(rec)
        assert "locked by another program" in str(err.value)
        assert "\n" not in str(err.value)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert rec.read_bytes() == original
    with open_store(data_dir) as store:  # once the other writer is done, it works
        assert store.add_recording(rec).beats is not None


def test_rebuild_restores_the_index_from_recordings_and_imports(
    data_dir: Path, tmp_path: Path
) -> None:
    folder = data_dir / "recordings"
    folder.mkdir()
    day = datetime(2026, 11, 16, 7, 0, tzinfo=CET)
    paths = [
        write_session(folder, day, before=6, after=4),
        write_session(folder, day + timedelta(days=1), kind="demo", simulated=True),
        write_session(folder, day + timedelta(days=2), rate_bpm=5.5),
    ]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    imported = write_session(elsewhere, day - timedelta(days=3), rate_bpm=5.0)
    gone = write_session(elsewhere, day - timedelta(days=5))
    with open_store(data_dir) as store:
        rows = [
            store.add_recording(p, kind=k)
            for p, k in zip(paths, ["practice", "demo", "practice"], strict=True)
        ]
        rows.append(store.add_recording(imported, kind="import", note="from my old app"))
        rows.append(store.add_recording(gone, kind="import"))
        store.set_checkin(rows[2].id, after=1)  # only in the database, not in the file
        before = {r.id: r for r in store.sessions()}
    gone.unlink()

    # 1. with the database still there: ids, kinds and database-only check-ins survive
    with open_store(data_dir) as store:
        result = store.rebuild(folder)
        after = {r.id: r for r in store.sessions()}
    assert result.indexed == 4
    assert result.new == 0
    assert result.failed == ()
    assert [p for p, _ in result.kept] == [gone.resolve()]
    assert after.keys() == before.keys()
    for row_id, row in before.items():
        assert after[row_id].kind == row.kind
        assert after[row_id].checkin == row.checkin
        assert after[row_id].rmssd_ms == pytest.approx(row.rmssd_ms)

    # 2. from nothing: the recordings folder alone gives the sessions and their check-in marks
    (data_dir / DB_NAME).unlink()
    for extra in ("-wal", "-shm"):
        Path(str(data_dir / DB_NAME) + extra).unlink(missing_ok=True)
    with open_store(data_dir) as store:
        result = store.rebuild(folder)
        fresh = store.sessions()
    assert result.indexed == 3
    assert result.new == 3
    assert [r.kind for r in fresh] == ["practice", "demo", "practice"]
    assert fresh[0].checkin == CheckIn(6, 4, None)
    assert [r.pace_bpm for r in fresh] == [6.0, 6.0, 5.5]
    assert fresh[1].simulated


def test_rebuild_reports_unreadable_files_and_indexes_the_rest(data_dir: Path) -> None:
    folder = data_dir / "recordings"
    folder.mkdir()
    good = write_session(folder, datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    bad = folder / "garbage.csv"
    bad.write_text("hello, this is not a recording\n")
    with open_store(data_dir) as store:
        result = store.rebuild(folder)
        assert [r.path for r in store.sessions()] == [good.resolve()]
    assert [p for p, _ in result.failed] == [bad.resolve()]
    assert "\n" not in result.failed[0][1]
    assert bad.read_text() == "hello, this is not a recording\n"


def test_assessments_are_stored_with_their_steps_and_the_latest_is_found(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        assert store.latest_assessment() is None
        t0 = datetime(2026, 11, 1, 8, 0, tzinfo=CET)
        steps = [{"rate_bpm": r, "score": s} for r, s in ((6.5, 0.4), (6.0, 0.7), (5.5, 0.9))]
        store.add_assessment(rate_bpm=5.5, confidence=0.9, steps=steps, time=t0)
        later = store.add_assessment(
            rate_bpm=5.0, confidence="low", steps=[], time=t0 + timedelta(days=7)
        )
        latest = store.latest_assessment()
        assert latest == later
        assert latest.confidence == "low"
        first = store.assessments()[0]
        assert first.steps[2] == {"rate_bpm": 5.5, "score": 0.9}
        assert first.time == t0
        assert first.confidence == 0.9
        with pytest.raises(StoreError):
            store.add_assessment(rate_bpm=float("nan"), confidence=None)


def test_a_file_without_a_start_time_uses_its_modification_time(
    data_dir: Path, tmp_path: Path
) -> None:
    rr = tmp_path / "rr.txt"
    rr.write_text("\n".join(str(800 + 40 * (i % 5)) for i in range(200)) + "\n")
    stamp = datetime(2025, 3, 4, 21, 15, tzinfo=UTC).timestamp()
    os.utime(rr, (stamp, stamp))
    with open_store(data_dir) as store:
        row = store.add_recording(rr, kind="import")
    assert row.start_time_source == "mtime"
    # the file was last written when the recording ended: it began its length earlier
    assert row.duration_s > 100
    assert row.start.timestamp() == pytest.approx(stamp - row.duration_s)
    assert row.kind == "import"
    assert row.pace == ()
    assert row.pace_bpm is None


def _v2_row(conn: sqlite3.Connection, sha: str, fmt: str, kind: str, minutes: float) -> None:
    conn.execute(
        "INSERT INTO sessions (sha256, path, format, kind, start_utc, utc_offset_s,"
        " start_time_source, duration_s, simulated, pace_json, rmssd_ms, summary_json, added_utc,"
        " checkin_before) VALUES (?, ?, ?, ?, '2026-01-02T06:00:00.000000+00:00', 0, 'file', ?,"
        " 0, '[]', 40.0, '{}', '2026-01-02T06:10:00+00:00', 4)",
        (sha, f"/old/{sha}", fmt, kind, minutes * 60),
    )


def test_a_version_2_database_migrates_workouts_and_holter_days_to_other(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / DB_NAME)
    conn.executescript(V1_DDL)
    conn.executescript(V2_DDL)
    _v2_row(conn, "session", "hrvlogger", "import", 5)
    _v2_row(conn, "run", "garmin-fit", "import", 1)
    _v2_row(conn, "watch", "polar-hrm", "import", 40)
    _v2_row(conn, "holter", "rr-list", "import", 24 * 60)
    _v2_row(conn, "long-practice", "hrvcoach", "practice", 60)  # only imports are reclassified
    conn.commit()
    conn.close()
    with open_store(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        kinds = {r.sha256: r.kind for r in store.sessions()}
        assert kinds == {
            "session": "import",
            "run": "other",
            "watch": "other",
            "holter": "other",
            "long-practice": "practice",
        }
        assert all(r.checkin.before == 4 for r in store.sessions())  # nothing else touched
        assert [r.is_practice for r in store.sessions() if r.kind == "other"] == [False] * 3


def test_imported_workouts_and_long_recordings_are_not_practice(
    data_dir: Path, shared_data: Path
) -> None:
    rr = shared_data / "rr"
    with open_store(data_dir) as store:
        holter = store.add_recording(rr / "physionet-healthy-24h" / "000.txt", kind=None)
        fit = store.add_recording(
            rr / "garmin-fit" / "python-fitparse_garmin-fenix-5-run.fit", kind=None
        )
        hrm = store.add_recording(rr / "hrv-package" / "exercise_rri.hrm", kind=None)
        session = store.add_recording(
            rr / "hrvlogger-polar-h10" / "ot_a60_RRIntervals.csv", kind=None
        )
        told = store.add_recording(rr / "garmin-fit" / "python-fitparse_garmin-fenix-5-walk.fit")
    assert holter.duration_s > 20 * 3600
    assert (holter.kind, fit.kind, hrm.kind, session.kind) == ("other", "other", "other", "import")
    assert [r.is_practice for r in (holter, fit, hrm)] == [False, False, False]
    assert session.is_practice
    assert told.kind == "practice"  # a kind given by the caller is kept


def test_a_utc_start_from_another_app_is_placed_in_the_local_evening(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from hrvcoach.store import local_start

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        # 04:30 UTC on 21 Nov is 23:30 on 20 Nov in New York: that evening's practice.
        utc = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)
        placed = local_start(utc, "file", "garmin-fit", 300.0)
        assert placed == utc
        assert placed.utcoffset() == timedelta(hours=-5)
        assert (placed.date().isoformat(), placed.hour, placed.minute) == ("2026-11-20", 23, 30)
        # in summer the same zone is 4 hours behind: the offset of that date, not of today
        july = local_start(datetime(2026, 7, 1, 3, 0, tzinfo=UTC), "file", "hrvlogger", 300.0)
        assert july.utcoffset() == timedelta(hours=-4)
        # hrvcoach's own recordings keep the offset they were made in (a trip to London)
        london = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
        assert local_start(london, "file", "hrvcoach", 300.0).utcoffset() == timedelta(0)

        # through the store: an hrvcoach recording made at 23:30 local counts for that day
        late = datetime(2026, 11, 20, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
        path = write_session(data_dir / "recordings", late, minutes=1)
        with open_store(data_dir) as store:
            row = store.add_recording(path)
        assert row.local_date.isoformat() == "2026-11-20"
        assert row.start.hour == 23
    finally:
        monkeypatch.undo()
        time.tzset()


def test_rebuild_passes_over_the_assessment_result_sidecars(data_dir: Path) -> None:
    folder = data_dir / "recordings"
    folder.mkdir()
    good = write_session(folder, datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    (folder / "2026-11-20T07-00-00_assessment.result.json").write_text('{"resonance_bpm": 5.5}')
    with open_store(data_dir) as store:
        result = store.rebuild(folder)
        assert [r.path for r in store.sessions()] == [good.resolve()]
    assert not result.failed
