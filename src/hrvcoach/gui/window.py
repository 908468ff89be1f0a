"""The practice window: pacer, the heart's response, a few large numbers and the session controls.

The window only displays. Beats and metrics arrive from the session thread through
:class:`~hrvcoach.gui.bridge.UpdateInbox`; one frame timer drains it, asks the pacer (a pure
function of session time) where the breath is, and hands plain values to dumb views. Controls go
back to the session through :class:`~hrvcoach.gui.bridge.SessionRunner`, never directly.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from hrvcoach.beats import LinkState
from hrvcoach.gui import theme
from hrvcoach.gui.controls import ControlBar
from hrvcoach.gui.formatting import clock_words, fmt_clock
from hrvcoach.gui.frame_stats import FrameStats
from hrvcoach.gui.guide import GuidePanel, ResultPage, guide_view, natural_at, result_view
from hrvcoach.gui.keys import WindowKeys
from hrvcoach.gui.link_status import StatusHeader, link_view
from hrvcoach.gui.pacer_widget import PacerView, view_of
from hrvcoach.gui.plot import PLOT_EVERY_S, TRACE_WINDOW_S, ResponsePlot
from hrvcoach.gui.practice_page import PracticePage, show_only
from hrvcoach.gui.received import Received
from hrvcoach.gui.replay import ReplayBar
from hrvcoach.gui.signals_panel import SignalsPanel
from hrvcoach.gui.summary import SummaryPage
from hrvcoach.gui.training_display import TrainingDisplay, judge
from hrvcoach.gui.training_view import today_view, wins_view
from hrvcoach.gui.zones import ZoneStrip
from hrvcoach.pacer import BreathPattern

if TYPE_CHECKING:
    from hrvcoach.assess import AssessmentStep
    from hrvcoach.breathing.view import LiveSignals
    from hrvcoach.gui.audio import CuePlayer
    from hrvcoach.gui.bridge import Arrival, SessionRunner
    from hrvcoach.session import SessionResult

__all__ = ["FRAME_MS", "FrameStats", "PracticeWindow", "fmt_clock", "link_view"]

log = logging.getLogger(__name__)

#: pacer frame timer (50 Hz): at 1280x800 the circle's edge moves at most ~35 px/s, so under a
#: pixel a frame; 60 Hz would cost a fifth more CPU for no visible gain
FRAME_MS = 20


class PracticeWindow(QWidget):
    """The live practice window.

    Args:
        runner: Runs the session on its thread and carries controls to it.
        title: Shown in the title bar and above the pacer.
        audio: Sound cues (or ``None`` for no sound control at all).
        autostart: Start the session as soon as the window is shown.
        plan: The steps of a resonance assessment: a guide above the pacer announces each step
            and its settle period and shows progress; at the end the result page shows the
            :class:`~hrvcoach.assess.AssessmentOutcome` the runner's summary returned.
        signals: The session's ECG and chest motion as pictures (a session sample listener):
            the measured breath against the pacer, and an ECG strip on request.
        calm: Start in calm mode: only the pacer and the zone colour; the numbers wait for the
            end screen (a toggle in the control bar, or the C key).

    The training side comes through the runner when the composition root sets it: the day
    (``runner.today``) for the Today panel before Start, each update's training snapshot for the
    zone, level and swing, and ``runner.training_outcome`` for the wins at the end.

    Signals:
        session_ended: Emitted once on the GUI thread when the session (and its summary) is done.
        closed: Emitted when the window closes (the session has been asked to stop).
    """

    session_ended = Signal()
    closed = Signal()

    def __init__(
        self,
        runner: SessionRunner,
        *,
        title: str,
        audio: CuePlayer | None = None,
        autostart: bool = True,
        plan: Sequence[AssessmentStep] | None = None,
        signals: LiveSignals | None = None,
        calm: bool = False,
    ) -> None:
        super().__init__()
        self._signals = signals
        self.plan = tuple(plan) if plan else ()
        self.runner = runner
        self.session = runner.session
        self.audio = audio
        self.autostart = autostart
        self.setWindowTitle(f"hrvcoach · {title}")
        self.setStyleSheet(theme.STYLE_SHEET)
        self.stats = FrameStats()
        self.ended = False
        self.result: SessionResult | None = None
        self.calm = calm
        #: the session judged against the history (a ``SessionOutcome``), once it has ended
        self.outcome: object | None = None
        self._tracked = getattr(self.session, "training", None) is not None and not self.plan

        # what has been received (views get plain values from it)
        self.received = Received(self.session.link, keep_s=TRACE_WINDOW_S + 5.0)
        self._awaiting_paint: list[float] = []
        self._paused = False  #: the session's state, read each frame
        #: session time at which the view froze for a pause: the circle and the clock hold still
        self._frozen_s: float | None = None
        self._pause_wanted = False  #: what the last click asked for (the session follows soon)
        self._last_stage: str | None = None
        self._last_plot_perf = 0.0
        self._shown_pattern: BreathPattern | None = None
        self._last_clock_text: tuple[str, str] = ("", "")
        self._scheduled = False
        self._frame_t0: float | None = None
        self.view_errors = 0  #: frames that failed to draw (logged once)
        self._frame_end = 0.0

        self._build(title)
        # eyes closed or half closed: Space pauses and resumes without finding the button
        self._space = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        self._space.activated.connect(self._space_pressed)
        self._calm_key = QShortcut(QKeySequence(Qt.Key.Key_C), self)
        self._calm_key.activated.connect(self.calm_check.toggle)
        self._keys = WindowKeys(self, Qt.Key.Key_Space, self._space_pressed)  # whatever has focus
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._frame)
        self._timer.start(FRAME_MS)

    # -- layout ---------------------------------------------------------------------------------
    def _build(self, title: str) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(18, 12, 18, 12)
        root.setSpacing(10)

        self.header = StatusHeader(title)
        self.title_label, self.link_dot = self.header.title_label, self.header.link_dot
        self.link_label = self.header.link_label
        self.replay_bar = ReplayBar.for_source(self.session.source)  # how far a replay has got
        if self.replay_bar is not None:
            row = self.header.layout()
            assert isinstance(row, QHBoxLayout)
            row.insertWidget(row.indexOf(self.link_dot), self.replay_bar)
        root.addWidget(self.header)

        self.guide: GuidePanel | None = None
        if self.plan:
            self.guide = GuidePanel()
            root.addWidget(self.guide)

        self.stack = QStackedWidget()
        root.addWidget(self.stack, 5)

        # practice page: pacer left; the Today panel before Start, then the numbers, right
        day = getattr(self.runner, "today", None)
        practice = self.practice_page = PracticePage(
            training=self._tracked,
            today=(
                today_view(day, latest_check=getattr(self.runner, "latest_check", None))
                if day is not None and not self.plan
                else None
            ),
        )
        self.pacer = practice.pacer
        self.pacer.on_painted = self._pacer_painted
        self.today_panel = practice.today_panel
        self.numbers = practice.numbers
        # the tiles by name, for the frame and the tests
        n = self.numbers
        self.hr_tile, self.rmssd_tile, self.swing_tile = n.hr_tile, n.rmssd_tile, n.swing_tile
        self.coh_tile, self.sparkline, self.time_tile = n.coh_tile, n.sparkline, n.time_tile
        self.stack.addWidget(practice)

        # summary page, shown when the session ends
        self.summary_page = SummaryPage()
        self.summary_title = self.summary_page.title
        self.summary_sub = self.summary_page.sub
        self.summary_tiles = self.summary_page.tiles
        self.stack.addWidget(self.summary_page)
        self.result_page = ResultPage()
        self.stack.addWidget(self.result_page)
        show_only(self.stack, practice)
        self.zone_strip = ZoneStrip()
        self.zone_strip.setVisible(self._tracked)
        root.addWidget(self.zone_strip)
        self.training = TrainingDisplay(self.numbers, self.pacer, self.zone_strip, self.header)
        if practice.today_panel is not None and self._tracked:
            self.header.show_level(getattr(day, "level", None))

        # the heart's response against the breathing curve
        self.response = ResponsePlot(self._painted)
        r = self.response
        self.plot, self.grid, self.legend, self.hr_curve = r.plot, r.grid, r.legend, r.hr_curve
        self.breath_curve, self.breath_ahead = r.breath_curve, r.breath_ahead
        root.addWidget(self.legend)
        root.addWidget(self.plot, 4)
        self.signals_panel = SignalsPanel()  # hidden until a strap or the simulator streams
        root.addWidget(self.signals_panel)

        pattern = self.session.pacer.pattern_at(0.0)
        self.controls = ControlBar(
            pattern,
            self.session.duration_s,
            planned=bool(self.plan),
            sound=None if self.audio is None else self.audio.enabled,
            calm=self.calm,
        )
        c = self.controls
        self.start_button, self.pause_button = c.start_button, c.pause_button
        self.stop_button = c.stop_button
        self.pace_spin, self.ratio_box, self.pace_stepper = c.pace_spin, c.ratio_box, c.pace_stepper
        self.length_spin, self.length_stepper = c.length_spin, c.length_stepper
        self.sound_check, self.message = c.sound_check, c.message
        self.calm_check = c.calm_check
        self.calm_check.setVisible(not self.plan)  # an assessment guides with its words
        self.calm_check.toggled.connect(self.set_calm)
        self.start_button.clicked.connect(self.start_session)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.stop_button.clicked.connect(self._stop_clicked)
        self.pace_spin.valueChanged.connect(self._pattern_edited)
        self.ratio_box.activated.connect(self._pattern_edited)
        for control in (self.pace_stepper, self.ratio_box) if not self.session.pacer_shown else ():
            control.setToolTip("this recording has no breathing guide (--pace draws one)")
        editor = self.ratio_box.lineEdit()
        assert editor is not None  # the box is editable
        editor.editingFinished.connect(self._pattern_edited)
        self.length_spin.valueChanged.connect(self._length_edited)
        self.sound_check.toggled.connect(self._sound_toggled)
        self._shown_pattern = pattern
        self._sync_buttons()
        root.addWidget(self.controls)
        self.set_calm(self.calm)

    def set_calm(self, on: bool) -> None:
        """Calm mode: the pacer and the zone colour only, until the end screen."""
        self.calm = on
        if self.calm_check.isChecked() != on:
            self.calm_check.setChecked(on)
        self.practice_page.set_calm(on)
        # at the end the wins or an assessment's result take the plot's room
        room_taken = self.ended and (self.outcome is not None or bool(self.plan))
        for widget in (self.legend, self.plot):
            widget.setVisible(not on and not room_taken)
        self.signals_panel.set_suppressed(on or room_taken)
        if on:  # the focus rests on the pacer, not on a number that would show selected
            self.pacer.setFocus()

    # -- scaling: numbers legible from a metre at any window size --------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        h = max(1, self.height())
        big = int(min(64, max(26, h * 0.052)))
        self.numbers.set_scale(big)
        self.summary_page.set_scale(int(big * 0.9))

    # -- controls -------------------------------------------------------------------------------
    def start_session(self) -> None:
        if self.runner.started:
            return
        self.runner.start()
        self.practice_page.set_started()
        self._sync_buttons()

    def _space_pressed(self) -> None:
        if self.runner.started:
            self._toggle_pause()
        else:
            self.start_session()

    def _toggle_pause(self) -> None:
        if not self.runner.running:
            return
        self._pause_wanted = not self._pause_wanted
        if self._pause_wanted:
            self.runner.pause()
        else:
            self.runner.resume()
        self._sync_buttons()

    def _stop_clicked(self) -> None:
        self.runner.stop("stopped")
        self.stop_button.setEnabled(False)
        self.message.setText("Stopping…")

    def _pattern_edited(self, *_: object) -> None:
        ratio = self.ratio_box.currentText().strip()
        try:
            pattern = BreathPattern.with_ratio(round(self.pace_spin.value(), 1), ratio)
        except ValueError as err:
            self.message.setText(str(err))
            self.message.setStyleSheet(f"color: {theme.BAD};")
            return
        self.message.setText("")
        self.message.setStyleSheet("")
        if pattern == self._shown_pattern:
            return
        self._shown_pattern = pattern
        self.runner.set_pattern(pattern)

    def _length_edited(self, minutes: float) -> None:
        # The session reads its duration when it starts; a change mid-session would only move
        # one of its two end checks, so the control is locked once the session runs.
        if not self.runner.started:
            duration_s = None if minutes <= 0 else minutes * 60.0
            self.session.duration_s = duration_s  # the session ends it; sources run until told

    def _sound_toggled(self, on: bool) -> None:
        if self.audio is not None:
            self.audio.enabled = on

    def _sync_buttons(self) -> None:
        self.controls.sync(
            started=self.runner.started,
            ended=self.ended,
            pause_wanted=self._pause_wanted,
            # a replay with no guide of its own has no pace to set, as a plan owns it
            scheduled=self._scheduled or not self.session.pacer_shown,
        )

    # -- the frame ------------------------------------------------------------------------------
    def _frame(self) -> None:
        t0 = time.perf_counter()
        if self._frame_t0 is not None:
            self.stats.frame_time_ms.append((self._frame_end - self._frame_t0) * 1000.0)  # type: ignore[union-attr]
        self._frame_t0 = t0
        self.stats.frames += 1
        self.stats.frame_perf_s.append(t0)  # type: ignore[union-attr]
        if self.autostart and not self.runner.started and self.isVisible():
            self.start_session()
        try:
            self._paused = self.session.paused  # a plain flag, set on the session's thread
            self._receive_all(self.runner.inbox.drain())
            now_s = self._now_s()
            if self._paused and self._frozen_s is None:
                self._frozen_s = now_s
            elif not self._paused:
                self._frozen_s = None
            self._show_pacer(now_s)
            self._show_clock(now_s)
            self.training.show(now_s, self.session.duration_s)
            self._follow_pattern(now_s)
            if self.guide is not None and not self.ended:
                # before the source is open, the introduction: no step has begun
                guide_t = now_s if self.received.heard else -1.0
                self.guide.show_guide(guide_view(self.plan, guide_t, paused=self._paused))
            if self.received.plot_dirty or t0 - self._last_plot_perf >= PLOT_EVERY_S:
                self._show_plot(now_s)
                self._last_plot_perf = t0
                if self._signals is not None:  # at the plot's pace, only when something new came
                    self.signals_panel.show_view(self._signals.latest)
            self._show_link(now_s)
        except Exception:
            # A view that fails must not stop the window from noticing the end (and closing):
            # the session and its recording run on their own thread regardless.
            self.view_errors += 1
            if self.view_errors == 1:
                log.exception("the window failed to draw a frame; the session goes on")
        if not self.ended and self.runner.done:
            self._session_done()
        self._frame_end = time.perf_counter()
        self.stats.frame_work_ms.append((self._frame_end - t0) * 1000.0)  # type: ignore[union-attr]

    def _now_s(self) -> float:
        if self.result is not None:
            return self.result.t_s
        if not self.runner.started:
            return 0.0
        now = self.session.now_s()
        return now if math.isfinite(now) else 0.0

    def _receive_all(self, arrivals: list[Arrival]) -> None:
        """Take in what arrived since the last frame; the numbers show only the latest values."""
        for arrival in arrivals:
            self.training.take(getattr(arrival.update, "training", None))
        latest = self.received.take_all(arrivals)
        if latest is not None:
            self.numbers.show_metrics(latest, self.received.coh_t, self.received.coh_v)

    def _show_pacer(self, now_s: float) -> None:
        if self.ended:
            self.pacer.show_state(PacerView(0.0, "Done", None, active=False))
            return
        if not self.runner.started or not self.received.heard:
            # before the source is open the session clock has not started: no breath to follow
            state = self.session.pacer.state(0.0)
            cue = "Connecting…" if self.runner.started else "Ready"
            self.pacer.show_state(PacerView(state.volume, cue, None, active=False))
            return
        if not self.session.pacer_shown:  # no guide was breathed to: none is drawn
            self.pacer.show_state(PacerView(0.5, self.session.pacer_note or "", None, active=False))
            return
        if self._frozen_s is not None:
            # paused: the circle holds where the breath was, it does not breathe on dimmed
            state = self.session.pacer.state(self._frozen_s)
            self.pacer.show_state(view_of(state, paused=True))
            return
        if self.plan and natural_at(self.plan, now_s):
            # a phase breathed at one's own rate: a moving circle would pull the breath onto it
            self.pacer.show_state(PacerView(0.5, "Breathe freely", None, active=False))
            return
        state = self.session.pacer.state(now_s)
        self.pacer.show_state(view_of(state))
        if state.stage != self._last_stage:
            if self._last_stage is not None and self.audio is not None and not self._paused:
                self.audio.cue(state.stage)
            self._last_stage = state.stage

    def _show_clock(self, now_s: float) -> None:
        if self.replay_bar is not None:
            self.replay_bar.show_time(now_s)
        duration = self.session.duration_s
        frozen = self._frozen_s is not None
        # practice time: the session's clock less its pauses (it holds still while paused)
        elapsed_s = self.session.active_s(self._frozen_s if self._frozen_s is not None else now_s)
        text, detail = clock_words(elapsed_s, duration, paused=frozen)
        if (text, detail) != self._last_clock_text:
            self._last_clock_text = (text, detail)
            self.numbers.show_clock(text, detail)

    def _follow_pattern(self, now_s: float) -> None:
        """Show the pattern the pacer is on (a schedule may change it) unless it is being edited."""
        # A plan with segments still ahead (an assessment's steps) owns the pace: a change by hand
        # would land after its last step, so the pace controls are locked while it runs.
        scheduled = self.session.pacer.segments()[-1][0] > now_s
        if scheduled != self._scheduled:
            self._scheduled = scheduled
            self.controls.set_scheduled(scheduled, ended=self.ended)
        pattern = self.session.pacer.pattern_at(now_s)
        if pattern != self._shown_pattern and self.controls.show_pattern(pattern):
            self._shown_pattern = pattern

    def _show_plot(self, now_s: float) -> None:
        self.received.plot_dirty = False
        self.response.show(
            now_s,
            self.received.beat_t,
            self.received.beat_hr,
            self.session.pacer if self.session.pacer_shown else None,
            started=self.runner.started,
            ahead=self.runner.started and not self.ended and self._frozen_s is None,
        )
        if self.received.beat_perf:
            # measured when the plot has painted them (see _painted), not when handed over
            self._awaiting_paint.extend(self.received.beat_perf)
            self.received.beat_perf.clear()

    def _pacer_painted(self, perf_s: float) -> None:
        self._frame_end = max(self._frame_end, perf_s)
        if self.stats.first_paint_perf_s is None:
            self.stats.first_paint_perf_s = perf_s

    def _painted(self, perf_s: float) -> None:
        self._frame_end = max(self._frame_end, perf_s)
        if self.stats.first_paint_perf_s is None:
            self.stats.first_paint_perf_s = perf_s
        if self._awaiting_paint:
            for arrived in self._awaiting_paint:
                self.stats.beat_to_screen_ms.append((perf_s - arrived) * 1000.0)  # type: ignore[union-attr]
            self._awaiting_paint.clear()

    def _show_link(self, now_s: float) -> None:
        device = self.received.device
        info = getattr(self.session.source, "info", None)
        simulated = bool(getattr(info, "simulated", False))
        if device is None and info is not None:
            device = getattr(info, "device", None)
        since = (
            None
            if self.received.last_beat_t is None
            else max(0.0, now_s - self.received.last_beat_t)
        )
        failed = self.ended and self.runner.error is not None
        view = link_view(
            LinkState.DISCONNECTED if failed else self.received.link,
            device=device,
            contact=self.received.contact,
            battery_pct=self.received.battery_pct,
            artifacts=None if self.received.metrics is None else self.received.metrics.artifacts,
            simulated=simulated,
            seconds_since_beat=None if self.ended else since,
            ended=self.ended and not failed,
        )
        self.header.show_link(view)

    # -- the end --------------------------------------------------------------------------------
    def _session_done(self) -> None:
        self.ended = True
        self.result = self.runner.result
        try:
            self._receive_all(self.runner.inbox.drain())
            if self.runner.error is not None:
                error = self.runner.error
                self.summary_page.show_error(str(error) or type(error).__name__)
                show_only(self.stack, self.summary_page)
            elif self.plan:
                self._show_assessment_result()
            else:
                self._show_summary()
                self._show_wins(None)
                show_only(self.stack, self.summary_page)
            full = self.result is not None and self.result.ended_by == "duration"
            self.training.end(self._now_s(), self.session.duration_s, full=full)
            self.practice_page.set_calm(False)
            self._show_plot(self._now_s())
            self._show_link(self._now_s())
            self._sync_buttons()
            self.message.setText("")
        except Exception:
            self.view_errors += 1
            log.exception("the window failed to show the end of the session")
        finally:
            self.session_ended.emit()  # whoever waits for the end (close, check-in) must hear it

    def _show_wins(self, stress_after: int | None) -> None:
        """Judge the session (if the composition root can) and show its wins on the end page."""
        fn = getattr(self.runner, "training_outcome", None)
        outcome = judge(fn, self.result, self.runner.summary, stress_after)
        if outcome is not None:
            self.outcome = outcome
            self.summary_page.show_wins(wins_view(outcome))
            self.set_calm(self.calm)  # the trace gives the wins its room (the zone strip stays)

    def show_stress_after(self, stress: int | None) -> None:
        """The stress after the session, from the check-in: the wins are told again with it."""
        if self.ended and self.runner.error is None and not self.plan and stress is not None:
            self._show_wins(stress)

    def _show_assessment_result(self) -> None:
        from hrvcoach.assess import AssessmentOutcome

        outcome = self.runner.summary
        if not isinstance(outcome, AssessmentOutcome):  # the scoring failed: it was logged
            outcome = AssessmentOutcome(
                None, problem="The steps could not be scored (see the log)."
            )
        self.result_page.show_result(result_view(outcome))
        # the result needs the room: the guide has said all it can, and the trace is history now
        for widget in (self.guide, self.legend, self.plot):
            if widget is not None:
                widget.setVisible(False)
        show_only(self.stack, self.result_page)

    def _show_summary(self) -> None:
        result = self.result
        dur = self.session.active_s(result.t_s) if result is not None else None
        if result is not None and result.ended_by == "duration" and self.session.duration_s:
            dur = self.session.duration_s  # it ran its set length; the last beat came a bit before
        kind = getattr(getattr(self.session.source, "info", None), "kind", None)
        self.summary_page.show_session(
            result,
            self.runner.summary,
            duration_s=dur,
            source_kind=kind,
            coh_t=self.received.coh_t,
            coh_v=self.received.coh_v,
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing the window ends the session cleanly: the recording is closed by its owner.
        if self.runner.running:
            self.runner.stop("stopped")
        self._timer.stop()
        super().closeEvent(event)
        self.closed.emit()
