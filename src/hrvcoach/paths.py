"""Where user data lives: ``--data-dir`` beats ``HRVCOACH_DATA_DIR`` beats the platform default."""

from __future__ import annotations

import os
from pathlib import Path

from hrvcoach.errors import StoreError

ENV_VAR = "HRVCOACH_DATA_DIR"


def _make_dir(path: Path, what: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"{what} {path} is a file, not a folder") from None
    except OSError as err:
        reason = err.strerror or str(err)
        raise StoreError(f"cannot create {what} {path}: {reason.lower()}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write to {what} {path}: permission denied")


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
        _make_dir(path, "the data folder")
    return path


def recordings_dir(base: Path) -> Path:
    path = base / "recordings"
    _make_dir(path, "the recordings folder")
    return path


def bundled_recordings_dir() -> Path:
    """The example sessions that ship with the project (``recordings/`` at the repository root)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "recordings"
        if candidate.is_dir() and any(candidate.glob("*.csv")):
            return candidate
    raise FileNotFoundError("the bundled recordings folder is missing")
