"""Training end to end on a real data folder: the session JSON, a level-up over three simulated
sessions, sessions that do not count, ``today`` on real dated recordings, ``plan``, the history
keeping the training values through a rebuild, and the trends saying what they left out.

Dates are passed in (``today --date``); the sessions run now, but nothing asserted depends on
which day that is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hrvcoach.cli import main

TRAINING_KEYS = {"level", "zones_pct", "achievement_points", "swing_bpm", "counted", "wins"}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def session_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, out, err = run([*args, "--fast", "--headless", "--json"], capsys)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Berlin's, so imported UTC times fall on known local days."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_session_json_gains_exactly_the_training_keys(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.analysis import Summary

    got = session_json(["demo", "--minutes", "3"], capsys)
    summary_keys = set(Summary.__dataclass_fields__) | {
        "recording",
        "ended_by",
        "session_id",
        "beats_analysed",
    }
    extra = set(got) - summary_keys
    assert extra >= TRAINING_KEYS
    # the summary's own keys may be renamed by to_json: compare with a real summary's
    code, out, _ = run(["analyze", str(got["recording"]), "--json"], capsys)
    assert code == 0
    analysed = set(json.loads(out)) | {"recording", "ended_by", "session_id"}
    # keys other features add to the session summary (chest-strap ECG/motion, breathing)
    analysed |= {"ecg_samples", "acc_samples", "breathing"}
    assert set(got) - analysed == TRAINING_KEYS, extra
    assert got["counted"] is True
    assert got["level"] == 1
    zones = got["zones_pct"]
    assert isinstance(zones, dict)
    assert set(zones) == {"low", "medium", "high"}
    assert sum(zones.values()) == pytest.approx(100.0, abs=0.2)
    swing = got["swing_bpm"]
    assert isinstance(swing, dict)
    assert 0 < swing["mean"] <= swing["best"]
    assert isinstance(got["achievement_points"], int)
    assert got["achievement_points"] > 0
    wins = got["wins"]
    assert isinstance(wins, list)
    assert "3 of 10 minutes toward today's goal." in wins


def test_three_fast_simulated_sessions_in_the_high_zone_raise_the_level(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = [
        session_json(["demo", "--device", f"sim:follow=1,seed={seed}", "--minutes", "5"], capsys)
        for seed in (1, 2, 3)
    ]
    for got in runs:
        zones = got["zones_pct"]
        assert isinstance(zones, dict)
        assert zones["high"] >= 80.0
        assert got["level"] == 1  # each was practised at level 1 ...
    assert "1 of 3 sessions at 80 % high toward level 2." in runs[0]["wins"]  # type: ignore[operator]
    assert "2 of 3 sessions at 80 % high toward level 2." in runs[1]["wins"]  # type: ignore[operator]
    assert "Level up: now level 2." in runs[2]["wins"]  # type: ignore[operator]
    code, out, _ = run(["today", "--json"], capsys)
    assert code == 0
    day = json.loads(out)
    assert day["level"] == 2  # ... and the next one is at level 2
    assert day["simulated_only"] is True
    assert day["sessions"] == 3
    assert day["practised_minutes"] == pytest.approx(15.0, abs=0.1)
    got = session_json(["demo", "--device", "sim:follow=1,seed=4", "--minutes", "2"], capsys)
    assert got["level"] == 2


def test_the_simulated_person_who_barely_follows_stays_mostly_low(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = session_json(["demo", "--device", "sim:follow=0.1", "--minutes", "6"], capsys)
    zones = got["zones_pct"]
    assert isinstance(zones, dict)
    assert zones["low"] > 50.0
    assert zones["high"] < 10.0


def test_a_session_under_a_minute_is_not_counted(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = session_json(["demo", "--minutes", "0.5"], capsys)
    assert got["counted"] is False
    wins = got["wins"]
    assert isinstance(wins, list)
    assert len(wins) == 1
    assert "not counted" in wins[0]
    code, out, _ = run(["today", "--json"], capsys)
    day = json.loads(out)
    assert (day["sessions"], day["practised_minutes"], day["streak_days"]) == (0, 0, 0)
    code, out, _ = run(["sessions", "--json"], capsys)
    assert code == 0
    (row,) = json.loads(out)
    assert row["counted"] is False  # kept in the history, flagged


def test_practice_without_minutes_runs_the_planned_length(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["plan", "--goal-minutes", "15"], capsys)
    assert code == 0, err
    got = session_json(["practice", "--device", "sim"], capsys)
    assert got["ended_by"] == "duration"
    assert got["duration_s"] == pytest.approx(300.0, abs=2.0)  # the first plan: 5 minutes
    assert "5 of 15 minutes toward today's goal." in got["wins"]  # type: ignore[operator]


def test_plan_sets_the_goal_and_the_level_by_hand(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["plan", "--json"], capsys)
    assert code == 0
    plan = json.loads(out)
    assert plan["goal_minutes"] == 10.0
    assert plan["next_session"] == {"minutes": 5.0, "pace_bpm": 6.0}
    assert plan["level"] == 1
    assert plan["reasons"]
    code, out, _ = run(["plan", "--goal-minutes", "20", "--level", "3", "--json"], capsys)
    plan = json.loads(out)
    assert (plan["goal_minutes"], plan["level"], plan["level_set_by_hand"]) == (20.0, 3, True)
    code, out, _ = run(["today", "--date", "2099-01-01", "--json"], capsys)
    day = json.loads(out)
    assert (day["goal_minutes"], day["level"]) == (20.0, 3)
    got = session_json(["demo", "--minutes", "1.5"], capsys)
    assert got["level"] == 3
    for bad in (["plan", "--level", "5"], ["plan", "--goal-minutes", "0"]):
        code, _, err = run(bad, capsys)
        assert code == 2
        assert err.count("\n") == 1
    code, _, err = run(["today", "--date", "2026-02-30"], capsys)
    assert code == 2
    assert "not a date" in err


def test_today_on_real_dated_sessions_imported_from_hrv_logger(
    data_dir: Path, shared_data: Path, berlin: None, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_data / "rr" / "hrvlogger-polar-h10"
    files = sorted(str(p) for p in folder.glob("*_RRIntervals.csv"))
    assert len(files) == 3
    code, _, err = run(["import", *files], capsys)
    assert code == 0, err
    code, out, _ = run(["sessions", "--json"], capsys)
    rows = json.loads(out)
    # 2023-02-08 20:49, 02-09 21:14 and 02-11 22:07 UTC: evenings in Berlin
    assert [r["start"][:10] for r in rows] == ["2023-02-08", "2023-02-09", "2023-02-11"]
    assert all(r["counted"] for r in rows)

    def day(date: str) -> dict[str, object]:
        code, out, err = run(["today", "--date", date, "--json"], capsys)
        assert code == 0, err
        return json.loads(out)  # type: ignore[no-any-return]

    feb9 = day("2023-02-09")
    assert feb9["date"] == "2023-02-09"
    assert feb9["sessions"] == 1
    assert feb9["practised_minutes"] == pytest.approx(rows[1]["duration_s"] / 60, abs=0.05)
    assert feb9["streak_days"] == 2
    assert feb9["goal_minutes"] == 10.0
    assert feb9["level"] == 1
    assert feb9["next_session"] == {"minutes": 5.0, "pace_bpm": 6.0}
    assert feb9["simulated_only"] is False
    bests = feb9["personal_bests"]
    assert isinstance(bests, dict)
    assert set(bests) == {"swing_bpm", "coherence", "rmssd_ms", "minutes_in_high"}
    first_two = rows[:2]
    assert bests["coherence"] == pytest.approx(max(r["coherence"] for r in first_two), abs=0.01)
    assert bests["rmssd_ms"] == pytest.approx(max(r["rmssd_ms"] for r in first_two), abs=0.1)
    high = max(r["practice_s"] / 60 * r["zone_high_pct"] / 100 for r in first_two)
    assert bests["minutes_in_high"] == pytest.approx(high, abs=0.1)
    assert bests["swing_bpm"] is None  # no pacer in another app's recording: no breaths

    assert (day("2023-02-10")["sessions"], day("2023-02-10")["streak_days"]) == (0, 2)
    assert (day("2023-02-11")["sessions"], day("2023-02-11")["streak_days"]) == (1, 1)
    assert day("2023-02-13")["streak_days"] == 0
    before = day("2023-02-07")
    assert (before["sessions"], before["streak_days"]) == (0, 0)
    assert before["personal_bests"] == dict.fromkeys(bests)
    code, out, _ = run(["today", "--date", "2023-02-09"], capsys)
    assert "streak    2 day(s)" in out


def test_the_history_keeps_training_values_through_a_rebuild(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_json(["demo", "--minutes", "2", "--device", "sim:seed=5"], capsys)
    run(["plan", "--level", "2"], capsys)
    session_json(["demo", "--minutes", "2", "--device", "sim:seed=6"], capsys)
    keys = (
        "counted",
        "level",
        "zone_low_pct",
        "zone_medium_pct",
        "zone_high_pct",
        "achievement_points",
        "swing_mean_bpm",
        "swing_best_bpm",
    )
    code, out, _ = run(["sessions", "--json"], capsys)
    live = [{k: r[k] for k in keys} | {"practice_s": r["practice_s"]} for r in json.loads(out)]
    assert [r["level"] for r in live] == [1, 2]
    code, _, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    code, out, _ = run(["sessions", "--json"], capsys)
    rebuilt = json.loads(out)
    for before, after in zip(live, rebuilt, strict=True):
        for key in keys:
            if isinstance(before[key], float):
                assert after[key] == pytest.approx(before[key], abs=0.01), key
            else:
                assert after[key] == before[key], key
        assert after["practice_s"] == pytest.approx(before["practice_s"], abs=0.01)


def test_trends_say_when_they_are_of_simulated_sessions_and_what_they_leave_out(
    data_dir: Path, shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_json(["demo", "--minutes", "1.5"], capsys)
    code, out, _ = run(["trends", "--png", str(tmp_path / "t.png")], capsys)
    assert code == 0
    assert "these trends are of simulated sessions" in out
    code, out, _ = run(["today", "--json"], capsys)
    assert json.loads(out)["simulated_only"] is True

    real = shared_data / "rr" / "hrvlogger-polar-h10" / "ot_a60_RRIntervals.csv"
    assert run(["import", str(real)], capsys)[0] == 0
    code, out, _ = run(["trends", "--days", "5000", "--png", str(tmp_path / "t2.png")], capsys)
    assert "1 simulated session(s) not counted; --include-simulated shows them" in out
    code, out, _ = run(["trends", "--days", "5000", "--include-simulated"], capsys)
    assert "2 sessions" in out
    code, out, _ = run(["today", "--json"], capsys)
    day = json.loads(out)
    assert (day["simulated_only"], day["simulated_left_out"]) == (False, 1)


def test_a_replay_is_judged_against_the_history_but_not_added_to_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.paths import bundled_recordings_dir

    session_json(["demo", "--minutes", "2"], capsys)
    recording = bundled_recordings_dir() / "sim-6bpm-5min.csv"
    got = session_json(["replay", str(recording)], capsys)
    assert set(got) >= TRAINING_KEYS
    assert got["counted"] is True
    wins = got["wins"]
    assert isinstance(wins, list)
    assert wins[0] == "A replay: compared with your history, and not added to it."
    assert not any("goal" in w for w in wins)
    code, out, _ = run(["today", "--json"], capsys)
    assert code == 0
    assert json.loads(out)["sessions"] == 1


def test_today_on_a_damaged_history_is_one_line_and_exit_code_5(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data_dir / "history.sqlite").write_bytes(b"this is not a database" * 100)
    for command in (["today"], ["plan"]):
        code, out, err = run(command, capsys)
        assert code == 5
        assert not out
        assert err.count("\n") == 1


def test_an_assessment_in_the_history_does_not_count_toward_levels(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.commands._training import load_context

    code, _, err = run(
        ["assess", "--device", "sim:seed=3", "--fast", "--headless", "--rates", "6,5.5",
         "--step-minutes", "1", "--json"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(["demo", "--fast", "--minutes", "1.5", "--headless", "--json"], capsys)
    assert code == 0, err
    facts = sorted(load_context(data_dir).history, key=lambda f: f.start)
    assert [f.leveled for f in facts] == [False, True]
    assert facts[0].practice  # its minutes still count toward the day's goal
