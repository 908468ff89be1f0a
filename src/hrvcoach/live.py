"""Live HRV: metrics updated with every beat of a session, fast enough to replay a day in seconds.

**Time domain** (mean HR, SDNN, RMSSD, pNN50) is kept with running sums over the beats in the last
``window_s`` seconds (:class:`hrvcoach.live_window.RunningWindow`): each beat adds itself and
evicts what left the window, in O(1).
The values equal neurokit2's ``hrv_time`` on the window's RR (:meth:`LiveHrv.window` returns it);
the sums are recomputed exactly at every spectral refresh so rounding never accumulates.

**Spectrum and coherence** are recomputed every ``spectral_every_s`` seconds of session time
(default 5 s, as HeartMath does): band powers over the last ``spectral_window_s`` (default 128 s:
two Welch segments of 64 s, so three overlapping ones; the LF band needs about 2 min, Task Force
1996) with neurokit2's ``signal_psd`` method (:func:`hrv.frequency_domain`; computed by the same
Welch in numpy unless ``spectral_estimator="signal_psd"``, see :class:`LiveHrv`), and coherence
over the last 64 s (:func:`hrvcoach.coherence.coherence`), each over beats since the last gap
only. Until a stretch is that long the spectrum uses what there is (from ``min_spectral_s``) with
segments half as long as it, as ``signal_psd`` does.

**Beat classes** (the default, ``artifacts="nn"``): every beat is classified as it comes
(:mod:`hrvcoach.quality.live`, the local rule of :mod:`hrvcoach.quality.classify`): a beat that
looks normal is decided at once, a suspect one is held until the two beats after it have come,
and only NN intervals (both beats normal) enter the window; a difference across a beat that was
not normal is left out, as across a gap, and the spectrum interpolates over the hole. The share of
ectopic and artifact beats in the window gives :attr:`LiveMetrics.quality` (in every mode).

**Artifacts** (``artifacts="kubios"``, via neurokit2): a beat that looks normal enters the window
at once, as it came, so the display never waits. A beat that looks like an artifact
(:meth:`LiveHrv._suspect`: its RR more than ``hold_ratio`` from the median of the last 10 beats in
the window *and* its difference from the beat before over the Kubios method's first threshold) is
*held* out of the window, with every beat after it, until the Kubios pass has decided: one missed
beat would otherwise multiply RMSSD several-fold for the seconds before its correction. At each
refresh the Kubios method runs over the beats not yet final plus up to ``artifact_context_beats``
corrected beats before them (its thresholds need neighbours), and every beat that has at least
``artifact_lookahead_beats`` beats after it is replaced by its corrected version and becomes final.
A held beat enters as the method corrected it (or as it came, when the method left it), and the
held beats after it are tested again; the window pauses meanwhile, at most one refresh interval
plus the look-ahead (about 5-10 s). The spectrum, computed right after the correction, never sees
an artifact the method corrects. Each correction (moved, removed or inserted beat) counts once in
:attr:`LiveMetrics.artifacts`.

**Gaps**: :meth:`LiveHrv.gap`, a beat flagged ``AFTER_GAP``, and a dropped beat (``IMPLAUSIBLE`` or
``BUFFERED``, never used) break the chain of successive differences: the difference across the
break is left out, as neurokit2 does with ``RRI_Time``; the spectrum and coherence restart after it.
"""

from __future__ import annotations

import logging
import math
import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np

from hrvcoach import hrv
from hrvcoach.beats import Beat, BeatFlag, Gap
from hrvcoach.coherence import CoherenceMethod
from hrvcoach.coherence import coherence as window_coherence
from hrvcoach.live_window import RunningWindow
from hrvcoach.quality import Quality
from hrvcoach.quality.live import LiveClassifier

log = logging.getLogger(__name__)

#: beats with these flags never enter the metrics
EXCLUDED_FLAGS = BeatFlag.IMPLAUSIBLE | BeatFlag.BUFFERED


#: beats whose median RR gives the heart rate shown in large (:attr:`LiveMetrics.steady_hr_bpm`)
STEADY_HR_BEATS = 5


@dataclass(frozen=True, slots=True)
class LiveMetrics:
    """The metrics after one beat.

    Attributes:
        t_s: Session time of the beat.
        hr_bpm: Instantaneous heart rate of the last usable beat (``60000 / rr``).
        mean_hr_bpm: ``60000 / mean RR`` over the window.
        rmssd_ms, sdnn_ms, pnn50_pct: Time domain over the window (neurokit2 conventions).
        n_beats: Beats in the window.
        artifacts: Beats corrected so far in the session.
        lf_ms2, hf_ms2, lf_hf, lf_peak_hz: Spectrum of the window at the last refresh (``None``
            until a refresh has a long enough stretch without gaps; ``lf_peak_hz`` also when the
            LF band holds no local maximum, see :func:`hrvcoach.hrv.peak_hz`).
        coherence: Coherence ratio of the last 64 s at the last refresh (``None`` before 64 s).
        spectral_t_s: Session time of the last refresh that produced spectral values.
        mean_rr_ms: Mean RR over the window.
        coherence_peak_hz: Frequency of the coherence peak (the breathing rhythm in the heart rate).
        steady_hr_bpm: Heart rate from the median RR of the last :data:`STEADY_HR_BEATS` usable
            beats: what the window shows in large, so one irregular beat does not move it.
        coherence_in_s: While ``coherence`` is ``None``: about how many seconds of steady beats
            it still needs (its 64 s window, then the next refresh); ``None`` once it is there.
        quality: Beat classes over the time-domain window (:mod:`hrvcoach.quality`); ``None``
            before a beat has been decided.
    """

    t_s: float
    hr_bpm: float
    mean_hr_bpm: float
    rmssd_ms: float
    sdnn_ms: float
    pnn50_pct: float
    n_beats: int
    artifacts: int
    lf_ms2: float | None = None
    hf_ms2: float | None = None
    lf_hf: float | None = None
    lf_peak_hz: float | None = None
    coherence: float | None = None
    spectral_t_s: float | None = None
    mean_rr_ms: float = math.nan
    coherence_peak_hz: float | None = None
    quality: Quality | None = None
    steady_hr_bpm: float = math.nan
    coherence_in_s: float | None = None

    @property
    def shown_hr_bpm(self) -> float:
        """The heart rate to show in large: the steady one, else the last beat's."""
        return self.steady_hr_bpm if math.isfinite(self.steady_hr_bpm) else self.hr_bpm


@dataclass(frozen=True, slots=True)
class LiveWindow:
    """The beats the time-domain metrics are computed over.

    Attributes:
        t_s: Beat times.
        rr_ms: RR intervals (corrected where final).
        successive: One entry per difference: False where a gap lies between two beats.
    """

    t_s: np.ndarray
    rr_ms: np.ndarray
    successive: np.ndarray


class LiveHrv:
    """Sliding-window HRV of a beat stream.

    Args:
        window_s: Length of the time-domain window.
        artifacts: ``"nn"`` (default: NN intervals only, see the module docstring), ``"kubios"``
            (Kubios correction) or ``"none"``.
        spectral_every_s: Session time between spectral refreshes (and artifact passes).
        spectral: Spectrum settings (default :class:`hrv.SpectralMethod`, by ``signal_psd``).
        spectral_window_s: Beats the spectrum is computed over (default: two Welch segments, at
            least ``window_s``).
        spectral_estimator: ``"numpy"`` (default): each refresh's ``signal_psd`` Welch is
            computed by :func:`hrv.welch_spectrum`, which gives ``signal_psd``'s bins to rounding
            (tested at every refresh of a real recording) at a tenth of the cost;
            ``"signal_psd"``: call neurokit2's ``signal_psd`` itself, about 2 ms more per refresh,
            which a day replayed with ``--fast`` feels (benchmarks/README.md).
        coherence: Coherence definition.
        convention: Time-domain convention.
        min_spectral_s: Shortest gap-free stretch the spectrum is computed over.
        artifact_context_beats: Corrected beats given to the Kubios method before the new ones.
        artifact_lookahead_beats: Beats that must follow a beat before its correction is final.
        hold_ratio: Relative distance from the median of the last 10 beats beyond which a beat
            not yet final may be held out of the window (see :meth:`_suspect`); ``None``: never
            hold. Only with ``artifacts="kubios"``.
    """

    def __init__(
        self,
        *,
        window_s: float = 60.0,
        artifacts: str = "nn",
        spectral_every_s: float = 5.0,
        spectral: hrv.SpectralMethod | None = None,
        coherence: CoherenceMethod | None = None,
        convention: hrv.TimeDomainConvention = hrv.NEUROKIT,
        spectral_window_s: float | None = None,
        spectral_estimator: hrv.Estimator = "numpy",
        min_spectral_s: float = 50.0,
        artifact_context_beats: int = 32,
        artifact_lookahead_beats: int = 5,
        hold_ratio: float | None = 0.25,
    ) -> None:
        if window_s <= 0 or spectral_every_s <= 0:
            raise ValueError("window_s and spectral_every_s must be positive")
        if artifacts not in ("nn", "kubios", "none"):
            raise ValueError(f"unknown artifact method {artifacts!r} (nn, kubios or none)")
        self.window_s = float(window_s)
        self.artifact_method = artifacts
        self.spectral_every_s = float(spectral_every_s)
        self.spectral = spectral or hrv.SpectralMethod()
        self.coherence_method = coherence or CoherenceMethod()
        self.convention = convention
        self.spectral_window_s = (
            max(self.window_s, 2.0 * self.spectral.nperseg / self.spectral.rate_hz)
            if spectral_window_s is None
            else float(spectral_window_s)
        )
        if self.spectral_window_s <= 0:
            raise ValueError("spectral_window_s must be positive")
        if spectral_estimator not in ("auto", "signal_psd", "numpy"):
            raise ValueError(f"unknown spectral estimator {spectral_estimator!r}")
        self.spectral_estimator: hrv.Estimator = spectral_estimator
        self.min_spectral_s = min(float(min_spectral_s), self.spectral_window_s)
        self.context_beats = int(artifact_context_beats)
        self.lookahead_beats = int(artifact_lookahead_beats)
        self.hold_ratio = None if hold_ratio is None else float(hold_ratio)
        self._horizon_s = (
            max(self.window_s, self.spectral_window_s, self.coherence_method.window_s) + 2.0
        )
        # All beats within the horizon, the last window_s of them with running sums.
        self._win = RunningWindow(self.window_s, self._horizon_s)
        self._segment_start_s = -math.inf  # spectra use beats at or after this time only
        # Kubios state: raw beats not yet final, and the final corrected beats before them.
        self._pending: list[tuple[float, float]] = []
        self._context: deque[tuple[float, float]] = deque(maxlen=max(self.context_beats, 1))
        # The last _n_held pending beats are held out of the window (always a suffix of _pending).
        self._n_held = 0
        self._hold_th_ms: float | None = None  # Kubios first threshold, recomputed each refresh
        self._artifacts = 0
        self._classes = LiveClassifier(self.window_s)
        self._next_refresh_s: float | None = None
        self._last_t_s = 0.0
        self._hr_bpm = math.nan
        self._recent_rr: deque[float] = deque(maxlen=STEADY_HR_BEATS)
        self._stretch_start_s: float | None = None
        self._spectral: tuple[float | None, ...] = (None, None, None, None, None, None)
        self._spectral_t_s: float | None = None

    # -- public ------------------------------------------------------------------------------
    def update(self, beat: Beat) -> LiveMetrics:
        """Take one beat and return the metrics after it."""
        self._last_t_s = max(self._last_t_s, beat.t_s)
        if self._next_refresh_s is None:
            self._next_refresh_s = (
                math.floor(beat.t_s / self.spectral_every_s) + 1
            ) * self.spectral_every_s
        if beat.flags & EXCLUDED_FLAGS or not (beat.rr_ms > 0):
            self._break(beat.t_s)
        else:
            if beat.flags & BeatFlag.AFTER_GAP:
                self._break(beat.t_s - beat.rr_ms / 1000.0)
            self._hr_bpm = 60000.0 / beat.rr_ms
            self._recent_rr.append(beat.rr_ms)
            if self._stretch_start_s is None:
                self._stretch_start_s = beat.t_s - beat.rr_ms / 1000.0
            decided = self._classes.push(beat.t_s, beat.rr_ms)
            if self.artifact_method == "nn":
                self._take_decided(decided)
            elif self.artifact_method == "kubios":
                self._pending.append((beat.t_s, beat.rr_ms))
                if self._n_held or self._suspect(beat.rr_ms):
                    self._n_held += 1
                else:
                    self._win.append(beat.t_s, beat.rr_ms)
            else:
                self._win.append(beat.t_s, beat.rr_ms)
        if beat.t_s >= self._next_refresh_s:
            self._refresh(beat.t_s)
            self._next_refresh_s = (
                math.floor(beat.t_s / self.spectral_every_s) + 1
            ) * self.spectral_every_s
        return self.metrics()

    def gap(self, gap: Gap) -> None:
        """The signal was lost: no difference across the gap, spectra restart after it."""
        self._break(gap.t_s + gap.duration_s)

    def _take_decided(self, decided: list) -> None:
        """NN intervals enter the window; any other interval breaks the chain of differences."""
        for d in decided:
            if d.nn:
                self._win.append(d.t_s, d.rr_ms)
            else:
                self._win.break_next = True
                if d.code:
                    self._artifacts += 1

    def _break(self, resume_t_s: float) -> None:
        decided = self._classes.end_stretch()
        if self.artifact_method == "nn":
            self._take_decided(decided)
        if self.artifact_method == "kubios":
            self._kubios_pass(lookahead=0)
            # Whatever the pass could not settle stays as it came: no beat is judged across a break.
            self._accept_pending(len(self._pending))
            self._context.clear()
        self._win.break_next = True
        self._segment_start_s = max(self._segment_start_s, resume_t_s)
        self._stretch_start_s = resume_t_s  # coherence starts its 64 s again

    def _suspect(self, rr_ms: float) -> bool:
        """Whether a new beat looks like an artifact and must wait for the Kubios pass.

        Both must hold: its RR lies more than ``hold_ratio`` from the median of the last 10
        beats in the window since the last break (at least 5 of them), and, when the window holds
        10 successive differences, its difference from the beat before exceeds the Kubios method's
        first threshold (5.2 quartile deviations of the last 91 absolute differences). The first
        test alone holds the wide swings of slow breathing; the second alone, 5-15 % of clean
        beats; together they hold missed, extra and premature beats and about 1 % of clean ones.
        """
        if self.hold_ratio is None or not self._win.buf:
            return False
        if not self._win.break_next:
            # The cheaper test first: most beats are within the threshold of the beat before.
            th = self._hold_threshold()
            if th is not None and abs(rr_ms - self._win.buf[-1].rr) <= th:
                return False
        ref: list[float] = []
        for i in range(len(self._win.buf) - 1, max(len(self._win.buf) - 11, -1), -1):
            e = self._win.buf[i]
            if e.t < self._segment_start_s:
                break
            ref.append(e.rr)
        if len(ref) < 5:
            return False
        median = float(np.median(ref))
        return abs(rr_ms - median) > self.hold_ratio * median

    def _hold_threshold(self) -> float | None:
        if self._hold_th_ms is None:
            diffs: list[float] = []
            for i in range(len(self._win.buf) - 1, -1, -1):
                d = self._win.buf[i].d
                if d is not None:
                    diffs.append(abs(d))
                    if len(diffs) == 91:
                        break
            if len(diffs) < 10:
                return None
            q1, q3 = np.percentile(diffs, [25, 75])
            self._hold_th_ms = 5.2 * float(q3 - q1) / 2.0
        return self._hold_th_ms

    def _release(self) -> None:
        """Let held beats into the window, in order, up to the first that still looks wrong."""
        while self._n_held:
            t, rr = self._pending[len(self._pending) - self._n_held]
            if self._suspect(rr):
                return
            self._win.append(t, rr)
            self._n_held -= 1

    @property
    def held(self) -> int:
        """Beats held out of the window until the classification or the Kubios pass decides."""
        if self.artifact_method == "nn":
            return self._classes.waiting
        return self._n_held

    @property
    def artifacts(self) -> int:
        """Beats corrected so far (``"nn"``: beats classified as not normal)."""
        return self._artifacts

    def session_quality(self) -> Quality:
        """Beat classes over every beat decided so far."""
        return self._classes.session_quality()

    def window(self) -> LiveWindow:
        """The time-domain window as it stands (for display and for checking the metrics)."""
        entries = self._win.entries()
        t = np.array([e.t for e in entries], dtype=np.float64)
        rr = np.array([e.rr for e in entries], dtype=np.float64)
        succ = np.array([e.d is not None for e in entries[1:]], dtype=bool)
        return LiveWindow(t, rr, succ)

    def metrics(self) -> LiveMetrics:
        """The metrics now (without taking a beat)."""
        n, mean_rr, sdnn, rmssd, pnn50 = self._win.time_domain(self.convention)
        lf, hf, lf_hf, lf_peak, coh, coh_peak = self._spectral
        return LiveMetrics(
            t_s=self._last_t_s,
            hr_bpm=self._hr_bpm,
            mean_hr_bpm=60000.0 / mean_rr if n else math.nan,
            rmssd_ms=rmssd,
            sdnn_ms=sdnn,
            pnn50_pct=pnn50,
            n_beats=n,
            artifacts=self._artifacts,
            lf_ms2=lf,
            hf_ms2=hf,
            lf_hf=lf_hf,
            lf_peak_hz=lf_peak,
            coherence=coh,
            spectral_t_s=self._spectral_t_s,
            mean_rr_ms=mean_rr,
            coherence_peak_hz=coh_peak,
            quality=self._classes.quality(self._last_t_s) if self._classes.total[0] else None,
            steady_hr_bpm=(
                60000.0 / statistics.median(self._recent_rr) if self._recent_rr else math.nan
            ),
            coherence_in_s=None if coh is not None else self._coherence_in_s(),
        )

    def _coherence_in_s(self) -> float | None:
        if self._stretch_start_s is None:
            return None
        covered = self._last_t_s - self._stretch_start_s
        wait = max(0.0, self.coherence_method.window_s - covered)
        # the value appears at the first refresh after its window is full
        ready = self._last_t_s + wait
        return max(
            0.0, math.ceil(ready / self.spectral_every_s) * self.spectral_every_s - self._last_t_s
        )

    # -- refresh -----------------------------------------------------------------------------
    def _refresh(self, t_s: float) -> None:
        if self.artifact_method == "kubios":
            self._hold_th_ms = None
            self._kubios_pass(lookahead=self.lookahead_beats)
        self._win.resync()
        self._update_spectral(t_s)

    def _segment(self, since_s: float) -> tuple[np.ndarray, np.ndarray]:
        return self._win.since(max(since_s, self._segment_start_s))

    def _update_spectral(self, t_s: float) -> None:
        lf = hf = lf_hf = lf_peak = coh = coh_peak = None
        t, rr = self._segment(t_s - self._horizon_s)
        if t.size >= 4:
            # From the last beat at or before the span's start, so the grid covers all of it.
            first = max(
                int(np.searchsorted(t, t[-1] - self.spectral_window_s, side="right")) - 1, 0
            )
            tw, rrw = t[first:], rr[first:]
            if tw.size >= 4 and tw[-1] - tw[0] >= self.min_spectral_s:
                fd = hrv.frequency_domain(rrw, tw, self.spectral, estimator=self.spectral_estimator)
                if math.isfinite(fd.lf_ms2):
                    lf, hf = fd.lf_ms2, fd.hf_ms2
                    lf_peak = fd.lf_peak_hz if math.isfinite(fd.lf_peak_hz) else None
                    lf_hf = fd.lf_hf if math.isfinite(fd.lf_hf) else None
            c = window_coherence(rr, t, self.coherence_method)
            if c is not None and math.isfinite(c.ratio):  # NaN: under the power floor
                coh, coh_peak = c.ratio, c.peak_hz
        if lf is not None or coh is not None:
            self._spectral_t_s = t_s
        self._spectral = (lf, hf, lf_hf, lf_peak, coh, coh_peak)

    def _accept_pending(self, m: int) -> None:
        """The first ``m`` pending beats are final as they came; held ones among them enter."""
        first_held = len(self._pending) - self._n_held
        for t, rr in self._pending[first_held:m]:
            self._win.append(t, rr)
        self._context.extend(self._pending[:m])
        self._pending = self._pending[m:]
        self._n_held = min(self._n_held, len(self._pending))
        self._release()

    def _kubios_pass(self, *, lookahead: int) -> None:
        """Correct the pending beats; make final all but the last ``lookahead`` of them."""
        from hrvcoach import artifacts

        pending = self._pending
        context = list(self._context)
        c = len(context)
        m = len(pending) - lookahead
        # At the start of a stretch, wait until the method has enough beats to set its thresholds.
        if m <= 0 or (lookahead and c + len(pending) < self.context_beats):
            return
        rr_in = np.array([b[1] for b in context] + [b[1] for b in pending], dtype=np.float64)
        t_in = [b[0] for b in context] + [b[0] for b in pending]
        peaks = artifacts.rr_to_peaks_us(rr_in)
        # Only the peaks about to become final matter (c + 1 .. c + m): the context was judged
        # already and the look-ahead will be judged again. When none of them can be flagged by the
        # method's first test, the method has nothing to say and is not run at all.
        if rr_in.size < 4 or not artifacts.might_flag(peaks, start=c + 1, stop=c + m + 1):
            self._accept_pending(m)
            return
        clean = artifacts.kubios_peaks_us(peaks)
        if np.array_equal(clean[: c + m + 1], peaks[: c + m + 1]):
            self._accept_pending(m)
            return
        unchanged = set(clean.tolist())
        # End the final part at a beat the method left where it was, so both lists agree there.
        while m > 0 and int(peaks[c + m]) not in unchanged:
            m -= 1
        if m <= 0:
            return
        end_peak = int(peaks[c + m])
        lo = int(np.searchsorted(clean, peaks[c], side="right"))
        hi = int(np.searchsorted(clean, end_peak, side="right"))
        moved, removed, inserted = artifacts.classify(peaks, clean)
        self._artifacts += sum(1 for k in (*moved, *removed) if c <= k < c + m)
        self._artifacts += sum(1 for k in inserted if lo <= k + 1 < hi)
        # The corrected beats, with times: unchanged peaks keep their beat's own time.
        time_of = {int(p): t_in[k - 1] for k, p in enumerate(peaks) if k > 0}
        final: list[tuple[float, float]] = []
        # The first new interval starts at the last final peak as the window holds it: the method
        # may move a context peak again, but that beat is final, so the new interval is measured
        # from where it stays (otherwise RR and beat times would disagree by the move).
        prev_peak = int(peaks[c])
        prev_t = t_in[c - 1] if c > 0 else t_in[0] - rr_in[0] / 1000.0
        starts: list[int] = []
        for j in range(lo, hi):
            p = int(clean[j])
            t = time_of.get(p, prev_t + (p - prev_peak) / 1e6)
            final.append((t, (p - prev_peak) / 1000.0))
            starts.append(prev_peak)
            prev_peak, prev_t = p, t
        # Exact input values where the interval itself is untouched.
        raw_rr = {int(peaks[k + 1]): (int(peaks[k]), float(rr_in[k])) for k in range(rr_in.size)}
        for i, (t, _rr) in enumerate(final):
            known = raw_rr.get(int(clean[lo + i]))
            if known is not None and known[0] == starts[i]:
                final[i] = (t, known[1])
        rest = pending[m:]
        in_window = len(pending) - self._n_held
        if in_window:
            self._win.break_next = self._win.pop_right(in_window)
        for t, rr in final:
            self._win.append(t, rr)
        self._context.extend(final)
        # The beats after the final part are tested again against the corrected ones.
        self._pending = list(rest)
        self._n_held = len(rest)
        # Whatever enters now continues the chain (_append clears _break_next); if nothing does,
        # the next beat breaks it exactly where the first beat taken back did.
        self._release()
