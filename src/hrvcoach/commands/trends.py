"""Your practice over time: RMSSD, coherence and heart rate per session with a 7-day line, the
pace you used, your stress before -> after, weekly minutes, streaks and the days you practised;
under them your capacity: resting checks, deep-breathing tests and recovery drills.

Opens a window when a display is available; otherwise prints a short summary. --png and --html
write the same pictures for sharing (the HTML page is self-contained); --csv writes one row per
session. Simulated sessions are left out unless --include-simulated.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--png", type=Path, metavar="PATH", help="write the trends as a PNG picture"
    )
    parser.add_argument(
        "--html", type=Path, metavar="PATH", help="write a self-contained HTML page"
    )
    parser.add_argument(
        "--csv",
        type=Path,
        metavar="PATH",
        help="write one row per session as CSV (every session, or those of --days)",
    )
    parser.add_argument(
        "--days",
        type=int,
        metavar="N",
        default=None,
        help="show the last N days (default: up to a year)",
    )
    parser.add_argument(
        "--include-simulated",
        action="store_true",
        help="also count simulator sessions (left out by default: no real heart made them)",
    )
    parser.add_argument(
        "--no-window", action="store_true", help="print the summary instead of opening a window"
    )


def run(args: argparse.Namespace) -> int:
    from hrvcoach import reports
    from hrvcoach.errors import UsageError
    from hrvcoach.paths import data_dir
    from hrvcoach.protocols.history import capacity_trends
    from hrvcoach.store import HistoryStore

    if args.days is not None and args.days < 1:
        raise UsageError("--days must be at least 1")
    with HistoryStore.open(data_dir(args.data_dir)) as store:
        rows = store.sessions()
        assessments = store.assessments()
        checks = store.capacity_results()
    trends = reports.compute_trends(
        rows,
        days=args.days,
        include_simulated=args.include_simulated,
        assessments=assessments,
    )
    trends = replace(
        trends,
        capacity=capacity_trends(
            checks, include_simulated=args.include_simulated, since=trends.first_day
        ),
    )
    wrote = False
    if args.csv:
        # The table is for keeping and for other tools: every session (simulated ones flagged in
        # their own column), or those of the last --days days.
        table = rows if args.days is None else [r for r in rows if r.local_date >= trends.first_day]
        reports.write_sessions_csv(table, args.csv)
        print(f"wrote {args.csv}")
        wrote = True
    if args.png:
        reports.write_trends_png(trends, args.png)
        print(f"wrote {args.png}")
        wrote = True
    if args.html:
        reports.write_trends_html(trends, args.html)
        print(f"wrote {args.html}")
        wrote = True
    if not wrote and not args.no_window and _display_available():
        from hrvcoach.gui.trends_window import show_trends_window

        show_trends_window(trends)
        return 0
    print(reports.trends_text(trends))
    if trends.capacity is not None and not trends.capacity.empty:
        from hrvcoach.reports.capacity import capacity_text

        print()
        print(capacity_text(trends.capacity))
    return 0


def _display_available() -> bool:
    # The offscreen and minimal Qt platforms draw nowhere: a window there would never be closed.
    from hrvcoach import display

    return not display.offscreen() and display.window_possible()
