"""Check-ins: stress before and after a session (0-10) and a note, also kept in the recording."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from hrvcoach.beats import Mark
from hrvcoach.errors import StoreError
from hrvcoach.store.schema import STRESS_MAX, STRESS_MIN

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckIn:
    """How the person felt: stress 0-10 before and after a session, and a free note."""

    before: int | None = None
    after: int | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        return self.before is None and self.after is None and not self.note


def validate_stress(value: int | None, what: str) -> int | None:
    """``value`` if it is a whole number 0-10 (or ``None``), else a :class:`StoreError`."""
    if value is None:
        return None
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not STRESS_MIN <= value <= STRESS_MAX:
        raise StoreError(
            f"{what} stress must be a whole number {STRESS_MIN}-{STRESS_MAX}, not {value!r}"
        )
    return value


def checkin_marks(
    t_s: float, *, before: int | None = None, after: int | None = None, note: str | None = None
) -> tuple[Mark, ...]:
    """The ``Mark`` events that carry a check-in inside a recording.

    Written into the recording by the practice and demo commands, so that
    :meth:`HistoryStore.rebuild` finds them again: ``Mark("checkin", "before stress=6")``,
    ``Mark("checkin", "after stress=3")`` and ``Mark("note", "<text>")`` (newlines folded to
    spaces).
    """
    marks = []
    if validate_stress(before, "before") is not None:
        marks.append(Mark(t_s, "checkin", f"before stress={before}"))
    if validate_stress(after, "after") is not None:
        marks.append(Mark(t_s, "checkin", f"after stress={after}"))
    if note and note.strip():
        marks.append(Mark(t_s, "note", " ".join(note.split())))
    return tuple(marks)


def checkin_from_marks(marks: Iterable[Mark]) -> CheckIn:
    """The check-in carried by a recording's marks (see :func:`checkin_marks`).

    Reads ``checkin`` marks as ``before stress=N`` / ``after stress=N`` (also ``before=N``,
    ``after=N``, ``note=TEXT``); the last value of each wins. ``note`` marks make the note.
    """
    before = after = None
    note = None
    notes: list[str] = []
    for mark in marks:
        if mark.kind == "note" and mark.text.strip():
            notes.append(mark.text.strip())
            continue
        if mark.kind != "checkin":
            continue
        text = mark.text.strip()
        key, _, value = text.partition("=")
        when = key.split()[0].strip().lower() if key.split() else ""
        try:
            if when == "before":
                before = validate_stress(int(value), "before")
            elif when == "after":
                after = validate_stress(int(value), "after")
            elif when == "note":
                note = value.strip() or None
            else:
                raise ValueError(text)
        except (ValueError, StoreError):
            log.warning("ignoring unreadable check-in mark %r", mark.text)
    if note is None and notes:
        note = "; ".join(notes)
    return CheckIn(before, after, note)
