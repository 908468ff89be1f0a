"""R-peaks in a chest strap's 130 Hz ECG, matched to the strap's own beats, and their shape.

- :func:`r_peaks`: neurokit2's cleaning and its ``kalidas2017`` detector (stationary wavelet
  transform), which holds up at 130 Hz: on the real Polar H10 recording in
  ``../shared/data/rr/ectopic-polar-h10-ecg`` (many premature ventricular beats) its peaks match
  795 of the strap's 798 beats within 30 ms (``tests/test_ecg.py``).
- :func:`match_to_strap`: which R-peak is which strap beat. Beat times from the strap are
  reconstructed from arrival (``docs/ble.md``), ECG times from the strap's own clock: a constant
  offset between the two is found first (the one that lines up most beats), then each beat takes
  the nearest peak within ``tolerance_s``.
- :func:`classify`: each beat's QRS (100 ms before the peak to 150 ms after) is correlated with
  the median shape of the beats whose timing is ordinary; a beat whose shape differs (correlation
  below :data:`SHAPE_LIMIT`) is *premature* (ventricular: a different way through the heart), the
  rest *normal*.
- :func:`fill_missed`: HRV keeps the strap's RR (1/1024 s steps); the ECG's peaks (7.7 ms steps)
  only split an interval the strap got wrong by missing a beat: one about twice its neighbours with
  an R-peak inside it. Good RR is never replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from hrvcoach.beats import Beat

DETECTOR = "kalidas2017"
SHAPE_LIMIT = 0.7  #: correlation with the normal QRS below which a beat's shape is not normal
QRS_BEFORE_S = 0.10
QRS_AFTER_S = 0.15
SHORT = 0.85  #: RR below this share of the local median is early (for building the template)


def r_peaks(uv: np.ndarray, rate_hz: float) -> np.ndarray:
    """Indices of the R-peaks of an ECG in microvolts (empty for less than two seconds)."""
    import numpy as np

    if len(uv) < 2 * rate_hz:
        return np.zeros(0, dtype=int)
    import neurokit2 as nk

    cleaned = nk.ecg_clean(np.asarray(uv, dtype=float), sampling_rate=rate_hz, method="neurokit")
    _, info = nk.ecg_peaks(cleaned, sampling_rate=rate_hz, method=DETECTOR)
    return np.asarray(info["ECG_R_Peaks"], dtype=int)


@dataclass(frozen=True, eq=False)
class Matching:
    """Strap beats and R-peaks, paired.

    Attributes:
        offset_s: What to add to a strap beat's time to land on its R-peak (the median).
        peak_of_beat: For each strap beat, the index of its R-peak, or -1 for none.
    """

    offset_s: float
    peak_of_beat: np.ndarray

    @property
    def matched(self) -> int:
        return int((self.peak_of_beat >= 0).sum())


def match_to_strap(
    peak_t: np.ndarray, beat_t: np.ndarray, *, tolerance_s: float = 0.06, search_s: float = 3.0
) -> Matching:
    """Pair strap beats with R-peaks (see the module)."""
    import numpy as np

    peak_t = np.asarray(peak_t, dtype=float)
    beat_t = np.asarray(beat_t, dtype=float)
    none = np.full(len(beat_t), -1, dtype=int)
    if len(peak_t) == 0 or len(beat_t) == 0:
        return Matching(0.0, none)

    def nearest(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = np.clip(np.searchsorted(peak_t, times), 1, max(1, len(peak_t) - 1))
        left, right = peak_t[idx - 1], peak_t[np.minimum(idx, len(peak_t) - 1)]
        use_left = np.abs(times - left) <= np.abs(times - right)
        chosen = np.where(use_left, idx - 1, np.minimum(idx, len(peak_t) - 1))
        return chosen, peak_t[chosen] - times

    sample = beat_t[:: max(1, len(beat_t) // 200)]
    candidates = (peak_t[None, :] - sample[:, None]).ravel()
    candidates = candidates[np.abs(candidates) <= search_s]
    best_offset, best_score = 0.0, -1
    for offset in np.unique(np.round(candidates, 3)):
        _, d = nearest(sample + offset)
        score = int((np.abs(d) <= tolerance_s / 2).sum())
        if score > best_score:
            best_offset, best_score = float(offset), score
    chosen, d = nearest(beat_t + best_offset)
    ok = np.abs(d) <= tolerance_s
    if ok.any():
        best_offset += float(np.median(d[ok]))
        chosen, d = nearest(beat_t + best_offset)
        ok = np.abs(d) <= tolerance_s
    return Matching(best_offset, np.where(ok, chosen, -1))


@dataclass(frozen=True, eq=False)
class EcgBeats:
    """R-peaks and what their shape says.

    Attributes:
        t_s: Time of each R-peak.
        correlation: Its QRS against the normal template (NaN at the edges of the recording).
        premature: True where the shape is not normal (:data:`SHAPE_LIMIT`).
    """

    t_s: np.ndarray
    correlation: np.ndarray
    premature: np.ndarray

    @property
    def premature_t_s(self) -> np.ndarray:
        return self.t_s[self.premature]


def classify(t_s: np.ndarray, uv: np.ndarray, rate_hz: float, peaks: np.ndarray) -> EcgBeats:
    """The shape of each beat against the normal template (see the module)."""
    import numpy as np

    uv = np.asarray(uv, dtype=float)
    before, after = round(QRS_BEFORE_S * rate_hz), round(QRS_AFTER_S * rate_hz)
    inside = (peaks - before >= 0) & (peaks + after < len(uv))
    corr = np.full(len(peaks), np.nan)
    if inside.sum() >= 3:
        segs = np.array([uv[p - before : p + after] for p in peaks[inside]])
        segs -= segs.mean(axis=1, keepdims=True)
        rr = np.diff(np.asarray(t_s)[peaks[inside]], prepend=np.nan)
        local = np.array(
            [np.nanmedian(rr[max(0, i - 4) : i + 5]) for i in range(len(rr))], dtype=float
        )
        ordinary = ~(rr < SHORT * local)
        template = np.median(segs[ordinary] if ordinary.sum() >= 3 else segs, axis=0)
        norms = np.linalg.norm(segs, axis=1) * np.linalg.norm(template)
        with np.errstate(invalid="ignore", divide="ignore"):
            corr[inside] = segs @ template / norms
    premature = np.nan_to_num(corr, nan=1.0) < SHAPE_LIMIT
    return EcgBeats(np.asarray(t_s)[peaks], corr, premature)


def fill_missed(
    beats: list[Beat], peak_t: np.ndarray, matching: Matching, *, ratio: float = 1.6
) -> list[Beat]:
    """The strap's beats, with a beat the strap missed put back from the ECG (see the module).

    An interval at least ``ratio`` times the median of its neighbours that has an R-peak inside it
    (away from both ends by a third of a neighbour) is split there: the new beat's RR comes from the
    ECG's peak times, and the beat after it keeps the rest of the strap's interval.
    """
    import numpy as np

    from hrvcoach.beats import Beat

    if len(beats) < 3 or len(peak_t) == 0:
        return list(beats)
    rr = np.array([b.rr_ms for b in beats])
    out: list[Beat] = []
    for i, beat in enumerate(beats):
        neighbours = np.r_[rr[max(0, i - 4) : i], rr[i + 1 : i + 5]]
        typical = float(np.median(neighbours)) if len(neighbours) else beat.rr_ms
        if beat.rr_ms >= ratio * typical and i > 0:
            start = beats[i - 1].t_s + matching.offset_s
            end = beat.t_s + matching.offset_s
            margin = typical / 3000.0
            inside = peak_t[(peak_t > start + margin) & (peak_t < end - margin)]
            if len(inside):
                split_t = float(inside[np.argmin(np.abs(inside - (start + end) / 2))])
                first_ms = (split_t - start) * 1000.0
                out.append(Beat(split_t - matching.offset_s, first_ms, None, beat.contact))
                out.append(
                    Beat(beat.t_s, beat.rr_ms - first_ms, beat.hr_bpm, beat.contact, beat.flags)
                )
                continue
        out.append(beat)
    return out
