"""A simulated person breathing with the pacer: the beat source for the demo, tests and assessment.

The model, in order of what a listener would notice:

* **Heart rate as a sum of rhythms.** Instantaneous heart rate is ``mean_hr_bpm`` plus respiratory
  sinus arrhythmia (RSA), a slow drift (VLF), and a ~0.1 Hz baroreflex oscillation.
* **RSA with a resonance.** The person breathes the pacer's lung-volume curve (with a small, seeded
  imperfection in timing and depth), and the heart answers with a complex gain
  ``H(f) = base + (1 - base) / (1 + j q (f/f0 - f0/f))``: a second-order band-pass tuned to
  ``resonance_bpm`` on top of a share ``base`` of RSA that is there at any rate. The peak-to-trough
  swing is ``rsa_bpm * |H(f)|``, largest at resonance; the phase ``arg H(f)`` is 0 deg at
  resonance (heart rate rises on the in-breath and peaks at full lungs), lagging when breathing
  faster, leading when slower. After a pace change the response settles over ~10 s rather than
  jumping. ``flat=True`` is a person with no resonance: the same swing and phase at every rate.
* **Baroreflex.** Away from resonance, part of the ~0.1 Hz oscillation is no longer entrained by
  breathing and shows on its own at the resonance frequency (a Mayer-wave-like LF component).
* **Beats by integral pulse frequency modulation (IPFM).** A beat fires each time the integral of
  heart rate reaches one (times ``1 + e``, with ``e`` seeded per-beat noise that gives the
  beat-to-beat jitter ``noise_ms``). Beat times are quantised to 1/1024 s like a Polar strap, so
  ``t_s(k) = t_s(k-1) + rr_ms(k) / 1000`` holds to float precision.
* **Artefacts on purpose.** Occasional ectopic beats (a premature beat at 55-75 % of the interval,
  then a compensatory pause: both beats carry :attr:`~hrvcoach.beats.BeatFlag.SIMULATED_ECTOPIC`)
  and missed beats (two intervals merged into one, flagged
  :attr:`~hrvcoach.beats.BeatFlag.SIMULATED_MISSED`).

Every random process is a pure function of the seed and of time (breathing, drift) or of the beat
number (jitter, artefacts), so the same seed and the same pace plan give identical beats whether the
plan was known up front or beats were regenerated after a pace change. Generation is vectorised in
chunks of a few minutes: a 24-hour simulation takes a second or two.

Remake the bundled example sessions with ``python -m hrvcoach.drivers.simulated --write-examples
recordings/``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import numpy as np

from hrvcoach.beats import (
    Beat,
    BeatFlag,
    Contact,
    DeviceStatus,
    Event,
    LinkState,
    Mark,
    SourceInfo,
)
from hrvcoach.errors import DeviceError
from hrvcoach.pacer import MAX_RATE_BPM, MIN_RATE_BPM, BreathPattern, Pacer
from hrvcoach.timing import Playback

log = logging.getLogger(__name__)

TICKS_PER_S: Final = 1024  #: beat-time resolution of a Polar strap (RR in 1/1024 s)
GRID_S: Final = 0.05  #: heart-rate sampling step for the IPFM integral (20 Hz)
SLOW_GRID_S: Final = 1.0  #: sampling step of the slow random processes (interpolated between)
CHUNK_S: Final = 300.0  #: session time generated per vectorised step
ADAPT_S: Final = 10.0  #: time constant of the heart's response settling after a pace change
BEAT_BLOCK: Final = 4096  #: beats per block of per-beat random numbers
MIN_HR_BPM: Final = 30.0  #: floor for the modelled heart rate (keeps the IPFM integral rising)
PREMATURE_RANGE: Final = (0.55, 0.75)  #: where in the interval an ectopic beat falls
STRAP_HR_BEATS: Final = 4  #: beats a strap averages for its reported heart rate


@dataclass(frozen=True)
class SimParams:
    """The simulated person. Every knob has a healthy-adult default.

    Attributes:
        resonance_bpm: Breathing rate (breaths/min) at which RSA is largest and HR is in phase
            with breathing.
        seed: Seed of every random process; the same seed gives the same beats.
        mean_hr_bpm: Average heart rate.
        rsa_bpm: Peak-to-trough heart-rate swing per breath when breathing at resonance.
        q: Sharpness of the resonance: with the defaults (q 6, base 0.25), the swing 1.5
            breaths/min away from resonance is under half of the peak.
        base: Share of the RSA swing that does not come from the resonance (vagal gating that is
            there at any breathing rate): 0 is a pure resonance, 1 the same as ``flat``. It keeps
            a realistic swing of a few bpm at faster breathing.
        noise_ms: Standard deviation of independent beat-to-beat jitter in RR.
        ectopic_per_min: Ectopic beats (premature + compensatory pause) per minute.
        missed_per_min: Missed beats (two RR merged into one) per minute.
        drift_bpm: Standard deviation of slow heart-rate wander (periods of 25 s to 5 min).
        baro_bpm: Peak-to-trough of the ~0.1 Hz baroreflex oscillation that shows on its own
            when breathing is far from resonance (it is absorbed into RSA at resonance).
        timing_sd_s: How far (s, standard deviation) the person's breathing runs ahead of or
            behind the pacer, varying slowly.
        depth_sd: Breath depth variation (fraction of the usual depth, standard deviation).
        flat: A person with no resonance: the same RSA swing (``rsa_bpm``) and phase at every rate.
    """

    resonance_bpm: float = 5.5
    seed: int = 0
    mean_hr_bpm: float = 64.0
    rsa_bpm: float = 15.0
    q: float = 6.0
    base: float = 0.25
    noise_ms: float = 20.0
    ectopic_per_min: float = 0.2
    missed_per_min: float = 0.1
    drift_bpm: float = 1.5
    baro_bpm: float = 3.0
    timing_sd_s: float = 0.3
    depth_sd: float = 0.1
    flat: bool = False

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise DeviceError(f"simulator: {problem}")

    def _problem(self) -> str | None:
        checks: list[tuple[bool, str]] = [
            (
                MIN_RATE_BPM <= self.resonance_bpm <= MAX_RATE_BPM,
                f"resonance must be {MIN_RATE_BPM:g}-{MAX_RATE_BPM:g} breaths/min, "
                f"not {self.resonance_bpm:g}",
            ),
            (self.seed >= 0, f"seed must be 0 or more, not {self.seed}"),
            (30 <= self.mean_hr_bpm <= 150, f"hr must be 30-150 bpm, not {self.mean_hr_bpm:g}"),
            (0 <= self.rsa_bpm <= 40, f"rsa must be 0-40 bpm, not {self.rsa_bpm:g}"),
            (
                self.mean_hr_bpm - self.rsa_bpm / 2 >= 35,
                f"rsa {self.rsa_bpm:g} is too large for hr {self.mean_hr_bpm:g} "
                "(the trough would fall below 35 bpm)",
            ),
            (0.1 <= self.q <= 50, f"q must be 0.1-50, not {self.q:g}"),
            (0 <= self.base <= 1, f"base must be 0-1, not {self.base:g}"),
            (0 <= self.noise_ms <= 150, f"noise must be 0-150 ms, not {self.noise_ms:g}"),
            (
                0 <= self.ectopic_per_min <= 10,
                f"ectopic must be 0-10 per minute, not {self.ectopic_per_min:g}",
            ),
            (
                0 <= self.missed_per_min <= 10,
                f"missed must be 0-10 per minute, not {self.missed_per_min:g}",
            ),
            (0 <= self.drift_bpm <= 20, f"drift must be 0-20 bpm, not {self.drift_bpm:g}"),
            (0 <= self.baro_bpm <= 20, f"baro must be 0-20 bpm, not {self.baro_bpm:g}"),
            (0 <= self.timing_sd_s <= 3, f"timing must be 0-3 s, not {self.timing_sd_s:g}"),
            (0 <= self.depth_sd <= 0.5, f"depth must be 0-0.5, not {self.depth_sd:g}"),
        ]
        for ok, message in checks:
            if not ok:
                return message
        return None

    @classmethod
    def from_spec(cls, spec: str) -> SimParams:
        """Parse a ``--device`` simulator spec.

        ``"sim"`` is the default person; ``"sim:resonance=5.0,seed=3"`` or
        ``"sim:resonance=6,flat=1,ectopic=0"`` change knobs. Keys are the short names in
        :data:`SPEC_KEYS` or the full attribute names.

        Raises:
            DeviceError: Not a simulator spec, an unknown key, or a bad value (one line naming it).
        """
        text = spec.strip()
        if text == "sim":
            return cls()
        if not text.startswith("sim:"):
            raise DeviceError(f"{spec!r} is not a simulator spec (sim or sim:key=value,...)")
        values: dict[str, object] = {}
        types = {f.name: f.type for f in fields(cls)}
        for item in text[4:].split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, raw = item.partition("=")
            key, raw = key.strip().lower(), raw.strip()
            if not sep or not key or not raw:
                raise DeviceError(f"simulator spec {spec!r}: {item!r} is not key=value")
            name = SPEC_KEYS.get(key, key if key in types else None)
            if name is None:
                known = ", ".join(sorted(SPEC_KEYS))
                raise DeviceError(f"simulator spec {spec!r}: unknown key {key!r} (known: {known})")
            if name in values:
                raise DeviceError(f"simulator spec {spec!r}: {key!r} is given twice")
            values[name] = _parse_value(spec, key, raw, str(types[name]))
        try:
            return cls(**values)  # type: ignore[arg-type]
        except DeviceError as err:
            detail = str(err).removeprefix("simulator: ")
            raise DeviceError(f"simulator spec {spec!r}: {detail}") from None

    def to_spec(self) -> str:
        """The shortest spec that :meth:`from_spec` turns back into these parameters."""
        default = SimParams()
        short = {v: k for k, v in SPEC_KEYS.items()}
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                if isinstance(value, bool):
                    shown = str(int(value))
                else:  # short where exact, else every digit, so the spec reads back the same
                    shown = f"{value:g}" if float(f"{value:g}") == value else repr(value)
                parts.append(f"{short.get(f.name, f.name)}={shown}")
        return "sim:" + ",".join(parts) if parts else "sim"

    def amplitude_bpm(self, rate_bpm: float) -> float:
        """Peak-to-trough RSA (bpm) in steady breathing at ``rate_bpm``, before noise and drift."""
        return self.rsa_bpm * _gain(np.asarray([rate_bpm]), self)[0]

    def phase_deg(self, rate_bpm: float) -> float:
        """Phase of HR relative to lung volume at ``rate_bpm`` (positive: HR leads)."""
        return math.degrees(float(_phase_rad(np.asarray([rate_bpm]), self)[0]))


#: short spec keys -> :class:`SimParams` attributes
SPEC_KEYS: Final[dict[str, str]] = {
    "resonance": "resonance_bpm",
    "seed": "seed",
    "hr": "mean_hr_bpm",
    "rsa": "rsa_bpm",
    "q": "q",
    "base": "base",
    "noise": "noise_ms",
    "ectopic": "ectopic_per_min",
    "missed": "missed_per_min",
    "drift": "drift_bpm",
    "baro": "baro_bpm",
    "timing": "timing_sd_s",
    "depth": "depth_sd",
    "flat": "flat",
}


def _parse_value(spec: str, key: str, raw: str, type_name: str) -> object:
    if type_name == "bool":
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise DeviceError(f"simulator spec {spec!r}: {key}={raw!r} is not 0/1 or true/false")
    if type_name == "int":
        try:
            return int(raw)
        except ValueError:
            raise DeviceError(
                f"simulator spec {spec!r}: {key}={raw!r} is not a whole number"
            ) from None
    try:
        value = float(raw)
    except ValueError:
        raise DeviceError(f"simulator spec {spec!r}: {key}={raw!r} is not a number") from None
    if not math.isfinite(value):
        raise DeviceError(f"simulator spec {spec!r}: {key}={raw!r} is not a finite number")
    return value


# -- the model ---------------------------------------------------------------------------------


def _response(rate_bpm: np.ndarray, params: SimParams) -> np.ndarray:
    """Complex heart-rate response to breathing at ``rate_bpm``, 1 at resonance: the resonance
    (a second-order band-pass) on top of a share ``base`` of RSA that is there at any rate."""
    if params.flat:
        return np.ones_like(rate_bpm, dtype=complex)
    ratio = rate_bpm / params.resonance_bpm
    detuning = params.q * (ratio - 1.0 / ratio)
    return params.base + (1.0 - params.base) / (1.0 + 1j * detuning)


def _gain(rate_bpm: np.ndarray, params: SimParams) -> np.ndarray:
    return np.abs(_response(rate_bpm, params))


def _phase_rad(rate_bpm: np.ndarray, params: SimParams) -> np.ndarray:
    return np.angle(_response(rate_bpm, params))


class _SlowNoise:
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


@dataclass(frozen=True)
class _Plan:
    """A snapshot of the pacer's segments in array form, for vectorised lung volume and rate."""

    starts_s: np.ndarray
    breaths0: np.ndarray
    period_s: np.ndarray
    rate_bpm: np.ndarray
    bounds: np.ndarray  # (n, 3): cumulative stage fractions: end of in, hold_in, out
    widths: np.ndarray  # (n, 4): stage fractions

    @classmethod
    def of(cls, segments: Sequence[tuple[float, BreathPattern]], pacer: Pacer) -> _Plan:
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


class _Model:
    """Instantaneous heart rate (bpm) as a function of time, for one person and one pace plan."""

    def __init__(self, params: SimParams) -> None:
        self.params = params
        rng = np.random.default_rng([params.seed, 1])
        self._drift = _SlowNoise(rng, 1 / 300, 1 / 25)
        self._timing = _SlowNoise(rng, 1 / 120, 1 / 20)
        self._depth = _SlowNoise(rng, 1 / 90, 1 / 15)
        self._baro_wander = _SlowNoise(rng, 1 / 200, 1 / 40)
        self._baro_phase = float(rng.uniform(0, 2 * np.pi))

    def hr_bpm(self, t_s: np.ndarray, plan: _Plan) -> np.ndarray:
        p = self.params
        i = plan.segment(t_s)
        gain = _gain(plan.rate_bpm, p)
        f_hz = plan.rate_bpm / 60.0
        # HR lags the breath by phase/(2 pi f) seconds (leads when negative)
        lag = -_phase_rad(plan.rate_bpm, p) / (2 * np.pi * f_hz)
        # After a pace change the response settles from the old segment's towards the new one's.
        prev = np.clip(i - 1, 0, None)
        w = np.where(i > 0, -np.expm1(-(t_s - plan.starts_s[i]) / ADAPT_S), 1.0)
        g = w * gain[i] + (1 - w) * gain[prev]
        lag_s = w * lag[i] + (1 - w) * lag[prev]

        breath_t = t_s + p.timing_sd_s * self._timing(t_s) - lag_s
        depth = np.clip(1.0 + p.depth_sd * self._depth(t_s), 0.3, None)
        rsa = p.rsa_bpm * g * depth * (plan.volume(breath_t) - 0.5)

        f0_hz = p.resonance_bpm / 60.0
        baro_phase = 2 * np.pi * f0_hz * t_s + self._baro_phase + self._baro_wander(t_s)
        baro = 0.5 * p.baro_bpm * (1.0 - g) * np.sin(baro_phase)

        drift = p.drift_bpm * self._drift(t_s)
        return np.maximum(p.mean_hr_bpm + rsa + baro + drift, MIN_HR_BPM)


@dataclass(frozen=True)
class _BeatState:
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
    """

    def __init__(self, params: SimParams, *, pacer: Pacer) -> None:
        self.params = params
        self.pacer = pacer
        self._model = _Model(params)
        self._segments = list(pacer.segments())
        self._plan = _Plan.of(self._segments, pacer)
        start_rng = np.random.default_rng([params.seed, 2])
        t0 = -float(start_rng.uniform(0.05, 1.0)) * 60.0 / params.mean_hr_bpm
        tick0 = round(t0 * TICKS_PER_S)
        self._gen_state = _BeatState(-1, tick0 / TICKS_PER_S, tick0, BeatFlag.NONE, ())
        self._taken_state = self._gen_state
        self._queue: list[tuple[Beat, _BeatState]] = []
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
            self._plan = _Plan.of(self._segments, self.pacer)
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

    def beats(self, duration_s: float) -> list[Beat]:
        """Every beat up to ``duration_s`` of session time (for tests and offline use)."""
        out: list[Beat] = []
        while self.peek().t_s <= duration_s:
            out.append(self.take())
        return out

    # -- internals ------------------------------------------------------------------------------
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

    def _generate_chunk(self) -> list[tuple[Beat, _BeatState]]:
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
        self, state: _BeatState, times: list[float], draw: list[float], premature: list[float]
    ) -> list[tuple[Beat, _BeatState]]:
        out: list[tuple[Beat, _BeatState]] = []
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
                self._gen_state = _BeatState(k, t_prev, tick, BeatFlag.SIMULATED_MISSED, recent)
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
            new_state = _BeatState(k, t_prev, tick, pending, recent)
            out.append((beat, new_state))
            self._gen_state = new_state
        return out


def simulate(params: SimParams, *, pacer: Pacer, duration_s: float) -> list[Beat]:
    """All beats of a simulated session of ``duration_s`` seconds breathing with ``pacer``."""
    return BeatGenerator(params, pacer=pacer).beats(duration_s)


# -- the driver --------------------------------------------------------------------------------


class SimulatedSource:
    """A :class:`~hrvcoach.beats.BeatSource` that breathes with the pacer it is given.

    Args:
        params: The simulated person.
        pacer: The session's pacer; a pace change made during the session is followed from the
            next beat on.
        playback: Timing: real time, a speed factor, or as fast as possible.
        duration_s: End when this much session time has passed on the playback clock; beats
            after it are not sent (``None``: run until :meth:`stop`).
        start_time: Wall-clock start recorded in :attr:`info` (default: now, UTC).
    """

    def __init__(
        self,
        params: SimParams,
        *,
        pacer: Pacer,
        playback: Playback,
        duration_s: float | None = None,
        start_time: datetime | None = None,
    ) -> None:
        self.params = params
        self.pacer = pacer
        self.playback = playback
        self.duration_s = duration_s
        self._start_time = start_time
        self.info = SourceInfo(
            kind="sim",
            device="simulator",
            simulated=True,
            start_time=start_time,
            details=asdict(params),
        )
        self._stopped = False
        self._stop_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._entered = False

    async def __aenter__(self) -> SimulatedSource:
        start = self._start_time or datetime.now(UTC)
        self.info = SourceInfo(
            kind="sim",
            device="simulator",
            simulated=True,
            start_time=start,
            details={**asdict(self.params), "spec": self.params.to_spec()},
        )
        self._stop_event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if self._stopped:
            self._stop_event.set()
        self._entered = True
        self.playback.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stopped = True

    def now_s(self) -> float:
        """Session time now on the playback clock (infinite in fast mode)."""
        return self.playback.now_s()

    def stop(self) -> None:
        """End the iteration promptly, also while waiting for the next beat.

        Safe to call from any task, and from another thread (a GUI thread): the waiting task is
        woken on its own event loop.
        """
        self._stopped = True
        event, loop = self._stop_event, self._loop
        if event is None or loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        if not self._entered:
            raise DeviceError("the simulator must be opened with 'async with' before iterating")
        generator = BeatGenerator(self.params, pacer=self.pacer)
        yield DeviceStatus(0.0, LinkState.CONNECTED, name="simulator", detail=self.params.to_spec())
        while not self._stopped:
            beat = generator.peek()
            if self.duration_s is not None and beat.t_s > self.duration_s:
                # the session lasts its full length on the clock, not until the last beat in it
                await self._wait_until(self.duration_s)
                return
            if not await self._wait_until(beat.t_s):
                return
            if generator.peek() is not beat:
                continue  # the pace changed while waiting: this beat follows the new plan
            yield generator.take()

    async def _wait_until(self, t_s: float) -> bool:
        """Wait until ``t_s`` is due; False if stopped meanwhile."""
        if self.playback.fast:
            await self.playback.wait_until(t_s)
            return not self._stopped
        assert self._stop_event is not None
        waiter = asyncio.ensure_future(self.playback.wait_until(t_s))
        stopper = asyncio.ensure_future(self._stop_event.wait())
        try:
            await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, stopper):
                if not task.done():
                    task.cancel()
            for task in (waiter, stopper):
                if not task.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        return not self._stopped


# -- bundled example sessions ------------------------------------------------------------------

#: wall-clock start written into the example recordings (fixed, so remaking them changes nothing)
EXAMPLE_START: Final = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Example:
    """One bundled example session: what it is and how to make it again.

    Attributes:
        name: File stem in ``recordings/``.
        description: One line for the README and ``--list``.
        spec: Simulator spec of the person.
        rates_bpm: Paced rates in order; one rate is a plain session, several an assessment.
        step_s: Length of each rate's step (the whole session for a single rate).
    """

    name: str
    description: str
    spec: str
    rates_bpm: tuple[float, ...]
    step_s: float

    @property
    def duration_s(self) -> float:
        return self.step_s * len(self.rates_bpm)

    @property
    def is_assessment(self) -> bool:
        return len(self.rates_bpm) > 1


EXAMPLES: Final[tuple[Example, ...]] = (
    Example(
        "sim-6bpm-5min",
        "5 minutes at 6.0 breaths/min (4:6), a person whose resonance is 5.5",
        "sim",
        (6.0,),
        300.0,
    ),
    Example(
        "sim-5.5bpm-10min",
        "10 minutes at the person's resonance rate, 5.5 breaths/min (4:6)",
        "sim:seed=1",
        (5.5,),
        600.0,
    ),
    Example(
        "sim-assessment-10min",
        "resonance assessment: 6.5, 6, 5.5, 5, 4.5 breaths/min for 2 minutes each, with step marks",
        "sim:seed=2",
        (6.5, 6.0, 5.5, 5.0, 4.5),
        120.0,
    ),
)


@dataclass(frozen=True)
class ExampleSession:
    """An example session made in memory: the source's info, the pace plan and every event."""

    info: SourceInfo
    pace: tuple[tuple[float, str], ...]
    events: tuple[Event, ...]


def make_example(example: Example) -> ExampleSession:
    """Run the simulator (fast) for one example, with its pace marks and assessment step marks."""
    marks: list[Mark] = []
    if example.is_assessment:
        from hrvcoach.assess import plan_steps, protocol_pacer

        steps = plan_steps(example.rates_bpm, step_s=example.step_s)
        pacer = protocol_pacer(steps)
        marks.extend(step.mark() for step in steps)
    else:
        pacer = Pacer(BreathPattern(example.rates_bpm[0]))
    pace = tuple((t_s, pattern.label()) for t_s, pattern in pacer.segments())
    marks.extend(Mark(t_s, "pace", label) for t_s, label in pace)
    marks.sort(key=lambda m: (m.t_s, m.kind != "pace"))
    source = SimulatedSource(
        SimParams.from_spec(example.spec),
        pacer=pacer,
        playback=Playback(fast=True),
        duration_s=example.duration_s,
        start_time=EXAMPLE_START,
    )

    async def collect() -> list[Event]:
        out: list[Event] = []
        async with source:
            async for event in source:
                while marks and marks[0].t_s <= event.t_s:
                    out.append(marks.pop(0))
                out.append(event)
        return out

    events = asyncio.run(collect())
    return ExampleSession(source.info, pace, (*events, *marks))


def write_examples(directory: Path) -> list[Path]:
    """(Re)write every bundled example into ``directory``; returns the files written."""
    from hrvcoach.recording import RecordingWriter

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for example in EXAMPLES:
        session = make_example(example)
        path = directory / f"{example.name}.csv"
        tmp = directory / f".{example.name}.csv.tmp"
        tmp.unlink(missing_ok=True)
        with RecordingWriter(tmp, info=session.info, pace=session.pace) as writer:
            for event in session.events:
                writer.write(event)
        tmp.replace(path)  # examples are remade on purpose: replacing the old file is intended
        written.append(path)
        log.info("wrote %s (%d events)", path, len(session.events))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hrvcoach.drivers.simulated --write-examples recordings/``."""
    parser = argparse.ArgumentParser(
        prog="python -m hrvcoach.drivers.simulated",
        description="Remake the bundled example sessions from the breathing simulator.",
    )
    parser.add_argument(
        "--write-examples", metavar="DIR", type=Path, required=True, help="folder to write into"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_examples(args.write_examples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
