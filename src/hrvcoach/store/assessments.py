"""Resonance assessments in the history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hrvcoach.errors import StoreError
from hrvcoach.store.database import StoreBase
from hrvcoach.store.indexing import (
    _aware,
    _from_utc_text,
    _json_safe,
    _number,
    _offset_s,
    _utc_text,
)
from hrvcoach.store.rows import AssessmentRow


class Assessments(StoreBase):
    """Resonance assessments: their rate, confidence and steps, linked to their session."""

    def add_assessment(
        self,
        *,
        rate_bpm: float,
        confidence: float | str | None,
        steps: Sequence[object] = (),
        time: datetime | None = None,
        recording: Path | None = None,
    ) -> AssessmentRow:
        """Record a resonance assessment.

        Args:
            rate_bpm: The resonance rate found (breaths/min).
            confidence: How sure the assessor is (a number 0-1 or a word).
            steps: Per-step scores: mappings or dataclasses (stored as JSON).
            time: When it was done (default now).
            recording: The assessment's recording; linked to its session row if indexed.
        """
        if not (_number(rate_bpm) and 0 < float(rate_bpm) < 30):
            raise StoreError(f"assessment rate {rate_bpm!r} is not a breathing rate")
        when = _aware(time) if time is not None else datetime.now().astimezone()
        steps_json = json.dumps(_json_safe(list(steps)))
        if isinstance(confidence, float | int) and not isinstance(confidence, bool):
            confidence = float(confidence)
        session_id = None
        rec_path = Path(recording).expanduser().resolve() if recording is not None else None
        if rec_path is not None:
            stored = self._stored_path(rec_path)
            hit = self._query("SELECT id FROM sessions WHERE path = ?", (stored,))
            session_id = hit[0]["id"] if hit else None
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO assessments (time_utc, utc_offset_s, rate_bpm, confidence, steps_json,"
                " recording_path, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _utc_text(when),
                    _offset_s(when),
                    float(rate_bpm),
                    confidence,
                    steps_json,
                    str(rec_path) if rec_path else None,
                    session_id,
                ),
            )
            row_id = int(cur.lastrowid or 0)
        return self._assessments("WHERE id = ?", (row_id,))[0]

    def latest_assessment(self) -> AssessmentRow | None:
        """The most recent assessment, or ``None`` if there has been none."""
        rows = self._assessments("ORDER BY time_utc DESC, id DESC LIMIT 1", ())
        return rows[0] if rows else None

    def assessments(self) -> list[AssessmentRow]:
        """Every assessment, oldest first."""
        return self._assessments("ORDER BY time_utc, id", ())

    def _assessments(self, tail: str, params: Sequence[object]) -> list[AssessmentRow]:
        return [
            AssessmentRow(
                id=r["id"],
                time=_from_utc_text(r["time_utc"], r["utc_offset_s"]),
                rate_bpm=r["rate_bpm"],
                confidence=r["confidence"],
                steps=tuple(json.loads(r["steps_json"])),
                recording_path=Path(r["recording_path"]) if r["recording_path"] else None,
                session_id=r["session_id"],
            )
            for r in self._query(f"SELECT * FROM assessments {tail}", params)
        ]
