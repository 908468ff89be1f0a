"""Capacity over weeks: the kept results of the checks and drills as series to draw and words to
show.

Takes results already loaded (from the history database or the result files); returns plain
values for the trend panels (:mod:`hrvcoach.reports`), the trends window and the session list.

Pure: results and dates in, series out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.protocols import resting

if TYPE_CHECKING:
    from numpy.typing import NDArray

PROTOCOLS = ("resting", "deep_breathing", "recovery")


@dataclass(frozen=True)
class CapacityResult:
    """One kept result of a capacity protocol.

    Attributes:
        time: When the reading was taken (timezone-aware).
        protocol: ``resting``, ``deep_breathing`` or ``recovery``.
        values: Its ``--json`` keys.
        simulated: The simulator produced it.
        recording: Its recording, as text, if any.
    """

    time: datetime
    protocol: str
    values: Mapping[str, object]
    simulated: bool = False
    recording: str | None = None

    def number(self, key: str) -> float | None:
        value = self.values.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class CapacitySeries:
    """One measure over time (only the results that have it)."""

    label: str
    unit: str
    times: tuple[datetime, ...]
    values: tuple[float, ...]
    band_low: tuple[float | None, ...] = ()
    band_high: tuple[float | None, ...] = ()
    baseline: tuple[float | None, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.values

    def band_arrays(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """``(low, high, baseline)`` as float arrays, NaN where a reading had none (for drawing)."""

        def floats(values: Sequence[float | None]) -> NDArray[np.float64]:
            return np.array([math.nan if v is None else v for v in values], dtype=float)

        return floats(self.band_low), floats(self.band_high), floats(self.baseline)


@dataclass(frozen=True)
class CapacityTrends:
    """The capacity panels' data: resting ln RMSSD with its baseline band, the deep-breathing
    HR difference, the recovery's tau and HRR60."""

    resting_ln_rmssd: CapacitySeries
    deep_breathing_hr_diff: CapacitySeries
    recovery_tau: CapacitySeries
    recovery_hrr60: CapacitySeries

    @property
    def empty(self) -> bool:
        return all(s.empty for s in self.panels())

    def panels(self) -> tuple[CapacitySeries, ...]:
        return (
            self.resting_ln_rmssd,
            self.deep_breathing_hr_diff,
            self.recovery_tau,
            self.recovery_hrr60,
        )


def _series(
    results: Sequence[CapacityResult], protocol: str, key: str, label: str, unit: str
) -> CapacitySeries:
    picked = [(r.time, r.number(key)) for r in results if r.protocol == protocol]
    kept = [(t, v) for t, v in picked if v is not None]
    return CapacitySeries(label, unit, tuple(t for t, _ in kept), tuple(v for _, v in kept))


def capacity_trends(
    results: Sequence[CapacityResult],
    *,
    include_simulated: bool = False,
    since: date | None = None,
) -> CapacityTrends:
    """Series from kept results, oldest first: the person's own (the simulator's too with
    ``include_simulated``), from the day ``since`` on if given.

    The resting series carries, for each reading, the 7-day baseline and the usual range as they
    stood on that day (computed from the readings up to it, as the check itself does).
    """
    chosen = sorted(
        (r for r in results if include_simulated or not r.simulated), key=lambda r: r.time
    )
    rest = _series(chosen, "resting", "ln_rmssd", "Resting ln RMSSD", "ln ms")
    readings = [resting.Reading(t.date(), v) for t, v in zip(rest.times, rest.values, strict=True)]
    lows: list[float | None] = []
    highs: list[float | None] = []
    bases: list[float | None] = []
    for t, v in zip(rest.times, rest.values, strict=True):
        upto = [r for r in readings if r.day <= t.date()]
        placed = resting.against_history(v, t.date(), upto)
        bases.append(placed.baseline_ln_rmssd)
        lows.append(placed.normal_range[0] if placed.normal_range else None)
        highs.append(placed.normal_range[1] if placed.normal_range else None)
    rest = CapacitySeries(
        rest.label, rest.unit, rest.times, rest.values, tuple(lows), tuple(highs), tuple(bases)
    )
    # the band of the first readings shown is computed from the readings before them as well
    deep = _series(chosen, "deep_breathing", "hr_diff_bpm", "Deep-breathing HR difference", "bpm")
    return CapacityTrends(
        _since(rest, since),
        _since(deep, since),
        _since(_series(chosen, "recovery", "tau_s", "Recovery time constant tau", "s"), since),
        _since(_series(chosen, "recovery", "hrr60_bpm", "Recovery HRR60", "bpm"), since),
    )


def _since(series: CapacitySeries, since: date | None) -> CapacitySeries:
    if since is None:
        return series
    keep = [i for i, t in enumerate(series.times) if t.date() >= since]

    def pick(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(values[i] for i in keep) if values else values

    return CapacitySeries(
        series.label,
        series.unit,
        pick(series.times),
        pick(series.values),
        pick(series.band_low),
        pick(series.band_high),
        pick(series.baseline),
    )


def _days_ago(then: date, today: date) -> str:
    days = (today - then).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def latest_check_line(results: Sequence[CapacityResult], today: date) -> str | None:
    """One sentence on the latest resting check (the person's own, not the simulator's), e.g.
    ``"Latest resting check (today): ln RMSSD 3.95, within your usual range."``; ``None`` when
    there has been none."""
    own = [r for r in results if r.protocol == "resting" and not r.simulated]
    if not own:
        return None
    last = max(own, key=lambda r: r.time)
    ln = last.number("ln_rmssd")
    verdict = last.values.get("verdict")
    when = _days_ago(last.time.date(), today)
    if ln is None:
        return f"Latest resting check ({when}): no reading could be scored."
    tail = f", {verdict}" if isinstance(verdict, str) and verdict else ""
    return f"Latest resting check ({when}): ln RMSSD {ln:.2f}{tail}."


def latest_check_json(results: Sequence[CapacityResult]) -> dict[str, object] | None:
    """The latest resting check (the person's own) as JSON: ``date``, ``ln_rmssd``,
    ``rmssd_ms``, ``verdict``; ``None`` when there has been none."""
    own = [r for r in results if r.protocol == "resting" and not r.simulated]
    if not own:
        return None
    last = max(own, key=lambda r: r.time)
    return {
        "date": last.time.isoformat(timespec="seconds"),
        "ln_rmssd": last.number("ln_rmssd"),
        "rmssd_ms": last.number("rmssd_ms"),
        "verdict": last.values.get("verdict"),
    }
