"""The options the session commands (demo, practice, replay) share, with their limits."""

from __future__ import annotations

import argparse
from pathlib import Path

from hrvcoach.commands._args import number, whole

#: --speed limits: slower than a twentieth of real time is a stopped replay; use --fast beyond
MIN_SPEED = 0.05
MAX_SPEED = 1000.0
#: the longest session asked for with --minutes: a day
MAX_MINUTES = 24 * 60.0


def add_pace_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pace",
        type=number(3.0, 10.0),
        metavar="BPM",
        help="breaths per minute, 3-10 (default: your assessed resonance rate, else 6.0)",
    )
    parser.add_argument(
        "--ratio",
        metavar="IN:OUT",
        help="inhale:exhale proportions, e.g. 4:6, or in:hold:out:hold, e.g. 4:2:6:0",
    )


def add_speed_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--speed",
        type=number(MIN_SPEED, MAX_SPEED),
        metavar="X",
        help=f"play X times faster than real time ({MIN_SPEED:g}-{MAX_SPEED:g})",
    )
    group.add_argument("--fast", action="store_true", help="play as fast as possible")


def add_view_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--headless", action="store_true", help="no window and no terminal dashboard"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the session summary as JSON at the end"
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help="print one JSON object per beat with the live metrics (and the training zone, "
        "swing_bpm and level), then the summary",
    )
    parser.add_argument(
        "--screenshot", metavar="PATH", type=Path, help="save a PNG of the window as it ends"
    )
    parser.add_argument(
        "--calm",
        action="store_true",
        help="calm view: only the pacer and the zone colour; the numbers wait for the end",
    )
    parser.add_argument(
        "--window-seconds",
        type=number(10.0, 600.0),
        default=60.0,
        metavar="S",
        help="length of the live HRV window (default 60)",
    )
    parser.add_argument(
        "--artifacts",
        choices=["nn", "kubios", "none"],
        default=None,
        help="nn: normal-to-normal intervals only (the default); kubios: Kubios correction; "
        "none: every beat as it came (replay --method other than default: none)",
    )


def add_stream_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-ecg",
        action="store_true",
        help="do not stream a Polar strap's (or the simulator's) ECG; on by default when offered",
    )
    parser.add_argument(
        "--no-motion",
        action="store_true",
        help="do not stream its chest motion, the measured breath; on by default likewise",
    )


def add_checkin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checkin-before",
        type=whole(0, 10),
        metavar="N",
        help="your stress before, 0 (calm) to 10",
    )
    parser.add_argument(
        "--checkin-after", type=whole(0, 10), metavar="N", help="your stress after, 0 (calm) to 10"
    )
    parser.add_argument("--note", metavar="TEXT", help="a short note kept with the session")
    parser.add_argument(
        "--no-checkin", action="store_true", help="do not ask for check-ins in the window"
    )


def add_minutes_argument(
    parser: argparse.ArgumentParser, *, default: float | None, planned: bool = False
) -> None:
    if planned:
        suffix = " (default: the planned length, see 'hrvcoach plan')"
    else:
        suffix = f" (default {default:g})" if default else " (default: until stopped)"
    parser.add_argument(
        "--minutes",
        type=number(0.0, MAX_MINUTES, low_open=True),
        default=default,
        metavar="M",
        help="session length" + suffix,
    )


# -- option checks ------------------------------------------------------------------------------
