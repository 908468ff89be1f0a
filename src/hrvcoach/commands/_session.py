"""What the session commands (demo, practice, replay) share: their options, and the composition
root that wires a source, the recording, live HRV, a view and the history together."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from hrvcoach.commands._progress import Progress, ProgressSink
from hrvcoach.commands._training import format_wins, judge_session, stored_training
from hrvcoach.commands._views import no_screenshot_reason, rhythm_note
from hrvcoach.commands.analyze import method_of
from hrvcoach.errors import HrvCoachError, UsageError

if TYPE_CHECKING:
    from hrvcoach.analysis import Summary
    from hrvcoach.beats import SourceInfo
    from hrvcoach.breathing.live import BreathingMonitor
    from hrvcoach.commands._training import TrainingContext
    from hrvcoach.pacer import BreathPattern
    from hrvcoach.session import Session, SessionResult, SessionUpdate

log = logging.getLogger(__name__)


def pattern_from_args(args: argparse.Namespace, data_dir: Path) -> tuple[BreathPattern, str]:
    """The pace to use and where it came from (``--pace``, the last assessment, or the default)."""
    from hrvcoach.pacer import BreathPattern
    from hrvcoach.settings import Settings

    settings = Settings.load(data_dir)
    rate = args.pace if args.pace is not None else settings.pace_bpm
    source = "--pace" if args.pace is not None else settings.pace_source
    ratio = args.ratio or settings.ratio
    try:
        return BreathPattern.with_ratio(rate, ratio), source
    except ValueError as err:
        raise UsageError(str(err)) from None


def check_common(args: argparse.Namespace) -> None:
    minutes = getattr(args, "minutes", None)
    if minutes is not None and not (minutes > 0 and math.isfinite(minutes)):
        raise UsageError("--minutes must be a positive number")
    speed = getattr(args, "speed", None)
    if speed is not None and not (speed > 0 and math.isfinite(speed)):
        raise UsageError("--speed must be a positive number")
    if getattr(args, "window_seconds", 60.0) < 10:
        raise UsageError("--window-seconds must be at least 10")
    for name in ("checkin_before", "checkin_after"):
        value = getattr(args, name, None)
        if value is not None and not 0 <= value <= 10:
            raise UsageError(f"--{name.replace('_', '-')} must be between 0 and 10")


# -- views --------------------------------------------------------------------------------------
def choose_view(args: argparse.Namespace) -> str:
    """``window``, ``terminal`` or ``none``."""
    from hrvcoach.display import window_possible

    if args.headless:
        return "none"
    if window_possible():
        return "window"
    if args.jsonl:  # JSON lines own stdout; a dashboard would garble them
        return "none"
    return "terminal"


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class JsonLinesSink:
    """Prints one JSON object per beat (with the live metrics, and the training zone, swing and
    level when the session tracks training), gap, status change and mark."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def on_update(self, update: SessionUpdate) -> None:
        from dataclasses import asdict

        from hrvcoach.beats import Beat, DeviceStatus, Gap, Mark

        event = update.event
        row: dict[str, Any]
        if isinstance(event, Beat):
            row = {
                "type": "beat",
                "t_s": round(event.t_s, 4),
                "rr_ms": event.rr_ms,
                "hr_bpm": event.hr_bpm,
                "flags": int(event.flags),
            }
            if update.metrics is not None:
                metrics = asdict(update.metrics)
                metrics.pop("t_s", None)
                metrics.pop("hr_bpm", None)
                row.update({k: _finite(v) for k, v in metrics.items()})
            training = getattr(update, "training", None)
            if training is not None:  # the session tracks training: its zone, swing and level
                row["zone"] = training.zone.value if training.zone is not None else None
                row["swing_bpm"] = _finite(training.swing_bpm)
                row["level"] = training.level
        elif isinstance(event, Gap):
            row = {"type": "gap", "t_s": event.t_s, "duration_s": event.duration_s}
        elif isinstance(event, DeviceStatus):
            row = {"type": "status", "t_s": event.t_s, "state": event.state.value}
            if event.battery_pct is not None:
                row["battery_pct"] = event.battery_pct
        elif isinstance(event, Mark):
            row = {"type": "mark", "t_s": event.t_s, "kind": event.kind, "text": event.text}
        else:  # pragma: no cover - Event is closed
            return
        self.stream.write(json.dumps(row) + "\n")


# -- running ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionPlan:
    """Everything a session command decided before running."""

    spec: str | None  #: --device spec (None: last strap)
    kind: str  #: practice | demo | replay
    record: bool
    title: str
    input_format: str | None = None  #: force a reader for a replayed file


@dataclass
class Checkins:
    """How the person felt before and after, from the command line or the window's dialogs."""

    before: int | None = None
    after: int | None = None
    note: str | None = None
    before_recorded: bool = False  #: the "before" one is already a mark in the recording


async def _run_without_window(session: Session, dashboard: Any = None) -> SessionResult:
    from hrvcoach.session import install_stop_signals

    install_stop_signals(asyncio.get_running_loop(), session.stop)
    if dashboard is None:
        return await session.run()
    async with dashboard:
        return await session.run()


def run_session_command(args: argparse.Namespace, plan: SessionPlan) -> int:
    """Build the pipeline for one session, run it with the chosen view, then summarise and store."""
    from hrvcoach import paths
    from hrvcoach.commands._training import load_context
    from hrvcoach.drivers import open_source
    from hrvcoach.live import LiveHrv
    from hrvcoach.methods import get as get_method
    from hrvcoach.pacer import Pacer
    from hrvcoach.session import Session
    from hrvcoach.timing import Playback
    from hrvcoach.training.live import LEVEL_MARK, SessionTraining

    check_common(args)
    data_dir = paths.data_dir(args.data_dir)
    pattern, pace_source = pattern_from_args(args, data_dir)
    speed = getattr(args, "speed", None) or 1.0
    playback = Playback(speed=speed, fast=getattr(args, "fast", False))
    start = datetime.now().astimezone()
    training = load_context(data_dir)
    day = training.today(start.date())
    if plan.kind in ("practice", "demo") and getattr(args, "minutes", None) is None:
        args.minutes = day.plan.minutes  # the plan's length for today
        log.info("planned length %g min", args.minutes)
    duration_s = args.minutes * 60.0 if getattr(args, "minutes", None) else None
    replayed = _replayed_recording(plan.spec, plan.input_format)
    if replayed is not None:
        from hrvcoach.drivers.replay import ReplaySource

        pacer = _pacer_for_replay(replayed, pattern, forced=args.pace is not None)
        source: Any = ReplaySource(replayed, playback=playback)
    else:
        pacer = Pacer(pattern)
        # no length for the source: the session ends it, after --minutes of practice not counting
        # pauses, or at the length chosen in the window
        source = open_source(
            plan.spec,
            playback=playback,
            pacer=pacer,
            data_dir=data_dir,
            start_time=start,
            ecg=not getattr(args, "no_ecg", False),
            motion=not getattr(args, "no_motion", False),
        )
    recorder = _recorder(data_dir, start, plan.kind, pacer) if plan.record else None
    session = Session(
        source,
        pacer=pacer,
        live=LiveHrv(
            window_s=args.window_seconds,
            artifacts=method_of(args)[1],
            convention=get_method(method_of(args)[0]).convention,
        ),
        recorder=recorder,
        duration_s=duration_s,
        training=SessionTraining(day.level, pacer),
    )
    if plan.record:  # the level it was practised at, so a rebuilt history judges it the same
        session.add_mark(LEVEL_MARK, str(day.level))
    checkins = Checkins(
        before=getattr(args, "checkin_before", None),
        after=getattr(args, "checkin_after", None),
        note=getattr(args, "note", None),
    )
    if checkins.before is not None:
        session.add_mark("checkin", f"before stress={checkins.before}")
        checkins.before_recorded = True
    from hrvcoach.breathing.live import BreathingMonitor

    breathing = BreathingMonitor(pacer)
    session.sample_listeners.append(breathing.add)
    if args.jsonl:
        session.sinks.append(JsonLinesSink(sys.stdout))
    view = choose_view(args)
    if view != "window" and args.screenshot:
        raise UsageError(no_screenshot_reason(args))
    if replayed is not None and args.pace is None and not replayed.meta.pace:
        # Recorded without a guide (another app): its heart breathed at its own rate, so no pacer
        # is drawn; the window names the rhythm the heart rate shows instead.
        session.pacer_shown = False
        session.pacer_note = rhythm_note(replayed) if view == "window" else None
    log.info("pace %s (%s), view %s", pattern.label(), pace_source, view)

    result: SessionResult | None
    precomputed: Any = None
    try:
        if view == "window":
            from hrvcoach import display as _display
            from hrvcoach.gui.app import run_practice_window

            offscreen = _display.offscreen()

            def judge_in_window(
                done: SessionResult, summary: object, after: int | None, before: int | None = None
            ) -> object:
                # the window passes the stress it asked before the session (``before=``)
                return judge_session(
                    session,
                    done,
                    summary,
                    start=start,
                    context=training,
                    stress_before=before if before is not None else checkins.before,
                    stress_after=after if after is not None else checkins.after,  # --checkin-after
                    kept=plan.record,
                )

            outcome = run_practice_window(
                session,
                title=plan.title,
                screenshot=args.screenshot,
                checkin=plan.record and not offscreen and not getattr(args, "no_checkin", True),
                summary=lambda done: summarise(session, done, *method_of(args)[::-1]),
                close_when_done_s=1.0 if offscreen else None,
                today=day,
                latest_check=_latest_check_words(data_dir, start.date()),
                training_outcome=judge_in_window,
                calm=getattr(args, "calm", False),
            )
            result = outcome.result
            precomputed = outcome.summary  # None if it failed: computed again below, loudly
            if outcome.checkin_before is not None and checkins.before is None:
                checkins.before = outcome.checkin_before.stress
                checkins.note = checkins.note or outcome.checkin_before.note or None
            if outcome.checkin_after is not None and checkins.after is None:
                checkins.after = outcome.checkin_after.stress
                checkins.note = checkins.note or outcome.checkin_after.note or None
        else:
            dashboard = None
            bar = Progress(
                "replaying",
                total=replayed.duration_s if replayed is not None else 0,
                unit=" s",
                enabled=replayed is not None and view == "none" and not (args.json or args.jsonl),
            )
            if bar.active:
                session.sinks.append(ProgressSink(bar))
            if view == "terminal":
                from hrvcoach.tui import TerminalDashboard

                # with --json, stdout carries the summary alone: the dashboard goes to stderr
                stream = sys.stderr if args.json else sys.stdout
                dashboard = TerminalDashboard(
                    session,
                    stream=stream,
                    calm=getattr(args, "calm", False),
                    breathing=breathing,
                )
                session.sinks.append(dashboard)
            with bar:
                result = asyncio.run(_run_without_window(session, dashboard))
    except HrvCoachError:
        _say_where_recording_is(session)
        raise
    except KeyboardInterrupt:
        _say_where_recording_is(session)
        raise

    return _finish(
        args, plan, session, result, data_dir, checkins, precomputed, start, training, breathing
    )


def _replayed_recording(spec: str | None, input_format: str | None = None) -> Any:
    if spec is None or not spec.startswith("replay:"):
        return None
    from hrvcoach.readers import read_recording, require_beats

    recording = read_recording(spec.removeprefix("replay:"), input_format)
    for warning in recording.warnings:
        print(f"hrvcoach replay: note: {warning}", file=sys.stderr)
    require_beats(recording, "replay")
    return recording


def _pacer_for_replay(recording: Any, pattern: BreathPattern, *, forced: bool) -> Any:
    """The pacer a replay shows: the recorded pace plan, unless ``--pace`` overrides it; with
    no plan in the file, ``pattern`` (``--pace``, else your assessed or default pace)."""
    from hrvcoach.pacer import BreathPattern, Pacer

    if forced or not recording.meta.pace:
        return Pacer(pattern)
    plan = list(recording.meta.pace)
    pacer = Pacer(BreathPattern.parse(plan[0][1]))
    for t_s, label in plan[1:]:
        pacer.set_pattern(t_s, BreathPattern.parse(label))
    return pacer


def _recorder(
    data_dir: Path, start: datetime, kind: str, pacer: Any
) -> Callable[[SourceInfo], Any]:
    from hrvcoach import paths
    from hrvcoach.recording import RecordingWriter, create_recording

    def make(info: SourceInfo) -> RecordingWriter:
        plan = [(t_s, pattern.label()) for t_s, pattern in pacer.segments()]
        # a replayed file started long ago, but this session (a demo on it) happens now
        began = start if info.kind == "replay" else (info.start_time or start)
        folder = paths.recordings_dir(data_dir)
        return create_recording(folder, start, kind, info=info, pace=plan, start_time=began)

    return make


def _say_where_recording_is(session: Session) -> None:
    path = getattr(session.writer, "path", None)
    if path is not None:
        print(f"recording kept: {path}", file=sys.stderr)


def _finish(
    args: argparse.Namespace,
    plan: SessionPlan,
    session: Session,
    result: SessionResult | None,
    data_dir: Path,
    checkins: Checkins,
    precomputed: Summary | None,
    start: datetime,
    training: TrainingContext,
    breathing: BreathingMonitor | None = None,
) -> int:
    recording_path = getattr(session.writer, "path", None)
    if recording_path is not None:
        _append_checkins(recording_path, result, checkins)
    if result is None or result.beats < 2:
        # Fewer than 2 beats is no session: nothing to summarise, not added to the history, and
        # not a practice day. The file stays, for whoever wants to look at it.
        from hrvcoach.errors import DeviceError, RecordingError

        got = "no beats were" if result is None or result.beats == 0 else "only 1 beat was"
        where = f"; the recording is kept at {recording_path}" if recording_path else ""
        print(
            f"hrvcoach {plan.kind}: {got} received, so this is not counted as a session{where}",
            file=sys.stderr,
        )
        was_replay = getattr(session.source, "recording", None) is not None
        return (RecordingError if was_replay else DeviceError).exit_code
    if precomputed is not None:
        summary = precomputed
    else:
        summary = summarise(session, result, *method_of(args)[::-1])
    outcome = judge_session(
        session,
        result,
        summary,
        start=start,
        context=training,
        stress_before=checkins.before,
        stress_after=checkins.after,
        kept=plan.record,
    )

    exit_code = 0
    stored_id: object = None
    if plan.record and recording_path is not None:
        try:
            from hrvcoach.store import HistoryStore

            with HistoryStore.open(data_dir) as store:
                row = store.add_recording(
                    Path(recording_path),
                    kind=plan.kind,
                    checkin_before=checkins.before,
                    checkin_after=checkins.after,
                    note=checkins.note,
                    summary=summary,
                    training=stored_training(session, result, counted=outcome.counted),
                )
            stored_id = getattr(row, "id", None)
        except HrvCoachError as err:
            print(
                f"hrvcoach {plan.kind}: the history was not updated ({err}); "
                f"the recording is safe at {recording_path} and joins the history with "
                "'hrvcoach sessions --rebuild' (check-ins included), or by itself the next "
                "time the history is opened",
                file=sys.stderr,
            )
            exit_code = err.exit_code

    payload = {k: _finite(v) for k, v in summary.to_json().items()}
    replayed = getattr(getattr(session.source, "recording", None), "path", None)
    payload["recording"] = str(recording_path or replayed or "") or None
    payload["ended_by"] = result.ended_by
    payload["ecg_samples"] = result.samples.get("ecg", 0)
    payload["acc_samples"] = result.samples.get("acc", 0)
    breath = breathing.summary() if breathing is not None else None
    payload["breathing"] = breath.to_json() if breath is not None else None
    if stored_id is not None:
        payload["session_id"] = stored_id
    payload.update(outcome.to_json())
    if args.json or args.jsonl:
        line = {"summary": payload} if args.jsonl else payload
        print(json.dumps(line, indent=None if args.jsonl else 2))
    else:
        from hrvcoach.commands.analyze import format_table

        print(f"{plan.title}: ended ({result.ended_by})")
        shown = recording_path or payload["recording"] or plan.title
        print(format_table(summary, title=str(shown)))
        print(format_wins(outcome))
        if breath is not None:
            from hrvcoach.commands._signals import breathing_line

            print(breathing_line(breath))
    return exit_code


def summarise(
    session: Session, result: SessionResult, artifacts: str | None, method: str = "default"
) -> Summary:
    """The whole-session summary: of the recording just made, or of what a replay played."""
    from hrvcoach.analysis import analyze
    from hrvcoach.commands._signals import with_ecg
    from hrvcoach.readers import read_recording

    recording_path = getattr(session.writer, "path", None)
    source_recording = getattr(session.source, "recording", None)
    if recording_path is not None:
        recording = read_recording(recording_path)
    elif source_recording is not None and result.ended_by == "source-ended":
        recording = source_recording
    else:
        # a replay cut short: its beats alone (no companion files to read)
        return analyze(_played_part(session, result), method=method, artifacts=artifacts)
    return with_ecg(recording, lambda rec: analyze(rec, method=method, artifacts=artifacts))


def _played_part(session: Session, result: SessionResult) -> Any:
    import numpy as np

    from hrvcoach.beats import Beat

    source_recording = getattr(session.source, "recording", None)
    if source_recording is None:
        raise HrvCoachError("nothing to summarise")
    beats = [e for e in source_recording.events if isinstance(e, Beat) and e.t_s <= result.t_s]
    return np.array([b.rr_ms for b in beats], dtype=float)


def _append_checkins(path: Path, result: SessionResult | None, checkins: Checkins) -> None:
    # Check-ins known only at the end (the window asks its "before" one before the source opens,
    # the "after" one when it ends) go into the recording too, so a rebuilt history keeps them.
    from hrvcoach.beats import Mark
    from hrvcoach.recording import append_events
    from hrvcoach.training.live import END_MARK

    end_s = result.t_s if result is not None else 0.0
    marks = []
    if result is not None and result.beats:
        # where the session ended: its practice time outlives the last beat in a rebuild
        marks.append(Mark(end_s, END_MARK, result.ended_by))
    if checkins.before is not None and not checkins.before_recorded:
        marks.append(Mark(0.0, "checkin", f"before stress={checkins.before}"))
    if checkins.after is not None:
        marks.append(Mark(end_s, "checkin", f"after stress={checkins.after}"))
    if checkins.note:
        marks.append(Mark(end_s, "note", checkins.note))
    if marks:
        append_events(Path(path), marks)


def _latest_check_words(data_dir: Path, on: date) -> str | None:
    """The sentence on the latest resting check for the window's Today panel (``None``: none, or
    the history cannot be read: the panel does without it)."""
    from hrvcoach.commands._capacity import past_results
    from hrvcoach.errors import HrvCoachError
    from hrvcoach.protocols.history import latest_check_line

    try:
        checks = past_results(data_dir, "resting", until=on)
    except HrvCoachError as err:
        log.debug("no resting check for the Today panel: %s", err)
        return None
    return latest_check_line(checks, on)
