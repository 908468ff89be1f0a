"""One day at a glance: the goal, minutes practised, sessions, streak, level, the next session's
plan, your personal bests and your latest resting check.

Only counted sessions count: at least one minute of practice with beats. Simulated sessions count
only while the history has no real session yet (said so), or with --include-simulated.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime

from hrvcoach.errors import UsageError
from hrvcoach.protocols.history import latest_check_json, latest_check_line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="another day (default: today)")
    parser.add_argument("--json", action="store_true", help="print the day as JSON")
    parser.add_argument(
        "--include-simulated",
        action="store_true",
        help="count simulated sessions even when real ones exist",
    )


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date {text!r} is not a date like 2026-03-14") from None


def run(args: argparse.Namespace) -> int:
    from hrvcoach import paths
    from hrvcoach.commands._capacity import past_results
    from hrvcoach.commands._training import load_context

    on = _parse_date(args.date) if args.date else datetime.now().astimezone().date()
    data_dir = paths.data_dir(args.data_dir)
    context = load_context(data_dir, include_simulated=args.include_simulated, strict=True)
    day = context.today(on)
    checks = past_results(data_dir, "resting", until=on)
    if args.json:
        payload = day.to_json()
        payload["latest_check"] = latest_check_json(checks)
        print(json.dumps(payload, indent=2))
        return 0
    print(format_today(day))
    line = latest_check_line(checks, on)
    if line:
        print(f"  {line}")
    return 0


def format_today(day: object) -> str:
    from hrvcoach.training import Today

    assert isinstance(day, Today)
    bar_n = round(day.goal_fraction * 20)
    lines = [
        f"{day.date:%A %Y-%m-%d}",
        f"  goal      [{'#' * bar_n}{'.' * (20 - bar_n)}] {day.practised_minutes:.0f} of "
        f"{day.goal_minutes:g} minutes" + (" · reached" if day.goal_met else ""),
        f"  sessions  {day.sessions}",
        f"  streak    {day.streak_days} day(s)",
        f"  level     {day.level} ({day.level_progress})",
        f"  next      {day.plan.minutes:g} minutes at {day.plan.pace_bpm:g} breaths/min",
    ]
    bests = day.personal_bests
    parts = []
    if bests.swing_bpm is not None:
        parts.append(f"swing {bests.swing_bpm:.1f} bpm")
    if bests.coherence is not None:
        parts.append(f"coherence {bests.coherence:.2f}")
    if bests.rmssd_ms is not None:
        parts.append(f"RMSSD {bests.rmssd_ms:.0f} ms")
    if bests.minutes_in_high is not None:
        parts.append(f"{bests.minutes_in_high:.1f} min in the high zone")
    lines.append("  bests     " + (", ".join(parts) if parts else "none yet"))
    if day.note():
        lines.append(f"  {day.note()}")
    elif day.left_out_simulated:
        lines.append(
            f"  {day.left_out_simulated} simulated session(s) left out "
            "(--include-simulated counts them)"
        )
    return "\n".join(lines)
