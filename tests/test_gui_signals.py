"""The window's breath-against-pacer panel and ECG strip, offscreen, on the simulator's streams."""

from __future__ import annotations

from hrvcoach.breathing.view import LiveSignals, SignalsView
from hrvcoach.drivers.simulated import SimParams, SimulatedSource
from hrvcoach.gui.bridge import SessionRunner, warm_up
from hrvcoach.gui.signals_panel import follow_words
from hrvcoach.gui.window import PracticeWindow
from hrvcoach.live import LiveHrv
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session
from hrvcoach.timing import Playback


def _window(qtbot, *, streams: bool) -> PracticeWindow:  # type: ignore[no-untyped-def]
    pacer = Pacer(BreathPattern(6.0))
    source = SimulatedSource(
        SimParams(seed=3),
        pacer=pacer,
        playback=Playback(speed=8.0),
        ecg=streams,
        motion=streams,
    )
    session = Session(source, pacer=pacer, live=LiveHrv(), duration_s=600.0)
    signals = LiveSignals(pacer)
    session.sample_listeners.append(signals.add)
    # as the app does: the heavy imports first, or the session starts seconds behind its clock
    runner = SessionRunner(session, ready=warm_up(("scipy.signal", "neurokit2")))
    window = PracticeWindow(runner, title="Practice · sim", signals=signals)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def test_the_measured_breath_is_drawn_against_the_pacer_and_ecg_waits_to_be_asked(
    qtbot, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, streams=True)
    panel = window.signals_panel
    try:
        qtbot.waitUntil(lambda: "breath follows pacer" in panel.follow_label.text(), timeout=30000)
        assert panel.isVisible()
        assert not panel.ecg_check.isChecked()  # calm first
        assert not panel.ecg_plot.isVisible()
        view = window._signals.latest  # type: ignore[union-attr]
        assert view is not None
        assert view.follow_pct is not None
        assert view.follow_pct > 60  # the simulated person breathes with the pacer
        panel.ecg_check.setChecked(True)
        qtbot.waitUntil(lambda: panel.ecg_plot.isVisible(), timeout=5000)

        def ecg_drawn() -> bool:
            xs = panel.ecg_curve.getData()[0]
            return xs is not None and len(xs) > 300  # five seconds at 130 Hz: 650 points

        qtbot.waitUntil(ecg_drawn, timeout=5000)
        shot = artifacts_dir / "gui_breath_and_ecg.png"
        assert window.grab().save(str(shot))
    finally:
        window.runner.stop()
        window.close()
        window.runner.wait(10)


def test_without_streams_the_panel_stays_away(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, streams=False)
    try:
        qtbot.waitUntil(lambda: window.received.metrics is not None, timeout=30000)
        assert not window.signals_panel.isVisible()
    finally:
        window.runner.stop()
        window.close()
        window.runner.wait(10)


def test_the_words_above_the_breath() -> None:
    assert follow_words(SignalsView(follow_pct=84.4, rate_bpm=6.04)) == (
        "Your breath · breath follows pacer 84 % · 6.0 breaths/min"
    )
    assert follow_words(SignalsView()) == "Your breath · finding your breath…"


def test_the_app_wires_the_streams_into_the_window(qtbot, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    from hrvcoach.gui.app import run_practice_window

    pacer = Pacer(BreathPattern(6.0))
    source = SimulatedSource(
        SimParams(seed=3), pacer=pacer, playback=Playback(fast=True), ecg=True, motion=True
    )
    session = Session(source, pacer=pacer, live=LiveHrv(), duration_s=120.0)
    shot = artifacts_dir / "gui_app_breath.png"
    shot.unlink(missing_ok=True)
    outcome = run_practice_window(
        session, title="Practice · simulator", screenshot=shot, close_when_done_s=0.1
    )
    assert outcome.result is not None
    (signals,) = [
        listener.__self__  # type: ignore[attr-defined]
        for listener in session.sample_listeners
        if isinstance(getattr(listener, "__self__", None), LiveSignals)
    ]
    assert signals.latest is not None
    assert signals.latest.has_breath
    assert signals.latest.has_ecg
    assert shot.is_file()


def test_calm_mode_keeps_the_panel_away(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, streams=True)
    panel = window.signals_panel
    try:
        qtbot.waitUntil(lambda: "breath follows pacer" in panel.follow_label.text(), timeout=30000)
        window.set_calm(True)
        wait = window.stats.frames
        qtbot.waitUntil(lambda: window.stats.frames > wait + 10, timeout=5000)
        assert not panel.isVisible()
        window.set_calm(False)
        qtbot.waitUntil(panel.isVisible, timeout=5000)
    finally:
        window.runner.stop()
        window.close()
        window.runner.wait(10)
