"""List the history of your sessions: date, kind, minutes, pace, heart rate, RMSSD, coherence and
self-rated stress before -> after.

--rebuild re-reads every recording (the data folder's recordings/ and files imported before) and
rebuilds the history index from them; check-ins are kept.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.commands._args import whole
from hrvcoach.commands._progress import Progress
from hrvcoach.errors import RecordingError, UsageError
from hrvcoach.store import KINDS, SessionRow

if TYPE_CHECKING:
    from hrvcoach.store import HistoryStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the sessions as JSON")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the history from the recordings (after a lost or damaged database)",
    )
    parser.add_argument("--kind", choices=KINDS, action="append", help="only sessions of a kind")
    parser.add_argument(
        "--last", type=whole(1, 10**9), metavar="N", help="only the N most recent sessions"
    )


def _num(value: float | None, digits: int) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{digits}f}"


def _stress(row: SessionRow) -> str:
    b, a = row.checkin.before, row.checkin.after
    if b is None and a is None:
        return "-"
    return f"{'?' if b is None else b} -> {'?' if a is None else a}"


def format_table(rows: Sequence[SessionRow]) -> str:
    """The sessions as an aligned text table, oldest first."""
    header = ("#", "date", "kind", "min", "pace", "HR", "RMSSD", "coh", "stress")
    lines = [header]
    for r in rows:
        kind = r.kind + (" (sim)" if r.simulated else "")
        guessed = r.start_time_source == "mtime"
        lines.append(
            (
                str(r.id),
                f"{'~' if guessed else ''}{r.start:%Y-%m-%d %H:%M}",
                kind,
                f"{r.minutes:.1f}",
                r.pace_label or "-",
                _num(r.mean_hr_bpm, 0),
                _num(r.rmssd_ms, 1),
                _num(r.coherence, 2),
                _stress(r),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {0, 3, 5, 6, 7}
    out = []
    for line in lines:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
    notes = ["HR in bpm, RMSSD in ms, coherence as peak/rest power ratio, stress 0 (calm) to 10"]
    if any(r.start_time_source == "mtime" for r in rows):
        notes.append("~ start time guessed from the file's modification time")
    if any(r.kind == "other" for r in rows):
        notes.append("other: not practice (a workout or a long recording), left out of the trends")
    if any(r.kind == "capacity" for r in rows):
        notes.append("capacity: a check or a drill; its numbers are in the capacity trends")
    return "\n".join([*out, "", *notes])


def run(args: argparse.Namespace) -> int:
    from hrvcoach.paths import data_dir, recordings_dir
    from hrvcoach.store import CorruptStoreError, HistoryStore

    if args.last is not None and args.last < 1:
        raise UsageError("--last must be a whole number of sessions, 1 or more")
    base = data_dir(args.data_dir)
    exit_code = 0
    latest: str | None = None
    if not args.rebuild:
        with HistoryStore.open(base) as store:
            rows = store.sessions(kinds=args.kind)
            latest = _latest_check(store)
    else:
        from hrvcoach.commands._signals import session_analyzer
        from hrvcoach.store.imports import all_copies

        folder = recordings_dir(base)
        files = sum(1 for p in folder.iterdir() if p.is_file()) + len(all_copies(base))
        bar = Progress("rebuilding", total=files, enabled=not args.json)

        def step(_path: Path) -> None:
            bar.step()

        try:
            # The damage may show on opening or only when the rows are read.
            with (
                bar,
                HistoryStore.open(base, notice_lost=False, analyzer=session_analyzer()) as store,
            ):
                result = store.rebuild(folder, progress=step)
                store.rebuild_capacity(folder)
                rows = store.sessions(kinds=args.kind)
                latest = _latest_check(store)
        except CorruptStoreError:
            bar.done = 0
            with bar, _fresh_store(base) as (store, salvaged):
                result = store.rebuild(folder, previous=salvaged, progress=step)
                store.rebuild_capacity(folder)
                rows = store.sessions(kinds=args.kind)
                latest = _latest_check(store)
        print(
            f"Rebuilt the history from the recordings: {result.indexed} session(s), "
            f"{result.new} not indexed before.",
            file=sys.stderr if args.json else sys.stdout,
        )
        for path, why in result.kept:
            print(f"kept as it was (recording {why}): {path}", file=sys.stderr)
        for path, _why in result.skipped:
            print(f"not a session (fewer than 2 beats): {path}", file=sys.stderr)
        for path, why in result.failed:
            print(f"not indexed: {path}: {why}", file=sys.stderr)
            exit_code = RecordingError.exit_code
    if args.last is not None:
        rows = rows[-args.last :] if args.last > 0 else []
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2))
    elif not rows:
        print("No sessions yet. Try 'hrvcoach demo', or 'hrvcoach import FILE' for past ones.")
    else:
        print(format_table(rows))
    if latest and not args.json:
        print(latest)
    return exit_code


def _latest_check(store: HistoryStore) -> str | None:
    """The line on the latest resting check, for under the table."""
    from datetime import datetime

    from hrvcoach.protocols.history import latest_check_line

    today = datetime.now().astimezone().date()
    return latest_check_line(store.capacity_results("resting"), today)


@contextlib.contextmanager
def _fresh_store(base: Path) -> Iterator[tuple[HistoryStore, list[SessionRow]]]:
    """A new, empty history in place of a damaged one, and the rows the damaged one still gives.

    The damaged file is kept aside for inspection, never deleted; its readable rows matter because
    imports and check-ins set after the fact live nowhere else.
    """
    from hrvcoach.commands._signals import session_analyzer
    from hrvcoach.store import DB_NAME, HistoryStore

    aside = HistoryStore.set_aside(base / DB_NAME)
    salvaged = HistoryStore.salvage(aside)
    print(
        f"the damaged history was moved to {aside}; "
        f"{len(salvaged)} session(s) could still be read from it",
        file=sys.stderr,
    )
    with HistoryStore.open(base, notice_lost=False, analyzer=session_analyzer()) as store:
        yield store, salvaged
