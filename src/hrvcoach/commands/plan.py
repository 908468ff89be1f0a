"""Your daily goal and the plan that grows: the next session's length and pace, and why.

Sessions start at 5 minutes; every 3 days on which the daily goal was met add a minute, up to 20;
two days in a row without practice ease the plan back a minute. The pace is the one your last
resonance assessment found (else 6 breaths a minute). ``practice`` and ``demo`` without
``--minutes`` use the planned length.

--goal-minutes N sets the daily goal; --level N sets your challenge level by hand (1-4). The rules
are explained in docs/training.md.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import datetime

from hrvcoach.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--goal-minutes", type=float, metavar="N", help="set the daily goal in minutes (1-180)"
    )
    parser.add_argument("--level", type=int, metavar="N", help="set the challenge level (1-4)")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument(
        "--include-simulated",
        action="store_true",
        help="count simulated sessions even when real ones exist",
    )


def run(args: argparse.Namespace) -> int:
    from hrvcoach import paths
    from hrvcoach.commands._training import load_context
    from hrvcoach.settings import Settings
    from hrvcoach.training import DEFAULT_RULES

    goal = args.goal_minutes
    if goal is not None and not (math.isfinite(goal) and 1 <= goal <= 180):
        raise UsageError("--goal-minutes must be between 1 and 180")
    if args.level is not None and not 1 <= args.level <= DEFAULT_RULES.max_level:
        raise UsageError(f"--level must be between 1 and {DEFAULT_RULES.max_level}")
    data_dir = paths.data_dir(args.data_dir)
    now = datetime.now().astimezone()
    if goal is not None or args.level is not None:
        settings = Settings.load(data_dir)
        if goal is not None:
            settings.goal_minutes = goal
        if args.level is not None:
            settings.level_set = args.level
            settings.level_set_at = now.isoformat(timespec="seconds")
        data_dir.mkdir(parents=True, exist_ok=True)
        settings.save(data_dir)
    context = load_context(data_dir, include_simulated=args.include_simulated, strict=True)
    day = context.today(now.date())
    plan = day.plan
    if args.json:
        payload = plan.to_json()
        payload.update(
            date=day.date.isoformat(),
            level=day.level,
            level_progress=day.level_progress,
            level_set_by_hand=context.manual is not None,
            simulated_only=day.simulated_only,
            simulated_left_out=day.left_out_simulated,
        )
        print(json.dumps(payload, indent=2))
        return 0
    print(
        f"Next session: {plan.minutes:g} minutes at {plan.pace_bpm:g} breaths/min · "
        f"level {day.level}"
    )
    for reason in plan.reasons:
        print(f"  {reason}")
    print(f"  Level: {day.level_progress}.")
    if context.manual is not None:
        print(f"  Level {context.manual.level} set by hand on {context.manual.at:%Y-%m-%d}.")
    if day.note():
        print(f"  {day.note()}")
    return 0
