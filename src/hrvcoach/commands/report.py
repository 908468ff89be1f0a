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

#: how a session of each kind is named in a report's title
TITLES = {
    "practice": "Practice",
    "demo": "Demo",
    "import": "Imported session",
    "assessment": "Assessment",
    "other": "Recording",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", metavar="SESSION|FILE", help="session number or recording file")
    parser.add_argument("--png", type=Path, metavar="PATH", help="write the pictures as PNG")
    parser.add_argument(
        "--html", type=Path, metavar="PATH", help="write a self-contained HTML page"
    )
    parser.add_argument(
        "--artifacts",
        choices=("nn", "kubios", "none"),
        default="nn",
        help="nn: normal-to-normal intervals only (default); kubios: Kubios correction; "
        "none: every beat as it came",
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
    stored = None
    if row is not None:
        what = TITLES.get(row.kind, row.kind.capitalize())
        title = f"{what} #{row.id}, {row.start:%d %b %Y %H:%M}"
        # The history keeps the whole-session numbers (analysing a 24-hour recording takes longer
        # than drawing it); they are used while the file is the one indexed, so the report says
        # what 'sessions' says.
        same_method = row.summary.get("artifact_method") == args.artifacts
        if same_method and _unchanged(path, row.sha256):
            stored = row.summary
    report = reports.session_report(
        recording, title=title, checkin=checkin, artifacts=args.artifacts, summary=stored
    )
    from hrvcoach.reports.ecg_excerpt import ecg_excerpts, ecg_section_html, write_ecg_png

    ecg = ecg_excerpts(recording)  # when ECG was recorded and a beat looks premature
    if args.png:
        reports.write_session_png(report, args.png)
        print(f"wrote {args.png}")
        if ecg is not None:
            ecg_png = args.png.with_name(f"{args.png.stem}-ecg{args.png.suffix or '.png'}")
            write_ecg_png(ecg, ecg_png)
            print(f"wrote {ecg_png}")
    if args.html:
        if ecg is None:
            reports.write_session_html(report, args.html)
        else:
            page = reports.session_html(report)
            page = page.replace("<footer>", ecg_section_html(ecg) + "\n<footer>", 1)
            try:
                args.html.write_text(page, encoding="utf-8")
            except OSError as err:
                raise UsageError(f"cannot write {args.html}: {err.strerror or err}") from None
        print(f"wrote {args.html}")
    if not args.png and not args.html:
        print(reports.session_text(report))
        if ecg is not None:
            print(
                f"ECG: {ecg.premature} of {ecg.beats} beats look premature by their shape; "
                "--png or --html shows them"
            )
    return 0


def _unchanged(path: Path, sha256: str) -> bool:
    from hrvcoach.store import sha256_file

    try:
        return sha256_file(path) == sha256
    except OSError:
        return False
