"""Pure HRV metrics against neurokit2 and against independent tools' published values."""

from __future__ import annotations

import csv
import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrvcoach import artifacts, hrv
from hrvcoach import coherence as coh

nk = pytest.importorskip("neurokit2")


# -- real recordings -----------------------------------------------------------------------------


def _rr_lines(path: Path) -> np.ndarray:
    """One int ms per line (CRLF, trailing spaces); the hrv package's reader drops a lone ``0``."""
    values = [float(x) for x in path.read_text().split()]
    return np.array([v for v in values if v > 0])


def _slow_breathing(shared: Path) -> np.ndarray:
    path = shared / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    return np.loadtxt(path, delimiter=",", usecols=1)


def _ectopic(shared: Path) -> np.ndarray:
    path = shared / "rr/ectopic-polar-h10-ecg/rr.csv"
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=1)


REAL = {
    "welltory-subject-01": lambda d: np.array(
        (d / "rr/welltory-polar-h10/subject_01/RR.txt").read_text().split(), dtype=float
    ),
    "slow-breathing": _slow_breathing,
    "ectopic": _ectopic,
    "hrv-package-rest": lambda d: _rr_lines(d / "rr/hrv-package/rest_rri.txt"),
    "pyhrv-short": lambda d: np.load(d / "rr/pyhrv-sample/SampleNNISeriesShort.npy").astype(float),
}


def _nk_time(rr: np.ndarray, t_s: np.ndarray | None = None) -> dict[str, float]:
    data: dict[str, object] = {"RRI": rr}
    if t_s is not None:
        data["RRI_Time"] = t_s
    with warnings.catch_warnings():
        # hrv_time also computes ratios such as SDNN/RMSSD, which warn 0/0 on a constant series.
        warnings.simplefilter("ignore", RuntimeWarning)
        row = nk.hrv_time(data).iloc[0]
    return {k: float(row[f"HRV_{k}"]) for k in ("MeanNN", "SDNN", "RMSSD", "pNN50")}


def _assert_equals_nk(td: hrv.TimeDomain, ref: dict[str, float]) -> None:
    assert td.mean_rr_ms == pytest.approx(ref["MeanNN"], rel=1e-12)
    assert td.sdnn_ms == pytest.approx(ref["SDNN"], rel=1e-12)
    assert td.rmssd_ms == pytest.approx(ref["RMSSD"], rel=1e-12)
    assert td.pnn50_pct == pytest.approx(ref["pNN50"], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", sorted(REAL))
def test_time_domain_equals_neurokit_hrv_time_on_real_recordings(
    shared_data: Path, name: str
) -> None:
    rr = REAL[name](shared_data)
    td = hrv.time_domain(rr)
    _assert_equals_nk(td, _nk_time(rr))
    assert td.mean_hr_bpm == pytest.approx(60000.0 / np.mean(rr))
    assert td.n_beats == rr.size
    assert td.n_diffs == rr.size - 1


def test_time_domain_leaves_out_differences_across_a_gap_like_neurokit(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)[:300]
    t = np.cumsum(rr) / 1000.0
    t[150:] += 42.0  # 42 s lost between beat 149 and 150
    mask = hrv.successive_mask(t, rr)
    assert mask.sum() == rr.size - 2
    assert not mask[149]
    td = hrv.time_domain(rr, successive=mask)
    assert td.n_diffs == rr.size - 2
    _assert_equals_nk(td, _nk_time(rr, t))
    # The difference across the gap really changes the answer, so the check above can fail.
    assert hrv.time_domain(rr).rmssd_ms != pytest.approx(td.rmssd_ms, rel=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.floats(min_value=300.0, max_value=2000.0, allow_nan=False, allow_infinity=False),
        min_size=5,
        max_size=300,
    )
)
def test_time_domain_equals_hrv_time_on_random_rr(values: list[float]) -> None:
    rr = np.array(values)
    td = hrv.time_domain(rr)
    ref = _nk_time(rr)
    assert td.mean_rr_ms == pytest.approx(ref["MeanNN"], rel=1e-9)
    assert td.sdnn_ms == pytest.approx(ref["SDNN"], rel=1e-9, abs=1e-9)
    assert td.rmssd_ms == pytest.approx(ref["RMSSD"], rel=1e-9, abs=1e-9)
    assert td.pnn50_pct == pytest.approx(ref["pNN50"], rel=1e-9, abs=1e-9)


def test_too_few_beats_give_nan_not_an_error() -> None:
    td = hrv.time_domain(np.array([800.0]))
    assert td.n_beats == 1
    assert np.isnan(td.sdnn_ms)
    assert np.isnan(td.rmssd_ms)
    assert np.isnan(td.pnn50_pct)
    assert td.mean_rr_ms == 800.0


# -- independent tools, under their own conventions ---------------------------------------------


def test_hrv_package_time_domain_reference(shared_data: Path) -> None:
    rr = _rr_lines(shared_data / "rr/hrv-package/rest_rri.txt")
    assert rr.size == 910
    td = hrv.time_domain(rr, convention=hrv.HRV_PACKAGE)
    assert td.rmssd_ms == pytest.approx(55.13744, abs=5e-6)
    assert td.sdnn_ms == pytest.approx(57.81818, abs=5e-6)
    assert td.nn50 == 321
    assert td.pnn50_pct == pytest.approx(100 * 321 / 910)  # the package divides by len(rri)


def test_pyhrv_time_domain_reference(shared_data: Path) -> None:
    nn = np.load(shared_data / "rr/pyhrv-sample/SampleNNISeriesLong.npy").astype(float)
    td = hrv.time_domain(nn, convention=hrv.PYHRV)
    assert td.mean_rr_ms == pytest.approx(768.438, abs=5e-4)
    assert td.sdnn_ms == pytest.approx(85.357, abs=5e-4)
    assert td.rmssd_ms == pytest.approx(60.523, abs=5e-4)
    assert td.nn50 == 1338
    assert td.pnn50_pct == pytest.approx(28.571, abs=5e-4)
    # neurokit2's pNN50 divides by beats, not differences: the conventions really differ here.
    assert hrv.time_domain(nn).pnn50_pct == pytest.approx(100 * 1338 / 4684)


def _hrvlogger_windows(rr_file: Path, features_file: Path) -> list[tuple[np.ndarray, dict]]:
    with rr_file.open() as fh:
        rows = [r for r in csv.reader(fh) if r and r[0].strip().isdigit()]
    ts = np.array([int(r[0]) for r in rows])
    rr = np.array([float(r[1]) for r in rows])
    with features_file.open() as fh:
        reader = csv.reader(fh, skipinitialspace=True)
        header = [h.strip() for h in next(reader)]
        feats = [dict(zip(header, (c.strip() for c in r), strict=True)) for r in reader if r]
    out = []
    prev = -1
    for f in feats:
        end = int(f["timestamp"])
        out.append((rr[(ts > prev) & (ts <= end)], f))
        prev = end
    return out


@pytest.mark.parametrize("session", ["ot_a60", "ot_a61", "ot_a63"])
def test_hrv_logger_features_reproduced_exactly(shared_data: Path, session: str) -> None:
    folder = shared_data / "rr/hrvlogger-polar-h10"
    windows = _hrvlogger_windows(
        folder / f"{session}_RRIntervals.csv", folder / f"{session}_Features.csv"
    )
    assert len(windows) >= 8
    for rr, feat in windows:
        td = hrv.time_domain(rr, convention=hrv.HRV_LOGGER)
        assert td.mean_rr_ms == pytest.approx(float(feat["AVNN"]), rel=1e-13)
        assert td.sdnn_ms == pytest.approx(float(feat["SDNN"]), rel=1e-13)
        assert td.rmssd_ms == pytest.approx(float(feat["rMSSD"]), rel=1e-13)
        assert td.pnn50_pct == pytest.approx(float(feat["pNN50"]), rel=1e-13, abs=1e-13)
        assert td.mean_hr_bpm == pytest.approx(float(feat["HR"]), rel=1e-13)


# -- spectrum ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "expected"),
    [
        # rest_rri.txt: scipy Welch defaults (nperseg 256, Hann, 50 % overlap, detrend constant)
        (
            "rest_rri.txt",
            hrv.SpectralMethod.hrv_package(),
            {"total": 2212.2894, "vlf": 546.8174, "lf": 770.4465, "hf": 895.0255, "lf_hf": 0.86081},
        ),
        # real_rri.txt: fs 4, nperseg 256, noverlap 128, Hann; the trailing 0 line is dropped
        (
            "real_rri.txt",
            dataclasses.replace(hrv.SpectralMethod.hrv_package(), noverlap=128),
            {"total": 3602.89, "vlf": 844.5, "lf": 1343.50, "hf": 1414.88, "lf_hf": 0.9496},
        ),
    ],
)
def test_welch_reproduces_hrv_package_published_values(
    shared_data: Path, name: str, method: hrv.SpectralMethod, expected: dict[str, float]
) -> None:
    rr = _rr_lines(shared_data / "rr/hrv-package" / name)
    fd = hrv.frequency_domain(rr, method=method)
    got = {"total": fd.total_ms2, "vlf": fd.vlf_ms2, "lf": fd.lf_ms2, "hf": fd.hf_ms2}
    got["lf_hf"] = fd.lf_hf
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=0.01), key
        # Not just within 1 %: equal to the digits published.
        assert got[key] == pytest.approx(value, rel=2e-4), key


def test_signal_psd_cannot_reproduce_the_hrv_package(shared_data: Path) -> None:
    # Why the hrv-package preset runs on the numpy Welch: signal_psd with the package's segment,
    # window and overlap, but its own fixed rules (no per-segment detrending, nfft = 2 * nperseg),
    # misses the published values by far more than 1 %.
    rr = _rr_lines(shared_data / "rr/hrv-package/rest_rri.txt")
    as_signal_psd = dataclasses.replace(hrv.SpectralMethod.hrv_package(), detrend="none", nfft=None)
    assert as_signal_psd.uses_signal_psd
    assert not hrv.SpectralMethod.hrv_package().uses_signal_psd
    fd = hrv.frequency_domain(rr, method=as_signal_psd)
    assert fd.lf_ms2 / 770.4465 - 1 > 0.05
    assert fd.vlf_ms2 / 546.8174 - 1 > 0.30


def test_welch_reproduces_pyhrv_published_values(shared_data: Path) -> None:
    nn = np.load(shared_data / "rr/pyhrv-sample/SampleNNISeriesLong.npy").astype(float)
    fd = hrv.frequency_domain(nn, method=hrv.SpectralMethod.pyhrv())
    assert fd.vlf_ms2 == pytest.approx(2050.74, abs=0.005)
    assert fd.lf_ms2 == pytest.approx(2942.54, abs=0.005)
    assert fd.hf_ms2 == pytest.approx(1648.10, abs=0.005)
    assert fd.lf_hf == pytest.approx(1.785, abs=5e-4)


@pytest.mark.parametrize(
    "method",
    [
        hrv.SpectralMethod(),
        hrv.SpectralMethod(window="hamming", nperseg=300, nfft=4096),
        hrv.SpectralMethod(nperseg=128, noverlap=100, detrend="linear"),
        hrv.SpectralMethod(nperseg=200, nfft=401, detrend="none"),
    ],
    ids=["default", "pyhrv-like", "linear", "odd-nfft"],
)
def test_welch_equals_scipy_welch(shared_data: Path, method: hrv.SpectralMethod) -> None:
    from scipy.signal import welch

    rr = _slow_breathing(shared_data)
    x = hrv.resample_rr(hrv.beat_times_s(rr), rr, rate_hz=method.rate_hz)
    ours = hrv.welch_spectrum(x, method)
    f, p = welch(
        x - x.mean(),
        fs=method.rate_hz,
        window=method.window,
        nperseg=method.nperseg,
        noverlap=method.noverlap,
        nfft=method.nfft or 2 * method.nperseg,
        detrend=False if method.detrend == "none" else method.detrend,
        scaling="density",
    )
    np.testing.assert_allclose(ours.frequency_hz, f, rtol=1e-12)
    np.testing.assert_allclose(ours.power_ms2_per_hz, p, rtol=1e-9, atol=1e-9 * p.max())


@pytest.mark.parametrize("beats", [620, 100], ids=["long", "shorter-than-two-segments"])
def test_default_spectrum_is_neurokit_signal_psd(
    shared_data: Path, beats: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rr = _slow_breathing(shared_data)[:beats]
    t = hrv.beat_times_s(rr)
    method = hrv.SpectralMethod()
    assert method.uses_signal_psd
    calls = []
    real = nk.signal_psd
    monkeypatch.setattr(nk, "signal_psd", lambda *a, **k: calls.append(k) or real(*a, **k))
    ours = hrv.rr_spectrum(rr, t, method)
    assert ours is not None
    assert len(calls) == 1
    assert calls[0]["normalize"] is False
    # The same call written out by hand: signal_psd's Welch, unnormalised, every bin from DC.
    x = hrv.resample_rr(t, rr, rate_hz=4.0)
    psd = real(x, sampling_rate=4, method="welch", window=64, normalize=False, min_frequency=-1)
    np.testing.assert_array_equal(ours.frequency_hz, psd["Frequency"].to_numpy())
    np.testing.assert_array_equal(ours.power_ms2_per_hz, psd["Power"].to_numpy())
    assert ours.frequency_hz[0] == 0.0
    # signal_psd cuts a segment to half the series when the series is shorter than two.
    assert ours.nperseg == min(256, x.size // 2)
    assert ours.frequency_hz[1] == pytest.approx(4.0 / (2 * ours.nperseg))
    # The numpy Welch follows signal_psd's rules for such a method: the same bins, cut the same.
    same = hrv.rr_spectrum(rr, t, method, estimator="numpy")
    assert same is not None
    np.testing.assert_array_equal(same.frequency_hz, ours.frequency_hz)
    np.testing.assert_allclose(same.power_ms2_per_hz, ours.power_ms2_per_hz, rtol=1e-9)
    assert (same.segments, same.nperseg) == (ours.segments, ours.nperseg)
    assert len(calls) == 1  # and it did not call signal_psd
    # The trap signal_psd's default hides: normalize=True rescales the peak to 1, not ms²/Hz.
    default = real(x, sampling_rate=4, method="welch", window=64)
    assert default["Power"].max() == pytest.approx(1.0)
    assert ours.power_ms2_per_hz.max() > 1000.0


def test_signal_psd_spectrum_refuses_what_signal_psd_cannot_do() -> None:
    with pytest.raises(ValueError, match="signal_psd"):
        hrv.signal_psd_spectrum(np.zeros(64), hrv.SpectralMethod(detrend="constant"))
    with pytest.raises(ValueError, match="signal_psd"):
        hrv.signal_psd_spectrum(np.zeros(64), hrv.SpectralMethod(nfft=1024))


def test_spectrum_is_in_ms2_total_power_equals_variance(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)
    x = hrv.resample_rr(hrv.beat_times_s(rr), rr, rate_hz=4.0)
    # A boxcar window with no overlap and no detrending conserves energy exactly (Parseval).
    method = hrv.SpectralMethod(window="boxcar", nperseg=x.size, nfft=x.size, detrend="none")
    sp = hrv.welch_spectrum(x, method)
    df = sp.frequency_hz[1] - sp.frequency_hz[0]
    assert np.sum(sp.power_ms2_per_hz) * df == pytest.approx(np.var(x), rel=1e-9)


def test_slow_breathing_recording_has_its_lf_peak_at_the_breathing_rate(shared_data: Path) -> None:
    # The data README: slow breathing with a spectral peak at 3.5-5 breaths/min.
    fd = hrv.frequency_domain(_slow_breathing(shared_data))
    assert 3.5 / 60 <= fd.lf_peak_hz <= 5.0 / 60
    assert fd.lf_ms2 > 10 * fd.hf_ms2


def test_spectral_method_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="band"):
        hrv.SpectralMethod(hf_hz=(0.15, 3.0))
    with pytest.raises(ValueError, match="noverlap"):
        hrv.SpectralMethod(nperseg=64, noverlap=64)


def test_short_series_gives_nan_band_powers() -> None:
    fd = hrv.frequency_domain(np.array([800.0, 810.0, 790.0]))
    assert np.isnan(fd.lf_ms2)
    assert np.isnan(fd.lf_hf)


# -- coherence -----------------------------------------------------------------------------------


def _breathing_heart(rate_bpm: float, amp_ms: float, noise_ms: float, seconds: float, seed: int):
    """Beats of a heart swinging with the breath: RR = 1000 + amp*sin(2*pi*f*t) + noise."""
    rng = np.random.default_rng(seed)
    t, rr = [0.0], []
    while t[-1] < seconds:
        r = 1000.0 + amp_ms * np.sin(2 * np.pi * rate_bpm / 60 * t[-1])
        r += noise_ms * rng.standard_normal()
        rr.append(r)
        t.append(t[-1] + r / 1000.0)
    return np.array(rr), np.array(t[1:])


def test_coherence_is_high_for_a_steady_rhythm_and_low_for_noise() -> None:
    rr, t = _breathing_heart(6.0, 50.0, 5.0, 100.0, seed=1)
    c = coh.coherence(rr, t)
    assert c is not None
    assert c.peak_hz == pytest.approx(0.1, abs=0.004)
    assert c.ratio > 4.0
    rr, t = _breathing_heart(6.0, 0.0, 30.0, 100.0, seed=2)
    noise = coh.coherence(rr, t)
    assert noise is not None
    assert noise.ratio < 1.0


def test_coherence_definition_numbers() -> None:
    rr, t = _breathing_heart(5.5, 40.0, 10.0, 90.0, seed=3)
    c = coh.coherence(rr, t)
    assert c is not None
    assert c.ratio == pytest.approx(c.peak_power_ms2 / (c.total_power_ms2 - c.peak_power_ms2))
    squared = coh.coherence(rr, t, coh.CoherenceMethod(squared=True))
    assert squared is not None
    assert squared.ratio == pytest.approx(c.ratio**2)
    # A peak outside 0.04-0.26 Hz is never chosen, however strong.
    rr, t = _breathing_heart(18.0, 60.0, 2.0, 90.0, seed=4)  # 0.3 Hz
    fast = coh.coherence(rr, t)
    assert fast is not None
    assert fast.peak_hz < 0.26
    assert fast.ratio < 0.1


def test_coherence_needs_a_whole_window() -> None:
    rr, t = _breathing_heart(6.0, 50.0, 5.0, 60.0, seed=5)
    assert coh.coherence(rr, t) is None


def test_coherence_series_agrees_with_each_window(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)
    t = np.cumsum(rr) / 1000.0
    series = coh.coherence_series(rr, t)
    assert series.ratio.size > 90
    assert np.all(np.diff(series.t_s) > 0)
    for end, ratio in list(zip(series.t_s, series.ratio, strict=True))[::9]:
        k = int(np.searchsorted(t, end)) + 1
        single = coh.coherence(rr[:k], t[:k])
        assert single is not None
        assert ratio == pytest.approx(single.ratio, rel=0.05)
    # Slow breathing practice: the rhythm dominates most windows.
    assert np.median(series.ratio) > 1.0
    assert 3.0 / 60 < np.median(series.peak_hz) < 5.5 / 60


# -- artifacts -----------------------------------------------------------------------------------


def test_kubios_correction_is_neurokits_on_a_recording_full_of_ectopic_beats(
    shared_data: Path,
) -> None:
    rr = _ectopic(shared_data)
    result = artifacts.correct(rr)
    peaks = np.concatenate(([0], np.cumsum(rr)))
    _, clean = nk.signal_fixpeaks(peaks.astype(int), sampling_rate=1000, method="kubios")
    np.testing.assert_allclose(result.rr_ms, np.diff(clean), atol=1.0)
    assert result.count >= 10
    assert result.count == len(result.moved) + len(result.removed) + len(result.inserted)
    assert result.rr_ms.size == rr.size - len(result.removed) + len(result.inserted)
    # Beats it did not touch keep their exact values.
    assert np.isin(rr, result.rr_ms).mean() > 0.9


def test_kubios_leaves_a_clean_series_alone(shared_data: Path) -> None:
    rr = _rr_lines(shared_data / "rr/hrv-package/rest_rri.txt")  # "apparently no ectopic beats"
    result = artifacts.correct(rr)
    # neurokit2's Kubios still moves a dozen borderline beats here (1.3 %), nothing more.
    assert result.count <= 0.02 * rr.size
    assert not result.removed
    assert not result.inserted
    assert np.array_equal(artifacts.correct(rr, "none").rr_ms, rr)


def test_classify_tells_moved_removed_and_inserted_beats() -> None:
    before = np.array([0, 1000, 2000, 3000, 4000, 5000, 6000])
    after = np.array([0, 1000, 2100, 3000, 3500, 4000, 6000])  # beat 1 moved, inserted, beat 4 gone
    moved, removed, inserted = artifacts.classify(before, after)
    assert moved == [1]
    assert removed == [4]
    assert inserted == [3]


def test_unknown_artifact_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown artifact method"):
        artifacts.correct(np.array([800.0] * 10), "magic")


@pytest.mark.parametrize("name", ["ectopic", "slow-breathing", "hrv-package-rest"])
def test_kubios_shortcuts_give_exactly_neurokits_answer(shared_data: Path, name: str) -> None:
    rr = REAL[name](shared_data)
    rng = np.random.default_rng(11)
    skipped = 0
    for _ in range(60):
        n = int(rng.integers(12, 110))
        start = int(rng.integers(0, rr.size - n))
        peaks = artifacts.rr_to_peaks_us(rr[start : start + n])
        _, expected = nk.signal_fixpeaks(peaks, sampling_rate=1_000_000, method="kubios")
        np.testing.assert_array_equal(artifacts.kubios_peaks_us(peaks), np.asarray(expected))
        if not artifacts.might_flag(peaks):
            skipped += 1
            np.testing.assert_array_equal(np.asarray(expected), peaks)
    # Both ways through were taken, so the comparison covers the shortcut too.
    assert 0 < skipped < 60


@pytest.mark.parametrize("rate_bpm", [4.5, 5.5, 6.0, 6.5])
def test_lf_peak_is_found_between_bins(rate_bpm: float) -> None:
    rr, t = _breathing_heart(rate_bpm, 50.0, 5.0, 300.0, seed=int(rate_bpm * 10))
    fd = hrv.frequency_domain(rr, t)
    # Bins are 0.94 breaths/min apart (5.5/min would read 5.6); the peak is within 0.05/min.
    assert fd.lf_peak_hz * 60 == pytest.approx(rate_bpm, abs=0.05)


def _nk_detect(peaks: np.ndarray) -> tuple[dict[str, list[int]], np.ndarray]:
    info, clean = nk.signal_fixpeaks(
        peaks, sampling_rate=1_000_000, method="kubios", iterative=False
    )
    found = {k: [int(j) for j in info[k]] for k in ("ectopic", "missed", "extra", "longshort")}
    return found, np.asarray(clean, dtype=np.int64)


def _assert_detection_is_neurokits_pass_by_pass(peaks: np.ndarray) -> int:
    """Runs neurokit2's iteration by hand, comparing each detection; returns the passes run."""
    passes = 0
    previous = None
    while True:
        expected, clean = _nk_detect(peaks)
        assert artifacts._kubios_detect(peaks) == expected
        passes += 1
        found = sum(map(len, expected.values()))
        if previous is not None and found >= previous:
            return passes
        peaks, previous = clean, found


@pytest.mark.parametrize(
    ("name", "start", "stop"),
    [
        ("physionet-healthy-24h/000.txt", 0, 6000),  # the series' start: means of the whole slice
        ("physionet-healthy-24h/000.txt", 74000, None),  # and its end
        ("physionet-healthy-24h/003.txt", 102000, None),  # its most artifact-dense hour
        ("physionet-healthy-24h/003.txt", 54000, 60000),
    ],
)
def test_fast_kubios_detection_is_neurokits_on_day_long_recordings(
    shared_data: Path, name: str, start: int, stop: int | None
) -> None:
    rr = np.loadtxt(shared_data / "rr" / name)[start:stop]
    peaks = artifacts.rr_to_peaks_us(rr)
    assert peaks.size >= artifacts._DETECT_FROM  # the fast path is the one under test
    passes = _assert_detection_is_neurokits_pass_by_pass(peaks)
    assert passes >= 3  # neurokit2 iterates here, so later passes are compared too
    _, expected = nk.signal_fixpeaks(peaks, sampling_rate=1_000_000, method="kubios")
    result = artifacts.kubios_peaks_us(peaks)
    np.testing.assert_array_equal(result, np.asarray(expected))
    assert not np.array_equal(result, peaks)


def test_fast_kubios_detection_is_neurokits_on_the_hour_long_holter(shared_data: Path) -> None:
    rr = np.load(shared_data / "rr/pyhrv-sample/SampleNNISeriesLong.npy").astype(float)
    peaks = artifacts.rr_to_peaks_us(rr)
    _assert_detection_is_neurokits_pass_by_pass(peaks)
    _, expected = nk.signal_fixpeaks(peaks, sampling_rate=1_000_000, method="kubios")
    np.testing.assert_array_equal(artifacts.kubios_peaks_us(peaks), np.asarray(expected))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    flat=st.booleans(),
    resolution_us=st.sampled_from([1, 1000, 7812]),
    head_ms=st.floats(500.0, 1200.0),
)
def test_fast_kubios_detection_is_neurokits_on_random_series(
    seed: int, flat: bool, resolution_us: int, head_ms: float
) -> None:
    """Ectopic, missed and extra beats, long/short runs, (flat, or coarse 1/128 s ticks) zero
    thresholds and NaN, and a first stretch far from the series' mean (neurokit2 puts the mean
    before the first beat)."""
    rng = np.random.default_rng(seed)
    n = 2200
    rr = 800.0 + 60.0 * np.sin(np.arange(n) / 9.0) + rng.normal(0.0, 15.0, n)
    rr[:150] += head_ms - 800.0
    for i in rng.choice(np.arange(5, n - 5), size=40, replace=False):
        kind = rng.integers(0, 4)
        if kind == 0:  # premature beat and its compensatory pause
            rr[i], rr[i + 1] = rr[i] * 0.6, rr[i + 1] * 1.4
        elif kind == 1:  # missed beat
            rr[i] *= 2.0
        elif kind == 2:  # extra beat
            rr[i] *= 0.45
        else:
            rr[i] *= rng.uniform(0.5, 1.6)
    if flat:  # a strap repeating one value: zero quartile deviation, NaN in neurokit2's ratios
        lo = int(rng.integers(0, n - 300))
        rr[lo : lo + 200] = 800.0
    rr = np.maximum(np.round(rr * 1000 / resolution_us) * resolution_us / 1000, 200.0)
    peaks = artifacts.rr_to_peaks_us(rr)
    _assert_detection_is_neurokits_pass_by_pass(peaks)
    _, expected = nk.signal_fixpeaks(peaks, sampling_rate=1_000_000, method="kubios")
    np.testing.assert_array_equal(artifacts.kubios_peaks_us(peaks), np.asarray(expected))


@pytest.mark.parametrize("block", [4, 5])
def test_fast_kubios_detection_is_neurokits_where_thresholds_are_zero(block: int) -> None:
    """RR holding one of three values for a few beats: most differences are zero, so the first
    threshold is zero (NaN ratios, which neurokit2's walk does not step over) while the median
    deviations still have a spread, and the outliers are judged by them alone."""
    rng = np.random.default_rng(block)
    n = 2400
    rr = np.repeat(rng.choice([780.0, 800.0, 820.0], size=n // block + 1), block)[:n]
    where = rng.choice(np.arange(10, n - 10), 30, replace=False)
    rr[where] *= rng.choice([0.5, 2.0, 1.5, 0.7], 30)
    peaks = artifacts.rr_to_peaks_us(rr)
    _assert_detection_is_neurokits_pass_by_pass(peaks)
    found, _ = _nk_detect(peaks)
    assert sum(map(len, found.values())) >= 10
    _, expected = nk.signal_fixpeaks(peaks, sampling_rate=1_000_000, method="kubios")
    np.testing.assert_array_equal(artifacts.kubios_peaks_us(peaks), np.asarray(expected))


# -- LF peak -------------------------------------------------------------------------------------

_GRID_HZ = np.arange(0.0, 2.0 + 1e-9, 1.0 / 128.0)  # a 128 s padded segment at 4 Hz


def _gauss(centre_hz: float, height: float, width_hz: float = 0.01) -> np.ndarray:
    return height * np.exp(-0.5 * ((_GRID_HZ - centre_hz) / width_hz) ** 2)


def _spectrum(power: np.ndarray) -> hrv.Spectrum:
    return hrv.Spectrum(_GRID_HZ, power, 1, 512)


def test_lf_peak_is_the_local_maximum_not_vlf_leaking_over_the_edge() -> None:
    vlf = 4000.0 * np.exp(-_GRID_HZ / 0.02)  # falls through the 0.04 Hz edge
    power = vlf + _gauss(0.1, 120.0) + 1.0
    lf = (_GRID_HZ >= 0.04) & (_GRID_HZ < 0.15)
    # The case in question: the band's highest bin is its lower edge...
    assert _GRID_HZ[lf][np.argmax(power[lf])] == pytest.approx(0.0391 + 1 / 128, abs=1e-3)
    # ... and the peak is where the spectrum turns.
    assert hrv.peak_hz(_spectrum(power), (0.04, 0.15)) == pytest.approx(0.1, abs=0.002)
    fd = hrv.band_powers(_spectrum(power))
    assert fd.lf_peak_hz == pytest.approx(0.1, abs=0.002)


def test_a_clean_lf_peak_is_placed_between_bins() -> None:
    centre = 5.5 / 60  # between two bins
    power = _gauss(centre, 900.0, 0.012) + _gauss(0.25, 300.0) + 0.5
    # A parabola through the logarithms is exact for a Gaussian on a flat floor, nearly so here.
    assert hrv.peak_hz(_spectrum(power), (0.04, 0.15)) == pytest.approx(centre, abs=2e-4)
    assert hrv.peak_hz(_spectrum(power), (0.15, 0.4)) == pytest.approx(0.25, abs=2e-4)


def test_no_local_maximum_in_the_band_is_no_peak() -> None:
    falling = 1000.0 * np.exp(-_GRID_HZ / 0.05)
    assert np.isnan(hrv.peak_hz(_spectrum(falling), (0.04, 0.15)))
    # The flank of an HF peak rising to the LF band's upper edge is not an LF peak either.
    rising = _gauss(0.17, 500.0, 0.02) + 1e-3
    assert np.isnan(hrv.peak_hz(_spectrum(rising), (0.04, 0.15)))
    assert hrv.peak_hz(_spectrum(rising), (0.15, 0.4)) == pytest.approx(0.17, abs=2e-4)
    assert np.isnan(hrv.band_powers(_spectrum(falling)).lf_peak_hz)
    # A maximum on the band's first bin, higher than the bin outside, is a peak.
    edge = _gauss(6 / 128, 50.0, 0.004) + 1.0
    assert hrv.peak_hz(_spectrum(edge), (0.04, 0.15)) == pytest.approx(6 / 128, abs=1e-3)


def test_lf_peak_of_the_hour_long_holter_is_inside_the_band(shared_data: Path) -> None:
    rr = np.load(shared_data / "rr/pyhrv-sample/SampleNNISeriesLong.npy").astype(float)
    method = hrv.SpectralMethod()
    spectrum = hrv.rr_spectrum(rr, None, method)
    assert spectrum is not None
    f, p = spectrum.frequency_hz, spectrum.power_ms2_per_hz
    lf = (f >= 0.04) & (f < 0.15)
    assert f[lf][np.argmax(p[lf])] < 0.05  # the highest LF bin is the edge, VLF leaking in
    assert hrv.peak_hz(spectrum, method.lf_hz) == pytest.approx(0.102, abs=0.004)
