"""The capacity protocols: resting check, deep-breathing test and recovery drill, their pure
scoring, their commands on the simulator and on real recordings."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.cli import main
from hrvcoach.protocols import capacity, deep_breathing, recovery, resting
from hrvcoach.protocols.phases import phases_from_marks, progress_at


def beats_from_hr(hr_of_t, duration_s: float, t0_s: float = 0.0):  # type: ignore[no-untyped-def]
    """Beat times and RR of a heart whose rate follows ``hr_of_t``."""
    t, out_t, out_rr = t0_s, [], []
    while t < t0_s + duration_s:
        rr = 60000.0 / hr_of_t(t)
        t += rr / 1000.0
        out_t.append(t)
        out_rr.append(rr)
    return np.array(out_t), np.array(out_rr)


# -- phases ---------------------------------------------------------------------------------------
def test_phase_marks_round_trip_to_the_same_phases() -> None:
    phases = capacity.recovery_plan(activation="mental", recover_with="pacer", pace_bpm=5.5)
    marks = [p.mark() for p in phases]
    again = phases_from_marks(marks, end_s=phases[-1].end_s + 30.0)
    assert again == phases
    assert [p.name for p in again] == ["baseline", "activation", "recovery"]
    assert again[1].task == "mental"
    assert again[1].duration_s == recovery.MENTAL_S
    assert again[2].pace_bpm == 5.5


def test_progress_counts_down_each_phase_and_its_settle_period() -> None:
    phases = capacity.resting_plan(minutes=2, settle_s=30)
    at = progress_at(phases, 10.0)
    assert at.settling
    assert at.settle_left_s == pytest.approx(20.0)
    assert at.step_left_s == pytest.approx(140.0)
    assert progress_at(phases, 150.0).done


def test_guide_says_what_to_do_and_shows_the_serial_sevens() -> None:
    phases = capacity.recovery_plan(activation="mental")
    guide = capacity.phase_guide(phases, 130.0)
    assert guide.title.startswith("Activation")
    assert "1000" in guide.task
    assert "993" in guide.task
    later = capacity.phase_guide(phases, 120.0 + 35.0)
    assert later.task != guide.task  # a new number to count down from
    before = capacity.phase_guide(phases, 115.0)
    assert before.next_text.startswith("Next: activation")
    line = capacity.format_phase_line(phases, 130.0)
    assert "Activation · 2 of 3" in line
    assert "left" in line
    assert "sevens" in line


def test_plans_refuse_what_they_cannot_run() -> None:
    from hrvcoach.errors import UsageError

    with pytest.raises(UsageError):
        capacity.resting_plan(minutes=7)
    with pytest.raises(UsageError):
        capacity.recovery_plan(activation="sprint")


# -- resting --------------------------------------------------------------------------------------
def test_resting_rmssd_equals_neurokit2(shared_data: Path) -> None:
    import neurokit2 as nk

    from hrvcoach.readers import read_recording

    rec = read_recording(shared_data / "rr/hrv-package/rest_rri.txt")
    t = np.array([b.t_s for b in rec.beats])
    rr = np.array([b.rr_ms for b in rec.beats])
    score = resting.score_resting(t, rr, start_s=t[0] - 1, end_s=t[-1] + 1)
    clean = resting.correct_artifacts(t, rr)
    ref = nk.hrv_time({"RRI": clean.rr_ms}, sampling_rate=1000)
    assert score.rmssd_ms == pytest.approx(float(ref["HRV_RMSSD"].iloc[0]), rel=1e-9)
    assert score.ln_rmssd == pytest.approx(math.log(score.rmssd_ms))  # type: ignore[arg-type]


def test_baseline_and_range_follow_the_history() -> None:
    today = date(2026, 3, 1)
    history = [resting.Reading(today - timedelta(days=i), 4.0 + 0.1 * (i % 3)) for i in range(10)]
    few = resting.against_history(4.0, today, history[:3])
    assert few.normal_range is None
    assert few.verdict.startswith("building your baseline")
    placed = resting.against_history(4.05, today, history)
    assert placed.readings_in_baseline == 7
    assert placed.baseline_ln_rmssd == pytest.approx(np.mean([r.ln_rmssd for r in history[:7]]))
    assert placed.normal_range is not None
    low, high = placed.normal_range
    assert low < 4.05 < high
    assert placed.verdict == resting.VERDICT_WITHIN
    assert resting.against_history(3.0, today, history).verdict == resting.VERDICT_LOWER


def test_a_reading_without_signal_has_no_number() -> None:
    t = np.arange(1, 20, 1.0)
    score = resting.score_resting(t, np.full(t.size, 1000.0), start_s=0, end_s=120)
    assert score.rmssd_ms is None
    assert "beats" in score.note


# -- deep breathing -------------------------------------------------------------------------------
def test_deep_breathing_measures_the_swing_of_each_breath() -> None:
    # HR swings 60 +/- 10 bpm with the 10-s breath: max - min ~ 20 bpm
    t, rr = beats_from_hr(lambda t: 70 + 10 * math.sin(2 * math.pi * t / 10.0), 100.0)
    cycles = deep_breathing.even_cycles(30.0)
    score = deep_breathing.score_deep_breathing(t, rr, cycles)
    assert len(score.breaths) == 6
    assert 16.0 < score.hr_diff_bpm < 20.5  # type: ignore[operator]
    assert score.ei_ratio is not None
    assert score.ei_ratio > 1.0


def test_norms_are_context_for_an_age_and_null_without_one() -> None:
    assert deep_breathing.deep_breathing_norm(None, 20.0, 1.3) is None
    norm = deep_breathing.deep_breathing_norm(42, 18.0, 1.2)
    assert norm is not None
    assert norm["ei_ratio_lower_limit"] == 1.10
    assert norm["hr_diff_band"] == "usual"
    assert "not a diagnosis" in str(norm["text"])
    assert deep_breathing.ei_lower_limit(90) is None


# -- recovery -------------------------------------------------------------------------------------
def _drill(tau_s: float, *, noise_bpm: float = 1.0, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)

    def hr(t: float) -> float:
        base = 65.0 + noise_bpm * math.sin(2 * math.pi * t / 5.0)
        if 120 <= t < 180:
            return base + 40.0 * (1 - math.exp(-(t - 120) / 8.0))
        if t >= 180:
            top = 40.0 * (1 - math.exp(-60 / 8.0))
            return base + top * math.exp(-(t - 180) / tau_s) + rng.normal(0, 0.3)
        return base

    return beats_from_hr(hr, 480.0)


@pytest.mark.parametrize("tau_s", [20.0, 45.0, 80.0])
def test_the_fit_finds_a_known_time_constant(tau_s: float) -> None:
    t, rr = _drill(tau_s)
    score = recovery.score_recovery(
        t, rr, baseline=(20, 120), activation=(120, 180), recovery_end_s=480
    )
    assert score.tau_s == pytest.approx(tau_s, rel=0.15), score.tau
    assert score.hrr60_bpm is not None
    assert score.hrr60_bpm > 10
    assert score.peak_hr_bpm is not None
    assert score.peak_hr_bpm > 95


def test_the_fit_refuses_a_flat_heart_rate() -> None:
    t, rr = beats_from_hr(lambda t: 65 + 3 * math.sin(2 * math.pi * t / 5.0), 480.0)
    fit = recovery.score_recovery(
        t, rr, baseline=(20, 120), activation=(120, 180), recovery_end_s=480
    ).tau
    assert fit.tau_s is None
    assert fit.reason


def test_the_fit_refuses_an_erratic_heart_rate() -> None:
    rng = np.random.default_rng(3)
    jumps = rng.uniform(60, 110, 60)
    t, rr = beats_from_hr(lambda t: float(jumps[int(t // 8) % 60]), 480.0)
    fit = recovery.score_recovery(
        t, rr, baseline=(20, 120), activation=(120, 180), recovery_end_s=480
    ).tau
    assert fit.tau_s is None
    assert fit.reason


def test_the_fit_needs_three_minutes() -> None:
    t, rr = _drill(30.0)
    fit = recovery.score_recovery(
        t, rr, baseline=(20, 120), activation=(120, 180), recovery_end_s=350
    ).tau
    assert fit.tau_s is None
    assert "180 s" in fit.reason


# -- the commands ---------------------------------------------------------------------------------
def test_recovery_scores_the_real_exercise_recording(
    shared_data: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "rr/hrv-package/exercise_rri.hrm"
    assert main(["recovery", "--recording", str(path), "--activation", "345-2187", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "baseline_hr_bpm",
        "peak_hr_bpm",
        "hrr60_bpm",
        "tau_s",
        "rmssd_t90_s",
        "reactivity_ln_rmssd",
        "recovered",
        "phases",
    ):
        assert key in out
    assert 70 < out["baseline_hr_bpm"] < 85
    assert out["peak_hr_bpm"] > 100
    assert out["hrr60_bpm"] > 15  # the heart rate fell from ~105 to the 80s within a minute
    assert out["reactivity_ln_rmssd"] < 0  # variability dropped in the exercise
    # most of the drop happened within 10 s: what is left is no clean exponential
    assert (out["tau_s"] is None) == bool(out["tau_reason"])
    assert [p["name"] for p in out["phases"]] == ["baseline", "activation", "recovery"]


def test_check_scores_a_real_resting_recording(
    shared_data: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["check", "--recording", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "rmssd_ms",
        "ln_rmssd",
        "mean_hr_bpm",
        "baseline_ln_rmssd",
        "normal_range",
        "readings_in_baseline",
        "verdict",
    ):
        assert key in out
    assert 40 < out["rmssd_ms"] < 70  # the reference RMSSD of the whole file is 55.1
    assert out["readings_in_baseline"] == 1
    assert out["normal_range"] is None
    assert Path(out["saved"]["result_file"]).is_file()


def test_recovery_rejects_a_span_outside_the_file(
    shared_data: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["recovery", "--recording", str(path), "--activation", "100-9000"]) == 2
    assert main(["recovery", "--recording", str(path), "--activation", "soon"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "START-END" in err


def test_resting_check_on_the_simulator_builds_a_baseline(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        args = ["check", "--device", "sim:seed=5", "--fast", "--headless", "--json"]
        assert main([*args, "--minutes", "1"]) == 0
    capsys.readouterr()
    results = sorted((data_dir / "recordings").glob("*_check*.result.json"))
    assert len(results) == 2
    last = json.loads(results[-1].read_text())
    assert last["simulated"] is True
    assert last["readings_in_baseline"] == 1
    assert last["rmssd_ms"] > 5


def test_deep_breathing_on_the_simulator_with_an_age(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--deep-breathing", "--age", "40", "--device", "sim:seed=2", "--fast"]
    assert main([*args, "--headless", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["breaths"]) == 6
    assert out["hr_diff_bpm"] > 5
    assert out["ei_ratio"] > 1.0
    assert out["norm"]["age"] == 40
    from hrvcoach.settings import Settings

    assert Settings.load(data_dir).age == 40  # remembered
    assert main(["check", "--deep-breathing", "--minutes", "2"]) == 2


def test_the_window_guide_shows_the_phase_countdown_and_serial_sevens(
    artifacts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from hrvcoach.gui.guide import GuidePanel, guide_view

    app = QApplication.instance() or QApplication([])
    assert app is not None
    phases = capacity.recovery_plan(activation="mental")
    view = guide_view(phases, 150.0)
    assert "From 913, count down in sevens" in view.title  # the task, large
    assert "Activation" in view.note
    assert "1:30 left" in view.note
    assert view.bar.labels == ("Baseline", "Activation", "Recovery")
    assert view.bar.current == 1
    settle = guide_view(phases, 5.0)
    assert settle.settling
    assert "Baseline" in settle.title
    panel = GuidePanel()
    panel.resize(1100, 90)
    panel.show_guide(view)
    panel.show()
    app.processEvents()
    shot = artifacts_dir / "capacity-guide-mental.png"
    assert panel.grab().save(str(shot))
    assert shot.stat().st_size > 1000


def test_the_terminal_shows_no_breath_cue_in_a_natural_phase() -> None:
    from hrvcoach.beats import LinkState
    from hrvcoach.pacer import Pacer
    from hrvcoach.tui import DashboardState, format_dashboard

    phases = capacity.resting_plan(minutes=2, settle_s=30)
    state = DashboardState(
        t_s=40.0,
        duration_s=150.0,
        pacer=Pacer().state(40.0),
        paused=False,
        metrics=None,
        link=LinkState.CONNECTED,
        protocol=progress_at(phases, 40.0),
        natural=True,
    )
    lines = format_dashboard(state, width=100, color=False)
    assert lines[0].startswith("FREE")
    assert "█" not in lines[0]
    assert lines[3].startswith("Resting check · 1:50 left · Sit still and breathe naturally")


@pytest.mark.parametrize(
    ("command", "keys"),
    [
        (["check", "--deep-breathing"], ("hr_diff_bpm", "ei_ratio")),
        (["check", "--minutes", "1"], ("rmssd_ms", "mean_hr_bpm")),
        (["recovery", "--activation", "mental"], ("hrr60_bpm", "peak_hr_bpm", "rmssd_t90_s")),
    ],
)
def test_a_protocol_recording_scores_again_to_the_same_numbers(
    data_dir: Path, capsys: pytest.CaptureFixture[str], command: list[str], keys: tuple[str, ...]
) -> None:
    assert main([*command, "--device", "sim:seed=3", "--fast", "--headless", "--json"]) == 0
    live = json.loads(capsys.readouterr().out)
    again_args = [command[0], "--recording", live["recording"], "--json", "--no-save"]
    if "--deep-breathing" in command:
        again_args.append("--deep-breathing")
    assert main(again_args) == 0
    again = json.loads(capsys.readouterr().out)
    for key in keys:
        assert again[key] == live[key], key
    if command[0] == "recovery":
        assert again["phases"] == live["phases"]


# -- the simulator through the protocols ----------------------------------------------------------
def _simulated_drill(spec: str, activation: str = "physical"):  # type: ignore[no-untyped-def]
    from hrvcoach.drivers.simulated import SimParams, simulate
    from hrvcoach.drivers.simulated.protocol import ProtocolCourse
    from hrvcoach.pacer import Pacer
    from hrvcoach.protocols.signals import trusted_beats

    params = SimParams.from_spec(spec)
    phases = capacity.recovery_plan(activation=activation)
    course = ProtocolCourse.of(phases, tau_s=params.tau_s, natural_bpm=params.natural_bpm)
    beats = simulate(params, pacer=Pacer(), duration_s=phases[-1].end_s, course=course)
    t_s, rr_ms = trusted_beats(beats)
    base, act, rec = phases
    return recovery.score_recovery(
        t_s,
        rr_ms,
        baseline=(base.scored_start_s, base.end_s),
        activation=(act.start_s, act.end_s),
        recovery_end_s=rec.end_s,
    )


@pytest.mark.parametrize("tau_s", [20, 30, 60, 90])
def test_the_simulator_recovers_with_the_tau_it_is_given(tau_s: int) -> None:
    score = _simulated_drill(f"sim:tau={tau_s}")
    assert score.tau_s is not None, score.tau.reason
    assert score.tau_s == pytest.approx(tau_s, rel=0.2)
    assert score.reactivity_ln_rmssd is not None
    assert score.reactivity_ln_rmssd < -0.3  # variability dropped in the activation
    assert score.peak_hr_bpm is not None
    assert score.baseline_hr_bpm is not None
    assert score.peak_hr_bpm > score.baseline_hr_bpm + 25


def test_variability_returns_more_slowly_than_heart_rate() -> None:
    score = _simulated_drill("sim:tau=30")
    assert score.rmssd_t90_s is not None
    assert score.rmssd_t90_s > 2 * 30  # RMSSD's return takes longer than HR's time constant
    mental = _simulated_drill("sim:tau=30", activation="mental")
    assert mental.peak_hr_bpm is not None
    assert score.peak_hr_bpm is not None
    assert mental.peak_hr_bpm < score.peak_hr_bpm  # a mental task raises HR less than squats


def test_recovery_on_the_simulator_measures_its_tau(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["recovery", "--device", "sim:tau=30", "--fast", "--json", "--headless"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tau_s"] == pytest.approx(30, rel=0.2)
    assert out["simulated"] is True


@pytest.mark.parametrize(
    ("argv", "what"),
    [(["check"], "check"), (["check", "--deep-breathing"], "check"), (["recovery"], "drill")],
)
def test_a_protocol_that_ends_early_is_not_scored_and_names_its_recording(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    what: str,
) -> None:
    """Stopped after 30 s: one line naming the kept recording, exit 1, nothing kept as a result."""
    from hrvcoach.commands import _protocol
    from hrvcoach.store import HistoryStore

    kept = data_dir / "recordings" / "stopped.csv"

    def stopped(setup: _protocol.ProtocolSetup, **_: object) -> _protocol.ProtocolRun:
        assert setup.plan[-1].end_s > 60.0
        return _protocol.ProtocolRun(kept, (), 30.0, "stopped", simulated=True)

    monkeypatch.setattr(_protocol, "run_protocol", stopped)
    assert main([*argv, "--device", "sim", "--fast", "--headless"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"the {what} ended early (stopped); the recording is kept at {kept}")
    with HistoryStore.open(data_dir) as store:
        assert store.capacity_results() == []


@pytest.mark.parametrize("command", ["check", "recovery", "assess"])
@pytest.mark.parametrize("flag", ["--no-ecg", "--no-motion"])
def test_stream_options_with_a_recording_are_refused_in_one_line(
    data_dir: Path, shared_data: Path, capsys: pytest.CaptureFixture[str], command: str, flag: str
) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main([command, "--recording", str(path), flag]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"hrvcoach {command}: {flag} is for a live run; --recording scores what was recorded"
    ]
