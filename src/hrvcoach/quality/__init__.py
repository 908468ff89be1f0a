"""Signal quality: which beats are normal, and how far the numbers of a stretch can be trusted.

:mod:`hrvcoach.quality.classify` classifies every beat (normal, ectopic, missed, extra, artifact);
:func:`assess` turns the counts into a :class:`Quality`: the share of ectopic beats, the share of
artifacts (missed, extra and artifact beats: the detection failed, not the heart), and a verdict.

Thresholds on the share of beats that are not normal (``ectopic_pct + artifact_pct``), stricter
for spectra, which see a removed beat as a hole in an interpolated series, than for the time
domain, which only loses the differences around it:

============  ==============  ==============
verdict       time domain     spectra
============  ==============  ==============
``good``      below 5 %       below 2 %
``fair``      below 20 %      below 10 %
``poor``      20 % or more    10 % or more
============  ==============  ==============

An empty stretch is ``poor``: there is nothing to trust.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["good", "fair", "poor"]

#: (good below, fair below) in percent of beats not normal
TIME_DOMAIN_LIMITS_PCT = (5.0, 20.0)
SPECTRAL_LIMITS_PCT = (2.0, 10.0)


@dataclass(frozen=True, slots=True)
class Quality:
    """How much of a stretch of beats is normal.

    Attributes:
        beats: Beats judged.
        ectopic_pct: Ectopic beats, percent of ``beats``.
        artifact_pct: Missed, extra and artifact beats, percent of ``beats``.
        verdict: For the time domain (see the module's table).
        spectral_verdict: For spectra and coherence (stricter).
    """

    beats: int
    ectopic_pct: float
    artifact_pct: float
    verdict: Verdict
    spectral_verdict: Verdict

    @property
    def not_normal_pct(self) -> float:
        """Beats that are not normal, percent."""
        return self.ectopic_pct + self.artifact_pct

    def to_json(self) -> dict[str, object]:
        """``{"ectopic_pct", "artifact_pct", "verdict", "spectral_verdict", "beats"}``."""
        return {
            "ectopic_pct": round(self.ectopic_pct, 3),
            "artifact_pct": round(self.artifact_pct, 3),
            "verdict": self.verdict,
            "spectral_verdict": self.spectral_verdict,
            "beats": self.beats,
        }


def verdict_of(not_normal_pct: float, limits: tuple[float, float]) -> Verdict:
    """``good``, ``fair`` or ``poor`` for a share of beats that are not normal."""
    if not math.isfinite(not_normal_pct):
        return "poor"
    if not_normal_pct < limits[0]:
        return "good"
    return "fair" if not_normal_pct < limits[1] else "poor"


def assess(beats: int, ectopic: int, artifacts: int) -> Quality:
    """The quality of a stretch from its beat counts.

    Args:
        beats: Beats judged (all classes).
        ectopic: Ectopic beats among them.
        artifacts: Missed, extra and artifact beats among them.
    """
    if beats <= 0:
        return Quality(0, 0.0, 0.0, "poor", "poor")
    e = 100.0 * ectopic / beats
    a = 100.0 * artifacts / beats
    return Quality(
        beats,
        e,
        a,
        verdict_of(e + a, TIME_DOMAIN_LIMITS_PCT),
        verdict_of(e + a, SPECTRAL_LIMITS_PCT),
    )
