"""What the history hands out: a session, an assessment, the outcome of a rebuild."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from hrvcoach.store.checkins import CheckIn
from hrvcoach.store.schema import METRIC_COLUMNS, PRACTICE_KINDS, TRAINING_COLUMNS


@dataclass(frozen=True)
class SessionRow:
    """One session in the history.

    Attributes:
        id: Stable id (``hrvcoach report ID``).
        sha256: Hash of the recording's bytes; the same file is indexed once.
        path: The recording (in ``recordings/`` or, for imports, where it was imported from).
        format: Recording format (``"hrvcoach"``, ``"hrvlogger"``, ``"garmin-fit"``...).
        kind: ``practice``, ``demo``, ``import``, ``assessment``, ``other`` (a recording that
            is not practice: see :func:`import_kind`) or ``capacity`` (a check or a drill).
        start: Start time, timezone-aware, in the local offset in force when it was recorded.
        start_time_source: Where ``start`` came from: ``file``, ``filename`` or ``mtime``.
        duration_s: Length of the recording in seconds.
        device: Sensor name, where known.
        simulated: True when no real heart produced the beats.
        pace: The pacer plan: ``(t_s, label)`` for each pace in force (``"6.0 4:6"``).
        metrics: Whole-session values from :func:`hrvcoach.analysis.analyze` (``None`` where the
            recording was too short for one).
        checkin: Stress before/after and note.
        added: When the row was written (UTC).
        practice_s: Practice time in seconds (pauses left out), ``None`` where not known.
        counted: Whether the session counts toward goals, streaks and levels.
        level: Challenge level it was practised at (docs/training.md).
        zone_low_pct, zone_medium_pct, zone_high_pct: Percent of its time in each coherence zone.
        achievement_points: Points earned.
        swing_mean_bpm, swing_best_bpm: Heart-rate swing per breath, mean and best breath.
    """

    id: int
    sha256: str
    path: Path
    format: str
    kind: str
    start: datetime
    start_time_source: str
    duration_s: float
    device: str | None
    simulated: bool
    pace: tuple[tuple[float, str], ...]
    beats: int | None
    mean_rr_ms: float | None
    mean_hr_bpm: float | None
    rmssd_ms: float | None
    sdnn_ms: float | None
    pnn50_pct: float | None
    lf_ms2: float | None
    hf_ms2: float | None
    lf_hf: float | None
    lf_peak_hz: float | None
    coherence: float | None
    artifacts_corrected: int | None
    checkin: CheckIn
    added: datetime
    summary: Mapping[str, object] = dataclasses.field(default_factory=dict, repr=False)
    practice_s: float | None = None
    counted: bool | None = None
    level: int | None = None
    zone_low_pct: float | None = None
    zone_medium_pct: float | None = None
    zone_high_pct: float | None = None
    achievement_points: int | None = None
    swing_mean_bpm: float | None = None
    swing_best_bpm: float | None = None

    @property
    def local_date(self) -> date:
        """The calendar day the person practised on (in their offset at the time)."""
        return self.start.date()

    @property
    def minutes(self) -> float:
        return self.duration_s / 60.0

    @property
    def is_practice(self) -> bool:
        """Whether the session counts as practice in the trends (its kind is not ``other``)."""
        return self.kind in PRACTICE_KINDS

    @property
    def pace_bpm(self) -> float | None:
        """The breathing rate held longest in the session, or ``None`` if there was no pacer."""
        label = self.pace_label
        if label is None:
            return None
        try:
            return float(label.split()[0])
        except (ValueError, IndexError):
            return None

    @property
    def pace_label(self) -> str | None:
        """The pace label held longest (``"6.0 4:6"``), or ``None`` if there was no pacer."""
        if not self.pace:
            return None
        spans: dict[str, float] = {}
        for i, (t_s, label) in enumerate(self.pace):
            end = self.pace[i + 1][0] if i + 1 < len(self.pace) else max(self.duration_s, t_s)
            spans[label] = spans.get(label, 0.0) + max(0.0, min(end, self.duration_s) - t_s)
        return max(spans, key=lambda k: (spans[k], -list(spans).index(k)))

    @property
    def stress_change(self) -> int | None:
        """``after - before`` (negative is calmer), where both were given."""
        if self.checkin.before is None or self.checkin.after is None:
            return None
        return self.checkin.after - self.checkin.before

    def to_json(self) -> dict[str, object]:
        """Plain JSON-able values (``hrvcoach sessions --json``)."""
        out: dict[str, object] = {
            "id": self.id,
            "start": self.start.isoformat(),
            "start_time_source": self.start_time_source,
            "kind": self.kind,
            "duration_s": round(self.duration_s, 3),
            "format": self.format,
            "device": self.device,
            "simulated": self.simulated,
            "pace": [[t, label] for t, label in self.pace],
            "pace_bpm": self.pace_bpm,
        }
        for name in METRIC_COLUMNS:
            out[name] = getattr(self, name)
        out.update(
            checkin_before=self.checkin.before,
            checkin_after=self.checkin.after,
            stress_change=self.stress_change,
            note=self.checkin.note,
            path=str(self.path),
            sha256=self.sha256,
        )
        for name in TRAINING_COLUMNS:
            out[name] = getattr(self, name)
        return out


@dataclass(frozen=True)
class AssessmentRow:
    """One resonance assessment.

    Attributes:
        id: Row id.
        time: When it was done (timezone-aware).
        rate_bpm: The resonance rate found, breaths/min.
        confidence: The assessor's confidence (a number 0-1 or a word, as the assessor reports it).
        steps: One mapping per step tried (rate, scores ...), as the assessor reported them.
        recording_path: The recording of the assessment, if any.
        session_id: Its row in ``sessions``, if it was indexed.
    """

    id: int
    time: datetime
    rate_bpm: float
    confidence: float | str | None
    steps: tuple[Mapping[str, object], ...]
    recording_path: Path | None
    session_id: int | None


@dataclass(frozen=True)
class RebuildResult:
    """What :meth:`HistoryStore.rebuild` did.

    Attributes:
        indexed: Sessions in the index afterwards, read from their recordings.
        kept: Rows kept as they were because their recording is missing or now unreadable.
        failed: ``(path, message)`` for files that could not be read (and had no row to keep).
        new: Recordings that were not in the index before.
    """

    indexed: int
    kept: tuple[tuple[Path, str], ...]
    failed: tuple[tuple[Path, str], ...]
    new: int
