"""The resting check: a short resting reading, and where it lies against your own history.

A reading is natural breathing, no pacer, after a settle period (default 30 s, then 2 minutes
scored). :func:`score_resting` gives RMSSD (as neurokit2's ``HRV_RMSSD``), its natural log and
the mean heart rate over the scored part, after the same artifact replacement the assessment uses.

:func:`against_history` places the reading against the person's own readings, as HRV4Training
and Elite HRV do (Plews et al. 2012; Altini & Plews 2021):

- the **baseline** is the mean ln RMSSD of the daily readings in the 7 days ending on the
  reading's day (that day included; several readings on one day count as their mean);
- the **normal range** is the mean ± 0.5 SD of the daily ln RMSSD over the 60 days ending on
  that day, given once at least :data:`MIN_READINGS_FOR_RANGE` days have a reading;
- the **verdict** compares the reading with that range, in plain words: an observation and a
  suggestion, never a judgement.

Pure: numbers and dates in, numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from hrvcoach.protocols.signals import correct_artifacts, coverage

DEFAULT_MINUTES = 2.0
MIN_MINUTES, MAX_MINUTES = 1.0, 5.0
DEFAULT_SETTLE_S = 30.0
BASELINE_DAYS = 7
RANGE_DAYS = 60
RANGE_SD = 0.5
MIN_READINGS_FOR_RANGE = 7
#: a reading needs this many beats and this share of its window covered to be scored
MIN_BEATS = 30
MIN_COVERAGE = 0.7

VERDICT_WITHIN = "within your usual range"
VERDICT_LOWER = "lower than usual: an easier session today may suit"
VERDICT_HIGHER = "higher than usual: a good day for your regular practice"


@dataclass(frozen=True)
class RestingScore:
    """One resting reading.

    Attributes:
        rmssd_ms: RMSSD over the scored part (ms), or ``None`` when it cannot be trusted.
        ln_rmssd: Its natural log.
        mean_hr_bpm: Mean heart rate (60000 / mean RR).
        beats: Beats in the scored part.
        artifacts: Intervals replaced.
        scored_s: Seconds scored.
        note: Why there is no number, or caveats.
    """

    rmssd_ms: float | None
    ln_rmssd: float | None
    mean_hr_bpm: float | None
    beats: int
    artifacts: int
    scored_s: float
    note: str = ""

    @property
    def usable(self) -> bool:
        return self.ln_rmssd is not None


def score_resting(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    *,
    start_s: float,
    end_s: float,
) -> RestingScore:
    """RMSSD, ln RMSSD and mean HR of the beats in ``[start_s, end_s]``."""
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    inside = (t >= start_s) & (t <= end_s)
    n = int(inside.sum())
    scored_s = max(0.0, end_s - start_s)
    if n < MIN_BEATS:
        return RestingScore(None, None, None, n, 0, scored_s, f"only {n} beats to score")
    covered = coverage(t, start_s, end_s)
    if covered < MIN_COVERAGE:
        return RestingScore(
            None,
            None,
            None,
            n,
            0,
            scored_s,
            f"signal lost for {scored_s * (1 - covered):.0f} s of {scored_s:.0f} s",
        )
    clean = correct_artifacts(t[inside], rr[inside])
    diffs = np.diff(clean.rr_ms)
    rmssd = float(np.sqrt(np.mean(diffs * diffs)))
    hr = 60000.0 / float(np.mean(clean.rr_ms))
    note = ""
    if clean.corrected:
        note = f"{clean.corrected} beat{'' if clean.corrected == 1 else 's'} corrected"
    if rmssd <= 0 or not math.isfinite(rmssd):
        return RestingScore(None, None, hr, n, clean.corrected, scored_s, "no beat-to-beat change")
    return RestingScore(rmssd, math.log(rmssd), hr, n, clean.corrected, scored_s, note)


@dataclass(frozen=True)
class Reading:
    """A past resting reading: its day and its ln RMSSD."""

    day: date
    ln_rmssd: float


@dataclass(frozen=True)
class AgainstHistory:
    """A reading placed against the person's own history.

    Attributes:
        baseline_ln_rmssd: Mean daily ln RMSSD over the last :data:`BASELINE_DAYS` days.
        normal_range: ``(low, high)`` of ln RMSSD, or ``None`` before enough readings.
        readings_in_baseline: Days with a reading in the baseline window.
        readings_in_range: Days with a reading in the normal-range window.
        verdict: One plain sentence.
    """

    baseline_ln_rmssd: float | None
    normal_range: tuple[float, float] | None
    readings_in_baseline: int
    readings_in_range: int
    verdict: str


def _daily(readings: Sequence[Reading], first: date, last: date) -> list[float]:
    by_day: dict[date, list[float]] = {}
    for r in readings:
        if first <= r.day <= last and math.isfinite(r.ln_rmssd):
            by_day.setdefault(r.day, []).append(r.ln_rmssd)
    return [float(np.mean(v)) for _, v in sorted(by_day.items())]


def against_history(
    ln_rmssd: float | None, day: date, history: Sequence[Reading]
) -> AgainstHistory:
    """Baseline, normal range and verdict for a reading on ``day``.

    Args:
        ln_rmssd: This reading (``None`` when it could not be scored).
        day: Its day.
        history: Every resting reading, this one included if it has been stored.
    """
    baseline_days = _daily(history, day - timedelta(days=BASELINE_DAYS - 1), day)
    range_days = _daily(history, day - timedelta(days=RANGE_DAYS - 1), day)
    baseline = float(np.mean(baseline_days)) if baseline_days else None
    normal: tuple[float, float] | None = None
    if len(range_days) >= MIN_READINGS_FOR_RANGE:
        mean = float(np.mean(range_days))
        sd = float(np.std(range_days, ddof=1))
        normal = (mean - RANGE_SD * sd, mean + RANGE_SD * sd)
    if ln_rmssd is None:
        verdict = "no reading this time: check the strap's contact and try again"
    elif normal is None:
        need = MIN_READINGS_FOR_RANGE - len(range_days)
        verdict = (
            f"building your baseline: {len(range_days)} of {MIN_READINGS_FOR_RANGE} days so far, "
            f"{need} more to see your usual range"
        )
    elif ln_rmssd < normal[0]:
        verdict = VERDICT_LOWER
    elif ln_rmssd > normal[1]:
        verdict = VERDICT_HIGHER
    else:
        verdict = VERDICT_WITHIN
    return AgainstHistory(baseline, normal, len(baseline_days), len(range_days), verdict)


def check_json(score: RestingScore, placed: AgainstHistory) -> dict[str, object]:
    """The ``--json`` keys of ``hrvcoach check``."""
    return {
        "protocol": "resting",
        "rmssd_ms": _round(score.rmssd_ms, 2),
        "ln_rmssd": _round(score.ln_rmssd, 3),
        "mean_hr_bpm": _round(score.mean_hr_bpm, 1),
        "baseline_ln_rmssd": _round(placed.baseline_ln_rmssd, 3),
        "normal_range": (
            [round(placed.normal_range[0], 3), round(placed.normal_range[1], 3)]
            if placed.normal_range
            else None
        ),
        "readings_in_baseline": placed.readings_in_baseline,
        "verdict": placed.verdict,
        "beats": score.beats,
        "artifacts": score.artifacts,
        "scored_s": round(score.scored_s, 1),
        "note": score.note,
    }


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)
