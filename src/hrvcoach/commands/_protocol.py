"""Running a guided protocol: one session, one recording with a mark per phase, a guide.

Shared by ``assess``, ``check`` and ``recovery``. The protocol's plan (assessment steps or
capacity phases) is made in the core (:mod:`hrvcoach.protocols`); this module wires it to a
source, a recording, a session and a view (the window, the terminal dashboard, or progress lines
on stderr), and hands back the beats for the protocol's pure scoring.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from hrvcoach.errors import HrvCoachError

if TYPE_CHECKING:
    from hrvcoach.beats import Beat, SourceInfo
    from hrvcoach.pacer import Pacer
    from hrvcoach.session import SessionUpdate

T = TypeVar("T")


class BeatCollector:
    """Keeps the beats as they arrive, and can announce each phase as it begins.

    Args:
        plan: The protocol's steps or phases (anything with ``index`` and ``start_s``).
        announce: Called with the phase that has just begun, for a progress line; ``None`` for
            no announcements.
    """

    def __init__(
        self, plan: Sequence[Any], *, announce: Callable[[Any], str] | None = None
    ) -> None:
        self.beats: list[Beat] = []
        self._plan = tuple(plan)
        self._announce = announce
        self._announced = -1
        self.end_t_s = 0.0

    def on_update(self, update: SessionUpdate) -> None:
        from hrvcoach.beats import Beat

        event = update.event
        if not isinstance(event, Beat):
            return
        self.beats.append(event)
        self.end_t_s = max(self.end_t_s, event.t_s)
        if self._announce is None:
            return
        current = [s for s in self._plan if s.start_s <= event.t_s]
        if current and current[-1].index > self._announced:
            self._announced = current[-1].index
            print(self._announce(current[-1]), file=sys.stderr, flush=True)


def live_engine(*, shown: bool) -> Any:
    """The live HRV engine when a view shows its numbers; otherwise one that computes nothing.

    Scoring works on the beats alone. Live HRV loads neurokit2 on its first spectrum, which
    blocks the event loop for seconds; in a sped-up run the session clock moves on meanwhile, so
    it is loaded before the clock starts, and not at all when nothing shows it.
    """
    if not shown:
        return _NoLiveMetrics()
    import neurokit2  # noqa: F401 - loaded now, not in the middle of the first phase

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
    """What running a protocol produced.

    Attributes:
        recording: The recording made, if the source opened.
        beats: Every beat received.
        ended_at_s: Session time of the end.
        ended_by: How the session ended (``SessionResult.ended_by``).
        simulated: No real heart produced the beats (the simulator).
        start_time: Wall-clock start of the session.
    """

    recording: Path | None
    beats: tuple[Beat, ...]
    ended_at_s: float
    ended_by: str
    simulated: bool = False
    start_time: datetime | None = None


@dataclass(frozen=True)
class ProtocolSetup:
    """What a command tells the runner about its protocol.

    Attributes:
        plan: The steps or phases (each with ``start_s``, ``end_s`` and ``mark()``).
        pacer: The session's pacer, every paced phase scheduled up front.
        kind: The recording's kind in its file name and the history (``assessment``,
            ``check``, ``recovery``).
        title: The window's title.
        note: A note mark at the start of the recording.
        source_options: Extra keyword arguments for the simulator (``phases`` ...).
    """

    plan: tuple[Any, ...]
    pacer: Pacer
    kind: str
    title: str
    note: str
    source_options: dict[str, Any] | None = None


def run_protocol(
    setup: ProtocolSetup,
    *,
    spec: str | None,
    data_dir: Path,
    speed: float,
    fast: bool,
    window: bool,
    announce: Callable[[Any], str] | None = None,
    dashboard: TextIO | None = None,
    finish: Callable[[ProtocolRun], object] | None = None,
    screenshot: Path | None = None,
    close_when_done_s: float | None = None,
    ecg: bool = True,
    motion: bool = True,
) -> ProtocolRun:
    """Run every phase once, recording everything, and return the beats.

    Args:
        window: Guide the protocol in the window.
        announce: Without a window: a line on stderr as each phase begins.
        dashboard: Without a window: the terminal dashboard, with the phase, drawn on this stream.
        finish: With a window: scores the run when the session has ended (on the session
            thread, so the window stays smooth) and returns what the window shows as the result.
        screenshot: With a window: a PNG of it as the result appears.
        close_when_done_s: With a window: close it this long after the end (``None``: the person
            closes it once they have read the result).
        ecg, motion: Stream a Polar strap's (or the simulator's) ECG and chest motion when it
            offers them (``--no-ecg``, ``--no-motion`` turn them off).
    """
    from hrvcoach import paths
    from hrvcoach.drivers import open_source
    from hrvcoach.protocols.phases import MarkingWriter
    from hrvcoach.recording import create_recording
    from hrvcoach.session import Session
    from hrvcoach.timing import Playback

    plan, pacer = setup.plan, setup.pacer
    start = datetime.now().astimezone()
    duration_s = plan[-1].end_s
    playback = Playback(speed=speed, fast=fast)
    source = open_source(
        spec,
        playback=playback,
        pacer=pacer,
        data_dir=data_dir,
        duration_s=duration_s,
        start_time=start,
        ecg=ecg,
        motion=motion,
        **(setup.source_options or {}),
    )

    def recorder(info: SourceInfo) -> MarkingWriter:
        pace = [(t_s, pattern.label()) for t_s, pattern in pacer.segments()]
        folder = paths.recordings_dir(data_dir)
        began = info.start_time or start
        # sessions starting in the same second take the next free name, never each other's
        writer = create_recording(folder, start, setup.kind, info=info, pace=pace, start_time=began)
        return MarkingWriter(writer, plan)

    collector = BeatCollector(plan, announce=announce)
    session = Session(
        source,
        pacer=pacer,
        live=live_engine(shown=window or dashboard is not None),
        recorder=recorder,
        duration_s=duration_s,
        sinks=[collector],
    )
    session.add_mark("note", setup.note)

    def protocol_run(result: Any) -> ProtocolRun:
        recording = getattr(session.writer, "path", None)
        ended_at = max(collector.end_t_s, getattr(result, "t_s", 0.0) or 0.0)
        info = getattr(source, "info", None)
        return ProtocolRun(
            Path(recording) if recording else None,
            tuple(collector.beats),
            ended_at,
            getattr(result, "ended_by", "stopped"),
            simulated=bool(getattr(info, "simulated", False)),
            start_time=getattr(info, "start_time", None) or start,
        )

    try:
        if window:
            from hrvcoach.gui.app import run_practice_window

            outcome = run_practice_window(
                session,
                title=setup.title,
                plan=plan,
                summary=None if finish is None else (lambda done: finish(protocol_run(done))),
                screenshot=screenshot,
                close_when_done_s=close_when_done_s,
            )
            result = outcome.result
        else:
            view = None
            if dashboard is not None:
                from hrvcoach.tui import TerminalDashboard

                view = TerminalDashboard(session, stream=dashboard, plan=plan)
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


def display_available() -> bool:
    """Whether a window can open here.

    As practice does: where Qt cannot start on the named display (it would abort the process),
    the terminal dashboard guides the protocol instead.
    """
    from hrvcoach.display import window_possible

    return window_possible()


def check_screenshot(path: Path | None, *, recording: bool) -> None:
    """A ``--screenshot`` path a guided run can write.

    Raises:
        UsageError: With ``--recording``, not a .png name, or a folder that does not exist.
    """
    from hrvcoach.errors import UsageError

    if path is None:
        return
    if recording:
        raise UsageError("--screenshot is for the guided protocol in the window, not --recording")
    if path.suffix.lower() != ".png":
        raise UsageError(f"--screenshot {path}: the file name must end in .png")
    if not path.parent.is_dir():
        raise UsageError(f"--screenshot {path}: folder {path.parent} does not exist")


def sim_phases(spec: str | None, phases: Sequence[Any]) -> dict[str, Any] | None:
    """Source options that take the simulator through a capacity protocol's phases (a strap's
    wearer goes through them on their own)."""
    from hrvcoach.drivers import is_simulator_spec

    return {"phases": tuple(phases)} if is_simulator_spec(spec) else None


@dataclass(frozen=True)
class ProtocolView:
    """Where a guided protocol shows: the window, or the terminal dashboard on ``dashboard``, or
    (both off, ``--headless``) progress lines."""

    window: bool
    dashboard: TextIO | None


def protocol_view(args: argparse.Namespace) -> ProtocolView:
    """The view the options ask for: the window unless ``--headless`` or no display; else the
    terminal dashboard, since nobody follows a slow pace without a guide (on stderr with
    ``--json``, so stdout carries the result alone).

    Raises:
        UsageError: ``--screenshot`` without a window.
    """
    from hrvcoach.errors import UsageError

    window = not args.headless and display_available()
    if args.screenshot and not window:
        raise UsageError("--screenshot needs a display (a window); drop --headless")
    dashboard = None
    if not window and not args.headless:
        dashboard = sys.stderr if args.json else sys.stdout
    return ProtocolView(window, dashboard)


def run_with_options(
    args: argparse.Namespace,
    setup: ProtocolSetup,
    *,
    data_dir: Path,
    view: ProtocolView,
    announce: Callable[[Any], str],
    finish: Callable[[ProtocolRun], object],
    close_when_done_s: float | None,
) -> ProtocolRun:
    """:func:`run_protocol` with the command's options (``device``, ``speed``, ``fast``,
    ``json``, ``screenshot``, ``no_ecg``, ``no_motion``); the phase lines only where nothing else
    shows the protocol."""
    return run_protocol(
        setup,
        spec=args.device,
        data_dir=data_dir,
        speed=args.speed or 1.0,
        fast=args.fast,
        window=view.window,
        announce=announce if not args.json and view.dashboard is None else None,
        dashboard=view.dashboard,
        finish=finish,
        screenshot=args.screenshot,
        close_when_done_s=close_when_done_s,
        ecg=not getattr(args, "no_ecg", False),
        motion=not getattr(args, "no_motion", False),
    )


def run_capacity_protocol(
    args: argparse.Namespace,
    setup: ProtocolSetup,
    *,
    data_dir: Path,
    what: str,
    score: Callable[[ProtocolRun, list[float], list[float]], T],
    describe: Callable[[T], str],
    announce: Callable[[Any], str],
    keep: Callable[[T], T] | None = None,
) -> T:
    """Run a capacity protocol (``check``, ``recovery``) and score it, in the window or not.

    The view follows the options: the window unless ``--headless`` or no display, else the
    terminal dashboard (on stderr with ``--json``), and with ``--headless`` a line on stderr as
    each phase begins. A run that ended before its last phase is not scored: it raises, naming the
    recording, which is kept.

    Args:
        args: The command's options (``device``, ``speed``, ``fast``, ``headless``, ``json``,
            ``screenshot``).
        setup: The protocol (its last phase's end is where a complete run ends).
        what: The protocol in a word, for the early-end message (``"check"``, ``"drill"``).
        score: ``(run, t_s, rr_ms) -> result`` from the run's trusted beats.
        describe: The result in a few lines: the window shows them at the end.
        announce: The line for each phase as it begins (``--headless`` without ``--json``).
        keep: In the window, called on the session thread with the result before it is shown
            (e.g. to keep it in the history); without a window the caller keeps it.

    Raises:
        UsageError: ``--screenshot`` without a window.
        HrvCoachError: The run could not be scored (it ended early, too few beats ...).
    """
    from hrvcoach.protocols.capacity import CapacityOutcome
    from hrvcoach.protocols.signals import trusted_beats

    check_screenshot(args.screenshot, recording=False)
    view = protocol_view(args)
    last_end_s = setup.plan[-1].end_s
    kept: list[T | HrvCoachError] = []

    def scored(run_: ProtocolRun) -> T:
        if run_.ended_at_s + 2.0 < last_end_s:
            raise HrvCoachError(
                f"the {what} ended early ({run_.ended_by}); the recording is kept at "
                f"{run_.recording}"
            )
        t_s, rr_ms = trusted_beats(run_.beats)
        return score(run_, t_s, rr_ms)

    def finish(run_: ProtocolRun) -> object:
        # on the session thread, once the protocol has ended: the window shows this
        try:
            done = scored(run_)
            if keep is not None:
                done = keep(done)
        except HrvCoachError as err:
            kept.append(err)
            return CapacityOutcome(None, problem=str(err))
        kept.append(done)
        lines = describe(done).splitlines()
        return CapacityOutcome(None, headline=lines[0], lines=tuple(lines[1:]))

    run_ = run_with_options(
        args,
        setup,
        data_dir=data_dir,
        view=view,
        announce=announce,
        finish=finish,
        close_when_done_s=1.0 if args.screenshot else None,
    )
    if not kept:  # no window: scored here
        try:
            kept.append(scored(run_))
        except HrvCoachError as err:
            kept.append(err)
    if isinstance(kept[0], HrvCoachError):
        raise kept[0]
    return kept[0]


def check_stream_options(args: argparse.Namespace) -> None:
    """``--no-ecg`` and ``--no-motion`` choose what a live run streams: with ``--recording``
    nothing is streamed, so they would be silently meaningless.

    Raises:
        UsageError: Either one with ``--recording``.
    """
    from hrvcoach.errors import UsageError

    if not args.recording:
        return
    for flag in ("no_ecg", "no_motion"):
        if getattr(args, flag, False):
            option = "--" + flag.replace("_", "-")
            raise UsageError(f"{option} is for a live run; --recording scores what was recorded")
