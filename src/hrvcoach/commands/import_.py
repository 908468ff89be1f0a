"""Add past recordings to your history: hrvcoach's own, plain RR lists (Elite HRV, Kubios,
Welltory), HRV Logger, Polar HRM, Garmin FIT and Polar Sensor Logger files.

Each file is added once (by content). Files are referenced where they are, not copied; the start
time comes from the file where it says one, else from its name, else from its modification time.

A past session becomes an "import" and counts as practice in the trends. A workout from a sports
watch (Garmin FIT, Polar HRM) or a recording longer than 45 minutes (a 24-hour Holter) becomes
"other": listed and reportable, but not counted as practice. --kind overrides the choice.
"""

from __future__ import annotations

import argparse
import sys

from hrvcoach.store import KINDS

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

    from hrvcoach.errors import HrvCoachError, StoreError
    from hrvcoach.paths import data_dir
    from hrvcoach.reports import duration_text
    from hrvcoach.store import HistoryStore

    failed = added = known = 0
    with HistoryStore.open(data_dir(args.data_dir)) as store:
        for name in args.files:
            path = Path(name).expanduser()
            try:
                if path.is_file():
                    existing = store.find_file(path)
                    if existing is not None:
                        known += 1
                        print(f"already in the history as #{existing.id}: {path}")
                        continue
                row = store.add_recording(path, kind=args.kind, note=args.note)
            except StoreError:
                raise  # the database itself is unusable: stop, nothing more can be added
            except (HrvCoachError, ValueError) as err:
                # One bad file is reported and the rest are still imported.
                failed += 1
                print(f"hrvcoach import: {_one_line(err, path)}", file=sys.stderr)
                continue
            added += 1
            rmssd = f"{row.rmssd_ms:.1f} ms" if row.rmssd_ms is not None else "-"
            when = SOURCES.get(row.start_time_source, row.start_time_source)
            kind = "" if row.is_practice else " (other: not counted as practice)"
            print(
                f"added #{row.id}{kind}: {row.start:%Y-%m-%d %H:%M} ({when}), "
                f"{duration_text(row.duration_s)}, {row.beats or 0} beats, RMSSD {rmssd}, "
                f"{row.format}: {path}"
            )
    if len(args.files) > 1:
        print(f"{added} added, {known} already there, {failed} failed")
    return 1 if failed else 0


def _one_line(err: Exception, path: object) -> str:
    from hrvcoach.errors import HrvCoachError

    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text if isinstance(err, HrvCoachError) else f"{path}: cannot analyse: {text}"
