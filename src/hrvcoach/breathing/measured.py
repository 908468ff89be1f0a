"""The measured breath as a curve for the assessment's phase: the heart against the real breath.

The assessment's phase synchrony compares heart rate with the breathing curve at the paced rate.
Without chest motion the pacer's lung-volume curve stands in for the breath; with it, the person's
own breath is used: the tracker's curve, oriented to agree with the pacer, and moved earlier by the
band-pass filter's delay at the pace of the moment, so it sits where the breath really was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.breathing.follow import PacerLike, orientation, track_breathing

if TYPE_CHECKING:
    import numpy as np

BreathCurve = Callable[["np.ndarray"], "np.ndarray | None"]
MAX_HOLE_S = 2.0  #: a grid with a longer stretch of no motion samples is not covered


def breath_curve(
    t_s: np.ndarray, xyz: np.ndarray, rate_hz: float, spans: list[tuple[int, int, bool]],
    pacer: PacerLike | None,
) -> BreathCurve | None:  # fmt: skip
    """The measured breath as a function of a time grid (``None`` where it does not cover it)."""
    import numpy as np

    if len(t_s) < 2:
        return None
    tracker, ct, cv = track_breathing(t_s, xyz, rate_hz, spans)
    if len(ct) < 2:
        return None
    sign = orientation(ct, cv, pacer) if pacer is not None else 1

    def on(grid: np.ndarray) -> np.ndarray | None:
        # the ends may run past the samples by less than a hole (held at the last value)
        if len(grid) == 0 or grid[0] < ct[0] - MAX_HOLE_S or grid[-1] > ct[-1] + MAX_HOLE_S:
            return None
        inside = ct[(ct >= grid[0]) & (ct <= grid[-1])]
        if len(inside) < 2 or np.max(np.diff(inside)) > MAX_HOLE_S:
            return None
        mid = float(grid[len(grid) // 2])
        freq_hz = (pacer.rate_at(mid) if pacer is not None else 6.0) / 60.0
        shifted = ct - tracker.phase_delay_s(freq_hz)
        curve: np.ndarray = sign * np.interp(grid, shifted, cv)
        return curve

    return on


def measured_breath(
    recording_path: Path | None, extra: Mapping[str, object], pacer: PacerLike | None
) -> BreathCurve | None:
    """The breath of a recording with chest motion in its companion files, else ``None``."""
    from hrvcoach.companion import load_tracks

    track = load_tracks(recording_path, extra).get("acc")
    if track is None or len(track) == 0:
        return None
    spans = [(a, b, gap) for a, b, gap, _ in track.spans]
    return breath_curve(track.t_s, track.values, track.rate_hz, spans, pacer)


def measured_breath_of_file(path: object, pacer: PacerLike | None) -> BreathCurve | None:
    """:func:`measured_breath` of the recording at ``path`` (``None`` without one or without
    motion; a recording that cannot be read gives ``None`` too: the pacer stands in)."""
    if path is None:
        return None
    from hrvcoach.errors import HrvCoachError
    from hrvcoach.readers import read_recording

    try:
        recording = read_recording(Path(str(path)))
        return measured_breath(recording.path, recording.meta.extra, pacer)
    except HrvCoachError:
        return None
