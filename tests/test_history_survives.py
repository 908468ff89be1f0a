"""The history cannot be lost: imports are kept in the data folder, a damaged, emptied, rolled-back,
misplaced or table-less history is noticed and rebuilt, and paths survive a moved data folder."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from hrvcoach.cli import main
from hrvcoach.store import DB_NAME, HistoryStore

HOUR_AGO = time.time() - 3600.0


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def rr_file(path: Path, seed: int, beats: int = 300) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(str(780 + (i * seed) % 60) for i in range(beats)) + "\n")
    return path


def demo(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    code, out, err = run(
        ["demo", "--headless", "--fast", "--minutes", "0.5", "--json", *extra], capsys
    )
    assert code == 0, err
    return dict(json.loads(out))


def age_recordings(data_dir: Path) -> None:
    """Recordings finished an hour ago (not sessions still being written)."""
    for path in (data_dir / "recordings").iterdir():
        os.utime(path, (HOUR_AGO, HOUR_AGO))


def sessions(capsys: pytest.CaptureFixture[str]) -> tuple[list[dict[str, object]], str]:
    code, out, err = run(["sessions", "--json"], capsys)
    assert code == 0, err
    return json.loads(out), err


def test_imports_are_kept_in_the_data_folder_and_come_back_with_their_check_ins(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "exports"
    first = rr_file(outside / "2026-11-20 07-30-05.txt", 3)
    second = rr_file(outside / "evening.txt", 7)
    code, _out, err = run(["import", str(first), str(second), "--note", "old app"], capsys)
    assert code == 0, err
    with HistoryStore.open(data_dir) as store:
        store.set_checkin(1, before=7, after=3)
    # the same bytes under another name are kept once
    shutil.copyfile(first, outside / "copy.txt")
    assert run(["import", str(outside / "copy.txt")], capsys)[0] == 0
    copies = sorted((data_dir / "imports").glob("*/*.txt"))
    assert [p.name for p in copies] == ["2026-11-20 07-30-05.txt", "evening.txt"]

    before, _ = sessions(capsys)
    shutil.rmtree(outside)  # the originals are gone...
    (data_dir / DB_NAME).write_bytes(b"\x00garbage" * 512)  # ... and the index is damaged
    for suffix in ("-wal", "-shm"):
        Path(f"{data_dir / DB_NAME}{suffix}").unlink(missing_ok=True)
    code, _out, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    after, _ = sessions(capsys)
    assert [(r["kind"], r["start"], r["note"]) for r in after] == [
        (r["kind"], r["start"], r["note"]) for r in before
    ]
    by_start = {r["start"]: r for r in after}
    restored = by_start[min(by_start)]
    assert (restored["checkin_before"], restored["checkin_after"]) == (7, 3)
    assert restored["note"] == "old app"


def test_an_import_from_before_copies_were_kept_is_copied_in_by_a_rebuild(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = rr_file(tmp_path / "exports" / "2026-11-20 07-30-05.txt", 3)
    code, _out, err = run(["import", str(original), "--note", "old app"], capsys)
    assert code == 0, err
    with HistoryStore.open(data_dir) as store:
        store.set_checkin(1, before=6)
    before, _ = sessions(capsys)
    # as an older hrvcoach left it: the row points at the original, nothing in the data folder
    shutil.rmtree(data_dir / "imports")
    with sqlite3.connect(data_dir / DB_NAME) as db:
        db.execute("UPDATE sessions SET path = ?", (str(original.resolve()),))
    assert run(["sessions", "--rebuild"], capsys)[0] == 0
    copies = sorted((data_dir / "imports").glob("*/*.txt"))
    assert [p.read_bytes() for p in copies] == [original.read_bytes()]
    after, _ = sessions(capsys)
    assert [(r["id"], r["kind"], r["checkin_before"], r["note"]) for r in after] == [
        (r["id"], r["kind"], 6, "old app") for r in before
    ]
    # the original can go now: the session and its check-in outlive it, and a lost index
    original.unlink()
    (data_dir / DB_NAME).unlink()
    assert run(["sessions", "--rebuild"], capsys)[0] == 0
    again, _ = sessions(capsys)
    assert [(r["kind"], r["start"], r["checkin_before"], r["note"]) for r in again] == [
        (r["kind"], r["start"], 6, "old app") for r in before
    ]


def test_a_truncated_history_still_gives_its_rows(data_dir: Path, tmp_path: Path) -> None:
    with HistoryStore.open(data_dir) as store:
        for k in range(40):
            store.add_recording(rr_file(tmp_path / "in" / f"s{k}.txt", k + 2), kind="import")
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = data_dir / DB_NAME
    os.truncate(db, db.stat().st_size // 2)
    rows = HistoryStore.salvage(db)
    assert 1 <= len(rows) < 40  # the rows on the pages that are left (none before)
    assert all(r.path.parent.parent == data_dir.resolve() / "imports" for r in rows)


@pytest.mark.parametrize("damage", ["zero-length", "rolled-back"])
def test_an_emptied_or_rolled_back_history_is_noticed_and_rebuilt_with_one_line(
    damage: str,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    demo(capsys, "--checkin-before", "6")
    demo(capsys)
    age_recordings(data_dir)
    db = data_dir / DB_NAME
    if damage == "zero-length":  # a crash while it was created, a sync tool
        db.write_bytes(b"")
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    else:  # a deleted -wal takes the last sessions with it
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM sessions WHERE id = 2")
    caplog.clear()
    rows, _err = sessions(capsys)
    assert len(rows) == 2
    assert rows[0]["checkin_before"] == 6
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 1
    assert "did not know 2 recording(s)" in said[0] or "did not know 1 recording(s)" in said[0]
    caplog.clear()
    sessions(capsys)  # once rebuilt, nothing more to say
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_a_recording_with_fewer_than_two_beats_is_not_a_session_nor_noticed_forever(
    data_dir: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    demo(capsys)
    killed = data_dir / "recordings" / "2026-11-22T07-30-05_practice.csv"
    killed.write_text(
        "# hrvcoach recording v1\n# meta: {}\n"
        "t_s,kind,rr_ms,hr_bpm,contact,flags,duration_s,label,text\n"
    )
    age_recordings(data_dir)
    code, _out, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    assert f"not a session (fewer than 2 beats): {killed.resolve()}" in err
    caplog.clear()
    rows, _ = sessions(capsys)
    assert len(rows) == 1
    assert not [r for r in caplog.records if r.levelname == "WARNING"]  # no rebuild again


def _make_folder(db: Path) -> None:
    db.mkdir()


def _make_dangling_link(db: Path) -> None:
    db.symlink_to(db.parent / "gone" / "history.sqlite")


def _drop_tables(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE assessments")
        conn.execute("DROP TABLE sessions")


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (_make_folder, "is a folder"),
        (_make_dangling_link, "which is not there"),
        (_drop_tables, "has lost its assessments and sessions tables"),
    ],
)
def test_a_misplaced_or_gutted_history_says_what_is_wrong_and_rebuild_starts_fresh(
    damage: object, says: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo(capsys)
    db = data_dir / DB_NAME
    if damage is not _drop_tables:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    damage(db)  # type: ignore[operator]
    for command in (["sessions"], ["trends", "--no-window"], ["report", "1"]):
        code, _out, err = run(command, capsys)
        assert code == 5, (command, err)
        assert says in err
        assert "--rebuild" in err
        assert len(err.strip().splitlines()) == 1
    code, _out, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    assert list(data_dir.glob(f"{DB_NAME}.damaged-*"))
    rows, _ = sessions(capsys)
    assert len(rows) == 1


def test_a_moved_data_folder_keeps_working(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo(capsys)
    rr_file(tmp_path / "in" / "past.txt", 5)
    assert run(["import", str(tmp_path / "in" / "past.txt")], capsys)[0] == 0
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        stored = [r[0] for r in conn.execute("SELECT path FROM sessions ORDER BY id")]
    assert all(not Path(p).is_absolute() for p in stored), stored
    moved = tmp_path / "moved-data"
    data_dir.rename(moved)
    monkeypatch.setenv("HRVCOACH_DATA_DIR", str(moved))
    for n in ("1", "2"):
        code, _out, err = run(["report", n], capsys)
        assert code == 0, err
        assert "Traceback" not in err


def test_absolute_paths_of_an_older_history_are_migrated(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo(capsys)
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        (name,) = conn.execute("SELECT path FROM sessions").fetchone()
        old_place = tmp_path / "old-home" / "hrvcoach" / name  # where a moved folder used to be
        conn.execute("UPDATE sessions SET path = ?", (str(old_place),))
    code, _out, err = run(["report", "1"], capsys)
    assert code == 0, err
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        (now,) = conn.execute("SELECT path FROM sessions").fetchone()
    assert now == name


def test_a_locked_history_says_how_to_add_the_session_later(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo(capsys)  # the history exists
    holder = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        code, _out, err = run(
            ["demo", "--headless", "--fast", "--minutes", "0.5", "--checkin-after", "2"], capsys
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 5
    assert "locked" in err
    assert "'hrvcoach sessions --rebuild'" in err
    code, _out, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    rows, _ = sessions(capsys)
    assert [r["checkin_after"] for r in rows] == [None, 2]


def test_companion_files_beside_recordings_are_not_taken_for_lost_recordings(
    data_dir: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    demo(capsys)
    (recording,) = (data_dir / "recordings").glob("*.csv")
    recording.with_name(f"{recording.stem}.ecg.bin").write_bytes(b"\x00\x01" * 64)
    age_recordings(data_dir)
    caplog.clear()
    rows, _ = sessions(capsys)
    assert len(rows) == 1
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    code, _out, err = run(["sessions", "--rebuild"], capsys)
    assert code == 0, err
    assert "not indexed" not in err
