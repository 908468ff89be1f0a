"""Practise with no strap: the breathing simulator (default) or a bundled example recording.

Opens the practice window when a display is available, else a terminal dashboard; the session is
recorded and added to your history like any other.
"""

from __future__ import annotations

import argparse

from hrvcoach.commands import _session, _session_options
from hrvcoach.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        default="sim",
        metavar="SPEC",
        help="sim, or sim:resonance=5.0,seed=3 (default: sim)",
    )
    parser.add_argument(
        "--recording",
        metavar="NAME|PATH",
        help="replay a bundled example (see recordings/) or any recording instead of the simulator",
    )
    _session_options.add_minutes_argument(parser, default=None, planned=True)
    _session_options.add_pace_arguments(parser)
    _session_options.add_speed_arguments(parser)
    _session_options.add_view_arguments(parser)
    _session_options.add_stream_arguments(parser)
    _session_options.add_checkin_arguments(parser)


def bundled_recording(name: str) -> str:
    """A recording path from a bundled example's name (``sim-6bpm-5min``) or a file path."""
    from pathlib import Path

    from hrvcoach.paths import bundled_recordings_dir

    path = Path(name)
    if path.is_file():
        return str(path)
    folder = bundled_recordings_dir()
    for candidate in (folder / name, folder / f"{name}.csv"):
        if candidate.is_file():
            return str(candidate)
    names = ", ".join(sorted(p.stem for p in folder.glob("*.csv")))
    raise UsageError(f"no bundled recording called {name!r}; there are: {names}")


def run(args: argparse.Namespace) -> int:
    spec = args.device
    if args.recording:
        spec = "replay:" + bundled_recording(args.recording)
    elif not spec.startswith("sim"):
        raise UsageError("demo runs on the simulator or a recording; use 'practice' for a strap")
    plan = _session.SessionPlan(spec=spec, kind="demo", record=True, title="hrvcoach demo")
    return _session.run_session_command(args, plan)
