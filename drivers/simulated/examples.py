"""The bundled example sessions in ``recordings/``, made by the simulator.

Remake them with ``python -m hrvcoach.drivers.simulated --write-examples recordings/``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from hrvcoach.beats import Event, Mark, SourceInfo
from hrvcoach.drivers.simulated.params import SimParams
from hrvcoach.drivers.simulated.source import SimulatedSource
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.timing import Playback

log = logging.getLogger(__name__)

#: wall-clock start written into the example recordings (fixed, so remaking them changes nothing)
EXAMPLE_START: Final = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Example:
    """One bundled example session: what it is and how to make it again.

    Attributes:
        name: File stem in ``recordings/``.
        description: One line for the README and ``--list``.
        spec: Simulator spec of the person.
        rates_bpm: Paced rates in order; one rate is a plain session, several an assessment.
        step_s: Length of each rate's step (the whole session for a single rate).
    """

    name: str
    description: str
    spec: str
    rates_bpm: tuple[float, ...]
    step_s: float

    @property
    def duration_s(self) -> float:
        return self.step_s * len(self.rates_bpm)

    @property
    def is_assessment(self) -> bool:
        return len(self.rates_bpm) > 1


EXAMPLES: Final[tuple[Example, ...]] = (
    Example(
        "sim-6bpm-5min",
        "5 minutes at 6.0 breaths/min (4:6), a person whose resonance is 5.5",
        "sim",
        (6.0,),
        300.0,
    ),
    Example(
        "sim-5.5bpm-10min",
        "10 minutes at the person's resonance rate, 5.5 breaths/min (4:6)",
        "sim:seed=1",
        (5.5,),
        600.0,
    ),
    Example(
        "sim-assessment-10min",
        "resonance assessment: 6.5, 6, 5.5, 5, 4.5 breaths/min for 2 minutes each, with step marks",
        "sim:seed=2",
        (6.5, 6.0, 5.5, 5.0, 4.5),
        120.0,
    ),
)


@dataclass(frozen=True)
class ExampleSession:
    """An example session made in memory: the source's info, the pace plan and every event."""

    info: SourceInfo
    pace: tuple[tuple[float, str], ...]
    events: tuple[Event, ...]


def make_example(example: Example) -> ExampleSession:
    """Run the simulator (fast) for one example, with its pace marks and assessment step marks."""
    marks: list[Mark] = []
    if example.is_assessment:
        from hrvcoach.assess import plan_steps, protocol_pacer

        steps = plan_steps(example.rates_bpm, step_s=example.step_s)
        pacer = protocol_pacer(steps)
        marks.extend(step.mark() for step in steps)
    else:
        pacer = Pacer(BreathPattern(example.rates_bpm[0]))
    pace = tuple((t_s, pattern.label()) for t_s, pattern in pacer.segments())
    marks.extend(Mark(t_s, "pace", label) for t_s, label in pace)
    marks.sort(key=lambda m: (m.t_s, m.kind != "pace"))
    source = SimulatedSource(
        SimParams.from_spec(example.spec),
        pacer=pacer,
        playback=Playback(fast=True),
        duration_s=example.duration_s,
        start_time=EXAMPLE_START,
    )

    async def collect() -> list[Event]:
        out: list[Event] = []
        async with source:
            async for event in source:
                while marks and marks[0].t_s <= event.t_s:
                    out.append(marks.pop(0))
                out.append(event)
        return out

    events = asyncio.run(collect())
    return ExampleSession(source.info, pace, (*events, *marks))


def write_examples(directory: Path) -> list[Path]:
    """(Re)write every bundled example into ``directory``; returns the files written."""
    from hrvcoach.recording import RecordingWriter

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for example in EXAMPLES:
        session = make_example(example)
        path = directory / f"{example.name}.csv"
        tmp = directory / f".{example.name}.csv.tmp"
        tmp.unlink(missing_ok=True)
        with RecordingWriter(tmp, info=session.info, pace=session.pace) as writer:
            for event in session.events:
                writer.write(event)
        tmp.replace(path)  # examples are remade on purpose: replacing the old file is intended
        written.append(path)
        log.info("wrote %s (%d events)", path, len(session.events))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hrvcoach.drivers.simulated --write-examples recordings/``."""
    parser = argparse.ArgumentParser(
        prog="python -m hrvcoach.drivers.simulated",
        description="Remake the bundled example sessions from the breathing simulator.",
    )
    parser.add_argument(
        "--write-examples", metavar="DIR", type=Path, required=True, help="folder to write into"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_examples(args.write_examples)
    return 0
