"""A ``.npy`` array of RR intervals (pyHRV's sample series and ``numpy.save`` of a list).

One-dimensional and numeric; the unit is judged by magnitude as for plain lists. Never unpickles.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from hrvcoach.errors import RecordingError
from hrvcoach.readers._common import Problems, beat_events, check_rr, mtime_start, to_milliseconds
from hrvcoach.recording import Recording, RecordingMeta


def read(path: Path, data: bytes) -> Recording:
    """Read RR intervals saved with ``numpy.save``."""
    problems = Problems(path)
    if not data.startswith(b"\x93NUMPY"):
        # np.load takes anything else for a pickle and says so, which misleads about a random file
        raise RecordingError(path, "not a .npy file (no NumPy header)")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise RecordingError(path, f"not a readable .npy array ({err})") from None
    if not isinstance(array, np.ndarray) or array.ndim != 1 or array.dtype.kind not in "iuf":
        shape = getattr(array, "shape", "?")
        raise RecordingError(path, f"expected a one-dimensional array of numbers, not {shape}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        bad = int(np.flatnonzero(~np.isfinite(array))[0])
        raise RecordingError(path, f"value {bad} is not a finite number")
    rr_ms, unit = to_milliseconds(array.astype(np.float64).tolist(), path)
    # There are no lines in an array: errors name the value's position instead (1-based).
    keep = check_rr(rr_ms, list(range(1, len(rr_ms) + 1)), path, problems)
    rr_ms = rr_ms[:keep]
    if not rr_ms:
        raise RecordingError(path, "the array is empty")
    meta = RecordingMeta(
        format="numpy",
        start_time=mtime_start(path),
        start_time_source="mtime",
        extra={"unit": unit, "dtype": str(array.dtype)},
    )
    return Recording(path, meta, beat_events(rr_ms, problems=problems), tuple(problems.items))
