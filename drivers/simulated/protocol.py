"""The simulated person going through a guided protocol's phases.

During an **activation** heart rate rises towards a raised level (physical: +35 bpm, mental:
+15 bpm, each with a 15-s rise) and the breath's swing and the baroreflex wave shrink to 30 % of
their resting size. After it, the raised heart rate decays exponentially with the time constant
``tau`` (``sim:tau=S``, default 45 s) and variability returns with a time constant twice as long,
so RMSSD comes back more slowly than heart rate. In phases without a pacer (a resting check, a
baseline, an activation, a natural recovery) the person breathes at their own ``breath`` rate
(``sim:breath=N``, default 12 breaths/min) instead of following the pacer.

Pure numbers: :class:`ProtocolCourse` turns phase times into arrays over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from hrvcoach.drivers.simulated.breathing import Plan

if TYPE_CHECKING:
    from hrvcoach.pacer import BreathPattern, Pacer
    from hrvcoach.protocols.phases import Phase

RISE_S: Final = 15.0  #: time constant of the heart rate's rise in an activation
RAISE_BPM: Final = {"physical": 35.0, "mental": 15.0}
#: variability (breath swing, baroreflex wave) left at the height of an activation
ACTIVE_VARIABILITY: Final = 0.3
#: variability returns this many times more slowly than heart rate
VARIABILITY_SLOWER: Final = 2.0
#: natural breathing: 40 % in, 60 % out, no holds
NATURAL_WIDTHS: Final = (0.4, 0.0, 0.6, 0.0)


@dataclass(frozen=True)
class Activation:
    start_s: float
    end_s: float
    raise_bpm: float


@dataclass(frozen=True)
class ProtocolCourse:
    """What a protocol's phases do to the simulated person, as functions of session time.

    Attributes:
        activations: Each activation's start, end and how far it raises heart rate.
        natural: ``(start_s, end_s)`` of the phases breathed at the person's own rate.
        tau_s: Time constant of the heart rate's return after an activation.
        natural_bpm: The person's own breathing rate.
    """

    activations: tuple[Activation, ...]
    natural: tuple[tuple[float, float], ...]
    tau_s: float
    natural_bpm: float

    @classmethod
    def of(cls, phases: Sequence[Phase], *, tau_s: float, natural_bpm: float) -> ProtocolCourse:
        activations = tuple(
            Activation(p.start_s, p.end_s, RAISE_BPM.get(p.task or "physical", 35.0))
            for p in phases
            if p.name == "activation"
        )
        # no one follows a pacer through squats or serial sevens: activations breathe freely too
        natural = tuple((p.start_s, p.end_s) for p in phases if p.pace_bpm is None)
        return cls(activations, natural, tau_s, natural_bpm)

    def levels(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Heart-rate raise (bpm) and variability factor (0..1) at ``t_s``."""
        raised = np.zeros_like(t_s, dtype=float)
        damped = np.zeros_like(t_s, dtype=float)  # 0: full variability, 1: activation's low
        for a in self.activations:
            during = (t_s >= a.start_s) & (t_s < a.end_s)
            after = t_s >= a.end_s
            rise = -np.expm1(-(np.clip(t_s, a.start_s, a.end_s) - a.start_s) / RISE_S)
            top = -np.expm1(-(a.end_s - a.start_s) / RISE_S)
            since = np.clip(t_s - a.end_s, 0.0, None)
            raised += np.where(during, a.raise_bpm * rise, 0.0)
            raised += np.where(after, a.raise_bpm * top * np.exp(-since / self.tau_s), 0.0)
            slow = self.tau_s * VARIABILITY_SLOWER
            damped += np.where(during, rise, 0.0)
            damped += np.where(after, top * np.exp(-since / slow), 0.0)
        variability = 1.0 - (1.0 - ACTIVE_VARIABILITY) * np.clip(damped, 0.0, 1.0)
        return raised, variability

    def raise_bpm(self, t_s: np.ndarray) -> np.ndarray:
        return self.levels(t_s)[0]

    def variability(self, t_s: np.ndarray) -> np.ndarray:
        return self.levels(t_s)[1]

    def plan(self, segments: Sequence[tuple[float, BreathPattern]], pacer: Pacer) -> Plan:
        """The breathing the person actually does: the pacer's in paced phases, their own rate
        (in 2:3, no holds) in the natural ones; the breath count runs on across every change."""
        paced = Plan.of(segments, pacer)
        edges = sorted(
            {float(t) for t in paced.starts_s} | {t for span in self.natural for t in span}
        )
        own_period = 60.0 / self.natural_bpm
        own_widths = np.array(NATURAL_WIDTHS)
        starts: list[float] = []
        periods: list[float] = []
        rates: list[float] = []
        widths: list[np.ndarray] = []
        breaths0: list[float] = []
        count = float(paced.breaths0[0]) if paced.breaths0.size else 0.0
        for n, t in enumerate(edges):
            if any(lo <= t < hi for lo, hi in self.natural):
                period, rate, width = own_period, self.natural_bpm, own_widths
            else:
                i = int(paced.segment(np.array([t]))[0])
                period, rate, width = paced.period_s[i], paced.rate_bpm[i], paced.widths[i]
            if n > 0:
                count += (t - starts[-1]) / periods[-1]
            starts.append(t)
            periods.append(float(period))
            rates.append(float(rate))
            widths.append(np.asarray(width, dtype=float))
            breaths0.append(count)
        w = np.array(widths)
        return Plan(
            starts_s=np.array(starts),
            breaths0=np.array(breaths0),
            period_s=np.array(periods),
            rate_bpm=np.array(rates),
            bounds=np.cumsum(w, axis=1)[:, :3],
            widths=w,
        )
