"""Small per-user settings kept beside the data: the last strap that connected, the default pace."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"


@dataclass
class Settings:
    """Settings that outlive a session.

    Attributes:
        last_device_name: Name of the last strap that connected.
        last_device_address: Its address (``practice`` connects to it when no ``--device``).
        pace_bpm: Default breathing pace (set by the resonance assessment).
        pace_source: Where ``pace_bpm`` came from (``"default"``, ``"assessment 2026-11-22"``...).
        ratio: Default inhale:exhale ratio.
        goal_minutes: Daily practice goal (``hrvcoach plan --goal-minutes N``).
        level_set: Challenge level set by hand (``hrvcoach plan --level N``), or ``None``.
        level_set_at: When it was set (ISO 8601 with offset); the level rules go on from there.
        age: Age in years, for the deep-breathing test's reference values (``check --age``).
    """

    last_device_name: str | None = None
    last_device_address: str | None = None
    pace_bpm: float = 6.0
    pace_source: str = "default"
    ratio: str = "4:6"
    goal_minutes: float = 10.0
    level_set: int | None = None
    level_set_at: str | None = None
    age: int | None = None

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        """The saved settings; anything unreadable or of the wrong type falls back to its default
        with a one-line warning, so a damaged file never stops a session."""
        path = data_dir / FILE_NAME
        try:
            text = path.read_text(encoding="utf-8")
            raw = json.loads(text)
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            _warn_once(path, "%s is unreadable (%s); using the default settings", path, reason)
            return cls()
        if not isinstance(raw, dict):
            _warn_once(path, "%s is not a settings object; using the default settings", path)
            return cls()
        values: dict[str, Any] = {}
        ignored: list[str] = []
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            if _valid(f.name, value):
                values[f.name] = float(value) if f.name == "pace_bpm" else value
            else:
                ignored.append(f"{f.name}={json.dumps(value)[:40]}")
        if ignored:
            _warn_once(path, "%s: ignored %s; using the default instead", path, ", ".join(ignored))
        return cls(**values)

    def save(self, data_dir: Path) -> None:
        """Write the settings, readable by their owner only (they name the strap)."""
        path = data_dir / FILE_NAME
        tmp = path.with_suffix(".tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # a leftover from a killed save
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)  # whatever the umask
            out.write(json.dumps(asdict(self), indent=2))
        os.replace(tmp, path)  # never leave a half-written file behind


#: what was already said about each settings file in this process (read more than once a command)
_warned: set[tuple[str, str]] = set()


def _warn_once(path: Path, message: str, *args: object) -> None:
    key = (str(path), message % args)
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


def _valid(name: str, value: object) -> bool:
    """Whether a value read from settings.json can be used for the setting ``name``."""
    if name in ("last_device_name", "last_device_address"):
        return value is None or isinstance(value, str)
    if name == "pace_bpm":
        from hrvcoach.pacer import MAX_RATE_BPM, MIN_RATE_BPM

        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and MIN_RATE_BPM <= value <= MAX_RATE_BPM
        )
    if name == "pace_source":
        return isinstance(value, str)
    if name == "age":
        return value is None or (
            isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 130
        )
    if name == "ratio":
        from hrvcoach.pacer import BreathPattern

        if not isinstance(value, str):
            return False
        try:
            BreathPattern.with_ratio(6.0, value)
        except ValueError:
            return False
        return True
    # a setting this check does not know yet: any plain JSON value is passed on as it is
    return value is None or isinstance(value, str | int | float)
