"""The ``hrvcoach`` command line: a thin argparse front over one module per subcommand.

Each subcommand lives in ``hrvcoach.commands.<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``; heavy imports (neurokit2, Qt, bleak) happen inside ``run`` so that ``--help``
and quick commands start fast. Errors a user can cause are :class:`~hrvcoach.errors.HrvCoachError`:
they print as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import keyword
import logging
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

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
        self.exit(2, f"{self.prog}: {_did_you_mean(message)} (see '{self.prog} --help')\n")


_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)$")


def _closest(word: str, candidates: Sequence[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return found[0] if found else None


def _did_you_mean(message: str) -> str:
    """argparse's message, with the nearest valid word for a mistyped choice."""
    match = _INVALID_CHOICE.search(message)
    if match is None:
        return message
    word, listed = match.groups()
    choices = re.findall(r"'([^']*)'", listed)
    best = _closest(word, choices)
    if best is None:
        return message
    return f"{message[: match.start()]}invalid choice: {word!r}; did you mean {best!r}?"


def _unrecognized(parser: argparse.ArgumentParser, extra: Sequence[str]) -> str:
    """``unrecognized arguments: --jsno (did you mean --json?)``."""
    options = [o for action in parser._actions for o in action.option_strings]
    hints = []
    for arg in extra:
        if arg.startswith("-"):
            best = _closest(arg.split("=", 1)[0], options, cutoff=0.75)
            if best is not None:
                hints.append((arg, best))
    if len(extra) == 1:
        text = f"unrecognized argument {extra[0]}"
        return f"{text}; did you mean {hints[0][1]}?" if hints else text
    text = f"unrecognized arguments: {' '.join(extra)}"
    said = "; ".join(f"{arg}: did you mean {best}?" for arg, best in hints)
    return f"{text} ({said})" if hints else text


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            found: argparse.ArgumentParser = action.choices[command]
            return found
    return parser


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # A library's warning (matplotlib, neurokit2) is a detail, not the user's business: one line
    # in the log (shown with -v), never the multi-line text Python prints by default.
    text = str(message).strip()
    first = text.splitlines()[0] if text else category.__name__
    log.info("%s: %s", category.__name__, first)


def _tolerant_output() -> None:
    """File names with bytes that are not UTF-8 print as they are instead of crashing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure: Any = getattr(stream, "reconfigure", None)
        encoding = str(getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="surrogateescape" if encoding == "utf8" else "backslashreplace")


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
    _tolerant_output()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = _subparser(parser, args.command)
        sub.error(_unrecognized(sub, extra))
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.command:
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return int(args._module.run(args) or 0)
    except HrvCoachError as err:
        print(f"hrvcoach {args.command}: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"hrvcoach {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
