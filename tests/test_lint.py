"""The code stays ruff- and mypy-clean (rules in pyproject.toml): unused code, print() outside
commands, import order, type errors and bug-prone patterns fail the same command as the tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed in this environment (it comes with the dev extras)")
    proc = subprocess.run(
        [ruff, "check", "--no-cache", "src", "drivers", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_finds_nothing() -> None:
    mypy = shutil.which("mypy")
    if mypy is None:
        pytest.skip("mypy is not installed in this environment (it comes with the dev extras)")
    proc = subprocess.run([mypy, "src", "drivers"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
