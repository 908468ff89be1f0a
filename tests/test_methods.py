"""Named methods (--method), the standard metric set against neurokit2, and the spectral edges."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import neurokit2 as nk
import numpy as np
import pytest

from hrvcoach import hrv
from hrvcoach.analysis import analyze
from hrvcoach.beats import Beat
from hrvcoach.cli import main
from hrvcoach.live import LiveHrv

METRIC_KEYS = {
    "pnn20_pct",
    "nn20",
    "sdsd_ms",
    "sd1_ms",
    "sd2_ms",
    "lf_peak_hz",
    "hf_peak_hz",
    "median_nn_ms",
    "cvnn",
    "hr_min_bpm",
    "hr_max_bpm",
    "hr_sd_bpm",
    "triangular_index",
    "tinn_ms",
    "sd1_sd2",
    "lf_nu",
    "hf_nu",
    "spectral_resolution_hz",
    "quality",
    "method",
    "sampen",
    "apen",
    "dfa_alpha1",
    "dfa_alpha2",
    "sdann_ms",
    "sdnn_index_ms",
}


def _rest(shared: Path) -> np.ndarray:
    return np.loadtxt(shared / "rr/hrv-package/rest_rri.txt")


def test_hrv_package_method_reproduces_its_published_values(shared_data: Path) -> None:
    s = analyze(_rest(shared_data), method="hrv-package")
    assert s.artifact_method == "none"  # the package takes the file as it is
    assert s.rmssd_ms == pytest.approx(55.13744, abs=5e-6)
    assert s.sdnn_ms == pytest.approx(57.81818, abs=5e-6)
    assert s.pnn50_pct == pytest.approx(35.2747, abs=5e-5)  # 321 / 910: over the beats
    assert s.vlf_ms2 == pytest.approx(546.8174, rel=1e-6)
    assert s.lf_ms2 == pytest.approx(770.4465, rel=1e-6)
    assert s.hf_ms2 == pytest.approx(895.0255, rel=1e-6)


def test_pyhrv_method_reproduces_its_published_values(shared_data: Path) -> None:
    nn = np.load(shared_data / "rr/pyhrv-sample/SampleNNISeriesLong.npy").astype(float)
    s = analyze(nn, method="pyhrv")
    assert s.rmssd_ms == pytest.approx(60.523, abs=5e-4)
    assert s.pnn50_pct == pytest.approx(28.571, abs=5e-4)
    assert s.vlf_ms2 == pytest.approx(2050.74, rel=1e-5)
    assert s.lf_ms2 == pytest.approx(2942.54, rel=1e-5)
    assert s.hf_ms2 == pytest.approx(1648.10, rel=1e-5)


def _matlab_welch(x: np.ndarray, nperseg: int) -> tuple[np.ndarray, np.ndarray]:
    """scipy's Welch with MATLAB's hanning taper, as pwelch(x - mean, hanning(L), L/2, 1200)."""
    from scipy.signal import welch

    k = np.arange(1, nperseg + 1)
    w = 0.5 * (1 - np.cos(2 * np.pi * k / (nperseg + 1)))
    return welch(x - x.mean(), fs=4.0, window=w, noverlap=nperseg // 2, nfft=1200, detrend=False)


@pytest.mark.parametrize("beats", [250, 910])  # shorter than one 300 s segment, and longer
def test_kubios_spectrum_is_pwelch_with_its_settings(shared_data: Path, beats: int) -> None:
    rr = _rest(shared_data)[:beats]
    method = hrv.SpectralMethod.kubios()
    t = hrv.beat_times_s(rr)
    x = hrv.resample_rr(t, rr, rate_hz=4.0)
    sp = hrv.rr_spectrum(rr, t, method)
    assert sp is not None
    nperseg = min(1200, x.size)  # one segment as long as the series when it is shorter
    f, p = _matlab_welch(x, nperseg)
    np.testing.assert_allclose(sp.frequency_hz, f)
    np.testing.assert_allclose(sp.power_ms2_per_hz, p, rtol=1e-9)
    assert f[1] == pytest.approx(1 / 300)  # 300 points per Hz
    # Band edges belong to the bands: 0.04 Hz is in VLF and in LF.
    fd = hrv.band_powers(sp, method)
    lf = (f >= 0.04 - 1e-12) & (f <= 0.15 + 1e-12)
    assert fd.lf_ms2 == pytest.approx(float(np.trapezoid(p[lf], f[lf])), rel=1e-9)
    s = analyze(rr, method="kubios")
    assert s.lf_ms2 == pytest.approx(fd.lf_ms2, rel=1e-9)
    assert s.spectral_resolution_hz == pytest.approx(4.0 / nperseg)


def test_smoothness_priors_removes_a_slow_trend() -> None:
    from hrvcoach.metrics.detrend import smoothness_priors

    i = np.arange(2000.0)
    fast = 30 * np.sin(2 * np.pi * i / 4)  # 0.25 cycles per beat: kept
    trend = 0.05 * i + 100 * np.sin(2 * np.pi * i / 1000)  # far below the cut-off: removed
    out = smoothness_priors(800 + trend + fast)
    inner = slice(100, -100)
    np.testing.assert_allclose(out[inner], fast[inner], atol=3.0)
    plain = analyze(800 + trend + fast, method="kubios")
    detrended = analyze(800 + trend + fast, method="kubios", detrend="smoothness-priors")
    assert detrended.vlf_ms2 is not None
    assert plain.vlf_ms2 is not None
    assert detrended.vlf_ms2 < 0.01 * plain.vlf_ms2


def test_standard_metrics_equal_neurokit2(shared_data: Path) -> None:
    rr = _rest(shared_data)
    s = analyze(rr, method="hrv-package")  # every beat, as neurokit2 takes them
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = nk.hrv_time({"RRI": rr}).iloc[0]
    assert s.sdsd_ms == pytest.approx(float(t["HRV_SDSD"]), rel=1e-12)
    assert s.cvnn == pytest.approx(float(t["HRV_CVNN"]), rel=1e-12)
    assert s.median_nn_ms == pytest.approx(float(t["HRV_MedianNN"]), rel=1e-12)
    assert s.triangular_index == pytest.approx(float(t["HRV_HTI"]), rel=1e-12)
    assert s.pnn20_pct == pytest.approx(float(t["HRV_pNN20"]), rel=1e-12)
    from neurokit2.hrv.hrv_nonlinear import _hrv_nonlinear_poincare

    poincare = _hrv_nonlinear_poincare(rr, out={})
    assert s.sd1_ms == pytest.approx(float(poincare["SD1"]), rel=1e-12)
    assert s.sd2_ms == pytest.approx(float(poincare["SD2"]), rel=1e-12)
    assert s.hr_max_bpm == pytest.approx(60000 / rr.min())


def _tinn_by_hand(rr: np.ndarray) -> float:
    """Every pair of feet tried, the squared error summed over the whole histogram."""
    from hrvcoach.metrics.time_domain import HISTOGRAM_BIN_MS as width

    counts, edges = np.histogram(rr, bins=np.arange(0.0, rr.max() + width, width))
    d = np.append(counts, 0.0)
    x = np.append(edges[:-1], edges[-1])
    apex = int(np.argmax(d))
    best_error, best_width = np.inf, np.nan
    for n in range(apex):
        for m in range(apex + 1, d.size):
            q = np.zeros(d.size)
            for i in range(n, apex + 1):
                q[i] = d[apex] * (x[i] - x[n]) / (x[apex] - x[n])
            for i in range(apex + 1, m + 1):
                q[i] = d[apex] * (x[m] - x[i]) / (x[m] - x[apex])
            error = float(np.sum((d - q) ** 2))
            if error < best_error - 1e-9:
                best_error, best_width = error, x[m] - x[n]
    return best_width


def test_tinn_is_the_least_squares_triangle_over_the_whole_histogram() -> None:
    from hrvcoach.metrics.time_domain import tinn

    rng = np.random.default_rng(10)
    for _ in range(12):
        rr = np.clip(rng.normal(850, rng.uniform(5, 60), int(rng.integers(20, 300))), 500, 1100)
        assert tinn(rr) == _tinn_by_hand(rr)


def test_tinn_of_a_triangular_histogram_is_its_base() -> None:
    from hrvcoach.metrics.time_domain import HISTOGRAM_BIN_MS as width
    from hrvcoach.metrics.time_domain import tinn

    # Bins 97..111 (758-875 ms) hold 2, 4, ..., 16 beats up to bin 104, then down again to 2.
    heights = {k: 2 * (8 - abs(k - 104)) for k in range(97, 112)}
    rr = np.concatenate([np.full(h, (k + 0.5) * width) for k, h in heights.items()])
    # The feet lie one bin outside the outermost filled bins, where the lines reach 0.
    assert tinn(rr) == pytest.approx(16 * width)


def test_tinn_has_a_width_where_neurokit2_reports_none(shared_data: Path) -> None:
    """neurokit2 0.2.x gives 0 on a 16-minute recording; the Task Force triangle has a width."""
    from hrvcoach.analysis import analyze_session

    rr = _rest(shared_data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert float(nk.hrv_time({"RRI": rr}).iloc[0]["HRV_TINN"]) == 0.0
    s = analyze_session(rr).summary
    # A width in bins, a few SDNN wide, as the main peak of a resting histogram is.
    assert s.tinn_ms / (1000 / 128) == pytest.approx(round(s.tinn_ms / (1000 / 128)))
    assert 2 * s.sdnn_ms < s.tinn_ms < 6 * s.sdnn_ms


def test_tinn_in_the_json_is_that_of_the_beats_the_method_takes(shared_data: Path) -> None:
    from hrvcoach.metrics.time_domain import tinn

    rr = _rest(shared_data)
    s = analyze(rr, method="hrv-package")  # every beat as recorded
    assert s.to_json()["tinn_ms"] == tinn(rr)
    assert np.isnan(tinn(rr[:1]))  # one beat has no histogram to fit


def test_a_flat_heart_rate_gets_no_spectrum_and_no_coherence() -> None:
    flat = np.full(300, 1000.0)
    s = analyze(flat)
    assert s.lf_ms2 is None
    assert s.lf_hf is None
    assert s.coherence is None
    assert s.spectral_note is not None
    assert "floor" in s.spectral_note
    live = LiveHrv()
    t = np.cumsum(flat) / 1000.0
    for ti, x in zip(t, flat, strict=True):
        m = live.update(Beat(float(ti), float(x)))
    assert m.coherence is None  # never a ratio of rounding noise


def test_a_two_minute_paced_trial_gets_its_spectrum(shared_data: Path) -> None:
    rr = np.loadtxt(
        shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv", delimiter=",", usecols=1
    )
    trial = rr[: int(np.searchsorted(np.cumsum(rr), 118_000.0))]  # 118 s of beats
    s = analyze(trial)
    assert s.lf_ms2 is not None
    assert s.spectral_resolution_hz is not None
    assert s.spectral_resolution_hz < 0.02
    short = rr[: int(np.searchsorted(np.cumsum(rr), 100_000.0))]
    assert analyze(short).spectral_note == "needs 110 s of beats without a gap"


@pytest.mark.parametrize("method", ["default", "kubios", "hrv-package", "pyhrv", "hrv-logger"])
def test_analyze_command_method(
    shared_data: Path, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["analyze", str(path), "--json", "--method", method]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= METRIC_KEYS
    assert data["method"] == method
    assert data["artifact_method"] == ("nn" if method == "default" else "none")
    assert main(["analyze", str(path), "--method", method]) == 0
    assert "pNN20" in capsys.readouterr().out


def test_replay_takes_a_method(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    args = ["replay", str(path), "--fast", "--headless", "--json", "--method", "hrv-package"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    summary = data.get("summary", data)
    assert summary["pnn50_pct"] == pytest.approx(35.2747, abs=5e-5)


@pytest.mark.parametrize("sizes", [(4, 16), (16, 64), (4, 12), (13, 64)])
def test_dfa_equals_neurokit2(shared_data: Path, sizes: tuple[int, int]) -> None:
    from hrvcoach.metrics.nonlinear import dfa

    rr = _rest(shared_data)[:400]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = nk.fractal_dfa(rr, scale=np.arange(sizes[0], sizes[1] + 1))[0]
    assert dfa(rr, sizes) == pytest.approx(float(expected), rel=1e-12)


def test_nonlinear_set_equals_neurokit2_hrv_nonlinear(shared_data: Path) -> None:
    rr = _rest(shared_data)[:400]  # 7 minutes: the whole series, not windows
    s = analyze(rr, method="hrv-package")
    assert s.nonlinear_windows == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = nk.hrv_nonlinear({"RRI": rr}, dfa_windows=[(4, 16), (16, 64)]).iloc[0]
    assert s.sampen == pytest.approx(float(row["HRV_SampEn"]), rel=1e-12)
    assert s.apen == pytest.approx(float(row["HRV_ApEn"]), rel=1e-12)
    assert s.dfa_alpha1 == pytest.approx(float(row["HRV_DFA_alpha1"]), rel=1e-9)
    assert s.dfa_alpha2 == pytest.approx(float(row["HRV_DFA_alpha2"]), rel=1e-9)


def test_a_day_is_measured_in_five_minute_windows(shared_data: Path) -> None:
    from hrvcoach.metrics.nonlinear import MAX_NONLINEAR_WINDOWS

    rr = np.loadtxt(shared_data / "rr/physionet-healthy-24h/003.txt")
    s = analyze(rr, artifacts="none")
    t = np.cumsum(rr) / 1000.0
    which = np.floor(t / 300.0).astype(int)
    means = np.array([rr[which == k].mean() for k in np.unique(which) if (which == k).sum() >= 50])
    sds = np.array(
        [rr[which == k].std(ddof=1) for k in np.unique(which) if (which == k).sum() >= 50]
    )
    assert s.sdann_ms == pytest.approx(float(np.std(means, ddof=1)), rel=1e-9)
    assert s.sdnn_index_ms == pytest.approx(float(np.mean(sds)), rel=1e-9)
    assert s.sdnn_index_ms < s.sdnn_ms  # the day's swings are between windows
    assert s.nonlinear_windows == MAX_NONLINEAR_WINDOWS
    assert 0.3 < s.dfa_alpha1 < 1.8
    assert 0.0 < s.sampen < 3.0


def _slow(shared: Path) -> np.ndarray:
    return np.loadtxt(
        shared / "rr/slow-breathing-polar-h10/sample_data_ibi.csv", delimiter=",", usecols=1
    )


def test_lomb_density_integrates_to_the_variance(shared_data: Path) -> None:
    from hrvcoach.metrics.spectra import lomb_spectrum

    for rr in (_rest(shared_data)[:300], _slow(shared_data)[:300]):
        t = np.cumsum(rr) / 1000.0
        sp = lomb_spectrum(t, rr)
        assert sp is not None
        total = float(np.trapezoid(sp.power_ms2_per_hz, sp.frequency_hz))
        assert total == pytest.approx(float(np.var(rr)), rel=0.05)


def test_ar_density_integrates_to_the_resampled_variance(shared_data: Path) -> None:
    from hrvcoach.metrics.spectra import ar_spectrum

    for rr in (_rest(shared_data)[:300], _slow(shared_data)[:300]):
        t = hrv.beat_times_s(rr)
        x = hrv.resample_rr(t, rr, rate_hz=4.0)
        sp = ar_spectrum(t, x, 4.0)
        assert sp is not None
        total = float(np.trapezoid(sp.power_ms2_per_hz, sp.frequency_hz))
        assert total == pytest.approx(float(np.var(x)), rel=0.05)


@pytest.mark.parametrize("kind", ["lomb", "ar"])
def test_analyze_spectrum_choice(
    shared_data: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    assert main(["analyze", str(path), "--json"]) == 0
    welch = json.loads(capsys.readouterr().out)
    assert main(["analyze", str(path), "--json", "--spectrum", kind]) == 0
    other = json.loads(capsys.readouterr().out)
    # Slow breathing at about 4 /min: every estimator puts the rhythm in LF, at the same place.
    assert other["lf_ms2"] > 10 * other["hf_ms2"]
    assert other["lf_ms2"] == pytest.approx(welch["lf_ms2"], rel=0.25)
    assert other["lf_peak_hz"] == pytest.approx(welch["lf_peak_hz"], abs=0.01)
    assert other["spectral_resolution_hz"] < welch["spectral_resolution_hz"]
