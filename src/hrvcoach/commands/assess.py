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
import asyncio
import json
import logging
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hrvcoach.commands._args import number
from hrvcoach.errors import HrvCoachError, RecordingError, UsageError

if TYPE_CHECKING:
    from hrvcoach.assess import AssessmentOutcome, AssessmentResult, AssessmentStep
    from hrvcoach.beats import Beat, Event, SourceInfo
    from hrvcoach.pacer import Pacer
    from hrvcoach.session import SessionUpdate

log = logging.getLogger(__name__)

DEFAULT_RATES = "6.5,6,5.5,5,4.5"
#: offscreen (tests, --screenshot without a desktop), the window closes this long after the result
OFFSCREEN_LINGER_S = 1.0
#: beats a sensor has told us not to trust
_DISTRUSTED_FLAGS = ("BUFFERED", "IMPLAUSIBLE", "NO_CONTACT")


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
        type=number(0.0, 600.0),
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
    from hrvcoach.assess import DEFAULT_SETTLE_S

    value = DEFAULT_SETTLE_S if args.settle_seconds is None else args.settle_seconds
    if not math.isfinite(value) or value < 0:
        raise UsageError("--settle-seconds must be 0 or more")
    return float(value)


def _check_timing(args: argparse.Namespace) -> None:
    if not (math.isfinite(args.step_minutes) and args.step_minutes > 0):
        raise UsageError("--step-minutes must be a positive number")
    if args.speed is not None and not (math.isfinite(args.speed) and args.speed > 0):
        raise UsageError("--speed must be a positive number")


# -- running the protocol -----------------------------------------------------------------------
class StepMarkingWriter:
    """Puts each step's mark into the recording just before the first event of that step.

    Wraps the recording writer the session writes through, so step marks land in time order
    between the session's own events whatever the source's clock does.
    """

    def __init__(self, writer: Any, steps: tuple[AssessmentStep, ...]) -> None:
        self.writer = writer
        self.path: Path = writer.path
        self._pending = list(steps)

    def write(self, event: Event) -> None:
        while self._pending and self._pending[0].start_s <= event.t_s:
            self.writer.write(self._pending.pop(0).mark())
        self.writer.write(event)

    def close(self) -> None:
        self.writer.close()


class BeatCollector:
    """Keeps the beats as they arrive and tells a person which step the protocol is at."""

    def __init__(self, steps: tuple[AssessmentStep, ...], *, progress: bool) -> None:
        self.beats: list[Beat] = []
        self._steps = steps
        self._progress = progress
        self._announced = -1
        self.end_t_s = 0.0

    def on_update(self, update: SessionUpdate) -> None:
        from hrvcoach.beats import Beat

        event = update.event
        if not isinstance(event, Beat):
            return
        self.beats.append(event)
        self.end_t_s = max(self.end_t_s, event.t_s)
        if not self._progress:
            return
        current = [s for s in self._steps if s.start_s <= event.t_s]
        if current and current[-1].index > self._announced:
            step = current[-1]
            self._announced = step.index
            print(
                f"step {step.index + 1}/{len(self._steps)}: breathe at {step.rate_bpm:g} "
                f"breaths/min for {step.duration_s / 60:g} min (first {step.settle_s:g} s "
                "to settle)",
                file=sys.stderr,
                flush=True,
            )


def _live_engine(*, shown: bool) -> Any:
    """The live HRV engine when a view shows its numbers; otherwise one that computes nothing.

    Scoring works on the beats alone. Live HRV loads neurokit2 on its first spectrum, which
    blocks the event loop for seconds; in a sped-up run the session clock moves on meanwhile, so
    it is loaded before the clock starts, and not at all when nothing shows it.
    """
    if not shown:
        return _NoLiveMetrics()
    import neurokit2  # noqa: F401 - loaded now, not in the middle of the first step

    from hrvcoach.live import LiveHrv

    return LiveHrv()


class _NoLiveMetrics:
    """Stands in for :class:`hrvcoach.live.LiveHrv` when no view needs live numbers."""

    def update(self, beat: Beat) -> None:
        return None

    def gap(self, gap: object) -> None:
        return None


@dataclass(frozen=True)
class ProtocolRun:
    """What running the protocol produced.

    Attributes:
        recording: The recording made, if the source opened.
        beats: Every beat received.
        ended_at_s: Session time of the end.
        ended_by: How the session ended (``SessionResult.ended_by``).
        simulated: No real heart produced the beats (the simulator).
    """

    recording: Path | None
    beats: tuple[Beat, ...]
    ended_at_s: float
    ended_by: str
    simulated: bool = False


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


def run_protocol(
    *,
    spec: str | None,
    steps: tuple[AssessmentStep, ...],
    pacer: Pacer,
    data_dir: Path,
    speed: float,
    fast: bool,
    window: bool,
    progress: bool,
    dashboard: TextIO | None = None,
    finish: Callable[[ProtocolRun], AssessmentOutcome] | None = None,
    screenshot: Path | None = None,
    close_when_done_s: float | None = None,
) -> ProtocolRun:
    """Pace every step once, recording everything, and return the beats.

    Args:
        window: Guide the protocol in the window.
        progress: Without a window: a line on stderr as each step begins.
        dashboard: Without a window: the terminal dashboard, with the step, drawn on this stream.
        finish: With a window: scores the run when the session has ended (on the session
            thread, so the window stays smooth) and returns what the window shows as the result.
        screenshot: With a window: a PNG of it as the result appears.
        close_when_done_s: With a window: close it this long after the end (``None``: the person
            closes it once they have read the result).
    """
    from hrvcoach import paths
    from hrvcoach.drivers import open_source
    from hrvcoach.recording import create_recording
    from hrvcoach.session import Session
    from hrvcoach.timing import Playback

    start = datetime.now().astimezone()
    duration_s = steps[-1].end_s
    playback = Playback(speed=speed, fast=fast)
    source = open_source(
        spec,
        playback=playback,
        pacer=pacer,
        data_dir=data_dir,
        duration_s=duration_s,
        start_time=start,
    )

    def recorder(info: SourceInfo) -> StepMarkingWriter:
        plan = [(t_s, pattern.label()) for t_s, pattern in pacer.segments()]
        folder = paths.recordings_dir(data_dir)
        began = info.start_time or start
        writer = create_recording(
            folder, start, "assessment", info=info, pace=plan, start_time=began
        )
        return StepMarkingWriter(writer, steps)

    collector = BeatCollector(steps, progress=progress)
    session = Session(
        source,
        pacer=pacer,
        live=_live_engine(shown=window or dashboard is not None),
        recorder=recorder,
        duration_s=duration_s,
        sinks=[collector],
    )
    session.add_mark("note", f"resonance assessment: {len(steps)} steps")

    def protocol_run(result: Any) -> ProtocolRun:
        recording = getattr(session.writer, "path", None)
        ended_at = max(collector.end_t_s, getattr(result, "t_s", 0.0) or 0.0)
        return ProtocolRun(
            Path(recording) if recording else None,
            tuple(collector.beats),
            ended_at,
            getattr(result, "ended_by", "stopped"),
            simulated=bool(getattr(getattr(source, "info", None), "simulated", False)),
        )

    try:
        if window:
            from hrvcoach.gui.app import run_practice_window

            outcome = run_practice_window(
                session,
                title="Resonance assessment",
                plan=steps,
                summary=None if finish is None else (lambda done: finish(protocol_run(done))),
                screenshot=screenshot,
                close_when_done_s=close_when_done_s,
            )
            result = outcome.result
        else:
            view = None
            if dashboard is not None:
                from hrvcoach.tui import TerminalDashboard

                view = TerminalDashboard(session, stream=dashboard, plan=steps)
                session.sinks.append(view)
            result = asyncio.run(_run_headless(session, view))
    except (HrvCoachError, KeyboardInterrupt):
        path = getattr(session.writer, "path", None)
        if path is not None:
            print(f"recording kept: {path}", file=sys.stderr)
        raise
    return protocol_run(result)


async def _run_headless(session: Any, dashboard: Any = None) -> Any:
    from hrvcoach.session import install_stop_signals

    install_stop_signals(asyncio.get_running_loop(), session.stop)
    if dashboard is None:
        return await session.run()
    async with dashboard:
        return await session.run()


def _trusted(beats: tuple[Beat, ...] | list[Beat]) -> tuple[list[float], list[float]]:
    from hrvcoach.beats import BeatFlag

    distrusted = BeatFlag.NONE
    for name in _DISTRUSTED_FLAGS:
        distrusted |= BeatFlag[name]
    t_s, rr_ms = [], []
    for beat in beats:
        if not beat.flags & distrusted:
            t_s.append(beat.t_s)
            rr_ms.append(beat.rr_ms)
    return t_s, rr_ms


# -- scoring existing recordings ----------------------------------------------------------------
def _pacer_from_marks(recording: Any) -> Pacer | None:
    from hrvcoach.pacer import BreathPattern, Pacer

    plan = [(m.t_s, m.text) for m in recording.marks if m.kind == "pace"]
    if not plan:
        plan = list(recording.meta.pace)
    if not plan:
        return None
    try:
        pacer = Pacer(BreathPattern.parse(plan[0][1]), t0_s=plan[0][0])
        for t_s, label in plan[1:]:
            if t_s >= pacer.segments()[-1][0]:
                pacer.set_pattern(t_s, BreathPattern.parse(label))
    except (ValueError, IndexError):
        return None
    return pacer


def assess_recordings(items: list[str], *, settle_s: float) -> FromRecordings:
    """Score ``RATE=FILE`` recordings (one per rate) or one earlier assessment ``FILE``."""
    from hrvcoach.assess import (
        MIN_SCORED_S,
        AssessmentStep,
        choose_resonance,
        score_step,
        steps_from_marks,
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
        t_s, rr_ms = _trusted(recording.beats)
        try:
            steps = steps_from_marks(recording.marks, end_s=recording.duration_s)
        except ValueError as err:
            raise RecordingError(path, str(err)) from None
        if len(steps) < 2:
            raise RecordingError(
                path, "has no assessment steps; give one paced recording per rate as RATE=FILE"
            )
        pacer = _pacer_from_marks(recording)
        scores = [score_step(t_s, rr_ms, step, pacer=pacer) for step in steps]
        return FromRecordings(choose_resonance(scores), path, bool(recording.meta.simulated))

    scores = []
    simulated = []
    for index, item in enumerate(paired):
        rate_text, _, file_text = item.partition("=")
        try:
            rate = float(rate_text)
        except ValueError:
            raise UsageError(f"--recording {item!r}: {rate_text!r} is not a rate") from None
        path = Path(file_text)
        recording = read_recording(path)
        simulated.append(bool(recording.meta.simulated))
        t_s, rr_ms = _trusted(recording.beats)
        if len(t_s) < 20:
            raise RecordingError(path, f"has only {len(t_s)} usable beats")
        start_s, end_s = t_s[0], t_s[-1]
        settle = min(settle_s, max(0.0, end_s - start_s - MIN_SCORED_S))
        step = AssessmentStep(index, rate, start_s, end_s - start_s, settle)
        pacer = _pacer_from_marks(recording)
        if pacer is not None and abs(pacer.rate_at(step.scored_start_s) - rate) > 0.05:
            log.warning(
                "%s was paced at %g, not %g breaths/min; phase not scored",
                path,
                pacer.rate_at(step.scored_start_s),
                rate,
            )
            pacer = None
        scores.append(score_step(t_s, rr_ms, step, pacer=pacer))
    return FromRecordings(choose_resonance(scores), None, all(simulated))


# -- output ---------------------------------------------------------------------------------------
def _fmt(value: float | None, spec: str) -> str:
    """``value`` formatted, or a dash (right-aligned to the same width) when there is none."""
    if value is None or not math.isfinite(value):
        width = "".join(c for c in spec.split(".")[0] if c.isdigit())
        return "-".rjust(int(width) if width else 1)
    return format(value, spec)


def format_table(result: AssessmentResult) -> str:
    """The criteria per rate, the winner marked, for people."""
    lines = [
        "  rate   peak-trough   LF power   LF peak        phase   coherence   score",
        "  /min           bpm        ms²   /min                                    ",
    ]
    for step, score in zip(result.steps, result.scores, strict=True):
        mark = "*" if result.resonance_bpm == step.rate_bpm else " "
        if not step.usable:
            lines.append(f"{mark} {step.rate_bpm:4.1f}   not scored: {step.note}")
            continue
        follows = "" if step.follows_pacer else " (off)"
        peak = _fmt(step.lf_peak_bpm, ".2f") + follows
        phase = _fmt(step.phase_deg, "+.0f") + ("°" if step.phase_deg is not None else "")
        lines.append(
            f"{mark} {step.rate_bpm:4.1f}   {_fmt(step.peak_trough_bpm, '11.1f')}"
            f"   {_fmt(step.lf_ms2, '8.0f')}   {peak:<11}"
            f"  {phase:>6}   {_fmt(step.coherence, '9.2f')}   {score:5.2f}"
        )
    return "\n".join(lines)


def save_png(result: AssessmentResult, path: Path) -> None:
    """Bars of each criterion per rate, the chosen rate highlighted."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    steps = [s for s in result.steps if s.usable]
    if not steps:
        raise UsageError("--png: no step had enough signal to draw")
    labels = [f"{s.rate_bpm:g}" for s in steps]
    chosen = result.resonance_bpm if result.resonance_bpm is not None else result.best_bpm
    colors = ["#d1495b" if s.rate_bpm == chosen else "#8fb8de" for s in steps]
    panels: list[tuple[str, list[float]]] = [
        ("peak-to-trough HR (bpm)", [s.peak_trough_bpm or 0.0 for s in steps]),
        ("LF power (ms²)", [s.lf_ms2 or 0.0 for s in steps]),
        ("LF peak height (ms²/Hz)", [s.lf_peak_ms2_hz or 0.0 for s in steps]),
        ("phase, HR vs breath (deg)", [s.phase_deg or 0.0 for s in steps]),
        ("coherence ratio", [s.coherence or 0.0 for s in steps]),
        (
            "combined score",
            [sc for s, sc in zip(result.steps, result.scores, strict=True) if s.usable],
        ),
    ]
    fig = Figure(figsize=(10, 6.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 3)
    for ax, (title, values) in zip(axes.flat, panels, strict=True):
        ax.bar(labels, values, color=colors)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("breaths/min")
        if title.startswith("phase"):
            ax.axhline(0.0, color="#555555", linewidth=0.8)
            ax.set_ylim(-180, 180)
    verdict = (
        f"resonance {chosen:g} breaths/min ({result.confidence})"
        if result.resonance_bpm is not None
        else "no clear resonance"
    )
    fig.suptitle(f"Resonance assessment: {verdict}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    except OSError as err:
        raise UsageError(f"--png: cannot write {path}: {err.strerror or err}") from None


# -- keeping the result ---------------------------------------------------------------------------
def store_result(
    result: AssessmentResult,
    payload: dict[str, object],
    *,
    data_dir: Path,
    recording: Path | None,
    simulated: bool = False,
) -> dict[str, object]:
    """Write the result beside the recording, add it to the history and set the default pace.

    A simulated assessment is kept too, but as what it is: in the history only through its
    recording (indexed as a simulated session, which trends leave out), and it never sets the
    default pace, which belongs to the person's own heart.

    Returns what was saved where (for the JSON output and the closing lines).
    """
    from hrvcoach.settings import Settings

    saved: dict[str, object] = {}
    if recording is not None:
        # next to the recording first: it survives whatever happens to the database
        beside = recording.with_name(recording.stem + ".result.json")
        try:
            beside.write_text(
                json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            saved["result_file"] = str(beside)
        except OSError as err:
            log.warning("could not write %s: %s", beside, err)
    rate = result.resonance_bpm if result.resonance_bpm is not None else result.best_bpm
    if simulated:
        saved["simulated"] = True
    if rate is not None and (recording is not None or not simulated):
        # a simulated result with no recording has no simulated session to be linked to, and
        # the history could not tell it from a real one
        saved["history"] = _add_to_history(result, rate, data_dir=data_dir, recording=recording)
    if result.resonance_bpm is not None and not simulated:
        settings = Settings.load(data_dir)
        settings.pace_bpm = result.resonance_bpm
        settings.pace_source = f"assessment {datetime.now().astimezone().date().isoformat()}"
        settings.save(data_dir)
        saved["pace_bpm"] = settings.pace_bpm
        saved["pace_source"] = settings.pace_source
    return saved


def _add_to_history(
    result: AssessmentResult, rate: float, *, data_dir: Path, recording: Path | None
) -> bool:
    from hrvcoach.store import HistoryStore

    store = HistoryStore.open(data_dir)
    try:
        if recording is not None:
            try:
                store.add_recording(recording, kind="assessment")
            except HrvCoachError as err:
                # the session list can pick the file up later; the assessment itself must count
                log.warning("assessment recording not indexed: %s", err)
        store.add_assessment(
            rate_bpm=rate,
            confidence=result.confidence,
            steps=[s.to_json() for s in result.steps],
            recording=recording,
        )
    finally:
        store.close()
    return True


# -- the command ----------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    from hrvcoach import paths
    from hrvcoach.assess import plan_steps, protocol_pacer
    from hrvcoach.settings import Settings

    _check_timing(args)
    settle_s = _settle_s(args)
    data_dir = paths.data_dir(args.data_dir)
    settings = Settings.load(data_dir)
    _check_screenshot(args)

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
        window = not args.headless and _display_available()
        if args.screenshot and not window:
            raise UsageError("--screenshot needs a display (a window); drop --headless")
        # Without a display the pacer goes in the terminal: nobody holds 4.5 breaths a minute
        # without a guide. With --json, stdout carries the result alone, so it draws on stderr.
        dashboard = None
        if not window and not args.headless:
            dashboard = sys.stderr if args.json else sys.stdout
        kept: list[Scored | HrvCoachError] = []

        def finish(run_: ProtocolRun) -> AssessmentOutcome:
            # on the session thread, once the protocol has ended: the window shows this
            return _outcome(_score_run(run_, steps, pacer, args, data_dir, kept), settings)

        offscreen = os.environ.get("QT_QPA_PLATFORM") == "offscreen"
        run_ = run_protocol(
            spec=args.device,
            steps=steps,
            pacer=pacer,
            data_dir=data_dir,
            speed=args.speed or 1.0,
            fast=args.fast,
            window=window,
            progress=not args.json and dashboard is None,
            dashboard=dashboard,
            finish=finish,
            screenshot=args.screenshot,
            close_when_done_s=OFFSCREEN_LINGER_S if offscreen else None,
        )
        if not kept:  # headless, or the window's scoring never ran
            _score_run(run_, steps, pacer, args, data_dir, kept)
        if isinstance(kept[0], HrvCoachError):
            raise kept[0]
        scored = kept[0]

    return _report(scored, args=args, settings=settings)


def _check_screenshot(args: argparse.Namespace) -> None:
    path = args.screenshot
    if path is None:
        return
    if args.recording:
        raise UsageError("--screenshot is for the guided protocol in the window, not --recording")
    if path.suffix.lower() != ".png":
        raise UsageError(f"--screenshot {path}: the file name must end in .png")
    if not path.parent.is_dir():
        raise UsageError(f"--screenshot {path}: folder {path.parent} does not exist")


def _score_run(
    run_: ProtocolRun,
    steps: tuple[AssessmentStep, ...],
    pacer: Pacer,
    args: argparse.Namespace,
    data_dir: Path,
    kept: list[Scored | HrvCoachError],
) -> Scored | HrvCoachError:
    """Score the steps completed and store the result; the outcome (or error) goes in ``kept``."""
    from hrvcoach.assess import assess_beats

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
        t_s, rr_ms = _trusted(run_.beats)
        result = assess_beats(t_s, rr_ms, done, pacer=pacer)
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
        save_png(result, args.png)
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
    from hrvcoach.assess import AssessmentOutcome

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


def _display_available() -> bool:
    # as practice does: where Qt cannot start on the named display (it would abort the process),
    # the terminal dashboard paces the protocol instead
    from hrvcoach.display import window_possible

    return window_possible()
