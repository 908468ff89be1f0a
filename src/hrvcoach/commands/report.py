"""Pictures and numbers of one session: heart rate with the pacer, RMSSD and coherence over the
session, the RR spectrum with its LF and HF bands and peak, the corrected beats, and the summary.

SESSION is a number from 'hrvcoach sessions', or the path of any recording hrvcoach can read.
Without --png or --html the numbers are printed.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", metavar="SESSION|FILE", help="session number or recording file")
    parser.add_argument("--png", type=Path, metavar="PATH", help="write the pictures as PNG")
    parser.add_argument(
        "--html", type=Path, metavar="PATH", help="write a self-contained HTML page"
    )
    parser.add_argument(
        "--artifacts",
        choices=("kubios", "none"),
        default="kubios",
        help="artifact correction before the numbers (default: kubios)",
    )


def run(args: argparse.Namespace) -> int:
    from hrvcoach import reports
    from hrvcoach.errors import StoreError, UsageError
    from hrvcoach.paths import data_dir
    from hrvcoach.readers import read_recording
    from hrvcoach.store import HistoryStore

    target = Path(args.session).expanduser()
    row = None
    if target.exists():
        path = target
    elif args.session.isdigit():
        with HistoryStore.open(data_dir(args.data_dir)) as store:
            row = store.session(int(args.session))
        path = row.path
    else:
        raise UsageError(f"{args.session}: no such file, and not a session number")
    recording = read_recording(path)
    if row is None:
        # A file that is in the history still shows its check-ins; a broken history must not stop
        # the report of a file that is readable on its own.
        try:
            with HistoryStore.open(data_dir(args.data_dir)) as store:
                row = store.find_file(path)
        except StoreError as err:
            log.warning("check-ins not shown: %s", err)
    checkin = (row.checkin.before, row.checkin.after, row.checkin.note) if row else (None,) * 3
    title = None
    if row is not None:
        title = f"{row.kind.capitalize()} #{row.id}, {row.start:%d %b %Y %H:%M}"
    report = reports.session_report(
        recording, title=title, checkin=checkin, artifacts=args.artifacts
    )
    if args.png:
        reports.write_session_png(report, args.png)
        print(f"wrote {args.png}")
    if args.html:
        reports.write_session_html(report, args.html)
        print(f"wrote {args.html}")
    if not args.png and not args.html:
        print(reports.session_text(report))
    return 0
