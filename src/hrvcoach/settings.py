"""Small per-user settings kept beside the data: the last strap that connected, the default pace."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

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
        path = data_dir / FILE_NAME
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as err:
            log.warning("ignoring unreadable settings %s: %s", path, err)
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, data_dir: Path) -> None:
        path = data_dir / FILE_NAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        os.replace(tmp, path)  # never leave a half-written file behind
