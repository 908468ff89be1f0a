"""The breathing simulator: a deterministic, resonant person who breathes with the pacer.

Every physiological property is measured here from the beats themselves (per-breath peak-to-trough
heart rate, the RR spectrum, the heart-rate/breath phase), the way a person analysing a recording
would, not read back from the model's parameters.
"""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrvcoach.beats import (
    RR_MAX_MS,
    RR_MIN_MS,
    Beat,
    BeatFlag,
    BeatSource,
    Contact,
    DeviceStatus,
    Event,
    LinkState,
    Mark,
)
from hrvcoach.drivers.simulated import (
    EXAMPLES,
    SPEC_KEYS,
    BeatGenerator,
    Plan,
    SimParams,
    SimulatedSource,
    main,
    make_example,
    simulate,
)
from hrvcoach.errors import DeviceError
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.timing import Playback

ARTEFACTS = BeatFlag.SIMULATED_ECTOPIC | BeatFlag.SIMULATED_MISSED


# -- measuring helpers (what an analyst would compute from the beats) ---------------------------


def beats_at(spec: str, rate_bpm: float, duration_s: float = 300.0) -> list[Beat]:
    return simulate(
        SimParams.from_spec(spec), pacer=Pacer(BreathPattern(rate_bpm)), duration_s=duration_s
    )


def clean(beats: list[Beat]) -> tuple[np.ndarray, np.ndarray]:
    """Times and RR of the beats that are neither an artefact nor right after one."""
    keep = [b for b in beats if not b.flags & ARTEFACTS]
    return np.array([b.t_s for b in keep]), np.array([b.rr_ms for b in keep])


def peak_to_trough_bpm(
    beats: list[Beat], pacer: Pacer, start_s: float = 20.0, end_s: float = math.inf
) -> float:
    """Mean over whole pacer breaths of (max - min) instantaneous HR within the breath."""
    t, rr = clean(beats)
    sel = (t >= start_s) & (t <= end_s)
    t, hr = t[sel], 60000.0 / rr[sel]
    cycle = np.floor([pacer.breaths(x) for x in t]).astype(int)
    swings = [np.ptp(hr[cycle == c]) for c in np.unique(cycle)[1:-1] if (cycle == c).sum() >= 4]
    return float(np.mean(swings))


def resampled_rr(beats: list[Beat], start_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    t, rr = clean(beats)
    grid = np.arange(start_s, end_s, 0.25)
    return grid, np.interp(grid, t, rr)


def dominant_hz(beats: list[Beat], start_s: float = 20.0, end_s: float | None = None) -> float:
    """Frequency of the largest RR spectral peak (0.03-0.4 Hz), from a zero-padded periodogram."""
    end = end_s if end_s is not None else beats[-1].t_s
    grid, rr = resampled_rr(beats, start_s, end)
    x = (rr - np.polyval(np.polyfit(grid, rr, 1), grid)) * np.hanning(len(rr))  # linear detrend
    n = 1 << 15
    power = np.abs(np.fft.rfft(x, n)) ** 2
    freqs = np.fft.rfftfreq(n, 0.25)
    band = (freqs >= 0.03) & (freqs <= 0.4)
    return float(freqs[band][np.argmax(power[band])])


def hr_phase_deg(beats: list[Beat], pacer: Pacer, rate_bpm: float) -> float:
    """Phase of heart rate against the pacer's lung volume at the breathing frequency
    (positive: HR leads). Each beat's HR is placed mid-interval, where it was measured."""
    t, rr = clean(beats)
    mid = t - rr / 2000.0
    grid = np.arange(30.0, mid[-1], 0.25)
    hr = np.interp(grid, mid, 60000.0 / rr)
    vol = np.array([pacer.volume(x) for x in grid])
    basis = np.exp(-2j * np.pi * rate_bpm / 60.0 * grid)
    diff = np.angle(np.sum((hr - hr.mean()) * basis) / np.sum((vol - vol.mean()) * basis))
    return float(np.degrees(diff))


def rmssd_ms(beats: list[Beat]) -> float:
    rr = np.array([b.rr_ms for b in beats])
    ok = np.array([not b.flags & ARTEFACTS for b in beats])
    both = ok[1:] & ok[:-1]
    return float(np.sqrt(np.mean(np.diff(rr)[both] ** 2)))


# -- determinism and beat-time consistency -------------------------------------------------------


def test_same_seed_gives_identical_beats_and_another_seed_does_not() -> None:
    a = beats_at("sim:seed=4", 6.0, 240)
    b = beats_at("sim:seed=4", 6.0, 240)
    c = beats_at("sim:seed=5", 6.0, 240)
    assert a == b
    assert len(a) > 200
    n = min(len(a), len(c))
    assert sum(x.rr_ms != y.rr_ms for x, y in zip(a[:n], c[:n], strict=True)) > n * 0.9


def test_rr_and_beat_times_agree_exactly_including_artefacts() -> None:
    beats = beats_at("sim:ectopic=3,missed=2,seed=9", 5.5, 900)
    t = np.array([b.t_s for b in beats])
    rr = np.array([b.rr_ms for b in beats])
    assert any(b.flags & BeatFlag.SIMULATED_ECTOPIC for b in beats)
    assert any(b.flags & BeatFlag.SIMULATED_MISSED for b in beats)
    np.testing.assert_allclose(np.diff(t), rr[1:] / 1000.0, rtol=0, atol=1e-9)
    assert 0.0 < t[0] <= rr[0] / 1000.0  # the first interval starts before the session
    # like a Polar strap, times and intervals are whole 1/1024 s ticks
    np.testing.assert_array_equal(t * 1024, np.round(t * 1024))
    np.testing.assert_array_equal(rr * 1.024, np.round(rr * 1.024))


def test_chunked_generation_matches_one_long_run() -> None:
    # 30 min crosses several generation chunks; beats near chunk edges must not be lost or doubled
    params = SimParams(seed=3)
    long = simulate(params, pacer=Pacer(BreathPattern(6.0)), duration_s=1800)
    gen = BeatGenerator(params, pacer=Pacer(BreathPattern(6.0)))
    stepwise = [gen.take() for _ in range(len(long))]
    assert stepwise == long
    rr = np.array([b.rr_ms for b in long])
    assert np.all(rr >= RR_MIN_MS)
    assert np.all(rr <= RR_MAX_MS)


def test_vectorised_lung_volume_is_the_pacers_curve() -> None:
    pacer = Pacer(BreathPattern(6.0))
    pacer.set_pattern(37.3, BreathPattern.with_ratio(4.5, "4:2:6:1"))
    pacer.set_pattern(101.9, BreathPattern.with_ratio(9.0, "5:5"))
    t = np.linspace(-12.0, 160.0, 4001)
    plan = Plan.of(pacer.segments(), pacer)
    np.testing.assert_allclose(plan.volume(t), [pacer.volume(x) for x in t], atol=1e-12)


# -- physiology ------------------------------------------------------------------------------------


def test_default_person_is_a_healthy_adult_practising_at_resonance() -> None:
    pacer = Pacer(BreathPattern(5.5))
    beats = simulate(SimParams(), pacer=pacer, duration_s=600)
    _, rr = clean(beats)
    assert 62.0 <= float(np.mean(60000.0 / rr)) <= 66.0
    assert 12.0 <= peak_to_trough_bpm(beats, pacer) <= 18.0
    assert 40.0 <= rmssd_ms(beats) <= 80.0
    # the strap-like reported HR is a smoothed, whole-number heart rate close to the beats'
    hr = np.array([b.hr_bpm for b in beats[10:]])
    inst = np.array([b.instant_hr_bpm for b in beats[10:]])
    np.testing.assert_array_equal(hr, np.round(hr))
    assert np.median(np.abs(hr - inst)) < 4.0
    assert np.std(hr) < np.std(inst)
    assert {b.contact for b in beats} == {Contact.UNSUPPORTED}


@pytest.mark.parametrize(("resonance", "seed"), [(5.5, 0), (5.5, 11), (5.0, 3), (6.0, 7), (4.5, 2)])
def test_rsa_swing_is_largest_at_the_resonance_rate(resonance: float, seed: int) -> None:
    spec = f"sim:resonance={resonance},seed={seed}"
    rates = [
        resonance - 1.5,
        resonance - 1.0,
        resonance - 0.5,
        resonance,
        resonance + 0.5,
        resonance + 1.0,
        resonance + 1.5,
    ]
    rates = [r for r in rates if 3.0 <= r <= 10.0]
    swing = {}
    for rate in rates:
        pacer = Pacer(BreathPattern(rate))
        swing[rate] = peak_to_trough_bpm(
            simulate(SimParams.from_spec(spec), pacer=pacer, duration_s=300), pacer
        )
    assert max(swing, key=swing.__getitem__) == resonance, swing
    for rate in (resonance - 1.5, resonance + 1.5):
        if rate in swing:  # clearly smaller 1.5 breaths/min away (noise keeps it above the model's)
            assert swing[rate] < 0.6 * swing[resonance], swing
    # and the model itself: half or less 1.5 breaths/min away, as documented
    params = SimParams.from_spec(spec)
    assert params.amplitude_bpm(resonance) == pytest.approx(params.rsa_bpm)
    assert params.amplitude_bpm(resonance + 1.5) <= 0.5 * params.rsa_bpm


def test_a_flat_person_swings_about_the_same_at_every_rate() -> None:
    swings = []
    for rate in (4.5, 5.0, 5.5, 6.0, 6.5):
        pacer = Pacer(BreathPattern(rate))
        params = SimParams.from_spec("sim:resonance=6,flat=1,ectopic=0,seed=8")
        swings.append(peak_to_trough_bpm(simulate(params, pacer=pacer, duration_s=300), pacer))
    assert max(swings) / min(swings) < 1.2, swings
    assert 12.0 <= np.mean(swings) <= 20.0


@pytest.mark.parametrize("rate", [4.5, 6.0, 7.5, 9.5])
def test_dominant_rr_frequency_is_the_pacers_rate(rate: float) -> None:
    beats = beats_at("sim:seed=1", rate, 420)
    assert dominant_hz(beats) == pytest.approx(rate / 60.0, abs=0.004)


def test_heart_rate_is_in_phase_at_resonance_lags_faster_and_leads_slower() -> None:
    phases = {}
    for rate in (4.5, 5.5, 6.5):
        pacer = Pacer(BreathPattern(rate))
        beats = simulate(SimParams(seed=6), pacer=pacer, duration_s=420)
        phases[rate] = hr_phase_deg(beats, pacer, rate)
    assert abs(phases[5.5]) < 20.0, phases
    assert phases[6.5] < -30.0, phases  # HR peaks after the lungs are full
    assert phases[4.5] > 30.0, phases
    assert SimParams().phase_deg(5.5) == pytest.approx(0.0)


def test_ectopic_and_missed_beats_come_at_the_configured_rates_and_are_flagged() -> None:
    minutes = 60.0
    # a small RSA swing, so that neighbouring beats are a fair yardstick for a normal interval
    beats = beats_at("sim:ectopic=1.5,missed=0.8,rsa=4,seed=12", 6.0, minutes * 60)
    rr = np.array([b.rr_ms for b in beats])
    ectopic = [i for i, b in enumerate(beats) if b.flags & BeatFlag.SIMULATED_ECTOPIC]
    missed = [i for i, b in enumerate(beats) if b.flags & BeatFlag.SIMULATED_MISSED]
    # ectopic beats come in pairs: the premature beat, then its compensatory pause
    premature = ectopic[0::2]
    assert [i + 1 for i in premature] == ectopic[1::2]
    for i in premature:
        typical = np.median(rr[max(0, i - 6) : i])
        assert rr[i] < 0.8 * typical
        assert rr[i + 1] > 1.15 * typical  # the compensatory pause
        assert rr[i + 1] > 1.5 * rr[i]
        assert rr[i] + rr[i + 1] == pytest.approx(2 * typical, rel=0.15)
    for i in missed:
        assert rr[i] == pytest.approx(2 * np.median(rr[max(0, i - 6) : i]), rel=0.15)
    # Poisson counts: 90 and 48 expected; 4 standard deviations either way
    assert abs(len(premature) - 1.5 * minutes) < 4 * math.sqrt(1.5 * minutes)
    assert abs(len(missed) - 0.8 * minutes) < 4 * math.sqrt(0.8 * minutes)

    none = beats_at("sim:ectopic=0,missed=0", 6.0, 1200)
    assert not any(b.flags for b in none)


def test_a_simulated_slow_breather_looks_like_a_real_one(shared_data: Path) -> None:
    """The real 10-minute Polar H10 slow-breathing recording against the default person paced at
    the same rate with that rate as resonance: the same heart rate, swing and beat-to-beat
    variability, within the spread between real people."""
    from hrvcoach.readers import read_recording

    real = list(
        read_recording(
            shared_data / "rr" / "slow-breathing-polar-h10" / "sample_data_ibi.csv"
        ).beats
    )
    rate = round(min(max(dominant_hz(real, 0.0) * 60.0, 3.0), 10.0), 1)
    assert 3.0 <= rate <= 5.5  # the recording's own description: a peak at 3.5-5 per minute
    pacer = Pacer(BreathPattern(rate))
    sim = simulate(SimParams(resonance_bpm=rate), pacer=pacer, duration_s=600)

    def two_minute_sdnn(beats: list[Beat]) -> float:
        t, rr = clean(beats)
        return float(np.mean([rr[(t >= a) & (t < a + 120)].std() for a in range(0, 480, 120)]))

    real_rr = np.array([b.rr_ms for b in real])
    _, sim_rr = clean(sim)
    assert 60000 / sim_rr.mean() == pytest.approx(60000 / real_rr.mean(), rel=0.1)
    assert 0.67 < rmssd_ms(sim) / rmssd_ms(real) < 1.5
    assert 0.75 < two_minute_sdnn(sim) / two_minute_sdnn(real) < 1.33
    assert 0.8 < np.ptp(sim_rr) / np.ptp(real_rr) < 1.25
    assert dominant_hz(sim) == pytest.approx(rate / 60.0, abs=0.004)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resonance=st.floats(3.0, 10.0),
    hr=st.floats(45.0, 110.0),
    rsa=st.floats(0.0, 20.0),
    q=st.floats(0.5, 12.0),
    rate=st.floats(3.0, 10.0),
    seed=st.integers(0, 10_000),
)
def test_any_valid_person_gives_plausible_ordered_beats(
    resonance: float, hr: float, rsa: float, q: float, rate: float, seed: int
) -> None:
    params = SimParams(resonance_bpm=resonance, mean_hr_bpm=hr, rsa_bpm=rsa, q=q, seed=seed)
    beats = simulate(params, pacer=Pacer(BreathPattern(rate)), duration_s=120)
    t = np.array([b.t_s for b in beats])
    rr = np.array([b.rr_ms for b in beats])
    assert np.all(np.diff(t) > 0)
    assert np.all(rr >= RR_MIN_MS)
    assert np.all(rr <= RR_MAX_MS)
    normal = rr[[not b.flags for b in beats]]
    assert 60000.0 / np.mean(normal) == pytest.approx(hr, rel=0.12)


# -- following the pacer ---------------------------------------------------------------------------


async def test_follows_a_pace_change_made_during_the_session() -> None:
    pacer = Pacer(BreathPattern(6.5))
    source = SimulatedSource(
        SimParams.from_spec("sim:seed=5,timing=0"),
        pacer=pacer,
        playback=Playback(fast=True),
        duration_s=600,
    )
    live: list[Beat] = []
    changed_at = None
    async with source:
        async for event in source:
            if isinstance(event, Beat):
                live.append(event)
                if changed_at is None and event.t_s > 300.0:
                    changed_at = event.t_s  # what Session.set_pattern does in fast mode
                    pacer.set_pattern(changed_at, BreathPattern(6.0))
    assert changed_at is not None
    assert dominant_hz(live, 30.0, changed_at) == pytest.approx(6.5 / 60, abs=0.004)
    assert dominant_hz(live, changed_at + 30.0) == pytest.approx(6.0 / 60, abs=0.004)
    # a live change gives the beats the same plan known up front would have given
    planned = Pacer(BreathPattern(6.5))
    planned.set_pattern(changed_at, BreathPattern(6.0))
    assert (
        simulate(SimParams.from_spec("sim:seed=5,timing=0"), pacer=planned, duration_s=600) == live
    )


def test_a_change_regenerates_only_beats_not_yet_taken() -> None:
    pacer = Pacer(BreathPattern(5.0))
    gen = BeatGenerator(SimParams(seed=2), pacer=pacer)
    taken = [gen.take() for _ in range(100)]
    upcoming = gen.peek()
    assert gen.peek() is upcoming  # nothing changed: the same beat
    pacer.set_pattern(taken[-1].t_s, BreathPattern(8.0))
    after = gen.peek()
    assert after.t_s > taken[-1].t_s
    assert after.t_s - after.rr_ms / 1000 == pytest.approx(taken[-1].t_s, abs=1e-9)
    rest = [gen.take() for _ in range(300)]
    assert rest[0] == after
    assert dominant_hz(taken + rest, taken[-1].t_s + 30) == pytest.approx(8.0 / 60, abs=0.004)


# -- spec parsing ----------------------------------------------------------------------------------


def test_spec_sim_is_the_default_person() -> None:
    assert SimParams.from_spec("sim") == SimParams()
    assert SimParams().resonance_bpm == 5.5
    assert SimParams.from_spec("sim:") == SimParams()


def test_spec_sets_knobs_by_short_or_full_name() -> None:
    p = SimParams.from_spec("sim:resonance=5.0,seed=3")
    assert (p.resonance_bpm, p.seed) == (5.0, 3)
    p = SimParams.from_spec("sim:resonance=6,flat=1,ectopic=0")
    assert (p.resonance_bpm, p.flat, p.ectopic_per_min) == (6.0, True, 0.0)
    p = SimParams.from_spec(
        "sim: hr=70 , rsa=10, q=3,noise=5,missed=0.5,drift=0,baro=1,"
        "timing=0.1,depth=0,flat=false,ectopic_per_min=2"
    )
    assert p == SimParams(
        mean_hr_bpm=70,
        rsa_bpm=10,
        q=3,
        noise_ms=5,
        missed_per_min=0.5,
        drift_bpm=0,
        baro_bpm=1,
        timing_sd_s=0.1,
        depth_sd=0,
        flat=False,
        ectopic_per_min=2,
    )
    assert set(SPEC_KEYS.values()) == set(SimParams.__dataclass_fields__)
    for params in (
        SimParams(),
        SimParams(resonance_bpm=4.5, flat=True, seed=9, q=2.5),
        SimParams(resonance_bpm=5.123456789, mean_hr_bpm=61.25, seed=123456789),
    ):
        assert SimParams.from_spec(params.to_spec()) == params


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("sim:resonanse=5", "unknown key 'resonanse'"),
        ("sim:resonance=fast", "resonance='fast' is not a number"),
        ("sim:resonance=12", "resonance must be 3-10"),
        ("sim:seed=1.5", "seed='1.5' is not a whole number"),
        ("sim:seed=-1", "seed must be 0 or more"),
        ("sim:flat=maybe", "flat='maybe' is not 0/1"),
        ("sim:hr=nan", "is not a finite number"),
        ("sim:q=0", "q must be"),
        ("sim:hr=40,rsa=30", "too large for hr 40"),
        ("sim:ectopic=-1", "ectopic must be 0-10"),
        ("sim:seed", "'seed' is not key=value"),
        ("sim:seed=1,seed=2", "'seed' is given twice"),
        ("simulator", "is not a simulator spec"),
    ],
)
def test_bad_specs_raise_one_line_device_errors(spec: str, says: str) -> None:
    with pytest.raises(DeviceError) as info:
        SimParams.from_spec(spec)
    message = str(info.value)
    assert says in message
    assert "\n" not in message


# -- the driver ------------------------------------------------------------------------------------


async def collect(source: SimulatedSource) -> list[Event]:
    async with source:
        return [event async for event in source]


async def test_source_fulfils_the_beat_source_contract() -> None:
    start = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    source = SimulatedSource(
        SimParams(seed=4),
        pacer=Pacer(),
        playback=Playback(fast=True),
        duration_s=120,
        start_time=start,
    )
    assert isinstance(source, BeatSource)
    events = await collect(source)
    first = events[0]
    assert isinstance(first, DeviceStatus)
    assert (first.state, first.name) == (LinkState.CONNECTED, "simulator")
    beats = events[1:]
    assert all(isinstance(b, Beat) for b in beats)
    assert 115.0 < beats[-1].t_s <= 120.0
    assert beats == simulate(SimParams(seed=4), pacer=Pacer(), duration_s=120)
    info = source.info
    assert (info.kind, info.device, info.simulated, info.start_time) == (
        "sim",
        "simulator",
        True,
        start,
    )
    assert info.details["seed"] == 4
    assert info.details["resonance_bpm"] == 5.5
    assert source.now_s() == math.inf  # fast playback: every time is due


async def test_start_time_defaults_to_now_and_iterating_unopened_is_an_error() -> None:
    source = SimulatedSource(SimParams(), pacer=Pacer(), playback=Playback(fast=True), duration_s=5)
    with pytest.raises(DeviceError, match="async with"):
        async for _ in source:
            pass
    before = datetime.now(UTC)
    await collect(source)
    assert source.info.start_time is not None
    assert source.info.start_time >= before


class FakeClock:
    """A wall clock that only moves when the playback sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay
        await asyncio.sleep(0)


@pytest.mark.parametrize("speed", [1.0, 4.0])
async def test_beats_arrive_on_the_playback_clock_at_the_given_speed(speed: float) -> None:
    fake = FakeClock()
    playback = Playback(speed=speed, clock=fake.clock, sleep=fake.sleep)
    source = SimulatedSource(SimParams(), pacer=Pacer(), playback=playback, duration_s=60)
    async with source:
        async for event in source:
            if isinstance(event, Beat):
                # each beat is handed out exactly when it is due, never early
                assert fake.now - 100.0 == pytest.approx(event.t_s / speed, abs=1e-6)
                assert source.now_s() == pytest.approx(event.t_s, abs=1e-6)
    # and the source ends when its duration is up on the clock, not at its last beat
    assert event.t_s < 60.0
    assert fake.now - 100.0 == pytest.approx(60.0 / speed, abs=1e-6)


async def test_real_time_playback_is_never_ahead_of_the_wall_clock() -> None:
    import time

    source = SimulatedSource(
        SimParams(), pacer=Pacer(), playback=Playback(speed=30.0), duration_s=6.0
    )
    t0 = time.monotonic()
    async with source:
        async for event in source:
            if isinstance(event, Beat):
                assert time.monotonic() - t0 >= event.t_s / 30.0 - 0.005


async def test_stop_ends_the_iteration_while_waiting_for_a_beat() -> None:
    never = asyncio.Event()

    async def sleep_forever(_: float) -> None:
        await never.wait()  # the next beat never comes due: only stop() can end the wait

    playback = Playback(clock=lambda: 0.0, sleep=sleep_forever)
    source = SimulatedSource(SimParams(), pacer=Pacer(), playback=playback)
    seen: list[Event] = []

    async def consume() -> None:
        async with source:
            async for event in source:
                seen.append(event)

    task = asyncio.create_task(consume())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    assert len(seen) == 1  # the status, then waiting for the first beat
    source.stop()
    await asyncio.wait_for(task, timeout=2.0)
    assert isinstance(seen[0], DeviceStatus)


async def test_stop_from_another_thread_wakes_the_waiting_source() -> None:
    import threading

    never = asyncio.Event()

    async def sleep_forever(_: float) -> None:
        await never.wait()

    source = SimulatedSource(
        SimParams(), pacer=Pacer(), playback=Playback(clock=lambda: 0.0, sleep=sleep_forever)
    )
    seen = []

    async def consume() -> None:
        async with source:
            async for event in source:
                seen.append(event)
                # e.g. the window's Stop button, pressed while the source waits for a beat
                threading.Timer(0.1, source.stop).start()

    await asyncio.wait_for(consume(), timeout=5.0)
    assert len(seen) == 1


async def test_stop_in_fast_mode_ends_after_the_current_beat() -> None:
    source = SimulatedSource(SimParams(), pacer=Pacer(), playback=Playback(fast=True))
    beats = 0
    async with source:
        async for event in source:
            beats += isinstance(event, Beat)
            if beats == 50:
                source.stop()
    assert beats == 50


async def test_a_day_in_fast_mode_runs_through() -> None:
    # a smoke run of a long session through the async driver (speed is measured in benchmarks/)
    source = SimulatedSource(
        SimParams(), pacer=Pacer(), playback=Playback(fast=True), duration_s=4 * 3600
    )
    n = 0
    last = 0.0
    async with source:
        async for event in source:
            if isinstance(event, Beat):
                n += 1
                last = event.t_s
    assert last > 4 * 3600 - 3
    assert 60 * 4 * 60 < n < 68 * 4 * 60


# -- bundled example sessions ----------------------------------------------------------------------


def test_regenerating_the_examples_gives_the_committed_recordings(tmp_path: Path) -> None:
    from hrvcoach.readers import read_recording

    recordings = Path(__file__).resolve().parents[1] / "recordings"
    assert main(["--write-examples", str(tmp_path)]) == 0
    for example in EXAMPLES:
        committed = read_recording(recordings / f"{example.name}.csv")
        remade = read_recording(tmp_path / f"{example.name}.csv")
        assert committed.meta.simulated
        assert remade.meta.simulated
        assert committed.meta.extra["details"] == remade.meta.extra["details"]
        assert committed.meta.pace == remade.meta.pace
        # beats and device status are the simulator's and must match exactly; marks are written
        # by the pacer and the assessment, whose wording may change, so only their times and kinds
        assert [e for e in committed.events if not isinstance(e, Mark)] == [
            e for e in remade.events if not isinstance(e, Mark)
        ]
        assert [(m.t_s, m.kind) for m in committed.marks] == [(m.t_s, m.kind) for m in remade.marks]
        assert committed.warnings == ()
        assert (recordings / f"{example.name}.csv").stat().st_size < 60_000
        # and what was written is what the simulator made, beat for beat
        made = [e for e in make_example(example).events if isinstance(e, Beat)]
        assert [b.rr_ms for b in committed.beats] == [b.rr_ms for b in made]
        assert [b.flags for b in committed.beats] == [b.flags for b in made]
        np.testing.assert_allclose(committed.t_s, [b.t_s for b in made], atol=5e-4)
        assert committed.duration_s == pytest.approx(example.duration_s, abs=2.0)


def test_the_assessment_example_has_its_steps_and_a_clear_resonance() -> None:
    from hrvcoach.assess import assess_beats, protocol_pacer, steps_from_marks
    from hrvcoach.readers import read_recording

    path = Path(__file__).resolve().parents[1] / "recordings" / "sim-assessment-10min.csv"
    rec = read_recording(path)
    steps = steps_from_marks(rec.marks, end_s=rec.duration_s)
    assert [s.rate_bpm for s in steps] == [6.5, 6.0, 5.5, 5.0, 4.5]
    assert [s.start_s for s in steps] == [0.0, 120.0, 240.0, 360.0, 480.0]
    paces = [m.text for m in rec.marks if m.kind == "pace"]
    assert paces == ["6.5 4:6", "6.0 4:6", "5.5 4:6", "5.0 4:6", "4.5 4:6"]
    result = assess_beats(rec.t_s, rec.rr_ms, steps, pacer=protocol_pacer(steps))
    swings = {s.rate_bpm: s.peak_trough_bpm for s in result.steps}
    assert max(swings, key=swings.__getitem__) == 5.5
    assert result.confidence == "clear"


def test_the_examples_readme_lists_every_example() -> None:
    text = (Path(__file__).resolve().parents[1] / "recordings" / "README.md").read_text()
    for example in EXAMPLES:
        assert f"{example.name}.csv" in text
    assert "simulated" in text.lower()
