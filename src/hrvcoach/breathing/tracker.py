"""The breath from chest motion, causally: accelerometer blocks in, a breathing curve and breaths.

A chest strap's accelerometer mostly measures gravity; breathing tilts the chest a little with each
breath (and moves it), which shifts some of gravity between the axes. :class:`BreathTracker`:

1. band-limits each axis to breathing, 0.05-0.5 Hz (3-30 breaths/min), with a Butterworth band-pass
   whose state is carried from one block to the next: gravity (constant) is removed, and there is
   no jump at a block's edge. After missing samples the filter starts again from the new level.
2. projects the three filtered axes on their main direction of motion (the leading eigenvector of
   their covariance, averaged over about ``axis_tau_s``; its sign kept from block to block): one
   breathing curve, in milli-G. A chest strap cannot tell in from out: the curve's sign is
   arbitrary, and :mod:`hrvcoach.breathing.follow` orients it against the pacer.
3. finds each breath as a rise through zero with hysteresis (a quarter of the curve's running
   amplitude), timed at the zero crossing (interpolated between samples); breaths shorter than
   2 s or longer than 30 s are not breaths.

Everything is causal: the curve and breaths at a time depend only on samples up to it, so the live
view and the whole-session summary see the same numbers.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hrvcoach.signals import ACC, SampleBlock

if TYPE_CHECKING:
    import numpy as np

LOW_HZ = 0.05
HIGH_HZ = 0.5
MIN_BREATH_S = 2.0
MAX_BREATH_S = 30.0


@dataclass(frozen=True, slots=True)
class Breath:
    """One breath: from one rise through zero of the curve to the next.

    Attributes:
        t_s: Session time the breath ended (the next one began).
        duration_s: How long it lasted.
    """

    t_s: float
    duration_s: float

    @property
    def rate_bpm(self) -> float:
        return 60.0 / self.duration_s


class BreathTracker:
    """Chest motion to a breathing curve and breaths, one block at a time.

    Args:
        axis_tau_s: Time constant of the covariance that picks the direction of motion.
        amplitude_tau_s: Time constant of the running amplitude used for the hysteresis.
        keep_s: How much of the curve is kept for views (:meth:`curve`).
    """

    def __init__(
        self, *, axis_tau_s: float = 20.0, amplitude_tau_s: float = 20.0, keep_s: float = 120.0
    ) -> None:
        self.axis_tau_s = axis_tau_s
        self.amplitude_tau_s = amplitude_tau_s
        self.keep_s = keep_s
        self.breaths: list[Breath] = []
        self.samples = 0
        self._rate_hz: float | None = None
        self._sos: np.ndarray | None = None
        self._zi: np.ndarray | None = None
        self._cov: np.ndarray | None = None
        self._axis: np.ndarray | None = None
        self._amplitude = 0.0
        self._high = False
        self._last_zero_up: float | None = None  # time of the latest rise through zero
        self._breath_start: float | None = None  # where the breath under way began
        self._prev: tuple[float, float] | None = None  # last (t, value) of the curve
        self._curve_t: deque[float] = deque()
        self._curve_v: deque[float] = deque()

    # -- input ----------------------------------------------------------------------------------
    def add(self, block: SampleBlock) -> list[Breath]:
        """Feed one block of accelerometer samples; the breaths it completed."""
        import numpy as np

        if block.kind != ACC:
            return []
        t = np.asarray(block.times_s, dtype=float)
        xyz = np.asarray(block.values, dtype=float)
        if self._sos is None or self._rate_hz != block.rate_hz:
            self._design(block.rate_hz)
            self._zi = None
        if block.after_gap or self._zi is None:
            self._restart(xyz[0])
            if block.after_gap:
                self._prev = None
                self._last_zero_up = self._breath_start = None
                self._high = False
        from scipy.signal import sosfilt

        filtered, self._zi = sosfilt(self._sos, xyz, axis=0, zi=self._zi)
        curve = self._project(filtered, block)
        self.samples += len(t)
        return self._detect(t, curve)

    def _design(self, rate_hz: float) -> None:
        from scipy.signal import butter

        self._rate_hz = rate_hz
        high = min(HIGH_HZ, 0.45 * rate_hz)
        self._sos = butter(2, [LOW_HZ, high], btype="bandpass", fs=rate_hz, output="sos")

    def _restart(self, first: np.ndarray) -> None:
        import numpy as np
        from scipy.signal import sosfilt_zi

        assert self._sos is not None
        # the state of a filter that has seen this level for ever: no step at the start
        self._zi = sosfilt_zi(self._sos)[:, :, np.newaxis] * first[np.newaxis, np.newaxis, :]

    def _project(self, filtered: np.ndarray, block: SampleBlock) -> np.ndarray:
        import numpy as np

        duration = max(len(block) / block.rate_hz, 1e-3)
        weight = math.exp(-duration / self.axis_tau_s)
        cov = filtered.T @ filtered / len(filtered)
        self._cov = cov if self._cov is None else weight * self._cov + (1 - weight) * cov
        _, vectors = np.linalg.eigh(self._cov)
        axis = vectors[:, -1]
        if self._axis is None:
            # a first sign that does not depend on how the samples were framed
            axis = axis if axis[int(np.argmax(np.abs(axis)))] > 0 else -axis
        elif float(axis @ self._axis) < 0:
            axis = -axis
        self._axis = axis
        curve: np.ndarray = filtered @ axis
        return curve

    def _detect(self, t: np.ndarray, curve: np.ndarray) -> list[Breath]:
        found: list[Breath] = []
        per_sample = math.exp(-1.0 / ((self._rate_hz or 25.0) * self.amplitude_tau_s))
        for ti, vi in zip(t.tolist(), curve.tolist(), strict=True):
            self._amplitude = per_sample * self._amplitude + (1 - per_sample) * abs(vi)
            if self._prev is not None:
                tp, vp = self._prev
                if vp < 0.0 <= vi and vi != vp:
                    self._last_zero_up = tp + (ti - tp) * (-vp) / (vi - vp)
            self._prev = (ti, vi)
            self._curve_t.append(ti)
            self._curve_v.append(vi)
            h = 0.25 * self._amplitude
            if not self._high and vi > h and self._last_zero_up is not None:
                self._high = True
                breath = self._breath_at(self._last_zero_up)
                if breath is not None:
                    found.append(breath)
            elif self._high and vi < -h:
                self._high = False
        while self._curve_t and self._curve_t[0] < self._curve_t[-1] - self.keep_s:
            self._curve_t.popleft()
            self._curve_v.popleft()
        return found

    def _breath_at(self, t_up: float) -> Breath | None:
        previous, self._breath_start = self._breath_start, t_up
        if previous is None:
            return None
        duration = t_up - previous
        if not MIN_BREATH_S <= duration <= MAX_BREATH_S:
            return None
        breath = Breath(t_up, duration)
        self.breaths.append(breath)
        return breath

    # -- output ---------------------------------------------------------------------------------
    def curve(self) -> tuple[list[float], list[float]]:
        """The breathing curve of the last ``keep_s`` seconds: times and values (milli-G)."""
        return list(self._curve_t), list(self._curve_v)

    def rate_bpm(self, *, last: int = 5) -> float | None:
        """Breaths per minute from the median length of the last ``last`` breaths."""
        if not self.breaths:
            return None
        durations = sorted(b.duration_s for b in self.breaths[-last:])
        mid = len(durations) // 2
        median = durations[mid] if len(durations) % 2 else (durations[mid - 1] + durations[mid]) / 2
        return 60.0 / median

    def phase_delay_s(self, freq_hz: float) -> float:
        """How late the band-pass makes the curve at ``freq_hz`` (its phase, in seconds)."""
        import numpy as np
        from scipy.signal import sosfreqz

        if self._sos is None or self._rate_hz is None:
            return 0.0
        _, h = sosfreqz(self._sos, worN=[freq_hz], fs=self._rate_hz)
        return float(-np.angle(h[0]) / (2 * math.pi * freq_hz))
