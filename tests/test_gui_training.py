"""The practice window as a trainer: the Today panel before Start, the coherence zone in colour
and the level live, the swing per breath, the calm view, and the wins on the end screen.

The window is real (offscreen) and so is the session (the simulator); the training values come
through the runner as the composition root hands them. Screenshots land in test-artifacts/ for a
person to look at.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from hrvcoach.drivers.simulated import SimParams, SimulatedSource
from hrvcoach.gui import theme
from hrvcoach.gui.bridge import SessionRunner
from hrvcoach.gui.training_view import (
    ZONE_COLORS,
    live_view,
    today_view,
    wins_view,
    zone_color,
)
from hrvcoach.gui.window import PracticeWindow
from hrvcoach.gui.zones import ZoneRuns, ZoneStrip, zone_changes
from hrvcoach.live import LiveHrv
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session, SessionResult
from hrvcoach.timing import Playback
from hrvcoach.training import SessionFacts, Today, Zone, session_outcome, today
from hrvcoach.training.live import SessionTraining, TrainingLive

SIZES = [(1280, 800), (1366, 768), (900, 600)]


# -- the training core, on a history of its own ---------------------------------------------------
TZ = timezone(timedelta(hours=1))
ON = date(2026, 12, 4)


def past_sessions() -> list[SessionFacts]:
    """Four days of practice up to ``ON``: a streak, a 7-day mean and bests to compare with."""
    return [
        SessionFacts(
            start=datetime(2026, 12, day, 7, 30, tzinfo=TZ),
            minutes=minutes,
            beats=600,
            level=1,
            low_pct=10.0,
            medium_pct=20.0,
            high_pct=70.0,
            points=80,
            swing_mean_bpm=swing,
            swing_best_bpm=swing + 4.0,
            coherence=coherence,
            rmssd_ms=40.0,
        )
        for day, minutes, swing, coherence in (
            (1, 10.0, 10.0, 1.8),
            (2, 10.0, 11.0, 2.0),
            (3, 8.0, 9.5, 1.6),
            (4, 4.0, 10.5, 1.9),  # earlier today: 4 of the 10 minutes are done
        )
    ]


def the_day(history: list[SessionFacts] | None = None) -> Today:
    """The day as the composition root hands it to the window before Start."""
    return today(
        past_sessions() if history is None else history,
        ON,
        pace_bpm=5.5,
        pace_source="assessment 2026-11-22",
    )


def judge_on(history: list[SessionFacts], calls: list[int | None] | None = None):
    """A judge like the composition root's: the session just run, against ``history``."""

    def judge(result: SessionResult, summary: object, after: int | None, before: int | None = None):
        if calls is not None:
            calls.append(after)
        session_training = judge.session.training
        trained = session_training.result()
        zones = trained.zones
        this = SessionFacts(
            start=datetime(2026, 12, 4, 8, 0, tzinfo=TZ),
            minutes=result.t_s / 60.0,
            beats=result.beats,
            level=trained.level,
            low_pct=zones.pct(Zone.LOW) if zones.total_s else None,
            medium_pct=zones.pct(Zone.MEDIUM) if zones.total_s else None,
            high_pct=zones.pct(Zone.HIGH) if zones.total_s else None,
            points=zones.points,
            swing_mean_bpm=trained.swing.mean_bpm,
            swing_best_bpm=trained.swing.best_bpm,
            coherence=result.final_metrics.coherence if result.final_metrics else None,
            stress_before=before if before is not None else 6,
            stress_after=after,
        )
        return session_outcome(this, history)

    judge.session = None  # type: ignore[attr-defined]
    return judge


def sim_session(duration_s: float, *, speed: float | None = None, level: int = 1) -> Session:
    """A simulated session that tracks training, as fast as possible or ``speed`` x real time."""
    pacer = Pacer(BreathPattern(6.0))
    playback = Playback(fast=True) if speed is None else Playback(speed=speed)
    source = SimulatedSource(SimParams(seed=3), pacer=pacer, playback=playback)
    return Session(
        source,
        pacer=pacer,
        live=LiveHrv(),
        duration_s=duration_s,
        keep_events=True,
        training=SessionTraining(level, pacer),
    )


def plain_session(duration_s: float) -> Session:
    pacer = Pacer(BreathPattern(6.0))
    source = SimulatedSource(SimParams(seed=3), pacer=pacer, playback=Playback(fast=True))
    return Session(source, pacer=pacer, live=LiveHrv(), duration_s=duration_s, keep_events=True)


@pytest.fixture
def make_window(qtbot) -> Iterator[Callable[..., PracticeWindow]]:
    made: list[PracticeWindow] = []

    def make(
        session: Session,
        *,
        size: tuple[int, int] = (1280, 800),
        today: object | None = None,
        outcome: Callable[[SessionResult, object, int | None], object] | None = None,
        autostart: bool = True,
        calm: bool = False,
        latest_check: str | None = None,
    ) -> PracticeWindow:
        runner = SessionRunner(session)
        runner.today = today  # type: ignore[attr-defined]
        runner.latest_check = latest_check
        runner.training_outcome = outcome  # type: ignore[attr-defined]
        if outcome is not None and hasattr(outcome, "session"):
            outcome.session = session  # type: ignore[attr-defined]
        window = PracticeWindow(runner, title="Practice · test", autostart=autostart, calm=calm)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.runner.stop()
        assert window.runner.wait(20.0), "the session thread did not end"


def wait_frames(qtbot, window: PracticeWindow, n: int = 3) -> None:
    """Let ``n`` frames pass, then lay out what the last one changed (as a screenshot would)."""
    start = window.stats.frames
    qtbot.waitUntil(lambda: window.stats.frames >= start + n, timeout=5000)
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def pixel(path: Path, x: int, y: int) -> QColor:
    img = QImage(str(path))
    assert not img.isNull()
    return img.pixelColor(x, y)


def shows_color(path: Path, color: str, *, near: int = 12) -> bool:
    """Whether any pixel of the picture is within ``near`` of ``color`` in every channel."""
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    want = QColor(color)
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = img.pixelColor(x, y)
            if (
                abs(c.red() - want.red()) <= near
                and abs(c.green() - want.green()) <= near
                and abs(c.blue() - want.blue()) <= near
            ):
                return True
    return False


# -- plain values ----------------------------------------------------------------------------------
def test_zone_colours_are_three_and_lighter_as_coherence_rises() -> None:
    lightness = [QColor(ZONE_COLORS[z]).lightnessF() for z in ("low", "medium", "high")]
    assert lightness == sorted(lightness)
    assert len(set(lightness)) == 3
    assert zone_color("high") == theme.ZONE_HIGH
    assert zone_color(None) is None


def test_live_view_words_the_zone_level_and_swing() -> None:
    snapshot = TrainingLive(
        level=2,
        zone=Zone.MEDIUM,
        zone_t_s=65.0,
        coherence=1.2,
        swing_bpm=11.96,
        swing_mean_bpm=10.04,
        swing_best_bpm=14.0,
    )
    view = live_view(snapshot)
    assert view.zone == "medium"
    assert view.color == theme.ZONE_MEDIUM
    assert view.zone_text == "medium zone · level 2"
    assert view.swing_bpm == pytest.approx(11.96)
    assert view.swing_text == "mean 10.0  ·  best 14.0 bpm"
    assert live_view(TrainingLive(level=1, frozen=True)).zone_text.endswith("on hold")
    assert live_view(TrainingLive(level=1)).zone is None


def test_today_view_words_the_goal_streak_and_plan() -> None:
    view = today_view(the_day())
    assert view.goal_fraction == pytest.approx(0.4)
    assert view.goal_text == "4 of 10 min"
    assert view.goal_note == "6 minutes to today's goal"
    assert view.streak_text == "4-day streak"
    assert view.level_text == "Level 1"
    assert view.plan_text == "5 minutes at 5.5 breaths/min"
    assert view.progress_text == "0 of 3 sessions at 80 % high toward level 2"
    assert view.note is None
    first = today_view(the_day([]))
    assert first.goal_fraction == 0.0
    assert first.goal_note == "Today's first session"
    assert first.streak_text.startswith("A new streak")
    simulated = [dataclasses.replace(f, simulated=True) for f in past_sessions()]
    note = today_view(the_day(simulated)).note
    assert note is not None
    assert "simulated" in note


def test_wins_view_of_a_session_not_counted_has_no_zone_bar() -> None:
    this = SessionFacts(start=datetime(2026, 12, 4, 8, 0, tzinfo=TZ), minutes=0.5, beats=30)
    view = wins_view(session_outcome(this, past_sessions()))
    assert view.headline == "Not counted"
    assert view.zones_pct == (0.0, 0.0, 0.0)
    assert view.wins[0].startswith("Under 1 minute of practice: not counted")


def test_zone_changes_keep_only_the_moments_the_zone_changed() -> None:
    series = [(64.0, "low"), (69.0, "low"), (74.0, "medium"), (79.0, "high"), (84.0, "high")]
    assert zone_changes(series) == [(64.0, "low"), (74.0, "medium"), (79.0, "high")]


def test_the_zone_strip_stops_where_coherence_updates_stop() -> None:
    runs = ZoneRuns(hold_s=7.0)
    for t_s in range(64, 120, 5):  # an update every 5 s, all medium
        runs.take(float(t_s), "medium", frozen=False)
    runs.take(119.0, "medium", frozen=False)  # the same update again: nothing new
    assert runs.spans(100.0) == [(64.0, 100.0, "medium")]  # painted up to now while updates come
    # no beats since 119 s (a lost link, a strap off the chest): the zone holds one refresh
    assert runs.spans(200.0) == [(64.0, 126.0, "medium")]
    # a pause: an update while frozen closes the run, and the same zone after it starts anew
    runs.take(124.0, "medium", frozen=True)
    runs.take(160.0, "medium", frozen=False)
    runs.take(165.0, "high", frozen=False)
    assert runs.spans(166.0) == [
        (64.0, 119.0, "medium"),
        (160.0, 165.0, "medium"),
        (165.0, 166.0, "high"),
    ]
    # a session that ran its whole length fills the strip to its end
    assert runs.spans(290.0, to_end_s=300.0)[-1] == (165.0, 300.0, "high")
    # a silence with the link up (no beats, nothing frozen) stays a gap when the zone comes back
    quiet = ZoneRuns(hold_s=7.0)
    for t_s in (70.0, 75.0, 80.0, 145.0):
        quiet.take(t_s, "high", frozen=False)
    assert quiet.spans(150.0) == [(70.0, 87.0, "high"), (145.0, 150.0, "high")]


def test_the_zone_strip_paints_no_zone_over_time_without_updates(qtbot) -> None:
    strip = ZoneStrip()
    qtbot.addWidget(strip)
    strip.resize(300, ZoneStrip.HEIGHT_PX)
    runs = ZoneRuns()
    for t_s in range(64, 120, 5):
        runs.take(float(t_s), "high", frozen=False)
    strip.show_zones(runs.spans(200.0), 200.0, 300.0)  # 1 px a second
    image = strip.grab().toImage()
    y = ZoneStrip.HEIGHT_PX // 2
    assert image.pixelColor(100, y).name() == QColor(ZONE_COLORS["high"]).name()
    assert image.pixelColor(180, y).name() == QColor(theme.PANEL_EDGE).name()  # nothing came


# -- the window ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_window_opens_on_the_today_panel(qtbot, make_window, artifacts_dir, size) -> None:
    check = "Latest resting check (yesterday): ln RMSSD 3.90, within your usual range."
    window = make_window(
        sim_session(60.0), size=size, today=the_day(), autostart=False, latest_check=check
    )
    wait_frames(qtbot, window)
    panel = window.today_panel
    assert panel is not None
    assert panel.isVisible()
    assert panel.check.isVisible()
    assert panel.check.text() == check
    assert not window.numbers.isVisible()  # the numbers wait for Start
    assert panel.ring.fraction == pytest.approx(0.4)
    assert panel.streak.text() == "4-day streak"
    assert panel.level.text() == "Level 1"
    assert panel.plan.text() == "5 minutes at 5.5 breaths/min"
    assert window.header.level_label.text() == "Level 1"
    for label in (panel.streak, panel.level, panel.plan):
        assert label.width() >= label.sizeHint().width() - 1, label.text()
    assert panel.check.height() >= panel.check.heightForWidth(panel.check.width()) - 1
    assert (window.width(), window.height()) == size
    path = artifacts_dir / f"gui_today_{size[0]}x{size[1]}.png"
    assert window.grab().save(str(path))
    # the ring's arc is drawn in the breathing colour (the goal is not reached yet)
    assert shows_color(path, theme.BREATH, near=6)
    window.start_session()
    wait_frames(qtbot, window)
    assert panel.isHidden()
    assert not window.numbers.isHidden()


def test_the_today_panel_says_nothing_of_a_check_never_made(qtbot, make_window) -> None:
    window = make_window(sim_session(60.0), today=the_day(), autostart=False)
    wait_frames(qtbot, window)
    assert window.today_panel is not None
    assert window.today_panel.check.isHidden()


def test_no_today_panel_without_a_day(qtbot, make_window) -> None:
    window = make_window(plain_session(30.0), autostart=False)
    wait_frames(qtbot, window)
    assert window.today_panel is None
    assert window.numbers.isVisible()
    assert not window.zone_strip.isVisible()  # no training tracked: no strip, the tiles as before
    assert window.rmssd_tile.isVisible()
    assert not window.swing_tile.isVisible()


@pytest.mark.parametrize("size", [(1280, 800), (900, 600)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_zone_colours_the_coherence_tile_pacer_and_strip(
    qtbot, make_window, artifacts_dir, size
) -> None:
    # level 4 asks the most of coherence: this simulated person crosses zones there
    session = sim_session(300.0, level=4)
    window = make_window(session, size=size, today=the_day())
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    # the zones seen live are on the strip, in order, and the tile took the last one's colour
    changes = window.zone_strip.changes
    assert changes
    assert {z for _, z in changes} <= {"low", "medium", "high"}
    assert [z for _, z in changes] == [z for _, z in zone_changes(changes)]
    # every zone the session's tracker saw is on the strip, in the order it saw them
    seen = zone_changes([(t_s, z.value) for t_s, z in session.training.zone_series()])
    assert [z for _, z in changes] == [z for _, z in seen]
    last = session.training.snapshot
    assert window.coh_tile.accent == ZONE_COLORS[last.zone.value]
    assert window.coh_tile.unit.text() == f"{last.zone.value} zone"
    assert window.coh_tile.caption.text() == "Coherence  ·  level 4"
    assert window.header.level_label.text() == "Level 4"
    assert window.swing_tile.value.text() == f"{last.swing_bpm:.1f}"
    assert window.pacer.ring_color is None  # the session is over: the ring is plain again
    if window.result.ended_by == "duration":  # it ran its whole length: the strip is full
        assert window.zone_strip._now_s == pytest.approx(300.0)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mid_session_shows_the_zone_live(qtbot, make_window, artifacts_dir, size) -> None:
    window = make_window(sim_session(600.0, speed=10.0), size=size, today=the_day())
    qtbot.waitUntil(lambda: len(window.zone_strip.changes) >= 1, timeout=60000)
    qtbot.waitUntil(lambda: window.swing_tile.value.text() != "–", timeout=20000)
    wait_frames(qtbot, window, 6)
    # what the window has taken in (on its own thread, in frames) is what it shows
    zone = window.training.latest.zone.value
    assert window.pacer.ring_color == QColor(ZONE_COLORS[zone]).name()
    assert window.coh_tile.accent == ZONE_COLORS[zone]
    assert (window.width(), window.height()) == size
    path = artifacts_dir / f"gui_zones_{size[0]}x{size[1]}.png"
    assert window.grab().save(str(path))
    assert shows_color(path, ZONE_COLORS[zone], near=4)
    for tile in (window.hr_tile, window.swing_tile, window.coh_tile, window.time_tile):
        for label in (tile.caption, tile.value, tile.detail):
            assert label.width() >= label.sizeHint().width() - 1, label.text()
    window.runner.stop()


def test_calm_mode_shows_only_the_pacer_and_the_zone(qtbot, make_window, artifacts_dir) -> None:
    window = make_window(sim_session(600.0, speed=10.0), today=the_day(), calm=True)
    qtbot.waitUntil(lambda: len(window.zone_strip.changes) >= 1, timeout=60000)
    wait_frames(qtbot, window, 6)
    assert window.calm_check.isChecked()
    assert window.pacer.isVisible()
    assert window.zone_strip.isVisible()
    for widget in (window.numbers, window.plot, window.legend):
        assert not widget.isVisible()
    zone = window.training.latest.zone.value
    assert window.pacer.ring_color == QColor(ZONE_COLORS[zone]).name()
    path = artifacts_dir / "gui_calm_1280x800.png"
    assert window.grab().save(str(path))
    assert shows_color(path, ZONE_COLORS[zone], near=4)
    # the toggle brings the numbers back, and the C key takes them away again
    window.calm_check.setChecked(False)
    wait_frames(qtbot, window)
    assert window.numbers.isVisible()
    assert window.plot.isVisible()
    window._calm_key.activated.emit()
    assert window.calm
    assert not window.numbers.isVisible()
    window.runner.stop()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_end_screen_shows_the_wins(qtbot, make_window, artifacts_dir, size) -> None:
    calls: list[int | None] = []
    judge = judge_on(past_sessions(), calls)
    window = make_window(sim_session(360.0), size=size, today=the_day(), outcome=judge)
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    assert calls == [None]  # judged once at the end, before the check-in
    window.show_stress_after(3)  # the check-in after: the wins are told again with it
    wait_frames(qtbot, window)
    assert calls[-1] == 3
    outcome = window.outcome
    assert outcome is not None
    assert outcome.counted
    assert (window.width(), window.height()) == size  # the wins fit: nothing forces it larger
    wins = window.summary_page.wins
    assert wins.isVisible()
    z = outcome.zones_pct
    assert wins.headline.text().startswith(f"Level 1  ·  {z['high']:.0f} % high")
    assert wins.zone_bar.pct == (z["low"], z["medium"], z["high"])
    lines = wins.wins.text().split("\n")
    assert lines == [f"•  {w}" for w in outcome.wins]
    assert lines[0] == "•  Stress 6 → 3: 3 point(s) calmer."
    assert any("Swing per breath" in w and "7-day mean" in w for w in lines)
    assert any("Today's goal of 10 minutes: reached." in w for w in lines)
    assert any("4-day streak." in w for w in lines)
    assert wins.ring.fraction == 1.0  # 4 minutes earlier today and 6 now
    assert not window.plot.isVisible()  # the trace gives the wins its room
    for word in ("bad", "fail", "poor", "worse"):
        assert word not in wins.wins.text().lower()
    for label in (wins.headline, window.summary_title):
        assert label.width() >= label.sizeHint().width() - 1, label.text()
    assert wins.wins.height() >= wins.wins.heightForWidth(wins.wins.width()) - 1
    path = artifacts_dir / f"gui_end_wins_{size[0]}x{size[1]}.png"
    assert window.grab().save(str(path))
    assert shows_color(path, theme.ZONE_HIGH, near=4)  # the zone bar and the full goal ring


def test_a_short_session_ends_as_not_counted(qtbot, make_window, artifacts_dir) -> None:
    judge = judge_on(past_sessions())
    window = make_window(sim_session(30.0), today=the_day(), outcome=judge)
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    wait_frames(qtbot, window)
    wins = window.summary_page.wins
    assert wins.headline.text() == "Not counted"
    assert not wins.zone_bar.isVisible()
    assert wins.wins.text() == (
        "•  Under 1 minute of practice: not counted. Any session from one minute on counts."
    )
    assert wins.ring.fraction == pytest.approx(0.4)  # it added nothing to today's 4 minutes
    assert window.grab().save(str(artifacts_dir / "gui_end_not_counted_1280x800.png"))


def test_a_judge_that_fails_leaves_the_numbers(qtbot, make_window, caplog) -> None:
    def judge(result: SessionResult, summary: object, after: int | None) -> object:
        raise RuntimeError("history unreadable")

    window = make_window(sim_session(30.0), outcome=judge)
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    assert window.stack.currentWidget() is window.summary_page
    assert not window.summary_page.wins.isVisible()
    assert window.summary_tiles["beats"].value.text() != "–"
    assert "wins could not be worked out" in caplog.text


def test_wins_view_of_a_session_with_no_zone_yet_says_why() -> None:
    # a counted session that ended before coherence had its first value: no three zeros
    this = SessionFacts(
        start=datetime(2026, 12, 4, 8, 0, tzinfo=TZ), minutes=1.0, beats=64, level=1, points=0
    )
    view = wins_view(session_outcome(this, past_sessions()))
    assert view.counted
    assert view.headline == (
        "Level 1  ·  no zones this time: coherence needs about a minute of beats"
    )
    assert view.zones_pct == (0.0, 0.0, 0.0)
    assert "0 %" not in view.headline


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


def test_the_window_check_ins_reach_the_wins_end_to_end(qtbot, artifacts_dir) -> None:
    from PySide6.QtCore import QTimer

    from hrvcoach.gui.app import run_practice_window

    calls: list[tuple[int | None, int | None]] = []
    judge = judge_on(past_sessions())

    def judged(result: SessionResult, summary: object, after: int | None, before=None):
        calls.append((before, after))
        return judge(result, summary, after, before)

    session = sim_session(150.0)
    judge.session = session  # type: ignore[attr-defined]
    timer = QTimer()
    timer.timeout.connect(_answer_dialogs([5, 2]))
    timer.start(50)
    shot = artifacts_dir / "gui_end_wins_run.png"
    shot.unlink(missing_ok=True)
    outcome = run_practice_window(
        session,
        title="Practice · simulator",
        screenshot=shot,
        checkin=True,
        close_when_done_s=0.1,
        today=the_day(),
        training_outcome=judged,
        calm=True,
    )
    timer.stop()
    assert outcome.checkin_before is not None
    assert outcome.checkin_before.stress == 5
    # judged at the end with the answer before Start, then again with the answer after
    assert calls == [(5, None), (5, 2)]
    last = judge(outcome.result, None, 2, 5)
    assert last.wins[0] == "Stress 5 → 2: 3 point(s) calmer."
    # the screenshot is of the end screen, with its zone bar drawn (calm mode ends there too)
    assert shows_color(shot, theme.ZONE_HIGH, near=4)


def test_calm_reaches_the_window_from_the_command_line(data_dir, monkeypatch, capsys) -> None:
    import hrvcoach.gui.app as app
    from hrvcoach.cli import main

    seen: dict[str, object] = {}

    def fake_window(session: Session, **kwargs: object) -> app.WindowOutcome:
        seen.update(kwargs)
        return app.WindowOutcome(result=None, checkin_before=None, checkin_after=None)

    monkeypatch.setattr(app, "run_practice_window", fake_window)
    monkeypatch.setattr("hrvcoach.display.window_possible", lambda: True)
    main(["demo", "--fast", "--minutes", "1", "--calm", "--no-checkin"])
    assert seen["calm"] is True
    assert seen["today"] is not None  # the Today panel gets the day
    assert callable(seen["training_outcome"])
    seen.clear()
    main(["demo", "--fast", "--minutes", "1", "--no-checkin"])
    assert seen["calm"] is False


def test_before_the_first_zone_the_tile_says_why_it_has_no_colour(qtbot) -> None:
    from hrvcoach.gui.tiles import LiveNumbers

    numbers = LiveNumbers(training=True)
    qtbot.addWidget(numbers)
    numbers.show_training(live_view(TrainingLive(level=3)))
    assert numbers.coh_tile.accent is None
    assert numbers.coh_tile.detail.text() == "zones start after about a minute of beats"
    assert numbers.coh_tile.caption.text() == "Coherence  ·  level 3"
    numbers.show_training(live_view(TrainingLive(level=3, zone=Zone.LOW, zone_t_s=64.0)))
    assert numbers.coh_tile.accent == theme.ZONE_LOW
    assert numbers.coh_tile.unit.text() == "low zone"
