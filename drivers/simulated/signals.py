"""The simulated person's ECG and chest motion, as a Polar H10 would stream them.

- **ECG** at 130 Hz in microvolts, each beat a sum of Gaussian waves (P, Q, R, S, T) centred on the
  beat's own time, so R-peaks fall exactly on the simulator's beats; a beat the strap missed still
  beat, half-way through the merged interval, and shows in the ECG. A premature (ectopic) beat has
  a ventricular shape: no P wave, a wide QRS with a deep S wave and an inverted T. Baseline
  wander follows the breath; a little seeded noise on top.
- **Chest motion** at 25 Hz in milli-G: gravity on the strap's axes, the chest tilting with the
  person's own lung volume (the breath the heart answers to, with its timing and depth
  imperfections), plus seeded noise.

Blocks come in frames of the H10's sizes (73 ECG samples, 36 motion samples), each handed out when
its last sample is due; the ECG of a frame is drawn from the beats around it, taken or next.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

import numpy as np

from hrvcoach.beats import Beat, BeatFlag
from hrvcoach.signals import ACC, ECG, SampleBlock

ECG_RATE_HZ = 130.0
ECG_PER_FRAME = 73
ACC_RATE_HZ = 25.0
ACC_PER_FRAME = 36

#: (offset from R in s, width in s, amplitude in uV) of an ordinary beat
NORMAL_WAVES = ((-0.20, 0.025, 120.0), (-0.03, 0.010, -150.0), (0.0, 0.011, 1400.0),
                (0.03, 0.011, -350.0), (0.28, 0.055, 300.0))  # fmt: skip
#: a premature ventricular beat: no P, a wide QRS with a deep S, the T inverted
ECTOPIC_WAVES = ((0.0, 0.035, 1200.0), (0.075, 0.035, -300.0), (0.30, 0.07, -380.0))
REACH_S = 0.5  #: how far a beat's waves reach either side of its R


def ecg_uv(t_s: np.ndarray, beats: Sequence[tuple[float, bool]]) -> np.ndarray:
    """The ECG (without noise) at ``t_s`` from beats ``(time, premature)``."""
    out = np.zeros_like(t_s, dtype=float)
    for r_s, premature in beats:
        near = np.abs(t_s - r_s) < REACH_S
        if not near.any():
            continue
        dt = t_s[near] - r_s
        for offset, width, amp in ECTOPIC_WAVES if premature else NORMAL_WAVES:
            out[near] += amp * np.exp(-0.5 * ((dt - offset) / width) ** 2)
    return out


def chest_mg(volume: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Gravity on the strap's x, y, z (milli-G) for a chest tilted by the lungs' volume."""
    tilt = math.radians(20) + 0.06 * depth * (volume - 0.5)
    return np.column_stack(
        [30.0 + 6.0 * depth * (volume - 0.5), 1000.0 * np.sin(tilt), -1000.0 * np.cos(tilt)]
    )


def _premature(beat: Beat, previous_rr_ms: float | None) -> bool:
    """The early one of an ectopic pair (the other is its compensatory pause, longer)."""
    if not beat.flags & BeatFlag.SIMULATED_ECTOPIC:
        return False
    return previous_rr_ms is None or beat.rr_ms < previous_rr_ms


def _heart_beats(beat: Beat, previous_rr_ms: float | None) -> list[tuple[float, bool]]:
    """The heart's beats behind a strap beat: a beat the strap missed still beat (half-way)."""
    out = []
    if beat.flags & BeatFlag.SIMULATED_MISSED:
        out.append((beat.t_s - beat.rr_ms / 2000.0, False))
    out.append((beat.t_s, _premature(beat, previous_rr_ms)))
    return out


class SignalFrames:
    """Frames of ECG and chest motion, due one after another on the session clock.

    Args:
        seed: Seed of the noise (the same seed, the same signals).
        lungs: Lung volume and depth at given times (the simulated person's breath).
        ecg, motion: Which streams to make.
    """

    def __init__(self, seed: int, lungs: object, *, ecg: bool = True, motion: bool = True) -> None:
        self._rng = np.random.default_rng([seed, 11])
        self._lungs = lungs
        self.ecg = ecg
        self.motion = motion
        self._next = {ECG: ECG_PER_FRAME - 1, ACC: ACC_PER_FRAME - 1}  # last sample index due
        self._beats: deque[tuple[float, bool]] = deque(maxlen=8)
        self._last_rr_ms: float | None = None

    @property
    def kinds(self) -> list[str]:
        return [k for k, on in ((ECG, self.ecg), (ACC, self.motion)) if on]

    def beat(self, beat: Beat) -> None:
        """A beat was handed out (its ECG waves go into the frames around it)."""
        self._beats.extend(_heart_beats(beat, self._last_rr_ms))
        self._last_rr_ms = beat.rr_ms

    def next_due_s(self) -> float:
        """Session time the next frame is complete."""
        return min(self._due(k) for k in self.kinds) if self.kinds else math.inf

    def _due(self, kind: str) -> float:
        rate = ECG_RATE_HZ if kind == ECG else ACC_RATE_HZ
        return self._next[kind] / rate

    def frames_until(self, t_s: float, upcoming: Beat | None) -> list[SampleBlock]:
        """Every frame complete by ``t_s`` (``upcoming``: the next beat, for the frame's end)."""
        out: list[SampleBlock] = []
        for kind in self.kinds:
            while self._due(kind) <= t_s:
                out.append(self._frame(kind, upcoming))
        out.sort(key=lambda b: b.t_s)
        return out

    def _frame(self, kind: str, upcoming: Beat | None) -> SampleBlock:
        per, rate = (ECG_PER_FRAME, ECG_RATE_HZ) if kind == ECG else (ACC_PER_FRAME, ACC_RATE_HZ)
        last = self._next[kind]
        k = np.arange(last - per + 1, last + 1)
        t = k / rate
        self._next[kind] = last + per
        volume, depth = self._lungs(t)  # type: ignore[operator]
        if kind == ECG:
            beats = list(self._beats)
            if upcoming is not None:
                beats.extend(_heart_beats(upcoming, self._last_rr_ms))
            wave = ecg_uv(t, beats) + 60.0 * (volume - 0.5) + self._rng.normal(0, 12.0, len(t))
            values: tuple[tuple[int, ...], ...] = tuple(
                (v,) for v in np.rint(wave).astype(int).tolist()
            )
        else:
            xyz = chest_mg(volume, depth) + self._rng.normal(0, 3.0, (len(t), 3))
            values = tuple(tuple(row) for row in np.rint(xyz).astype(int).tolist())
        return SampleBlock(kind, tuple(t.tolist()), values, rate)
