"""The breath from chest motion: a causal tracker, and the breath against the pacer."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from fakebluez.pmd import breathing_acc_mg

from hrvcoach.breathing import BreathTracker, summarize, track_breathing
from hrvcoach.breathing.follow import follow_pct, orientation
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.signals import ACC, SampleBlock

RATE_HZ = 25.0


def motion(
    seconds: float,
    rate_bpm: float,
    *,
    per_block: int = 36,
    noise_mg: float = 5.0,
    seed: int = 1,
    t0_s: float = 0.0,
) -> list[SampleBlock]:
    """Blocks of a chest breathing at ``rate_bpm``, as the strap sends them."""
    rng = random.Random(seed)
    n = int(seconds * RATE_HZ)
    times = [t0_s + k / RATE_HZ for k in range(n)]
    values = [
        tuple(
            round(v + rng.gauss(0, noise_mg))
            for v in breathing_acc_mg(t, rate_bpm=rate_bpm, amplitude_mg=60)
        )
        for t in times
    ]
    return [
        SampleBlock(ACC, tuple(times[i : i + per_block]), tuple(values[i : i + per_block]), RATE_HZ)
        for i in range(0, n - per_block + 1, per_block)
    ]


@pytest.mark.parametrize("rate_bpm", [4.5, 6.0, 10.0, 15.0])
def test_the_breathing_rate_is_found_within_half_a_breath_a_minute(rate_bpm: float) -> None:
    tracker = BreathTracker()
    for block in motion(240, rate_bpm):
        tracker.add(block)
    assert len(tracker.breaths) >= int(240 * rate_bpm / 60) - 3
    live = tracker.rate_bpm()
    assert live is not None
    assert live == pytest.approx(rate_bpm, abs=0.5)
    late = [b.rate_bpm for b in tracker.breaths[3:]]
    assert max(abs(r - rate_bpm) for r in late) < 0.5


def test_the_curve_does_not_depend_on_where_the_frames_end() -> None:
    # the same samples in frames of 36 and of 7: filters carry their state, nothing jumps
    a, b = BreathTracker(), BreathTracker()
    for block in motion(60, 6.0, per_block=36):
        a.add(block)
    for block in motion(60, 6.0, per_block=7):
        b.add(block)
    ta, va = a.curve()
    tb, vb = b.curve()
    n = min(len(ta), len(tb))
    assert ta[:n] == tb[:n]
    # the direction of motion is refreshed per frame, so it differs only in the first seconds
    late = slice(int(20 * RATE_HZ), n)
    assert np.allclose(va[late], vb[late], atol=0.5)
    steps = np.abs(np.diff(va))
    assert steps.max() < 5 * np.median(steps) + 1.0  # smooth: no step at any frame edge


def test_gravity_and_posture_do_not_matter() -> None:
    tracker = BreathTracker()
    for block in motion(180, 6.0):
        # lying another way: gravity on other axes, with an offset
        tracker.add(
            SampleBlock(
                ACC,
                block.times_s,
                tuple((z + 17, x, y - 400) for x, y, z in block.values),
                block.rate_hz,
            )
        )
    assert tracker.rate_bpm() == pytest.approx(6.0, abs=0.5)


def test_a_gap_does_not_make_a_breath_across_it() -> None:
    tracker = BreathTracker()
    for block in motion(60, 6.0):
        tracker.add(block)
    before = len(tracker.breaths)
    later = motion(60, 6.0, t0_s=95.0, seed=2)
    later[0] = SampleBlock(ACC, later[0].times_s, later[0].values, RATE_HZ, after_gap=True)
    for block in later:
        tracker.add(block)
    new = tracker.breaths[before:]
    assert new
    assert all(b.t_s - b.duration_s >= 95.0 for b in new)
    assert all(b.rate_bpm == pytest.approx(6.0, abs=0.5) for b in new)


def _following(pacer: Pacer, seconds: float, lag_s: float, *, sign: int = 1) -> list[SampleBlock]:
    rng = random.Random(3)
    n = int(seconds * RATE_HZ)
    times = [k / RATE_HZ for k in range(n)]
    values = []
    for t in times:
        tilt = sign * 0.06 * (pacer.volume(max(0.0, t - lag_s)) - 0.5)
        values.append(
            (
                round(30 + rng.gauss(0, 3)),
                round(1000 * math.sin(math.radians(20) + tilt) + rng.gauss(0, 3)),
                round(-1000 * math.cos(math.radians(20) + tilt) + rng.gauss(0, 3)),
            )
        )
    return [
        SampleBlock(ACC, tuple(times[i : i + 36]), tuple(values[i : i + 36]), RATE_HZ)
        for i in range(0, n - 35, 36)
    ]


@pytest.mark.parametrize(("lag_s", "sign"), [(1.0, 1), (0.0, -1), (-0.8, 1)])
def test_breath_against_the_pacer_rate_adherence_and_lag(lag_s: float, sign: int) -> None:
    pacer = Pacer(BreathPattern.with_ratio(6.0, "4:6"))
    blocks = _following(pacer, 300, lag_s, sign=sign)
    t = np.array([x for b in blocks for x in b.times_s])
    xyz = np.array([v for b in blocks for v in b.values])
    spans = []
    k = 0
    for b in blocks:
        spans.append((k, k + len(b), b.after_gap))
        k += len(b)
    tracker, ct, cv = track_breathing(t, xyz, RATE_HZ, spans)
    summary = summarize(tracker, ct, cv, pacer)
    assert summary.rate_bpm == pytest.approx(6.0, abs=0.5)
    assert summary.pacer_rate_bpm == pytest.approx(6.0)
    assert summary.adherence_pct is not None
    assert summary.adherence_pct >= 90
    assert summary.phase_lag_s == pytest.approx(lag_s, abs=0.3)
    oriented = orientation(ct, cv, pacer)
    follow = follow_pct(ct[-750:], cv[-750:], pacer, oriented)
    assert follow is not None
    if lag_s == 0.0:
        assert follow > 80
    assert set(summary.to_json()) == {"rate_bpm", "pacer_rate_bpm", "adherence_pct", "phase_lag_s"}


def test_breathing_at_another_rate_than_the_pacer_is_not_adherent() -> None:
    pacer = Pacer(BreathPattern.with_ratio(6.0, "4:6"))
    blocks = motion(240, 10.0)
    tracker = BreathTracker(keep_s=math.inf)
    for block in blocks:
        tracker.add(block)
    ct, cv = (np.asarray(x) for x in tracker.curve())
    summary = summarize(tracker, ct, cv, pacer)
    assert summary.rate_bpm == pytest.approx(10.0, abs=0.5)
    assert summary.adherence_pct == 0.0


def test_the_assessment_takes_its_phase_against_the_measured_breath() -> None:
    from hrvcoach.breathing.measured import breath_curve
    from hrvcoach.protocols.resonance.plan import AssessmentStep
    from hrvcoach.protocols.resonance.scoring import score_step

    pacer = Pacer(BreathPattern.with_ratio(6.0, "4:6"))
    late_s = 1.5  # the person breathes a breath-and-a-half second behind the pacer...

    def lungs(t: float) -> float:
        return pacer.volume(max(0.0, t - late_s))

    # ...and the heart is in phase with the breath actually taken
    beat_t, rr_ms, t, phi = [], [], 0.0, 0.0
    while t < 200.0:
        t += 0.01
        phi += 0.01 * (65.0 + 10.0 * (lungs(t) - 0.5)) / 60.0
        if phi >= 1.0:
            phi -= 1.0
            rr_ms.append((t - (beat_t[-1] if beat_t else 0.0)) * 1000.0)
            beat_t.append(t)
    blocks = _following(pacer, 200, late_s)
    xyz = np.array([v for b in blocks for v in b.values])
    bt = np.array([x for b in blocks for x in b.times_s])
    spans, k = [], 0
    for b in blocks:
        spans.append((k, k + len(b), False))
        k += len(b)
    breath = breath_curve(bt, xyz, RATE_HZ, spans, pacer)
    assert breath is not None
    step = AssessmentStep(0, 6.0, 0.0, 200.0, 60.0)
    against_pacer = score_step(beat_t[1:], rr_ms[1:], step, pacer=pacer)
    against_breath = score_step(beat_t[1:], rr_ms[1:], step, pacer=pacer, breath=breath)
    assert against_pacer.phase_deg is not None
    assert against_breath.phase_deg is not None
    # the pacer as stand-in sees the heart 54 degrees late; against the real breath it is in phase
    assert abs(against_pacer.phase_deg) == pytest.approx(54, abs=15)
    assert abs(against_breath.phase_deg) < 15
    # a step the motion does not cover falls back to the pacer
    outside = AssessmentStep(1, 6.0, 150.0, 100.0, 10.0)
    assert breath(np.linspace(160.0, 250.0, 50)) is None
    assert score_step(beat_t[1:], rr_ms[1:], outside, pacer=pacer, breath=breath).phase_deg == (
        score_step(beat_t[1:], rr_ms[1:], outside, pacer=pacer).phase_deg
    )
