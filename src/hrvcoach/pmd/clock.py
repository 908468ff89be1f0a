"""The strap's clock on the session's time axis, and PMD frames turned into timed sample blocks.

Frames carry the strap's time of their last sample (ns since 2000-01-01 on a clock that was set
who knows when, and runs at its own rate); they arrive over the radio some milliseconds later,
never earlier. :class:`StrapClock` maps strap time to session time as the lower envelope of
``arrival - strap time``: the frames that travelled fastest show the offset, and a straight line
through the fastest frame of each block of ``block_s`` seconds shows the drift between the two
clocks. Until there are a few blocks the rates are taken as equal.

:class:`StreamDecoder` keeps what one stream needs between frames (the previous frame's timestamp,
the last sample time handed out), so sample times run on without jumps at frame edges.
"""

from __future__ import annotations

import math

from hrvcoach.pmd.frames import PmdFrame, parse_frame
from hrvcoach.pmd.protocol import MeasurementType, PmdError
from hrvcoach.signals import ACC, ECG, SampleBlock

NS = 1_000_000_000


class StrapClock:
    """Strap time (ns) to session seconds, with drift tracking.

    Args:
        block_s: Strap seconds per block whose fastest frame is one point of the envelope.
        keep_blocks: Blocks kept for the drift fit (older ones are forgotten).
        max_drift_ppm: Drift beyond this is not believed (clamped).
        resync_s: A frame this far off the mapping means the strap's clock was reset: start again.
    """

    def __init__(
        self,
        *,
        block_s: float = 10.0,
        keep_blocks: int = 30,
        max_drift_ppm: float = 1000.0,
        resync_s: float = 5.0,
    ) -> None:
        self.block_s = block_s
        self.keep_blocks = keep_blocks
        self.max_drift = max_drift_ppm * 1e-6
        self.resync_s = resync_s
        self._origin_ns: int | None = None
        self._blocks: dict[int, tuple[float, float]] = {}  # block -> (strap_s, min residual)
        self._slope = 0.0
        self._intercept = 0.0
        self.resyncs = 0  #: times the strap's clock jumped and the mapping started again

    @property
    def drift_ppm(self) -> float:
        """How much faster the session clock runs than the strap's, in parts per million."""
        return self._slope * 1e6

    @property
    def rate(self) -> float:
        """Session seconds per strap second."""
        return 1.0 + self._slope

    @property
    def synced(self) -> bool:
        return self._origin_ns is not None

    def update(self, strap_ns: int, arrival_s: float) -> None:
        """One frame's last-sample strap time and the session time it arrived at."""
        if self._origin_ns is None:
            self._restart(strap_ns, arrival_s)
            return
        x = (strap_ns - self._origin_ns) / NS
        predicted = self._intercept + (1.0 + self._slope) * x
        if x < -1.0 or abs(arrival_s - predicted) > self.resync_s:
            self.resyncs += 1
            self._restart(strap_ns, arrival_s)
            return
        residual = arrival_s - x
        key = math.floor(x / self.block_s)
        best = self._blocks.get(key)
        if best is None or residual < best[1]:
            self._blocks[key] = (x, residual)
            while len(self._blocks) > self.keep_blocks:
                del self._blocks[min(self._blocks)]
            self._fit()

    def to_session_s(self, strap_ns: int) -> float:
        """Session time of a strap time (call :meth:`update` with at least one frame first)."""
        if self._origin_ns is None:
            raise RuntimeError("the strap clock has not seen a frame yet")
        x = (strap_ns - self._origin_ns) / NS
        return self._intercept + (1.0 + self._slope) * x

    def _restart(self, strap_ns: int, arrival_s: float) -> None:
        self._origin_ns = strap_ns
        self._blocks = {0: (0.0, arrival_s)}
        self._slope = 0.0
        self._intercept = arrival_s

    def _fit(self) -> None:
        points = sorted(self._blocks.values())
        if len(points) < 3 or points[-1][0] - points[0][0] < 2 * self.block_s:
            self._slope = 0.0
            self._intercept = min(r for _, r in points)
            return
        n = len(points)
        mx = sum(x for x, _ in points) / n
        my = sum(r for _, r in points) / n
        sxx = sum((x - mx) ** 2 for x, _ in points)
        sxy = sum((x - mx) * (r - my) for x, r in points)
        slope = max(-self.max_drift, min(self.max_drift, sxy / sxx if sxx > 0 else 0.0))
        # the line under every point: the envelope, not the middle of the delays
        intercept = min(r - slope * x for x, r in points)
        self._slope, self._intercept = slope, intercept


class StreamDecoder:
    """One PMD stream's frames to :class:`~hrvcoach.signals.SampleBlock` values.

    Args:
        measurement_type: ECG or ACC.
        rate_hz: The sample rate the stream was started with.
        clock: The strap clock shared by the strap's streams (one time axis for all).
        factor: The stream's factor from its start response (compressed ACC).
    """

    def __init__(
        self,
        measurement_type: MeasurementType,
        rate_hz: float,
        clock: StrapClock,
        *,
        factor: float = 1.0,
    ) -> None:
        if measurement_type not in (MeasurementType.ECG, MeasurementType.ACC):
            raise ValueError(f"no sample blocks for {measurement_type.name}")
        self.measurement_type = measurement_type
        self.kind = ECG if measurement_type == MeasurementType.ECG else ACC
        self.rate_hz = rate_hz
        self.clock = clock
        self.factor = factor
        self.frames = 0
        self.samples = 0
        self._prev_ns: int | None = None
        self._last_t_s = -math.inf

    def restart(self) -> None:
        """The stream was started again (after a lost link): the next frame follows a gap."""
        self._prev_ns = None

    def decode(self, data: bytes | bytearray, arrival_s: float) -> SampleBlock:
        """One notification of this stream, arrived at session time ``arrival_s``.

        Raises:
            PmdError: It cannot be read, or it belongs to another stream.
        """
        frame = parse_frame(data, factor=self.factor)
        if frame.measurement_type != self.measurement_type:
            raise PmdError(
                f"a {frame.measurement_type} frame reached the {self.measurement_type.name} stream"
            )
        return self._timed(frame, arrival_s)

    def _timed(self, frame: PmdFrame, arrival_s: float) -> SampleBlock:
        n = len(frame.samples)
        nominal_ns = NS / self.rate_hz
        period_ns = nominal_ns
        after_gap = self._prev_ns is None and self.frames > 0
        if self._prev_ns is not None:
            measured = (frame.timestamp_ns - self._prev_ns) / n
            if 0.75 * nominal_ns <= measured <= 1.25 * nominal_ns:
                period_ns = measured
            elif measured > 1.25 * nominal_ns:
                after_gap = True  # frames went missing between the two
        self.clock.update(frame.timestamp_ns, arrival_s)
        first_ns = frame.timestamp_ns - round((n - 1) * period_ns)
        target = self.clock.to_session_s(first_ns)
        step = period_ns / NS * self.clock.rate
        if after_gap or not math.isfinite(self._last_t_s):
            start, spread = max(target, self._last_t_s), 0.0
        else:
            # continue from the last sample; steer towards the mapping a fifth of the way per
            # frame, so a mapping that moved (a faster frame, a new drift fit) never shows as a
            # jump at a frame edge, and time never runs backwards
            start = self._last_t_s + step
            error = target - start
            limit = 0.25 * step * n
            spread = max(-limit, min(limit, 0.2 * error)) / n
        times = tuple(start + k * (step + spread) for k in range(n))
        last = times[-1]
        self._last_t_s = last
        self._prev_ns = frame.timestamp_ns
        self.frames += 1
        self.samples += n
        return SampleBlock(self.kind, times, frame.samples, self.rate_hz, after_gap)
