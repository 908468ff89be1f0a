"""What the session commands add for a Polar H10's ECG and chest motion (or the simulator's):
the breathing line of the table view, and the ECG's word on the summary's quality."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrvcoach.analysis import Summary

log = logging.getLogger(__name__)


def breathing_line(breath: Any) -> str:
    """One line on the measured breath, for the table view."""
    parts = []
    if breath.rate_bpm is not None:
        parts.append(f"{breath.rate_bpm:.1f} breaths/min")
    if breath.pacer_rate_bpm is not None:
        parts.append(f"pacer {breath.pacer_rate_bpm:.1f}")
    if breath.adherence_pct is not None:
        parts.append(f"{breath.adherence_pct:.0f}% of breaths with the pacer")
    if breath.phase_lag_s is not None:
        side = "behind" if breath.phase_lag_s >= 0 else "ahead of"
        parts.append(f"{abs(breath.phase_lag_s):.1f} s {side} it")
    return "Breathing (chest motion): " + (", ".join(parts) or "too few breaths to say")


def session_analyzer() -> Callable[[Any], Summary]:
    """The whole-session summary a session ends with (:func:`with_ecg` of the default analysis),
    for a history rebuilt from the recordings to hold the same numbers."""
    from hrvcoach.analysis import analyze

    return lambda recording: with_ecg(recording, analyze)


def with_ecg(recording: Any, analyze: Callable[[Any], Summary]) -> Summary:
    """The whole-session summary, with what a recorded ECG says: beats the strap missed put back
    from its R-peaks (good RR never replaced), and premature beats by shape in the quality."""
    import dataclasses

    from hrvcoach.companion import load_tracks
    from hrvcoach.errors import HrvCoachError

    try:
        track = load_tracks(recording.path, recording.meta.extra).get("ecg")
    except HrvCoachError as err:  # a damaged companion file: the beats are still good
        log.warning("%s; the strap's beats are analysed without it", err)
        return analyze(recording)
    if track is None or len(track) < 260:
        return analyze(recording)
    from hrvcoach.ecg.quality import ecg_beats, ecg_quality, with_missed_beats_filled

    ecg = ecg_beats(track)
    filled, added = with_missed_beats_filled(recording, ecg)
    # "beats" stays what the strap sent; the beats put back show in what was analysed
    summary = dataclasses.replace(analyze(filled), beats=len(recording.beats))
    if summary.quality is None:
        return summary
    checked = ecg_quality(filled.beats, track, summary.quality, ecg=ecg)
    log.info(
        "ECG: %d missed beats put back; %d of %d beats premature by shape, %d more than RR showed",
        added,
        checked.premature_by_shape,
        checked.beats,
        checked.added,
    )
    return dataclasses.replace(summary, quality=checked.quality)
