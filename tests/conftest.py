"""Shared fixtures. Real recordings come from ``../shared/data`` beside the project root; tests that
need them skip with a reason when that folder is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("HRVCOACH_SHARED_DATA", ROOT.parent / "shared" / "data"))
RECORDINGS = ROOT / "recordings"
ARTIFACTS = ROOT / "test-artifacts"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--strap",
        default=None,
        help="name or address of a real heart-rate strap for the hardware tests",
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``, or skip: the real recordings are not part of the project."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not available: {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests save screenshots and pictures for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh per-test user data directory (recordings, history database)."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("HRVCOACH_DATA_DIR", str(path))
    return path
