"""What the window shows of the streams, computed where the blocks arrive (the session's thread).

:class:`LiveSignals` is a session sample listener. Each motion block goes through a
:class:`~hrvcoach.breathing.tracker.BreathTracker`; each ECG block into a few seconds' ring. After
each block it publishes a frozen :class:`SignalsView` (one attribute assignment, which another
thread reads whole): the last minute of the person's own breath and the pacer's curve on the same
times, both scaled to -1..1, how closely the one follows the other, the breathing rate, and the last
seconds of ECG. The window only draws what it finds there.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from hrvcoach.breathing.follow import PacerLike
from hrvcoach.breathing.tracker import BreathTracker
from hrvcoach.signals import ACC, ECG, SampleBlock

BREATH_WINDOW_S = 60.0
FOLLOW_WINDOW_S = 30.0
ECG_WINDOW_S = 5.0


@dataclass(frozen=True)
class SignalsView:
    """One picture of the streams.

    Attributes:
        breath_t: Times of the breath curve (the last minute).
        breath: The person's breath, oriented to agree with the pacer, scaled to -1..1.
        pacer: The pacer's lung volume at the same times, scaled to -1..1.
        follow_pct: How closely the breath followed the pacer over the last 30 s.
        rate_bpm: The breathing rate from the last breaths.
        ecg_t: Times of the last seconds of ECG.
        ecg_uv: The ECG there, microvolts.
    """

    breath_t: tuple[float, ...] = ()
    breath: tuple[float, ...] = ()
    pacer: tuple[float, ...] = ()
    follow_pct: float | None = None
    rate_bpm: float | None = None
    ecg_t: tuple[float, ...] = ()
    ecg_uv: tuple[float, ...] = ()

    @property
    def has_breath(self) -> bool:
        return len(self.breath_t) > 1

    @property
    def has_ecg(self) -> bool:
        return len(self.ecg_t) > 1


class LiveSignals:
    """Turns a session's sample blocks into :class:`SignalsView` pictures.

    Args:
        pacer: The session's pacer.
        step: Keep every ``step``-th breath sample for the picture (25 Hz is more than a curve
            needs).
    """

    def __init__(self, pacer: PacerLike, *, step: int = 5, every_s: float = 0.5) -> None:
        self.pacer = pacer
        self.step = step
        self.every_s = every_s
        self.tracker = BreathTracker(keep_s=BREATH_WINDOW_S + 5.0)
        self._ecg: deque[tuple[float, int]] = deque()
        self._pacer_at: dict[float, float] = {}  # the pacer's curve at the breath's times
        self._breath: tuple[tuple[float, ...], ...] = ((), (), ())
        self._follow: float | None = None
        self._last_breath_t = -math.inf
        self.latest: SignalsView | None = None  #: read from any thread

    def add(self, block: SampleBlock) -> None:
        if block.kind == ACC:
            self.tracker.add(block)
            if block.t_s - self._last_breath_t >= self.every_s:
                self._last_breath_t = block.t_s
                self._update_breath()
        elif block.kind == ECG:
            self._ecg.extend(zip(block.times_s, (v for (v,) in block.values), strict=True))
            while self._ecg and self._ecg[0][0] < self._ecg[-1][0] - ECG_WINDOW_S:
                self._ecg.popleft()
        else:
            return
        breath_t, breath, pacer = self._breath
        self.latest = SignalsView(
            breath_t,
            breath,
            pacer,
            self._follow,
            self.tracker.rate_bpm(),
            tuple(t for t, _ in self._ecg),
            tuple(float(v) for _, v in self._ecg),
        )

    def _update_breath(self) -> None:
        import numpy as np

        t_all, v_all = (np.asarray(x) for x in self.tracker.curve())
        if len(t_all) < 2:
            return
        keep = t_all >= t_all[-1] - BREATH_WINDOW_S
        t, v = t_all[keep][:: self.step], v_all[keep][:: self.step]
        cache = self._pacer_at
        vol = np.array(
            [cache.get(x) or cache.setdefault(x, self.pacer.volume(x)) for x in t.tolist()]
        )
        for old in [x for x in cache if x < t[0]]:
            del cache[old]
        dv, dp = v - v.mean(), vol - vol.mean()
        # a chest strap cannot tell in from out: the orientation that agrees with the pacer
        sign = -1.0 if float(dv @ dp) < 0 else 1.0
        scale = max(float(np.max(np.abs(v))), 1e-9)
        self._breath = (
            tuple(t.tolist()),
            tuple((sign * v / scale).tolist()),
            tuple((2.0 * vol - 1.0).tolist()),
        )
        recent = t >= t[-1] - FOLLOW_WINDOW_S
        self._follow = None
        if t[-1] - t[0] >= FOLLOW_WINDOW_S / 2 and recent.sum() > 3:
            a, b = sign * v[recent], vol[recent]
            if np.std(a) > 0 and np.std(b) > 0:
                self._follow = max(0.0, 100.0 * float(np.corrcoef(a, b)[0, 1]))
