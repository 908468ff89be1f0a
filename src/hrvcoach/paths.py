"""Where user data lives: ``--data-dir`` beats ``HRVCOACH_DATA_DIR`` beats the platform default."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "HRVCOACH_DATA_DIR"


def data_dir(override: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """The per-user data directory (recordings, history database, settings)."""
    if override:
        path = Path(override).expanduser()
    elif os.environ.get(ENV_VAR):
        path = Path(os.environ[ENV_VAR]).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("hrvcoach", appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def recordings_dir(base: Path) -> Path:
    path = base / "recordings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def bundled_recordings_dir() -> Path:
    """The example sessions that ship with the project (``recordings/`` at the repository root)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "recordings"
        if candidate.is_dir() and any(candidate.glob("*.csv")):
            return candidate
    raise FileNotFoundError("the bundled recordings folder is missing")
