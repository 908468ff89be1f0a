"""The resonance assessment: pure scoring on constructed signals, the choice on simulated people,
a real slow-breathing recording, and the command end to end."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from hrvcoach import assess as A
from hrvcoach.beats import Beat, Mark
from hrvcoach.cli import main
from hrvcoach.errors import UsageError
from hrvcoach.pacer import BreathPattern, Pacer

SLOW_BREATHING = Path("rr/slow-breathing-polar-h10/sample_data_ibi.csv")


# -- helpers ------------------------------------------------------------------------------------
def beats_from_hr(hr_of_t, duration_s: float, *, t0_s: float = 0.0) -> tuple[np.ndarray, ...]:
    """Beat times and RR for a heart whose rate is ``hr_of_t`` (integral pulse frequency model:
    a beat each time the integral of rate / 60 reaches one, integrated on a 5 ms grid)."""
    grid = np.arange(t0_s, t0_s + duration_s, 0.005)
    phase = np.cumsum(hr_of_t(grid) / 60.0) * 0.005
    k = np.arange(1, int(phase[-1]))
    t = np.interp(k, phase, grid)
    rr = np.diff(np.concatenate(([t0_s], t))) * 1000.0
    return t[1:], rr[1:]


def simulated(spec: str, steps: tuple[A.AssessmentStep, ...], pacer: Pacer) -> list[Beat]:
    from hrvcoach.drivers.simulated import SimParams, simulate

    return simulate(SimParams.from_spec(spec), pacer=pacer, duration_s=steps[-1].end_s)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# -- the plan -----------------------------------------------------------------------------------
def test_plan_steps_lay_rates_end_to_end_with_their_settle_period() -> None:
    steps = A.plan_steps([6.5, 6.0, 5.5], step_s=90.0, settle_s=15.0)
    assert [(s.index, s.rate_bpm, s.start_s, s.end_s) for s in steps] == [
        (0, 6.5, 0.0, 90.0),
        (1, 6.0, 90.0, 180.0),
        (2, 5.5, 180.0, 270.0),
    ]
    assert steps[1].scored_start_s == 105.0
    assert steps[0].mark() == Mark(0.0, "step", "index=0 rate=6.5 settle_s=15")


def test_progress_follows_the_plan_step_by_step() -> None:
    steps = A.plan_steps([6.5, 6.0, 5.5], step_s=60.0, settle_s=20.0, t0_s=5.0)
    before = A.progress_at(steps, 0.0)
    assert (before.index, before.step, before.steps_done, before.total_left_s) == (
        -1,
        None,
        0,
        180.0,
    )
    settling = A.progress_at(steps, 70.0)  # 5 s into step 2
    assert settling.step == steps[1]
    assert settling.settling
    assert (settling.settle_left_s, settling.step_left_s, settling.total_left_s) == (
        15.0,
        55.0,
        115.0,
    )
    assert settling.steps_done == 1
    scoring = A.progress_at(steps, 90.0)
    assert (scoring.settling, scoring.settle_left_s, scoring.step_left_s) == (False, 0.0, 35.0)
    boundary = A.progress_at(steps, 125.0)  # a step owns its start, not its end
    assert boundary.index == 2
    assert boundary.settling
    done = A.progress_at(steps, 185.0)
    assert done.done
    assert (done.step, done.steps_done, done.total_left_s) == (None, 3, 0.0)


@pytest.mark.parametrize(
    ("rates", "step_s", "settle_s", "message"),
    [
        ([], 120.0, 20.0, "at least one"),
        ([6.0, 12.0], 120.0, 20.0, "outside"),
        ([6.0, 5.0], 40.0, 20.0, "less than 30 s to score"),
        ([6.0, 5.0], 120.0, -1.0, "negative"),
    ],
)
def test_plan_steps_refuses_what_cannot_be_scored(
    rates: list[float], step_s: float, settle_s: float, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        A.plan_steps(rates, step_s=step_s, settle_s=settle_s)


def test_step_marks_read_back_into_the_same_steps() -> None:
    steps = A.plan_steps([6.5, 5.5, 4.5], step_s=100.0, settle_s=25.0)
    marks = [Mark(0.0, "pace", "6.5 4:6")] + [s.mark() for s in steps]
    assert A.steps_from_marks(marks, end_s=300.0) == steps
    with pytest.raises(ValueError, match="not 'index=N rate=R settle_s=S'"):
        A.steps_from_marks([Mark(3.0, "step", "rate=fast")], end_s=10.0)


def test_protocol_pacer_paces_each_step_and_cycles_start_on_empty_lungs() -> None:
    steps = A.plan_steps(step_s=120.0, settle_s=20.0)
    pacer = A.protocol_pacer(steps, ratio="4:6")
    for step in steps:
        assert pacer.rate_at(step.start_s + 1.0) == step.rate_bpm
        starts = A.cycle_starts(pacer, step.scored_start_s, step.end_s)
        assert np.allclose(np.diff(starts), 60.0 / step.rate_bpm)
        assert all(step.scored_start_s <= t <= step.end_s for t in starts)
        # a breath begins with empty lungs (the pacer keeps its stage across a pace change)
        assert all(pacer.volume(t + 1e-6) < 1e-6 for t in starts)
    with pytest.raises(UsageError, match="ratio"):
        A.protocol_pacer(steps, ratio="four:six")


# -- scoring functions on constructed signals -----------------------------------------------------
@pytest.mark.parametrize("rate_bpm", [4.5, 5.5, 6.5])
@pytest.mark.parametrize("phase", [0.0, 35.0, -70.0, 150.0])
def test_peak_to_trough_and_phase_of_a_known_heart_rate_sine(rate_bpm: float, phase: float) -> None:
    f = rate_bpm / 60.0
    rng = np.random.default_rng(int(rate_bpm * 10))
    t = np.cumsum(rng.uniform(0.8, 1.0, 130))  # unevenly spaced, like beats
    hr = 65 + 6 * np.sin(2 * np.pi * f * t + math.radians(phase))
    grid, hr_even = A.resample(t, hr)
    cycles = list(np.arange(grid[0], grid[-1], 60.0 / rate_bpm))
    assert A.peak_to_trough_bpm(grid, hr_even, cycles) == pytest.approx(12.0, abs=0.15)
    breath = np.sin(2 * np.pi * f * grid)
    assert A.phase_deg(grid, hr_even, breath, f) == pytest.approx(phase, abs=1.5)


def test_phase_is_zero_when_heart_rate_peaks_as_the_uneven_breath_fills_the_lungs() -> None:
    pacer = Pacer(BreathPattern(5.0, inhale=4, exhale=6))
    grid = np.arange(0.0, 120.0, 0.25)
    volume = np.array([pacer.volume(t) for t in grid])
    assert A.phase_deg(grid, 60 + 10 * volume, volume, 5.0 / 60) == pytest.approx(0.0, abs=1e-6)
    assert abs(A.phase_deg(grid, 60 - 10 * volume, volume, 5.0 / 60)) == pytest.approx(180.0)
    lag_s = 2.0  # heart rate 2 s behind the breath at 12 s a breath: -60 degrees
    lagged = np.array([pacer.volume(t - lag_s) for t in grid])
    assert A.phase_deg(grid, lagged, volume, 5.0 / 60) == pytest.approx(-60.0, abs=3.0)


def test_peak_to_trough_counts_whole_cycles_only() -> None:
    t = np.arange(0.0, 30.0, 0.25)
    hr = 60 + 4 * np.sin(2 * np.pi * 0.1 * t)
    assert A.peak_to_trough_bpm(t, hr, [0.0, 10.0, 20.0]) == pytest.approx(8.0, abs=0.05)
    assert A.peak_to_trough_bpm(t, hr, [0.0]) is None


def test_spectrum_finds_the_paced_oscillation_and_its_power() -> None:
    # RR = 900 + 50 sin(2 pi 0.09 t): a sine of amplitude 50 ms carries 50^2 / 2 = 1250 ms^2
    t, rr = beats_from_hr(lambda t: 60000.0 / (900 + 50 * np.sin(2 * np.pi * 0.09 * t)), 110.0)
    spectrum = A.step_spectrum(t, rr, start_s=5.0, end_s=105.0)
    assert spectrum.lf_peak_hz == pytest.approx(0.09, abs=0.002)
    assert spectrum.lf_ms2 == pytest.approx(1250.0, rel=0.12)
    assert spectrum.resolution_hz == pytest.approx(0.01, rel=0.01)
    assert A.mean_coherence(t, rr, start_s=5.0, end_s=105.0) > 5.0


def test_coherence_is_low_for_a_heart_that_does_not_oscillate() -> None:
    rng = np.random.default_rng(3)
    rr = 900 + rng.normal(0, 30, 130)
    t = np.cumsum(rr) / 1000.0
    assert A.mean_coherence(t, rr, start_s=5.0, end_s=105.0) < 1.0


def test_artifact_correction_removes_an_ectopic_pair_and_keeps_time() -> None:
    rr = np.full(60, 1000.0) + 40 * np.sin(np.arange(60) / 2)
    rr[30], rr[31] = rr[30] * 0.6, rr[31] * 1.4  # premature beat, compensatory pause
    t = np.cumsum(rr) / 1000.0
    clean = A.correct_artifacts(t, rr)
    assert clean.corrected >= 1
    assert np.max(np.abs(np.diff(clean.rr_ms))) < 150
    assert clean.t_s[-1] == pytest.approx(t[-1], abs=0.01)


def test_artifact_correction_treats_a_lost_signal_as_two_runs() -> None:
    rr = np.full(80, 950.0)
    t = np.cumsum(rr) / 1000.0
    t[40:] += 20.0  # 20 s without beats
    clean = A.correct_artifacts(t, rr)
    assert clean.corrected == 0
    assert np.allclose(clean.t_s, t)


# -- one step, then the choice ------------------------------------------------------------------
def test_score_step_recovers_the_simulated_persons_amplitude_and_phase() -> None:
    from hrvcoach.drivers.simulated import SimParams

    spec = "sim:resonance=5.5,noise=0,drift=0,baro=0,ectopic=0,missed=0,timing=0,depth=0"
    params = SimParams.from_spec(spec)
    steps = A.plan_steps(step_s=120.0, settle_s=30.0)
    pacer = A.protocol_pacer(steps)
    beats = simulated(spec, steps, pacer)
    t = [b.t_s for b in beats]
    rr = [b.rr_ms for b in beats]
    for step in steps:
        score = A.score_step(t, rr, step, pacer=pacer)
        assert score.usable
        assert score.peak_trough_bpm == pytest.approx(params.amplitude_bpm(step.rate_bpm), rel=0.05)
        assert score.phase_deg == pytest.approx(params.phase_deg(step.rate_bpm), abs=3.0)
        assert score.follows_pacer
        assert score.lf_peak_bpm == pytest.approx(step.rate_bpm, abs=0.3)
        assert score.artifacts == 0


def test_score_step_says_why_a_step_cannot_be_judged() -> None:
    step = A.AssessmentStep(0, 6.0, 0.0, 120.0, 20.0)
    t = np.arange(1.0, 30.0, 1.0)
    assert not A.score_step(t, np.full(t.size, 1000.0), step).usable
    # beats for the first and last 20 s of the scored window only: the signal was lost
    t = np.concatenate((np.arange(20.0, 40.0, 1.0), np.arange(100.0, 120.0, 1.0)))
    score = A.score_step(t, np.full(t.size, 1000.0), step)
    assert not score.usable
    assert "signal lost" in score.note


def _score(
    rate: float,
    ptt: float,
    lf: float,
    *,
    phase: float = 0.0,
    usable: bool = True,
    follows: bool = True,
) -> A.StepScore:
    return A.StepScore(
        index=0,
        rate_bpm=rate,
        scored_s=100.0,
        beats=100,
        artifacts=0,
        usable=usable,
        peak_trough_bpm=ptt,
        lf_ms2=lf,
        lf_peak_hz=rate / 60,
        lf_peak_ms2_hz=lf * 20,
        follows_pacer=follows,
        phase_deg=phase,
        coherence=lf / 1000,
        mean_hr_bpm=64.0,
    )


def test_choice_is_clear_close_or_none_with_a_reason() -> None:
    clear = A.choose_resonance(
        [_score(6.5, 8, 1000, phase=-60), _score(5.5, 15, 5000), _score(4.5, 9, 1200, phase=50)]
    )
    assert (clear.resonance_bpm, clear.confidence, clear.runner_up_bpm) == (5.5, "clear", 4.5)
    assert clear.reason.startswith("5.5 breaths/min gave the largest response")

    close = A.choose_resonance(
        [_score(6.0, 8, 1000), _score(5.5, 14.6, 4900), _score(5.0, 15, 5000)]
    )
    assert (close.resonance_bpm, close.confidence, close.runner_up_bpm) == (5.0, "close", 5.5)
    assert "5.0 and 5.5" in close.reason

    flat = A.choose_resonance(
        [_score(r, 12 + 0.3 * i, 3000 + 100 * i) for i, r in enumerate((6.5, 6.0, 5.5, 5.0, 4.5))]
    )
    assert (flat.resonance_bpm, flat.best_bpm, flat.confidence) == (None, 4.5, "none")
    assert "no rate stands out" in flat.reason


def test_one_outsized_criterion_does_not_make_a_winner_when_the_rest_is_flat() -> None:
    # a sigh in one step lifts its peak-to-trough swing by a third; nothing else differs
    result = A.choose_resonance(
        [_score(6.5, 15, 5000), _score(5.5, 20, 5200), _score(4.5, 15.5, 5100)]
    )
    assert (result.resonance_bpm, result.best_bpm, result.confidence) == (None, 5.5, "none")
    assert "no rate stands out" in result.reason


def test_choice_leaves_out_unusable_steps_and_penalises_not_following_the_pacer() -> None:
    result = A.choose_resonance(
        [
            _score(6.0, 20, 9000, usable=False),
            _score(5.5, 14, 4000, follows=False),
            _score(5.0, 13, 3800),
            _score(4.5, 7, 900),
        ]
    )
    assert result.scores[0] == 0.0
    assert result.resonance_bpm == 5.0
    nothing = A.choose_resonance([_score(6.0, 9, 900, usable=False)])
    assert nothing.confidence == "none"
    assert "enough clean signal" in nothing.reason


def test_phase_is_left_out_when_no_step_has_a_breathing_reference() -> None:
    steps = [_score(6.0, 10, 2000, phase=0.0), _score(5.0, 12, 3000, phase=0.0)]
    no_phase = [A.StepScore(**{**s.__dict__, "phase_deg": None}) for s in steps]
    assert A.combined_scores(no_phase)[1] == pytest.approx(1.0)
    assert A.combined_scores(no_phase)[0] < 1.0


# -- simulated people ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("resonance", "seed"),
    [(4.5, 1), (5.0, 2), (5.5, 3), (6.0, 4), (6.5, 5), (5.5, 6)],
)
def test_assessment_finds_the_simulated_resonance(resonance: float, seed: int) -> None:
    steps = A.plan_steps(step_s=90.0, settle_s=20.0)
    pacer = A.protocol_pacer(steps)
    beats = simulated(f"sim:resonance={resonance},seed={seed}", steps, pacer)
    result = A.assess_beats([b.t_s for b in beats], [b.rr_ms for b in beats], steps, pacer=pacer)
    assert result.resonance_bpm == resonance, result.reason
    assert result.confidence == "clear", result.reason


@pytest.mark.parametrize("seed", [7, 8])
def test_assessment_holds_up_with_heavy_noise_and_many_ectopic_beats(seed: int) -> None:
    steps = A.plan_steps(step_s=90.0, settle_s=20.0)
    pacer = A.protocol_pacer(steps)
    spec = f"sim:resonance=5.0,seed={seed},noise=35,ectopic=3,missed=1,drift=3"
    beats = simulated(spec, steps, pacer)
    result = A.assess_beats([b.t_s for b in beats], [b.rr_ms for b in beats], steps, pacer=pacer)
    assert sum(s.artifacts for s in result.steps) >= 10
    assert result.resonance_bpm == 5.0, result.reason
    assert result.confidence in ("clear", "close")


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_person_without_resonance_gets_no_clear_winner(seed: int) -> None:
    steps = A.plan_steps(step_s=90.0, settle_s=20.0)
    pacer = A.protocol_pacer(steps)
    beats = simulated(f"sim:flat=1,seed={seed}", steps, pacer)
    result = A.assess_beats([b.t_s for b in beats], [b.rr_ms for b in beats], steps, pacer=pacer)
    assert result.confidence == "none", result.reason
    assert result.resonance_bpm is None


def test_resonance_between_two_rates_is_a_close_call() -> None:
    steps = A.plan_steps(step_s=120.0, settle_s=20.0)
    pacer = A.protocol_pacer(steps)
    beats = simulated("sim:resonance=5.25,seed=5", steps, pacer)
    result = A.assess_beats([b.t_s for b in beats], [b.rr_ms for b in beats], steps, pacer=pacer)
    assert result.confidence == "close"
    assert {result.resonance_bpm, result.runner_up_bpm} == {5.0, 5.5}


# -- a real recording ------------------------------------------------------------------------------
def test_slow_breathing_recording_peaks_where_the_breathing_put_it(shared_data: Path) -> None:
    data = np.loadtxt(shared_data / SLOW_BREATHING, delimiter=",")
    rr = data[:, 1]
    t = np.cumsum(rr) / 1000.0  # column 0 is BLE arrival time, not beat time
    peaks_bpm = []
    for start in np.arange(t[0] + 5.0, t[-1] - 120.0, 120.0):
        step = A.AssessmentStep(len(peaks_bpm), 4.5, float(start), 120.0, 0.0)
        score = A.score_step(t, rr, step)
        assert score.usable
        assert score.artifacts <= 3
        peaks_bpm.append(score.lf_peak_bpm)
        assert 3.5 <= score.lf_peak_bpm <= 5.0, f"window at {start:.0f} s"
        assert 5.0 < score.peak_trough_bpm < 30.0
    assert len(peaks_bpm) == 4


# -- the command ----------------------------------------------------------------------------------
def test_assess_on_the_simulator_is_stored_as_simulated_and_keeps_the_default_pace(
    data_dir: Path, capsys: pytest.CaptureFixture[str], artifacts_dir: Path
) -> None:
    from hrvcoach.readers import read_recording
    from hrvcoach.reports import compute_trends
    from hrvcoach.settings import Settings
    from hrvcoach.store import HistoryStore

    png = artifacts_dir / "assessment-sim-resonance-5.png"
    png.unlink(missing_ok=True)
    code, out, err = run_cli(
        [
            "--data-dir",
            str(data_dir),
            "assess",
            "--device",
            "sim:resonance=5.0,seed=1",
            "--fast",
            "--json",
            "--step-minutes",
            "1.5",
            "--headless",
            "--png",
            str(png),
        ],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["resonance_bpm"] == 5.0
    assert result["confidence"] == "clear"
    assert result["reason"]
    assert [s["rate_bpm"] for s in result["steps"]] == [6.5, 6.0, 5.5, 5.0, 4.5]
    for step in result["steps"]:
        for key in ("peak_trough_bpm", "lf_ms2", "lf_peak_hz", "phase_deg", "coherence"):
            assert isinstance(step[key], float), key

    recording = read_recording(result["recording"])
    steps = [m.text for m in recording.marks if m.kind == "step"]
    assert steps == [
        f"index={i} rate={r:.1f} settle_s=20" for i, r in enumerate((6.5, 6.0, 5.5, 5.0, 4.5))
    ]
    assert recording.duration_s == pytest.approx(450.0, abs=2.0)
    beside = json.loads(Path(result["saved"]["result_file"]).read_text(encoding="utf-8"))
    assert beside["resonance_bpm"] == 5.0
    assert beside["simulated"] is True

    # no real heart made this: the user's practice pace is not the simulator's resonance
    assert result["simulated"] is True
    assert "pace_bpm" not in result["saved"]
    assert not (data_dir / "settings.json").exists()
    assert Settings.load(data_dir).pace_source == "default"
    with HistoryStore.open(data_dir) as store:
        latest = store.latest_assessment()
        indexed = store.find_file(Path(result["recording"]))
        rows = store.sessions()
    assert indexed is not None
    assert indexed.kind == "assessment"
    assert indexed.simulated
    assert latest is not None
    assert latest.session_id == indexed.id  # stored as simulated: through its simulated session
    # a history of simulated sessions only: the trends show them and say so (docs/training.md)
    alone = compute_trends(rows, assessments=[latest])
    assert alone.simulated_only
    assert [rate for _, rate in alone.assessments] == [5.0]
    # once a real session exists, the trends leave it out with its session, and show it when
    # asked to
    real = dataclasses.replace(indexed, id=indexed.id + 1, sha256="0" * 64, simulated=False)
    assert compute_trends([*rows, real], assessments=[latest]).assessments == ()
    shown = compute_trends([*rows, real], assessments=[latest], include_simulated=True)
    assert [rate for _, rate in shown.assessments] == [5.0]
    assert (latest.rate_bpm, latest.confidence) == (5.0, "clear")
    assert [s["rate_bpm"] for s in latest.steps] == [6.5, 6.0, 5.5, 5.0, 4.5]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000

    # the same recording scored again gives the same answer, without a new run
    code, out, err = run_cli(
        [
            "--data-dir",
            str(data_dir),
            "assess",
            "--recording",
            result["recording"],
            "--json",
            "--no-save",
        ],
        capsys,
    )
    assert code == 0, err
    again = json.loads(out)
    assert again["resonance_bpm"] == 5.0
    assert [s["peak_trough_bpm"] for s in again["steps"]] == pytest.approx(
        [s["peak_trough_bpm"] for s in result["steps"]], abs=0.05
    )


def test_a_flat_responder_keeps_the_usual_pace(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.settings import Settings

    code, out, err = run_cli(
        [
            "--data-dir",
            str(data_dir),
            "assess",
            "--device",
            "sim:flat=1,seed=2",
            "--fast",
            "--headless",
            "--step-minutes",
            "1.5",
            "--rates",
            "6.5,5.5,4.5",
        ],
        capsys,
    )
    assert code == 0, err
    assert "No clear resonance rate." in out
    assert "Simulated: your default pace is unchanged (6.0 breaths/min)" in out
    assert Settings.load(data_dir).pace_source == "default"


def test_assess_scores_one_recording_per_rate_from_another_app(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # RR lists, one per paced rate, as Elite HRV or Kubios would export them
    args = []
    for rate, amplitude in ((6.5, 3.0), (5.5, 8.0), (4.5, 4.0)):
        f = rate / 60.0
        _, rr = beats_from_hr(lambda t, a=amplitude, f=f: 64 + a * np.sin(2 * np.pi * f * t), 150.0)
        path = tmp_path / f"paced-{rate}.txt"
        path.write_text("\n".join(str(round(x)) for x in rr) + "\n", encoding="utf-8")
        args += ["--recording", f"{rate}={path}"]
    code, out, err = run_cli(["--data-dir", str(data_dir), "assess", *args, "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["resonance_bpm"] == 5.5
    assert [s["phase_deg"] for s in result["steps"]] == [None, None, None]
    assert result["steps"][1]["peak_trough_bpm"] == pytest.approx(16.0, abs=1.0)

    # a person's own recordings: their resonance becomes the default pace of practice
    from hrvcoach.settings import Settings
    from hrvcoach.store import HistoryStore

    assert result["simulated"] is False
    assert result["saved"]["pace_bpm"] == 5.5
    settings = Settings.load(data_dir)
    assert settings.pace_bpm == 5.5
    assert settings.pace_source.startswith("assessment ")
    with HistoryStore.open(data_dir) as store:
        latest = store.latest_assessment()
    assert latest is not None
    assert latest.rate_bpm == 5.5


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--rates", "6,fast"], 2, "'fast' is not a number"),
        (["--rates", "6"], 2, "at least two rates"),
        (["--step-minutes", "0.5"], 2, "less than 30 s to score"),
        (["--settle-seconds", "-3"], 2, "--settle-seconds must be 0 or more"),
        (["--device", "sim:resonance=99"], 4, "resonance must be"),
        (["--recording", "nowhere.csv"], 3, "no such file"),
        (["--recording", "5=a.csv", "--recording", "b.csv"], 2, "RATE=FILE for every rate"),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    got, _, err = run_cli(
        ["--data-dir", str(data_dir), "assess", "--fast", "--headless", *args], capsys
    )
    assert got == code
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_bundled_assessment_recording_finds_its_simulated_resonance(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.paths import bundled_recordings_dir

    path = bundled_recordings_dir() / "sim-assessment-10min.csv"
    code, out, err = run_cli(
        ["--data-dir", str(data_dir), "assess", "--recording", str(path), "--no-save"], capsys
    )
    assert code == 0, err
    assert "Resonance: 5.5 breaths/min." in out
    assert "*  5.5" in out
    assert not (data_dir / "settings.json").exists()


def test_assess_in_the_window_runs_the_protocol_and_closes_itself(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    artifacts_dir: Path,
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    shot = artifacts_dir / "assess_window_result.png"
    shot.unlink(missing_ok=True)
    code, out, err = run_cli(
        [
            "--data-dir",
            str(data_dir),
            "assess",
            "--device",
            "sim:resonance=5.0,seed=3",
            "--fast",
            "--rates",
            "6,5",
            "--step-minutes",
            "0.75",
            "--settle-seconds",
            "10",
            "--json",
            "--screenshot",
            str(shot),
        ],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["resonance_bpm"] == 5.0
    assert Path(result["recording"]).is_file()
    # the window showed the result it stored: the screenshot is taken as the result appears
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "pace_bpm" not in result["saved"]  # the simulator's resonance is not the user's


def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")


SHORT_SIM_PROTOCOL = [
    "assess",
    "--device",
    "sim:resonance=5.0,seed=3",
    "--fast",
    "--rates",
    "6,5",
    "--step-minutes",
    "0.75",
    "--settle-seconds",
    "10",
]


def test_assess_without_a_display_paces_in_the_terminal_dashboard(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    no_display(monkeypatch)
    code, out, err = run_cli(["--data-dir", str(data_dir), *SHORT_SIM_PROTOCOL], capsys)
    assert code == 0, err
    # captured output is not a terminal: the dashboard writes plain lines, with the step
    lines = out.splitlines()
    steps = [line for line in lines if " · settling, scored from 0:10" in line]
    assert any("step 1/2 · 6.0 /min" in line for line in steps)
    assert any("step 2/2 · 5.0 /min" in line for line in steps)
    assert any(" IN " in line or " OUT " in line for line in steps)  # the breath cue is there
    assert any("HR " in line and "RMSSD" in line for line in steps)  # live numbers are shown
    done = next(i for i, line in enumerate(lines) if " DONE " in line)
    assert lines[done].endswith("all 2 steps done · scoring each rate…")
    # then the result, after the dashboard, and no step lines in stderr to garble it
    assert "Resonance: 5.0 breaths/min." in "\n".join(lines[done:])
    assert "Simulated: your default pace is unchanged (6.0 breaths/min)" in out
    assert "step 1/2" not in err
    assert not (data_dir / "settings.json").exists()


def test_assess_json_without_a_display_keeps_stdout_for_the_result(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    no_display(monkeypatch)
    code, out, err = run_cli(
        ["--data-dir", str(data_dir), *SHORT_SIM_PROTOCOL, "--json", "--no-save"], capsys
    )
    assert code == 0, err
    result = json.loads(out)  # nothing but the result
    assert result["resonance_bpm"] == 5.0
    assert result["simulated"] is True
    assert "step 2/2 · 5.0 /min · settling, scored from 0:10" in err  # the dashboard is on stderr


def test_assess_screenshot_is_refused_without_a_window(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(
        [
            "--data-dir",
            str(data_dir),
            "assess",
            "--headless",
            "--screenshot",
            str(tmp_path / "a.png"),
        ],
        capsys,
    )
    assert code == 2
    assert "--screenshot needs a display" in err
    code, _, err = run_cli(
        ["--data-dir", str(data_dir), "assess", "--screenshot", str(tmp_path / "no" / "a.png")],
        capsys,
    )
    assert code == 2
    assert "does not exist" in err


def test_a_replay_cannot_stand_in_for_the_protocol(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrvcoach.paths import bundled_recordings_dir

    path = bundled_recordings_dir() / "sim-6bpm-5min.csv"
    code, _, err = run_cli(
        ["--data-dir", str(data_dir), "assess", "--device", str(path), "--fast", "--headless"],
        capsys,
    )
    assert code == 2
    assert "use --recording FILE" in err
    folder = data_dir / "recordings"
    assert not folder.exists() or not any(folder.glob("*.csv"))  # nothing was recorded


def test_stopping_early_keeps_the_recording_and_changes_nothing(data_dir: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hrvcoach",
            "--data-dir",
            str(data_dir),
            "assess",
            "--headless",
            "--device",
            "sim:seed=4",
            "--speed",
            "20",
            "--step-minutes",
            "0.75",
            "--settle-seconds",
            "10",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    for line in proc.stderr:  # wait until the second step has begun
        if line.startswith("step 2/5") or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err
    assert "ended after 1 of 5 steps (interrupted), too few to compare" in err
    assert "Traceback" not in err
    recordings = list((data_dir / "recordings").glob("*_assessment.csv"))
    assert len(recordings) == 1
    from hrvcoach.readers import read_recording

    kept = read_recording(recordings[0])
    assert kept.duration_s >= 45.0  # the first beat of step 2 is in it
    assert [m.text for m in kept.marks if m.kind == "step"][:2] == [
        "index=0 rate=6.5 settle_s=10",
        "index=1 rate=6.0 settle_s=10",
    ]
    assert not (data_dir / "settings.json").exists()
