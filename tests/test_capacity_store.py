"""Capacity results in the history: the table, its migration, its rebuild from the result files,
and the commands that read it (the resting baseline, the session list)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hrvcoach.cli import main
from hrvcoach.store import DB_NAME, SCHEMA_VERSION, HistoryStore, kind_from_name
from hrvcoach.store.schema import TRAINING_COLUMNS


def test_results_are_kept_and_read_back_oldest_first(data_dir: Path) -> None:
    day = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    with HistoryStore.open(data_dir) as store:
        store.add_capacity(protocol="recovery", time=day, values={"tau_s": 40.0})
        store.add_capacity(protocol="resting", time=day + timedelta(days=1), values={"ln_rmssd": 4})
        store.add_capacity(protocol="resting", time=day, values={"ln_rmssd": 3.5}, simulated=True)
        rows = store.capacity_results("resting")
        assert [r.values["ln_rmssd"] for r in rows] == [3.5, 4]
        assert [r.simulated for r in rows] == [True, False]
        assert len(store.capacity_results()) == 3
        with pytest.raises(Exception, match="unknown capacity protocol"):
            store.add_capacity(protocol="sprint", time=day, values={})


def test_a_v3_history_gains_the_capacity_table_and_kind(data_dir: Path) -> None:
    with HistoryStore.open(data_dir):
        pass
    conn = sqlite3.connect(data_dir / DB_NAME)
    conn.execute("DROP TABLE capacity")
    for column in TRAINING_COLUMNS:  # added by v5: a v3 history has none of them
        conn.execute(f"ALTER TABLE sessions DROP COLUMN {column}")
    conn.execute(
        "INSERT INTO sessions (sha256, path, format, kind, start_utc, utc_offset_s,"
        " start_time_source, duration_s, simulated, pace_json, summary_json, added_utc)"
        " VALUES ('x', '/r/2026-03-01T07-00-00_check.csv', 'hrvcoach', 'practice',"
        " '2026-03-01T07:00:00+00:00', 0, 'file', 150, 0, '[]', '{}', '2026-03-01')"
    )
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with HistoryStore.open(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [r.kind for r in store.sessions()] == ["capacity"]
        assert store.capacity_results() == []
    assert kind_from_name(Path("2026-03-01T07-00-00_recovery.csv"), simulated=False) == "capacity"


def test_checks_build_the_baseline_from_the_history_and_survive_a_rebuild(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        assert (
            main(["check", "--device", "sim:seed=7", "--fast", "--headless", "--minutes", "1"]) == 0
        )
    assert main(["recovery", "--device", "sim:tau=40", "--fast", "--headless", "--json"]) == 0
    out = capsys.readouterr().out
    recovery = json.loads(out[out.index("\n{") + 1 :])
    assert recovery["saved"]["history"] is True
    with HistoryStore.open(data_dir) as store:
        kinds = [r.kind for r in store.sessions()]
        assert kinds == ["capacity"] * 3  # listed, never counted as practice
        assert len(store.capacity_results("resting")) == 2
        assert len(store.capacity_results("recovery")) == 1
    # the database lost: the result files bring the capacity results back
    (data_dir / DB_NAME).unlink()
    assert main(["sessions", "--rebuild"]) == 0
    out = capsys.readouterr().out
    assert "capacity: a check or a drill" in out
    with HistoryStore.open(data_dir) as store:
        assert len(store.capacity_results("resting")) == 2
        assert len(store.capacity_results("recovery")) == 1
        assert all(r.simulated for r in store.capacity_results())


def test_the_session_list_mentions_the_latest_own_check(
    shared_data: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["check", "--recording", str(path)]) == 0
    capsys.readouterr()
    assert main(["sessions"]) == 0
    out = capsys.readouterr().out
    assert "Latest resting check (" in out
    assert "ln RMSSD 3.97" in out


def test_today_mentions_the_latest_own_check(
    shared_data: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["today"]) == 0
    assert "resting check" not in capsys.readouterr().out  # none yet: nothing said
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["check", "--recording", str(path)]) == 0
    capsys.readouterr()
    assert main(["today", "--json"]) == 0
    latest = json.loads(capsys.readouterr().out)["latest_check"]
    assert latest["ln_rmssd"] == pytest.approx(3.969, abs=1e-3)
    assert latest["verdict"].startswith("building your baseline")


def test_the_window_is_handed_the_latest_own_check(shared_data: Path, data_dir: Path) -> None:
    """What the practice window's Today panel says: the same sentence as the today command."""
    from hrvcoach.commands._session import _latest_check_words

    assert _latest_check_words(data_dir, datetime(2026, 12, 4).date()) is None  # none yet
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["check", "--recording", str(path)]) == 0
    with HistoryStore.open(data_dir) as store:
        (kept,) = store.capacity_results("resting")
    on = kept.time.date()
    line = _latest_check_words(data_dir, on)
    assert line is not None
    assert line.startswith("Latest resting check (today): ln RMSSD 3.97, building your baseline")
    # a day before the check: it had not happened yet
    assert _latest_check_words(data_dir, on - timedelta(days=1)) is None
