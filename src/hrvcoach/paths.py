"""Where user data lives: ``--data-dir`` beats ``HRVCOACH_DATA_DIR`` beats the platform default."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from hrvcoach.errors import StoreError

ENV_VAR = "HRVCOACH_DATA_DIR"

log = logging.getLogger(__name__)


#: the data folder and its folders: the owner's alone (recordings say when and how you breathed)
DIR_MODE = 0o700
#: every file in it
FILE_MODE = 0o600


def _make_dir(path: Path, what: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except FileExistsError:
        raise StoreError(f"{what} {path} is a file, not a folder") from None
    except OSError as err:
        reason = err.strerror or str(err)
        raise StoreError(f"cannot create {what} {path}: {reason.lower()}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write to {what} {path}: permission denied")
    _make_private(path)


def _make_private(folder: Path) -> None:
    """The folder 0700 and the files directly in it 0600, whatever the umask was when they were
    made (folders from older versions were 0755 with 0644 files). Only the owner's own files."""
    try:
        info = folder.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o777 == DIR_MODE:
            return
        folder.chmod(DIR_MODE)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    private_file(Path(entry.path))
    except OSError as err:
        log.warning("could not make %s private: %s", folder, err.strerror or err)


def private_file(path: Path) -> None:
    """Make one file in the data folder readable and writable by its owner only."""
    try:
        if path.stat().st_mode & 0o777 != FILE_MODE:
            path.chmod(FILE_MODE)
    except FileNotFoundError:
        pass


def user_file_mode() -> int:
    """The mode a new file of the user's gets under their umask (0644 for umask 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


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
