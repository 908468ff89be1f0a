"""The simulated heart: heart rate as a sum of rhythms answering the breath.

:func:`response` is the resonance (RSA gain and phase against breathing rate); :class:`HeartModel`
adds the baroreflex oscillation and the slow drift, and turns a pace plan into instantaneous heart
rate, which :mod:`~hrvcoach.drivers.simulated.generator` turns into beats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from hrvcoach.drivers.simulated.breathing import Breathing, Plan
from hrvcoach.drivers.simulated.noise import SlowNoise

if TYPE_CHECKING:
    from hrvcoach.drivers.simulated.params import SimParams
    from hrvcoach.drivers.simulated.protocol import ProtocolCourse

ADAPT_S: Final = 10.0  #: time constant of the heart's response settling after a pace change
OWN_RATE_BPM: Final = 14.0  #: the person's own breathing rate when not following the pacer
MIN_HR_BPM: Final = 30.0  #: floor for the modelled heart rate (keeps the IPFM integral rising)


def response(rate_bpm: np.ndarray, params: SimParams) -> np.ndarray:
    """Complex heart-rate response to breathing at ``rate_bpm``, 1 at resonance: the resonance
    (a second-order band-pass) on top of a share ``base`` of RSA that is there at any rate."""
    if params.flat:
        return np.ones_like(rate_bpm, dtype=complex)
    ratio = rate_bpm / params.resonance_bpm
    detuning = params.q * (ratio - 1.0 / ratio)
    return params.base + (1.0 - params.base) / (1.0 + 1j * detuning)


def gain(rate_bpm: np.ndarray, params: SimParams) -> np.ndarray:
    return np.abs(response(rate_bpm, params))


def phase_rad(rate_bpm: np.ndarray, params: SimParams) -> np.ndarray:
    return np.angle(response(rate_bpm, params))


class HeartModel:
    """Instantaneous heart rate (bpm) as a function of time, for one person and one pace plan.

    Args:
        params: The person.
        course: A guided protocol's activations (raised heart rate, less variability), if any.
    """

    def __init__(self, params: SimParams, *, course: ProtocolCourse | None = None) -> None:
        self.params = params
        self.course = course
        rng = np.random.default_rng([params.seed, 1])
        self._drift = SlowNoise(rng, 1 / 300, 1 / 25)
        # drawn in this order from one generator: the same seed keeps giving the same person
        timing = SlowNoise(rng, 1 / 120, 1 / 20)
        depth = SlowNoise(rng, 1 / 90, 1 / 15)
        self._breathing = Breathing(params, timing=timing, depth=depth)
        self._baro_wander = SlowNoise(rng, 1 / 200, 1 / 40)
        self._baro_phase = float(rng.uniform(0, 2 * np.pi))
        # The person's own breathing (``follow`` < 1) has its own generator: the draws above, and
        # so every person and every bundled example, stay the same.
        own = np.random.default_rng([params.seed, 4])
        self._own_phase = SlowNoise(own, 1 / 60, 1 / 8)
        self._own_depth = SlowNoise(own, 1 / 40, 1 / 6)
        self._own_rate = SlowNoise(own, 1 / 300, 1 / 60)
        self._own_gain = float(gain(np.array([OWN_RATE_BPM]), params)[0])

    def lungs(self, t_s: np.ndarray, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
        """The person's own lung volume (0..1) and breath depth at ``t_s`` (chest motion)."""
        return self._breathing.breath(t_s, plan, np.zeros_like(t_s))

    def hr_bpm(self, t_s: np.ndarray, plan: Plan) -> np.ndarray:
        p = self.params
        i = plan.segment(t_s)
        gains = gain(plan.rate_bpm, p)
        f_hz = plan.rate_bpm / 60.0
        # HR lags the breath by phase/(2 pi f) seconds (leads when negative)
        lag = -phase_rad(plan.rate_bpm, p) / (2 * np.pi * f_hz)
        # After a pace change the response settles from the old segment's towards the new one's.
        prev = np.clip(i - 1, 0, None)
        w = np.where(i > 0, -np.expm1(-(t_s - plan.starts_s[i]) / ADAPT_S), 1.0)
        g = w * gains[i] + (1 - w) * gains[prev]
        lag_s = w * lag[i] + (1 - w) * lag[prev]

        volume, depth = self._breathing.breath(t_s, plan, lag_s)
        rsa = p.rsa_bpm * g * depth * (volume - 0.5)
        follow = p.follow
        if follow < 1.0:
            rsa = follow * rsa + (1.0 - follow) * self._own_rsa(t_s)

        f0_hz = p.resonance_bpm / 60.0
        baro_phase = 2 * np.pi * f0_hz * t_s + self._baro_phase + self._baro_wander(t_s)
        baro = 0.5 * p.baro_bpm * (1.0 - follow * g) * np.sin(baro_phase)

        drift = p.drift_bpm * self._drift(t_s)
        if self.course is not None:
            raised, variability = self.course.levels(t_s)
            return np.maximum(
                p.mean_hr_bpm + raised + variability * (rsa + baro) + drift, MIN_HR_BPM
            )
        return np.maximum(p.mean_hr_bpm + rsa + baro + drift, MIN_HR_BPM)

    def _own_rsa(self, t_s: np.ndarray) -> np.ndarray:
        """RSA of the person's own breathing: about 14 breaths/min, its rate wandering (a phase
        that drifts by several radians over a minute) and its depth varying by about 40 %."""
        p = self.params
        phase = (
            2 * np.pi * OWN_RATE_BPM / 60.0 * t_s
            + 2.5 * self._own_phase(t_s)
            + 6.0 * self._own_rate(t_s)
        )
        depth = np.clip(1.0 + 0.4 * self._own_depth(t_s), 0.2, None)
        return -0.5 * p.rsa_bpm * self._own_gain * depth * np.cos(phase)
