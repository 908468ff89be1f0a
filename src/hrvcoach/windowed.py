"""Every metric per consecutive window of a recording (``analyze --windows``).

A window ``(start_s, end_s]`` holds the beats whose time lies after its start and at or before
its end (HRV Logger's rule for its feature rows); its summary is a whole-session analysis of those
beats alone (:func:`hrvcoach.analysis.analyze_session`, the same method and options), so a window
has exactly the keys of the whole-session summary. Windows can also be given as beat index ranges
(HRV Logger's feature rows, matched to the rows of its RR file).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hrvcoach.beats import Beat, Gap

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hrvcoach.analysis import Summary
    from hrvcoach.recording import Recording

#: window lengths ``--windows`` knows, in seconds
WIDTHS_S = {"30s": 30.0, "2min": 120.0, "5min": 300.0}


@dataclass(frozen=True)
class Window:
    """One window and its summary.

    Attributes:
        start_s, end_s: Its span in session time, ``(start_s, end_s]``.
        beats: Beats inside it (as recorded, before classification).
        summary: The analysis of those beats.
    """

    start_s: float
    end_s: float
    beats: int
    summary: Summary

    def to_json(self) -> dict[str, object]:
        """``start_s``, ``end_s``, ``beats``, then every key of the whole-session summary."""
        head: dict[str, object] = {
            "start_s": self.start_s,
            "end_s": self.end_s,
            "beats": self.beats,
        }
        head.update((k, v) for k, v in self.summary.to_json().items() if k not in head)
        return head


def parse_width(text: str) -> float:
    """``"30s"``, ``"2min"`` or ``"5min"`` in seconds.

    Raises:
        ValueError: For another length.
    """
    if text not in WIDTHS_S:
        raise ValueError(f"unknown window length {text!r} (one of {', '.join(WIDTHS_S)})")
    return WIDTHS_S[text]


def consecutive_spans(duration_s: float, width_s: float) -> list[tuple[float, float]]:
    """Consecutive windows of ``width_s`` from 0 until they cover ``duration_s``."""
    count = max(1, math.ceil(duration_s / width_s - 1e-9))
    return [(k * width_s, (k + 1) * width_s) for k in range(count)]


def _part(recording: Recording, keep: Sequence[bool]) -> Recording:
    from hrvcoach.recording import Recording

    events = []
    k = 0
    for event in recording.events:
        if isinstance(event, Beat):
            if keep[k]:
                events.append(event)
            k += 1
    return Recording(recording.path, recording.meta, tuple(events))


def analyze_windows(
    recording: Recording, spans: Sequence[tuple[float, float]], **options: Any
) -> list[Window]:
    """The analysis of every window ``(start_s, end_s]`` (options as ``analyze_session``).

    A gap inside a window splits it into stretches, as in a whole session.
    """
    from hrvcoach.analysis import analyze_session
    from hrvcoach.recording import Recording

    out = []
    for start, end in spans:
        events = [e for e in recording.events if isinstance(e, Beat | Gap) and start < e.t_s <= end]
        part = Recording(recording.path, recording.meta, tuple(events))
        beats = sum(1 for e in events if isinstance(e, Beat))
        summary = analyze_session(part, **options).summary
        out.append(Window(start, end, beats, dataclasses.replace(summary, duration_s=end - start)))
    return out


def analyze_index_windows(
    recording: Recording, ranges: Sequence[tuple[int, int]], **options: Any
) -> list[Window]:
    """The analysis of windows given as beat index ranges ``[first, stop)``."""
    from hrvcoach.analysis import analyze_session

    beats = recording.beats
    out = []
    for first, stop in ranges:
        keep = [first <= k < stop for k in range(len(beats))]
        part = _part(recording, keep)
        summary = analyze_session(part, **options).summary
        start = beats[first].t_s - beats[first].rr_ms / 1000.0 if stop > first else 0.0
        end = beats[stop - 1].t_s if stop > first else start
        out.append(
            Window(start, end, stop - first, dataclasses.replace(summary, duration_s=end - start))
        )
    return out


def flat_row(window: Window) -> dict[str, object]:
    """A window as one CSV row: nested values (``quality``) spelt out as ``quality_<key>``."""
    row: dict[str, object] = {}
    for key, value in window.to_json().items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                row[f"{key}_{sub}"] = inner
        else:
            row[key] = value
    return row


_FEATURES = re.compile(r"_RRIntervals\.csv$", re.IGNORECASE)


def hrvlogger_features_path(rr_path: str) -> str | None:
    """The ``*_Features.csv`` beside an HRV Logger ``*_RRIntervals.csv`` (the name only)."""
    if not _FEATURES.search(rr_path):
        return None
    return _FEATURES.sub("_Features.csv", rr_path)


def hrvlogger_ranges(
    rr_stamps_ms: Sequence[int], feature_stamps_ms: Sequence[int]
) -> list[tuple[int, int]]:
    """Beat index ranges of HRV Logger's feature rows: the RR rows whose time stamp lies in
    ``(previous feature time stamp, this one]`` (the app's own rule; the first from the start)."""
    ranges = []
    prev = -math.inf
    k = 0
    n = len(rr_stamps_ms)
    for end in feature_stamps_ms:
        while k < n and rr_stamps_ms[k] <= prev:
            k += 1
        first = k
        while k < n and rr_stamps_ms[k] <= end:
            k += 1
        ranges.append((first, k))
        prev = end
    return ranges
