"""Add past recordings to your history: hrvcoach's own, plain RR lists (Elite HRV, Kubios,
Welltory), HRV Logger, Polar HRM, Garmin FIT and Polar Sensor Logger files.

Each file is added once (by content) and copied into the data folder, so the history keeps it
whatever happens to the original (see docs/history.md). The start time comes from the file where
it says one, else from its name, else from its modification time.

A past session becomes an "import" and counts as practice in the trends. A workout from a sports
watch (Garmin FIT, Polar HRM) or a recording longer than 45 minutes (a 24-hour Holter) becomes
"other": listed and reportable, but not counted as practice. --kind overrides the choice.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from hrvcoach.errors import RecordingError
from hrvcoach.store import KINDS

if TYPE_CHECKING:
    from pathlib import Path

    from hrvcoach.store import HistoryStore, SessionRow

log = logging.getLogger(__name__)

#: how ``start_time_source`` reads in the output
SOURCES = {
    "file": "start time from the file",
    "filename": "start time from the file name",
    "mtime": "start time guessed: the file's modification time less its length",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="recordings to add")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default=None,
        help="what the recordings were (default: import, or other for a workout or a recording "
        "over 45 min)",
    )
    parser.add_argument("--note", metavar="TEXT", help="a note to keep with every file added")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hrvcoach.commands._progress import Progress
    from hrvcoach.errors import StoreError
    from hrvcoach.paths import data_dir
    from hrvcoach.reports import duration_text
    from hrvcoach.store import HistoryStore

    failed = added = known = 0
    with (
        HistoryStore.open(data_dir(args.data_dir)) as store,
        Progress("importing", total=len(args.files), enabled=len(args.files) > 1) as progress,
    ):
        for name in args.files:
            path = Path(name).expanduser()
            progress.step()
            try:
                row, is_new = _import_one(store, path, args)
            except StoreError:
                raise  # the database itself is unusable: stop, nothing more can be added
            except Exception as err:  # one bad file is one line; the rest are still imported
                failed += 1
                log.debug("import of %s failed", path, exc_info=True)
                progress.print(f"hrvcoach import: {_one_line(err, path)}", file=sys.stderr)
                continue
            if not is_new:
                known += 1
                progress.print(f"already in the history as #{row.id}: {path}")
                continue
            added += 1
            rmssd = f"{row.rmssd_ms:.1f} ms" if row.rmssd_ms is not None else "-"
            when = SOURCES.get(row.start_time_source, row.start_time_source)
            kind = "" if row.is_practice else " (other: not counted as practice)"
            progress.print(
                f"added #{row.id}{kind}: {row.start:%Y-%m-%d %H:%M} ({when}), "
                f"{duration_text(row.duration_s)}, {row.beats or 0} beats, RMSSD {rmssd}, "
                f"{row.format}: {path}"
            )
    if len(args.files) > 1:
        print(f"{added} added, {known} already there, {failed} failed")
    return RecordingError.exit_code if failed else 0


def _import_one(
    store: HistoryStore, path: Path, args: argparse.Namespace
) -> tuple[SessionRow, bool]:
    """The file's row and whether it is new; a :class:`RecordingError` for a file that cannot
    be a session (not a regular file, unreadable, fewer than 2 beats)."""
    from hrvcoach.readers import read_recording, require_beats

    recording = read_recording(path)  # refuses FIFOs, devices, loops and the like unopened
    for warning in recording.warnings:
        print(f"hrvcoach import: note: {warning}", file=sys.stderr)
    require_beats(recording, "import")
    existing = store.find_file(path)
    if existing is not None:
        return existing, False
    return store.add_recording(path, kind=args.kind, note=args.note), True


def _one_line(err: BaseException, path: object) -> str:
    from hrvcoach.errors import HrvCoachError

    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text if isinstance(err, HrvCoachError) else f"{path}: cannot import: {text}"
