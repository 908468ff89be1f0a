"""The breath during a session: a tracker fed with every motion block, for views and the summary."""

from __future__ import annotations

import math

from hrvcoach.breathing.follow import (
    BreathingSummary,
    PacerLike,
    follow_pct,
    orientation,
    summarize,
)
from hrvcoach.breathing.tracker import BreathTracker
from hrvcoach.signals import ACC, SampleBlock


class BreathingMonitor:
    """Feeds a :class:`BreathTracker` with a session's chest motion (a session sample listener).

    Args:
        pacer: The session's pacer (the breath is compared with it).
    """

    def __init__(self, pacer: PacerLike | None) -> None:
        self.pacer = pacer
        self.tracker = BreathTracker(keep_s=math.inf)

    def add(self, block: SampleBlock) -> None:
        if block.kind == ACC:
            self.tracker.add(block)

    @property
    def active(self) -> bool:
        """Whether any chest motion arrived."""
        return self.tracker.samples > 0

    def follow_now(self, window_s: float = 30.0) -> float | None:
        """How closely the breath followed the pacer over the last ``window_s`` (percent)."""
        import numpy as np

        if self.pacer is None or not self.active:
            return None
        t, v = (np.asarray(x) for x in self.tracker.curve())
        if len(t) == 0:
            return None
        recent = t >= t[-1] - window_s
        sign = orientation(t, v, self.pacer)
        return follow_pct(t[recent], v[recent], self.pacer, sign)

    def summary(self) -> BreathingSummary | None:
        """The session's breathing; ``None`` when no chest motion arrived."""
        import numpy as np

        if not self.active:
            return None
        t, v = (np.asarray(x) for x in self.tracker.curve())
        return summarize(self.tracker, t, v, self.pacer)
