"""The measured breath against the pacer: rate, how closely it follows, and how late.

- ``rate_bpm``: 60 / the median length of the session's breaths.
- ``pacer_rate_bpm``: the pacer's rate over the same time (weighted by time, when it changed).
- ``adherence_pct``: the share of breaths whose length is within 15 % of the pacer's breath at
  that moment.
- ``phase_lag_s``: how late the breath is behind the pacer's lung-volume curve, measured at the
  pacer's frequency (both curves projected, Hann-tapered, on that frequency over each stretch of one
  pace at least two breaths long; the band-pass filter's own delay at that frequency taken off;
  stretches averaged by length). Positive: the breath follows the pacer.

A chest strap cannot tell breathing in from out, so the curve is oriented to agree with the pacer
over the session (the orientation with the pacer's curve, not against it); a lag is then within a
quarter of a breath either way. See ``docs/breathing.md``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from hrvcoach.breathing.tracker import Breath, BreathTracker

if TYPE_CHECKING:
    import numpy as np

ADHERENCE_TOLERANCE = 0.15


class PacerLike(Protocol):
    def volume(self, t_s: float) -> float: ...

    def rate_at(self, t_s: float) -> float: ...


@dataclass(frozen=True)
class BreathingSummary:
    """The session's breathing, measured from chest motion (``None`` where it cannot be said)."""

    rate_bpm: float | None
    pacer_rate_bpm: float | None
    adherence_pct: float | None
    phase_lag_s: float | None
    breaths: int = 0

    def to_json(self) -> dict[str, float | None]:
        def r(x: float | None, nd: int) -> float | None:
            return None if x is None or not math.isfinite(x) else round(x, nd)

        return {
            "rate_bpm": r(self.rate_bpm, 2),
            "pacer_rate_bpm": r(self.pacer_rate_bpm, 2),
            "adherence_pct": r(self.adherence_pct, 1),
            "phase_lag_s": r(self.phase_lag_s, 2),
        }


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def pacer_rate(pacer: PacerLike, t0_s: float, t1_s: float, *, step_s: float = 1.0) -> float:
    """The pacer's rate averaged over ``[t0_s, t1_s]``."""
    n = max(1, int((t1_s - t0_s) / step_s))
    return sum(pacer.rate_at(t0_s + (k + 0.5) * (t1_s - t0_s) / n) for k in range(n)) / n


def adherence_pct(breaths: Sequence[Breath], pacer: PacerLike) -> float | None:
    """Percent of breaths within 15 % of the pacer's breath length at their time."""
    if not breaths:
        return None
    close = 0
    for b in breaths:
        period = 60.0 / pacer.rate_at(b.t_s - b.duration_s / 2)
        close += abs(b.duration_s - period) <= ADHERENCE_TOLERANCE * period
    return 100.0 * close / len(breaths)


def _projections(
    t: np.ndarray, curve: np.ndarray, pacer: PacerLike
) -> list[tuple[float, complex, complex, float]]:
    """Per stretch of one pace: (frequency, breath projection, pacer projection, length)."""
    import numpy as np

    out: list[tuple[float, complex, complex, float]] = []
    if len(t) < 4:
        return out
    rates = np.array([pacer.rate_at(float(x)) for x in t])
    edges = [0, *(np.flatnonzero(np.diff(rates)) + 1).tolist(), len(t)]
    for a, b in itertools.pairwise(edges):
        seg_t = t[a:b]
        if len(seg_t) < 4:
            continue
        freq = rates[a] / 60.0
        if seg_t[-1] - seg_t[0] < 2.0 / freq:
            continue
        w = np.hanning(len(seg_t))
        vol = np.array([pacer.volume(float(x)) for x in seg_t])
        basis = np.exp(-2j * np.pi * freq * seg_t)
        zb = complex(np.sum(w * (curve[a:b] - curve[a:b].mean()) * basis))
        zp = complex(np.sum(w * (vol - vol.mean()) * basis))
        if abs(zb) > 0 and abs(zp) > 0:
            out.append((freq, zb, zp, float(seg_t[-1] - seg_t[0])))
    return out


def orientation(t: np.ndarray, curve: np.ndarray, pacer: PacerLike) -> int:
    """+1 or -1: the sign that makes the curve agree with the pacer's over the session."""
    total = sum((zb * zp.conjugate()).real for _, zb, zp, _ in _projections(t, curve, pacer))
    return -1 if total < 0 else 1


def phase_lag_s(
    t: np.ndarray, curve: np.ndarray, pacer: PacerLike, tracker: BreathTracker | None = None
) -> float | None:
    """How late the (oriented) breath is behind the pacer, in seconds (see the module)."""
    parts = _projections(t, curve, pacer)
    if not parts:
        return None
    sign = -1 if sum((zb * zp.conjugate()).real for _, zb, zp, _ in parts) < 0 else 1
    lags, weights = [], []
    for freq, zb, zp, length in parts:
        dphi = math.atan2((sign * zb / zp).imag, (sign * zb / zp).real)
        lag = -dphi / (2 * math.pi * freq)
        if tracker is not None:
            lag -= tracker.phase_delay_s(freq)
        lags.append(lag)
        weights.append(length)
    return sum(lag * w for lag, w in zip(lags, weights, strict=True)) / sum(weights)


def follow_pct(t: np.ndarray, curve: np.ndarray, pacer: PacerLike, sign: int = 1) -> float | None:
    """How closely the breath follows the pacer: the correlation of the oriented curve with the
    pacer's lung volume, as a percent (0 when unrelated or opposed)."""
    import numpy as np

    if len(t) < 10:
        return None
    vol = np.array([pacer.volume(float(x)) for x in t])
    c = sign * curve
    if np.std(c) == 0 or np.std(vol) == 0:
        return None
    r = float(np.corrcoef(c, vol)[0, 1])
    return max(0.0, 100.0 * r)


def summarize(
    tracker: BreathTracker, t: np.ndarray, curve: np.ndarray, pacer: PacerLike | None
) -> BreathingSummary:
    """The session's breathing from a tracker that has seen it all, and its whole curve."""
    breaths = tracker.breaths
    rate = 60.0 / _median([b.duration_s for b in breaths]) if breaths else None
    if pacer is None or len(t) == 0:
        return BreathingSummary(rate, None, None, None, len(breaths))
    return BreathingSummary(
        rate_bpm=rate,
        pacer_rate_bpm=pacer_rate(pacer, float(t[0]), float(t[-1])),
        adherence_pct=adherence_pct(breaths, pacer),
        # every 5th sample: 5 Hz is plenty for a breath, and the pacer is read once per point
        phase_lag_s=phase_lag_s(t[::5], curve[::5], pacer, tracker),
        breaths=len(breaths),
    )


def track_breathing(
    t_s: np.ndarray, xyz: np.ndarray, rate_hz: float, spans: Sequence[tuple[int, int, bool]]
) -> tuple[BreathTracker, np.ndarray, np.ndarray]:
    """Run a tracker over recorded samples block by block, as it ran live; with the whole curve."""
    import numpy as np

    from hrvcoach.signals import ACC, SampleBlock

    tracker = BreathTracker(keep_s=math.inf)
    for start, stop, after_gap in spans:
        tracker.add(
            SampleBlock(
                ACC,
                tuple(t_s[start:stop].tolist()),
                tuple(map(tuple, xyz[start:stop].tolist())),
                rate_hz,
                after_gap,
            )
        )
    ct, cv = tracker.curve()
    return tracker, np.asarray(ct), np.asarray(cv)
