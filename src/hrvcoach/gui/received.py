"""What the practice window has received from the session, kept for its views.

The session hands its updates over on its own thread (:class:`hrvcoach.gui.bridge.Arrival`); each
frame the window drains them into a :class:`Received`, and the views draw from the plain values
here: the heart-rate trace with its breaks, the coherence sparkline (one point per spectral
refresh), the latest metrics, and the state of the link. No Qt: the window decides what to draw.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from hrvcoach.beats import Beat, BeatFlag, Contact, DeviceStatus, Gap

if TYPE_CHECKING:
    from hrvcoach.beats import LinkState
    from hrvcoach.gui.bridge import Arrival
    from hrvcoach.live import LiveMetrics

#: beats drawn as a break in the heart-rate line, not as a point
SUSPECT = BeatFlag.IMPLAUSIBLE | BeatFlag.NO_CONTACT


class Received:
    """The session as far as the window has heard it.

    Attributes:
        beat_t, beat_hr: The heart-rate trace's points (NaN breaks the line), the last
            ``keep_s`` seconds of them.
        beat_perf: Arrival times (``perf_counter``) of beats not yet drawn.
        coh_t, coh_v: Coherence at each spectral refresh, for the sparkline and the summary.
        metrics: The latest live metrics (``None`` before the first).
        link, contact, battery_pct, device: The link and the strap as last reported.
        last_beat_t: Session time of the last beat.
        heard: Anything has arrived (the session's source is open).
        plot_dirty: Something arrived that the heart-rate plot has not drawn yet.
    """

    def __init__(self, link: LinkState, *, keep_s: float) -> None:
        self.keep_s = float(keep_s)
        self.beat_t: deque[float] = deque()
        self.beat_hr: deque[float] = deque()
        self.beat_perf: deque[float] = deque()
        self.coh_t: list[float] = []
        self.coh_v: list[float] = []
        self.metrics: LiveMetrics | None = None
        self.link = link
        self.contact = Contact.UNKNOWN
        self.battery_pct: int | None = None
        self.device: str | None = None
        self.last_beat_t: float | None = None
        self.heard = False
        self.plot_dirty = True
        self._last_spectral_t: float | None = None

    def take_all(self, arrivals: list[Arrival]) -> LiveMetrics | None:
        """Take in what arrived since the last frame.

        Returns:
            The newest metrics when they changed (the numbers show only the latest), else ``None``.
        """
        if not arrivals:
            return None
        self.heard = True
        latest = self.metrics
        for arrival in arrivals:
            metrics = arrival.update.metrics
            if metrics is not None and metrics is not latest:
                latest = metrics
                self._note_spectral(metrics)
            self._take(arrival)
        if latest is not self.metrics and latest is not None:
            self.metrics = latest
            return latest
        return None

    def _take(self, arrival: Arrival) -> None:
        update = arrival.update
        event = update.event
        self.link = update.link
        if isinstance(event, Beat):
            self.last_beat_t = event.t_s
            if event.contact is not Contact.UNKNOWN:
                self.contact = event.contact
            hr = event.instant_hr_bpm if not (event.flags & SUSPECT) else math.nan
            if event.flags & BeatFlag.AFTER_GAP and self.beat_t:
                self.beat_t.append(event.t_s - event.rr_ms / 1000.0)
                self.beat_hr.append(math.nan)  # break the line: the interval did not follow
            self.beat_t.append(event.t_s)
            self.beat_hr.append(hr)
            self.beat_perf.append(arrival.perf_s)
            self.plot_dirty = True
        elif isinstance(event, Gap):
            self.beat_t.append(event.t_s)
            self.beat_hr.append(math.nan)
            self.plot_dirty = True
        elif isinstance(event, DeviceStatus):
            if event.battery_pct is not None:
                self.battery_pct = event.battery_pct
            if event.name:
                self.device = event.name
        # keep memory bounded on long sessions: only the visible window is drawn
        horizon = event.t_s - self.keep_s
        while self.beat_t and self.beat_t[0] < horizon:
            self.beat_t.popleft()
            self.beat_hr.popleft()

    def _note_spectral(self, m: LiveMetrics) -> None:
        """One sparkline point per spectral refresh (coherence changes only then)."""
        fresh = m.spectral_t_s is not None and m.spectral_t_s != self._last_spectral_t
        if m.coherence is not None and m.spectral_t_s is not None and fresh:
            self._last_spectral_t = m.spectral_t_s
            self.coh_t.append(m.spectral_t_s)
            self.coh_v.append(m.coherence)
