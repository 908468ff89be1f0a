"""Composition root of the practice window: the Qt application, check-ins, screenshot, the end.

Importing this module is cheap (no Qt); Qt and pyqtgraph load when :func:`run_practice_window` is
called. The caller owns the session's source, recording writer and history store; this module only
shows the session and hands back how it ended.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.errors import UsageError
from hrvcoach.gui.checkin import Checkin

if TYPE_CHECKING:
    from hrvcoach.assess import AssessmentStep
    from hrvcoach.session import Session, SessionResult

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 800)
#: longest wait, after the window closed, for the session thread to close its source
STOP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class WindowOutcome:
    """What the window hands back to the command that opened it.

    Attributes:
        result: How the session ended (``None`` if it never started or could not be stopped).
        checkin_before: The answer before the session (``None``: skipped or not asked).
        checkin_after: The answer after it.
        summary: Whatever the ``summary`` callable returned (``None`` without one or on failure).
    """

    result: SessionResult | None
    checkin_before: Checkin | None
    checkin_after: Checkin | None
    summary: object | None = None


def _check_screenshot_path(path: Path | None) -> None:
    if path is None:
        return
    if path.suffix.lower() != ".png":
        raise UsageError(f"--screenshot {path}: the file name must end in .png")
    if not path.parent.is_dir():
        raise UsageError(f"--screenshot {path}: folder {path.parent} does not exist")


def run_practice_window(
    session: Session,
    *,
    title: str,
    screenshot: Path | None = None,
    checkin: bool = False,
    autostart: bool | None = None,
    summary: Callable[[SessionResult], object] | None = None,
    close_when_done_s: float | None = None,
    sound: bool = False,
    size: tuple[int, int] = DEFAULT_SIZE,
    plan: Sequence[AssessmentStep] | None = None,
    today: object | None = None,
    latest_check: str | None = None,
    training_outcome: Callable[..., object] | None = None,
    calm: bool = False,
) -> WindowOutcome:
    """Show the practice window, run the session in it, and return when the window closes.

    Args:
        session: A session not yet run; it runs on a worker thread (see ``gui.bridge``).
        title: Window title, e.g. ``"Practice · Polar H10"``.
        screenshot: Save a PNG of the window here when the session ends.
        checkin: Ask the stress check-in before starting and after the end.
        autostart: Start at once, or wait for the Start button (or Space), so a person can
            settle and set the length first. ``None``: at once offscreen (tests,
            ``--screenshot`` without a desktop), otherwise wait for Start.
        summary: Called with the result on the session thread when it ends (e.g. a whole-session
            analysis); its value is shown in the window and returned.
        close_when_done_s: Close the window this long after the end (tests, ``--screenshot``).
        sound: Start with the sound cues on.
        size: Initial window size in pixels.
        plan: The steps of a resonance assessment: the window then guides through them (step,
            settle period, progress) and shows the result, an
            :class:`~hrvcoach.assess.AssessmentOutcome` returned by ``summary``, at the end.
        today: The day before Start (a :class:`hrvcoach.training.Today`: goal, streak, level,
            planned length), kept as ``runner.today`` for the window's Today panel.
        latest_check: One sentence on the latest resting check, for the Today panel too (kept
            as ``runner.latest_check``).
        training_outcome: Called with the result, the summary and the stress after (or
            ``None``) to judge the session (a :class:`hrvcoach.training.SessionOutcome`: zones,
            points, swing, wins); kept as ``runner.training_outcome`` for the end screen. When
            the check-in before Start is answered in the window, it is also given ``before=``
            that stress (so it must take that keyword).
        calm: Start in calm mode (only the pacer and the zone colour until the end screen).

    Returns:
        The session result and the check-in answers.

    Raises:
        UsageError: ``screenshot`` cannot be written.
        Exception: Whatever the session itself raised (a device that cannot be opened ...), after
            the window has shown it and closed.
    """
    screenshot = Path(screenshot) if screenshot is not None else None
    _check_screenshot_path(screenshot)

    from PySide6.QtCore import QEvent, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from hrvcoach.gui.audio import CuePlayer
    from hrvcoach.gui.bridge import SessionRunner, warm_up
    from hrvcoach.gui.checkin import ask_checkin
    from hrvcoach.gui.screen import fit_to_screen
    from hrvcoach.gui.window import PracticeWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "hrvcoach"])
    assert isinstance(app, QApplication)
    app.setApplicationName("hrvcoach")

    runner = SessionRunner(session, summary=summary, ready=warm_up())
    runner.today = today
    runner.latest_check = latest_check
    runner.training_outcome = training_outcome
    audio = CuePlayer(enabled=sound, beep=QApplication.beep)
    from hrvcoach.breathing.view import LiveSignals

    # ECG and chest motion as pictures: computed on the session thread, drawn by the window
    signals = LiveSignals(session.pacer)
    session.sample_listeners.append(signals.add)
    window = PracticeWindow(
        runner, title=title, audio=audio, autostart=False, plan=plan, signals=signals, calm=calm
    )
    fit_to_screen(window, size)  # a 1366x768 laptop keeps the control bar, Stop included
    answers: dict[str, Checkin | None] = {"before": None, "after": None}
    shot_saved = False
    loop = QEventLoop()

    def save_screenshot() -> None:
        nonlocal shot_saved
        if screenshot is None or shot_saved:
            return
        shot_saved = True
        # labels changed at the end lay themselves out on the next pass of the event loop;
        # do that pass now so the picture shows them whole
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if window.grab().save(str(screenshot)):
            log.info("screenshot saved to %s", screenshot)
        else:
            log.error("could not save the screenshot to %s", screenshot)

    def ended() -> None:
        save_screenshot()
        if checkin and runner.error is None:
            answers["after"] = ask_checkin("after", window)
            after = answers["after"]
            # the end screen tells its wins again with the stress after (before -> after)
            window.show_stress_after(after.stress if after is not None else None)
        if close_when_done_s is not None:
            QTimer.singleShot(int(close_when_done_s * 1000), window.close)

    def closed() -> None:
        save_screenshot()
        loop.quit()

    window.session_ended.connect(ended)
    window.closed.connect(closed)

    previous_sigint = None
    if threading.current_thread() is threading.main_thread():
        # Qt's loop runs in C++; the frame timer lets Python run this handler within a frame.
        previous_sigint = signal.signal(signal.SIGINT, lambda *_: runner.stop("interrupted"))
    try:
        window.show()
        if checkin:
            answers["before"] = ask_checkin("before", window)
            before = answers["before"]
            if training_outcome is not None and before is not None and before.stress is not None:
                # the end screen's "stress before -> after" needs the answer given here
                runner.training_outcome = functools.partial(training_outcome, before=before.stress)
        if autostart is None:
            from hrvcoach import display as _display

            autostart = _display.offscreen()
        if autostart:
            window.start_session()
        loop.exec()
    finally:
        if previous_sigint is not None:
            signal.signal(signal.SIGINT, previous_sigint)
        if runner.running:
            runner.stop("stopped")
        if not runner.wait(STOP_TIMEOUT_S):
            log.error("the session did not stop within %.0f s", STOP_TIMEOUT_S)
        audio.close()
        window.deleteLater()
    if runner.error is not None:
        raise runner.error
    return WindowOutcome(
        result=runner.result,
        checkin_before=answers["before"],
        checkin_after=answers["after"],
        summary=runner.summary,
    )
