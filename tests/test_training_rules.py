"""The training rules on synthetic histories: zones, points, swing, levels, plan, streak, wins.

Every date is passed in; nothing here depends on today's date.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest

from hrvcoach.training import (
    DEFAULT_RULES,
    LevelSet,
    SessionFacts,
    SwingTracker,
    Zone,
    ZoneTally,
    basis,
    level_state,
    personal_bests,
    plan_for,
    session_outcome,
    streak_days,
    today,
    zone_of,
)

TZ = timezone(timedelta(hours=1))
DAY0 = datetime(2026, 3, 2, 7, 30, tzinfo=TZ)


def session(
    day: int,
    *,
    minutes: float = 10.0,
    high: float | None = 85.0,
    low: float | None = 5.0,
    hour: int = 0,
    simulated: bool = False,
    beats: int = 600,
    **kw: object,
) -> SessionFacts:
    medium = None if high is None or low is None else 100.0 - high - low
    return SessionFacts(
        start=DAY0 + timedelta(days=day, hours=hour),
        minutes=minutes,
        beats=beats,
        simulated=simulated,
        high_pct=high,
        low_pct=low,
        medium_pct=medium,
        **kw,  # type: ignore[arg-type]
    )


# -- zones and points ---------------------------------------------------------------------------
def test_zone_thresholds_follow_the_level() -> None:
    assert zone_of(0.3, 1) is Zone.LOW
    assert zone_of(0.7, 1) is Zone.MEDIUM
    assert zone_of(1.2, 1) is Zone.HIGH
    assert zone_of(1.2, 4) is Zone.MEDIUM  # the same coherence is a harder target at level 4
    for level in range(1, DEFAULT_RULES.max_level):
        lower, upper = DEFAULT_RULES.thresholds(level), DEFAULT_RULES.thresholds(level + 1)
        assert upper.high >= lower.high
        assert upper.medium >= lower.medium


def test_zone_tally_freezes_while_not_counting() -> None:
    tally = ZoneTally(level=1)
    for value in (0.2, 0.8, 1.5, 1.6):
        tally.add(value)
    assert tally.add(3.0, counting=False) is Zone.HIGH  # shown, not counted
    tally.add(None)
    s = tally.summary()
    assert (s.low_s, s.medium_s, s.high_s) == (5.0, 5.0, 10.0)
    assert s.points == 0 + 1 + 2 + 2
    assert s.zones_pct == {"low": 25.0, "medium": 25.0, "high": 50.0}


def test_swing_is_max_minus_min_heart_rate_per_whole_breath() -> None:
    tracker = SwingTracker()
    hrs = [60, 66, 70, 64, 58, 61, 72, 69, 59, 62]
    done = []
    for i, hr in enumerate(hrs):
        # breaths 0 and 1 have five beats each; a beat of breath 2 closes breath 1
        done.append(tracker.add(float(i), float(hr), i / 5.0))
    done.append(tracker.add(10.0, 60.0, 2.0))
    swings = [d.swing_bpm for d in done if d is not None]
    assert swings == [12.0, 13.0]
    tracker.interrupt()  # a pause within breath 2: it does not count
    for i in range(5):
        tracker.add(11.0 + i, 60.0 + 10 * i, 2.0 + i / 10)
    tracker.add(20.0, 60.0, 3.0)
    summary = tracker.summary()
    assert summary.breaths == 2
    assert summary.best_bpm == 13.0
    assert summary.mean_bpm == 12.5


# -- levels -------------------------------------------------------------------------------------
def test_three_sessions_at_80_percent_high_raise_the_level() -> None:
    sessions = [session(d) for d in range(3)]
    assert level_state(sessions[:2]).level == 1
    assert level_state(sessions[:2]).progress_text().startswith("2 of 3 sessions at 80 % high")
    state = level_state(sessions)
    assert state.level == 2
    assert state.toward_up == 0
    assert [(c.before, c.after, c.reason) for c in state.changes] == [(1, 2, "up")]


def test_a_short_or_lower_session_breaks_the_run() -> None:
    runs = [
        [session(0), session(1, minutes=4.5), session(2), session(3)],  # too short to qualify
        [session(0), session(1, high=79.0, low=5.0), session(2), session(3)],
    ]
    for sessions in runs:
        assert level_state(sessions).level == 1
        assert level_state([*sessions, session(4)]).level == 2


def test_three_sessions_mostly_low_step_down_never_below_one() -> None:
    up = [session(d) for d in range(6)]  # two level-ups
    low = [session(6 + d, high=10.0, low=60.0) for d in range(3)]
    assert level_state(up).level == 3
    assert level_state([*up, *low]).level == 2
    assert level_state(low).level == 1


def test_an_assessment_neither_moves_the_level_nor_breaks_a_run() -> None:
    # an assessment between practice sessions, mostly in the low zone (it steps through rates)
    def assessment(day: int) -> SessionFacts:
        return session(day, hour=2, high=10.0, low=70.0, leveled=False)

    sessions = [session(0), assessment(0), session(1), assessment(1), session(2)]
    state = level_state(sessions)
    assert state.level == 2  # the three practice sessions raise the level as if alone
    assert [c.after for c in state.changes] == [2]
    up = [session(d) for d in range(3)]
    assert level_state([*up, *(assessment(3 + d) for d in range(3))]).level == 2  # never down
    # its minutes still count toward the day's goal and the streak
    day = today(sessions, DAY0.date() + timedelta(days=1), goal_minutes=20.0)
    assert day.practised_minutes == pytest.approx(20.0)
    # nor does it set the practice's own bests: its swing at 4.5 breaths a minute, its zones at
    # level 1; its coherence and RMSSD are measured as in any session and count
    big = dataclasses.replace(
        assessment(2), swing_best_bpm=30.0, coherence=9.0, high_pct=100.0, low_pct=0.0
    )
    best = personal_bests([session(0, swing_best_bpm=12.0), big])
    assert best.swing_bpm == 12.0
    assert best.minutes_in_high == pytest.approx(8.5)
    assert best.coherence == 9.0


def test_level_set_by_hand_takes_effect_at_its_time_and_restarts_the_run() -> None:
    sessions = [session(d) for d in range(3)]
    manual = LevelSet(DAY0 + timedelta(days=1, hours=1), 4)
    state = level_state(sessions, manual=manual)
    # one qualifying session after the manual set: no further change, and the top is the top
    assert state.level == 4
    assert state.at_top
    later = LevelSet(DAY0 + timedelta(days=5), 2)
    assert level_state(sessions, manual=later).level == 2


def test_level_rules_are_settings() -> None:
    rules = dataclasses.replace(DEFAULT_RULES, level_up_sessions=2, level_up_high_pct=60.0)
    sessions = [session(0, high=65.0), session(1, high=65.0)]
    assert level_state(sessions, rules=rules).level == 2
    assert level_state(sessions).level == 1


# -- plan ---------------------------------------------------------------------------------------
def test_plan_starts_at_five_minutes_and_grows_a_minute_per_three_goal_days() -> None:
    on = DAY0.date()
    assert plan_for([], on).minutes == 5.0
    sessions = [session(d, minutes=10.0) for d in range(7)]
    assert plan_for(sessions, on + timedelta(days=1)).minutes == 5.0
    assert plan_for(sessions, on + timedelta(days=2)).minutes == 6.0
    state = plan_for(sessions, on + timedelta(days=6))
    assert state.minutes == 7.0
    assert state.toward_step == 1
    assert state.goal_days == 7
    # days under the goal count as practice but not toward the next step
    short = [session(d, minutes=4.0) for d in range(7)]
    assert plan_for(short, on + timedelta(days=6)).minutes == 5.0


def test_plan_caps_at_twenty_minutes() -> None:
    sessions = [session(d, minutes=30.0) for d in range(60)]
    state = plan_for(sessions, DAY0.date() + timedelta(days=59), goal_minutes=30)
    assert state.minutes == 20.0
    assert state.at_max


def test_plan_eases_back_after_missed_days() -> None:
    sessions = [session(d) for d in range(9)]  # 9 goal days: 8 minutes
    on = DAY0.date() + timedelta(days=8)
    assert plan_for(sessions, on).minutes == 8.0
    # the day itself is not over: missing it eases nothing
    assert plan_for(sessions, on + timedelta(days=1)).minutes == 8.0
    assert plan_for(sessions, on + timedelta(days=2)).minutes == 8.0
    assert plan_for(sessions, on + timedelta(days=3)).minutes == 7.0  # two whole days missed
    eased = plan_for(sessions, on + timedelta(days=5))
    assert eased.minutes == 6.0
    assert eased.eased_back == 2
    assert plan_for(sessions, on + timedelta(days=60)).minutes == 5.0  # never below the start


def test_plan_uses_the_assessed_pace_else_six() -> None:
    assert plan_for([], DAY0.date()).pace_bpm == 6.0
    assert plan_for([], DAY0.date(), pace_bpm=5.5).pace_bpm == 5.5


# -- streak, today ------------------------------------------------------------------------------
def test_streak_ends_on_the_date_or_the_day_before() -> None:
    d = date(2026, 3, 10)
    days = [d - timedelta(days=i) for i in (1, 2, 3, 5)]
    assert streak_days(days, d) == 3  # today not practised yet: the streak still stands
    assert streak_days([*days, d], d) == 4
    assert streak_days(days, d + timedelta(days=1)) == 0


def test_today_counts_only_counted_sessions_and_says_when_simulated() -> None:
    on = DAY0.date()
    history = [session(0, minutes=6.0), session(0, minutes=0.5, hour=2), session(0, beats=0)]
    t = today(history, on)
    assert (t.sessions, t.practised_minutes, t.streak_days) == (1, 6.0, 1)
    assert not t.goal_met
    assert t.goal_fraction == pytest.approx(0.6)
    sims = [session(0, simulated=True), session(1, simulated=True)]
    t_sim = today(sims, on + timedelta(days=1))
    assert t_sim.simulated_only
    assert t_sim.streak_days == 2
    assert t_sim.note()
    t_mixed = today([*sims, session(1)], on + timedelta(days=1))
    assert not t_mixed.simulated_only
    assert t_mixed.streak_days == 1
    assert t_mixed.left_out_simulated == 2
    keys = set(t_mixed.to_json())
    assert {
        "date",
        "goal_minutes",
        "practised_minutes",
        "sessions",
        "streak_days",
        "level",
        "next_session",
        "personal_bests",
    } <= keys
    assert set(t_mixed.personal_bests.to_json()) == {
        "swing_bpm",
        "coherence",
        "rmssd_ms",
        "minutes_in_high",
    }


def test_basis_prefers_real_sessions() -> None:
    sims = [session(0, simulated=True)]
    assert basis(sims).simulated_only
    b = basis([*sims, session(1)])
    assert not b.simulated_only
    assert b.left_out_simulated == 1
    assert len(b.sessions) == 1


# -- wins ---------------------------------------------------------------------------------------
def test_wins_compare_with_the_persons_own_history() -> None:
    history = [
        session(d, swing_mean_bpm=8.0 + d, swing_best_bpm=12.0, coherence=1.2, level=1)
        for d in range(2)
    ]
    this = session(
        2,
        swing_mean_bpm=11.0,
        swing_best_bpm=14.0,
        coherence=1.0,
        level=1,
        points=200,
        stress_before=6,
        stress_after=3,
    )
    out = session_outcome(this, history)
    text = " | ".join(out.wins)
    assert out.counted
    assert "Stress 6 → 3: 3 point(s) calmer." in out.wins
    assert "Swing per breath 11.0 bpm, above your 7-day mean of 8.5." in out.wins
    assert "New personal best: a 14.0 bpm swing in one breath." in out.wins
    assert "Coherence 1.00 (7-day mean 1.20)." in out.wins
    assert "Today's goal of 10 minutes: reached." in out.wins
    assert "3-day streak." in out.wins
    assert "Level up: now level 2." in out.wins
    assert "bad" not in text.lower()
    assert "fail" not in text.lower()
    assert out.level == 1
    assert out.level_after == 2
    j = out.to_json()
    assert set(j) == {"level", "zones_pct", "achievement_points", "swing_bpm", "counted", "wins"}
    assert j["swing_bpm"] == {"mean": 11.0, "best": 14.0}


def test_progress_toward_the_next_level_is_a_win_too() -> None:
    out = session_outcome(session(1), [session(0)])
    assert "2 of 3 sessions at 80 % high toward level 2." in out.wins


def test_a_session_under_a_minute_or_without_beats_is_not_counted() -> None:
    history = [session(0)]
    for short in (session(1, minutes=0.1), session(1, beats=0)):
        out = session_outcome(short, history)
        assert not out.counted
        assert len(out.wins) == 1
        assert "not counted" in out.wins[0]
        assert out.today.practised_minutes == 0
        assert out.today.streak_days == 1


def test_a_session_too_short_for_coherence_says_so_instead_of_zero_zones() -> None:
    this = session(1, minutes=1.0, high=None, low=None)
    out = session_outcome(this, [session(0)])
    assert out.counted
    assert out.zones_pct == {"low": None, "medium": None, "high": None}
    assert any("Coherence needs about a minute of beats" in w for w in out.wins)
    assert not any("% in the high zone" in w for w in out.wins)


def test_a_short_session_in_the_high_zone_hears_what_counts_toward_a_level() -> None:
    out = session_outcome(session(1, minutes=2.0), [session(0)])
    assert (
        "85 % high: sessions of 5 minutes or more count toward level 2 (0 of 3 so far)." in out.wins
    )
    assert not any("sessions at 80 % high" in w for w in out.wins)
