"""Whole-session summaries and the ``hrvcoach analyze`` command, on real recordings."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from hrvcoach import artifacts, hrv
from hrvcoach import coherence as coh
from hrvcoach.analysis import Summary, analyze, analyze_session
from hrvcoach.beats import Beat, BeatFlag, Gap, Mark
from hrvcoach.cli import main
from hrvcoach.live import LiveHrv

nk = pytest.importorskip("neurokit2")

JSON_KEYS = {
    "beats",
    "duration_s",
    "mean_rr_ms",
    "mean_hr_bpm",
    "sdnn_ms",
    "rmssd_ms",
    "pnn50_pct",
    "lf_ms2",
    "hf_ms2",
    "lf_hf",
    "lf_peak_hz",
    "coherence",
    "artifacts_corrected",
    "quality",
}


def _slow_breathing(shared: Path) -> np.ndarray:
    path = shared / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    return np.loadtxt(path, delimiter=",", usecols=1)


def _ectopic(shared: Path) -> np.ndarray:
    path = shared / "rr/ectopic-polar-h10-ecg/rr.csv"
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=1)


def _nk_time(rr: np.ndarray, t_s: np.ndarray | None = None) -> dict[str, float]:
    data: dict[str, object] = {"RRI": rr}
    if t_s is not None:
        data["RRI_Time"] = t_s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        row = nk.hrv_time(data).iloc[0]
    return {k: float(row[f"HRV_{k}"]) for k in ("MeanNN", "SDNN", "RMSSD", "pNN50")}


def _recording(events: list, path: Path | None = None):
    from hrvcoach.recording import Recording, RecordingMeta

    return Recording(path=path, meta=RecordingMeta(format="hrvcoach"), events=tuple(events))


def test_summary_of_a_clean_recording_equals_neurokit_and_the_spectrum(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)
    s = analyze(rr, artifacts="none")
    ref = _nk_time(rr)
    assert s.beats == rr.size
    assert s.mean_rr_ms == pytest.approx(ref["MeanNN"], rel=1e-12)
    assert s.sdnn_ms == pytest.approx(ref["SDNN"], rel=1e-12)
    assert s.rmssd_ms == pytest.approx(ref["RMSSD"], rel=1e-12)
    assert s.pnn50_pct == pytest.approx(ref["pNN50"], rel=1e-12)
    fd = hrv.frequency_domain(rr)
    assert s.lf_ms2 == pytest.approx(fd.lf_ms2, rel=1e-12)
    assert s.hf_ms2 == pytest.approx(fd.hf_ms2, rel=1e-12)
    assert s.lf_peak_hz == pytest.approx(fd.lf_peak_hz)
    assert s.duration_s == pytest.approx(rr.sum() / 1000.0)
    assert s.artifacts_corrected == 0
    assert s.stretches == 1


def test_kubios_summary_counts_the_corrections_of_the_whole_session(shared_data: Path) -> None:
    rr = _ectopic(shared_data)
    s = analyze(rr, artifacts="kubios")
    corrected = artifacts.correct(rr)
    assert s.artifacts_corrected == corrected.count >= 10
    assert s.beats == rr.size  # what was recorded
    assert s.beats_analysed == corrected.rr_ms.size != rr.size  # a missed beat was put back
    assert s.rmssd_ms == pytest.approx(hrv.time_domain(corrected.rr_ms).rmssd_ms, rel=1e-12)
    assert s.rmssd_ms < analyze(rr, artifacts="none").rmssd_ms


def test_analyze_session_hands_back_the_corrected_beats_it_summarised(shared_data: Path) -> None:
    from hrvcoach.analysis import analyze_session

    rr = _ectopic(shared_data)
    t = np.cumsum(rr) / 1000.0
    events: list = []
    for i in range(rr.size):
        if i == 400:  # two stretches, corrected each on its own
            events.append(Gap(float(t[399]), 3.0))
        events.append(Beat(float(t[i]) + (3.0 if i >= 400 else 0.0), float(rr[i])))
    recording = _recording(events)
    result = analyze_session(recording, artifacts="kubios")
    assert result.summary == analyze(recording, artifacts="kubios")
    assert len(result.stretches) == result.summary.stretches == 2
    first, second = (artifacts.correct(rr[:400]), artifacts.correct(rr[400:]))
    np.testing.assert_array_equal(result.stretches[0].rr_ms, first.rr_ms)
    np.testing.assert_array_equal(result.stretches[1].rr_ms, second.rr_ms)
    assert result.artifact_t_s.size == first.count + second.count
    assert result.summary.artifacts_corrected == result.artifact_t_s.size
    # Moved and removed beats where they were recorded; inserted ones where they were put.
    moved = [float(t[i]) for i in (*first.moved, *first.removed)]
    moved += [float(t[400 + i]) + 3.0 for i in (*second.moved, *second.removed)]
    assert set(moved) <= set(result.artifact_t_s.tolist())
    assert np.all(np.diff(result.artifact_t_s) >= 0)
    for stretch in result.stretches:
        # Beat times rebuilt from the corrected RR; coherence of exactly those beats.
        np.testing.assert_allclose(np.diff(stretch.t_s) * 1000.0, stretch.rr_ms[1:], atol=1e-6)
        expected = coh.coherence_series(stretch.rr_ms, stretch.t_s)
        np.testing.assert_array_equal(stretch.coherence.ratio, expected.ratio)
    assert result.spectrum is not None
    fd = hrv.band_powers(result.spectrum)
    assert result.summary.lf_ms2 == fd.lf_ms2


def test_lf_peak_of_long_recordings_is_a_peak_or_none(shared_data: Path) -> None:
    hour = np.load(shared_data / "rr/pyhrv-sample/SampleNNISeriesLong.npy").astype(float)
    s = analyze(hour)
    assert s.lf_peak_hz == pytest.approx(0.102, abs=0.004)  # not the 0.047 Hz edge
    # A day's average spectrum falls all the way through LF: no LF peak at all.
    day = np.loadtxt(shared_data / "rr/physionet-healthy-24h/000.txt")
    s = analyze(day, artifacts="none")
    assert s.lf_ms2 is not None
    assert s.vlf_ms2 is not None
    assert s.lf_peak_hz is None
    assert s.to_json()["lf_peak_hz"] is None


def test_json_has_every_key_and_no_nan() -> None:
    short = analyze(np.array([800.0, 810.0, 790.0]))
    data = short.to_json()
    assert set(data) >= JSON_KEYS
    assert data["lf_ms2"] is None
    assert data["coherence"] is None
    text = json.dumps(data, allow_nan=False)  # raises if a NaN slipped through
    assert json.loads(text)["beats"] == 3
    assert isinstance(short, Summary)


def test_session_coherence_is_the_mean_the_user_watched(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)
    s = analyze(rr, artifacts="none")
    live = LiveHrv(artifacts="none")
    t = np.cumsum(rr) / 1000.0
    watched = []
    for a, b in zip(t, rr, strict=True):
        m = live.update(Beat(float(a), float(b)))
        if m.spectral_t_s == float(a) and m.coherence is not None:
            watched.append(m.coherence)
    assert s.coherence_windows == len(watched)
    assert s.coherence == pytest.approx(np.mean(watched), rel=0.02)
    assert s.coherence_max == pytest.approx(np.max(watched), rel=0.05)
    assert s.coherence > 1.0


def test_a_recording_with_a_gap_and_unusable_beats(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)[:300]
    t = np.cumsum(rr) / 1000.0
    t[150:] += 20.0
    events: list = [Mark(0.0, "pace", "6.0 4:6"), Beat(0.1, 1400.0, flags=BeatFlag.BUFFERED)]
    for i in range(300):
        if i == 150:
            events.append(Gap(float(t[149]), 20.0))
        if i == 100:
            events.append(Beat(float(t[i]) - 0.1, 3500.0, flags=BeatFlag.IMPLAUSIBLE))
        events.append(Beat(float(t[i]), float(rr[i])))
    s = analyze(_recording(events), artifacts="none")
    assert s.beats == 300
    assert s.beats_excluded == 2
    assert s.stretches == 3  # split at the implausible beat and at the gap
    # Differences across both breaks are left out, as neurokit2 does given the beat times.
    t_nk = t.copy()
    t_nk[100:] += 5.0  # any jump makes neurokit2 see a break there
    mask = np.ones(299, dtype=bool)
    mask[[99, 149]] = False
    assert s.rmssd_ms == pytest.approx(hrv.time_domain(rr, successive=mask).rmssd_ms, rel=1e-12)
    assert s.rmssd_ms == pytest.approx(_nk_time(rr, t_nk)["RMSSD"], rel=1e-12)
    assert s.lf_ms2 is not None


def test_unknown_artifact_method_and_bad_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="artifact"):
        analyze(np.array([800.0] * 10), artifacts="median")
    with pytest.raises(ValueError, match="positive"):
        analyze(np.array([800.0, -1.0, 790.0]))


# -- the command ---------------------------------------------------------------------------------


def test_analyze_command_prints_a_table(shared_data: Path, capsys: pytest.CaptureFixture) -> None:
    path = shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    s = analyze(_slow_breathing(shared_data))
    assert f"RMSSD       {s.rmssd_ms:.1f} ms" in out
    assert f"SDNN        {s.sdnn_ms:.1f} ms" in out
    assert "Coherence" in out
    assert "not normal, left out" in out
    assert "Signal      good" in out


@pytest.mark.parametrize("artifact_method", ["nn", "kubios", "none"])
def test_analyze_command_json_on_an_hrv_logger_export(
    shared_data: Path, capsys: pytest.CaptureFixture, artifact_method: str
) -> None:
    path = shared_data / "rr/hrvlogger-polar-h10/ot_a60_RRIntervals.csv"
    assert main(["analyze", str(path), "--json", "--artifacts", artifact_method]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= JSON_KEYS
    assert data["format"] == "hrvlogger"
    assert data["artifact_method"] == artifact_method
    assert 300 < data["beats"] < 600
    assert 40 < data["mean_hr_bpm"] < 120
    for value in data.values():
        assert not (isinstance(value, float) and not math.isfinite(value))


def test_analyze_command_forced_format(shared_data: Path, capsys: pytest.CaptureFixture) -> None:
    path = shared_data / "rr/hrv-package/real_rri.txt"
    assert main(["analyze", str(path), "--json", "--format", "rr-list"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["beats"] >= 760  # the stray trailing 0 is not a beat


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02garbage", "binary"), (b"hello world\n", "not a recording")],
)
def test_analyze_command_bad_file_is_one_line_and_nonzero(
    tmp_path: Path, capsys: pytest.CaptureFixture, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code = main(["analyze", str(path)])
    err = capsys.readouterr().err
    assert code == 3
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_analyze_command_too_few_beats(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "one.txt"
    path.write_text("812\n")
    assert main(["analyze", str(path)]) == 3
    assert "fewer than 2 usable beats" in capsys.readouterr().err


SPECTRAL_KEYS = ("vlf_ms2", "lf_ms2", "hf_ms2", "total_power_ms2", "lf_hf", "lf_peak_hz")


def _first_seconds(rr: np.ndarray, seconds: float) -> np.ndarray:
    return rr[: int(np.searchsorted(np.cumsum(rr) / 1000.0, seconds, side="right"))]


@pytest.mark.parametrize("seconds", [12.0, 19.0, 70.0, 109.0])
def test_no_spectral_numbers_from_less_than_110_s(shared_data: Path, seconds: float) -> None:
    rr = _first_seconds(_slow_breathing(shared_data), seconds)
    analysis = analyze_session(rr)
    data = analysis.summary.to_json()
    assert all(data[key] is None for key in SPECTRAL_KEYS)
    assert analysis.spectrum is None
    assert data["rmssd_ms"] is not None  # the time domain still speaks for short sessions
    # Coherence needs its 64 s window and no more.
    assert (data["coherence"] is None) == (seconds < 64.0)


def test_spectral_numbers_from_two_minutes_of_gap_free_beats(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)
    s = analyze(_first_seconds(rr, 125.0))
    assert all(isinstance(getattr(s, key), float) for key in SPECTRAL_KEYS)
    assert s.lf_ms2 > s.hf_ms2  # slow breathing puts its rhythm in LF
    # 200 s in two stretches of 100 s: long in total, but no stretch long enough.
    part = _first_seconds(rr, 100.0)
    t = np.cumsum(part) / 1000.0
    events: list = [Beat(float(a), float(b)) for a, b in zip(t, part, strict=True)]
    events.append(Gap(float(t[-1]), 5.0))
    events += [Beat(float(a) + t[-1] + 5.0, float(b)) for a, b in zip(t, part, strict=True)]
    split = analyze(_recording(events))
    assert split.stretches == 2
    assert all(getattr(split, key) is None for key in SPECTRAL_KEYS)
    # The rule is a parameter: asked for less, the same session gives numbers.
    assert analyze(_recording(events), min_spectral_s=60.0).lf_ms2 is not None


def test_analyze_json_of_a_50_s_fit_file_has_no_spectral_numbers(
    shared_data: Path, capsys: pytest.CaptureFixture
) -> None:
    path = shared_data / "rr/garmin-fit/python-fitparse_garmin-fenix-5-walk.fit"
    assert main(["analyze", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "garmin-fit"
    assert 40 < data["duration_s"] < 60
    assert all(data[key] is None for key in SPECTRAL_KEYS)
    assert data["coherence"] is None
    assert data["rmssd_ms"] > 0
