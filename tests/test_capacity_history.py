"""Capacity over weeks: kept results as series for the trend panels and a line for the list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hrvcoach.protocols.history import CapacityResult, capacity_trends, latest_check_line

DAY0 = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)


def _resting(day: int, ln: float, *, simulated: bool = False) -> CapacityResult:
    values = {"ln_rmssd": ln, "verdict": "within your usual range"}
    return CapacityResult(DAY0 + timedelta(days=day), "resting", values, simulated)


def test_resting_series_carries_the_baseline_and_band_as_they_stood() -> None:
    results = [_resting(d, 3.8 + 0.05 * (d % 4)) for d in range(12)]
    results.append(_resting(3, 9.9, simulated=True))  # never mixed with a person's own
    trends = capacity_trends(results)
    rest = trends.resting_ln_rmssd
    assert len(rest.values) == 12
    assert 9.9 not in rest.values
    assert rest.band_low[:6] == (None,) * 6  # no band before 7 days of readings
    assert rest.band_low[6] is not None
    assert rest.band_high[6] is not None
    assert rest.band_low[6] < rest.baseline[6] < rest.band_high[6]  # type: ignore[operator]
    assert rest.baseline[0] == pytest.approx(3.8)


def test_recovery_and_deep_breathing_series_keep_only_real_numbers() -> None:
    results = [
        CapacityResult(DAY0, "recovery", {"tau_s": 42.0, "hrr60_bpm": 25.0}),
        CapacityResult(DAY0 + timedelta(days=2), "recovery", {"tau_s": None, "hrr60_bpm": 28}),
        CapacityResult(DAY0, "deep_breathing", {"hr_diff_bpm": 17.5}),
    ]
    trends = capacity_trends(results)
    assert trends.recovery_tau.values == (42.0,)
    assert trends.recovery_hrr60.values == (25.0, 28.0)
    assert trends.deep_breathing_hr_diff.values == (17.5,)
    assert not trends.empty
    assert capacity_trends([]).empty


def test_latest_check_line_speaks_plainly() -> None:
    results = [_resting(0, 3.7), _resting(4, 3.9)]
    line = latest_check_line(results, date(2026, 3, 6))
    assert line == "Latest resting check (yesterday): ln RMSSD 3.90, within your usual range."
    assert latest_check_line([], date(2026, 3, 6)) is None
