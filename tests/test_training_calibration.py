"""The zone thresholds do on real hearts and on the simulator what docs/training.md says they do.

Coherence every 5 s over each recording, as the live display computes it
(:func:`hrvcoach.coherence.coherence_series`), judged at each level.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hrvcoach.beats import Beat
from hrvcoach.coherence import coherence_series
from hrvcoach.training import Zone, zone_of


def zone_shares(rr_ms: np.ndarray, t_s: np.ndarray, level: int) -> tuple[float, float]:
    """Percent of the coherence updates in the high and in the low zone."""
    ok = (rr_ms > 300) & (rr_ms < 2000)
    ratios = coherence_series(rr_ms[ok], t_s[ok]).ratio
    assert ratios.size > 20
    zones = [zone_of(float(r), level) for r in ratios]
    high = 100.0 * sum(z is Zone.HIGH for z in zones) / len(zones)
    low = 100.0 * sum(z is Zone.LOW for z in zones) / len(zones)
    return high, low


def recording_shares(path: Path, level: int) -> tuple[float, float]:
    from hrvcoach.readers import read_recording

    beats = [e for e in read_recording(path).events if isinstance(e, Beat)]
    return zone_shares(
        np.array([b.rr_ms for b in beats], dtype=float),
        np.array([b.t_s for b in beats], dtype=float),
        level,
    )


def test_real_slow_breathing_earns_level_one_and_each_level_asks_more(shared_data: Path) -> None:
    path = shared_data / "rr" / "slow-breathing-polar-h10" / "sample_data_ibi.csv"
    highs = [recording_shares(path, level)[0] for level in (1, 2, 3, 4)]
    assert highs[0] >= 80.0  # a level-up session at level 1
    assert highs[1] < 80.0  # good slow breathing is not yet enough at level 2
    assert highs == sorted(highs, reverse=True)
    assert highs[3] < 30.0
    assert highs == pytest.approx([87, 74, 55, 24], abs=2)  # the table in docs/training.md


@pytest.mark.parametrize(
    "relative",
    [
        "hrv-package/rest_rri.txt",
        "hrv-package/real_rri.txt",
        "ectopic-polar-h10-ecg/rr.csv",
        "pyhrv-sample/SampleNNISeriesLong.npy",
    ],
)
def test_resting_and_daily_life_hearts_stay_low(shared_data: Path, relative: str) -> None:
    high, low = recording_shares(shared_data / "rr" / relative, 1)
    assert high <= 3.0  # a Holter day has a few rhythmic minutes (2 % in docs/training.md)
    assert low >= 70.0


def test_the_simulator_follows_the_pacer_as_much_as_told() -> None:
    from hrvcoach.drivers.simulated import SimParams, simulate
    from hrvcoach.pacer import BreathPattern, Pacer

    def shares(follow: float, seed: int) -> tuple[float, float]:
        beats = simulate(
            SimParams(follow=follow, seed=seed),
            pacer=Pacer(BreathPattern.with_ratio(6.0, "4:6")),
            duration_s=600,
        )
        return zone_shares(
            np.array([b.rr_ms for b in beats], dtype=float),
            np.array([b.t_s for b in beats], dtype=float),
            1,
        )

    for seed in (0, 3):
        assert shares(1.0, seed)[0] >= 80.0  # mostly high at level 1
        assert shares(0.1, seed)[1] >= 60.0  # mostly low
        middle_high, middle_low = shares(0.5, seed)
        assert 10.0 < middle_high < 60.0
        assert middle_low < 50.0
