"""A terminal dashboard for sessions without a display: a few lines redrawn in place.

On a terminal, :class:`TerminalDashboard` redraws three lines about eight times a second: a bar
that fills on the in-breath and empties on the out-breath with the cue and seconds left, the
numbers (HR, RMSSD, coherence; when the session tracks training, the swing of the last breath
and the coherence zone as a word in its colour, with the level), and the clock with the state of
the link. In calm mode the numbers line keeps only the zone and the level. A resonance assessment
adds a fourth line: the step, its rate, whether it is still settling, and the time left in it.
When the output is a file or a pipe, it writes one plain line every few seconds of session time
instead (and one when the link changes), so a log stays readable.

The formatting is pure (:func:`format_dashboard`, :func:`format_plain`, :func:`format_step`) and
takes a :class:`DashboardState`; the class only gathers state from session updates and writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import shutil
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from hrvcoach.beats import Beat, Contact, DeviceStatus, LinkState
from hrvcoach.pacer import PacerState

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hrvcoach.assess import AssessmentStep, ProtocolProgress
    from hrvcoach.live import LiveMetrics
    from hrvcoach.session import Session, SessionUpdate

log = logging.getLogger(__name__)

CUES = {"in": "IN", "hold_in": "HOLD", "out": "OUT", "hold_out": "HOLD"}
EIGHTHS = " ▏▎▍▌▋▊▉█"

# ANSI: colour only where it carries meaning (breath, heart, link state)
RESET = "\x1b[0m"
DIM = "\x1b[2m"
BOLD = "\x1b[1m"
TEAL = "\x1b[36m"
AMBER = "\x1b[33m"
GREEN = "\x1b[32m"
RED = "\x1b[31m"
#: the coherence zones, in the window's colours as near as 256 colours go: grey-blue, sky, green
ZONE_CODES = {"low": "\x1b[38;5;103m", "medium": "\x1b[38;5;74m", "high": "\x1b[38;5;114m"}
CLEAR_LINE = "\x1b[2K"
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"


@dataclass(frozen=True, slots=True)
class DashboardState:
    """Everything one redraw shows.

    Attributes:
        t_s: Session time.
        duration_s: Set session length, or ``None`` for an open session.
        pacer: The pacer now, or ``None`` before the session has started.
        paused: The session is paused.
        metrics: Latest live metrics (``None`` before the first beat).
        link: State of the link to the source.
        device: Source name, where known.
        battery_pct: Last battery level reported.
        contact: Last skin-contact state reported.
        ended: The session is over (the final draw).
        protocol: Where a resonance assessment is (``None`` for a practice session).
        natural: A protocol phase with natural breathing: no pacer to follow.
        zone: Coherence zone (``"low"``, ``"medium"``, ``"high"``) when training is tracked.
        level: The session's challenge level when training is tracked.
        swing_bpm: Heart-rate swing of the last whole breath.
        calm: Calm mode: the numbers wait for the end; only the zone shows.
    """

    t_s: float
    duration_s: float | None
    pacer: PacerState | None
    paused: bool
    metrics: LiveMetrics | None
    link: LinkState
    device: str | None = None
    battery_pct: int | None = None
    contact: Contact = Contact.UNKNOWN
    ended: bool = False
    protocol: ProtocolProgress | None = None
    natural: bool = False
    zone: str | None = None
    level: int | None = None
    swing_bpm: float | None = None
    calm: bool = False


def zone_word(zone: object) -> str | None:
    """``"low"``, ``"medium"`` or ``"high"`` for a zone (an enum with those values or a string)."""
    if zone is None:
        return None
    name = str(getattr(zone, "value", zone)).lower()
    return name if name in ZONE_CODES else None


#: in the last seconds of a step, the step line says what comes next, as the window's guide does
ANNOUNCE_NEXT_S = 10.0


def _clock(t_s: float | None) -> str:
    if t_s is None or not math.isfinite(t_s):
        return "–"
    total = max(0, int(t_s))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _num(value: float | None, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def breath_bar(volume: float, width: int) -> str:
    """A bar ``width`` characters long filled to ``volume`` (0..1) in eighths of a character."""
    width = max(1, width)
    eighths = round(min(1.0, max(0.0, volume)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full
    if full < width:
        bar += (EIGHTHS[part] if part else "") + " " * (width - full - (1 if part else 0))
    return bar


def _link_words(state: DashboardState) -> tuple[str, str]:
    words = {
        LinkState.CONNECTED: ("connected", GREEN),
        LinkState.CONNECTING: ("connecting…", DIM),
        LinkState.RECONNECTING: ("reconnecting…", AMBER),
        LinkState.DISCONNECTED: ("disconnected", RED),
    }
    text, color = words[state.link]
    parts = [text]
    if state.device:
        parts.append(state.device)
    if state.contact is Contact.NOT_DETECTED:
        parts.append("no skin contact")
        color = AMBER if color == GREEN else color
    if state.metrics is not None and state.metrics.artifacts:
        parts.append(f"{state.metrics.artifacts} corrected")
    if state.battery_pct is not None:
        parts.append(f"battery {state.battery_pct}%")
    return " · ".join(parts), color


def _cue(state: DashboardState) -> tuple[str, int | None]:
    if state.ended:
        return "DONE", None
    if state.pacer is None:
        return "READY", None
    if state.paused:
        return "PAUSED", None
    if state.natural:
        return "FREE", None  # breathe at your own rate: no cue to follow
    left = max(1, math.ceil(state.pacer.stage_remaining_s - 1e-6))
    return CUES[state.pacer.stage], left


def _fit(text: str, visible: int, width: int) -> str:
    """Cut plain ``text`` so that it fits ``width`` columns (``visible`` is its length)."""
    return text if visible <= width else text[: max(0, width - 1)] + "…"


def format_step(progress: ProtocolProgress, *, ended: bool = False) -> str:
    """The assessment's line: ``"step 2/5 · 6.0 /min · settling, scored from 0:20 · 1:25 left"``.

    Args:
        progress: Where the protocol is (:func:`hrvcoach.assess.progress_at`).
        ended: The session is over: a protocol stopped part-way says how far it got.
    """
    plan = progress.steps
    n = len(plan)
    if not plan:
        return ""
    from hrvcoach.protocols.phases import Phase

    if isinstance(plan[0], Phase):  # a capacity protocol: its own words for each phase
        from hrvcoach.protocols.capacity import format_phase_line

        if progress.done:
            t_s = plan[-1].end_s
        elif progress.step is None:
            t_s = plan[0].start_s - 1.0
        else:
            t_s = progress.step.end_s - progress.step_left_s
        return format_phase_line(plan, t_s, ended=ended)  # type: ignore[arg-type]
    if progress.done:
        return f"all {n} steps done · scoring each rate…"
    step = progress.step
    if step is None:
        first = plan[0]
        return f"{n} rates, {_clock(first.duration_s)} each · first {first.rate_bpm:.1f} /min"
    head = f"step {step.index + 1}/{n} · {step.rate_bpm:.1f} /min"
    if ended:
        return f"{head} · stopped after {progress.steps_done} of {n} steps"
    left = _clock(math.ceil(progress.step_left_s - 1e-6))
    following = plan[step.index + 1] if step.index + 1 < n else None
    if progress.settling:
        return f"{head} · settling, scored from {_clock(step.settle_s)} · {left} left"
    if following is not None and progress.step_left_s <= ANNOUNCE_NEXT_S:
        return f"{head} · scoring · next {following.rate_bpm:.1f} /min in {left}"
    return f"{head} · scoring · {left} left"


def format_dashboard(state: DashboardState, *, width: int = 80, color: bool = True) -> list[str]:
    """The dashboard lines for a terminal ``width`` columns wide (at least 40 is useful).

    Three lines, and a fourth with the step when ``state.protocol`` is set. Each line's visible
    length is at most ``width``; with ``color`` the lines carry ANSI colours.
    """
    width = max(24, width)

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    cue, left = _cue(state)
    volume = 0.0 if state.pacer is None or state.ended or state.natural else state.pacer.volume
    head = f"{cue:<6} "
    tail = f" {left:>2} s" if left is not None else "     "
    bar_w = width - len(head) - len(tail) - 2
    bar = breath_bar(volume, bar_w)
    active = not (state.paused or state.ended or state.pacer is None)
    line1 = (
        paint(BOLD + TEAL if active else DIM, head)
        + paint(DIM, "▕")
        + paint(TEAL if active else DIM, bar)
        + paint(DIM, "▏")
        + tail
    )

    line2 = _numbers_line(state, width, paint)

    link, link_color = _link_words(state)
    clocks = [_clock(state.t_s)]
    if state.duration_s:
        left_s = max(0.0, state.duration_s - state.t_s)
        short = f"{_clock(state.t_s)} / {_clock(state.duration_s)}"
        clocks = [f"{short}  ({_clock(left_s)} left)", short, *clocks]
    # the longest clock that leaves room for the link's first word; the words are cut to fit
    clock = next((c for c in clocks if len(c) + 5 + min(len(link), 12) <= width), clocks[-1])
    room = width - len(clock) - 5
    line3 = paint(BOLD, clock)
    if room >= 2:
        link = _fit(link, len(link), room)
        line3 += "   " + paint(link_color, "●") + " " + paint(DIM, link)
    if state.protocol is None:
        return [line1, line2, line3]
    step = format_step(state.protocol, ended=state.ended)
    # amber while settling: those breaths are not scored yet
    settling = state.protocol.settling and not state.ended
    line4 = paint(AMBER if settling else BOLD, _fit(step, len(step), width))
    return [line1, line2, line3, line4]


def _numbers_line(state: DashboardState, width: int, paint: Callable[[str, str], str]) -> str:
    """HR, RMSSD, swing and coherence with its zone and level; the parts that do not fit the
    width are left out, least needed first (RMSSD, then the level), then the line is cut."""
    m = state.metrics
    zone = state.zone
    quality = getattr(m, "quality", None)
    # A poor signal: RMSSD dimmed (shown, not to be read as HRV); coherence withheld when there
    # are too many holes for a spectrum.
    weight = DIM if quality is not None and quality.verdict == "poor" else BOLD
    withheld = quality is not None and quality.spectral_verdict == "poor"
    # (label, value, unit, colour of the value); an empty label joins the previous part
    hr = ("HR", _num(None if m is None else m.hr_bpm), "bpm", AMBER + BOLD)
    rmssd = ("RMSSD", _num(None if m is None else m.rmssd_ms), "ms", weight)
    swing = ("swing", _num(state.swing_bpm, 1), "bpm", AMBER + BOLD)
    coh_value = "–" if withheld else _num(None if m is None else m.coherence, 1)
    coh = ("coherence", coh_value, "", weight)
    signal = (
        ("signal", quality.verdict, "", GREEN if quality.verdict == "good" else AMBER)
        if quality is not None
        else None
    )
    zone_part = ("", zone or "", "", ZONE_CODES.get(zone or "", DIM))
    level = ("level", str(state.level), "", BOLD)
    tracked = state.level is not None
    if state.calm:
        # the numbers wait for the end screen: only the zone (or that it is on its way)
        shown = [("zone", zone or "–", "", ZONE_CODES.get(zone or "", DIM)), level]
        options = [shown, shown[:1]]
    elif tracked:
        full = [hr, rmssd, swing, coh, zone_part, level]
        options = [full, [hr, swing, coh, zone_part, level], [hr, swing, coh, zone_part]]
        if signal:
            options.insert(0, [*full, signal])
    else:
        options = [[hr, rmssd, coh, signal], [hr, rmssd, coh]] if signal else [[hr, rmssd, coh]]

    def plain(parts: list[tuple[str, str, str, str]]) -> str:
        out = ""
        for label, value, unit, _ in parts:
            if not label and not value:
                continue
            gap = " " if not label else ("   " if out else "")
            out += gap + (f"{label} " if label else "") + value + (f" {unit}" if unit else "")
        return out

    for parts in options:
        text = plain(parts)
        if len(text) <= width:
            line = ""
            for label, value, unit, code in parts:
                if not label and not value:
                    continue
                gap = " " if not label else ("   " if line else "")
                line += paint(DIM, gap + (f"{label} " if label else "")) + paint(code, value)
                if unit:
                    line += paint(DIM, f" {unit}")
            return line
    text = plain(options[-1])
    return _fit(text, len(text), width)


def format_plain(state: DashboardState) -> str:
    """One line for a log: clock, cue, numbers and link state, no control characters."""
    cue, left = _cue(state)
    m = state.metrics
    parts = [
        _clock(state.t_s).rjust(5),
        f"{cue:<6}" if left is None else f"{cue:<4}{left:>2}s",
        f"HR {_num(None if m is None else m.hr_bpm)}",
        f"RMSSD {_num(None if m is None else m.rmssd_ms)} ms",
        f"coherence {_num(None if m is None else m.coherence, 1)}",
    ]
    if state.level is not None:
        parts[3:3] = [f"swing {_num(state.swing_bpm, 1)} bpm"]
        parts.append(f"zone {state.zone or '–'} · level {state.level}")
    if state.calm:
        parts = [*parts[:2], f"zone {state.zone or '–'}"]
    quality = getattr(m, "quality", None)
    if quality is not None and not state.calm:
        parts.append(f"signal {quality.verdict}")
    parts.append(_link_words(state)[0])
    if state.protocol is not None:
        parts.append(format_step(state.protocol, ended=state.ended))
    return "  ".join(parts)


#: what the live pipeline imports on first use
HEAVY_MODULES = ("scipy.signal", "neurokit2")


def _load_heavy_modules() -> None:
    import importlib

    for name in HEAVY_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the pipeline reports a missing module itself, when it needs it
            log.debug("preloading %s failed", name, exc_info=True)


def _is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class TerminalDashboard:
    """A session sink that shows the session in a terminal.

    Use it around the session's run::

        dashboard = TerminalDashboard(session)
        session.sinks.append(dashboard)
        async with dashboard:
            result = await session.run()

    ``async with`` hides the cursor while drawing and writes the final state at the end. Added as a
    plain sink it still works: it starts its redraw task on the session's loop at the first update
    (``asyncio.run`` cancels it at the end); call :meth:`finish` for the final line.

    Args:
        session: The session shown (for its pacer, clock and length).
        stream: Where to write (default ``sys.stdout``).
        refresh_hz: Redraws per second on a terminal.
        plain_every_s: Session seconds between plain lines when ``stream`` is not a terminal.
        color: ANSI colours; default: on a terminal unless ``NO_COLOR`` is set.
        width: Columns; default: the terminal's width.
        plan: The steps of a resonance assessment: a fourth line follows them.
    """

    LINES = 3

    def __init__(
        self,
        session: Session,
        stream: TextIO | None = None,
        *,
        refresh_hz: float = 8.0,
        plain_every_s: float = 5.0,
        color: bool | None = None,
        width: int | None = None,
        plan: Sequence[AssessmentStep] | None = None,
        calm: bool = False,
    ) -> None:
        self.session = session
        self.calm = calm
        self._training: object | None = None
        self.plan = tuple(plan) if plan else ()
        self.lines = self.LINES + (1 if self.plan else 0)
        self.stream = stream if stream is not None else sys.stdout
        self.tty = _is_tty(self.stream)
        self.refresh_s = 1.0 / refresh_hz
        self.plain_every_s = plain_every_s
        self.color = self.tty and not os.environ.get("NO_COLOR") if color is None else color
        self._width = width
        self._metrics: LiveMetrics | None = None
        self._link = session.link
        self._device: str | None = None
        self._battery: int | None = None
        self._contact = Contact.UNKNOWN
        self._paused = False
        self._frozen_s: float | None = None
        self._t_s = 0.0
        self._started = False
        self._ended = False
        self._drawn = False
        self._last_draw = 0.0
        self._next_plain_s = 0.0
        self._plain_link: LinkState | None = None
        self._task: asyncio.Task[None] | None = None
        self.draws = 0

    # -- state ----------------------------------------------------------------------------------
    def on_update(self, update: SessionUpdate) -> None:
        self._started = True
        self._t_s = update.t_s
        self._link = update.link
        if update.paused and not self._paused:
            self._frozen_s = update.t_s  # the bar and the clock hold still while paused
        elif not update.paused:
            self._frozen_s = None
        self._paused = update.paused
        if update.metrics is not None:
            self._metrics = update.metrics
        training = getattr(update, "training", None)
        if training is not None:
            self._training = training
        event = update.event
        if isinstance(event, DeviceStatus):
            if event.name:
                self._device = event.name
            if event.battery_pct is not None:
                self._battery = event.battery_pct
        elif isinstance(event, Beat) and event.contact is not Contact.UNKNOWN:
            self._contact = event.contact
        if self.tty:
            if self._task is None and not self._ended:
                # used as a plain sink (without ``async with``): start redrawing on the
                # session's loop, so the pacer bar moves between beats too
                with contextlib.suppress(RuntimeError):
                    self._task = asyncio.get_running_loop().create_task(self._redraw())
            # drawn from the beats as well: this keeps a fast replay's display moving
            if time.monotonic() - self._last_draw >= self.refresh_s:
                self.draw()
        elif update.t_s >= self._next_plain_s or update.link is not self._plain_link:
            self._plain_link = update.link
            self._next_plain_s = (
                math.floor(update.t_s / self.plain_every_s) + 1
            ) * self.plain_every_s
            self._write(format_plain(self.state()) + "\n")

    def state(self) -> DashboardState:
        """What the dashboard shows now."""
        t_s = self._t_s
        if self._frozen_s is not None and not self._ended:
            t_s = self._frozen_s
        elif self._started and not self._ended:
            now = self.session.now_s()
            if math.isfinite(now):
                t_s = max(t_s, now)
        # the pacer holds still through a pause on its own; the clock shows practice time
        pacer = self.session.pacer.state(t_s) if self._started else None
        elapsed_s = self.session.active_s(t_s)
        if self.session.duration_s is not None:
            elapsed_s = min(elapsed_s, self.session.duration_s)
        protocol = None
        natural = False
        if self.plan:
            from hrvcoach.assess import progress_at

            # the protocol runs on session time: a pause does not stop its steps
            protocol = progress_at(self.plan, t_s)
            step = protocol.step
            natural = step is not None and getattr(step, "pace_bpm", 0.0) is None
        return DashboardState(
            t_s=elapsed_s,
            duration_s=self.session.duration_s,
            pacer=pacer,
            paused=self._paused,
            metrics=self._metrics,
            link=self._link,
            device=self._device
            or getattr(getattr(self.session.source, "info", None), "device", None),
            battery_pct=self._battery,
            contact=self._contact,
            ended=self._ended,
            protocol=protocol,
            natural=natural,
            **self._training_state(),
        )

    def _training_state(self) -> dict[str, Any]:
        training = self._training
        tracked = training is not None or getattr(self.session, "training", None) is not None
        if not tracked:
            return {"calm": self.calm and not self._ended}
        level = getattr(training, "level", None) or getattr(
            getattr(self.session, "training", None), "level", None
        )
        swing = getattr(training, "swing_bpm", None)
        return {
            "zone": zone_word(getattr(training, "zone", None)),
            "level": int(level) if level is not None else 1,
            "swing_bpm": float(swing) if isinstance(swing, int | float) else None,
            "calm": self.calm and not self._ended,
        }

    # -- output ---------------------------------------------------------------------------------
    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (BrokenPipeError, ValueError):  # the reader went away: the session goes on
            self.tty = False
            self.plain_every_s = math.inf

    def width(self) -> int:
        if self._width is not None:
            return self._width
        return min(100, shutil.get_terminal_size((80, 24)).columns - 1)

    def draw(self) -> None:
        """Redraw the lines in place (terminal only)."""
        if not self.tty:
            return
        self._last_draw = time.monotonic()
        lines = format_dashboard(self.state(), width=self.width(), color=self.color)
        up = f"\x1b[{self.lines}F" if self._drawn else ""
        self._drawn = True
        self.draws += 1
        self._write(up + "".join(f"{CLEAR_LINE}{line}\n" for line in lines))

    async def _redraw(self) -> None:
        while True:
            self.draw()
            await asyncio.sleep(self.refresh_s)

    async def __aenter__(self) -> TerminalDashboard:
        if self.tty:
            self._write(HIDE_CURSOR)
            self._task = asyncio.create_task(self._redraw())
        # The live HRV engine loads neurokit2 (~2 s) at its first spectrum, on the session's
        # loop: the bar would stand still a few seconds in and the beats behind it arrive in a
        # burst. Loaded here, before the session opens its source and its clock starts.
        await asyncio.to_thread(_load_heavy_modules)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if exc and exc[0] is not None:
            self.abandon()  # the session failed: its error says why, not a "done" frame
        else:
            self.finish()

    def abandon(self) -> None:
        """Take the dashboard off the screen without a final frame (the session failed)."""
        if self._ended:
            return
        self._ended = True
        if self.tty:
            if self._drawn:
                self._write(f"\x1b[{self.lines}F" + f"{CLEAR_LINE}\n" * self.lines)
                self._write(f"\x1b[{self.lines}F")
            self._write(SHOW_CURSOR)

    def finish(self) -> None:
        """The final draw (or final plain line) once the session is over."""
        if self._ended:
            return
        if self._started:  # the clock stops where the session stopped (capped at its length)
            now = self.session.now_s()
            if math.isfinite(now) and self._frozen_s is None:
                self._t_s = max(self._t_s, now)
            duration_s = self.session.duration_s
            if duration_s is not None and self._frozen_s is None:
                # a source that ends within the session's slack of its length ran its length
                # (the session's own rule): the last beat comes a little before the end
                left_s = duration_s - self.session.active_s(self._t_s)
                if 0.0 < left_s <= getattr(self.session, "END_SLACK_S", 0.0):
                    self._t_s += left_s
        self._ended = True
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.tty:
            self.draw()
            self._write(SHOW_CURSOR)
        else:
            self._write(format_plain(self.state()) + "\n")
