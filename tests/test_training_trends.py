"""The training trends: minutes in the high zone, swing per breath, level over time and the days
the goal was met, as numbers, in the PNG, the HTML page and the trends window."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from test_reports import assert_picture, row

from hrvcoach import reports
from hrvcoach.store import SessionRow

CET = timezone(timedelta(hours=1))
TODAY = date(2026, 11, 22)


def trained_history() -> list[SessionRow]:
    """Four weeks: ten minutes most days, the high zone and the swing growing, two level-ups."""
    rows = []
    for i, days_ago in enumerate(range(27, -1, -1)):
        if days_ago % 7 == 3:
            continue  # a rest day a week
        progress = (27 - days_ago) / 27
        start = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(
            hour=7, tzinfo=CET
        )
        minutes = 12.0 if days_ago % 2 else 6.0
        base = row(i + 1, start, minutes=minutes)
        rows.append(
            dataclasses.replace(
                base,
                practice_s=minutes * 60,
                counted=True,
                level=1 if progress < 0.4 else 2 if progress < 0.8 else 3,
                zone_low_pct=10.0,
                zone_high_pct=40 + 50 * progress,
                zone_medium_pct=50 - 50 * progress,
                achievement_points=100,
                swing_mean_bpm=8 + 6 * progress,
                swing_best_bpm=12 + 6 * progress,
            )
        )
    return rows


def test_trends_carry_the_training_series() -> None:
    rows = trained_history()
    t = reports.compute_trends(rows, today=TODAY, days=28, goal_minutes=10)
    n = len(rows)
    assert len(t.sessions) == n
    first, last = rows[0], rows[-1]
    assert t.minutes_in_high.values[0] == pytest.approx(first.minutes * first.zone_high_pct / 100)
    assert t.minutes_in_high.values[-1] == pytest.approx(last.minutes * last.zone_high_pct / 100)
    assert t.swing.values[-1] == pytest.approx(14.0)
    assert list(np.unique(t.level.values)) == [1.0, 2.0, 3.0]
    assert len(t.goal_days) == 28
    met = sum(1 for r in rows if r.minutes >= 10)
    assert t.goal_days_met == met
    text = reports.trends_text(t)
    assert f"Daily goal (10 min) met on {met} of 28 day(s)" in text
    assert "Level: 3 in the latest session (from 1)" in text
    assert "swing      first week" in text


def test_sessions_under_a_minute_are_left_out_of_the_trends() -> None:
    rows = trained_history()
    short = dataclasses.replace(rows[-1], id=999, duration_s=20.0, practice_s=20.0)
    t = reports.compute_trends([*rows, short], today=TODAY, days=28)
    assert len(t.sessions) == len(rows)
    assert t.not_counted == 1
    assert "1 session(s) under a minute or without beats not counted" in reports.trends_text(t)


def test_the_training_panels_are_drawn_in_the_png_html_and_window(
    qtbot, artifacts_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from hrvcoach.gui.trends_window import TrendsWindow

    t = reports.compute_trends(trained_history(), today=TODAY, days=28)
    png = artifacts_dir / "trends-training.png"
    reports.write_trends_png(t, png)
    assert_picture(png)
    html = tmp_path / "t.html"
    reports.write_trends_html(t, html)
    page = html.read_text()
    for title in (
        "Minutes in the high coherence zone",
        "Heart-rate swing per breath",
        "Challenge level",
        "Days the daily goal was met",
    ):
        assert title in page
    window = TrendsWindow(t)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for key in ("high", "swing", "level", "goal"):
        assert window.plots[key].listDataItems() or window.plots[key].items
    assert "level 3" in window.plots["level"].titleLabel.text
    shot = artifacts_dir / "trends-window-training.png"
    assert window.grab().save(str(shot))
    assert_picture(shot)


def test_sessions_without_zones_are_not_called_no_sessions() -> None:
    """Imported sessions, or those from before zones, have no training numbers: the panels say
    that, rather than "no sessions yet" under a history full of them."""
    import matplotlib

    matplotlib.use("Agg")
    rows = [
        dataclasses.replace(r, level=None, zone_high_pct=None, swing_mean_bpm=None)
        for r in trained_history()
    ]
    fig = reports.trends_figure(reports.compute_trends(rows, today=TODAY, days=28))
    said = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"no sessions with zones yet", "no sessions with a swing yet"} <= said
    assert "no sessions yet" not in said
    empty = reports.trends_figure(reports.compute_trends([], today=TODAY, days=28))
    assert "no sessions yet" in {t.get_text() for ax in empty.axes for t in ax.texts}


def test_on_a_laptop_screen_the_trends_panels_scroll_rather_than_shrink(
    qtbot, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from hrvcoach.gui.trends_window import TrendsWindow

    window = TrendsWindow(reports.compute_trends(trained_history(), today=TODAY, days=28))
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    # every main panel keeps room for its line (a title, about 100 px of data, its dates)
    for key in ("rmssd", "coherence", "high", "swing", "hr"):
        assert window.plots[key].height() >= 110, key
    bar = window.panels.verticalScrollBar()
    assert bar.maximum() > 0  # the rest is a scroll away
    assert window.plots["rmssd"].getAxis("bottom").style["showValues"]
    top = artifacts_dir / "trends-window-1280x720.png"
    assert window.grab().save(str(top))
    assert_picture(top)
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    bottom = artifacts_dir / "trends-window-1280x720-scrolled.png"
    assert window.grab().save(str(bottom))
    assert_picture(bottom)
