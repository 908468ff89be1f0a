"""The strap's ECG: R-peaks on the real 130 Hz Polar H10 recording, matched to its RR, shapes, and
missed beats put back without touching good RR."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.beats import Beat
from hrvcoach.ecg import classify, fill_missed, match_to_strap, r_peaks

RATE_HZ = 130.0


@pytest.fixture(scope="module")
def h10(request: pytest.FixtureRequest) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECG times (s), ECG (uV) and the strap's RR (ms) of the ectopic H10 recording."""
    shared: Path = request.getfixturevalue("shared_data")
    folder = shared / "rr/ectopic-polar-h10-ecg"
    with (folder / "ecg_130hz.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    t0 = int(rows[0]["time_ns"])
    t = np.array([(int(r["time_ns"]) - t0) / 1e9 for r in rows])
    uv = np.array([float(r["ecg_mv"]) * 1000 for r in rows])
    with (folder / "rr.csv").open(newline="") as f:
        rr = np.array([float(r["rr_ms"]) for r in csv.DictReader(f)])
    return t, uv, rr


def _beats(rr: np.ndarray, t0_s: float) -> list[Beat]:
    times = t0_s + np.cumsum(rr) / 1000
    return [Beat(float(t), float(x)) for t, x in zip(times, rr, strict=True)]


def test_r_peaks_match_the_straps_beats(h10: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    t, uv, rr = h10
    peaks = r_peaks(uv, RATE_HZ)
    beats = _beats(rr, 1.5)  # the strap's times, off from the ECG's by an unknown constant
    matching = match_to_strap(t[peaks], np.array([b.t_s for b in beats]))
    assert matching.matched >= 790  # of 798
    matched = matching.peak_of_beat >= 0
    d = t[peaks][matching.peak_of_beat[matched]] - (
        np.array([b.t_s for b in beats])[matched] + matching.offset_s
    )
    assert np.median(np.abs(d)) < 0.015  # two ECG samples


def test_premature_beats_have_another_shape(h10: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    t, uv, _ = h10
    peaks = r_peaks(uv, RATE_HZ)
    ecg = classify(t, uv, RATE_HZ, peaks)
    rr = np.diff(ecg.t_s, prepend=np.nan)
    local = np.array([np.nanmedian(rr[max(0, i - 4) : i + 5]) for i in range(len(rr))])
    early_then_pause = (rr[:-1] < 0.85 * local[:-1]) & (rr[1:] > 1.1 * local[1:])
    # the classic premature ventricular beat: early, a compensatory pause after, another shape
    assert ecg.premature[:-1][early_then_pause].mean() > 0.95
    assert 150 < ecg.premature.sum() < 400  # a recording chosen for its many premature beats
    normal_timing = (np.abs(rr - local) < 0.1 * local)[1:-1]
    assert ecg.premature[1:-1][normal_timing].mean() < 0.2  # 13 % measured


def test_a_missed_beat_is_put_back_from_the_ecg_and_good_rr_kept(
    h10: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    t, uv, rr = h10
    peaks = r_peaks(uv, RATE_HZ)
    truth = _beats(rr[:200], 1.5)
    base_matching = match_to_strap(t[peaks], np.array([b.t_s for b in truth]))
    base = fill_missed(truth, t[peaks], base_matching)
    # the strap missed beat 100: its interval and the next arrive as one
    missed = [*truth[:100], Beat(truth[101].t_s, rr[100] + rr[101]), *truth[102:]]
    matching = match_to_strap(t[peaks], np.array([b.t_s for b in missed]))
    filled = fill_missed(missed, t[peaks], matching)
    assert len(filled) == len(base)
    k = base.index(truth[99]) + 1
    rr_of = lambda beats: [b.rr_ms for b in beats]  # noqa: E731
    # the offset moved a hair with the changed beat: ECG-filled beats by as much, no more
    assert rr_of(filled[:k]) == pytest.approx(rr_of(base[:k]), abs=0.5)
    assert rr_of(filled[k + 2 :]) == pytest.approx(rr_of(base[k + 2 :]), abs=0.5)
    # good RR is never replaced: every strap beat the fill kept before is there, exactly
    kept = [b for b in base if b in set(truth) and b not in (truth[100], truth[101])]
    assert set(kept) <= set(filled)
    assert filled[k].rr_ms == pytest.approx(rr[100], abs=25)
    assert filled[k].rr_ms + filled[k + 1].rr_ms == pytest.approx(rr[100] + rr[101])


def test_only_intervals_with_an_r_peak_inside_are_split(
    h10: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    t, uv, rr = h10
    peaks = r_peaks(uv, RATE_HZ)
    beats = _beats(rr, 1.5)
    matching = match_to_strap(t[peaks], np.array([b.t_s for b in beats]))
    filled = fill_missed(beats, t[peaks], matching)
    kept = set(filled)
    new = [b for b in filled if b not in set(beats)]
    # this strap missed a few premature beats; each one put back sits on an R-peak of its own
    assert 0 < len(new) <= 2 * (len(peaks) - matching.matched)
    unmatched = np.setdiff1d(np.arange(len(peaks)), matching.peak_of_beat)
    at_strap_times = {b.t_s for b in beats}
    split_at = [b.t_s + matching.offset_s for b in new if b.t_s not in at_strap_times]
    assert split_at
    assert all(np.min(np.abs(t[peaks][unmatched] - x)) < 1e-9 for x in split_at)
    # every other interval is the strap's own, untouched
    assert sum(b in kept for b in beats) == len(beats) - len(split_at)


def test_too_little_ecg_finds_no_peaks() -> None:
    assert len(r_peaks(np.zeros(100), RATE_HZ)) == 0
    matching = match_to_strap(np.zeros(0), np.array([1.0, 2.0]))
    assert matching.matched == 0


def test_the_ecg_shape_adds_premature_beats_rr_timing_missed(
    h10: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    from hrvcoach.companion import SignalTrack
    from hrvcoach.ecg.quality import ecg_quality
    from hrvcoach.quality import assess
    from hrvcoach.quality.classify import classify_rr

    t, uv, rr = h10
    beats = _beats(rr, 1.5)
    by_rr = classify_rr(rr)
    rr_quality = assess(
        len(rr), by_rr.count("ectopic"), len(rr) - by_rr.count("normal") - by_rr.count("ectopic")
    )
    track = SignalTrack("ecg", t, uv.reshape(-1, 1).astype(np.int32), rate_hz=RATE_HZ)
    checked = ecg_quality(beats, track, rr_quality)
    assert checked.matched >= 790
    assert checked.premature_by_shape > 200
    assert checked.added >= 0
    assert checked.quality.ectopic_pct == pytest.approx(
        rr_quality.ectopic_pct + 100 * checked.added / len(rr), abs=0.2
    )
    assert checked.quality.artifact_pct == pytest.approx(rr_quality.artifact_pct, abs=0.2)
    assert checked.quality.verdict == "poor"  # a recording chosen for its premature beats


def test_a_recording_gets_its_missed_beats_back_and_keeps_everything_else(
    h10: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    from hrvcoach.companion import SignalTrack
    from hrvcoach.ecg.quality import ecg_beats, with_missed_beats_filled
    from hrvcoach.recording import Recording, RecordingMeta

    t, uv, rr = h10
    truth = _beats(rr[:200], 1.5)
    missed = [*truth[:100], Beat(truth[101].t_s, rr[100] + rr[101]), *truth[102:]]
    recording = Recording(None, RecordingMeta("hrvcoach"), tuple(missed))
    track = SignalTrack("ecg", t, uv.reshape(-1, 1).astype(np.int32), rate_hz=RATE_HZ)
    filled, added = with_missed_beats_filled(recording, ecg_beats(track))
    assert added >= 1
    assert len(filled.beats) == len(missed) + added
    # each beat put back replaces one long strap interval (ours, and the strap's own misses);
    # every other strap beat is kept as it was
    replaced = set(missed) - set(filled.beats)
    assert len(replaced) == added
    assert missed[100] in replaced
    assert sum(b.rr_ms for b in filled.beats) == pytest.approx(sum(b.rr_ms for b in missed))
    times = [b.t_s for b in filled.beats]
    assert times == sorted(times)
