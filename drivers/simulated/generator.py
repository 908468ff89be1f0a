"""Beats from heart rate: integral pulse frequency modulation, strap quantisation, artefacts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from hrvcoach.beats import Beat, BeatFlag, Contact
from hrvcoach.drivers.simulated.breathing import Plan
from hrvcoach.drivers.simulated.heart import HeartModel
from hrvcoach.drivers.simulated.params import SimParams
from hrvcoach.pacer import Pacer

if TYPE_CHECKING:
    from hrvcoach.drivers.simulated.protocol import ProtocolCourse

TICKS_PER_S: Final = 1024  #: beat-time resolution of a Polar strap (RR in 1/1024 s)
GRID_S: Final = 0.05  #: heart-rate sampling step for the IPFM integral (20 Hz)
CHUNK_S: Final = 300.0  #: session time generated per vectorised step
BEAT_BLOCK: Final = 4096  #: beats per block of per-beat random numbers
PREMATURE_RANGE: Final = (0.55, 0.75)  #: where in the interval an ectopic beat falls
STRAP_HR_BEATS: Final = 4  #: beats a strap averages for its reported heart rate


@dataclass(frozen=True)
class BeatState:
    """Where generation stands after one (model) beat: enough to continue from it exactly."""

    k: int  #: index of the last model beat (before artefacts), -1 before the first
    t_model_s: float  #: its time in the model (unquantised, before artefacts)
    tick: int  #: time of the last beat actually emitted, in 1/1024 s
    pending: BeatFlag  #: flag owed to the next emitted beat (compensatory pause, merged beat)
    recent_ticks: tuple[int, ...]  #: last emitted RR in ticks (for the strap's smoothed HR)


class BeatGenerator:
    """Synchronous, chunked beat generation that follows a (possibly changing) pacer.

    Args:
        params: The simulated person.
        pacer: The pacer the person breathes with; read again before every beat, so pace changes
            made while generating are followed from the last beat handed out.
        course: A guided protocol's phases as they act on the person (:mod:`.protocol`): they
            breathe at their own rate where no pacer leads, and activations raise heart rate
            and lower variability, beat-to-beat jitter included.
    """

    def __init__(
        self, params: SimParams, *, pacer: Pacer, course: ProtocolCourse | None = None
    ) -> None:
        self.params = params
        self.pacer = pacer
        self.course = course
        self._model = HeartModel(params, course=course)
        self._segments = list(pacer.segments())
        self._plan = self._make_plan()
        start_rng = np.random.default_rng([params.seed, 2])
        t0 = -float(start_rng.uniform(0.05, 1.0)) * 60.0 / params.mean_hr_bpm
        tick0 = round(t0 * TICKS_PER_S)
        self._gen_state = BeatState(-1, tick0 / TICKS_PER_S, tick0, BeatFlag.NONE, ())
        self._taken_state = self._gen_state
        self._queue: list[tuple[Beat, BeatState]] = []
        self._pos = 0
        self._blocks: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        bpm = params.mean_hr_bpm
        self._p_ectopic = params.ectopic_per_min / bpm
        self._p_missed = params.missed_per_min / bpm
        # The beat after an artefact cannot be one (it carries the pause or the merged interval):
        # raise the per-beat chance so the rate per minute still holds.
        busy = 1.0 + self._p_ectopic + self._p_missed
        self._p_ectopic *= busy
        self._p_missed *= busy

    def peek(self) -> Beat:
        """The next beat, without taking it; regenerated from the last beat taken if the pace
        plan changed since it was computed (so the same object comes back while nothing changes).
        """
        segments = self.pacer.segments()
        if segments != self._segments:
            self._segments = list(segments)
            self._plan = self._make_plan()
            self._queue.clear()
            self._pos = 0
            self._gen_state = self._taken_state
        while self._pos >= len(self._queue):
            self._queue = self._generate_chunk()
            self._pos = 0
        return self._queue[self._pos][0]

    def take(self) -> Beat:
        """The next beat, taken: later pace changes no longer alter it."""
        beat = self.peek()
        self._taken_state = self._queue[self._pos][1]
        self._pos += 1
        return beat

    def lungs(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The person's lung volume and breath depth at ``t_s`` under the current pace plan."""
        self.peek()  # brings the plan up to date with the pacer
        return self._model.lungs(t_s, self._plan)

    def beats(self, duration_s: float) -> list[Beat]:
        """Every beat up to ``duration_s`` of session time (for tests and offline use)."""
        out: list[Beat] = []
        while self.peek().t_s <= duration_s:
            out.append(self.take())
        return out

    # -- internals ------------------------------------------------------------------------------
    def _make_plan(self) -> Plan:
        if self.course is not None:
            return self.course.plan(self._segments, self.pacer)
        return Plan.of(self._segments, self.pacer)

    def _block(self, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        block = self._blocks.get(b)
        if block is None:
            rng = np.random.default_rng([self.params.seed, 3, b])
            block = (
                rng.standard_normal(BEAT_BLOCK),
                rng.random(BEAT_BLOCK),
                rng.uniform(*PREMATURE_RANGE, BEAT_BLOCK),
            )
            if len(self._blocks) > 4:
                self._blocks.clear()
            self._blocks[b] = block
        return block

    def _per_beat(self, k0: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Jitter, artefact draw and prematurity for model beats ``k0 .. k0+n-1``."""
        ks = np.arange(k0, k0 + n)
        blocks = ks // BEAT_BLOCK
        out = [np.empty(n), np.empty(n), np.empty(n)]
        for b in np.unique(blocks):
            sel = blocks == b
            arrays = self._block(int(b))
            for dst, src in zip(out, arrays, strict=True):
                dst[sel] = src[ks[sel] - b * BEAT_BLOCK]
        return out[0], out[1], out[2]

    def _generate_chunk(self) -> list[tuple[Beat, BeatState]]:
        p = self.params
        state = self._gen_state
        t_a = state.t_model_s
        # Heart rate is piecewise linear on a global grid, so where a chunk starts does not change
        # the integral: the same plan gives the same beats however generation was split.
        first = math.floor(t_a / GRID_S) + 1
        nodes = np.arange(first, first + int(CHUNK_S / GRID_S) + 1) * GRID_S
        hr_nodes = self._model.hr_bpm(np.concatenate(([(first - 1) * GRID_S], nodes)), self._plan)
        frac = (t_a - (first - 1) * GRID_S) / GRID_S
        hr_a = hr_nodes[0] + frac * (hr_nodes[1] - hr_nodes[0])
        t = np.concatenate(([t_a], nodes))
        h = np.concatenate(([hr_a], hr_nodes[1:])) / 60.0  # beats per second
        phi = np.concatenate(([0.0], np.cumsum(0.5 * (h[1:] + h[:-1]) * np.diff(t))))

        n_max = int(phi[-1] * 1.5) + 16
        jitter, draw, premature = self._per_beat(state.k + 1, n_max)
        sd = p.noise_ms / (60000.0 / p.mean_hr_bpm)
        if self.course is not None:  # jitter shrinks with the rest of the variability
            near_t = np.interp(np.arange(1, n_max + 1, dtype=float), phi, t)
            sd = sd * self.course.levels(near_t)[1]
        thresholds = np.cumsum(np.maximum(1.0 + sd * jitter, 0.3))
        n = int(np.searchsorted(thresholds, phi[-1], side="left"))
        if n == 0:
            raise RuntimeError("simulator chunk produced no beat")  # pragma: no cover
        theta = thresholds[:n]
        j = np.clip(np.searchsorted(phi, theta, side="right") - 1, 0, len(t) - 2)
        # Solve the quadratic the linear heart rate gives inside each grid step for the exact time.
        dt = t[j + 1] - t[j]
        r = theta - phi[j]
        h0, h1 = h[j], h[j + 1]
        a = (h1 - h0) / (2 * dt)
        s = 2 * r / (h0 + np.sqrt(np.maximum(h0 * h0 + 4 * a * r, 0.0)))
        times = (t[j] + s).tolist()
        return self._apply_artefacts(state, times, draw[:n].tolist(), premature[:n].tolist())

    def _apply_artefacts(
        self, state: BeatState, times: list[float], draw: list[float], premature: list[float]
    ) -> list[tuple[Beat, BeatState]]:
        out: list[tuple[Beat, BeatState]] = []
        k, t_prev, tick, pending, recent = (
            state.k,
            state.t_model_s,
            state.tick,
            state.pending,
            state.recent_ticks,
        )
        p_ect, p_miss = self._p_ectopic, self._p_missed
        for t_model, u, c in zip(times, draw, premature, strict=True):
            k += 1
            flags = pending
            pending = BeatFlag.NONE
            free = flags == BeatFlag.NONE
            if free and u < p_ect:
                beat_t = t_prev + c * (t_model - t_prev)
                flags = BeatFlag.SIMULATED_ECTOPIC
                pending = BeatFlag.SIMULATED_ECTOPIC  # the compensatory pause after it
            elif free and u < p_ect + p_miss:
                # a missed detection: this beat never arrives, the next one carries both intervals
                t_prev = t_model
                self._gen_state = BeatState(k, t_prev, tick, BeatFlag.SIMULATED_MISSED, recent)
                pending = BeatFlag.SIMULATED_MISSED
                continue
            else:
                beat_t = t_model
            new_tick = max(round(beat_t * TICKS_PER_S), tick + 1)
            rr_ticks = new_tick - tick
            recent = (*recent[-(STRAP_HR_BEATS - 1) :], rr_ticks)
            hr = round(60.0 * TICKS_PER_S * len(recent) / sum(recent))
            beat = Beat(
                t_s=new_tick / TICKS_PER_S,
                rr_ms=rr_ticks * 1000.0 / TICKS_PER_S,
                hr_bpm=float(hr),
                contact=Contact.UNSUPPORTED,
                flags=flags,
            )
            tick, t_prev = new_tick, t_model
            new_state = BeatState(k, t_prev, tick, pending, recent)
            out.append((beat, new_state))
            self._gen_state = new_state
        return out


def simulate(
    params: SimParams,
    *,
    pacer: Pacer,
    duration_s: float,
    course: ProtocolCourse | None = None,
) -> list[Beat]:
    """All beats of a simulated session of ``duration_s`` seconds breathing with ``pacer``
    (through a guided protocol's ``course``, if given)."""
    return BeatGenerator(params, pacer=pacer, course=course).beats(duration_s)
