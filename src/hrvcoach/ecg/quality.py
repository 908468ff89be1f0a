"""The ECG's word on beat quality: beats whose shape says premature, added to what RR alone says.

RR alone classifies a beat by its timing (:mod:`hrvcoach.quality.classify`); a premature beat that
comes nearly on time escapes it. Where a session recorded ECG, each strap beat paired with an R-peak
(:func:`hrvcoach.ecg.beats.match_to_strap`) whose QRS shape is not normal
(:func:`hrvcoach.ecg.beats.classify`) counts as ectopic even when its timing looked normal, and the
session's :class:`~hrvcoach.quality.Quality` is assessed again with those beats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hrvcoach.beats import Beat, Event
    from hrvcoach.companion import SignalTrack
    from hrvcoach.ecg.beats import EcgBeats
    from hrvcoach.quality import Quality
    from hrvcoach.recording import Recording


@dataclass(frozen=True)
class EcgQuality:
    """What the ECG adds to a session's quality.

    Attributes:
        quality: The quality with the ECG's premature beats counted as ectopic.
        premature_by_shape: Strap beats whose ECG shape is not normal.
        added: Of those, beats RR alone had called normal.
        matched: Strap beats paired with an R-peak.
        beats: Strap beats judged.
    """

    quality: Quality
    premature_by_shape: int
    added: int
    matched: int
    beats: int


def ecg_beats(track: SignalTrack) -> EcgBeats:
    """The R-peaks of a recorded ECG and their shapes."""
    from hrvcoach.ecg.beats import classify, r_peaks

    uv = track.values[:, 0]
    return classify(track.t_s, uv, track.rate_hz, r_peaks(uv, track.rate_hz))


def ecg_quality(
    beats: Sequence[Beat],
    track: SignalTrack,
    rr_quality: Quality,
    *,
    ecg: EcgBeats | None = None,
) -> EcgQuality:
    """``rr_quality`` (from RR alone) with the ECG's premature beats added (see the module);
    ``ecg``: the track's :func:`ecg_beats`, when already found."""
    import numpy as np

    from hrvcoach.beats import BeatFlag
    from hrvcoach.ecg.beats import match_to_strap
    from hrvcoach.quality import assess
    from hrvcoach.quality.classify import NORMAL, classify_rr

    if not beats or len(track) == 0:
        return EcgQuality(rr_quality, 0, 0, 0, len(beats))
    if ecg is None:
        ecg = ecg_beats(track)
    beat_t = np.array([b.t_s for b in beats])
    matching = match_to_strap(ecg.t_s, beat_t)
    # RR's own opinion, stretch by stretch (a gap restarts the classification)
    codes = np.full(len(beats), NORMAL, dtype=np.int8)
    starts = [0, *[i for i, b in enumerate(beats) if i and b.flags & BeatFlag.AFTER_GAP]]
    for a, b in zip(starts, [*starts[1:], len(beats)], strict=True):
        if b - a >= 3:
            codes[a:b] = classify_rr([x.rr_ms for x in beats[a:b]]).codes
    paired = matching.peak_of_beat >= 0
    by_shape = np.zeros(len(beats), dtype=bool)
    by_shape[paired] = ecg.premature[matching.peak_of_beat[paired]]
    added = int(np.count_nonzero(by_shape & (codes == NORMAL)))
    n = rr_quality.beats
    ectopic = round(rr_quality.ectopic_pct * n / 100.0) + added
    artifacts = round(rr_quality.artifact_pct * n / 100.0)
    return EcgQuality(
        assess(n, min(ectopic, n), artifacts),
        int(by_shape.sum()),
        added,
        matching.matched,
        len(beats),
    )


def with_missed_beats_filled(recording: Recording, ecg: EcgBeats) -> tuple[Recording, int]:
    """The recording with beats the strap missed put back from the ECG's R-peaks, and how many.

    Only intervals the strap got wrong by missing a beat change
    (:func:`hrvcoach.ecg.beats.fill_missed`); every other beat is the strap's own.
    """
    import dataclasses

    import numpy as np

    from hrvcoach.ecg.beats import fill_missed, match_to_strap

    beats = list(recording.beats)
    if len(beats) < 3 or len(ecg.t_s) == 0:
        return recording, 0
    matching = match_to_strap(ecg.t_s, np.array([b.t_s for b in beats]))
    filled = fill_missed(beats, ecg.t_s, matching)
    added = len(filled) - len(beats)
    if added == 0:
        return recording, 0
    # each strap beat becomes itself, or the beat put back and the rest of its interval
    instead: dict[int, list[Beat]] = {}
    j = 0
    for beat in beats:
        if filled[j] is beat:
            j += 1
            continue
        instead[id(beat)] = [filled[j], filled[j + 1]]
        j += 2
    events: list[Event] = []
    for event in recording.events:
        events.extend(instead.get(id(event), [event]))
    return dataclasses.replace(recording, events=tuple(events)), added
