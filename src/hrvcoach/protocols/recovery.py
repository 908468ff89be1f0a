"""The recovery drill: how quickly heart rate and variability come back after an activation.

Three phases: a seated **baseline** (natural breathing), an **activation** (physical: squats or
stair steps; or mental: serial-7 subtraction) and a seated **recovery** (natural breathing or the
resonance pacer). :func:`score_recovery` reports

- ``baseline_hr_bpm``: mean HR over the scored baseline;
- ``peak_hr_bpm``: the highest 5-s mean HR from the activation's last 30 s to 15 s after it;
- ``hrr60_bpm``: heart-rate recovery, the 5-s mean HR at the activation's end minus the 5-s
  mean 60 s later (Cole et al. 1999, for exercise);
- ``tau_s``: the time constant of a mono-exponential fit ``HR(t) = HR_end + A exp(-t / tau)``
  to 1-s heart rate from :data:`FIT_START_S` after the activation to the end of the recovery
  (Imai et al. 1994; Pierpont et al. 2000). It is reported only when the fit covers at least
  :data:`MIN_FIT_S`, the drop is clear of the beat-to-beat noise, the fit explains at least
  :data:`MIN_R2` of the variance, tau's standard error is at most :data:`MAX_TAU_REL_SE` of it
  and tau lies within the fitted span; otherwise ``None`` with ``tau_reason``;
- ``rmssd_t90_s``: seconds after the activation until the RMSSD of the last 30 s first reaches
  90 % of the baseline RMSSD, or ``None`` if it does not within the recovery;
- ``reactivity_ln_rmssd``: ln RMSSD during the activation minus ln RMSSD at baseline (negative:
  variability dropped);
- ``recovered``: the RMSSD came back (``rmssd_t90_s`` is set) and HR over the recovery's last
  30 s is within :data:`RECOVERED_HR_BPM` of baseline.

Pure: numbers and phase times in, numbers out. scipy only inside the fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hrvcoach.protocols.signals import correct_artifacts, coverage, rmssd_ms

BASELINE_S = 120.0
BASELINE_SETTLE_S = 20.0
PHYSICAL_S = 60.0
MENTAL_S = 120.0
RECOVERY_S = 300.0
ACTIVATIONS = ("physical", "mental")
RECOVER_WITH = ("natural", "pacer")

FIT_START_S = 10.0  #: the fit starts this long after the activation ends
MIN_FIT_S = 180.0  #: ... and must cover at least this much
MIN_R2 = 0.5
#: ... and the fit must pin tau down: its standard error at most this share of tau
MAX_TAU_REL_SE = 0.25
#: the fitted drop must be at least this many times the residual noise (and 3 bpm)
MIN_DROP_TO_NOISE = 3.0
MIN_DROP_BPM = 3.0
RMSSD_WINDOW_S = 30.0
RMSSD_STEP_S = 5.0
T90_FRACTION = 0.9
RECOVERED_HR_BPM = 5.0
MIN_COVERAGE = 0.7


@dataclass(frozen=True)
class TauFit:
    """The exponential fit of the HR decay, or why there is none.

    Attributes:
        tau_s: Time constant (s), or ``None``.
        reason: Why ``tau_s`` is ``None`` (empty when it is set).
        r2: Share of the variance the fit explains (``None`` without a fit).
        drop_bpm: Fitted amplitude ``A`` at the fit's start.
        asymptote_bpm: Fitted ``HR_end``.
        span_s: Seconds of heart rate fitted.
    """

    tau_s: float | None
    reason: str
    r2: float | None = None
    drop_bpm: float | None = None
    asymptote_bpm: float | None = None
    span_s: float = 0.0


def hr_per_second(
    t_s: np.ndarray, rr_ms: np.ndarray, start_s: float, end_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Heart rate on a 1-s grid over ``[start_s, end_s]``, linearly interpolated between beats.

    Intervals are placed at their midpoints; the grid does not reach beyond the beats.
    """
    mid = t_s - rr_ms / 2000.0
    hr = 60000.0 / rr_ms
    lo, hi = max(start_s, float(mid[0])), min(end_s, float(mid[-1]))
    if hi <= lo:
        return np.empty(0), np.empty(0)
    grid = np.arange(math.ceil(lo), math.floor(hi) + 1e-9, 1.0)
    return grid, np.interp(grid, mid, hr)


def fit_tau(t_s: np.ndarray, hr_bpm: np.ndarray) -> TauFit:
    """Fit ``HR = c + A exp(-(t - t0) / tau)`` to the samples (``t0`` their first time).

    Refuses (``tau_s`` ``None`` with a reason) a span shorter than :data:`MIN_FIT_S`, a drop not
    clear of the noise (a flat heart rate), a poor or loose fit (an erratic one), and a tau
    beyond the span (the decay never levels off within the recovery, so the asymptote is a
    guess).
    """
    if t_s.size < 2 or t_s[-1] - t_s[0] < MIN_FIT_S:
        span = float(t_s[-1] - t_s[0]) if t_s.size >= 2 else 0.0
        return TauFit(
            None,
            f"the fit needs {MIN_FIT_S:.0f} s of heart rate after the activation; "
            f"there were {span:.0f} s",
            span_s=span,
        )
    from scipy.optimize import curve_fit

    x = t_s - t_s[0]
    span = float(x[-1])

    def model(x: np.ndarray, c: float, a: float, tau: float) -> np.ndarray:
        return c + a * np.exp(-x / tau)

    tail = float(np.mean(hr_bpm[x >= span - 30.0]))
    head = float(np.mean(hr_bpm[x <= 5.0]))
    guess = (tail, max(head - tail, 1.0), 40.0)
    try:
        params, cov = curve_fit(
            model,
            x,
            hr_bpm,
            p0=guess,
            bounds=((20.0, -100.0, 1.0), (250.0, 150.0, 5.0 * span)),
            maxfev=5000,
        )
    except (RuntimeError, ValueError):
        return TauFit(None, "the heart rate did not follow an exponential decay", span_s=span)
    c, a, tau = (float(v) for v in params)
    tau_se = float(np.sqrt(cov[2, 2])) if np.isfinite(cov[2, 2]) else math.inf
    residual = hr_bpm - model(x, c, a, tau)
    ss_res = float(np.sum(residual**2))
    ss_tot = float(np.sum((hr_bpm - hr_bpm.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0
    noise = float(np.std(residual))
    found = TauFit(None, "", r2, a, c, span)
    if a < max(MIN_DROP_BPM, MIN_DROP_TO_NOISE * noise):
        return _refuse(
            found,
            f"heart rate dropped by {max(a, 0.0):.1f} bpm, not clearly more than its "
            f"beat-to-beat swing ({noise:.1f} bpm)",
        )
    if r2 < MIN_R2:
        return _refuse(found, f"the exponential explains only {100 * r2:.0f}% of the heart rate")
    if tau_se > MAX_TAU_REL_SE * tau:
        return _refuse(
            found, f"the fit leaves tau uncertain ({tau:.0f} s, give or take {tau_se:.0f} s)"
        )
    if tau > span:
        return _refuse(
            found, f"the decay (tau {tau:.0f} s) did not level off within the {span:.0f} s fitted"
        )
    return TauFit(tau, "", r2, a, c, span)


def _refuse(fit: TauFit, reason: str) -> TauFit:
    return TauFit(None, reason, fit.r2, fit.drop_bpm, fit.asymptote_bpm, fit.span_s)


def rolling_rmssd(
    t_s: np.ndarray, rr_ms: np.ndarray, start_s: float, end_s: float
) -> list[tuple[float, float]]:
    """``(window_end_s, rmssd_ms)``: RMSSD of the last 30 s (:data:`RMSSD_WINDOW_S`), every 5 s."""
    out = []
    for stop in np.arange(start_s + RMSSD_WINDOW_S, end_s + 1e-9, RMSSD_STEP_S):
        inside = (t_s > stop - RMSSD_WINDOW_S) & (t_s <= stop)
        value = rmssd_ms(rr_ms[inside])
        if value is not None:
            out.append((float(stop), value))
    return out


@dataclass(frozen=True)
class RecoveryScore:
    """The recovery drill's numbers (see the module's description)."""

    baseline_hr_bpm: float | None
    peak_hr_bpm: float | None
    hrr60_bpm: float | None
    tau: TauFit
    rmssd_t90_s: float | None
    reactivity_ln_rmssd: float | None
    recovered: bool
    baseline_rmssd_ms: float | None
    activation_rmssd_ms: float | None
    end_hr_bpm: float | None
    artifacts: int
    note: str = ""

    @property
    def tau_s(self) -> float | None:
        return self.tau.tau_s


def _mean_between(grid: np.ndarray, hr: np.ndarray, lo: float, hi: float) -> float | None:
    inside = (grid >= lo) & (grid <= hi)
    return float(hr[inside].mean()) if inside.any() else None


def _ln(value: float | None) -> float | None:
    return math.log(value) if value is not None and value > 0 else None


def score_recovery(
    t_s: Sequence[float] | np.ndarray,
    rr_ms: Sequence[float] | np.ndarray,
    *,
    baseline: tuple[float, float],
    activation: tuple[float, float],
    recovery_end_s: float,
) -> RecoveryScore:
    """Score a recovery drill.

    Args:
        t_s: Beat times (s), rising.
        rr_ms: RR intervals ending at those beats (uncorrected: artifacts are replaced here).
        baseline: Scored part of the baseline, ``(start_s, end_s)``.
        activation: The activation, ``(start_s, end_s)``.
        recovery_end_s: End of the recovery (it starts at the activation's end).
    """
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    act_start, act_end = activation
    keep = (t >= baseline[0] - 5.0) & (t <= recovery_end_s + 5.0)
    if int(keep.sum()) < 30:
        return _empty(f"only {int(keep.sum())} beats in the drill")
    clean = correct_artifacts(t[keep], rr[keep])
    ct, crr = clean.t_s, clean.rr_ms
    grid, hr = hr_per_second(ct, crr, baseline[0], recovery_end_s)
    notes = []
    if clean.corrected:
        notes.append(f"{clean.corrected} beat{'' if clean.corrected == 1 else 's'} corrected")
    base_ok = coverage(ct, *baseline) >= MIN_COVERAGE
    if not base_ok:
        notes.append("too little signal in the baseline")
    baseline_hr = _mean_between(grid, hr, *baseline) if base_ok else None
    in_base = (ct >= baseline[0]) & (ct <= baseline[1])
    baseline_rmssd = rmssd_ms(crr[in_base]) if base_ok else None
    in_act = (ct >= act_start) & (ct <= act_end)
    activation_rmssd = rmssd_ms(crr[in_act])
    # 5-s means: one beat's swing should not make the peak or the drop
    smooth = np.convolve(hr, np.ones(5) / 5.0, mode="same") if hr.size >= 5 else hr
    around = (grid >= max(act_start, act_end - 30.0)) & (grid <= act_end + 15.0)
    peak = float(smooth[around].max()) if around.any() else None
    end_hr = _mean_between(grid, hr, act_end - 5.0, act_end)
    later = _mean_between(grid, hr, act_end + 57.5, act_end + 62.5)
    hrr60 = end_hr - later if end_hr is not None and later is not None else None
    fit_from = act_end + FIT_START_S
    fitted = (grid >= fit_from) & (grid <= recovery_end_s)
    if coverage(ct, fit_from, recovery_end_s) < MIN_COVERAGE:
        tau = TauFit(None, "too little signal in the recovery to fit")
    else:
        tau = fit_tau(grid[fitted], hr[fitted])
    t90 = None
    if baseline_rmssd is not None:
        for stop, value in rolling_rmssd(ct, crr, act_end, recovery_end_s):
            if value >= T90_FRACTION * baseline_rmssd:
                t90 = stop - act_end
                break
    final_hr = _mean_between(grid, hr, recovery_end_s - 30.0, recovery_end_s)
    recovered = (
        t90 is not None
        and baseline_hr is not None
        and final_hr is not None
        and final_hr - baseline_hr <= RECOVERED_HR_BPM
    )
    base_ln, act_ln = _ln(baseline_rmssd), _ln(activation_rmssd)
    return RecoveryScore(
        baseline_hr,
        peak,
        hrr60,
        tau,
        t90,
        act_ln - base_ln if act_ln is not None and base_ln is not None else None,
        recovered,
        baseline_rmssd,
        activation_rmssd,
        end_hr,
        clean.corrected,
        "; ".join(notes),
    )


def _empty(note: str) -> RecoveryScore:
    return RecoveryScore(
        None, None, None, TauFit(None, note), None, None, False, None, None, None, 0, note
    )


def recovery_json(
    score: RecoveryScore, phases: Sequence[dict[str, object]], **extra: object
) -> dict[str, object]:
    """The ``--json`` keys of ``hrvcoach recovery``."""
    return {
        "protocol": "recovery",
        "baseline_hr_bpm": _round(score.baseline_hr_bpm, 1),
        "peak_hr_bpm": _round(score.peak_hr_bpm, 1),
        "hrr60_bpm": _round(score.hrr60_bpm, 1),
        "tau_s": _round(score.tau_s, 1),
        "tau_reason": score.tau.reason or None,
        "tau_fit_r2": _round(score.tau.r2, 3),
        "rmssd_t90_s": _round(score.rmssd_t90_s, 1),
        "reactivity_ln_rmssd": _round(score.reactivity_ln_rmssd, 3),
        "recovered": score.recovered,
        "baseline_rmssd_ms": _round(score.baseline_rmssd_ms, 1),
        "activation_rmssd_ms": _round(score.activation_rmssd_ms, 1),
        "phases": list(phases),
        "artifacts": score.artifacts,
        "note": score.note,
        **extra,
    }


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)
