"""Smooth seeded random processes: pure functions of session time."""

from __future__ import annotations

import math
from typing import Final

import numpy as np

SLOW_GRID_S: Final = 1.0  #: sampling step of the slow random processes (interpolated between)


class SlowNoise:
    """A smooth random process with unit standard deviation: a sum of sinusoids with seeded
    frequencies in a band and random phases, so its value is a pure function of time."""

    def __init__(self, rng: np.random.Generator, low_hz: float, high_hz: float, n: int = 8) -> None:
        self._omega = 2 * np.pi * rng.uniform(low_hz, high_hz, n)
        self._phase = rng.uniform(0, 2 * np.pi, n)
        self._scale = math.sqrt(2.0 / n)

    def exact(self, t_s: np.ndarray) -> np.ndarray:
        return self._scale * np.sin(np.outer(t_s, self._omega) + self._phase).sum(axis=1)

    def __call__(self, t_s: np.ndarray) -> np.ndarray:
        """The process at ``t_s`` (ascending): exact on a fixed 1 s grid, linear in between.

        The slowest-varying parts of the model need not be summed at every 20 Hz node; a grid
        fixed in session time keeps the value a pure function of time.
        """
        coarse = np.arange(math.floor(t_s[0] / SLOW_GRID_S), math.ceil(t_s[-1] / SLOW_GRID_S) + 1)
        coarse_t = coarse * SLOW_GRID_S
        return np.interp(t_s, coarse_t, self.exact(coarse_t))
