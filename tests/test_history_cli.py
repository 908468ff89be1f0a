"""The history commands end to end on a real data folder: import real recordings, list them, rebuild
the index, draw trends and one-session reports, and fail clearly on bad files and databases."""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hrvcoach.cli import main
from hrvcoach.store import DB_NAME, METRIC_COLUMNS


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as stop:  # a usage error found while the arguments are read
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def real_files(shared_data: Path, tmp_path: Path) -> dict[str, Path]:
    """Real recordings; an Elite HRV-style name is a copy in a temporary folder, not the project."""
    rr = shared_data / "rr"
    elite = tmp_path / "elite" / "2026-11-20 07-30-05.txt"
    elite.parent.mkdir()
    shutil.copyfile(rr / "welltory-polar-h10" / "subject_01" / "RR.txt", elite)
    plain = tmp_path / "plain" / "rest_rri.txt"
    plain.parent.mkdir()
    shutil.copyfile(rr / "hrv-package" / "rest_rri.txt", plain)
    stamp = datetime(2025, 6, 1, 18, 0, tzinfo=UTC).timestamp()
    os.utime(plain, (stamp, stamp))
    return {
        "hrvlogger": rr / "hrvlogger-polar-h10" / "ot_a60_RRIntervals.csv",
        "elite": elite,
        "plain": plain,
        "slow": rr / "slow-breathing-polar-h10" / "sample_data_ibi.csv",
    }


def test_import_adds_real_recordings_once_with_analyze_numbers(
    data_dir: Path, real_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.analysis import analyze
    from hrvcoach.readers import read_recording

    bad = tmp_path / "notes.txt"
    bad.write_text("remember to breathe\n")
    files = [str(p) for p in real_files.values()]
    code, out, err = run(["import", files[0], str(bad), *files[1:]], capsys)
    assert code != 0  # one file failed ...
    assert err.count("\n") == 1
    assert str(bad) in err
    assert "4 added, 0 already there, 1 failed" in out  # ... and the others are in
    assert "start time from the file name" in out
    assert "start time guessed: the file's modification time less its length" in out

    code, out, err = run(["sessions", "--json"], capsys)
    assert code == 0, err
    # each import is a copy in the data folder, under its own name
    rows = {Path(r["path"]).name: r for r in json.loads(out)}
    assert set(rows) == {p.name for p in real_files.values()}
    for r in rows.values():
        assert Path(r["path"]).parent.parent == data_dir.resolve() / "imports"
    for path in real_files.values():
        got = rows[path.name]
        assert got["kind"] == "import"
        want = analyze(read_recording(path)).to_json()
        for key in METRIC_COLUMNS:
            if want.get(key) is None or want[key] != want[key]:  # None or NaN: stored as null
                assert got[key] is None, key
            else:
                assert got[key] == pytest.approx(want[key], rel=1e-9), key
    assert rows[real_files["elite"].name]["start"].startswith("2026-11-20T07:30:05")
    assert rows[real_files["elite"].name]["start_time_source"] == "filename"
    assert rows[real_files["plain"].name]["start_time_source"] == "mtime"
    hrvlogger = rows[real_files["hrvlogger"].name]
    assert hrvlogger["start_time_source"] == "file"
    assert hrvlogger["start"].startswith("2023-02-08")

    code, out, err = run(["import", *files], capsys)
    assert code == 0, err
    assert out.count("already in the history") == len(files)
    code, out, _ = run(["sessions", "--json"], capsys)
    assert len(json.loads(out)) == len(files)


def test_sessions_table_rebuild_and_reports(
    data_dir: Path,
    real_files: dict[str, Path],
    artifacts_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hrvcoach.paths import bundled_recordings_dir

    recordings = data_dir / "recordings"
    recordings.mkdir()
    own = recordings / "2026-11-21T07-00-00_practice.csv"
    shutil.copyfile(bundled_recordings_dir() / "sim-6bpm-5min.csv", own)
    code, _, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    code, _, err = run(["import", str(real_files["slow"]), str(real_files["hrvlogger"])], capsys)
    assert code == 0, err

    code, out, err = run(["sessions"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["#", "date", "kind", "min", "pace", "HR", "RMSSD", "coh", "stress"]
    assert len([line for line in lines[1:] if line.split() and line.split()[0].isdigit()]) == 3
    assert "practice (sim)" in out

    # the database is lost; the rebuild finds the recordings and the copies of the imports
    for suffix in ("", "-wal", "-shm"):
        Path(f"{data_dir / DB_NAME}{suffix}").unlink(missing_ok=True)
    code, out, err = run(["sessions", "--rebuild", "--json"], capsys)
    assert code == 0, err
    paths = [Path(r["path"]) for r in json.loads(out)]
    assert own in paths
    assert sorted(p.name for p in paths if p != own) == sorted(
        [real_files["slow"].name, real_files["hrvlogger"].name]
    )

    code, out, err = run(["report", "1"], capsys)
    assert code == 0, err
    assert "RMSSD" in out
    assert "breaths/min" in out
    png, page = artifacts_dir / "report-cli.png", artifacts_dir / "report-cli.html"
    code, out, err = run(
        ["report", str(real_files["slow"]), "--png", str(png), "--html", str(page)], capsys
    )
    assert code == 0, err
    assert png.stat().st_size > 20_000
    assert "<svg" in page.read_text(encoding="utf-8")
    code, _, err = run(["report", "42"], capsys)
    assert code != 0
    assert "no session 42" in err


def test_trends_outputs_and_text_summary(
    data_dir: Path, real_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["import", *map(str, real_files.values())], capsys)
    assert code == 0, err
    out_png, out_html, out_csv = tmp_path / "t.png", tmp_path / "t.html", tmp_path / "t.csv"
    code, out, err = run(
        ["trends", "--png", str(out_png), "--html", str(out_html), "--csv", str(out_csv)], capsys
    )
    assert code == 0, err
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in out_html.read_text(encoding="utf-8")
    with out_csv.open(newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(real_files)
    # no display here (offscreen): the summary is printed instead of a window
    code, out, err = run(["trends"], capsys)
    assert code == 0, err
    assert "History" in out
    assert "Streak" in out
    code, _, err = run(["trends", "--days", "0"], capsys)
    assert code == 2
    assert "--days" in err


def test_a_corrupt_history_is_one_line_and_a_nonzero_exit(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = b"\x00garbage" * 512
    (data_dir / DB_NAME).write_bytes(damaged)
    for command in (["sessions"], ["trends"], ["import", __file__]):
        code, _out, err = run(command, capsys)
        assert code == 5
        assert err.count("\n") == 1
        assert "Traceback" not in err
        assert "not a usable history database" in err
    assert (data_dir / DB_NAME).read_bytes() == damaged
    # asked to rebuild, the damaged file is kept aside (not deleted) and a new index is made
    code, out, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    (aside,) = data_dir.glob(f"{DB_NAME}.damaged-*")
    assert aside.read_bytes() == damaged
    assert "No sessions yet" in out


def test_importing_a_missing_file_says_so(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["import", str(data_dir / "nope.csv")], capsys)
    assert code == 3  # an unreadable recording, as in every other command
    assert "no such file" in err.lower()


def test_report_shows_the_numbers_the_history_keeps_while_the_file_is_unchanged(
    data_dir: Path, real_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    plain = real_files["plain"]
    code, out, err = run(["import", str(plain)], capsys)
    assert code == 0, err
    code, out, _ = run(["report", "1"], capsys)
    assert code == 0
    assert "Imported session #1" in out
    assert "53.2 ms" in out  # rest_rri.txt's RMSSD as analyze computes it
    # the report reads the stored summary, not a fresh analysis: mark it to tell them apart
    conn = sqlite3.connect(data_dir / DB_NAME)
    raw = json.loads(conn.execute("SELECT summary_json FROM sessions").fetchone()[0])
    raw["rmssd_ms"] = 77.7
    conn.execute("UPDATE sessions SET summary_json = ?", (json.dumps(raw),))
    conn.commit()
    conn.close()
    code, out, _ = run(["report", "1"], capsys)
    assert "77.7 ms" in out
    code, out, _ = run(["report", "1", "--artifacts", "none"], capsys)
    assert "77.7 ms" not in out  # another method: analysed afresh
    # once the file has changed, it is analysed again rather than trusted
    (kept,) = (data_dir / "imports").glob("*/rest_rri.txt")  # the copy the history reads
    kept.write_text(kept.read_text() + "800\n")
    code, out, _ = run(["report", "1"], capsys)
    assert code == 0
    assert "77.7 ms" not in out


def test_import_sorts_workouts_and_holter_days_out_of_practice(
    data_dir: Path, shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rr = shared_data / "rr"
    fit = rr / "garmin-fit" / "python-fitparse_garmin-fenix-5-walk.fit"
    session = rr / "hrvlogger-polar-h10" / "ot_a61_RRIntervals.csv"
    code, out, err = run(["import", str(fit), str(session)], capsys)
    assert code == 0, err
    assert out.count("(other: not counted as practice)") == 1
    code, out, _ = run(["sessions"], capsys)
    assert "other" in out
    assert "not practice" in out
    code, out, _ = run(["trends", "--days", "3650"], capsys)
    assert "1 session," in out
    assert "1 recording(s) that are not practice" in out
    code, out, _ = run(["sessions", "--json"], capsys)
    kinds = {Path(r["path"]).name: r["kind"] for r in json.loads(out)}
    assert kinds == {fit.name: "other", session.name: "import"}


def test_a_rebuild_after_damage_keeps_what_the_damaged_history_still_holds(
    data_dir: Path, real_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    # two imports (they live only in the history) with a check-in given after the fact
    code, _, err = run(["import", str(real_files["plain"]), str(real_files["elite"])], capsys)
    assert code == 0, err
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sessions SET checkin_before = 6, note = 'before work' WHERE id = 1")
    # many more rows of files long gone, so that the table spans pages and a late one can break
    for i in range(300):
        conn.execute(
            "INSERT INTO sessions (sha256, path, format, kind, start_utc, utc_offset_s,"
            " start_time_source, duration_s, simulated, pace_json, summary_json, added_utc)"
            " VALUES (?, ?, 'rr-list', 'import', '2026-01-01T06:00:00+00:00', 0, 'file', 300,"
            " 0, '[]', ?, '2026-01-01T06:00:00+00:00')",
            (f"{i:064x}", f"/gone/{i}.txt", json.dumps({"filler": "x" * 200})),
        )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 20 * page
    data[-3 * page : -2 * page] = b"\xa5" * page  # a leaf page near the end: rows lost there only
    db.write_bytes(bytes(data))

    code, _, err = run(["sessions"], capsys)
    assert code == 5
    assert "--rebuild" in err
    code, out, err = run(["sessions", "--rebuild", "--json"], capsys)
    assert code == 0, err
    assert "could still be read" in err
    rows = {r["id"]: r for r in json.loads(out)}
    assert Path(rows[1]["path"]).name == real_files["plain"].name
    assert (rows[1]["checkin_before"], rows[1]["note"]) == (6, "before work")
    assert Path(rows[2]["path"]).name == real_files["elite"].name
    assert 2 < len(rows) < 302  # the rows of missing files are kept where they could be read
    (aside,) = data_dir.glob(f"{DB_NAME}.damaged-*[0-9]")
    assert aside.read_bytes() == bytes(data)  # kept aside as it was, never deleted
