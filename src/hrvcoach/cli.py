"""The ``hrvcoach`` command line: a thin argparse front over one module per subcommand.

Each subcommand lives in ``hrvcoach.commands.<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``; heavy imports (neurokit2, Qt, bleak) happen inside ``run`` so that ``--help``
and quick commands start fast. Errors a user can cause are :class:`~hrvcoach.errors.HrvCoachError`:
they print as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from hrvcoach import __version__
from hrvcoach.errors import HrvCoachError

#: subcommand -> one-line help, in the order ``--help`` lists them
COMMANDS: dict[str, str] = {
    "demo": "practise on the simulator or a bundled recording (no strap needed)",
    "practice": "a breathing session with a heart-rate strap (or --device sim)",
    "replay": "run a recording through the live pipeline",
    "analyze": "whole-session HRV summary of a recording",
    "export": "write a recording as RR in ms (Kubios, Elite HRV) or CSV",
    "scan": "list nearby heart-rate straps",
    "assess": "find your resonance breathing rate",
    "check": "a resting check of your HRV, or the deep-breathing test",
    "recovery": "the recovery drill: how quickly you come back after an activation",
    "today": "today's goal, minutes, streak, level and next session",
    "plan": "your daily goal and the plan that grows (set the goal or level)",
    "sessions": "the history of your sessions",
    "import": "add past recordings to the history",
    "trends": "HRV, coherence and practice trends over time",
    "report": "pictures and numbers of one session",
}

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (the full usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hrvcoach",
        description="HRV biofeedback breathing trainer: training, not treatment.",
    )
    parser.add_argument("--version", action="version", version=f"hrvcoach {__version__}")
    data_dir_help = (
        "where recordings and history live (default: $HRVCOACH_DATA_DIR, else the per-user "
        "data folder)"
    )
    parser.add_argument("--data-dir", metavar="DIR", help=data_dir_help)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    # The same options after the subcommand (``hrvcoach sessions --data-dir D``); SUPPRESS keeps
    # a value given before the subcommand when none is given after it.
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_dir_help)
    common.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more log output"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        module_name = name.replace("-", "_") + ("_" if keyword.iskeyword(name) else "")
        module = importlib.import_module(f"hrvcoach.commands.{module_name}")
        p = sub.add_parser(
            name,
            help=help_text,
            description=(module.__doc__ or help_text).strip(),
            parents=[common],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(args._module.run(args) or 0)
    except HrvCoachError as err:
        print(f"hrvcoach {args.command}: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"hrvcoach {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
