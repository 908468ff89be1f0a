"""Phases of a guided protocol: the plan, where a person is in it, and its marks in a recording.

Every guided protocol (the resonance assessment, the resting check, the deep-breathing test and the
recovery drill) is a row of phases that run end to end on session time. A phase may begin with a
settle period whose data are not scored. The plan is known before the session starts, so a guided
view can say at any moment which phase is under way, how long it has left and what comes next
(:func:`progress_at`), and each phase's start goes into the recording as a mark, so a recording can
be scored again later (:func:`phases_from_marks`).

Pure: numbers in, numbers out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from hrvcoach.beats import Event, Mark

#: the mark kind of a capacity protocol's phase (the assessment's steps use ``step``)
PHASE_MARK = "phase"

#: the last phase of a recording counts as whole when the recording stops this close to its end
LAST_BEAT_SLACK_S = 3.0

_MARK_FIELD = re.compile(r"(\w+)=([^\s]+)")


class PhaseLike(Protocol):
    """What :func:`progress_at` needs of a phase (an assessment step is one too)."""

    @property
    def index(self) -> int: ...

    @property
    def start_s(self) -> float: ...

    @property
    def duration_s(self) -> float: ...

    @property
    def settle_s(self) -> float: ...

    @property
    def end_s(self) -> float: ...

    @property
    def scored_start_s(self) -> float: ...


P = TypeVar("P", bound=PhaseLike)


@dataclass(frozen=True)
class Phase:
    """One phase of a capacity protocol.

    Attributes:
        index: Position in the protocol, from 0.
        name: What the phase is, one word: ``rest``, ``paced``, ``baseline``, ``activation`` or
            ``recovery``.
        start_s: Session time the phase starts.
        duration_s: Length of the phase, settle period included.
        settle_s: Seconds at the start that are not scored.
        pace_bpm: The pacer's rate in this phase, or ``None`` for natural breathing.
        task: What the person does in an activation: ``physical`` or ``mental`` (else empty).
    """

    index: int
    name: str
    start_s: float
    duration_s: float
    settle_s: float = 0.0
    pace_bpm: float | None = None
    task: str = ""

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    @property
    def scored_start_s(self) -> float:
        return self.start_s + self.settle_s

    def mark(self) -> Mark:
        """The mark that records this phase's start in a recording."""
        fields = [f"index={self.index}", f"name={self.name}", f"settle_s={self.settle_s:g}"]
        fields.append(f"duration_s={self.duration_s:g}")
        if self.pace_bpm is not None:
            fields.append(f"pace={self.pace_bpm:g}")
        if self.task:
            fields.append(f"task={self.task}")
        return Mark(self.start_s, PHASE_MARK, " ".join(fields))


def plan_phases(
    parts: Iterable[tuple[str, float, float]],
    *,
    t0_s: float = 0.0,
    pace_bpm: dict[str, float] | None = None,
    task: str = "",
) -> tuple[Phase, ...]:
    """Phases end to end from ``(name, duration_s, settle_s)``, starting at ``t0_s``.

    Args:
        pace_bpm: The paced rate of the phases so named (the others breathe naturally).
        task: The activation's task, given to phases named ``activation``.
    """
    phases = []
    t_s = t0_s
    paces = pace_bpm or {}
    for index, (name, duration_s, settle_s) in enumerate(parts):
        phases.append(
            Phase(
                index,
                name,
                t_s,
                duration_s,
                settle_s,
                paces.get(name),
                task if name == "activation" else "",
            )
        )
        t_s += duration_s
    return tuple(phases)


def parse_mark_fields(text: str) -> dict[str, str]:
    """``"index=1 name=rest settle_s=30"`` -> ``{"index": "1", ...}``."""
    return dict(_MARK_FIELD.findall(text))


def phases_from_marks(marks: Sequence[Mark], *, end_s: float) -> tuple[Phase, ...]:
    """The phases of a protocol recording, from its ``phase`` marks.

    Each phase runs to the next one's start; the last one to ``end_s`` (the end of the
    recording), or to its own stated length when the recording reaches to within
    :data:`LAST_BEAT_SLACK_S` of it (a recording stops at its last beat).

    Raises:
        ValueError: A phase mark does not say ``index=.. name=..``.
    """
    found: list[tuple[float, int, str, float, float | None, float | None, str]] = []
    for mark in marks:
        if mark.kind != PHASE_MARK:
            continue
        values = parse_mark_fields(mark.text)
        try:
            found.append(
                (
                    mark.t_s,
                    int(values["index"]),
                    values["name"],
                    float(values.get("settle_s", 0.0)),
                    float(values["duration_s"]) if "duration_s" in values else None,
                    float(values["pace"]) if "pace" in values else None,
                    values.get("task", ""),
                )
            )
        except (KeyError, ValueError):
            raise ValueError(
                f"phase mark {mark.text!r} at {mark.t_s:.1f} s is not 'index=N name=NAME ...'"
            ) from None
    found.sort()
    phases = []
    for i, (t_s, index, name, settle, stated, pace, task) in enumerate(found):
        stop_s = found[i + 1][0] if i + 1 < len(found) else end_s
        if stated is not None and i + 1 == len(found):
            # a recording ends with its last beat, up to a beat before the phase's planned end
            planned = t_s + stated
            stop_s = planned if stop_s >= planned - LAST_BEAT_SLACK_S else stop_s
        phases.append(Phase(index, name, t_s, max(0.0, stop_s - t_s), settle, pace, task))
    return tuple(phases)


def find_phase(phases: Sequence[Phase], name: str) -> Phase | None:
    """The first phase called ``name``, if there is one."""
    return next((p for p in phases if p.name == name), None)


@dataclass(frozen=True)
class ProtocolProgress(Generic[P]):
    """Where a person is in a protocol at one moment (what a guided view announces).

    Attributes:
        steps: The whole plan (assessment steps or phases).
        index: The current step's index; ``len(steps)`` once the last one is over, ``-1``
            before the first one begins.
        settling: In the current step's settle period (its data are not scored).
        step_left_s: Seconds left in the current step (0 when there is none).
        settle_left_s: Seconds left of the settle period (0 once scoring has begun).
        total_left_s: Seconds left in the whole protocol.
    """

    steps: tuple[P, ...]
    index: int
    settling: bool
    step_left_s: float
    settle_left_s: float
    total_left_s: float

    @property
    def step(self) -> P | None:
        """The current step, or ``None`` before the first and after the last."""
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else None

    @property
    def done(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def steps_done(self) -> int:
        """Steps completed so far."""
        return max(0, min(self.index, len(self.steps)))

    @property
    def next_step(self) -> P | None:
        """The step after the current one, if any."""
        i = self.index + 1
        return self.steps[i] if 0 <= i < len(self.steps) else None


def progress_at(steps: Sequence[P], t_s: float) -> ProtocolProgress[P]:
    """The protocol's progress at session time ``t_s``.

    Steps run end to end, so the current one is the last that has started; a step owns its
    start and not its end (at ``end_s`` the next step, or the end, has come).
    """
    plan = tuple(steps)
    if not plan:
        return ProtocolProgress(plan, 0, False, 0.0, 0.0, 0.0)
    end_s = plan[-1].end_s
    total_left = max(0.0, end_s - t_s)
    if t_s < plan[0].start_s:
        return ProtocolProgress(plan, -1, False, 0.0, 0.0, end_s - plan[0].start_s)
    if t_s >= end_s:
        return ProtocolProgress(plan, len(plan), False, 0.0, 0.0, 0.0)
    index = max(i for i, s in enumerate(plan) if s.start_s <= t_s)
    step = plan[index]
    settle_left = max(0.0, step.scored_start_s - t_s)
    return ProtocolProgress(
        plan, index, settle_left > 0.0, max(0.0, step.end_s - t_s), settle_left, total_left
    )


class MarkingWriter:
    """Puts each phase's mark into the recording just before the first event of that phase.

    Wraps the recording writer a session writes through, so phase marks land in time order
    between the session's own events whatever the source's clock does.

    Args:
        writer: Anything with ``path``, ``write(event)`` and ``close()`` (and, to keep a
            strap's ECG and chest motion, ``write_samples(block)``).
        phases: Anything with ``start_s`` and ``mark()``, in time order.
    """

    def __init__(self, writer: Any, phases: Sequence[Any]) -> None:
        self.writer = writer
        self.path = writer.path
        self._pending = list(phases)

    def write(self, event: Event) -> None:
        while self._pending and self._pending[0].start_s <= event.t_s:
            self.writer.write(self._pending.pop(0).mark())
        self.writer.write(event)

    def write_samples(self, block: Any) -> None:
        """ECG and chest-motion samples go straight through to their companion files: they carry
        their own times, and the phase marks belong to the beats' file."""
        write = getattr(self.writer, "write_samples", None)
        if write is not None:
            write(block)

    def samples_written(self, kind: str) -> int:
        count = getattr(self.writer, "samples_written", None)
        return int(count(kind)) if count is not None else 0

    def close(self) -> None:
        self.writer.close()
