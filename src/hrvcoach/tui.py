"""A terminal dashboard for sessions without a display: a few lines redrawn in place.

On a terminal, :class:`TerminalDashboard` redraws three lines about eight times a second: a bar
that fills on the in-breath and empties on the out-breath with the cue and seconds left, the
numbers (HR, RMSSD, coherence; when the session tracks training, the swing of the last breath
and the coherence zone as a word in its colour, with the level), and the clock with the state of
the link. In calm mode the numbers line keeps only the zone and the level. A resonance assessment
adds a fourth line: the step, its rate, whether it is still settling, and the time left in it.
When the output is a file or a pipe, it writes one plain line every few seconds of session time
instead (and one when the link changes), so a log stays readable.

The formatting is pure and lives in :mod:`hrvcoach.tui_lines` (:func:`format_dashboard`,
:func:`format_plain`, :func:`format_step`, each of a :class:`DashboardState`); the class here
only gathers state from session updates and writes.
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
from typing import TYPE_CHECKING, Any, TextIO

from hrvcoach.beats import Beat, Contact, DeviceStatus, LinkState
from hrvcoach.tui_lines import (
    CLEAR_LINE,
    HIDE_CURSOR,
    SHOW_CURSOR,
    DashboardState,
    format_dashboard,
    format_plain,
    zone_word,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hrvcoach.assess import AssessmentStep
    from hrvcoach.breathing.live import BreathingMonitor
    from hrvcoach.live import LiveMetrics
    from hrvcoach.session import Session, SessionUpdate

log = logging.getLogger(__name__)

#: seconds of session time between two readings of the measured breath
BREATH_EVERY_S = 1.0


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
        breathing: BreathingMonitor | None = None,
    ) -> None:
        self.session = session
        self.calm = calm
        self.breathing = breathing
        self._breath: tuple[float | None, float | None] = (None, None)
        self._breath_at = -math.inf
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
            **self._breath_state(),
        )

    def _breath_state(self) -> dict[str, Any]:
        """The measured breath, worked out at most once a second of session time (the follow
        score looks back 30 s: a redraw eight times a second need not recompute it)."""
        monitor = self.breathing
        if monitor is None or not monitor.active:
            return {}
        if abs(self._t_s - self._breath_at) >= BREATH_EVERY_S:
            self._breath_at = self._t_s
            self._breath = (monitor.tracker.rate_bpm(), monitor.follow_now())
        rate, follow = self._breath
        return {"breath_bpm": rate, "follow_pct": follow}

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
