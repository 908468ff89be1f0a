"""The deep-breathing test: one minute at 6 breaths a minute, 5 s in and 5 s out (Ewing's test).

After a settle period, six paced breaths. For each breath :func:`score_deep_breathing` measures

- the **HR difference**: the largest minus the smallest instantaneous heart rate within the
  breath (Ewing et al. 1985; Shields 2009), averaged over the breaths;
- the **E:I ratio**: the longest RR interval of the out-breath over the shortest of the in-breath
  (Sundkvist et al. 1979; Smith 1982), averaged over the breaths.

:func:`deep_breathing_norm` gives published reference values as context for a person's age: they
describe groups of people in clinical studies, and a reading outside them is an observation to
follow over weeks, never a diagnosis. Sources and caveats are in ``docs/capacity.md``.

Pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hrvcoach.protocols.signals import correct_artifacts, coverage

PACE_BPM = 6.0
IN_S = 5.0
OUT_S = 5.0
BREATHS = 6
DEFAULT_SETTLE_S = 30.0
#: a breath is scored when it holds at least this many beats
MIN_BEATS_PER_BREATH = 4
MIN_COVERAGE = 0.7

#: Ewing, Martyn, Young & Clarke 1985 (Diabetes Care 8:491): HR difference in adults, bpm
EWING_USUAL_BPM = 15.0
EWING_BORDERLINE_BPM = 11.0
EWING_SOURCE = "Ewing et al. 1985, Diabetes Care 8:491-498"
#: lower limits of the E:I ratio by age band (inclusive lower age, ratio), as reproduced from
#: O'Brien, O'Hare & Corrall 1986 (Br Heart J 55:348-354); see docs/capacity.md
EI_LOWER_LIMITS: tuple[tuple[int, float], ...] = (
    (20, 1.17),
    (25, 1.15),
    (30, 1.13),
    (35, 1.12),
    (40, 1.10),
    (45, 1.08),
    (50, 1.07),
    (55, 1.06),
    (60, 1.04),
    (65, 1.03),
    (70, 1.02),
)
EI_SOURCE = "O'Brien, O'Hare & Corrall 1986, Br Heart J 55:348-354"
MIN_AGE, MAX_AGE = 20, 75


@dataclass(frozen=True)
class BreathScore:
    """One paced breath."""

    start_s: float
    hr_max_bpm: float
    hr_min_bpm: float
    ei_ratio: float | None

    @property
    def hr_diff_bpm(self) -> float:
        return self.hr_max_bpm - self.hr_min_bpm

    def to_json(self) -> dict[str, object]:
        return {
            "start_s": round(self.start_s, 2),
            "hr_max_bpm": round(self.hr_max_bpm, 1),
            "hr_min_bpm": round(self.hr_min_bpm, 1),
            "hr_diff_bpm": round(self.hr_diff_bpm, 2),
            "ei_ratio": None if self.ei_ratio is None else round(self.ei_ratio, 3),
        }


@dataclass(frozen=True)
class DeepBreathingScore:
    """The test's result.

    Attributes:
        hr_diff_bpm: Mean over the breaths of max - min HR, or ``None``.
        ei_ratio: Mean E:I ratio, or ``None``.
        breaths: Each scored breath.
        mean_hr_bpm: Mean HR over the paced minute.
        artifacts: Intervals replaced.
        note: Why there is no number, or caveats.
    """

    hr_diff_bpm: float | None
    ei_ratio: float | None
    breaths: tuple[BreathScore, ...]
    mean_hr_bpm: float | None
    artifacts: int
    note: str = ""


def score_deep_breathing(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    cycle_starts_s: Sequence[float],
    *,
    in_s: float = IN_S,
    out_s: float = OUT_S,
) -> DeepBreathingScore:
    """Score the paced breaths that start at ``cycle_starts_s`` (each ``in_s`` + ``out_s`` long).

    Heart rate of each interval is placed at the interval's midpoint; an interval belongs to the
    breath phase its midpoint falls in.
    """
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    starts = list(cycle_starts_s)
    if not starts:
        return DeepBreathingScore(None, None, (), None, 0, "no paced breath to score")
    lo, hi = starts[0], starts[-1] + in_s + out_s
    near = (t >= lo - 5.0) & (t <= hi + 5.0)
    if int(near.sum()) < MIN_BEATS_PER_BREATH * len(starts):
        return DeepBreathingScore(
            None, None, (), None, 0, f"only {int(near.sum())} beats in the paced minute"
        )
    covered = coverage(t, lo, hi)
    if covered < MIN_COVERAGE:
        return DeepBreathingScore(
            None, None, (), None, 0, f"signal lost for {(hi - lo) * (1 - covered):.0f} s"
        )
    clean = correct_artifacts(t[near], rr[near])
    mid = clean.t_s - clean.rr_ms / 2000.0
    hr = 60000.0 / clean.rr_ms
    breaths = []
    for start in starts:
        inhale = (mid >= start) & (mid < start + in_s)
        exhale = (mid >= start + in_s) & (mid < start + in_s + out_s)
        both = inhale | exhale
        if int(both.sum()) < MIN_BEATS_PER_BREATH:
            continue
        ei = None
        if inhale.any() and exhale.any():
            ei = float(clean.rr_ms[exhale].max() / clean.rr_ms[inhale].min())
        breaths.append(BreathScore(start, float(hr[both].max()), float(hr[both].min()), ei))
    in_window = (mid >= lo) & (mid < hi)
    mean_hr = float(60000.0 / np.mean(clean.rr_ms[in_window])) if in_window.any() else None
    if not breaths:
        return DeepBreathingScore(None, None, (), mean_hr, clean.corrected, "no breath scored")
    ratios = [b.ei_ratio for b in breaths if b.ei_ratio is not None]
    notes = []
    if len(breaths) < len(starts):
        notes.append(f"{len(breaths)} of {len(starts)} breaths scored")
    if clean.corrected:
        notes.append(f"{clean.corrected} beat{'' if clean.corrected == 1 else 's'} corrected")
    return DeepBreathingScore(
        float(np.mean([b.hr_diff_bpm for b in breaths])),
        float(np.mean(ratios)) if ratios else None,
        tuple(breaths),
        mean_hr,
        clean.corrected,
        "; ".join(notes),
    )


def even_cycles(
    start_s: float, *, breaths: int = BREATHS, period_s: float = IN_S + OUT_S
) -> list[float]:
    """Breath starts of an even pace from ``start_s`` (for a recording made without a pacer)."""
    return [start_s + i * period_s for i in range(breaths)]


def ei_lower_limit(age: int) -> float | None:
    """The E:I ratio's lower reference limit for ``age``, or ``None`` outside the table's ages."""
    if not (MIN_AGE <= age <= MAX_AGE):
        return None
    limit = None
    for lowest_age, value in EI_LOWER_LIMITS:
        if age >= lowest_age:
            limit = value
    return limit


def deep_breathing_norm(
    age: int | None, hr_diff_bpm: float | None, ei_ratio: float | None
) -> dict[str, object] | None:
    """What the published references say for this age, as context (``None`` without an age).

    Returns:
        ``age``, Ewing's adult bands for the HR difference and where the reading lies in them,
        the E:I lower limit for the age (``None`` outside 20-75) and whether the reading reaches
        it, one plain ``text``, and the ``sources``.
    """
    if age is None:
        return None
    band = None
    if hr_diff_bpm is not None:
        if hr_diff_bpm >= EWING_USUAL_BPM:
            band = "usual"
        elif hr_diff_bpm >= EWING_BORDERLINE_BPM:
            band = "borderline"
        else:
            band = "below the usual band"
    limit = ei_lower_limit(age)
    reaches = None if limit is None or ei_ratio is None else ei_ratio >= limit
    words = []
    if hr_diff_bpm is not None:
        words.append(
            f"In adult reference groups an HR difference of {EWING_USUAL_BPM:g} bpm or more is "
            f"usual; yours was {hr_diff_bpm:.1f} bpm."
        )
    if limit is not None and ei_ratio is not None:
        words.append(
            f"At {age} the E:I ratio of most people is {limit:.2f} or more; yours was "
            f"{ei_ratio:.2f}."
        )
    elif limit is None:
        words.append(f"The E:I reference covers ages {MIN_AGE}-{MAX_AGE}.")
    words.append(
        "These are group references, not a diagnosis: your own trend over weeks says more."
    )
    return {
        "age": age,
        "hr_diff_usual_bpm": EWING_USUAL_BPM,
        "hr_diff_borderline_bpm": EWING_BORDERLINE_BPM,
        "hr_diff_band": band,
        "ei_ratio_lower_limit": limit,
        "ei_ratio_reaches_limit": reaches,
        "text": " ".join(words),
        "sources": [EWING_SOURCE, EI_SOURCE],
    }


def deep_breathing_json(score: DeepBreathingScore, *, age: int | None) -> dict[str, object]:
    """The ``--json`` keys of ``hrvcoach check --deep-breathing``."""
    return {
        "protocol": "deep_breathing",
        "hr_diff_bpm": _round(score.hr_diff_bpm, 2),
        "ei_ratio": _round(score.ei_ratio, 3),
        "breaths": [b.to_json() for b in score.breaths],
        "norm": deep_breathing_norm(age, score.hr_diff_bpm, score.ei_ratio),
        "mean_hr_bpm": _round(score.mean_hr_bpm, 1),
        "artifacts": score.artifacts,
        "note": score.note,
    }


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)
