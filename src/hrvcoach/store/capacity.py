"""Capacity results in the history: resting checks, deep-breathing tests and recovery drills.

Each result is also kept as JSON beside its recording (``NAME.result.json``), which stays the
source of truth: :meth:`CapacityResults.rebuild_capacity` reads those files back, so the table
outlives a damaged database like the sessions do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from hrvcoach.errors import StoreError
from hrvcoach.protocols.history import PROTOCOLS, CapacityResult
from hrvcoach.store.database import StoreBase
from hrvcoach.store.indexing import _aware, _from_utc_text, _json_safe, _offset_s, _utc_text

log = logging.getLogger(__name__)

RESULT_SUFFIX = ".result.json"


class CapacityResults(StoreBase):
    """The capacity table: one row per kept result, keyed by its result file when it has one."""

    def add_capacity(
        self,
        *,
        protocol: str,
        time: datetime,
        values: Mapping[str, object],
        simulated: bool = False,
        recording: Path | None = None,
        result_file: Path | None = None,
    ) -> CapacityResult:
        """Record one result (again: the same ``result_file`` replaces its row).

        Args:
            protocol: ``resting``, ``deep_breathing`` or ``recovery``.
            time: When the reading was taken.
            values: Its ``--json`` keys.
            simulated: The simulator produced it.
            recording: Its recording; linked to its session row if indexed.
            result_file: The JSON kept beside the recording.

        Raises:
            StoreError: An unknown protocol, or the database cannot be written.
        """
        if protocol not in PROTOCOLS:
            raise StoreError(f"unknown capacity protocol {protocol!r}")
        when = _aware(time)
        rec_path = Path(recording).expanduser().resolve() if recording is not None else None
        res_path = Path(result_file).expanduser().resolve() if result_file is not None else None
        session_id = None
        if rec_path is not None:
            hit = self._query("SELECT id FROM sessions WHERE path = ?", (str(rec_path),))
            session_id = hit[0]["id"] if hit else None
        with self._write() as db:
            if res_path is not None:
                db.execute("DELETE FROM capacity WHERE result_path = ?", (str(res_path),))
            db.execute(
                "INSERT INTO capacity (time_utc, utc_offset_s, protocol, simulated, values_json,"
                " recording_path, result_path, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _utc_text(when),
                    _offset_s(when),
                    protocol,
                    int(simulated),
                    json.dumps(_json_safe(dict(values))),
                    str(rec_path) if rec_path else None,
                    str(res_path) if res_path else None,
                    session_id,
                ),
            )
        return CapacityResult(when, protocol, dict(values), simulated, _text(rec_path))

    def capacity_results(self, protocol: str | None = None) -> list[CapacityResult]:
        """Every kept result (of ``protocol``, if given), oldest first."""
        tail, params = "", ()
        if protocol is not None:
            tail, params = "WHERE protocol = ?", (protocol,)  # type: ignore[assignment]
        return [
            CapacityResult(
                _from_utc_text(r["time_utc"], r["utc_offset_s"]),
                r["protocol"],
                json.loads(r["values_json"]),
                bool(r["simulated"]),
                r["recording_path"],
            )
            for r in self._query(
                f"SELECT * FROM capacity {tail} ORDER BY time_utc, id", tuple(params)
            )
        ]

    def rebuild_capacity(self, recordings_dir: Path) -> int:
        """Replace the table with the results kept beside the recordings; returns how many.

        A result file that cannot be read is skipped with a warning.
        """
        rows = []
        if recordings_dir.is_dir():
            for path in sorted(recordings_dir.glob("*" + RESULT_SUFFIX)):
                found = read_result_file(path)
                if found is not None:
                    rows.append((path, found))
        with self._write() as db:
            db.execute("DELETE FROM capacity")
        for path, (when, protocol, values) in rows:
            recording = values.get("recording")
            self.add_capacity(
                protocol=protocol,
                time=when,
                values=values,
                simulated=bool(values.get("simulated")),
                recording=Path(recording) if isinstance(recording, str) else None,
                result_file=path,
            )
        return len(rows)


def read_result_file(path: Path) -> tuple[datetime, str, dict[str, object]] | None:
    """``(time, protocol, values)`` of a capacity result file, or ``None`` (an assessment's
    result, or a file that cannot be read: logged)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        log.warning("skipping unreadable result %s: %s", path, err)
        return None
    if not isinstance(raw, dict) or raw.get("protocol") not in PROTOCOLS:
        return None
    try:
        when = datetime.fromisoformat(str(raw["date"]))
    except (KeyError, ValueError):
        log.warning("skipping result %s: no date", path)
        return None
    return _aware(when), str(raw["protocol"]), raw


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)
