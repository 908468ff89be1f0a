"""The live engine: running sums that equal hrv_time, refreshes, gaps and Kubios on a stream."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrvcoach import hrv
from hrvcoach.beats import Beat, BeatFlag, Gap
from hrvcoach.live import LiveHrv, LiveMetrics

nk = pytest.importorskip("neurokit2")


def _slow_breathing(shared: Path) -> np.ndarray:
    path = shared / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    return np.loadtxt(path, delimiter=",", usecols=1)


def _ectopic(shared: Path) -> np.ndarray:
    path = shared / "rr/ectopic-polar-h10-ecg/rr.csv"
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=1)


def _beats(rr: np.ndarray, t0_s: float = 0.0) -> list[Beat]:
    t = t0_s + np.cumsum(rr) / 1000.0
    return [Beat(float(a), float(b)) for a, b in zip(t, rr, strict=True)]


def _nk_time(rr: np.ndarray, t_s: np.ndarray | None = None) -> dict[str, float]:
    data: dict[str, object] = {"RRI": rr}
    if t_s is not None:
        data["RRI_Time"] = t_s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # hrv_time's own 0/0 on extra metrics
        row = nk.hrv_time(data).iloc[0]
    return {k: float(row[f"HRV_{k}"]) for k in ("MeanNN", "SDNN", "RMSSD", "pNN50")}


def _assert_metrics_equal(m: LiveMetrics, ref: dict[str, float]) -> None:
    assert m.mean_rr_ms == pytest.approx(ref["MeanNN"], rel=1e-9)
    assert m.sdnn_ms == pytest.approx(ref["SDNN"], rel=1e-9)
    assert m.rmssd_ms == pytest.approx(ref["RMSSD"], rel=1e-9)
    assert m.pnn50_pct == pytest.approx(ref["pNN50"], rel=1e-9, abs=1e-9)
    assert m.mean_hr_bpm == pytest.approx(60000.0 / ref["MeanNN"], rel=1e-9)


@pytest.mark.parametrize("window_s", [60.0, 30.0])
def test_live_time_domain_equals_hrv_time_on_the_last_window(
    shared_data: Path, window_s: float
) -> None:
    rr = _slow_breathing(shared_data)
    t = np.cumsum(rr) / 1000.0
    live = LiveHrv(window_s=window_s, artifacts="none")
    checked = 0
    for i, beat in enumerate(_beats(rr)):
        m = live.update(beat)
        assert m.hr_bpm == pytest.approx(60000.0 / rr[i])
        if i % 17 == 0 and i >= 3:
            expected = rr[(t > t[i] - window_s) & (t <= t[i])]
            np.testing.assert_array_equal(live.window().rr_ms, expected)
            assert m.n_beats == expected.size
            _assert_metrics_equal(m, _nk_time(expected))
            checked += 1
    assert checked >= 30


def test_live_with_kubios_equals_hrv_time_on_its_corrected_window(shared_data: Path) -> None:
    rr = _ectopic(shared_data)
    live = LiveHrv(artifacts="kubios")
    while_held = 0
    for i, beat in enumerate(_beats(rr)):
        m = live.update(beat)
        # Also while beats are held out: the window reported is the one the numbers describe.
        if (i % 23 == 0 and i >= 3) or (live.held and i % 3 == 0):
            w = live.window()
            assert w.t_s[-1] <= beat.t_s
            _assert_metrics_equal(m, _nk_time(w.rr_ms, w.t_s))
            while_held += live.held > 0
    assert m.artifacts >= 10
    assert while_held >= 10


def _with_artifact(clean: np.ndarray, kind: str, k: int) -> np.ndarray:
    if kind == "missed":  # two successive RR merged into one
        return np.concatenate((clean[:k], [clean[k] + clean[k + 1]], clean[k + 2 :]))
    # an extra (premature) beat inserted inside one RR
    return np.concatenate((clean[:k], [0.45 * clean[k], 0.55 * clean[k]], clean[k + 1 :]))


def _rmssd_over_clean(rr: np.ndarray, clean: np.ndarray, **kwargs: object) -> np.ndarray:
    """RMSSD at each beat of ``rr`` divided by RMSSD of ``clean`` at the same moment."""
    ref = LiveHrv()
    ref_t = np.cumsum(clean) / 1000.0
    ref_rmssd = np.array([ref.update(b).rmssd_ms for b in _beats(clean)])
    live = LiveHrv(**kwargs)  # type: ignore[arg-type]
    ratio = []
    for beat in _beats(rr):
        m = live.update(beat)
        j = int(np.searchsorted(ref_t, beat.t_s + 1e-6, side="right")) - 1
        ratio.append(m.rmssd_ms / ref_rmssd[j])
    return np.array(ratio)


@pytest.mark.parametrize("kind", ["missed", "extra"])
@pytest.mark.parametrize("k", [100, 300, 450])
def test_an_artifact_never_inflates_live_rmssd(shared_data: Path, kind: str, k: int) -> None:
    clean = _slow_breathing(shared_data)
    rr = _with_artifact(clean, kind, k)
    ratio = _rmssd_over_clean(rr, clean)
    assert np.nanmax(ratio) < 1.5
    assert np.nanmin(ratio) > 0.8
    # Without holding the beat out, the first user's jump is there (several-fold for seconds).
    unheld = _rmssd_over_clean(rr, clean, artifacts="kubios", hold_ratio=None)
    assert np.nanmax(unheld) > 2.5
    assert np.count_nonzero(unheld > 1.5) >= 4


def test_a_held_beat_enters_as_kubios_corrected_it(shared_data: Path) -> None:
    from hrvcoach import artifacts

    clean = _slow_breathing(shared_data)[:400]
    k = 300
    rr = _with_artifact(clean, "missed", k)
    t = np.cumsum(rr) / 1000.0
    live = LiveHrv(artifacts="kubios")
    held_at = []
    for i, beat in enumerate(_beats(rr)):
        m = live.update(beat)
        if live.held and i >= k - 5:  # (a clean beat may be held too, briefly, elsewhere)
            held_at.append(i)
            w = live.window()
            assert rr[k] not in w.rr_ms
            assert w.t_s[-1] < t[k]  # the window pauses at the beat before the missed one
        if beat.t_s >= t[k] + 16.0:
            break
    assert held_at[0] == k  # held from the moment it arrived
    assert len(held_at) <= 15  # settled within one refresh and the look-ahead
    assert live.held == 0
    assert m.artifacts >= 1
    w = live.window()
    batch = artifacts.correct(rr).rr_ms
    start = int(np.searchsorted(w.t_s, t[k - 10]))
    np.testing.assert_allclose(w.rr_ms[start : start + 20], batch[k - 10 : k + 10])


def test_an_ectopic_beat_is_corrected_within_one_refresh_and_look_ahead(shared_data: Path) -> None:
    from hrvcoach import artifacts

    clean = _slow_breathing(shared_data)[:400]
    rr = clean.copy()
    k = 300  # a premature beat and its compensatory pause: the two RR still add up
    rr[k], rr[k + 1] = 0.6 * clean[k], clean[k + 1] + 0.4 * clean[k]
    t = np.cumsum(rr) / 1000.0
    live = LiveHrv(artifacts="kubios")
    raw = LiveHrv(artifacts="none")
    for beat in _beats(rr):
        m = live.update(beat)
        m_raw = raw.update(beat)
        if beat.t_s >= t[k] + 16.0:
            break
    assert m.artifacts >= 1
    window = live.window()
    assert rr[k] not in window.rr_ms
    assert rr[k + 1] not in window.rr_ms
    assert m.rmssd_ms < 0.8 * m_raw.rmssd_ms
    # Around the beat, the stream was corrected exactly as the whole recording is. (Not always so:
    # the stream decides with less context, and at beat 200 it moves one beat fewer than batch.)
    batch = artifacts.correct(rr).rr_ms
    start = int(np.searchsorted(window.t_s, t[k - 10]))
    np.testing.assert_allclose(window.rr_ms[start : start + 20], batch[k - 10 : k + 10])


def test_gap_leaves_out_the_difference_across_it() -> None:
    rng = np.random.default_rng(7)
    rr1 = 900 + 40 * rng.standard_normal(30)
    rr2 = 700 + 40 * rng.standard_normal(30)
    live = LiveHrv(artifacts="none")
    for b in _beats(rr1):
        live.update(b)
    gap_t = float(np.sum(rr1) / 1000.0)
    live.gap(Gap(gap_t, 5.0))
    for b in _beats(rr2, t0_s=gap_t + 5.0):
        m = live.update(b)
    w = live.window()
    assert w.successive.size == 59
    assert not w.successive[29]
    assert w.successive.sum() == 58
    # neurokit2 sees the gap in the beat times and leaves the same difference out.
    _assert_metrics_equal(m, _nk_time(w.rr_ms, w.t_s))
    assert m.rmssd_ms != pytest.approx(hrv.time_domain(w.rr_ms).rmssd_ms, rel=1e-6)


def test_after_gap_flag_breaks_the_chain_like_a_gap() -> None:
    rr = np.full(40, 800.0)
    rr[20] = 1200.0
    live = LiveHrv(artifacts="none")
    beats = _beats(rr)
    for i, b in enumerate(beats):
        if i == 20:
            b = Beat(b.t_s + 3.0, b.rr_ms, flags=BeatFlag.AFTER_GAP)
        elif i > 20:
            b = Beat(b.t_s + 3.0, b.rr_ms)
        m = live.update(b)
    assert not live.window().successive[19]
    # Only the 1200 -> 800 step is left: one difference of 400 among 38.
    assert m.rmssd_ms == pytest.approx(math.sqrt(400.0**2 / 38))


def test_implausible_and_buffered_beats_are_never_used() -> None:
    live = LiveHrv(artifacts="none")
    t = 0.0
    for i in range(30):
        t += 0.8
        flags = BeatFlag.NONE
        rr = 800.0
        if i < 3:
            flags, rr = BeatFlag.BUFFERED, 1500.0
        elif i == 15:
            flags, rr = BeatFlag.IMPLAUSIBLE, 4000.0
        m = live.update(Beat(t, rr, flags=flags))
    w = live.window()
    assert np.all(w.rr_ms == 800.0)
    assert w.rr_ms.size == 26
    assert m.rmssd_ms == 0.0
    assert m.hr_bpm == pytest.approx(75.0)


def test_spectrum_refreshes_every_5_s_over_the_last_128_s(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)[:300]
    t = np.cumsum(rr) / 1000.0
    live = LiveHrv(artifacts="none")
    assert live.spectral_window_s == 128.0  # two 64 s Welch segments
    refreshes: list[float] = []
    last: float | None = None
    for b in _beats(rr):
        m = live.update(b)
        if m.spectral_t_s is not None and m.spectral_t_s != last:
            last = m.spectral_t_s
            refreshes.append(m.spectral_t_s)
            i = int(np.searchsorted(t, m.spectral_t_s))
            first = max(int(np.searchsorted(t, t[i] - 128.0, side="right")) - 1, 0)
            fd = hrv.frequency_domain(rr[first : i + 1], t[first : i + 1])
            assert m.lf_ms2 == pytest.approx(fd.lf_ms2, rel=1e-9)
            assert m.hf_ms2 == pytest.approx(fd.hf_ms2, rel=1e-9)
            if math.isnan(fd.lf_peak_hz):  # no local maximum in LF
                assert m.lf_peak_hz is None
            else:
                assert m.lf_peak_hz == pytest.approx(fd.lf_peak_hz)
    steps = np.diff(refreshes)
    assert len(refreshes) >= 20
    assert np.all((steps > 3.0) & (steps < 7.5))
    assert refreshes[0] >= 50.0  # not before 50 s of beats


def test_coherence_appears_after_64_s_and_follows_slow_breathing(shared_data: Path) -> None:
    rr = _slow_breathing(shared_data)
    live = LiveHrv(artifacts="none")
    values = []
    for b in _beats(rr):
        m = live.update(b)
        if b.t_s < 64.0:
            assert m.coherence is None
        elif m.spectral_t_s == b.t_s and m.coherence is not None:
            values.append(m.coherence)
            assert m.coherence_peak_hz is not None
    assert len(values) > 90
    assert np.median(values) > 1.0


def test_live_refuses_unknown_settings() -> None:
    with pytest.raises(ValueError, match="artifact"):
        LiveHrv(artifacts="median")
    with pytest.raises(ValueError, match="positive"):
        LiveHrv(window_s=0)


def test_kubios_stream_with_a_gap_settles_each_side_alone(shared_data: Path) -> None:
    rr = _ectopic(shared_data)[:175]
    first, second = rr[:130], rr[130:]  # the window (60 s) spans the gap at the end
    live = LiveHrv(artifacts="kubios")
    for b in _beats(first):
        live.update(b)
    gap_t = float(np.sum(first) / 1000.0)
    live.gap(Gap(gap_t, 8.0))
    assert live._pending == []  # everything before the gap was settled at the gap
    for b in _beats(second, t0_s=gap_t + 8.0):
        m = live.update(b)
    w = live.window()
    assert not w.successive.all()
    _assert_metrics_equal(m, _nk_time(w.rr_ms, w.t_s))
    assert m.artifacts > 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rr=st.lists(st.floats(min_value=300.0, max_value=1800.0), min_size=5, max_size=250),
    gaps=st.sets(st.integers(min_value=1, max_value=249), max_size=4),
    window_s=st.sampled_from([10.0, 30.0, 60.0]),
)
def test_running_sums_equal_hrv_time_whatever_the_stream(
    rr: list[float], gaps: set[int], window_s: float
) -> None:
    live = LiveHrv(window_s=window_s, artifacts="none")
    t = 0.0
    for i, value in enumerate(rr):
        if i in gaps:
            live.gap(Gap(t, 3.0))
            t += 3.0
        t += value / 1000.0
        m = live.update(Beat(t, value))
    w = live.window()
    assert w.t_s[-1] == t
    assert np.all(w.t_s > t - window_s)
    if w.rr_ms.size >= 3 and w.successive.any():
        _assert_metrics_equal(m, _nk_time(w.rr_ms, w.t_s))


def test_live_spectrum_is_signal_psds_at_every_refresh(shared_data: Path) -> None:
    # The default live engine computes signal_psd's Welch in numpy for speed; calling signal_psd
    # itself at every refresh must give the same numbers, through the short start and after.
    rr = _slow_breathing(shared_data)[:260]
    fast = LiveHrv(artifacts="none")
    exact = LiveHrv(artifacts="none", spectral_estimator="signal_psd")
    refreshes = 0
    for b in _beats(rr):
        a, e = fast.update(b), exact.update(b)
        assert a.spectral_t_s == e.spectral_t_s
        if a.spectral_t_s == b.t_s and a.lf_ms2 is not None:
            refreshes += 1
            assert a.lf_ms2 == pytest.approx(e.lf_ms2, rel=1e-9)
            assert a.hf_ms2 == pytest.approx(e.hf_ms2, rel=1e-9)
            assert a.lf_hf == pytest.approx(e.lf_hf, rel=1e-9)
            assert (a.lf_peak_hz is None) == (e.lf_peak_hz is None)
            if a.lf_peak_hz is not None:
                assert a.lf_peak_hz == pytest.approx(e.lf_peak_hz, rel=1e-9)
    assert refreshes >= 30
    with pytest.raises(ValueError, match="estimator"):
        LiveHrv(spectral_estimator="fast")  # type: ignore[arg-type]


def test_live_lf_peak_is_a_local_maximum_or_none() -> None:
    """A slow swing (VLF, 5 min) under fast breathing (15/min): in many 128 s windows the LF band
    only falls from its lower edge; the live peak is then None, not the edge, and otherwise the
    local maximum of the same window's spectrum."""
    t_s, rr = [0.0], []
    while t_s[-1] < 300.0:
        r = 900.0 + 150.0 * math.sin(2 * math.pi * t_s[-1] / 300.0)
        r += 25.0 * math.sin(2 * math.pi * 0.25 * t_s[-1])
        rr.append(r)
        t_s.append(t_s[-1] + r / 1000.0)
    live = LiveHrv(artifacts="none")
    rr_ms = np.array(rr)
    t = np.cumsum(rr_ms) / 1000.0  # the beat times _beats gives
    peaks: list[float | None] = []
    for b in _beats(rr_ms):
        m = live.update(b)
        if m.spectral_t_s == b.t_s and m.lf_ms2 is not None:
            peaks.append(m.lf_peak_hz)
            i = int(np.searchsorted(t, b.t_s))
            first = max(int(np.searchsorted(t, t[i] - 128.0, side="right")) - 1, 0)
            spectrum = hrv.rr_spectrum(rr_ms[first : i + 1], t[first : i + 1])
            assert spectrum is not None
            f, p = spectrum.frequency_hz, spectrum.power_ms2_per_hz
            lf = np.flatnonzero((f >= 0.04) & (f < 0.15))
            local_max = (p[lf] > p[lf - 1]) & (p[lf] >= p[lf + 1])
            if m.lf_peak_hz is None:
                assert not local_max.any()
                assert np.argmax(p[lf]) == 0  # the highest LF bin was the edge
            else:
                top = lf[local_max][np.argmax(p[lf][local_max])]
                assert abs(m.lf_peak_hz - f[top]) <= f[1]  # refined within a bin of it
    assert sum(p is None for p in peaks) >= 5
    assert sum(p is not None for p in peaks) >= 5
