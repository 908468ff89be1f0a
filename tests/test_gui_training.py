"""The practice window as a trainer: the Today panel before Start, the coherence zone in colour
and the level live, the swing per breath, the calm view, and the wins on the end screen.

The window is real (offscreen) and so is the session (the simulator); the training values come
through the runner as the composition root hands them. Screenshots land in test-artifacts/ for a
person to look at.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtGui import QColor, QImage

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
from hrvcoach.gui.zones import zone_changes
from hrvcoach.live import LiveHrv
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session, SessionResult, SessionUpdate
from hrvcoach.timing import Playback

SIZES = [(1280, 800), (1366, 768), (900, 600)]


# -- training values shaped as the training core hands them ----------------------------------------
@dataclass(frozen=True)
class Plan:
    minutes: float = 7.0
    pace_bpm: float = 5.5


@dataclass(frozen=True)
class Day:
    goal_minutes: float = 10.0
    practised_minutes: float = 4.0
    streak_days: int = 3
    level: int = 2
    level_progress: str = "1 of 3 sessions at 80 % high toward level 3"
    plan: Plan = field(default_factory=Plan)
    simulated_only: bool = False

    def note(self) -> str | None:
        if self.simulated_only:
            return "No session with a strap yet: these numbers come from simulated sessions."
        return None


@dataclass(frozen=True)
class Snapshot:
    level: int
    zone: str | None = None
    zone_t_s: float | None = None
    coherence: float | None = None
    swing_bpm: float | None = None
    swing_mean_bpm: float | None = None
    swing_best_bpm: float | None = None
    frozen: bool = False


@dataclass(frozen=True)
class Outcome:
    counted: bool
    level: int
    zones_pct: dict[str, float]
    achievement_points: int
    wins: tuple[str, ...]
    today: Day


class ThresholdTraining:
    """Zones by two thresholds and the swing of each 10 s breath, from the session's updates:
    enough of a tracker to drive the views the way the session's own tracker does."""

    def __init__(self, level: int = 2, medium: float = 0.6, high: float = 1.5) -> None:
        self.level, self.medium, self.high = level, medium, high
        self.snapshot = Snapshot(level)
        self._spectral_t: float | None = None
        self._breath_hr: list[float] = []
        self._breath = 0
        self._swings: list[float] = []

    def update(self, update: SessionUpdate) -> Snapshot:
        m, event = update.metrics, update.event
        snap = self.snapshot
        hr = getattr(event, "instant_hr_bpm", None)
        if hr is not None:
            breath = int(event.t_s // 10.0)
            if breath != self._breath and len(self._breath_hr) >= 3:
                self._swings.append(max(self._breath_hr) - min(self._breath_hr))
                self._breath_hr = []
                snap = dataclasses.replace(
                    snap,
                    swing_bpm=self._swings[-1],
                    swing_mean_bpm=sum(self._swings) / len(self._swings),
                    swing_best_bpm=max(self._swings),
                )
            self._breath = breath
            self._breath_hr.append(hr)
        if m is not None and m.coherence is not None and m.spectral_t_s != self._spectral_t:
            self._spectral_t = m.spectral_t_s
            c = m.coherence
            zone = "high" if c >= self.high else "medium" if c >= self.medium else "low"
            snap = dataclasses.replace(snap, zone=zone, zone_t_s=m.spectral_t_s, coherence=c)
        self.snapshot = snap
        return snap


def sim_session(duration_s: float, *, speed: float | None = None) -> Session:
    """A simulated session, as fast as possible, or at ``speed`` times real time."""
    pacer = Pacer(BreathPattern(6.0))
    playback = Playback(fast=True) if speed is None else Playback(speed=speed)
    source = SimulatedSource(SimParams(seed=3), pacer=pacer, playback=playback)
    return Session(source, pacer=pacer, live=LiveHrv(), duration_s=duration_s, keep_events=True)


def with_training(session: Session, tracker: ThresholdTraining) -> Session:
    """Hand each update's training snapshot to the window, as the session's tracker does."""
    session.training = tracker  # type: ignore[attr-defined]
    return session


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
    ) -> PracticeWindow:
        runner = SessionRunner(session)
        runner.today = today  # type: ignore[attr-defined]
        runner.training_outcome = outcome  # type: ignore[attr-defined]
        tracker = getattr(session, "training", None)
        if isinstance(tracker, ThresholdTraining):
            inbox = runner.inbox
            plain = inbox.on_update

            def on_update(update: SessionUpdate) -> None:
                snapshot = tracker.update(update)
                if getattr(update, "training", None) is None:
                    update = _Update(update, snapshot)  # type: ignore[assignment]
                plain(update)

            inbox.on_update = on_update  # type: ignore[method-assign]
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


class _Update:
    """A session update with a training snapshot attached."""

    def __init__(self, update: SessionUpdate, training: Snapshot) -> None:
        self._update = update
        self.training = training

    def __getattr__(self, name: str) -> object:
        return getattr(self._update, name)


def wait_frames(qtbot, window: PracticeWindow, n: int = 3) -> None:
    start = window.stats.frames
    qtbot.waitUntil(lambda: window.stats.frames >= start + n, timeout=5000)


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
    view = live_view(Snapshot(2, "medium", 65.0, 1.2, 11.96, 10.04, 14.0))
    assert view.zone == "medium"
    assert view.color == theme.ZONE_MEDIUM
    assert view.zone_text == "medium zone · level 2"
    assert view.swing_text == "mean 10.0  ·  best 14.0 bpm"
    assert live_view(Snapshot(1, frozen=True)).zone_text.endswith("on hold")


def test_today_view_words_the_goal_streak_and_plan() -> None:
    view = today_view(Day())
    assert view.goal_fraction == pytest.approx(0.4)
    assert view.goal_text == "4 of 10 min"
    assert view.goal_note == "6 minutes to today's goal"
    assert view.streak_text == "3-day streak"
    assert view.level_text == "Level 2"
    assert view.plan_text == "7 minutes at 5.5 breaths/min"
    assert view.progress_text.startswith("1 of 3 sessions")
    done = today_view(Day(practised_minutes=12.0, streak_days=0, simulated_only=True))
    assert done.goal_fraction == 1.0
    assert "reached" in done.goal_note
    assert done.streak_text.startswith("A new streak")
    assert done.note is not None
    assert "simulated" in done.note


def test_wins_view_of_a_session_not_counted_has_no_zone_bar() -> None:
    outcome = Outcome(
        False, 1, {"low": 100.0, "medium": 0.0, "high": 0.0}, 0, ("Under 1 minute...",), Day()
    )
    view = wins_view(outcome)
    assert view.headline == "Not counted"
    assert view.zones_pct == (0.0, 0.0, 0.0)


def test_zone_changes_keep_only_the_moments_the_zone_changed() -> None:
    series = [(64.0, "low"), (69.0, "low"), (74.0, "medium"), (79.0, "high"), (84.0, "high")]
    assert zone_changes(series) == [(64.0, "low"), (74.0, "medium"), (79.0, "high")]


# -- the window ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_window_opens_on_the_today_panel(qtbot, make_window, artifacts_dir, size) -> None:
    session = with_training(sim_session(60.0), ThresholdTraining())
    window = make_window(session, size=size, today=Day(), autostart=False)
    wait_frames(qtbot, window)
    panel = window.today_panel
    assert panel is not None
    assert panel.isVisible()
    assert not window.numbers.isVisible()  # the numbers wait for Start
    assert panel.ring.fraction == pytest.approx(0.4)
    assert panel.streak.text() == "3-day streak"
    assert panel.level.text() == "Level 2"
    assert panel.plan.text() == "7 minutes at 5.5 breaths/min"
    assert window.header.level_label.text() == "Level 2"
    for label in (panel.streak, panel.level, panel.plan):
        assert label.width() >= label.sizeHint().width() - 1, label.text()
    assert (window.width(), window.height()) == size
    path = artifacts_dir / f"gui_today_{size[0]}x{size[1]}.png"
    assert window.grab().save(str(path))
    # the ring's arc is drawn in the breathing colour (the goal is not reached yet)
    assert shows_color(path, theme.BREATH, near=6)
    window.start_session()
    wait_frames(qtbot, window)
    assert panel.isHidden()
    assert not window.numbers.isHidden()


def test_no_today_panel_without_a_day(qtbot, make_window) -> None:
    window = make_window(sim_session(30.0), autostart=False)
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
    tracker = ThresholdTraining()
    session = with_training(sim_session(240.0), tracker)
    window = make_window(session, size=size, today=Day())
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    # the zones seen live are on the strip, in order, and the tile took the last one's colour
    changes = window.zone_strip.changes
    assert changes
    assert {z for _, z in changes} <= {"low", "medium", "high"}
    assert [z for _, z in changes] == [z for _, z in zone_changes(changes)]
    last = tracker.snapshot
    assert window.coh_tile.accent == ZONE_COLORS[last.zone]
    assert window.coh_tile.unit.text() == f"{last.zone} zone"
    assert window.coh_tile.caption.text() == "Coherence  ·  level 2"
    assert window.swing_tile.value.text() == f"{last.swing_bpm:.1f}"
    assert window.pacer.ring_color is None  # the session is over: the ring is plain again


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mid_session_shows_the_zone_live(qtbot, make_window, artifacts_dir, size) -> None:
    tracker = ThresholdTraining(medium=0.3, high=0.8)
    session = with_training(sim_session(600.0, speed=40.0), tracker)
    window = make_window(session, size=size, today=Day())
    qtbot.waitUntil(lambda: len(window.zone_strip.changes) >= 1, timeout=60000)
    qtbot.waitUntil(lambda: window.swing_tile.value.text() != "–", timeout=20000)
    wait_frames(qtbot, window, 6)
    zone = tracker.snapshot.zone
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
    tracker = ThresholdTraining(medium=0.3, high=0.8)
    session = with_training(sim_session(600.0, speed=40.0), tracker)
    window = make_window(session, today=Day(), calm=True)
    qtbot.waitUntil(lambda: len(window.zone_strip.changes) >= 1, timeout=60000)
    wait_frames(qtbot, window, 6)
    assert window.calm_check.isChecked()
    assert window.pacer.isVisible()
    assert window.zone_strip.isVisible()
    for widget in (window.numbers, window.plot, window.legend):
        assert not widget.isVisible()
    assert window.pacer.ring_color == QColor(ZONE_COLORS[tracker.snapshot.zone]).name()
    path = artifacts_dir / "gui_calm_1280x800.png"
    assert window.grab().save(str(path))
    assert shows_color(path, ZONE_COLORS[tracker.snapshot.zone], near=4)
    # the toggle brings the numbers back, and the C key takes them away again
    window.calm_check.setChecked(False)
    wait_frames(qtbot, window)
    assert window.numbers.isVisible()
    assert window.plot.isVisible()
    window._calm_key.activated.emit()
    assert window.calm
    assert not window.numbers.isVisible()
    window.runner.stop()


def _outcome_for(window_outcome: list[tuple[int | None]]) -> Callable[..., Outcome]:
    def judge(result: SessionResult, summary: object, after: int | None) -> Outcome:
        window_outcome.append((after,))
        wins = [
            "Swing per breath 12.4 bpm, above your 7-day mean of 10.9.",
            "New personal best: a 19.0 bpm swing in one breath.",
            "Coherence 1.42 (7-day mean 1.50).",
            "64 achievement points, 58 % in the high zone.",
            "10 of 10 minutes toward today's goal.",
            "4-day streak.",
            "2 of 3 sessions at 80 % high toward level 3.",
        ]
        if after is not None:
            wins.insert(0, f"Stress 6 → {after}: {6 - after} point(s) calmer.")
        return Outcome(
            True,
            2,
            {"low": 12.0, "medium": 30.0, "high": 58.0},
            64,
            tuple(wins),
            Day(practised_minutes=10.0, streak_days=4),
        )

    return judge


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_end_screen_shows_the_wins(qtbot, make_window, artifacts_dir, size) -> None:
    calls: list[tuple[int | None]] = []
    session = with_training(sim_session(240.0), ThresholdTraining())
    window = make_window(session, size=size, today=Day(), outcome=_outcome_for(calls))
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    assert calls == [(None,)]  # judged once at the end, before the check-in
    window.show_stress_after(3)  # the check-in after: the wins are told again with it
    wait_frames(qtbot, window)
    assert calls[-1] == (3,)
    assert (window.width(), window.height()) == size  # the wins fit: nothing forces it larger
    wins = window.summary_page.wins
    assert wins.isVisible()
    assert wins.headline.text().startswith("Level 2  ·  58 % high")
    assert wins.zone_bar.pct == (12.0, 30.0, 58.0)
    assert wins.wins.text().startswith("•  Stress 6 → 3")
    assert wins.ring.fraction == 1.0
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
    def judge(result: SessionResult, summary: object, after: int | None) -> Outcome:
        return Outcome(
            False,
            2,
            {"low": 0.0, "medium": 0.0, "high": 0.0},
            0,
            ("Under 1 minute of practice: not counted. Any session from one minute on counts.",),
            Day(),
        )

    session = with_training(sim_session(30.0), ThresholdTraining())
    window = make_window(session, today=Day(), outcome=judge)
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    wait_frames(qtbot, window)
    wins = window.summary_page.wins
    assert wins.headline.text() == "Not counted"
    assert not wins.zone_bar.isVisible()
    assert "not counted" in wins.wins.text()
    assert window.grab().save(str(artifacts_dir / "gui_end_not_counted_1280x800.png"))


def test_a_judge_that_fails_leaves_the_numbers(qtbot, make_window, caplog) -> None:
    def judge(result: SessionResult, summary: object, after: int | None) -> Outcome:
        raise RuntimeError("history unreadable")

    session = with_training(sim_session(30.0), ThresholdTraining())
    window = make_window(session, outcome=judge)
    with qtbot.waitSignal(window.session_ended, timeout=60000):
        pass
    assert window.stack.currentWidget() is window.summary_page
    assert not window.summary_page.wins.isVisible()
    assert window.summary_tiles["beats"].value.text() != "–"
    assert "wins could not be worked out" in caplog.text
