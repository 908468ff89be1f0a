"""Capacity over weeks: kept results as series for the trend panels and a line for the list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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


def _store_with_capacity(data_dir: Path) -> None:
    from hrvcoach.store import HistoryStore

    now = datetime.now().astimezone().replace(hour=7, minute=0, second=0, microsecond=0)
    with HistoryStore.open(data_dir) as store:
        for i in range(10):
            when = now - timedelta(days=9 - i)
            ln = 3.8 + 0.03 * (i % 3)
            store.add_capacity(protocol="resting", time=when, values={"ln_rmssd": ln})
            if i % 3 == 0:
                values = {"tau_s": 50.0 - i, "hrr60_bpm": 20.0 + i}
                store.add_capacity(protocol="recovery", time=when, values=values)
        store.add_capacity(protocol="deep_breathing", time=now, values={"hr_diff_bpm": 16.0})


def test_trends_pictures_carry_the_capacity_panels(
    data_dir: Path, tmp_path: Path, artifacts_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import matplotlib.image as mpimg

    from hrvcoach.cli import main

    plain = tmp_path / "plain.png"
    assert main(["trends", "--png", str(plain)]) == 0
    _store_with_capacity(data_dir)
    png, page = artifacts_dir / "trends-capacity.png", tmp_path / "t.html"
    assert main(["trends", "--png", str(png), "--html", str(page), "--no-window"]) == 0
    # the capacity page (9 in at 110 dpi) under the practice page
    assert mpimg.imread(png).shape[0] >= mpimg.imread(plain).shape[0] + 900
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 2
    assert "Resting check: ln RMSSD" in text
    capsys.readouterr()
    assert main(["trends", "--no-window"]) == 0
    out = capsys.readouterr().out
    assert "Resting ln RMSSD: 3.80 ln ms" in out
    assert "Recovery time constant tau: 41 s" in out


def test_the_trends_window_shows_capacity_under_the_practice(
    data_dir: Path, artifacts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from hrvcoach import reports
    from hrvcoach.gui.trends_window import TrendsWindow
    from hrvcoach.store import HistoryStore

    _store_with_capacity(data_dir)
    with HistoryStore.open(data_dir) as store:
        checks = store.capacity_results()
    trends = reports.compute_trends([])
    app = QApplication.instance() or QApplication([])
    window = TrendsWindow(trends)
    assert window.capacity.isHidden()  # nothing to show yet
    window.set_trends(replace(trends, capacity=capacity_trends(checks, since=trends.first_day)))
    window.show()
    app.processEvents()
    assert not window.capacity.isHidden()
    assert "3.80 ln ms" in window.capacity.plots[0].titleLabel.text
    assert window.grab().save(str(artifacts_dir / "trends-window-capacity.png"))
    window.close()


def test_natural_phases_show_no_breath_to_follow() -> None:
    from hrvcoach.gui.guide import natural_at
    from hrvcoach.protocols import capacity

    phases = capacity.recovery_plan(recover_with="pacer")
    assert natural_at(phases, 10.0)  # baseline: breathe at your own rate
    assert natural_at(phases, 150.0)  # activation
    assert not natural_at(phases, 200.0)  # recovery with the pacer
    assert not natural_at(capacity.deep_breathing_plan(), 10.0)
