"""Timing of the practice window's own work, kept for the benchmark and the log."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass
class FrameStats:
    """Timing of the window's own work, for the benchmark and the log."""

    frames: int = 0
    frame_work_ms: deque[float] | None = None
    frame_time_ms: deque[float] | None = None  #: frame start to the end of its last paint
    frame_perf_s: deque[float] | None = None
    beat_to_screen_ms: deque[float] | None = None
    first_paint_perf_s: float | None = None

    def __post_init__(self) -> None:
        self.frame_work_ms = deque(maxlen=100_000)
        self.frame_time_ms = deque(maxlen=100_000)
        self.frame_perf_s = deque(maxlen=100_000)
        self.beat_to_screen_ms = deque(maxlen=100_000)
