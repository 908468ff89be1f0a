"""Copies of imported files, kept in the data folder: the files, not the index, are the truth.

An import is copied to ``imports/<first 16 hex digits of its sha256>/<its name>`` (the same bytes
are kept once, however often they are imported), with its modification time, so the start time
read from it does not change. Beside it, ``hrvcoach-import.json`` keeps what only the import
knows: where it came from, its kind, and the check-ins and note given with it. A rebuild reads both.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from hrvcoach.errors import StoreError
from hrvcoach.store.checkins import CheckIn

log = logging.getLogger(__name__)

IMPORTS_DIR = "imports"
SIDECAR = "hrvcoach-import.json"
_NAME_MAX_BYTES = 200


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.chmod(0o700)


def safe_name(name: str) -> str:
    """A file name that any file system and SQLite take: valid UTF-8 and at most 200 bytes,
    keeping the start (Elite HRV's date) and the suffix (``.fit``, ``.hrm``, ``.npy``)."""
    text = os.fsencode(name).decode("utf-8", "replace").replace("\ufffd", "_")
    text = text.replace("/", "_") or "recording"
    if len(text.encode()) <= _NAME_MAX_BYTES:
        return text
    suffix = Path(text).suffix[:16]
    stem = text[: len(text) - len(suffix)]
    while len((stem + suffix).encode()) > _NAME_MAX_BYTES:
        stem = stem[:-1]
    return stem + suffix


def keep_copy(base: Path, source: Path, sha256: str) -> Path:
    """The copy of ``source`` in the data folder ``base``, made if it is not there yet.

    Raises:
        RecordingError: ``source`` cannot be read.
        StoreError: The copy cannot be written.
    """
    from hrvcoach.readers import read_file
    from hrvcoach.readers._files import stat_file

    folder = base / IMPORTS_DIR / sha256[:16]
    for existing in copies_in(folder):
        return existing  # the same bytes, imported before (perhaps under another name)
    data = read_file(source)
    target = folder / safe_name(source.name)
    try:
        _private_dir(folder.parent)
        _private_dir(folder)
        tmp = target.with_name(f".{target.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(data)
        info = stat_file(source)
        os.utime(tmp, ns=(info.st_atime_ns, info.st_mtime_ns))
        os.replace(tmp, target)
    except OSError as err:
        raise StoreError(f"cannot keep a copy of {source} in {folder}: {err.strerror}") from None
    return target


def drop_copy(copy: Path) -> None:
    """Remove a copy made for an import that did not go in (and its folder, if now empty)."""
    with contextlib.suppress(OSError):
        copy.unlink()
        if not (copy.parent / SIDECAR).exists():
            copy.parent.rmdir()


def copies_in(folder: Path) -> list[Path]:
    """The imported file(s) in one copy folder (not the sidecar, not a half-written copy)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name != SIDECAR and not p.name.startswith(".")
    )


def all_copies(base: Path) -> list[Path]:
    """Every imported file kept in the data folder ``base``."""
    root = base / IMPORTS_DIR
    if not root.is_dir():
        return []
    return [copy for folder in sorted(root.iterdir()) for copy in copies_in(folder)]


def is_copy(base: Path, path: Path) -> bool:
    return Path(path).resolve().parent.parent == (base / IMPORTS_DIR).resolve()


def read_sidecar(copy: Path) -> dict[str, Any]:
    """What the import knew beyond the file (empty if nothing was kept)."""
    try:
        raw = json.loads((copy.parent / SIDECAR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def write_sidecar(
    copy: Path,
    *,
    original: Path | None = None,
    kind: str | None = None,
    checkin: CheckIn | None = None,
) -> None:
    """Record (or update) the import's origin, kind and check-ins beside its copy."""
    raw = read_sidecar(copy)
    if original is not None:
        raw.setdefault("original", os.fsencode(original).decode("utf-8", "backslashreplace"))
    if kind is not None:
        raw["kind"] = kind
    if checkin is not None:
        for key, value in (
            ("checkin_before", checkin.before),
            ("checkin_after", checkin.after),
            ("note", checkin.note),
        ):
            if value is not None:
                raw[key] = value
    path = copy.parent / SIDECAR
    tmp = path.with_name(f".{SIDECAR}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)
            json.dump(raw, out, indent=2, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError as err:
        log.warning("could not keep the check-ins of %s beside it: %s", copy, err.strerror)


def sidecar_checkin(raw: dict[str, Any]) -> CheckIn:
    def stress(key: str) -> int | None:
        value = raw.get(key)
        return value if isinstance(value, int) and 0 <= value <= 10 else None

    note = raw.get("note")
    return CheckIn(stress("checkin_before"), stress("checkin_after"), note if note else None)
