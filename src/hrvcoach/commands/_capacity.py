"""What the capacity commands (``check``, ``recovery``) share: options, keeping results, the
history of past readings.

Each result is written as JSON beside its recording (``NAME.result.json``, as the assessment
does), so the recordings and their results stay the source of truth, and then into the history's
``capacity`` table, where the resting baseline and the trends read them.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.errors import HrvCoachError, StoreError, UsageError

if TYPE_CHECKING:
    from hrvcoach.protocols.history import CapacityResult

log = logging.getLogger(__name__)

RESULT_SUFFIX = ".result.json"
#: stands in for a recording of another app's file: the results of imported readings
IMPORTED_KIND = "imported"


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """``--device``, ``--recording``, ``--json``, ``--headless``, ``--screenshot``, ``--no-save``,
    ``--speed`` / ``--fast``, ``--no-ecg``, ``--no-motion``."""
    from hrvcoach.commands._session_options import add_stream_arguments

    parser.add_argument(
        "--device",
        metavar="NAME|ADDRESS|sim[:...]",
        help="the strap (default: the last one that connected), or the simulator, e.g. sim:seed=1",
    )
    parser.add_argument(
        "--recording",
        type=Path,
        metavar="FILE",
        help="score a recording made earlier or in another app instead of running the protocol",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no window and no dashboard: progress lines on stderr only",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--screenshot", type=Path, metavar="PATH", help="save a PNG of the window at the end"
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not keep the result (just show it)"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--speed", type=float, metavar="X", help="simulator: run X times faster than real time"
    )
    group.add_argument("--fast", action="store_true", help="simulator: run as fast as possible")
    add_stream_arguments(parser)


def check_run_arguments(args: argparse.Namespace) -> None:
    """Raises UsageError for options that do not go together."""
    if args.speed is not None and not (math.isfinite(args.speed) and args.speed > 0):
        raise UsageError("--speed must be a positive number")
    if args.recording is not None and args.device:
        raise UsageError("--recording scores a file; it cannot be used with --device")
    from hrvcoach.commands._protocol import check_stream_options

    check_stream_options(args)
    if args.device and (args.device.startswith("replay:") or Path(args.device).is_file()):
        raise UsageError(
            "a replayed recording cannot follow the protocol's phases; score it with "
            "--recording FILE"
        )


def save_result(
    payload: dict[str, object],
    *,
    data_dir: Path,
    recording: Path | None,
    kind: str,
    when: datetime,
) -> Path:
    """Write the result beside the recording (or, for another app's file, in the recordings
    folder under its own date), and return where.

    Raises:
        StoreError: The folder cannot be written.
    """
    from hrvcoach import paths
    from hrvcoach.recording import new_recording_path

    if recording is not None and recording.parent == paths.recordings_dir(data_dir):
        target = recording.with_name(recording.stem + RESULT_SUFFIX)
    else:
        folder = paths.recordings_dir(data_dir)
        stem = new_recording_path(folder, when, f"{kind}-{IMPORTED_KIND}").stem
        target = folder / (stem + RESULT_SUFFIX)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        paths.private_file(target)  # like every file in the data folder
    except OSError as err:
        raise StoreError(f"cannot write {target}: {err.strerror or err}") from None
    return target


def keep_result(
    payload: dict[str, object],
    *,
    data_dir: Path,
    recording: Path | None,
    kind: str,
    when: datetime,
) -> dict[str, object]:
    """Keep a result: as JSON beside its recording first (it survives whatever happens to the
    database), then in the history, with its recording indexed as a ``capacity`` session.

    Returns what was saved where (for the JSON output).

    Raises:
        StoreError: The result file cannot be written. A history that cannot be written is
            logged, not raised: the result file is kept and a rebuild picks it up.
    """
    from hrvcoach import paths
    from hrvcoach.store import HistoryStore

    where = save_result(payload, data_dir=data_dir, recording=recording, kind=kind, when=when)
    saved: dict[str, object] = {"result_file": str(where), "history": False}
    try:
        with HistoryStore.open(data_dir) as store:
            own = recording is not None and recording.parent == paths.recordings_dir(data_dir)
            if own and recording is not None:
                try:
                    store.add_recording(recording, kind="capacity")
                except HrvCoachError as err:
                    log.warning("recording not indexed: %s", err)
            store.add_capacity(
                protocol=str(payload["protocol"]),
                time=when,
                values=payload,
                simulated=bool(payload.get("simulated")),
                recording=recording,
                result_file=where,
            )
        saved["history"] = True
    except StoreError as err:
        log.warning("result kept in %s but not in the history: %s", where, err)
    return saved


def past_results(
    data_dir: Path, protocol: str, *, until: date | None = None
) -> list[CapacityResult]:
    """Every kept result of ``protocol`` in the history, oldest first (``until``: on that day or
    before)."""
    from hrvcoach.store import HistoryStore

    with HistoryStore.open(data_dir) as store:
        results = store.capacity_results(protocol)
    return results if until is None else [r for r in results if r.time.date() <= until]
