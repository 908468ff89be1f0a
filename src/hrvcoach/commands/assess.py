"""Find your resonance breathing rate with a stepped protocol.

Paces each rate in turn (6.5 down to 4.5 breaths/min, two minutes each by default) and records the
whole assessment as one recording with the step boundaries in it. The first seconds of every step
let heart rate settle on the new pace and are not scored. Each rate is scored on peak-to-trough
heart rate, LF power and peak, phase against the pacer and coherence; the best rate becomes the
default pace of 'practice' until the next assessment.

Done the protocol in another app? Score those recordings with --recording RATE=FILE (one paced
recording per rate), or re-score an earlier assessment with --recording FILE.

An assessment of the simulator (or of a simulated recording) is stored as simulated and never
changes the default pace: no real heart produced it.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrvcoach.commands._args import number
from hrvcoach.commands._assess_output import format_table, store_result
from hrvcoach.commands._protocol import (
    ProtocolRun,
    ProtocolSetup,
    check_screenshot,
    check_stream_options,
    protocol_view,
    run_with_options,
)
from hrvcoach.commands._session_options import add_stream_arguments
from hrvcoach.errors import HrvCoachError, UsageError

if TYPE_CHECKING:
    from hrvcoach.pacer import Pacer
    from hrvcoach.protocols.resonance import AssessmentOutcome, AssessmentResult, AssessmentStep

log = logging.getLogger(__name__)

DEFAULT_RATES = "6.5,6,5.5,5,4.5"
#: offscreen (tests, --screenshot without a desktop), the window closes this long after the result
OFFSCREEN_LINGER_S = 1.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        metavar="NAME|ADDRESS|sim[:...]",
        help="the strap (default: the last one that connected), or the simulator, e.g. "
        "sim:resonance=5.0,seed=1",
    )
    parser.add_argument(
        "--rates",
        default=DEFAULT_RATES,
        metavar="R1,R2,...",
        help=f"breathing rates to try, in order, breaths/min (default {DEFAULT_RATES})",
    )
    parser.add_argument(
        "--step-minutes",
        type=number(0.0, 60.0, low_open=True),
        default=2.0,
        metavar="M",
        help="minutes at each rate (default 2)",
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=None,
        metavar="S",
        help="seconds at the start of each step that are not scored (default 20)",
    )
    parser.add_argument(
        "--ratio",
        metavar="IN:OUT",
        help="inhale:exhale proportions, e.g. 4:6 (default: your practice setting)",
    )
    parser.add_argument(
        "--recording",
        action="append",
        metavar="RATE=FILE|FILE",
        help="score existing recordings instead of running the protocol: one paced recording "
        "per rate (RATE=FILE, repeat the option), or one earlier hrvcoach assessment (FILE)",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no pacer at all (one is shown in a window when a display is available, else in the "
        "terminal): progress lines on stderr only",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--png", type=Path, metavar="PATH", help="save a picture of the criteria")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PATH",
        help="save a PNG of the window as the result appears",
    )
    parser.add_argument(
        "--no-save",
        action="store_true",
        help="do not store the result or change the default pace (just show it)",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--speed",
        type=number(0.05, 1000.0),
        metavar="X",
        help="simulator: run X times faster than real time",
    )
    group.add_argument("--fast", action="store_true", help="simulator: run as fast as possible")
    add_stream_arguments(parser)


# -- options ------------------------------------------------------------------------------------
def parse_rates(text: str) -> list[float]:
    """``"6.5,6,5.5"`` -> ``[6.5, 6.0, 5.5]``."""
    rates = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            rate = float(part)
        except ValueError:
            raise UsageError(f"--rates: {part!r} is not a number") from None
        if not math.isfinite(rate):
            raise UsageError(f"--rates: {part!r} is not a breathing rate")
        rates.append(rate)
    if len(rates) < 2:
        raise UsageError("--rates needs at least two rates to compare")
    return rates


def _settle_s(args: argparse.Namespace) -> float:
    from hrvcoach.protocols.resonance import DEFAULT_SETTLE_S

    value = DEFAULT_SETTLE_S if args.settle_seconds is None else args.settle_seconds
    if not math.isfinite(value) or value < 0:
        raise UsageError("--settle-seconds must be 0 or more")
    return float(value)


def _check_timing(args: argparse.Namespace) -> None:
    if not (math.isfinite(args.step_minutes) and args.step_minutes > 0):
        raise UsageError("--step-minutes must be a positive number")
    if args.speed is not None and not (math.isfinite(args.speed) and args.speed > 0):
        raise UsageError("--speed must be a positive number")


@dataclass(frozen=True)
class FromRecordings:
    """Existing recordings scored (``--recording``).

    Attributes:
        result: The scored assessment.
        recording: The earlier hrvcoach assessment scored again, if that is what was given.
        simulated: Every recording was made by the simulator.
    """

    result: AssessmentResult
    recording: Path | None
    simulated: bool


@dataclass(frozen=True)
class Scored:
    """An assessment scored (and stored, unless ``--no-save``), ready to print."""

    result: AssessmentResult
    payload: dict[str, object]
    saved: dict[str, object]
    recording: Path | None
    simulated: bool = False


def _announcer(steps: tuple[AssessmentStep, ...]) -> Callable[[AssessmentStep], str]:
    def announce(step: AssessmentStep) -> str:
        return (
            f"step {step.index + 1}/{len(steps)}: breathe at {step.rate_bpm:g} breaths/min for "
            f"{step.duration_s / 60:g} min (first {step.settle_s:g} s to settle)"
        )

    return announce


# -- scoring existing recordings ----------------------------------------------------------------
def assess_recordings(items: list[str], *, settle_s: float) -> FromRecordings:
    """Score ``RATE=FILE`` recordings (one per rate) or one earlier assessment ``FILE``."""
    from hrvcoach.protocols.resonance.recordings import (
        score_assessment_recording,
        score_paced_recordings,
    )
    from hrvcoach.readers import read_recording

    paired = [item for item in items if "=" in item and not Path(item).exists()]
    if paired and len(paired) != len(items):
        raise UsageError("--recording: give RATE=FILE for every rate, or one assessment FILE")
    if not paired:
        if len(items) != 1:
            raise UsageError("--recording: several files need their rates, as RATE=FILE")
        path = Path(items[0])
        recording = read_recording(path)
        result = score_assessment_recording(recording)
        return FromRecordings(result, path, bool(recording.meta.simulated))
    pairs = []
    for item in paired:
        rate_text, _, file_text = item.partition("=")
        try:
            rate = float(rate_text)
        except ValueError:
            raise UsageError(f"--recording {item!r}: {rate_text!r} is not a rate") from None
        pairs.append((rate, read_recording(Path(file_text))))
    result = score_paced_recordings(pairs, settle_s=settle_s)
    return FromRecordings(result, None, all(bool(r.meta.simulated) for _, r in pairs))


# -- the command ----------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    from hrvcoach import paths
    from hrvcoach.protocols.resonance import plan_steps, protocol_pacer
    from hrvcoach.settings import Settings

    _check_timing(args)
    settle_s = _settle_s(args)
    data_dir = paths.data_dir(args.data_dir)
    settings = Settings.load(data_dir)
    check_screenshot(args.screenshot, recording=bool(args.recording))
    check_stream_options(args)

    if args.recording:
        if args.device:
            raise UsageError("--recording scores files; it cannot be used with --device")
        found = assess_recordings(args.recording, settle_s=settle_s)
        scored = _keep(
            found.result,
            found.recording,
            args=args,
            data_dir=data_dir,
            simulated=found.simulated,
        )
    else:
        if args.device and (args.device.startswith("replay:") or Path(args.device).is_file()):
            raise UsageError(
                "a replayed recording cannot follow the assessment's pacer; to score a recording "
                "of the protocol use --recording FILE (or RATE=FILE per rate)"
            )
        steps = plan_steps(
            parse_rates(args.rates), step_s=args.step_minutes * 60.0, settle_s=settle_s
        )
        pacer = protocol_pacer(steps, ratio=args.ratio or settings.ratio)
        view = protocol_view(args)
        kept: list[Scored | HrvCoachError] = []

        def finish(run_: ProtocolRun) -> AssessmentOutcome:
            # on the session thread, once the protocol has ended: the window shows this
            return _outcome(_score_run(run_, steps, pacer, args, data_dir, kept), settings)

        from hrvcoach import display as _display

        offscreen = _display.offscreen()
        setup = ProtocolSetup(
            steps,
            pacer,
            kind="assessment",
            title="Resonance assessment",
            note=f"resonance assessment: {len(steps)} steps",
        )
        run_ = run_with_options(
            args,
            setup,
            data_dir=data_dir,
            view=view,
            announce=_announcer(steps),
            finish=finish,
            close_when_done_s=OFFSCREEN_LINGER_S if offscreen else None,
        )
        if not kept:  # headless, or the window's scoring never ran
            _score_run(run_, steps, pacer, args, data_dir, kept)
        if isinstance(kept[0], HrvCoachError):
            raise kept[0]
        scored = kept[0]

    return _report(scored, args=args, settings=settings)


def _score_run(
    run_: ProtocolRun,
    steps: tuple[AssessmentStep, ...],
    pacer: Pacer,
    args: argparse.Namespace,
    data_dir: Path,
    kept: list[Scored | HrvCoachError],
) -> Scored | HrvCoachError:
    """Score the steps completed and store the result; the outcome (or error) goes in ``kept``."""
    from hrvcoach.protocols.resonance import assess_beats
    from hrvcoach.protocols.signals import trusted_beats

    recording = run_.recording
    done = tuple(s for s in steps if s.end_s <= run_.ended_at_s + 2.0)
    outcome: Scored | HrvCoachError
    if len(done) < 2:
        where = f"; the recording is kept at {recording}" if recording else ""
        outcome = HrvCoachError(
            f"the assessment ended after {len(done)} of {len(steps)} steps "
            f"({run_.ended_by}), too few to compare{where}"
        )
    else:
        if len(done) < len(steps):
            log.warning(
                "assessment ended early (%s): scoring %d of %d steps",
                run_.ended_by,
                len(done),
                len(steps),
            )
        t_s, rr_ms = trusted_beats(run_.beats)
        from hrvcoach.breathing.measured import measured_breath_of_file

        breath = measured_breath_of_file(recording, pacer)  # chest motion, when recorded
        result = assess_beats(t_s, rr_ms, done, pacer=pacer, breath=breath)
        try:
            outcome = _keep(
                result, recording, args=args, data_dir=data_dir, simulated=run_.simulated
            )
        except HrvCoachError as err:
            outcome = err
    kept.append(outcome)
    return outcome


def _keep(
    result: AssessmentResult,
    recording: Path | None,
    *,
    args: argparse.Namespace,
    data_dir: Path,
    simulated: bool = False,
) -> Scored:
    """Store the result (unless ``--no-save``) and draw it (``--png``)."""
    payload = result.to_json(recording=str(recording) if recording else None)
    payload["simulated"] = simulated
    saved: dict[str, object] = {}
    if not args.no_save:
        saved = store_result(
            result, payload, data_dir=data_dir, recording=recording, simulated=simulated
        )
        payload["saved"] = saved
    if args.png:
        from hrvcoach.reports.assessment import write_assessment_png

        write_assessment_png(result, args.png)
        payload["png"] = str(args.png)
    return Scored(result, payload, saved, recording, simulated)


def pace_sentence(scored: Scored, *, no_save: bool, current_bpm: float) -> str:
    """What happens to the default practice pace, in one sentence."""
    if scored.simulated:
        return (
            f"Simulated: your default pace is unchanged ({current_bpm:.1f} breaths/min); "
            "only an assessment of your own heart sets it."
        )
    if "pace_bpm" in scored.saved:
        return f"Practice now paces {scored.saved['pace_bpm']:.1f} breaths/min by default."
    if no_save:
        return f"Not saved (--no-save): your default pace stays at {current_bpm:.1f} breaths/min."
    return f"Your default pace stays at {current_bpm:.1f} breaths/min."


def _outcome(scored: Scored | HrvCoachError, settings: Any) -> AssessmentOutcome:
    from hrvcoach.protocols.resonance import AssessmentOutcome

    if isinstance(scored, HrvCoachError):
        return AssessmentOutcome(None, problem=str(scored))
    no_save = "saved" not in scored.payload
    return AssessmentOutcome(
        scored.result,
        pace_note=pace_sentence(scored, no_save=no_save, current_bpm=settings.pace_bpm),
        recording=str(scored.recording) if scored.recording else None,
        simulated=scored.simulated,
    )


def _report(scored: Scored, *, args: argparse.Namespace, settings: Any) -> int:
    result, payload = scored.result, scored.payload
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    print(format_table(result))
    print()
    if result.resonance_bpm is None:
        verdict = "No clear resonance rate."
    elif result.confidence == "close":
        verdict = f"Resonance: {result.resonance_bpm:.1f} breaths/min (a close call)."
    else:
        verdict = f"Resonance: {result.resonance_bpm:.1f} breaths/min."
    print(f"{verdict} {result.reason}")
    if "pace_bpm" in scored.saved or not args.no_save or scored.simulated:
        print(pace_sentence(scored, no_save=args.no_save, current_bpm=settings.pace_bpm))
    if scored.recording is not None:
        print(f"Recording: {scored.recording}")
    if args.png:
        print(f"Picture: {args.png}")
    return 0
