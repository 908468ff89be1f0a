"""Numbers, clocks and words the window shows: plain functions of plain values."""

from __future__ import annotations

import math

from hrvcoach.wording import fmt_clock as fmt_clock
from hrvcoach.wording import fmt_number as fmt_number

ENDED_BY = {
    "duration": "reached the set length",
    "stopped": "stopped",
    "interrupted": "interrupted",
    "terminated": "terminated",
}
#: "source-ended" in words, by the kind of source
SOURCE_ENDED = {
    "replay": "the recording ended",
    "sim": "the simulation ended",
    "ble": "the strap stopped sending",
}


def ended_words(ended_by: str, source_kind: str | None) -> str:
    """How a session ended, for the summary page."""
    if ended_by == "source-ended":
        return SOURCE_ENDED.get(source_kind or "", "the source ended")
    return ENDED_BY.get(ended_by, ended_by)


def field_of(obj: object, name: str) -> object | None:
    """A named value from a summary: a dataclass/object attribute or a mapping key."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def as_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def clock_words(elapsed_s: float, duration_s: float | None, *, paused: bool) -> tuple[str, str]:
    """The elapsed tile: practice time, and under it the time left, "paused" or "open session"."""
    text = fmt_clock(elapsed_s)
    if paused:
        return text, "paused  ·  recording goes on"
    if duration_s:
        left_s = max(0.0, duration_s - elapsed_s)
        return text, f"of {fmt_clock(duration_s)}  ·  {fmt_clock(left_s)} left"
    return text, "open session"
