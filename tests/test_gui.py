"""The practice window, offscreen: real sessions (simulator, replayed recordings) through the real
pipeline on the session thread, controls that reach the session, and screenshots to look at."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import threading
import wave
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from hrvcoach.beats import (
    Beat,
    BeatFlag,
    Contact,
    DeviceStatus,
    Event,
    Gap,
    LinkState,
    Mark,
    SourceInfo,
)
from hrvcoach.drivers.simulated import SimParams, SimulatedSource, simulate
from hrvcoach.errors import DeviceError, UsageError
from hrvcoach.gui import theme
from hrvcoach.gui.app import WindowOutcome, run_practice_window
from hrvcoach.gui.audio import CuePlayer, write_tone
from hrvcoach.gui.bridge import SessionRunner
from hrvcoach.gui.checkin import Checkin, build_checkin_dialog
from hrvcoach.gui.guide import result_view
from hrvcoach.gui.pacer_widget import view_of
from hrvcoach.gui.window import PracticeWindow, fmt_clock, link_view
from hrvcoach.live import LiveHrv
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session, SessionResult
from hrvcoach.timing import Playback


# -- a source whose clock the test moves -----------------------------------------------------------
class ManualSource:
    """A beat source on a clock the test sets: it yields queued events once their time is due.

    Only for steering the window to exact moments; real sessions in these tests use the simulator
    and the replay driver.
    """

    def __init__(self, events: list[Event] = (), *, device: str = "test strap") -> None:  # type: ignore[assignment]
        self.info = SourceInfo(kind="ble", device=device)
        self.clock_s = 0.0
        self._queue: deque[Event] = deque(events)
        self._stopped = threading.Event()

    def push(self, *events: Event) -> None:
        self._queue.extend(events)

    async def __aenter__(self) -> ManualSource:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        while not self._stopped.is_set():
            if self._queue and self._queue[0].t_s <= self.clock_s:
                yield self._queue.popleft()
            else:
                await asyncio.sleep(0.002)

    def now_s(self) -> float:
        return self.clock_s

    def stop(self) -> None:
        self._stopped.set()


SIZES = [(1280, 800), (900, 600)]


@pytest.fixture
def make_window(qtbot) -> Iterator[Callable[..., PracticeWindow]]:
    made: list[PracticeWindow] = []

    def make(
        session: Session,
        *,
        size: tuple[int, int] = (1280, 800),
        summary: Callable[[SessionResult], object] | None = None,
        audio: CuePlayer | None = None,
        autostart: bool = True,
    ) -> PracticeWindow:
        runner = SessionRunner(session, summary=summary)
        window = PracticeWindow(runner, title="Practice · test", audio=audio, autostart=autostart)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        made.append(window)
        return window

    def adopt(window: PracticeWindow, size: tuple[int, int] = (1280, 800)) -> PracticeWindow:
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        made.append(window)
        return window

    make.adopt = adopt  # type: ignore[attr-defined]
    yield make
    for window in made:
        window.runner.stop()
        assert window.runner.wait(20.0), "the session thread did not end"


def sim_session(duration_s: float, *, fast: bool = True, speed: float = 1.0, **kw) -> Session:
    pacer = Pacer(BreathPattern(6.0))
    playback = Playback(fast=True) if fast else Playback(speed=speed)
    source = SimulatedSource(SimParams(seed=3), pacer=pacer, playback=playback)
    return Session(
        source, pacer=pacer, live=LiveHrv(), duration_s=duration_s, keep_events=True, **kw
    )


def manual_session(source: ManualSource, **kw) -> Session:
    live = LiveHrv(artifacts="none")
    return Session(source, pacer=Pacer(BreathPattern(6.0)), live=live, keep_events=True, **kw)


def wait_frames(qtbot, window: PracticeWindow, n: int = 3) -> None:
    start = window.stats.frames
    qtbot.waitUntil(lambda: window.stats.frames >= start + n, timeout=5000)


def png_size(path: Path) -> tuple[int, int]:
    img = QImage(str(path))
    assert not img.isNull(), f"{path} is not a readable image"
    return img.width(), img.height()


# -- pure parts ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("t_s", "volume", "cue", "left"),
    [
        (0.0, 0.0, "Breathe in", 4),  # 6/min 4:6: a 10 s breath, 4 s in then 6 s out
        (2.0, 0.5, "Breathe in", 2),
        (3.5, 0.5 - 0.5 * math.cos(math.pi * 3.5 / 4), "Breathe in", 1),
        (4.0, 1.0, "Breathe out", 6),
        (7.0, 0.5, "Breathe out", 3),
        (19.0, 0.5 + 0.5 * math.cos(math.pi * 5 / 6), "Breathe out", 1),
    ],
)
def test_pacer_view_follows_the_pacer_formula(t_s, volume, cue, left) -> None:
    view = view_of(Pacer(BreathPattern(6.0, inhale=4, exhale=6)).state(t_s))
    assert view.volume == pytest.approx(volume, abs=1e-9)
    assert view.cue == cue
    assert view.seconds_left == left


def test_pacer_view_shows_holds_and_pause() -> None:
    pacer = Pacer(BreathPattern(5.0, inhale=4, hold_in=2, exhale=4, hold_out=2))  # 12 s breath
    assert view_of(pacer.state(5.0)).cue == "Hold"
    assert view_of(pacer.state(5.0)).volume == 1.0
    assert view_of(pacer.state(11.0)).volume == 0.0
    paused = view_of(pacer.state(1.0), paused=True)
    assert (paused.cue, paused.seconds_left, paused.active) == ("Paused", None, False)


def test_link_view_words_and_colours() -> None:
    ok = link_view(
        LinkState.CONNECTED,
        device="Polar H10",
        contact=Contact.DETECTED,
        battery_pct=80,
        artifacts=2,
        simulated=False,
        seconds_since_beat=1.0,
    )
    assert ok.text == (
        "Connected  ·  Polar H10  ·  contact good  ·  2 beats corrected live  ·  battery 80%"
    )
    assert ok.color == theme.GOOD
    loose = link_view(
        LinkState.CONNECTED,
        device=None,
        contact=Contact.NOT_DETECTED,
        battery_pct=None,
        artifacts=None,
        simulated=False,
        seconds_since_beat=6.0,
    )
    assert "no skin contact" in loose.text
    assert "no beat for 6 s" in loose.text
    assert loose.color == theme.WARN
    again = link_view(
        LinkState.RECONNECTING,
        device="H10",
        contact=Contact.UNKNOWN,
        battery_pct=None,
        artifacts=0,
        simulated=False,
        seconds_since_beat=None,
    )
    assert again.text.startswith("Reconnecting")
    assert again.color == theme.WARN
    assert again.text.endswith("no beats corrected live")


def test_link_view_says_the_session_has_ended_instead_of_connected() -> None:
    over = link_view(
        LinkState.CONNECTED,
        device="simulator",
        contact=Contact.NOT_DETECTED,
        battery_pct=80,
        artifacts=89,
        simulated=True,
        seconds_since_beat=9.0,
        ended=True,
    )
    # the live state of the link, contact and battery meant something while the session ran
    assert over.text == "Session ended  ·  simulator  ·  89 beats corrected live"
    assert over.color == theme.MUTED


def test_clock_format() -> None:
    assert [fmt_clock(x) for x in (0, 59.9, 61, 600, 3725)] == [
        "0:00",
        "0:59",
        "1:01",
        "10:00",
        "1:02:05",
    ]
    assert fmt_clock(None) == fmt_clock(math.inf) == "–"
    assert (fmt_clock(599.6), fmt_clock(599.6, nearest=True)) == ("9:59", "10:00")


# -- the window with real sessions -----------------------------------------------------------------
def test_simulated_session_runs_to_the_end_summary(qtbot, make_window, artifacts_dir) -> None:
    seen: list[SessionResult] = []

    def summary(result: SessionResult) -> dict[str, object]:
        seen.append(result)
        return {
            "mean_hr_bpm": 61.5,
            "rmssd_ms": 48.2,
            "sdnn_ms": 55.0,
            "coherence": 3.4,
            "lf_peak_hz": 0.092,
            "beats": result.beats,
            "artifacts_corrected": 3,
        }

    window = make_window(sim_session(240.0), summary=summary)
    with qtbot.waitSignal(window.session_ended, timeout=30000):
        pass
    result = window.result
    assert result is not None
    assert result.ended_by in ("duration", "source-ended")
    assert seen == [result]
    assert window.stack.currentWidget() is window.summary_page
    tiles = window.summary_tiles
    assert tiles["mean_hr_bpm"].value.text() == "62"  # the whole-session summary wins over live
    assert tiles["coherence"].value.text() == "3.4"
    assert tiles["resonance"].value.text() == "5.5"  # 0.092 Hz is 5.5 breaths a minute
    assert tiles["beats"].value.text() == str(result.beats)
    # the summary's count is the whole-session analysis's, the header's the live pipeline's:
    # each says which it is, so two different numbers do not look like a mistake
    assert tiles["beats"].detail.text() == "3 corrected in the whole-session analysis"
    assert window.link_label.text().startswith("Session ended  ·  simulator")
    assert "corrected live" in window.link_label.text()
    assert "Connected" not in window.link_label.text()
    expected = "4:00" if result.ended_by == "duration" else fmt_clock(result.t_s, nearest=True)
    assert window.summary_title.text() == f"Session complete  ·  {expected}"
    assert not window.pause_button.isEnabled()
    assert not window.stop_button.isEnabled()
    # the live numbers came from the pipeline's LiveMetrics, not from the window
    final = result.final_metrics
    assert window.hr_tile.value.text() == f"{final.shown_hr_bpm:.0f}"
    assert window.rmssd_tile.value.text() == f"{final.rmssd_ms:.0f}"
    assert len(window.received.coh_v) >= 20  # one sparkline point per spectral refresh (every 5 s)
    wait_frames(qtbot, window)
    assert window.grab().save(str(artifacts_dir / "gui_summary_1280x800.png"))


def test_live_summary_without_an_analysis_uses_the_final_metrics(qtbot, make_window) -> None:
    window = make_window(sim_session(90.0))
    with qtbot.waitSignal(window.session_ended, timeout=30000):
        pass
    final = window.result.final_metrics
    assert window.summary_tiles["rmssd_ms"].value.text() == f"{final.rmssd_ms:.0f}"
    assert "last minute" in window.summary_sub.text()
    detail = window.summary_tiles["beats"].detail.text()
    assert detail == f"{final.artifacts} corrected live"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_window_mid_session_screenshot(qtbot, make_window, artifacts_dir, size) -> None:
    pacer = Pacer(BreathPattern(6.0))
    beats = simulate(SimParams(seed=1), pacer=pacer, duration_s=130.0)
    source = ManualSource(
        [DeviceStatus(0.0, LinkState.CONNECTED, name="Polar H10 1A2B3C4D", battery_pct=90), *beats]
    )
    session = Session(source, pacer=pacer, live=LiveHrv(), keep_events=True, duration_s=600.0)
    window = make_window(session, size=size, audio=CuePlayer(enabled=False, player=()))
    source.clock_s = 122.0
    qtbot.waitUntil(
        lambda: window.received.metrics is not None and window.received.metrics.t_s > 121.0,
        timeout=20000,
    )
    qtbot.waitUntil(lambda: window.received.coh_v != [], timeout=5000)
    wait_frames(qtbot, window, 8)
    assert (window.width(), window.height()) == size  # nothing forces the window larger
    assert window.pacer.view.cue in ("Breathe in", "Breathe out")
    assert window.time_tile.value.text() == "2:02"
    assert window.time_tile.detail.text() == "of 10:00  ·  7:58 left"
    assert "battery 90%" in window.link_label.text()
    # every label shows its whole text: nothing clipped at this size
    for tile in (window.hr_tile, window.rmssd_tile, window.coh_tile, window.time_tile):
        for label in (tile.caption, tile.value, tile.detail):
            assert label.width() >= label.sizeHint().width() - 1, label.text()
    path = artifacts_dir / f"gui_practice_{size[0]}x{size[1]}.png"
    assert window.grab().save(str(path))
    assert png_size(path) == size


def test_pace_change_keeps_the_pacer_continuous_on_screen(qtbot, make_window) -> None:
    source = ManualSource()
    session = manual_session(source)
    window = make_window(session)
    source.clock_s = 12.3  # 1.23 breaths in: on the in-breath
    wait_frames(qtbot, window)
    before = window.pacer.view
    assert before.cue == "Breathe in"
    window.pace_stepper.plus.click()  # 6.0 -> 6.1 breaths/min
    assert window.pace_spin.value() == pytest.approx(6.1)
    qtbot.waitUntil(lambda: len(session.pacer.segments()) == 2, timeout=3000)
    assert session.pacer.segments()[1] == (12.3, BreathPattern(6.1))
    wait_frames(qtbot, window)
    assert window.pacer.view.volume == pytest.approx(before.volume, abs=1e-9)
    # and the circle goes on moving smoothly from there, at the new pace
    volumes = []
    for step in range(1, 6):
        source.clock_s = 12.3 + 0.05 * step
        wait_frames(qtbot, window, 2)
        volumes.append(window.pacer.view.volume)
    steps = [b - a for a, b in zip([before.volume, *volumes], volumes, strict=False)]
    assert all(0 < d < 0.03 for d in steps), steps
    # a ratio change is continuous too, and both are recorded as pace marks
    window.ratio_box.setCurrentText("5:5")
    window.ratio_box.activated.emit(0)
    qtbot.waitUntil(lambda: len(session.pacer.segments()) == 3, timeout=3000)
    assert session.pacer.pattern_at(source.clock_s) == BreathPattern(6.1, inhale=5, exhale=5)
    # the session writes pace marks into the recording when session time reaches them
    source.push(Beat(13.0, 1000.0), Beat(14.0, 1000.0))
    source.clock_s = 14.0
    qtbot.waitUntil(lambda: window.received.last_beat_t == 14.0, timeout=3000)
    window.runner.stop()
    qtbot.waitUntil(lambda: window.ended, timeout=5000)
    marks = [e.text for e in window.result.events if isinstance(e, Mark) and e.kind == "pace"]
    assert marks == ["6.0 4:6", "6.1 4:6", "6.1 5:5"]


def test_a_bad_ratio_is_refused_with_a_message(qtbot, make_window) -> None:
    source = ManualSource()
    session = manual_session(source)
    window = make_window(session)
    wait_frames(qtbot, window)
    window.ratio_box.setCurrentText("4-6")
    window.ratio_box.activated.emit(0)
    assert "not like 4:6" in window.message.text()
    wait_frames(qtbot, window)
    assert len(session.pacer.segments()) == 1


def test_pause_resume_and_stop_reach_the_session(qtbot, make_window) -> None:
    source = ManualSource([Beat(0.8 * i, 800.0) for i in range(1, 40)])
    session = manual_session(source)  # (its first spectrum may load neurokit2: generous waits)
    window = make_window(session)
    source.clock_s = 5.0
    qtbot.waitUntil(
        lambda: window.received.last_beat_t is not None and window.received.last_beat_t >= 4.8,
        timeout=5000,
    )
    window.pause_button.click()
    qtbot.waitUntil(lambda: session.paused, timeout=20000)
    source.clock_s = 8.0
    qtbot.waitUntil(lambda: window.pacer.view.cue == "Paused", timeout=20000)
    assert window.pause_button.text() == "Resume"
    window.pause_button.click()
    qtbot.waitUntil(lambda: not session.paused, timeout=20000)
    source.clock_s = 12.0
    qtbot.waitUntil(lambda: window.pacer.view.cue != "Paused", timeout=20000)
    from PySide6.QtCore import Qt

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)  # the same toggle from the keyboard
    qtbot.waitUntil(lambda: session.paused, timeout=20000)
    source.clock_s = 13.0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not session.paused, timeout=20000)
    window.stop_button.click()
    with qtbot.waitSignal(window.session_ended, timeout=5000):
        pass
    result = window.result
    assert result.ended_by == "stopped"
    kinds = [(e.kind, e.t_s) for e in result.events if isinstance(e, Mark) and e.kind != "pace"]
    assert kinds == [("pause", 5.0), ("resume", 8.0), ("pause", 12.0), ("resume", 13.0)]


def test_length_is_set_before_start_and_locked_after(qtbot, make_window) -> None:
    source = ManualSource()
    session = manual_session(source)
    window = make_window(session, autostart=False)
    wait_frames(qtbot, window)
    assert window.start_button.isVisible()
    assert not window.runner.started
    assert window.pacer.view.cue == "Ready"
    assert window.length_spin.specialValueText() == "open"
    assert window.length_spin.value() == 0
    window.length_stepper.plus.click()
    window.length_stepper.plus.click()
    assert session.duration_s == 120.0
    window.start_button.click()
    qtbot.waitUntil(lambda: window.runner.running, timeout=3000)
    assert not window.length_stepper.isEnabled()
    source.clock_s = 121.0
    with qtbot.waitSignal(window.session_ended, timeout=5000):
        pass
    assert window.result.ended_by == "duration"


def test_connection_and_signal_quality_show_in_the_indicator(qtbot, make_window) -> None:
    source = ManualSource(
        [
            DeviceStatus(0.0, LinkState.CONNECTED, name="Polar H10", battery_pct=64),
            Beat(1.0, 1000.0, contact=Contact.DETECTED),
            Beat(2.0, 1000.0, contact=Contact.DETECTED),
            DeviceStatus(3.0, LinkState.RECONNECTING, detail="link lost"),
            Gap(3.0, 4.0),
            DeviceStatus(7.0, LinkState.CONNECTED, name="Polar H10"),
            Beat(8.0, 950.0, contact=Contact.NOT_DETECTED, flags=BeatFlag.AFTER_GAP),
        ]
    )
    window = make_window(manual_session(source))
    source.clock_s = 2.5
    qtbot.waitUntil(lambda: "contact good" in window.link_label.text(), timeout=5000)
    assert "Connected  ·  Polar H10" in window.link_label.text()
    assert "battery 64%" in window.link_label.text()
    source.clock_s = 5.0
    qtbot.waitUntil(lambda: window.link_label.text().startswith("Reconnecting"), timeout=5000)
    assert theme.WARN in window.link_dot.styleSheet()
    source.clock_s = 8.5
    qtbot.waitUntil(lambda: "no skin contact" in window.link_label.text(), timeout=5000)
    assert window.link_label.text().startswith("Connected")
    # the gap breaks the heart-rate line rather than drawing across it
    x, y = window.hr_curve.getData()
    assert x is not None
    assert any(math.isnan(v) for v in y)


def test_sound_cues_follow_the_turns_of_the_breath(qtbot, make_window) -> None:
    beeps: list[int] = []
    audio = CuePlayer(enabled=True, player=(), beep=lambda: beeps.append(1))
    source = ManualSource()
    window = make_window(manual_session(source), audio=audio)
    for t in (1.0, 4.5, 10.5, 14.5):  # in, out, in, out
        source.clock_s = t
        wait_frames(qtbot, window, 2)
    assert audio.played == ["out", "in", "out"]
    assert len(beeps) == 3
    window.sound_check.setChecked(False)
    source.clock_s = 20.5
    wait_frames(qtbot, window, 2)
    assert audio.played == ["out", "in", "out"]


def test_cue_tones_are_soft_wav_files(tmp_path) -> None:
    path = write_tone(tmp_path / "in.wav", 528.0, 0.45)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        frames = w.readframes(w.getnframes())
    samples = memoryview(frames).cast("h")
    assert abs(samples[0]) < 50
    assert abs(samples[-1]) < 300
    assert max(abs(s) for s in samples) < 0.3 * 32767
    player = CuePlayer(enabled=True, player=("true",))
    player.cue("in")
    player.cue("hold_in")  # holds are silent
    assert player.played == ["in"]
    player.close()


def test_checkin_dialog_answers_and_skips(qtbot, artifacts_dir) -> None:
    parts = build_checkin_dialog("before")
    qtbot.addWidget(parts.dialog)
    parts.slider.setValue(3)
    parts.note.setPlainText("  slept badly \n")
    parts.dialog.show()
    assert parts.dialog.grab().save(str(artifacts_dir / "gui_checkin.png"))
    parts.save_button.click()
    assert parts.result() == Checkin(stress=3, note="slept badly")
    skipped = build_checkin_dialog("after")
    qtbot.addWidget(skipped.dialog)
    skipped.slider.setValue(8)
    skipped.skip_button.click()
    assert skipped.result() is None
    with pytest.raises(ValueError, match="outside 0-10"):
        Checkin(stress=11)


# -- run_practice_window: the entry point the commands use -----------------------------------------
def _answer_dialogs(stress_values: list[int]) -> Callable[[], None]:
    """Answer each check-in dialog as it opens, with the next stress value."""
    from PySide6.QtWidgets import QDialog, QPushButton, QSlider

    def poll() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible() and stress_values:
                w.findChild(QSlider).setValue(stress_values.pop(0))
                save = next(b for b in w.findChildren(QPushButton) if b.text() == "Save")
                save.click()

    return poll


def test_run_practice_window_end_to_end(qtbot, artifacts_dir) -> None:
    from PySide6.QtCore import QTimer

    shot = artifacts_dir / "gui_end_screenshot.png"
    shot.unlink(missing_ok=True)
    timer = QTimer()
    timer.timeout.connect(_answer_dialogs([6, 2]))
    timer.start(50)
    session = sim_session(150.0)
    outcome = run_practice_window(
        session,
        title="Practice · simulator",
        screenshot=shot,
        checkin=True,
        close_when_done_s=0.1,
        summary=lambda r: {"coherence": 2.5},
    )
    timer.stop()
    assert isinstance(outcome, WindowOutcome)
    assert outcome.result is not None
    assert outcome.result.ended_by in ("duration", "source-ended")
    assert outcome.checkin_before == Checkin(6, "")
    assert outcome.checkin_after == Checkin(2, "")
    assert outcome.summary == {"coherence": 2.5}
    assert png_size(shot) == (1280, 800)  # offscreen, no screen to fit: the size asked for


def test_run_practice_window_refuses_a_bad_screenshot_path(tmp_path) -> None:
    session = manual_session(ManualSource())
    with pytest.raises(UsageError, match="does not exist"):
        run_practice_window(session, title="x", screenshot=tmp_path / "nope" / "a.png")
    with pytest.raises(UsageError, match=r"\.png"):
        run_practice_window(session, title="x", screenshot=tmp_path / "a.jpg")


class _BrokenSource(ManualSource):
    async def __aenter__(self) -> ManualSource:
        raise DeviceError("no strap named 'H10' found")


def test_a_source_that_fails_is_shown_then_raised(qtbot, artifacts_dir) -> None:
    session = manual_session(_BrokenSource())
    shot = artifacts_dir / "gui_error.png"
    with pytest.raises(DeviceError, match="no strap named"):
        run_practice_window(
            session, title="Practice", screenshot=shot, close_when_done_s=0.05, size=(900, 600)
        )
    assert png_size(shot) == (900, 600)


def test_the_breathing_guide_starts_with_the_session(qtbot, make_window) -> None:
    source = ManualSource()
    window = make_window(manual_session(source))
    source.clock_s = 30.0
    wait_frames(qtbot, window, 10)
    x, _ = window.breath_curve.getData()
    assert x is not None
    assert x.min() == pytest.approx(-30.0)  # session time 0, drawn 30 s ago: nothing before it
    assert x.max() == pytest.approx(0.0, abs=0.26)


def test_a_real_recording_replays_through_the_window(qtbot, make_window, shared_data) -> None:
    from hrvcoach.drivers.replay import ReplaySource

    path = shared_data / "rr" / "slow-breathing-polar-h10" / "sample_data_ibi.csv"
    source = ReplaySource(path, playback=Playback(fast=True))
    session = Session(source, pacer=Pacer(BreathPattern(4.5)), live=LiveHrv(), keep_events=True)
    window = make_window(session)
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    result = window.result
    assert result.ended_by == "source-ended"
    assert "Ended: the recording ended." in window.summary_sub.text()
    assert result.beats > 600
    assert window.summary_tiles["beats"].value.text() == str(result.beats)
    final = result.final_metrics
    assert window.summary_tiles["rmssd_ms"].value.text() == f"{final.rmssd_ms:.0f}"
    # the trace holds the last minute and a half of beats, not the whole session
    x, _ = window.hr_curve.getData()
    assert x is not None
    assert 60 < len(x) < 200
    assert x.min() >= -95.0


def test_a_scheduled_pace_plan_is_followed_and_locks_the_pace_controls(qtbot, make_window) -> None:
    source = ManualSource()
    session = manual_session(source)
    session.pacer.set_pattern(20.0, BreathPattern(5.0))  # an assessment schedules its steps
    window = make_window(session)
    source.clock_s = 10.0
    wait_frames(qtbot, window)
    assert not window.pace_stepper.isEnabled()
    assert window.pace_spin.value() == pytest.approx(6.0)
    source.clock_s = 21.0
    qtbot.waitUntil(lambda: window.pace_spin.value() == pytest.approx(5.0), timeout=3000)
    assert window.pace_stepper.isEnabled()  # the plan is over: the pace is the user's again
    assert len(session.pacer.segments()) == 2  # following the plan changed nothing in it


def test_one_missed_beat_does_not_flatten_the_heart_rate_scale(qtbot, make_window) -> None:
    rr = [1000.0 + 80.0 * math.sin(2 * math.pi * i / 10) for i in range(80)]
    rr[40] = 2000.0  # a missed beat: 30 bpm
    beats, t = [], 0.0
    for value in rr:
        t += value / 1000.0
        beats.append(Beat(t, value))
    source = ManualSource(beats)
    window = make_window(manual_session(source))
    source.clock_s = t
    qtbot.waitUntil(lambda: window.received.last_beat_t == t, timeout=5000)
    wait_frames(qtbot, window, 8)
    lo, hi = window.plot.getPlotItem().viewRange()[1]
    assert 45.0 <= lo <= 55.0 < 65.0 <= hi <= 75.0  # the 55-65 bpm rhythm fills the plot
    _, y = window.hr_curve.getData()
    assert min(v for v in y if not math.isnan(v)) == pytest.approx(30.0)  # still drawn


def test_a_failing_view_never_loses_the_recording(qtbot, make_window, tmp_path, caplog) -> None:
    from hrvcoach.readers import read_recording
    from hrvcoach.recording import RecordingWriter

    pacer = Pacer(BreathPattern(6.0))
    source = SimulatedSource(SimParams(seed=5), pacer=pacer, playback=Playback(fast=True))
    path = tmp_path / "session.csv"
    with RecordingWriter(path, info=SourceInfo(kind="sim", device="simulator")) as writer:
        session = Session(
            source,
            pacer=pacer,
            live=LiveHrv(artifacts="none"),
            writer=writer,
            duration_s=120.0,
            keep_events=True,
        )
        window = make_window(session)

        def broken(*_: object) -> None:
            raise RuntimeError("a view bug")

        window._show_plot = broken  # type: ignore[method-assign]
        with qtbot.waitSignal(window.session_ended, timeout=30000):
            pass
    assert window.view_errors > 0
    assert "the window failed to draw a frame" in caplog.text
    recorded = read_recording(path)
    assert len(recorded.beats) == window.result.beats > 100


def test_the_whole_session_analysis_fills_the_summary(qtbot, make_window, tmp_path) -> None:
    from hrvcoach.analysis import Summary, analyze
    from hrvcoach.readers import read_recording
    from hrvcoach.recording import RecordingWriter

    pacer = Pacer(BreathPattern(5.5))
    source = SimulatedSource(SimParams(seed=8), pacer=pacer, playback=Playback(fast=True))
    path = tmp_path / "session.csv"
    with RecordingWriter(path, info=SourceInfo(kind="sim", device="simulator")) as writer:
        session = Session(source, pacer=pacer, live=LiveHrv(), writer=writer, duration_s=300.0)
        window = make_window(
            session, summary=lambda result: analyze(read_recording(result.recording))
        )
        with qtbot.waitSignal(window.session_ended, timeout=60000):
            pass
    summary = window.runner.summary
    assert isinstance(summary, Summary)
    tiles = window.summary_tiles
    assert tiles["mean_hr_bpm"].value.text() == f"{summary.mean_hr_bpm:.0f}"
    assert tiles["sdnn_ms"].value.text() == f"{summary.sdnn_ms:.0f}"
    assert tiles["coherence"].value.text() == f"{summary.coherence:.1f}"
    assert tiles["resonance"].value.text() == f"{summary.coherence_peak_hz * 60:.1f}"
    assert tiles["beats"].value.text() == str(summary.beats)
    assert f"Saved to {path}" in window.summary_sub.text()
    assert "last minute" not in window.summary_sub.text()


# -- the guided resonance assessment ---------------------------------------------------------------
def test_guide_announces_each_step_its_settle_period_and_progress() -> None:
    from hrvcoach.assess import plan_steps
    from hrvcoach.gui.guide import guide_view

    steps = plan_steps([6.5, 6.0, 5.5, 5.0, 4.5], step_s=60.0, settle_s=15.0)
    first = guide_view(steps, 0.0)
    assert first.title == "Step 1 of 5  ·  6.5 breaths/min"
    assert first.note == "Settling in — not scored yet  ·  scoring starts in 0:15"
    assert first.settling
    assert first.overall == "0 of 5 done  ·  5:00 left of 5:00"
    assert (first.bar.current, first.bar.fraction) == (0, 0.0)
    assert first.bar.labels == ("6.5", "6.0", "5.5", "5.0", "4.5")
    assert first.bar.settle_fractions == (0.25,) * 5
    second = guide_view(steps, 75.0)  # step 2, just scoring
    assert second.title == "Step 2 of 5  ·  6.0 breaths/min"
    assert second.note == "Scoring  ·  0:45 left in this step"
    assert not second.settling
    assert second.overall == "1 of 5 done  ·  3:45 left of 5:00"
    assert (second.bar.current, second.bar.fraction) == (1, 0.25)
    assert guide_view(steps, 110.5).note == "Scoring  ·  next: 5.5 breaths/min in 0:10"
    assert guide_view(steps, 260.0).note == "Scoring  ·  0:40 left in this step"
    assert "Paused" in guide_view(steps, 75.0, paused=True).note
    end = guide_view(steps, 300.0)
    assert end.title == "All 5 steps done"
    assert end.bar.current == 5


def _assessment_window(make_window, size, *, rates=(6.0, 5.0), step_s=45.0, settle_s=10.0):
    """A guided assessment window on simulated beats of a person resonating at 5/min, with the
    real scoring as the session's summary (as ``hrvcoach assess`` wires it)."""
    from hrvcoach.assess import AssessmentOutcome, assess_beats, plan_steps, protocol_pacer

    steps = plan_steps(list(rates), step_s=step_s, settle_s=settle_s)
    pacer = protocol_pacer(steps)
    beats = simulate(SimParams(seed=2, resonance_bpm=5.0), pacer=pacer, duration_s=steps[-1].end_s)
    source = ManualSource(
        [DeviceStatus(0.0, LinkState.CONNECTED, name="simulator"), *beats], device="simulator"
    )
    session = Session(
        source, pacer=pacer, live=LiveHrv(), duration_s=steps[-1].end_s, keep_events=True
    )

    def score(result: SessionResult) -> AssessmentOutcome:
        got = [e for e in result.events if isinstance(e, Beat)]
        scored = assess_beats([b.t_s for b in got], [b.rr_ms for b in got], steps, pacer=pacer)
        return AssessmentOutcome(
            scored, pace_note="Practice now paces 5.0 breaths/min by default.", recording="x.csv"
        )

    runner = SessionRunner(session, summary=score)
    window = PracticeWindow(runner, title="Resonance assessment", plan=steps)
    make_window.adopt(window, size)
    return window, source, steps


def _nothing_clipped(labels) -> None:
    for label in labels:
        if label.isVisible() and label.text():
            assert label.width() >= label.sizeHint().width() - 1, label.text()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_assessment_in_the_window_guides_each_step_and_ends_with_the_result(
    qtbot, make_window, artifacts_dir, size
) -> None:
    window, source, steps = _assessment_window(make_window, size)
    tag = f"{size[0]}x{size[1]}"
    guide = window.guide
    assert guide is not None
    assert not window.pace_stepper.isVisibleTo(window)  # the plan owns the pace and the length
    source.clock_s = 5.0  # settling in, step 1
    qtbot.waitUntil(lambda: guide.title.text() == "Step 1 of 2  ·  6.0 breaths/min", timeout=20000)
    qtbot.waitUntil(lambda: "scoring starts in 0:05" in guide.note.text(), timeout=5000)
    assert "not scored yet" in guide.note.text()
    assert theme.WARN in guide.note.styleSheet()
    wait_frames(qtbot, window, 4)
    _nothing_clipped([guide.title, guide.note, guide.overall])
    assert window.grab().save(str(artifacts_dir / f"gui_assess_settling_{tag}.png"))
    source.clock_s = 72.0  # step 2, scoring
    qtbot.waitUntil(lambda: guide.title.text().startswith("Step 2 of 2"), timeout=20000)
    qtbot.waitUntil(lambda: guide.note.text() == "Scoring  ·  0:18 left in this step", timeout=5000)
    assert guide.overall.text() == "1 of 2 done  ·  0:18 left of 1:30"
    assert guide.bar.view.current == 1
    assert window.pace_spin.value() == pytest.approx(5.0)  # the pacer is on the step's rate
    qtbot.waitUntil(
        lambda: window.received.metrics is not None and window.received.metrics.t_s > 70.0,
        timeout=20000,
    )
    wait_frames(qtbot, window, 4)
    _nothing_clipped([guide.title, guide.note, guide.overall])
    assert window.grab().save(str(artifacts_dir / f"gui_assess_step_{tag}.png"))
    source.clock_s = steps[-1].end_s + 1.0
    with qtbot.waitSignal(window.session_ended, timeout=30000):
        pass
    page = window.result_page
    assert window.stack.currentWidget() is page
    view = page.view
    assert view is not None
    assert view.headline == "Your resonance rate: 5.0 breaths/min"
    assert view.confidence in ("A clear winner", "A close call with 6.0")
    assert view.pace_note == "Practice now paces 5.0 breaths/min by default."
    assert [r.rate for r in view.rows] == ["6.0", "5.0"]
    assert [r.chosen for r in view.rows] == [False, True]
    outcome = window.runner.summary
    assert page.reason.text() == outcome.result.reason
    # on the simulator the rate is the simulated person's, not the user's
    simulated = result_view(dataclasses.replace(outcome, simulated=True))
    assert simulated.headline == "Simulated resonance rate: 5.0 breaths/min"
    five = outcome.result.steps[1]
    assert view.rows[1].cells[0] == f"{five.peak_trough_bpm:.1f}"
    assert not window.plot.isVisible()
    assert not guide.isVisible()
    wait_frames(qtbot, window, 4)
    _nothing_clipped([page.headline, page.confidence] + [c for row in page.cells for c in row])
    assert page.reason.height() >= page.reason.heightForWidth(page.reason.width()) - 1
    assert (window.width(), window.height()) == size
    assert window.grab().save(str(artifacts_dir / f"gui_assess_result_{tag}.png"))


def test_an_assessment_that_could_not_be_scored_says_why(qtbot, make_window) -> None:
    from hrvcoach.assess import AssessmentOutcome

    view = result_view(
        AssessmentOutcome(None, problem="the assessment ended after 1 of 5 steps (stopped)")
    )
    assert view.headline == "The assessment could not be scored"
    assert "1 of 5 steps" in view.reason
    assert view.rows == ()
    assert view.pace_note == "Your default pace is unchanged."


def test_pause_holds_the_circle_and_the_clock_still(qtbot, make_window) -> None:
    source = ManualSource([Beat(0.8 * i, 800.0) for i in range(1, 40)])
    session = manual_session(source)
    window = make_window(session)
    source.clock_s = 2.0  # half-way through the first in-breath
    qtbot.waitUntil(lambda: window.time_tile.value.text() == "0:02", timeout=5000)
    window.pause_button.click()
    qtbot.waitUntil(lambda: window.pacer.view.cue == "Paused", timeout=3000)
    held = window.pacer.view.volume
    assert held == pytest.approx(session.pacer.volume(2.0), abs=1e-9)
    source.clock_s = 6.5  # the source and the recording go on; what the eye follows does not
    qtbot.waitUntil(lambda: window.received.last_beat_t >= 6.3, timeout=20000)  # neurokit2 may load
    wait_frames(qtbot, window, 4)
    assert window.pacer.view.volume == held
    assert window.pacer.view.seconds_left is None
    assert window.time_tile.value.text() == "0:02"
    assert window.time_tile.detail.text() == "paused  ·  recording goes on"
    ahead_x, _ = window.breath_ahead.getData()
    assert ahead_x is None or len(ahead_x) == 0  # no breath ahead to follow while paused
    window.pause_button.click()
    qtbot.waitUntil(lambda: window.pacer.view.cue != "Paused", timeout=3000)
    # practice time does not count the pause, and the breath goes on from where it was held
    assert window.time_tile.value.text() == "0:02"
    assert window.pacer.view.volume == pytest.approx(held, abs=1e-9)
    wait_frames(qtbot, window, 8)
    ahead_x, _ = window.breath_ahead.getData()
    assert len(ahead_x) > 10
    window.stop_button.click()
    with qtbot.waitSignal(window.session_ended, timeout=5000):
        pass
    marks = [(e.kind, e.t_s) for e in window.result.events if isinstance(e, Mark)]
    assert ("pause", 2.0) in marks
    assert ("resume", 6.5) in marks


def test_a_ratio_with_holds_shows_hold_on_screen(qtbot, make_window) -> None:
    source = ManualSource()
    session = manual_session(source)
    window = make_window(session)
    wait_frames(qtbot, window)
    window.ratio_box.setCurrentText("4:2:6:0")
    window.ratio_box.activated.emit(0)
    qtbot.waitUntil(lambda: len(session.pacer.segments()) == 2, timeout=3000)
    # 6/min in 4:2:6:0: a 10 s breath, 3.33 s in, 1.67 s held full, 5 s out
    source.clock_s = 3.8
    qtbot.waitUntil(lambda: window.pacer.view.cue == "Hold", timeout=3000)
    assert window.pacer.view.volume == 1.0
    assert window.pacer.view.seconds_left == 2  # 1.2 s of the hold left, counted up
    source.clock_s = 5.5
    qtbot.waitUntil(lambda: window.pacer.view.cue == "Breathe out", timeout=3000)


def test_the_session_waits_for_the_warm_up_before_its_clock_starts(qtbot, make_window) -> None:
    import time

    order: list[str] = []

    def slow_import() -> None:
        time.sleep(0.4)
        order.append("warm")

    class Watched(ManualSource):
        async def __aenter__(self) -> ManualSource:
            order.append("open")
            return self

    ready = threading.Thread(target=slow_import)
    ready.start()
    session = manual_session(Watched())
    runner = SessionRunner(session, ready=ready)
    window = PracticeWindow(runner, title="Practice · test")
    make_window.adopt(window)
    assert window.pacer.view.cue in ("Ready", "Connecting…")
    qtbot.waitUntil(lambda: order == ["warm", "open"], timeout=5000)
    qtbot.waitUntil(lambda: window.pacer.view.cue == "Breathe in", timeout=5000)


def test_a_length_set_before_start_is_honoured_by_the_simulator(qtbot, make_window) -> None:
    pacer = Pacer(BreathPattern(6.0))
    # as the commands make it: the source runs until the session ends it
    source = SimulatedSource(SimParams(seed=4), pacer=pacer, playback=Playback(fast=True))
    session = Session(source, pacer=pacer, live=LiveHrv(), duration_s=30.0, keep_events=True)
    window = make_window(session, autostart=False)
    wait_frames(qtbot, window)
    assert window.length_spin.value() == pytest.approx(0.5)
    window.length_stepper.plus.click()  # 0.5 -> 1.5 min
    assert session.duration_s == 90.0
    from PySide6.QtCore import Qt

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)  # Space starts it, eyes closed or not
    with qtbot.waitSignal(window.session_ended, timeout=30000):
        pass
    result = window.result
    assert result.ended_by == "duration"
    last_beat = max(e.t_s for e in result.events if isinstance(e, Beat))
    assert 85.0 < last_beat <= 90.0
    assert window.summary_title.text() == "Session complete  ·  1:30"


@pytest.mark.parametrize("focus", ["pace field", "ratio list", "stop button"])
def test_space_pauses_whatever_has_focus(qtbot, make_window, focus: str) -> None:
    from PySide6.QtCore import Qt

    source = ManualSource([Beat(0.8 * i, 800.0) for i in range(1, 20)])
    session = manual_session(source)
    window = make_window(session, autostart=False)
    wait_frames(qtbot, window)
    pace_before = window.pace_spin.value()
    window.start_button.click()  # with the mouse: focus stays where it was
    qtbot.waitUntil(lambda: window.runner.running, timeout=3000)
    source.clock_s = 5.0
    widget = {
        "pace field": window.pace_spin,
        "ratio list": window.ratio_box,
        "stop button": window.stop_button,
    }[focus]
    window.activateWindow()
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: session.paused, timeout=20000)
    assert window.pace_spin.value() == pace_before  # not typed into, not cleared
    assert window.runner.running  # the focused Stop button was not pressed
    source.clock_s = 6.0
    qtbot.keyClick(widget, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not session.paused, timeout=20000)
    window.stop_button.click()
    with qtbot.waitSignal(window.session_ended, timeout=5000):
        pass


def test_a_replay_without_a_guide_draws_no_pacer_and_shows_its_progress(
    qtbot, make_window, tmp_path: Path, artifacts_dir: Path
) -> None:
    from hrvcoach.commands._views import rhythm_note
    from hrvcoach.drivers.replay import ReplaySource
    from hrvcoach.readers import read_recording

    # another app's list: a heart that breathed at 5 /min by itself, no pace plan in the file
    rr = [1000.0 + 90.0 * math.sin(2 * math.pi * (5.0 / 60.0) * (k * 1.0)) for k in range(420)]
    path = tmp_path / "elite.txt"
    path.write_text("\n".join(f"{v:.0f}" for v in rr) + "\n")
    recording = read_recording(path)
    assert not recording.meta.pace
    pacer = Pacer(BreathPattern(6.0))
    source = ReplaySource(recording, playback=Playback(speed=40.0))
    session = Session(source, pacer=pacer, live=LiveHrv(), keep_events=True)
    session.pacer_shown = False
    session.pacer_note = rhythm_note(recording)
    assert session.pacer_note.startswith("Own 5.")
    window = make_window(session, size=(1366, 720))
    assert window.replay_bar is not None
    qtbot.waitUntil(lambda: window.replay_bar.value() > 100, timeout=20000)
    assert window.pacer.view.cue == session.pacer_note
    assert not window.pacer.view.active
    assert window.response.breath_curve.getData()[0] is None or not len(
        window.response.breath_curve.getData()[0]
    )
    assert "replay" in window.replay_bar.text()
    assert not window.pace_stepper.isEnabled()
    assert window.grab().save(str(artifacts_dir / "gui_replay_without_guide.png"))
    window.stop_button.click()
    with qtbot.waitSignal(window.session_ended, timeout=10000):
        pass
