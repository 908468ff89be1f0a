"""What the benchmarks share: where the real recordings are, and timing a whole command."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HRVCOACH_SHARED_DATA", ROOT.parent / "shared" / "data"))
#: the 24-hour Holter recording the speed targets are stated for
DAY_FILE = SHARED / "rr" / "physionet-healthy-24h" / "000.txt"


def command_s(*argv: str) -> float:
    """Wall-clock time of an ``hrvcoach`` command in a fresh process (start-up included)."""
    with tempfile.TemporaryDirectory() as data_dir:  # keep the user's history out of it
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "hrvcoach", "--data-dir", data_dir, *argv],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        return time.perf_counter() - start
