"""How fast the live HRV engine is: a whole day of beats through ``LiveHrv``, beat by beat.

Feeds a 24-hour Holter recording (``../shared/data/rr/physionet-healthy-24h/000.txt``, ~80k beats)
through :class:`hrvcoach.live.LiveHrv` as a session would, and reports:

* beats per second and the real-time factor (session seconds per wall-clock second);
* peak memory: the process's maximum resident set (``resource``, includes neurokit2 and pandas)
  and the engine's own allocations at their peak (``tracemalloc``, over a slice of the file);
* the ratio against the naive way, measured in the same process: neurokit2 ``hrv_time`` and
  ``hrv_frequency`` over the 60 s window at every beat, timed on a sample of beats spread over the
  file and extrapolated to all of them; once with ``hrv_frequency``'s defaults (100 Hz
  interpolation) and once at 4 Hz, the rate LiveHrv resamples at, so the ratio is not flattered.

Targets: the whole file in under 60 s (over 1,400x real time), at least 20x faster than naive, peak
memory under 400 MB.

    .ci/venv python benchmarks/bench_live.py [--file PATH] [--artifacts nn|kubios|none]
        [--naive-sample 300] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from common import DAY_FILE as DEFAULT_FILE  # a sibling script, not a package


def load_rr(path: Path, limit: int | None) -> np.ndarray:
    rr = np.array([float(x) for x in path.read_text().split() if x.strip().isdigit()])
    return rr[:limit] if limit else rr


def run_live(rr: np.ndarray, artifacts: str) -> tuple[float, object]:
    from hrvcoach.beats import Beat
    from hrvcoach.live import LiveHrv

    t = np.cumsum(rr) / 1000.0
    beats = [Beat(a, b) for a, b in zip(t.tolist(), rr.tolist(), strict=True)]
    live = LiveHrv(artifacts=artifacts)
    start = time.perf_counter()
    metrics = None
    for beat in beats:
        metrics = live.update(beat)
    return time.perf_counter() - start, metrics


def engine_peak_mb(rr: np.ndarray, artifacts: str) -> float:
    """The engine's own allocations at their peak over the first hour (tracemalloc is slow)."""
    from hrvcoach.beats import Beat
    from hrvcoach.live import LiveHrv

    t = np.cumsum(rr) / 1000.0
    n = int(np.searchsorted(t, 3600.0))
    live = LiveHrv(artifacts=artifacts)
    tracemalloc.start()
    for a, b in zip(t[:n].tolist(), rr[:n].tolist(), strict=True):
        live.update(Beat(a, b))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def naive_per_beat_s(
    rr: np.ndarray, sample: int, window_s: float = 60.0, interpolation_rate: int = 100
) -> float:
    """Mean cost of neurokit2 hrv_time + hrv_frequency on the 60 s window ending at a beat.

    ``interpolation_rate`` 100 Hz is hrv_frequency's default; 4 Hz matches what LiveHrv does.
    """
    import neurokit2 as nk

    t = np.cumsum(rr) / 1000.0
    first = int(np.searchsorted(t, window_s))
    ends = np.linspace(first, rr.size - 1, sample).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short windows make hrv_frequency warn about VLF
        start = time.perf_counter()
        for end in ends:
            window = rr[(t > t[end] - window_s) & (t <= t[end])]
            nk.hrv_time({"RRI": window})
            nk.hrv_frequency({"RRI": window}, interpolation_rate=interpolation_rate)
        elapsed = time.perf_counter() - start
    return elapsed / sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--artifacts", choices=("nn", "kubios", "none"), default="nn")
    parser.add_argument("--beats", type=int, default=None, help="use only the first N beats")
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"bench_live: {args.file} is absent (the shared recordings are not here)")
        return 2

    t0 = time.perf_counter()
    import neurokit2  # noqa: F401  (timed apart: every real session pays it once)

    import_s = time.perf_counter() - t0
    rr = load_rr(args.file, args.beats)
    session_s = float(rr.sum()) / 1000.0

    live_s, metrics = run_live(rr, args.artifacts)
    naive_beat_s = naive_per_beat_s(rr, args.naive_sample)
    naive_s = naive_beat_s * rr.size
    matched_beat_s = naive_per_beat_s(rr, args.naive_sample, interpolation_rate=4)
    matched_s = matched_beat_s * rr.size
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    traced_mb = engine_peak_mb(rr, args.artifacts)

    results = {
        "file": str(args.file),
        "artifacts": args.artifacts,
        "beats": int(rr.size),
        "session_h": session_s / 3600.0,
        "neurokit2_import_s": import_s,
        "live_s": live_s,
        "beats_per_s": rr.size / live_s,
        "realtime_factor": session_s / live_s,
        "live_us_per_beat": 1e6 * live_s / rr.size,
        "naive_ms_per_beat": 1e3 * naive_beat_s,
        "naive_s_extrapolated": naive_s,
        "speedup_vs_naive": naive_s / live_s,
        "naive_4hz_ms_per_beat": 1e3 * matched_beat_s,
        "speedup_vs_naive_4hz": matched_s / live_s,
        "max_rss_mb": maxrss_mb,
        "engine_peak_traced_mb_first_hour": traced_mb,
        "artifacts_corrected": getattr(metrics, "artifacts", None),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_avg_1min": os.getloadavg()[0],
    }
    rows = [
        ("beats", f"{rr.size} ({session_s / 3600:.1f} h)"),
        ("neurokit2 import", f"{import_s:.2f} s"),
        ("LiveHrv, whole file", f"{live_s:.1f} s  (target < 60 s)"),
        ("beats per second", f"{rr.size / live_s:,.0f}"),
        ("real-time factor", f"{session_s / live_s:,.0f}x  (target > 1,400x)"),
        ("per beat", f"{1e6 * live_s / rr.size:.0f} µs"),
        ("naive, per beat", f"{1e3 * naive_beat_s:.1f} ms  (hrv_time + hrv_frequency defaults)"),
        ("naive, whole file", f"{naive_s:,.0f} s  (extrapolated from {args.naive_sample} beats)"),
        ("speed-up vs naive", f"{naive_s / live_s:,.0f}x  (target > 20x)"),
        ("naive at 4 Hz, per beat", f"{1e3 * matched_beat_s:.1f} ms  (interpolation_rate=4)"),
        ("speed-up vs that", f"{matched_s / live_s:,.0f}x"),
        ("peak RSS (process)", f"{maxrss_mb:.0f} MB  (target < 400 MB)"),
        ("engine peak, traced", f"{traced_mb:.2f} MB  (first hour)"),
        ("corrected beats", f"{results['artifacts_corrected']}  ({args.artifacts})"),
        ("load average", f"{results['load_avg_1min']:.1f} on {os.cpu_count()} CPUs"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
