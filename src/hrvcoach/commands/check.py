"""A short resting check, or the deep-breathing test: capacity you can measure over weeks.

The resting check: sit still and breathe naturally, no pacer to follow; 30 s to settle, then
2 minutes scored (--minutes 1-5). It reports RMSSD, ln RMSSD and mean heart rate, and places the
reading against your own history: a 7-day baseline of ln RMSSD and, once 7 days have a reading,
your usual range (60-day mean +/- 0.5 SD).

The deep-breathing test (--deep-breathing): one minute at 6 breaths a minute, 5 s in and 5 s out,
after a settle period. It reports the mean heart-rate difference (max - min) over the six breaths
and the E:I ratio, with published reference values for your age (--age, remembered) as context,
never a diagnosis.

Score a reading made in another app with --recording FILE: the whole file after the settle
period; it joins your history dated from the file.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrvcoach.commands._capacity import (
    add_run_arguments,
    check_run_arguments,
    keep_result,
    past_results,
)
from hrvcoach.errors import RecordingError, UsageError

if TYPE_CHECKING:
    from hrvcoach.commands._protocol import ProtocolRun
    from hrvcoach.pacer import Pacer
    from hrvcoach.protocols.phases import Phase


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--deep-breathing",
        action="store_true",
        help="the deep-breathing test (one minute at 6 breaths/min) instead of a resting check",
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=None,
        metavar="M",
        help="resting check: minutes scored after the settle period, 1-5 (default 2)",
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=None,
        metavar="S",
        help="seconds at the start that are not scored (default 30)",
    )
    parser.add_argument(
        "--age",
        type=int,
        metavar="YEARS",
        help="deep-breathing test: your age, for the reference values (remembered)",
    )
    add_run_arguments(parser)


@dataclass(frozen=True)
class CheckResult:
    """A scored check, ready to keep and print."""

    payload: dict[str, object]
    recording: Path | None
    when: datetime
    simulated: bool
    complete: bool = False  #: placed against the history and kept already


def run(args: argparse.Namespace) -> int:
    from hrvcoach import paths
    from hrvcoach.settings import Settings

    check_run_arguments(args)
    data_dir = paths.data_dir(args.data_dir)
    settings = Settings.load(data_dir)
    if args.age is not None:
        if not 5 <= args.age <= 110:
            raise UsageError("--age must be a number of years, 5-110")
        if not args.no_save:
            settings.age = args.age
            settings.save(data_dir)
    age = args.age if args.age is not None else settings.age
    if args.deep_breathing and args.minutes is not None:
        raise UsageError("--minutes is for the resting check; the deep-breathing test is fixed")
    settle_s = _settle(args)
    if args.recording is not None:
        if args.screenshot:
            raise UsageError("--screenshot is for the guided protocol, not --recording")
        result = _score_file(args.recording, deep=args.deep_breathing, settle_s=settle_s, age=age)
    else:
        result = _run_live(args, data_dir=data_dir, settle_s=settle_s, age=age, settings=settings)
    return _print(complete(result, args=args, data_dir=data_dir), args=args)


def _settle(args: argparse.Namespace) -> float | None:
    value = args.settle_seconds
    if value is not None and not (value >= 0 and value < 600):
        raise UsageError("--settle-seconds must be 0 or more")
    return value


def plan_for(deep: bool, *, minutes: float | None, settle_s: float | None) -> tuple[Phase, ...]:
    from hrvcoach.protocols import capacity, deep_breathing, resting

    if deep:
        return capacity.deep_breathing_plan(
            settle_s=deep_breathing.DEFAULT_SETTLE_S if settle_s is None else settle_s
        )
    return capacity.resting_plan(
        minutes=resting.DEFAULT_MINUTES if minutes is None else minutes,
        settle_s=resting.DEFAULT_SETTLE_S if settle_s is None else settle_s,
    )


def pacer_for(phases: tuple[Phase, ...], *, resting_pace_bpm: float) -> Pacer:
    """The deep-breathing pace (6/min, 5 s in, 5 s out); for a resting check, the usual pace
    drawn only as a calm picture (the guide says not to follow it)."""
    from hrvcoach.pacer import BreathPattern, Pacer

    paced = phases[0].pace_bpm
    if paced is not None:
        return Pacer(BreathPattern.with_ratio(paced, "5:5"), t0_s=phases[0].start_s)
    return Pacer(BreathPattern.with_ratio(resting_pace_bpm, "4:6"), t0_s=phases[0].start_s)


def score_beats(
    t_s: list[float],
    rr_ms: list[float],
    phases: tuple[Phase, ...],
    *,
    pacer: Pacer | None,
    age: int | None,
) -> dict[str, object]:
    """The protocol's numbers (before the history): resting or deep breathing."""
    from hrvcoach.protocols import deep_breathing, resting
    from hrvcoach.protocols.resonance import cycle_starts

    phase = phases[0]
    if phase.name == "paced":
        period = deep_breathing.IN_S + deep_breathing.OUT_S
        if pacer is not None:
            cycles = cycle_starts(pacer, phase.scored_start_s, phase.end_s)
        else:
            cycles = deep_breathing.even_cycles(phase.scored_start_s)
        whole = [c for c in cycles if c + period <= phase.end_s + 0.5][: deep_breathing.BREATHS]
        score = deep_breathing.score_deep_breathing(t_s, rr_ms, whole)
        return deep_breathing.deep_breathing_json(score, age=age)
    found = resting.score_resting(t_s, rr_ms, start_s=phase.scored_start_s, end_s=phase.end_s)
    return {"protocol": "resting", "_score": found}


def _run_live(
    args: argparse.Namespace,
    *,
    data_dir: Path,
    settle_s: float | None,
    age: int | None,
    settings: Any,
) -> CheckResult:
    from hrvcoach.commands._protocol import ProtocolSetup, run_capacity_protocol, sim_phases
    from hrvcoach.protocols.capacity import PHASE_TITLES

    phases = plan_for(args.deep_breathing, minutes=args.minutes, settle_s=settle_s)
    pacer = pacer_for(phases, resting_pace_bpm=settings.pace_bpm)
    title = PHASE_TITLES[phases[0].name]
    setup = ProtocolSetup(
        phases,
        pacer,
        kind="deep-breathing" if args.deep_breathing else "check",
        title=title,
        note=title.lower(),
        source_options=sim_phases(args.device, phases),
    )

    def score(run_: ProtocolRun, t_s: list[float], rr_ms: list[float]) -> CheckResult:
        payload = score_beats(t_s, rr_ms, phases, pacer=pacer, age=age)
        when = run_.start_time or datetime.now().astimezone()
        return CheckResult(payload, run_.recording, when, run_.simulated)

    def keep(done: CheckResult) -> CheckResult:
        payload = complete(done, args=args, data_dir=data_dir)
        return CheckResult(payload, done.recording, done.when, done.simulated, True)

    return run_capacity_protocol(
        args,
        setup,
        data_dir=data_dir,
        what="check",
        score=score,
        describe=lambda done: format_check(done.payload),
        announce=lambda p: f"{PHASE_TITLES[p.name]}: {_first_words(p)}",
        keep=keep,
    )


def _first_words(phase: Phase) -> str:
    from hrvcoach.protocols.capacity import phase_guide

    return phase_guide((phase,), phase.start_s).instruction


def _score_file(path: Path, *, deep: bool, settle_s: float | None, age: int | None) -> CheckResult:
    from hrvcoach.protocols import deep_breathing, resting
    from hrvcoach.protocols.phases import Phase, phases_from_marks
    from hrvcoach.protocols.resonance.recordings import pacer_from_marks
    from hrvcoach.protocols.signals import trusted_beats
    from hrvcoach.readers import read_recording

    recording = read_recording(path)
    t_s, rr_ms = trusted_beats(recording.beats)
    if len(t_s) < 30:
        raise RecordingError(path, f"has only {len(t_s)} usable beats")
    try:
        marked = phases_from_marks(recording.marks, end_s=max(t_s[-1], recording.duration_s))
    except ValueError as err:
        raise RecordingError(path, str(err)) from None
    wanted = "paced" if deep else "rest"
    phases = tuple(p for p in marked if p.name == wanted)
    pacer = pacer_from_marks(recording) if phases else None
    if not phases:
        default = deep_breathing.DEFAULT_SETTLE_S if deep else resting.DEFAULT_SETTLE_S
        settle = default if settle_s is None else settle_s
        span = t_s[-1] - t_s[0]
        if span - settle < 60.0:
            raise RecordingError(
                path, f"is {span:.0f} s long: too short for a {settle:g} s settle and a minute"
            )
        phases = (
            Phase(
                0,
                wanted,
                t_s[0],
                span,
                settle,
                deep_breathing.PACE_BPM if deep else None,
            ),
        )
    when = recording.meta.start_time
    if when is None:
        when = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    payload = score_beats(t_s, rr_ms, phases[:1], pacer=pacer, age=age)
    return CheckResult(payload, path.resolve(), when, bool(recording.meta.simulated))


def complete(result: CheckResult, *, args: argparse.Namespace, data_dir: Path) -> dict[str, object]:
    """Place a resting reading against the history, and keep the result (unless --no-save)."""
    from hrvcoach.protocols import resting

    if result.complete:
        return result.payload
    payload = dict(result.payload)
    score = payload.pop("_score", None)
    if isinstance(score, resting.RestingScore):
        history = [
            resting.Reading(r.time.date(), ln)
            for r in past_results(data_dir, "resting")
            if (ln := r.number("ln_rmssd")) is not None and r.simulated == result.simulated
        ]
        if score.ln_rmssd is not None and not args.no_save:
            history.append(resting.Reading(result.when.date(), score.ln_rmssd))
        placed = resting.against_history(score.ln_rmssd, result.when.date(), history)
        payload = resting.check_json(score, placed)
    payload["date"] = result.when.isoformat(timespec="seconds")
    payload["recording"] = str(result.recording) if result.recording else None
    payload["simulated"] = result.simulated
    if not args.no_save:
        kind = "check" if payload["protocol"] == "resting" else "deep-breathing"
        payload["saved"] = keep_result(
            payload, data_dir=data_dir, recording=result.recording, kind=kind, when=result.when
        )
    return payload


def _print(payload: dict[str, object], *, args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    print(format_check(payload))
    return 0


def format_check(payload: dict[str, Any]) -> str:
    """The result for people, a few lines."""

    def num(key: str, spec: str) -> str:
        value = payload.get(key)
        return "–" if value is None else format(value, spec)

    lines = []
    if payload["protocol"] == "resting":
        lines.append(
            f"Resting check: RMSSD {num('rmssd_ms', '.1f')} ms (ln {num('ln_rmssd', '.2f')}), "
            f"heart rate {num('mean_hr_bpm', '.0f')} bpm."
        )
        base = payload.get("baseline_ln_rmssd")
        if base is not None:
            lines.append(
                f"Your 7-day baseline: ln RMSSD {base:.2f} "
                f"({payload['readings_in_baseline']} day(s))."
            )
        normal = payload.get("normal_range")
        if normal:
            lines.append(f"Your usual range: {normal[0]:.2f}-{normal[1]:.2f}.")
        lines.append(str(payload["verdict"])[0].upper() + str(payload["verdict"])[1:] + ".")
    else:
        lines.append(
            f"Deep-breathing test: heart-rate difference {num('hr_diff_bpm', '.1f')} bpm, "
            f"E:I ratio {num('ei_ratio', '.2f')} over {len(payload['breaths'])} breaths."
        )
        norm = payload.get("norm")
        if norm:
            lines.append(str(norm["text"]))
        else:
            lines.append("Give --age once to see published reference values as context.")
    if payload.get("note"):
        lines.append(f"({payload['note']})")
    if payload.get("simulated"):
        lines.append("Simulated: these numbers belong to the simulator, not to you.")
    if payload.get("recording"):
        lines.append(f"Recording: {payload['recording']}")
    return "\n".join(lines)
