"""How the simulated person breathes with the pacer.

:class:`Plan` is the pacer's lung-volume curve in array form; :class:`Breathing` is the person
following it: a little ahead of or behind the pacer (slowly varying timing) and with a breath depth
that varies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hrvcoach.drivers.simulated.noise import SlowNoise
from hrvcoach.pacer import BreathPattern, Pacer

if TYPE_CHECKING:
    from hrvcoach.drivers.simulated.params import SimParams


@dataclass(frozen=True)
class Plan:
    """A snapshot of the pacer's segments in array form, for vectorised lung volume and rate."""

    starts_s: np.ndarray
    breaths0: np.ndarray
    period_s: np.ndarray
    rate_bpm: np.ndarray
    bounds: np.ndarray  # (n, 3): cumulative stage fractions: end of in, hold_in, out
    widths: np.ndarray  # (n, 4): stage fractions

    @classmethod
    def of(cls, segments: Sequence[tuple[float, BreathPattern]], pacer: Pacer) -> Plan:
        starts = np.array([t for t, _ in segments], dtype=float)
        patterns = [p for _, p in segments]
        widths = np.array([p.stage_fractions for p in patterns], dtype=float)
        return cls(
            starts_s=starts,
            breaths0=np.array([pacer.breaths(t) for t in starts], dtype=float),
            period_s=np.array([p.period_s for p in patterns], dtype=float),
            rate_bpm=np.array([p.rate_bpm for p in patterns], dtype=float),
            bounds=np.cumsum(widths, axis=1)[:, :3],
            widths=widths,
        )

    def segment(self, t_s: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self.starts_s, t_s, side="right") - 1, 0, None)

    def volume(self, t_s: np.ndarray) -> np.ndarray:
        """Lung volume 0..1, the same curve as :meth:`Pacer.volume` (raised cosine per stage)."""
        i = self.segment(t_s)
        u = np.mod(self.breaths0[i] + (t_s - self.starts_s[i]) / self.period_s[i], 1.0)
        b, w = self.bounds[i], self.widths[i]
        inhale = 0.5 - 0.5 * np.cos(np.pi * u / np.where(w[:, 0] > 0, w[:, 0], 1.0))
        exhale = 0.5 + 0.5 * np.cos(np.pi * (u - b[:, 1]) / np.where(w[:, 2] > 0, w[:, 2], 1.0))
        return np.select(
            [u < b[:, 0], u < b[:, 1], u < b[:, 2]], [inhale, np.ones_like(u), exhale], 0.0
        )


class Breathing:
    """The person's breathing: the pacer's curve, followed with a small, seeded imperfection.

    Args:
        params: The simulated person (``timing_sd_s``, ``depth_sd``).
        timing: Slow noise (unit standard deviation) of how far the breath runs ahead or behind.
        depth: Slow noise (unit standard deviation) of the breath depth.
    """

    def __init__(self, params: SimParams, *, timing: SlowNoise, depth: SlowNoise) -> None:
        self.params = params
        self._timing = timing
        self._depth = depth

    def breath(
        self, t_s: np.ndarray, plan: Plan, lag_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lung volume (0..1) the heart answers to at ``t_s``, ``lag_s`` earlier, and the depth
        factor of the breath (1 is the usual depth)."""
        p = self.params
        breath_t = t_s + p.timing_sd_s * self._timing(t_s) - lag_s
        depth = np.clip(1.0 + p.depth_sd * self._depth(t_s), 0.3, None)
        return plan.volume(breath_t), depth
