"""The recovery drill in the window: the guide names each phase and counts it down, the serial-7
task is on screen, the circle stands still while breathing freely, and the end page has the
drill's numbers. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest
import test_gui
from test_gui import SIZES, ManualSource, wait_frames

from hrvcoach.beats import Beat, DeviceStatus, LinkState
from hrvcoach.commands.recovery import format_recovery, score_phases
from hrvcoach.drivers.simulated import SimParams, simulate
from hrvcoach.drivers.simulated.protocol import ProtocolCourse
from hrvcoach.gui.bridge import SessionRunner
from hrvcoach.gui.window import PracticeWindow
from hrvcoach.live import LiveHrv
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.protocols import capacity
from hrvcoach.protocols.capacity import CapacityOutcome
from hrvcoach.session import Session, SessionResult

make_window = test_gui.make_window  # the practice window tests' fixture: windows closed after


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_recovery_drill_is_guided_phase_by_phase_in_the_window(
    qtbot, make_window, artifacts_dir, size
) -> None:
    tag = f"{size[0]}x{size[1]}"
    phases = capacity.recovery_plan(activation="mental", recover_with="pacer", pace_bpm=5.5)
    pacer = Pacer(BreathPattern.with_ratio(5.5, "4:6"))
    params = SimParams(seed=4, tau_s=30.0)
    course = ProtocolCourse.of(phases, tau_s=params.tau_s, natural_bpm=params.natural_bpm)
    beats = simulate(params, pacer=pacer, duration_s=phases[-1].end_s, course=course)
    source = ManualSource(
        [DeviceStatus(0.0, LinkState.CONNECTED, name="simulator"), *beats], device="simulator"
    )
    session = Session(
        source, pacer=pacer, live=LiveHrv(), duration_s=phases[-1].end_s, keep_events=True
    )

    def score(result: SessionResult) -> CapacityOutcome:
        got = [e for e in result.events if isinstance(e, Beat)]
        payload = score_phases([b.t_s for b in got], [b.rr_ms for b in got], phases)
        lines = format_recovery(payload).splitlines()
        return CapacityOutcome(None, headline=lines[0], lines=tuple(lines[1:]))

    window = PracticeWindow(
        SessionRunner(session, summary=score), title="Recovery drill", plan=phases
    )
    make_window.adopt(window, size)
    guide = window.guide
    assert guide is not None

    source.clock_s = 30.0  # the baseline: breathing freely
    qtbot.waitUntil(lambda: guide.title.text().startswith("Baseline  ·  1 of 3"), timeout=20000)
    qtbot.waitUntil(lambda: window.pacer.view.cue == "Breathe freely", timeout=5000)
    assert "breathe naturally" in guide.note.text()
    qtbot.waitUntil(
        lambda: window.received.metrics is not None and window.received.metrics.t_s > 25.0,
        timeout=20000,
    )
    wait_frames(qtbot, window, 4)
    assert window.grab().save(str(artifacts_dir / f"gui_recovery_baseline_{tag}.png"))

    source.clock_s = 160.0  # the mental activation: the task is the title
    qtbot.waitUntil(lambda: "From 913, count down in sevens" in guide.title.text(), timeout=20000)
    assert "Activation  ·  2 of 3" in guide.note.text()
    assert guide.bar.view.current == 1
    qtbot.waitUntil(
        lambda: window.received.metrics is not None and window.received.metrics.t_s > 150.0,
        timeout=20000,
    )
    wait_frames(qtbot, window, 4)
    assert window.grab().save(str(artifacts_dir / f"gui_recovery_serial7_{tag}.png"))

    source.clock_s = 300.0  # the recovery, with the pacer
    qtbot.waitUntil(lambda: guide.title.text().startswith("Recovery  ·  3 of 3"), timeout=20000)
    qtbot.waitUntil(lambda: window.pacer.view.cue.startswith("Breathe "), timeout=5000)
    qtbot.waitUntil(lambda: window.pacer.view.cue != "Breathe freely", timeout=5000)
    assert "pacer" in guide.note.text()
    qtbot.waitUntil(
        lambda: window.received.metrics is not None and window.received.metrics.t_s > 290.0,
        timeout=20000,
    )
    wait_frames(qtbot, window, 4)
    assert window.grab().save(str(artifacts_dir / f"gui_recovery_paced_{tag}.png"))

    source.clock_s = phases[-1].end_s + 1.0
    with qtbot.waitSignal(window.session_ended, timeout=30000):
        pass
    view = window.result_page.view
    assert view is not None
    assert view.headline.startswith("Recovery drill: heart rate")
    assert "Reactivity" in view.reason
    wait_frames(qtbot, window, 4)
    assert (window.width(), window.height()) == size
    assert window.grab().save(str(artifacts_dir / f"gui_recovery_result_{tag}.png"))
