"""Raw signals beside the beats: blocks of ECG or accelerometer samples on the session time axis.

A source that measures more than beats (a Polar H10 through PMD, the simulator, a replay of a
recording with companion files) yields :class:`SampleBlock` items in its event stream besides the
:data:`~hrvcoach.beats.Event` values. The session hands them to the recording's companion files
and to the breathing and ECG analysis; everything else sees only beats, gaps, marks and status.
"""

from __future__ import annotations

from dataclasses import dataclass

ECG = "ecg"  #: one channel, microvolts
ACC = "acc"  #: three channels (x, y, z), milli-G
KINDS = (ECG, ACC)
CHANNELS = {ECG: 1, ACC: 3}


@dataclass(frozen=True, slots=True, eq=False)
class SampleBlock:
    """Consecutive samples of one stream.

    Attributes:
        kind: :data:`ECG` or :data:`ACC`.
        times_s: Session time of each sample, non-decreasing.
        values: One tuple per sample: ``(uV,)`` or ``(x_mG, y_mG, z_mG)``.
        rate_hz: The stream's nominal sample rate.
        after_gap: Samples are missing before this block (a lost link, a dropped frame).
    """

    kind: str
    times_s: tuple[float, ...]
    values: tuple[tuple[int, ...], ...]
    rate_hz: float
    after_gap: bool = False

    def __post_init__(self) -> None:
        if len(self.times_s) != len(self.values) or not self.times_s:
            raise ValueError("a sample block needs one time per sample, and samples")

    @property
    def t_s(self) -> float:
        """Time of the last sample: where the block sits on the session time axis."""
        return self.times_s[-1]

    def __len__(self) -> int:
        return len(self.times_s)
