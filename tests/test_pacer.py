from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrvcoach.pacer import BreathPattern, Pacer, breathing_volume


def test_volume_follows_raised_cosine_for_4_6_at_6_per_minute() -> None:
    p = BreathPattern(6.0, inhale=4, exhale=6)  # 10 s breath: 4 s in, 6 s out
    assert breathing_volume(0.0, p) == pytest.approx(0.0)
    assert breathing_volume(2.0, p) == pytest.approx(0.5)
    assert breathing_volume(4.0, p) == pytest.approx(1.0)
    assert breathing_volume(7.0, p) == pytest.approx(0.5)
    assert breathing_volume(10.0, p) == pytest.approx(0.0)
    assert breathing_volume(1.0, p) == pytest.approx(0.5 - 0.5 * math.cos(math.pi / 4))


def test_stage_and_time_remaining() -> None:
    pacer = Pacer(BreathPattern(6.0, inhale=4, hold_in=2, exhale=4, hold_out=0))
    s = pacer.state(5.0)
    assert s.stage == "hold_in"
    assert s.volume == 1.0
    assert s.stage_remaining_s == pytest.approx(1.0)
    assert pacer.state(7.0).stage == "out"


@given(
    t=st.floats(0.5, 600.0),
    rate1=st.floats(3.0, 10.0),
    rate2=st.floats(3.0, 10.0),
    ratio=st.sampled_from(["4:6", "5:5", "3:7", "4:2:6:0", "4:4:4:4"]),
)
def test_pace_change_keeps_the_curve_continuous(
    t: float, rate1: float, rate2: float, ratio: str
) -> None:
    pacer = Pacer(BreathPattern(rate1))
    before = pacer.volume(t)
    pacer.set_pattern(t, BreathPattern.with_ratio(rate2, ratio))
    assert pacer.volume(t) == pytest.approx(before, abs=1e-9)
    # and it goes on at the new rate
    assert pacer.rate_at(t + 1.0) == rate2


def test_label_round_trips() -> None:
    for text in ["6.0 4:6", "5.5 4:2:6:0"]:
        assert BreathPattern.parse(text).label() == text
    with pytest.raises(ValueError, match="outside"):
        BreathPattern(12.0)


@given(
    t_pause=st.floats(1.0, 100.0),
    pause_s=st.floats(0.1, 50.0),
    after_s=st.floats(0.0, 30.0),
    rate=st.floats(3.0, 10.0),
)
def test_pause_holds_the_curve_and_resume_goes_on_from_there(
    t_pause: float, pause_s: float, after_s: float, rate: float
) -> None:
    pacer = Pacer(BreathPattern(rate))
    reference = Pacer(BreathPattern(rate))
    pacer.pause(t_pause)
    assert pacer.volume(t_pause + pause_s) == pytest.approx(reference.volume(t_pause))
    pacer.resume(t_pause + pause_s)
    # after the pause the breath is where it would have been without it, shifted by the pause
    t = t_pause + pause_s + after_s
    assert pacer.volume(t) == pytest.approx(reference.volume(t - pause_s), abs=1e-9)
    assert pacer.segments() == reference.segments()


def test_scheduled_steps_keep_their_times_and_continue_from_the_held_breath() -> None:
    pacer = Pacer(BreathPattern(6.5))
    pacer.set_pattern(60.0, BreathPattern(6.0))
    pacer.pause(30.0)
    pacer.set_pattern(35.0, BreathPattern(5.0))  # asked for while paused: starts on resume
    pacer.resume(40.0)
    assert [(t, p.rate_bpm) for t, p in pacer.segments()] == [(0.0, 6.5), (40.0, 5.0), (60.0, 6.0)]
    before = pacer.volume(60.0 - 1e-9)
    assert pacer.volume(60.0) == pytest.approx(before, abs=1e-6)
