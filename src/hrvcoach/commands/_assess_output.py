"""What the assessment command shows and keeps: the criteria table, a PNG, the stored result.

The numbers come from :mod:`hrvcoach.protocols.resonance`; this module prints, draws and writes
them (the result file beside the recording, the history, the default pace).
"""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.errors import HrvCoachError

if TYPE_CHECKING:
    from hrvcoach.assess import AssessmentResult

log = logging.getLogger(__name__)


# -- output ---------------------------------------------------------------------------------------
def _fmt(value: float | None, spec: str) -> str:
    """``value`` formatted, or a dash (right-aligned to the same width) when there is none."""
    if value is None or not math.isfinite(value):
        width = "".join(c for c in spec.split(".")[0] if c.isdigit())
        return "-".rjust(int(width) if width else 1)
    return format(value, spec)


def format_table(result: AssessmentResult) -> str:
    """The criteria per rate, the winner marked, for people."""
    lines = [
        "  rate   peak-trough   LF power   LF peak        phase   coherence   score",
        "  /min           bpm        ms²   /min                                    ",
    ]
    for step, score in zip(result.steps, result.scores, strict=True):
        mark = "*" if result.resonance_bpm == step.rate_bpm else " "
        if not step.usable:
            lines.append(f"{mark} {step.rate_bpm:4.1f}   not scored: {step.note}")
            continue
        follows = "" if step.follows_pacer else " (off)"
        peak = _fmt(step.lf_peak_bpm, ".2f") + follows
        phase = _fmt(step.phase_deg, "+.0f") + ("°" if step.phase_deg is not None else "")
        lines.append(
            f"{mark} {step.rate_bpm:4.1f}   {_fmt(step.peak_trough_bpm, '11.1f')}"
            f"   {_fmt(step.lf_ms2, '8.0f')}   {peak:<11}"
            f"  {phase:>6}   {_fmt(step.coherence, '9.2f')}   {score:5.2f}"
        )
    return "\n".join(lines)


# -- keeping the result ---------------------------------------------------------------------------
def store_result(
    result: AssessmentResult,
    payload: dict[str, object],
    *,
    data_dir: Path,
    recording: Path | None,
    simulated: bool = False,
) -> dict[str, object]:
    """Write the result beside the recording, add it to the history and set the default pace.

    A simulated assessment is kept too, but as what it is: in the history only through its
    recording (indexed as a simulated session, which trends leave out), and it never sets the
    default pace, which belongs to the person's own heart.

    Returns what was saved where (for the JSON output and the closing lines).
    """
    from hrvcoach.settings import Settings

    saved: dict[str, object] = {}
    if recording is not None:
        # next to the recording first: it survives whatever happens to the database
        beside = recording.with_name(recording.stem + ".result.json")
        try:
            beside.write_text(
                json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            saved["result_file"] = str(beside)
        except OSError as err:
            log.warning("could not write %s: %s", beside, err)
    rate = result.resonance_bpm if result.resonance_bpm is not None else result.best_bpm
    if simulated:
        saved["simulated"] = True
    if rate is not None and (recording is not None or not simulated):
        # a simulated result with no recording has no simulated session to be linked to, and
        # the history could not tell it from a real one
        saved["history"] = _add_to_history(result, rate, data_dir=data_dir, recording=recording)
    if result.resonance_bpm is not None and not simulated:
        settings = Settings.load(data_dir)
        settings.pace_bpm = result.resonance_bpm
        settings.pace_source = f"assessment {datetime.now().astimezone().date().isoformat()}"
        settings.save(data_dir)
        saved["pace_bpm"] = settings.pace_bpm
        saved["pace_source"] = settings.pace_source
    return saved


def _add_to_history(
    result: AssessmentResult, rate: float, *, data_dir: Path, recording: Path | None
) -> bool:
    from hrvcoach.store import HistoryStore

    store = HistoryStore.open(data_dir)
    try:
        if recording is not None:
            try:
                store.add_recording(recording, kind="assessment")
            except HrvCoachError as err:
                # the session list can pick the file up later; the assessment itself must count
                log.warning("assessment recording not indexed: %s", err)
        store.add_assessment(
            rate_bpm=rate,
            confidence=result.confidence,
            steps=[s.to_json() for s in result.steps],
            recording=recording,
        )
    finally:
        store.close()
    return True
