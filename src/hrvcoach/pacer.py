"""The breathing pacer as a pure function of time.

A breath is four stages in proportion, ``inhale : hold_in : exhale : hold_out`` (e.g. 4:0:6:0),
filling one period of ``60 / rate_bpm`` seconds. The lung-volume curve is a raised cosine within
each stage, 0 (empty) to 1 (full), so it is smooth and its speed is zero at the turns.

:class:`Pacer` keeps a list of segments, each starting at a time and a cumulative breath count.
Asking for a new pattern at time ``t`` keeps the current stage and the fraction of it already done,
so the curve continues without a jump whatever changes (rate, ratio, holds). Everything is computed
from the time passed in: a view redraws from wall-clock time and timer jitter never shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MIN_RATE_BPM = 3.0
MAX_RATE_BPM = 10.0

STAGES = ("in", "hold_in", "out", "hold_out")


@dataclass(frozen=True, slots=True)
class BreathPattern:
    """A breathing pace: ``rate_bpm`` breaths a minute split ``inhale:hold_in:exhale:hold_out``."""

    rate_bpm: float = 6.0
    inhale: float = 4.0
    exhale: float = 6.0
    hold_in: float = 0.0
    hold_out: float = 0.0

    def __post_init__(self) -> None:
        if not (MIN_RATE_BPM - 1e-9 <= self.rate_bpm <= MAX_RATE_BPM + 1e-9):
            raise ValueError(
                f"pace {self.rate_bpm:g} breaths/min is outside {MIN_RATE_BPM:g}-{MAX_RATE_BPM:g}"
            )
        parts = (self.inhale, self.hold_in, self.exhale, self.hold_out)
        if not all(map(math.isfinite, parts)):
            raise ValueError("the ratio's parts must be finite numbers, like 4:6")
        if min(parts) < 0 or self.inhale <= 0 or self.exhale <= 0:
            raise ValueError("inhale and exhale must be positive and holds not negative")

    @property
    def period_s(self) -> float:
        return 60.0 / self.rate_bpm

    @property
    def stage_fractions(self) -> tuple[float, float, float, float]:
        parts = (self.inhale, self.hold_in, self.exhale, self.hold_out)
        total = sum(parts)
        return (parts[0] / total, parts[1] / total, parts[2] / total, parts[3] / total)

    def label(self) -> str:
        """``"6.0 4:6"`` or ``"6.0 4:2:6:0"`` (the form used in recordings and ``--ratio``)."""
        if self.hold_in or self.hold_out:
            ratio = f"{self.inhale:g}:{self.hold_in:g}:{self.exhale:g}:{self.hold_out:g}"
        else:
            ratio = f"{self.inhale:g}:{self.exhale:g}"
        return f"{self.rate_bpm:.1f} {ratio}"

    @classmethod
    def parse(cls, text: str) -> BreathPattern:
        """Inverse of :meth:`label`; also accepts a bare rate (``"5.5"``, ratio 4:6)."""
        parts = text.split()
        rate = float(parts[0])
        if len(parts) == 1:
            return cls(rate_bpm=rate)
        return cls.with_ratio(rate, parts[1])

    @classmethod
    def with_ratio(cls, rate_bpm: float, ratio: str) -> BreathPattern:
        """``ratio`` is ``"in:out"`` or ``"in:hold:out:hold"``."""
        try:
            nums = [float(x) for x in ratio.split(":")]
        except ValueError:
            raise ValueError(f"ratio {ratio!r} is not like 4:6 or 4:2:6:0") from None
        if len(nums) == 2:
            return cls(rate_bpm=rate_bpm, inhale=nums[0], exhale=nums[1])
        if len(nums) == 4:
            return cls(rate_bpm, inhale=nums[0], hold_in=nums[1], exhale=nums[2], hold_out=nums[3])
        raise ValueError(f"ratio {ratio!r} is not like 4:6 or 4:2:6:0")


@dataclass(frozen=True, slots=True)
class PacerState:
    """Where the pacer is at one moment."""

    t_s: float
    volume: float  #: 0 = lungs empty, 1 = full
    stage: str  #: one of ``STAGES``
    stage_fraction: float  #: 0..1 through the current stage
    stage_remaining_s: float  #: seconds until the next stage starts
    breaths: float  #: cumulative breath cycles since the pacer started
    pattern: BreathPattern


def stage_at(cycle_fraction: float, pattern: BreathPattern) -> tuple[int, float]:
    """Stage index (0..3) and the fraction done of it, ``cycle_fraction`` (0..1) into a breath."""
    u = cycle_fraction % 1.0
    start = 0.0
    fractions = pattern.stage_fractions
    for i, width in enumerate(fractions):
        if width > 0 and u < start + width:
            return i, (u - start) / width
        start += width
    return 3 if fractions[3] > 0 else 2, 1.0


def volume_at(stage: int, fraction: float) -> float:
    """Lung volume for a stage and the fraction done of it: raised-cosine in and out."""
    if stage == 0:
        return 0.5 - 0.5 * math.cos(math.pi * fraction)
    if stage == 1:
        return 1.0
    if stage == 2:
        return 0.5 + 0.5 * math.cos(math.pi * fraction)
    return 0.0


def breathing_volume(t_s: float, pattern: BreathPattern, *, t0_s: float = 0.0) -> float:
    """Lung volume at ``t_s`` for a constant pattern started (empty lungs) at ``t0_s``."""
    stage, fraction = stage_at((t_s - t0_s) / pattern.period_s, pattern)
    return volume_at(stage, fraction)


@dataclass(slots=True)
class _Segment:
    t_s: float
    breaths: float
    pattern: BreathPattern
    kind: str = "pace"  #: "pace", or "pause"/"resume": the curve holds still between the two


@dataclass
class Pacer:
    """A pacer whose pattern can change over time without the curve jumping.

    Segments are appended in time order with :meth:`set_pattern`; they may lie in the future (an
    assessment schedules all its steps at once). :meth:`pause` holds the curve still where it is
    and :meth:`resume` goes on from there, so a pause never makes the breath jump either.
    """

    pattern: BreathPattern = field(default_factory=BreathPattern)
    t0_s: float = 0.0
    _segments: list[_Segment] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._segments = [_Segment(self.t0_s, 0.0, self.pattern)]
        self._future: list[tuple[float, BreathPattern]] = []

    def _segment(self, t_s: float) -> _Segment:
        segs = self._segments
        for seg in reversed(segs):
            if seg.t_s <= t_s:
                return seg
        return segs[0]

    @staticmethod
    def _breaths_in(seg: _Segment, t_s: float) -> float:
        if seg.kind == "pause":
            return seg.breaths
        return seg.breaths + (t_s - seg.t_s) / seg.pattern.period_s

    def breaths(self, t_s: float) -> float:
        return self._breaths_in(self._segment(t_s), t_s)

    @property
    def paused(self) -> bool:
        return self._segments[-1].kind == "pause"

    def pause(self, t_s: float) -> None:
        """Hold the curve still from ``t_s`` (the person rests; the recording goes on)."""
        if self.paused:
            return
        future = self._take_future(t_s)
        self._segments.append(_Segment(t_s, self.breaths(t_s), self.pattern_at(t_s), "pause"))
        self._future = future

    def resume(self, t_s: float) -> None:
        """Go on from where the curve was held; steps planned for later keep their times."""
        if not self.paused:
            return
        held = self._segments[-1]
        self._segments.append(_Segment(max(t_s, held.t_s), held.breaths, held.pattern, "resume"))
        future, self._future = sorted(self._future, key=lambda seg: seg[0]), []
        for seg_t_s, pattern in future:
            self.set_pattern(max(seg_t_s, t_s), pattern)

    def _take_future(self, t_s: float) -> list[tuple[float, BreathPattern]]:
        # Scheduled segments are recomputed on resume so that they continue from the held breath.
        future = [(s.t_s, s.pattern) for s in self._segments if s.t_s > t_s]
        self._segments = [s for s in self._segments if s.t_s <= t_s]
        return future

    def pattern_at(self, t_s: float) -> BreathPattern:
        return self._segment(t_s).pattern

    def rate_at(self, t_s: float) -> float:
        return self._segment(t_s).pattern.rate_bpm

    def state(self, t_s: float) -> PacerState:
        seg = self._segment(t_s)
        breaths = self._breaths_in(seg, t_s)
        stage, fraction = stage_at(breaths, seg.pattern)
        width_s = seg.pattern.stage_fractions[stage] * seg.pattern.period_s
        return PacerState(
            t_s=t_s,
            volume=volume_at(stage, fraction),
            stage=STAGES[stage],
            stage_fraction=fraction,
            stage_remaining_s=(1.0 - fraction) * width_s,
            breaths=breaths,
            pattern=seg.pattern,
        )

    def volume(self, t_s: float) -> float:
        return self.state(t_s).volume

    def set_pattern(self, t_s: float, pattern: BreathPattern) -> None:
        """From ``t_s`` on, breathe ``pattern``, continuing the current stage where it is."""
        last = self._segments[-1]
        if t_s < last.t_s:
            raise ValueError("pacer segments must be added in time order")
        if last.kind == "pause":  # while paused, the new pace waits for the resume
            self._future.append((t_s, pattern))
            return
        breaths = self.breaths(t_s)
        stage, fraction = stage_at(breaths, last.pattern)
        new_fr = pattern.stage_fractions
        if new_fr[stage] == 0:  # a hold the new pattern does not have: go on to the next stage
            stage, fraction = (stage + 1) % 4, 0.0
        offset = sum(new_fr[:stage]) + fraction * new_fr[stage]
        whole = math.floor(breaths)
        if offset >= 1.0:
            offset -= 1.0
            whole += 1
        self._segments.append(_Segment(t_s, whole + offset, pattern))

    def segments(self) -> list[tuple[float, BreathPattern]]:
        """The plan: ``(start time, pattern)`` for every change of pace (pauses left out)."""
        segs = [(s.t_s, s.pattern) for s in self._segments if s.kind == "pace"]
        return sorted(segs + self._future, key=lambda seg: seg[0])
