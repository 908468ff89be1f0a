"""The training side of a running session: the zone of every coherence update, time in each zone,
achievement points and the heart-rate swing of every pacer breath.

:class:`SessionTraining` is fed by :class:`hrvcoach.session.Session` after each event, before the
views, and hands them a :class:`TrainingLive` snapshot. :func:`training_of_recording` runs the same
tracker over a recorded session, so a rebuilt history gets the same values the session showed.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hrvcoach.beats import Beat, DeviceStatus, Event, Gap, LinkState, Mark
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.training.rules import DEFAULT_RULES, TrainingRules, Zone
from hrvcoach.training.swing import SwingSummary, SwingTracker
from hrvcoach.training.zones import ZoneSummary, ZoneTally

if TYPE_CHECKING:
    from hrvcoach.live import LiveHrv, LiveMetrics
    from hrvcoach.recording import Recording

#: kind of the recording mark that keeps the level a session was practised at
LEVEL_MARK = "level"
#: kind of the mark written where a session ended (its text: how it ended)
END_MARK = "end"

#: a beat further than this from the median of the last 10 is left out of the swing
ARTIFACT_RATIO = 0.25

#: beats with these flags carry no heart rate the swing can use
_UNUSABLE = ("IMPLAUSIBLE", "BUFFERED")


@dataclass(frozen=True, slots=True)
class TrainingLive:
    """What the views show of training after each event.

    Attributes:
        level: The challenge level of the session.
        zone: Zone of the latest coherence update (``None`` before the first, after 64 s).
        zone_t_s: Session time of that update (a view appends to its zone strip when it changes).
        coherence: The latest coherence value that was zoned.
        low_pct, medium_pct, high_pct: Percent of the counted time in each zone so far.
        points: Achievement points so far.
        swing_bpm: Swing of the last whole breath.
        swing_mean_bpm, swing_best_bpm: Over the session so far.
        frozen: Paused or disconnected: zones and points are not counting.
    """

    level: int
    zone: Zone | None = None
    zone_t_s: float | None = None
    coherence: float | None = None
    low_pct: float = 0.0
    medium_pct: float = 0.0
    high_pct: float = 0.0
    points: int = 0
    swing_bpm: float | None = None
    swing_mean_bpm: float | None = None
    swing_best_bpm: float | None = None
    frozen: bool = False


@dataclass(frozen=True, slots=True)
class TrainingResult:
    """The training values of a finished session (what the history keeps)."""

    level: int
    zones: ZoneSummary
    swing: SwingSummary
    practice_s: float | None = None  #: recording length less the pauses (from a recording)

    def to_store(self) -> dict[str, float | int | None]:
        values: dict[str, float | int | None] = {
            "level": self.level,
            "zone_low_pct": round(self.zones.pct(Zone.LOW), 2),
            "zone_medium_pct": round(self.zones.pct(Zone.MEDIUM), 2),
            "zone_high_pct": round(self.zones.pct(Zone.HIGH), 2),
            "zone_seconds": self.zones.total_s,
            "achievement_points": self.zones.points,
            "swing_mean_bpm": self.swing.mean_bpm,
            "swing_best_bpm": self.swing.best_bpm,
            "swing_breaths": self.swing.breaths,
        }
        if self.practice_s is not None:
            values["practice_s"] = self.practice_s
        return values


class SessionTraining:
    """Zones, points and swing of one session, updated event by event.

    Args:
        level: The challenge level the session is practised at.
        pacer: The session's pacer (its breath count splits the beats into breaths).
        rules: The numbers.
    """

    def __init__(
        self, level: int, pacer: Pacer | None = None, rules: TrainingRules = DEFAULT_RULES
    ) -> None:
        self.rules = rules
        self.tally = ZoneTally(level, rules)
        self.level = self.tally.level
        self.pacer = pacer
        self.swing = SwingTracker()
        self._spectral_t_s: float | None = None
        self._zone_t_s: float | None = None
        self._coherence: float | None = None
        self._frozen = False
        self._zones: list[tuple[float, Zone]] = []
        self._snapshot = TrainingLive(level=self.level)
        self._recent_rr: deque[float] = deque(maxlen=10)

    def update(
        self,
        event: Event,
        metrics: LiveMetrics | None,
        *,
        paused: bool,
        link: LinkState,
    ) -> TrainingLive:
        """Take one event (after live HRV took it) and return the snapshot after it."""
        frozen = paused or link is not LinkState.CONNECTED
        if frozen and not self._frozen:
            self.swing.interrupt()
        self._frozen = frozen
        changed = False
        if (
            isinstance(event, Gap)
            or (isinstance(event, Mark) and event.kind in ("pause", "resume"))
            or (isinstance(event, DeviceStatus) and event.state is not LinkState.CONNECTED)
        ):
            self.swing.interrupt()
        elif isinstance(event, Beat):
            if self.pacer is not None and _usable(event) and self._plausible(event.rr_ms):
                hr = 60000.0 / event.rr_ms
                done = self.swing.add(
                    event.t_s, hr, self.pacer.breaths(event.t_s), counting=not frozen
                )
                changed = done is not None
            if metrics is not None and metrics.spectral_t_s != self._spectral_t_s:
                self._spectral_t_s = metrics.spectral_t_s
                if metrics.coherence is not None and math.isfinite(metrics.coherence):
                    zone = self.tally.add(metrics.coherence, counting=not frozen)
                    if zone is not None:
                        self._zone_t_s = metrics.spectral_t_s
                        self._coherence = metrics.coherence
                        self._zones.append((event.t_s, zone))
                        changed = True
        if changed or frozen != self._snapshot.frozen:
            self._snapshot = self._make_snapshot()
        return self._snapshot

    def _plausible(self, rr_ms: float) -> bool:
        # An ectopic or missed beat would make one breath's swing huge: a beat more than
        # ARTIFACT_RATIO from the median of the last 10 accepted beats stays out of the swing
        # (the same test live HRV uses to hold a suspect beat).
        recent = sorted(self._recent_rr)
        if len(recent) >= 5:
            median = recent[len(recent) // 2]
            if abs(rr_ms - median) > ARTIFACT_RATIO * median:
                return False
        self._recent_rr.append(rr_ms)
        return True

    def _make_snapshot(self) -> TrainingLive:
        zones = self.tally.summary()
        swing = self.swing.summary()
        return TrainingLive(
            level=self.level,
            zone=self.tally.last_zone,
            zone_t_s=self._zone_t_s,
            coherence=self._coherence,
            low_pct=zones.pct(Zone.LOW),
            medium_pct=zones.pct(Zone.MEDIUM),
            high_pct=zones.pct(Zone.HIGH),
            points=zones.points,
            swing_bpm=self.swing.last.swing_bpm if self.swing.last else None,
            swing_mean_bpm=swing.mean_bpm,
            swing_best_bpm=swing.best_bpm,
            frozen=self._frozen,
        )

    @property
    def snapshot(self) -> TrainingLive:
        return self._snapshot

    def zone_series(self) -> list[tuple[float, Zone]]:
        """``(t_s, zone)`` of every coherence update so far (for a zone strip)."""
        return list(self._zones)

    def result(self) -> TrainingResult:
        return TrainingResult(self.level, self.tally.summary(), self.swing.summary())


def _usable(beat: Beat) -> bool:
    from hrvcoach.beats import BeatFlag

    bad = BeatFlag(0)
    for name in _UNUSABLE:
        bad |= BeatFlag[name]
    return not (beat.flags & bad) and beat.rr_ms > 0


def level_of_recording(events: Iterable[Event]) -> int | None:
    """The level a recording was practised at (its first level mark), or ``None``."""
    for event in events:
        if isinstance(event, Mark) and event.kind == LEVEL_MARK:
            try:
                return int(event.text.strip())
            except ValueError:
                return None
    return None


def training_of_recording(
    recording: Recording,
    *,
    level: int | None = None,
    live: LiveHrv | None = None,
    rules: TrainingRules = DEFAULT_RULES,
) -> TrainingResult:
    """The training values of a recorded session, as the live session computed them.

    The recording's events go through live HRV and :class:`SessionTraining` in order, with the
    pacer following its pace marks and pauses. A recording without a level mark (an import, or
    one made before levels existed) is judged at ``level``, else at level 1; one without a pace
    plan has no breaths, so no swing.
    """
    if live is None:
        from hrvcoach.live import LiveHrv

        live = LiveHrv()
    events = recording.events
    found = level_of_recording(events)
    use_level = found if found is not None else (level if level is not None else 1)
    pacer: Pacer | None = None
    if recording.meta.pace:
        pacer = Pacer(BreathPattern.parse(recording.meta.pace[0][1]))
    tracker = SessionTraining(use_level, pacer, rules)
    paused = False
    paused_since = 0.0
    paused_s = 0.0
    link = LinkState.CONNECTED
    metrics: LiveMetrics | None = None
    for event in events:
        if isinstance(event, Beat):
            metrics = live.update(event)
        elif isinstance(event, Gap):
            live.gap(event)
        elif isinstance(event, DeviceStatus):
            link = event.state
        elif isinstance(event, Mark):
            if event.kind == "pause" and not paused:
                paused = True
                paused_since = event.t_s
                if pacer is not None:
                    pacer.pause(event.t_s)
            elif event.kind == "resume" and paused:
                paused = False
                paused_s += max(0.0, event.t_s - paused_since)
                if pacer is not None:
                    pacer.resume(event.t_s)
            elif event.kind == "pace" and pacer is not None:
                _follow_pace(pacer, event)
        tracker.update(event, metrics, paused=paused, link=link)
    # the session's end, where the recording says (an ``end`` mark), else its last beat
    ends = [e.t_s for e in events if isinstance(e, Mark) and e.kind == END_MARK]
    duration_s = max([float(recording.duration_s), *ends])
    if paused:
        paused_s += max(0.0, duration_s - paused_since)
    result = tracker.result()
    return TrainingResult(result.level, result.zones, result.swing, max(0.0, duration_s - paused_s))


def _follow_pace(pacer: Pacer, mark: Mark) -> None:
    try:
        pattern = BreathPattern.parse(mark.text)
    except (ValueError, IndexError):
        return
    if pattern != pacer.pattern_at(mark.t_s) and mark.t_s >= pacer.segments()[-1][0]:
        pacer.set_pattern(mark.t_s, pattern)
