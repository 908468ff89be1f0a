"""A breathing session with a heart-rate strap (any strap with the standard Heart Rate Service).

Connects by exact address, exact name or a unique name prefix (``--device``), or to the last strap
that connected; ``--device sim`` practises on the simulator. The session is recorded beat by beat
and added to your history; it ends after ``--minutes``, on Ctrl-C, on SIGTERM or from the window.
"""

from __future__ import annotations

import argparse

from hrvcoach.commands import _session, _session_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        metavar="NAME|ADDRESS|sim",
        help="strap to use (default: the last one that connected); 'sim' for the simulator",
    )
    _session_options.add_minutes_argument(parser, default=None, planned=True)
    _session_options.add_pace_arguments(parser)
    _session_options.add_speed_arguments(parser)
    _session_options.add_view_arguments(parser)
    _session_options.add_stream_arguments(parser)
    _session_options.add_checkin_arguments(parser)


def run(args: argparse.Namespace) -> int:
    plan = _session.SessionPlan(
        spec=args.device, kind="practice", record=True, title="hrvcoach practice"
    )
    return _session.run_session_command(args, plan)
