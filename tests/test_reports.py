"""Trends and session reports: the numbers (streaks, rolling means, weeks), and the pictures (PNG,
self-contained HTML, the trends window) are drawn and are not blank."""

from __future__ import annotations

import csv
import math
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from hrvcoach import reports
from hrvcoach.store import AssessmentRow, CheckIn, SessionRow

CET = timezone(timedelta(hours=1))
TODAY = date(2026, 11, 22)


def row(
    i: int,
    start: datetime,
    *,
    minutes: float = 10.0,
    rmssd: float | None = 40.0,
    coherence: float | None = 0.5,
    hr: float | None = 65.0,
    pace: str | None = "6.0 4:6",
    before: int | None = None,
    after: int | None = None,
    simulated: bool = False,
    kind: str = "practice",
) -> SessionRow:
    return SessionRow(
        id=i,
        sha256=f"{i:064x}",
        path=Path(f"/recordings/{i}.csv"),
        format="hrvcoach",
        kind=kind,
        start=start,
        start_time_source="file",
        duration_s=minutes * 60,
        device="Polar H10",
        simulated=simulated,
        pace=((0.0, pace),) if pace else (),
        beats=int(minutes * 60),
        mean_rr_ms=None if hr is None else 60000 / hr,
        mean_hr_bpm=hr,
        rmssd_ms=rmssd,
        sdnn_ms=50.0,
        pnn50_pct=20.0,
        lf_ms2=900.0,
        hf_ms2=300.0,
        lf_hf=3.0,
        lf_peak_hz=0.1,
        coherence=coherence,
        artifacts_corrected=0,
        checkin=CheckIn(before, after, None),
        added=start,
    )


def at(days_ago: int, hour: int = 7) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(
        hour=hour, tzinfo=CET
    )


def growing_history() -> list[SessionRow]:
    """Eight weeks of practice on most days, RMSSD and coherence growing, stress falling."""
    rng = np.random.default_rng(3)
    rows = []
    for days_ago in range(55, -1, -1):
        if days_ago % 7 in (2, 5) and days_ago > 3:
            continue  # two rest days a week, but the last five days in a row
        progress = (55 - days_ago) / 55
        rows.append(
            row(
                len(rows) + 1,
                at(days_ago, hour=int(rng.integers(6, 21))),
                minutes=float(rng.choice([5, 10, 15, 20])),
                rmssd=35 + 15 * progress + float(rng.normal(0, 4)),
                coherence=0.4 + 0.4 * progress + float(rng.normal(0, 0.06)),
                hr=70 - 5 * progress + float(rng.normal(0, 2)),
                pace="6.0 4:6" if days_ago > 20 else "5.5 4:6",
                before=int(rng.integers(4, 9)) if days_ago % 3 else None,
                after=int(rng.integers(1, 5)) if days_ago % 3 else None,
            )
        )
    return rows


def assessments() -> list[AssessmentRow]:
    return [
        AssessmentRow(1, at(40, 9), 6.0, 0.6, (), None, None),
        AssessmentRow(2, at(18, 9), 5.5, "clear", (), None, None),
    ]


def assert_picture(path: Path) -> None:
    """A PNG that is more than a blank page: varied pixels, a real share of them not background."""
    from matplotlib.image import imread

    pixels = imread(path)[..., :3]
    assert pixels.shape[0] > 400
    assert pixels.shape[1] > 400
    assert float(pixels.std()) > 0.05
    background = pixels[0, 0]
    differs = np.abs(pixels - background).sum(axis=-1) > 0.1
    assert 0.03 < float(differs.mean()) < 0.9


# -- numbers -------------------------------------------------------------------------------------


def test_streaks_count_consecutive_days_and_today_does_not_break_one() -> None:
    days = [TODAY - timedelta(days=d) for d in (1, 2, 3, 7, 8, 9, 10, 11, 20)]
    assert reports.streaks(days, TODAY) == (3, 5)  # yesterday back to 3 days ago; 7-11 ago
    assert reports.streaks([*days, TODAY], TODAY) == (4, 5)
    assert reports.streaks([TODAY - timedelta(days=2)], TODAY) == (0, 1)
    assert reports.streaks([], TODAY) == (0, 0)


def test_trends_follow_the_sessions_with_a_seven_day_rolling_mean() -> None:
    rows = [row(i + 1, at(10 - i), rmssd=10.0 * (i + 1)) for i in range(10)]
    rows[4] = row(5, at(6), rmssd=None)  # a session too short for RMSSD counts as no value
    t = reports.compute_trends(rows, today=TODAY)
    assert len(t.sessions) == 10
    assert t.rmssd.values[3] == 40.0
    assert math.isnan(t.rmssd.values[4])
    # the session of 3 days ago (i=7) averages the sessions of 9..3 days ago that have a value
    expected = np.mean([20.0, 30.0, 40.0, 60.0, 70.0, 80.0])
    assert t.rmssd.rolling[7] == pytest.approx(expected)
    assert t.rmssd.rolling[0] == 10.0


def test_trends_window_weeks_days_and_simulated_sessions() -> None:
    rows = growing_history()
    rows.append(row(999, at(0, 22), simulated=True, minutes=30))
    t = reports.compute_trends(rows, days=28, today=TODAY)
    assert t.first_day == TODAY - timedelta(days=27)
    assert all(t.first_day <= r.local_date <= TODAY for r in t.sessions)
    assert t.excluded_simulated == 1
    assert all(not r.simulated for r in t.sessions)
    assert sum(w.minutes for w in t.weeks) == pytest.approx(sum(r.minutes for r in t.sessions))
    assert all(w.week_start.weekday() == 0 for w in t.weeks)
    assert t.weeks[-1].week_start <= TODAY < t.weeks[-1].week_start + timedelta(days=7)
    assert [d.day for d in t.days] == sorted({r.local_date for r in t.sessions})
    assert t.streak_current_days == 5  # days 4..0 ago
    assert t.streak_longest_days >= 5
    with_sim = reports.compute_trends(rows, days=28, today=TODAY, include_simulated=True)
    assert len(with_sim.sessions) == len(t.sessions) + 1
    # minutes practised as a rolling line: the 7 days up to each day of the window
    assert [d for d, _ in t.minutes_7d] == [
        t.first_day + timedelta(days=k) for k in range((TODAY - t.first_day).days + 1)
    ]
    last_week = [r.minutes for r in t.sessions if (TODAY - r.local_date).days < 7]
    assert t.minutes_7d[-1][1] == pytest.approx(sum(last_week))


def test_the_stress_lines_average_the_sessions_with_both_check_ins() -> None:
    rows = [
        row(1, at(3), before=8, after=4),
        row(2, at(2), before=9),  # no after: not in either line, or the gap would lie
        row(3, at(1), before=6, after=4),
    ]
    t = reports.compute_trends(rows, today=TODAY)
    assert t.stress_before_rolling.tolist() == [8.0, 8.0, 7.0]
    assert t.stress_after_rolling.tolist() == [4.0, 4.0, 4.0]
    assert t.pace.rolling.tolist() == [6.0, 6.0, 6.0]


def test_the_rolling_line_breaks_across_pauses_longer_than_its_window() -> None:
    x = np.array([0.0, 1.0, 2.0, 30.0, 31.0, 90.0])
    y = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0])
    line_x, line_y = reports.broken_line(x, y, 7.0)
    assert line_x.tolist() == [0.0, 1.0, 15.5, 30.0, 31.0, 60.5, 90.0]
    assert np.isnan(line_y[[2, 5]]).all()
    assert line_y[[0, 1, 3, 4, 6]].tolist() == [1.0, 2.0, 4.0, 5.0, 6.0]


def test_without_days_the_window_is_at_most_a_year_and_says_what_is_older() -> None:
    rows = [row(1, at(800)), row(2, at(400)), *growing_history()]
    t = reports.compute_trends(rows, today=TODAY)
    # from the first session of the last year: older ones do not stretch the picture to a year
    assert t.first_day == TODAY - timedelta(days=55)
    assert t.older_sessions == 2
    assert reports.compute_trends([row(1, at(300))], today=TODAY).first_day == at(300).date()
    assert reports.compute_trends([row(1, at(3))], today=TODAY).first_day == TODAY - timedelta(
        days=reports.MIN_SPAN_DAYS - 1
    )
    assert "2 older session(s) not shown" in reports.trends_text(t)
    assert reports.compute_trends(rows, days=1000, today=TODAY).older_sessions == 0


def test_recordings_that_are_not_practice_count_nowhere_in_the_trends() -> None:
    history = growing_history()
    holter = row(900, at(1, 8), minutes=24 * 60, rmssd=25.0, hr=80.0, pace=None, kind="other")
    workout = row(901, at(6, 18), minutes=40, rmssd=8.0, hr=140.0, pace=None, kind="other")
    alone = reports.compute_trends(history, today=TODAY)
    t = reports.compute_trends([*history, holter, workout], today=TODAY)
    assert t.excluded_other == 2
    assert len(t.sessions) == len(alone.sessions)
    assert t.total_minutes == alone.total_minutes  # not 1,440 minutes practised in a day
    assert [w.minutes for w in t.weeks] == [w.minutes for w in alone.weeks]
    assert (t.streak_current_days, t.streak_longest_days) == (
        alone.streak_current_days,
        alone.streak_longest_days,
    )
    np.testing.assert_array_equal(t.rmssd.rolling, alone.rmssd.rolling)
    text = reports.trends_text(t)
    assert "2 recording(s) that are not practice" in text
    # a day with only a workout is not a day practised
    lonely = reports.compute_trends([workout], today=TODAY)
    assert lonely.days == ()
    assert lonely.streak_longest_days == 0


def test_streaks_and_days_follow_the_local_date_of_each_session() -> None:
    eastern = timezone(timedelta(hours=-5))
    late = [
        row(1, datetime(2026, 11, 19, 23, 30, tzinfo=eastern)),  # 04:30 UTC on the 20th
        row(2, datetime(2026, 11, 20, 23, 30, tzinfo=eastern)),  # 04:30 UTC on the 21st
        row(3, datetime(2026, 11, 21, 23, 30, tzinfo=eastern)),  # 04:30 UTC on the 22nd
    ]
    t = reports.compute_trends(late, today=date(2026, 11, 22))
    assert [d.day.isoformat() for d in t.days] == ["2026-11-19", "2026-11-20", "2026-11-21"]
    # today (the 22nd) has no practice yet: the streak runs on from yesterday
    assert t.streak_current_days == 3
    assert t.weeks[-1].sessions == 3  # Monday 16th to Sunday 22nd
    # the pictures place them at 23:30, the hour they happened
    assert [x.hour for x in reports._local_naive(t.times)] == [23, 23, 23]


def test_the_text_summary_says_what_changed() -> None:
    text = reports.trends_text(reports.compute_trends(growing_history(), today=TODAY))
    assert "Streak: 5 day(s) now" in text
    first, latest = re.search(
        r"RMSSD\s+first week ([\d.]+) ms, latest week ([\d.]+) ms", text
    ).groups()
    assert float(latest) > float(first) + 5
    assert "before ->" in text
    assert "mostly 5.5 4:6" in text or "mostly 6.0 4:6" in text
    paces = [row(i, at(3 - i), pace=p) for i, p in enumerate(["6.0 4:6", "5.5 4:6", "6.5 4:6"])]
    mixed = reports.trends_text(reports.compute_trends(paces, today=TODAY))
    assert "Pace: 6.0 4:6 (1), 5.5 4:6 (1), 6.5 4:6 (1) breaths/min" in mixed
    assert "mostly" not in mixed  # no pace was used most of the time
    assert "RMSSD      40.0 ms mean" in mixed  # three days: too soon for first and latest week
    empty = reports.trends_text(reports.compute_trends([], today=TODAY))
    assert "No sessions in this window yet" in empty


def test_the_csv_has_one_row_per_session_with_its_numbers(tmp_path: Path) -> None:
    rows = growing_history()
    path = tmp_path / "sessions.csv"
    reports.write_sessions_csv(rows, path)
    with path.open(newline="") as fh:
        read = list(csv.DictReader(fh))
    assert len(read) == len(rows)
    assert list(read[0]) == list(reports.CSV_COLUMNS)
    for got, want in zip(read, rows, strict=True):
        assert int(got["id"]) == want.id
        assert float(got["rmssd_ms"]) == pytest.approx(want.rmssd_ms)
        assert got["pace"] == want.pace_label
        assert datetime.fromisoformat(got["start"]) == want.start
        if want.stress_change is None:
            assert got["stress_change"] == ""
        else:
            assert int(got["stress_change"]) == want.stress_change


# -- pictures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rows", "days"),
    [
        ("trends-8-weeks", growing_history(), None),
        ("trends-one-year", growing_history(), 365),
        ("trends-one-session", growing_history()[-1:], 7),
        ("trends-empty", [], None),
    ],
)
def test_trends_png_is_drawn(
    name: str, rows: list[SessionRow], days: int | None, artifacts_dir: Path
) -> None:
    path = artifacts_dir / f"{name}.png"
    path.unlink(missing_ok=True)
    t = reports.compute_trends(rows, days=days, today=TODAY, assessments=assessments())
    assert len(t.assessments) == sum(t.first_day <= a.time.date() for a in assessments())
    reports.write_trends_png(t, path)
    assert_picture(path)


def test_trends_html_is_self_contained_and_embeds_its_picture(artifacts_dir: Path) -> None:
    t = reports.compute_trends(growing_history(), today=TODAY)
    page = reports.trends_html(t)
    (artifacts_dir / "trends.html").write_text(page, encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 1
    assert "</svg>" in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    # the session table lists every session with its numbers
    assert page.count("<tr>") == len(t.sessions) + 1
    assert f"{t.sessions[-1].rmssd_ms:.1f}" in page


def test_writing_to_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    t = reports.compute_trends([], today=TODAY)
    with pytest.raises(reports.ReportError, match="cannot write"):
        reports.write_trends_html(t, tmp_path / "no" / "such" / "dir" / "t.html")


def test_trends_window_draws_the_history(qtbot, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from hrvcoach.gui.trends_window import TrendsWindow

    t = reports.compute_trends(growing_history(), today=TODAY, assessments=assessments())
    window = TrendsWindow(t)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.streak.value.text() == "5"
    assert window.week.value.text() == f"{t.weeks[-1].minutes:.0f}"
    path = artifacts_dir / "trends-window.png"
    assert window.grab().save(str(path))
    assert_picture(path)
    window.set_trends(reports.compute_trends([], today=TODAY))  # and an empty history
    assert window.streak.value.text() == "0"


# -- one session ---------------------------------------------------------------------------------


def test_session_report_of_a_paced_recording(artifacts_dir: Path) -> None:
    from hrvcoach.analysis import analyze
    from hrvcoach.paths import bundled_recordings_dir
    from hrvcoach.readers import read_recording

    recording = read_recording(bundled_recordings_dir() / "sim-6bpm-5min.csv")
    report = reports.session_report(recording, checkin=(6, 3, "evening"))
    summary = analyze(recording, artifacts="kubios").to_json()  # the report's default
    assert report.summary == summary
    assert report.pacer_t_s.size > 0
    assert report.pacer_volume.min() >= 0
    assert report.pacer_volume.max() <= 1
    assert report.hr_bpm.size == len(recording.beats)
    assert report.live_t_s.size == len(recording.beats)
    assert np.isfinite(report.live_coherence).any()
    # the spectrum peaks where the pacer breathes: 6 breaths/min is 0.1 Hz
    assert report.peak_hz == pytest.approx(0.1, abs=0.015)
    text = reports.session_text(report)
    assert "6 → 3" in text
    assert "breaths/min" in text
    png = artifacts_dir / "report-paced.png"
    reports.write_session_png(report, png)
    assert_picture(png)
    page = reports.session_html(report)
    assert page.count("<svg") == 1
    assert "<script" not in page


def test_session_report_marks_the_artifacts_of_a_real_recording(
    shared_data: Path, artifacts_dir: Path
) -> None:
    from hrvcoach.readers import read_recording

    recording = read_recording(shared_data / "rr" / "ectopic-polar-h10-ecg" / "rr.csv")
    report = reports.session_report(recording)
    assert report.artifact_t_s.size > 5  # this recording has many premature beats
    assert report.artifact_t_s.min() >= report.beat_t_s[0] - 2
    assert report.artifact_t_s.max() <= report.beat_t_s[-1] + 2
    assert report.pacer_t_s.size == 0  # no pacer in a recording from another app
    png = artifacts_dir / "report-ectopic.png"
    reports.write_session_png(report, png)
    assert_picture(png)


def test_a_long_recording_is_reported_in_windows_not_beat_by_beat(
    shared_data: Path, artifacts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrvcoach import live
    from hrvcoach.analysis import analyze
    from hrvcoach.readers import read_recording

    recording = read_recording(shared_data / "rr" / "pyhrv-sample" / "SampleNNISeriesLong.npy")
    summary = analyze(recording, artifacts="kubios").to_json()

    def no_live_engine(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a long recording must not go through the live engine beat by beat")

    monkeypatch.setattr(live, "LiveHrv", no_live_engine)
    report = reports.session_report(recording, summary=summary)
    assert report.summary == summary  # the numbers given are the numbers shown
    assert report.duration_s > reports.LONG_REPORT_S
    assert report.window_s == 60.0
    count = math.ceil(report.duration_s / 60.0)
    assert report.live_t_s.size == report.hr_window_bpm.size == count
    ok = np.isfinite(report.hr_window_bpm)
    assert ok.all()
    assert (report.hr_window_low_bpm <= report.hr_window_bpm).all()
    assert (report.hr_window_bpm <= report.hr_window_high_bpm).all()
    # the windows add up to the whole-session numbers (nearly equal beats in every minute)
    rms = float(np.sqrt(np.nanmean(report.live_rmssd_ms**2)))
    assert rms == pytest.approx(summary["rmssd_ms"], rel=0.05)
    assert np.nanmean(report.live_coherence) == pytest.approx(summary["coherence"], rel=0.05)
    assert report.artifact_t_s.size == summary["artifacts_corrected"]
    assert "60.0 min" in reports.session_text(report)
    png = artifacts_dir / "report-long.png"
    reports.write_session_png(report, png)
    assert_picture(png)


def test_report_windows_grow_with_the_recording() -> None:
    assert reports.report_window_s(20 * 60) is None
    assert reports.report_window_s(60 * 60) == 60.0
    assert reports.report_window_s(24 * 3600) == 300.0  # 288 five-minute windows
    assert reports.report_window_s(7 * 24 * 3600) == 1800.0
    assert reports.duration_text(21.1 * 3600) == "21.1 h"
    assert reports.duration_text(300) == "5.0 min"


def _counting_kubios(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the beats handed to artifact correction, call by call."""
    from hrvcoach import artifacts

    calls: list[int] = []
    real = artifacts.correct

    def correct(rr_ms: np.ndarray, method: str = "kubios") -> artifacts.ArtifactResult:
        calls.append(int(np.asarray(rr_ms).size))
        return real(rr_ms, method)

    monkeypatch.setattr(artifacts, "correct", correct)
    return calls


def test_session_report_corrects_artifacts_once_and_shows_analyzes_numbers(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrvcoach.analysis import analyze_session
    from hrvcoach.readers import read_recording

    recording = read_recording(shared_data / "rr" / "ectopic-polar-h10-ecg" / "rr.csv")
    expected = analyze_session(recording, artifacts="kubios")
    calls = _counting_kubios(monkeypatch)
    report = reports.session_report(recording)
    # Once per stretch, every usable beat once: not a second pass for the pictures.
    assert sum(calls) == expected.summary.beats
    assert len(calls) == expected.summary.stretches
    assert report.summary == expected.summary.to_json()
    assert report.summary["artifacts_corrected"] == report.artifact_t_s.size >= 10
    np.testing.assert_array_equal(report.artifact_t_s, expected.artifact_t_s)
    assert expected.spectrum is not None
    np.testing.assert_array_equal(report.freq_hz, expected.spectrum.frequency_hz)
    np.testing.assert_array_equal(report.power_ms2_hz, expected.spectrum.power_ms2_per_hz)
    assert report.peak_hz == report.summary["lf_peak_hz"]


def test_report_command_on_a_file_outside_the_history_corrects_once(
    shared_data: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    from hrvcoach.analysis import analyze
    from hrvcoach.cli import main
    from hrvcoach.readers import read_recording

    path = shared_data / "rr" / "pyhrv-sample" / "SampleNNISeriesLong.npy"
    summary = analyze(read_recording(path), artifacts="kubios")
    calls = _counting_kubios(monkeypatch)
    assert main(["report", str(path), "--artifacts", "kubios"]) == 0
    assert sum(calls) == summary.beats == 4684
    out = capsys.readouterr().out
    assert f"{summary.rmssd_ms:.1f}" in out
    assert str(summary.artifacts_corrected) in out


def test_long_report_rmssd_takes_no_difference_across_a_beat_left_out(shared_data: Path) -> None:
    """An hour with a premature beat every 150 beats: each window's RMSSD is over successive NN
    pairs only, as the summary's is, never across the hole a left-out beat leaves."""
    from hrvcoach.beats import Beat
    from hrvcoach.quality.classify import classify_rr
    from hrvcoach.recording import Recording, RecordingMeta

    rr = np.load(shared_data / "rr" / "pyhrv-sample" / "SampleNNISeriesLong.npy").astype(float)
    for i in range(100, rr.size - 1, 150):
        early = 0.6 * rr[i]
        rr[i], rr[i + 1] = early, rr[i + 1] + (rr[i] - early)  # premature, then the pause
    events = tuple(
        Beat(float(t_s), float(x)) for t_s, x in zip(np.cumsum(rr) / 1000.0, rr, strict=True)
    )
    recording = Recording(None, RecordingMeta("rr-list"), events)
    report = reports.session_report(recording, artifacts="nn")
    assert report.window_s == 60.0
    # by hand: the intervals both of whose beats are normal, and the differences between two
    # such intervals that follow each other
    nn = classify_rr(rr).nn
    assert (~nn).sum() >= 2 * 20  # the premature beats are left out (both of their intervals)
    t = np.cumsum(rr) / 1000.0
    pairs = nn[1:] & nn[:-1]
    d2 = np.diff(rr)[pairs] ** 2
    which = np.clip((t[1:][pairs] // 60.0).astype(int), 0, report.live_t_s.size - 1)
    expected = np.sqrt(np.bincount(which, d2) / np.bincount(which))
    np.testing.assert_allclose(report.live_rmssd_ms, expected, rtol=1e-9)
