"""The one place where asyncio (drivers, bleak, the session) meets Qt.

The session runs on its own thread with its own asyncio loop (:class:`SessionRunner`). Qt stays on
the main thread and only ever sees two things:

* :class:`UpdateInbox`, a session sink that stamps each :class:`SessionUpdate` with its arrival time
  and queues it; the window drains it once per frame. A replay at 100x or a burst of buffered beats
  never floods the Qt event queue, and nothing the session does (HRV windows, the ~2 s neurokit2
  import, a spectral refresh) can hold up a painted frame.
* :meth:`SessionRunner.call`, which hands a control (pause, pace change, stop) to the session's loop
  with ``call_soon_threadsafe``: widgets never touch the event loop or the session directly.

A worker thread was chosen over qasync because with qasync the session's HRV work would run on the
GUI thread between frames; on a two-core laptop a 5 ms spectral refresh then shows as a stutter in
the pacer. With a thread, the recording also goes on if the window stalls.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hrvcoach.session import Session, SessionResult, SessionUpdate

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A session update and the ``time.perf_counter()`` at which the session produced it."""

    update: SessionUpdate
    perf_s: float


class UpdateInbox:
    """A session sink that queues updates for the GUI thread (deque appends are thread-safe)."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._queue: deque[Arrival] = deque(maxlen=maxlen)

    def on_update(self, update: SessionUpdate) -> None:
        self._queue.append(Arrival(update, time.perf_counter()))

    def drain(self) -> list[Arrival]:
        """Everything that arrived since the last call, oldest first."""
        out: list[Arrival] = []
        queue = self._queue
        while queue:
            out.append(queue.popleft())
        return out


#: longest wait for the warm-up imports before the session starts anyway
READY_TIMEOUT_S = 20.0
#: modules the live pipeline imports on first use (neurokit2 takes ~2 s, on the session thread)
WARM_MODULES = ("scipy.signal", "neurokit2")


def warm_up(modules: tuple[str, ...] = WARM_MODULES) -> threading.Thread:
    """Import the pipeline's heavy modules on a background thread, now.

    The first spectral refresh of a session would otherwise import neurokit2 a few seconds in,
    while the person is already breathing with the pacer. Started when the window opens, the
    import overlaps the strap connecting (or the check-in), and the session thread later finds
    the modules loaded (or waits on Python's import lock for them, never importing twice).
    """

    def load() -> None:
        import importlib

        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the pipeline reports a missing module itself, when it needs it
                log.debug("warm-up import of %s failed", name, exc_info=True)

    thread = threading.Thread(target=load, name="hrvcoach-warm-up", daemon=True)
    thread.start()
    return thread


class SessionRunner:
    """Runs ``session.run()`` on a worker thread and carries controls to it.

    Args:
        session: The session to run; an :class:`UpdateInbox` is added to its sinks.
        summary: Called on the worker thread with the result when the session has ended (a
            whole-session analysis may take a second or two); its return value is kept in
            :attr:`summary`. A failure here is logged and leaves :attr:`summary` as ``None``.
        ready: A thread to wait for before the session starts (:func:`warm_up`): the session's
            clock starts when its source opens, and a heavy import in its first seconds would
            hold up every beat behind it (at 10x speed, past the end of a short session).
    """

    def __init__(
        self,
        session: Session,
        *,
        summary: Callable[[SessionResult], object] | None = None,
        ready: threading.Thread | None = None,
    ) -> None:
        self.session = session
        #: the day before Start, for a Today panel (set by the composition root)
        self.today: object | None = None
        #: one sentence on the latest resting check, for the Today panel too (or ``None``)
        self.latest_check: str | None = None
        #: ``(result, summary, stress_after) -> SessionOutcome`` for the end screen, or ``None``
        self.training_outcome: Callable[[SessionResult, object, int | None], object] | None = None
        self._ready = ready
        self.inbox = UpdateInbox()
        session.sinks.append(self.inbox)
        self._summary_fn = summary
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._early_calls: list[tuple[Callable[..., object], tuple[object, ...]]] = []
        self._lock = threading.Lock()
        self.result: SessionResult | None = None
        self.summary: object | None = None
        self.error: BaseException | None = None
        self.started_perf_s: float | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def running(self) -> bool:
        return self.started and not self._done.is_set()

    @property
    def done(self) -> bool:
        """True once the session has ended and the summary (if any) is ready."""
        return self._done.is_set()

    def start(self) -> None:
        """Start the session on its thread (once)."""
        if self._thread is not None:
            return
        self.started_perf_s = time.perf_counter()
        self._thread = threading.Thread(target=self._main, name="hrvcoach-session", daemon=True)
        self._thread.start()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the session (and its summary) is done; True if it is."""
        if self._thread is None:
            return True
        return self._done.wait(timeout_s)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            with self._lock:
                self._loop = loop
                early, self._early_calls = self._early_calls, []
            self._loop_ready.set()
            if self._ready is not None:
                self._ready.join(READY_TIMEOUT_S)
            for fn, args in early:
                loop.call_soon(fn, *args)
            self.result = loop.run_until_complete(self.session.run())
        except BaseException as err:  # reported to the caller on the GUI thread
            log.debug("session ended with an error", exc_info=True)
            self.error = err
        finally:
            with self._lock:
                self._loop = None
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
        if self.result is not None and self._summary_fn is not None:
            try:
                self.summary = self._summary_fn(self.result)
            except Exception:
                log.exception("the session summary failed; the recording is kept")
        self._done.set()

    # -- controls (GUI thread) ------------------------------------------------------------------
    def call(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` on the session's loop soon; before start, when it starts."""
        with self._lock:
            loop = self._loop
            if loop is None:
                if not self._done.is_set():
                    self._early_calls.append((fn, args))
                return
            try:
                loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:  # loop closed between our check and the call: session is over
                log.debug("control after the session ended ignored: %s", fn)

    def stop(self, reason: str = "stopped") -> None:
        self.call(self.session.stop, reason)

    def pause(self) -> None:
        self.call(self.session.pause)

    def resume(self) -> None:
        self.call(self.session.resume)

    def set_pattern(self, pattern: object) -> None:
        self.call(self.session.set_pattern, pattern)
