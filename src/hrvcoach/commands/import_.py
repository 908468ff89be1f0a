"""hrvcoach import (under construction)."""

from __future__ import annotations

import argparse

from hrvcoach.errors import HrvCoachError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise HrvCoachError("'import' is not available yet")
