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
