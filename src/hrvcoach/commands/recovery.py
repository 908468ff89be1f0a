"""The recovery drill: how quickly you come back to baseline after an activation.

Baseline: 2 minutes seated, breathing naturally. Activation, guided with a timer: physical
(default: 60 s of squats or stair steps) or mental (--activation mental: 2 minutes of counting
down in sevens, shown on screen). Recovery: 5 minutes seated, breathing naturally or with the
resonance pacer (--recover-with pacer); compared over weeks, the two show what the breathing does.

Reports the baseline and peak heart rate, HRR60 (the drop in the first 60 s), the time constant
tau of the heart rate's return (only when an exponential fits it well over at least 3 minutes;
otherwise no number, and why), t90 (when RMSSD is back to 90 % of baseline) and reactivity (ln
RMSSD during the activation minus baseline).

Score a recording made elsewhere with --recording FILE --activation START-END (seconds into
the file): the 2 minutes before START are the baseline, up to 5 minutes after END the recovery.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrvcoach.commands._capacity import (
    add_run_arguments,
    check_run_arguments,
    keep_result,
)
from hrvcoach.errors import HrvCoachError, RecordingError, UsageError

if TYPE_CHECKING:
    from hrvcoach.commands._protocol import ProtocolRun
    from hrvcoach.pacer import Pacer
    from hrvcoach.protocols.phases import Phase


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--activation",
        default="physical",
        metavar="physical|mental|START-END",
        help="the activation: physical (default, 60 s of squats or steps) or mental (2 min of "
        "serial sevens); with --recording, where it is in the file, in seconds",
    )
    parser.add_argument(
        "--recover-with",
        choices=("natural", "pacer"),
        default="natural",
        help="recover breathing naturally (default) or with the resonance pacer",
    )
    add_run_arguments(parser)


def parse_span(text: str) -> tuple[float, float]:
    """``"345-2185"`` -> ``(345.0, 2185.0)``."""
    start_text, sep, end_text = text.partition("-")
    try:
        start, end = float(start_text), float(end_text)
    except ValueError:
        start = end = math.nan
    if not sep or not (math.isfinite(start) and math.isfinite(end)) or not 0 <= start < end:
        raise UsageError(f"--activation {text!r}: give START-END in seconds, e.g. 300-360")
    return start, end


def run(args: argparse.Namespace) -> int:
    from hrvcoach import paths
    from hrvcoach.settings import Settings

    check_run_arguments(args)
    data_dir = paths.data_dir(args.data_dir)
    if args.recording is not None:
        if args.screenshot:
            raise UsageError("--screenshot is for the guided protocol, not --recording")
        span = None if args.activation in ("physical", "mental") else parse_span(args.activation)
        payload, recording, when, simulated = score_file(args.recording, span)
    else:
        if args.activation not in ("physical", "mental"):
            raise UsageError("--activation START-END is for scoring a --recording")
        payload, recording, when, simulated = _run_live(
            args, data_dir=data_dir, settings=Settings.load(data_dir)
        )
    payload["date"] = when.isoformat(timespec="seconds")
    payload["recording"] = str(recording) if recording else None
    payload["simulated"] = simulated
    if not args.no_save:
        payload["saved"] = keep_result(
            payload, data_dir=data_dir, recording=recording, kind="recovery", when=when
        )
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(format_recovery(payload))
    return 0


def phase_json(phases: tuple[Phase, ...]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for p in phases:
        item: dict[str, object] = {
            "name": p.name,
            "start_s": round(p.start_s, 1),
            "end_s": round(p.end_s, 1),
        }
        if p.settle_s:
            item["settle_s"] = p.settle_s
        if p.task:
            item["task"] = p.task
        if p.pace_bpm is not None:
            item["pace_bpm"] = p.pace_bpm
        out.append(item)
    return out


def score_phases(
    t_s: list[float], rr_ms: list[float], phases: tuple[Phase, ...], **extra: object
) -> dict[str, object]:
    """The drill's JSON from beats and its three phases."""
    from hrvcoach.protocols.phases import find_phase
    from hrvcoach.protocols.recovery import recovery_json, score_recovery

    base, act, rec = (find_phase(phases, n) for n in ("baseline", "activation", "recovery"))
    if base is None or act is None or rec is None:
        raise HrvCoachError("a recovery drill needs a baseline, an activation and a recovery")
    score = score_recovery(
        t_s,
        rr_ms,
        baseline=(base.scored_start_s, base.end_s),
        activation=(act.start_s, act.end_s),
        recovery_end_s=rec.end_s,
    )
    return recovery_json(score, phase_json(phases), **extra)


def score_file(
    path: Path, span: tuple[float, float] | None
) -> tuple[dict[str, object], Path | None, datetime, bool]:
    """Score a recording: its own phase marks, or ``span`` as the activation."""
    from hrvcoach.protocols import recovery
    from hrvcoach.protocols.phases import Phase, phases_from_marks
    from hrvcoach.protocols.signals import trusted_beats
    from hrvcoach.readers import read_recording

    recording = read_recording(path)
    t_s, rr_ms = trusted_beats(recording.beats)
    if len(t_s) < 30:
        raise RecordingError(path, f"has only {len(t_s)} usable beats")
    if span is None:
        try:
            phases = phases_from_marks(recording.marks, end_s=max(t_s[-1], recording.duration_s))
        except ValueError as err:
            raise RecordingError(path, str(err)) from None
        if len(phases) < 3:
            raise UsageError(
                f"{path} has no recovery-drill phases; say where the activation is with "
                "--activation START-END (seconds into the file)"
            )
    else:
        start, end = span
        first, last = t_s[0], t_s[-1]
        if not (first < start and end < last):
            raise UsageError(
                f"--activation {start:g}-{end:g} is not inside the recording "
                f"({first:.0f}-{last:.0f} s)"
            )
        base_start = max(first, start - recovery.BASELINE_S)
        rec_end = min(last, end + recovery.RECOVERY_S)
        phases = (
            Phase(0, "baseline", base_start, start - base_start),
            Phase(1, "activation", start, end - start),
            Phase(2, "recovery", end, rec_end - end),
        )
    when = recording.meta.start_time
    if when is None:
        when = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    payload = score_phases(t_s, rr_ms, phases)
    return payload, path.resolve(), when, bool(recording.meta.simulated)


def pacer_for(phases: tuple[Phase, ...], *, pace_bpm: float, ratio: str) -> Pacer:
    """The usual pace throughout (drawn calmly; the guide says when to follow it)."""
    from hrvcoach.pacer import BreathPattern, Pacer

    return Pacer(BreathPattern.with_ratio(pace_bpm, ratio), t0_s=phases[0].start_s)


def _run_live(
    args: argparse.Namespace, *, data_dir: Path, settings: Any
) -> tuple[dict[str, object], Path | None, datetime, bool]:
    from hrvcoach.commands._protocol import ProtocolSetup, run_capacity_protocol, sim_phases
    from hrvcoach.protocols.capacity import PHASE_TITLES, recovery_plan

    phases = recovery_plan(
        activation=args.activation, recover_with=args.recover_with, pace_bpm=settings.pace_bpm
    )
    pacer = pacer_for(phases, pace_bpm=settings.pace_bpm, ratio=settings.ratio)
    setup = ProtocolSetup(
        phases,
        pacer,
        kind="recovery",
        title="Recovery drill",
        note=f"recovery drill: {args.activation} activation, recover {args.recover_with}",
        source_options=sim_phases(args.device, phases),
    )

    def score(
        run_: ProtocolRun, t_s: list[float], rr_ms: list[float]
    ) -> tuple[dict[str, object], ProtocolRun]:
        extra = {"activation": args.activation, "recover_with": args.recover_with}
        return score_phases(t_s, rr_ms, phases, **extra), run_

    payload, done = run_capacity_protocol(
        args,
        setup,
        data_dir=data_dir,
        what="drill",
        score=score,
        describe=lambda scored: format_recovery(scored[0]),
        announce=lambda p: f"{PHASE_TITLES[p.name]} for {p.duration_s:g} s",
    )
    when = done.start_time or datetime.now().astimezone()
    return payload, done.recording, when, done.simulated


def format_recovery(payload: dict[str, Any]) -> str:
    """The drill's result for people, a few lines."""

    def num(key: str, spec: str) -> str:
        value = payload.get(key)
        return "–" if value is None else format(value, spec)

    lines = [
        f"Recovery drill: heart rate {num('baseline_hr_bpm', '.0f')} bpm at baseline, "
        f"{num('peak_hr_bpm', '.0f')} at the peak; it dropped {num('hrr60_bpm', '.0f')} bpm "
        "in the first minute."
    ]
    if payload.get("tau_s") is not None:
        lines.append(f"Return time constant tau: {payload['tau_s']:.0f} s.")
    else:
        lines.append(f"No time constant this time: {payload.get('tau_reason')}.")
    if payload.get("rmssd_t90_s") is not None:
        lines.append(f"RMSSD was back to 90 % of baseline after {payload['rmssd_t90_s']:.0f} s.")
    else:
        lines.append("RMSSD had not yet come back to 90 % of baseline by the end.")
    if payload.get("reactivity_ln_rmssd") is not None:
        lines.append(
            f"Reactivity: ln RMSSD changed by {payload['reactivity_ln_rmssd']:+.2f} during "
            "the activation."
        )
    if payload.get("note"):
        lines.append(f"({payload['note']})")
    if payload.get("simulated"):
        lines.append("Simulated: these numbers belong to the simulator, not to you.")
    if payload.get("recording"):
        lines.append(f"Recording: {payload['recording']}")
    return "\n".join(lines)
