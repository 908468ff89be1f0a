"""The big numbers of the practice window: a heart rate one irregular beat does not move, and a
coherence "–" that says when the value will appear."""

from __future__ import annotations

import math

import pytest

from hrvcoach.beats import Beat, BeatFlag
from hrvcoach.live import LiveHrv, LiveMetrics


def _feed(live: LiveHrv, rr_ms: list[float], t0_s: float = 0.0) -> LiveMetrics:
    t = t0_s
    metrics = live.metrics()
    for rr in rr_ms:
        t += rr / 1000.0
        metrics = live.update(Beat(round(t, 6), rr))
    return metrics


def test_one_irregular_beat_does_not_move_the_heart_rate_shown() -> None:
    live = LiveHrv(window_s=60.0)
    _feed(live, [1000.0] * 30)
    metrics = _feed(live, [640.0], t0_s=30.0)  # a premature beat
    assert round(metrics.hr_bpm) == 94  # what the big number used to say
    assert metrics.steady_hr_bpm == pytest.approx(60.0)
    metrics = _feed(live, [1360.0], t0_s=30.64)  # its compensatory pause
    assert metrics.steady_hr_bpm == pytest.approx(60.0)


def test_coherence_says_when_it_will_appear() -> None:
    live = LiveHrv(window_s=60.0)
    rr = [1000.0 + 80.0 * math.sin(2 * math.pi * 0.1 * k) for k in range(200)]
    early = _feed(live, rr[:10])
    assert early.coherence is None
    assert early.coherence_in_s is not None
    assert 54.0 <= early.coherence_in_s <= 60.0
    later = _feed(live, rr[10:40], t0_s=sum(rr[:10]) / 1000.0)
    assert later.coherence_in_s is not None
    assert later.coherence_in_s < early.coherence_in_s
    done = _feed(live, rr[40:90], t0_s=sum(rr[:40]) / 1000.0)
    assert done.coherence is not None
    assert done.coherence_in_s is None
    # after a gap, the 64 s start again
    t = sum(rr[:90]) / 1000.0 + 30.0
    after = live.update(Beat(t, 1000.0, flags=BeatFlag.AFTER_GAP))
    assert after.coherence_in_s is None or after.coherence_in_s > 50.0


def test_the_tiles_show_the_steady_rate_and_why_coherence_waits(qtbot) -> None:
    from hrvcoach.gui.tiles import LiveNumbers

    numbers = LiveNumbers()
    qtbot.addWidget(numbers)
    live = LiveHrv(window_s=60.0)
    _feed(live, [1000.0] * 20)
    metrics = _feed(live, [640.0], t0_s=20.0)
    numbers.show_metrics(metrics, [], [])
    assert numbers.hr_tile.value.text() == "60"
    assert numbers.coh_tile.value.text() == "–"
    assert "appears in about" in numbers.coh_tile.detail.text()
    assert "64 s" in numbers.coh_tile.detail.text()


def test_the_terminal_dashboard_says_when_coherence_will_appear_too() -> None:
    from hrvcoach.beats import LinkState
    from hrvcoach.tui_lines import DashboardState, format_dashboard, format_plain

    live = LiveHrv(window_s=60.0)
    _feed(live, [1000.0] * 20)
    metrics = _feed(live, [640.0], t0_s=20.0)
    assert metrics.coherence_in_s is not None
    state = DashboardState(
        t_s=metrics.t_s,
        duration_s=None,
        pacer=None,
        paused=False,
        metrics=metrics,
        link=LinkState.CONNECTED,
    )
    wait = f"coherence – (in {math.ceil(metrics.coherence_in_s)} s)"
    assert wait in format_plain(state)
    assert wait in format_dashboard(state, width=80, color=False)[1]
    assert "HR 60" in format_plain(state)  # the steady rate, not the premature beat's 94
