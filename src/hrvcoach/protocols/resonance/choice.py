"""Choosing the resonance rate from the scored steps, and saying how sure the choice is.

Pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from hrvcoach.pacer import Pacer
from hrvcoach.protocols.resonance.plan import AssessmentStep
from hrvcoach.protocols.resonance.scoring import StepScore, score_step

#: criterion -> weight in the combined score (see docs/assessment.md for why these)
WEIGHTS: dict[str, float] = {
    "peak_trough": 0.30,
    "lf_power": 0.25,
    "lf_peak": 0.15,
    "phase": 0.20,
    "coherence": 0.10,
}
#: a step whose LF peak is not at the paced rate keeps this share of its score: the heart was
#: swinging, but not with the breath being tested
NOT_FOLLOWING_FACTOR = 0.8
#: runner-up within this much of the winner's combined score (0..1 scale): a close call
CLOSE_MARGIN = 0.06
#: the response is flat when the largest peak-to-trough swing is less than this many times the
#: smallest and the LF power spread is small too
FLAT_PEAK_TROUGH_RATIO = 1.25
FLAT_LF_RATIO = 2.0
#: ... or when even the weakest rate scores at least this share of the best: no rate stands out
#: (one noisy breath can lift a single criterion; it cannot lift them all)
FLAT_SCORE_RATIO = 0.8

CONFIDENCES = ("clear", "close", "none")


@dataclass(frozen=True)
class AssessmentResult:
    """The outcome of an assessment.

    Attributes:
        steps: Every step's score, in protocol order.
        scores: Combined score per step (0..1, same order; 0 for unusable steps).
        resonance_bpm: The rate to practise at, or ``None`` when no rate stands out.
        best_bpm: The highest-scoring rate, even when the call is ``none``.
        confidence: ``"clear"``, ``"close"`` or ``"none"``.
        reason: One sentence saying why.
        runner_up_bpm: The second-best rate, when there is one.
    """

    steps: tuple[StepScore, ...]
    scores: tuple[float, ...]
    resonance_bpm: float | None
    best_bpm: float | None
    confidence: str
    reason: str
    runner_up_bpm: float | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self, *, recording: str | None = None) -> dict[str, object]:
        """The ``--json`` shape: ``steps``, ``resonance_bpm``, ``confidence``, ``reason``, ..."""
        steps = []
        for step, score in zip(self.steps, self.scores, strict=True):
            item = step.to_json()
            item["score"] = round(score, 3)
            steps.append(item)
        return {
            "steps": steps,
            "resonance_bpm": self.resonance_bpm,
            "best_bpm": self.best_bpm,
            "runner_up_bpm": self.runner_up_bpm,
            "confidence": self.confidence,
            "reason": self.reason,
            "recording": recording,
            **self.extra,
        }


def _normalised(values: list[float | None]) -> list[float]:
    """Each value over the largest (0 for missing); all zeros when nothing is positive."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    top = max(finite) if finite else 0.0
    if top <= 0:
        return [0.0] * len(values)
    return [
        (min(v, top) / top if v is not None and math.isfinite(v) and v > 0 else 0.0) for v in values
    ]


def combined_scores(steps: Sequence[StepScore]) -> list[float]:
    """One score in 0..1 per step (0 for unusable ones), weighted as in :data:`WEIGHTS`.

    Amplitude-like criteria are divided by the best step's value, so the best step gets 1 and
    a step with half the swing gets 0.5: unlike ranks, this keeps a flat response flat. Phase
    scores ``(1 + cos phase) / 2``: 1 in phase, 0 in antiphase. Criteria that no step has
    (phase without a pacer) are left out and the weights of the rest renormalised.
    """
    usable = [s if s.usable else None for s in steps]
    columns: dict[str, list[float]] = {
        "peak_trough": _normalised([s.peak_trough_bpm if s else None for s in usable]),
        "lf_power": _normalised([s.lf_ms2 if s else None for s in usable]),
        "lf_peak": _normalised([s.lf_peak_ms2_hz if s else None for s in usable]),
        "coherence": _normalised([s.coherence if s else None for s in usable]),
    }
    weights = dict(WEIGHTS)
    if any(s is not None and s.phase_deg is not None for s in usable):
        columns["phase"] = [
            (1.0 + math.cos(math.radians(s.phase_deg))) / 2.0
            if s is not None and s.phase_deg is not None
            else 0.0
            for s in usable
        ]
    else:
        weights.pop("phase")
    total_weight = sum(weights.values())
    scores = []
    for i, s in enumerate(usable):
        if s is None:
            scores.append(0.0)
            continue
        value = sum(weights[k] * columns[k][i] for k in weights) / total_weight
        if s.follows_pacer is False:
            value *= NOT_FOLLOWING_FACTOR
        scores.append(value)
    return scores


def _spread(values: Sequence[float]) -> float:
    low = min(values)
    return max(values) / low if low > 0 else float("inf")


def choose_resonance(steps: Sequence[StepScore]) -> AssessmentResult:
    """Pick the resonance rate from scored steps and say how sure the pick is.

    - ``none`` when fewer than two steps are usable, or the response is flat: peak-to-trough
      swings within :data:`FLAT_PEAK_TROUGH_RATIO` of each other and LF power within
      :data:`FLAT_LF_RATIO`, or every rate's combined score at least :data:`FLAT_SCORE_RATIO` of
      the best. ``resonance_bpm`` is then ``None``: nothing justifies moving away from the usual
      pace.
    - ``close`` when the runner-up's combined score is within :data:`CLOSE_MARGIN` of the
      winner's.
    - ``clear`` otherwise.
    """
    steps = tuple(steps)
    scores = combined_scores(steps)
    usable = [i for i, s in enumerate(steps) if s.usable]
    if not usable:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            None,
            "none",
            "No step had enough clean signal to judge; check the strap's "
            "contact and run the assessment again.",
        )
    order = sorted(usable, key=lambda i: (-scores[i], steps[i].index))
    best = steps[order[0]]
    second = steps[order[1]] if len(order) > 1 else None
    if second is None:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            best.rate_bpm,
            "none",
            f"Only {best.rate_bpm:.1f} breaths/min had enough clean signal, so "
            "there is nothing to compare it with.",
        )
    swings = [steps[i].peak_trough_bpm or 0.0 for i in usable]
    powers = [steps[i].lf_ms2 or 0.0 for i in usable]
    edge = ""
    rates = [steps[i].rate_bpm for i in usable]
    if best.rate_bpm in (min(rates), max(rates)) and len(rates) > 2:
        edge = " It is the end of the range tested, so your resonance may lie beyond it."
    if _spread(swings) < FLAT_PEAK_TROUGH_RATIO and _spread(powers) < FLAT_LF_RATIO:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            best.rate_bpm,
            "none",
            f"Heart-rate swings were about the same at every rate ({min(swings):.1f}-"
            f"{max(swings):.1f} bpm peak to trough), so no rate stands out; keep your usual pace.",
            runner_up_bpm=second.rate_bpm,
        )
    weakest = min(scores[i] for i in usable)
    if weakest >= FLAT_SCORE_RATIO * scores[order[0]]:
        return AssessmentResult(
            steps,
            tuple(scores),
            None,
            best.rate_bpm,
            "none",
            f"Every rate scored within {100 * (1 - FLAT_SCORE_RATIO):.0f}% of the best "
            f"({weakest:.2f}-{scores[order[0]]:.2f}), so no rate stands out; keep your usual "
            "pace.",
            runner_up_bpm=second.rate_bpm,
        )
    gap = scores[order[0]] - scores[order[1]]
    if gap < CLOSE_MARGIN:
        return AssessmentResult(
            steps,
            tuple(scores),
            best.rate_bpm,
            best.rate_bpm,
            "close",
            f"{best.rate_bpm:.1f} and {second.rate_bpm:.1f} breaths/min responded almost equally "
            f"(scores {scores[order[0]]:.2f} and {scores[order[1]]:.2f}); {best.rate_bpm:.1f} "
            f"had the edge, and either is a good pace to practise.{edge}",
            runner_up_bpm=second.rate_bpm,
        )
    assert best.peak_trough_bpm is not None
    assert best.lf_ms2 is not None
    return AssessmentResult(
        steps,
        tuple(scores),
        best.rate_bpm,
        best.rate_bpm,
        "clear",
        f"{best.rate_bpm:.1f} breaths/min gave the largest response "
        f"({best.peak_trough_bpm:.1f} bpm peak to trough, LF {best.lf_ms2:.0f} ms²), "
        f"clearly ahead of {second.rate_bpm:.1f} "
        f"(score {scores[order[0]]:.2f} against {scores[order[1]]:.2f}).{edge}",
        runner_up_bpm=second.rate_bpm,
    )


@dataclass(frozen=True)
class AssessmentOutcome:
    """What a guided view shows at the end of an assessment.

    Attributes:
        result: The scored assessment, or ``None`` when it could not be scored.
        pace_note: One sentence on the default practice pace: now this rate, or why it stays.
        problem: Why there is no result (too few steps completed ...); empty when there is one.
        recording: Where the assessment was recorded, as text, if it was.
        simulated: The simulator produced the beats: the rate is the simulated person's.
    """

    result: AssessmentResult | None
    pace_note: str = ""
    problem: str = ""
    recording: str | None = None
    simulated: bool = False


def assess_beats(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    steps: Sequence[AssessmentStep],
    *,
    pacer: Pacer | None = None,
    breath: Callable[[np.ndarray], np.ndarray | None] | None = None,
) -> AssessmentResult:
    """Score every step of one recording and choose the rate (``breath``: see ``score_step``)."""
    return choose_resonance(
        [score_step(t_s, rr_ms, step, pacer=pacer, breath=breath) for step in steps]
    )
