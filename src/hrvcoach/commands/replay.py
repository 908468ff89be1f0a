"""Run a recording through the live pipeline, as if it were happening now.

Any supported format (hrvcoach, plain RR lists, HRV Logger, Polar HRM, Garmin FIT, Polar Sensor
Logger). Plays in real time, ``--speed X`` faster, or ``--fast``; ``--jsonl`` prints every beat with
its live metrics, then the whole-session summary. Nothing new is recorded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hrvcoach.commands import _session, _session_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the recording to replay")
    parser.add_argument(
        "--format",
        dest="input_format",
        metavar="FMT",
        help="read FILE as this format instead of guessing from its content "
        "(hrvcoach, rr-list, hrvlogger, polar-hrm, garmin-fit, polar-sensor-logger, numpy)",
    )
    _session_options.add_minutes_argument(parser, default=None)
    _session_options.add_pace_arguments(parser)
    _session_options.add_speed_arguments(parser)
    _session_options.add_view_arguments(parser)
    from hrvcoach.methods import METHODS, NAMES

    parser.add_argument(
        "--method",
        choices=NAMES,
        default="default",
        help="whose conventions the numbers follow (live time domain and the summary): "
        + "; ".join(f"{m.name}: {m.summary}" for m in METHODS.values()),
    )


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)  # a missing or unreadable file is the reader's one-line error
    plan = _session.SessionPlan(
        spec=f"replay:{path}",
        kind="replay",
        record=False,
        title=f"replay of {path.name}",
        input_format=args.input_format,
    )
    return _session.run_session_command(args, plan)
