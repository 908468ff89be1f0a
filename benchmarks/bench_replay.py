"""The issue's benchmark: a whole day replayed with ``--fast`` through the live pipeline.

Runs ``../shared/data/rr/physionet-healthy-24h/000.txt`` (80,441 beats, 21.1 h) down the code path
of ``hrvcoach replay FILE --fast --headless``: :func:`hrvcoach.readers.read_recording`, a
:class:`hrvcoach.drivers.replay.ReplaySource` with ``Playback(fast=True)``, and a
:class:`hrvcoach.session.Session` with the default :class:`hrvcoach.live.LiveHrv` (60 s window,
spectrum and coherence every 5 s, beat classification), recording nothing. It reports:

* the time to read the file, to play it through the session, and the real-time factor (session
  seconds per wall-clock second of reading plus playing);
* the ratio against the naive way, timed in the same process: neurokit2 ``hrv_time`` +
  ``hrv_frequency`` on the 60 s window of every beat (on a sample of beats spread over the file,
  extrapolated; half the sample timed before the run and half after, so that a change of load on
  a shared machine weighs on both sides of the ratio), with ``hrv_frequency``'s defaults and at
  4 Hz, the rate LiveHrv resamples at;
* the process's peak resident memory;
* ``analyze`` on the same recording in this process (the summary the replay command prints at its
  end), and ``hrvcoach analyze FILE --json`` run as a command, start-up and import included.

Targets: the file in under 60 s (over 1,400x real time), at least 40x faster than the naive way,
peak memory under 400 MB, ``hrvcoach analyze`` (the full metric set) under 10 s. The live engine
runs as ``replay`` does by default: beats classified one by one, NN intervals only
(``--artifacts nn``; ``kubios`` for the Kubios passes of before).

    .ci/venv python benchmarks/bench_replay.py [--file PATH] [--artifacts nn|kubios|none]
        [--estimator numpy|signal_psd] [--compare-hours 3] [--naive-sample 300] [--cli]
        [--json results.json]

``--cli`` also times ``hrvcoach replay FILE --fast --headless`` itself as a command.
``--compare-hours`` times the live engine alone over the first hours twice each way: computing
each refresh's spectrum with the numpy Welch (the default) and by calling neurokit2's
``signal_psd`` itself (same numbers, tested), so the cost of the call is on record.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_live import naive_per_beat_s  # sibling scripts, not a package
from common import DAY_FILE as DEFAULT_FILE
from common import command_s


async def _play(recording: object, artifacts: str, estimator: str) -> object:
    from hrvcoach.drivers.replay import ReplaySource
    from hrvcoach.live import LiveHrv
    from hrvcoach.session import Session
    from hrvcoach.timing import Playback

    source = ReplaySource(recording, playback=Playback(fast=True))  # type: ignore[arg-type]
    live = LiveHrv(artifacts=artifacts, spectral_estimator=estimator)  # type: ignore[arg-type]
    session = Session(source, live=live)
    return await session.run()


def _compare_estimators(recording: object, artifacts: str, hours: float) -> dict[str, float]:
    """The live engine over the first ``hours``, spectra by numpy and by ``signal_psd``, in turn."""
    from hrvcoach.beats import Beat
    from hrvcoach.live import LiveHrv

    if hours <= 0:
        return {}
    beats = [
        e
        for e in recording.events  # type: ignore[attr-defined]
        if isinstance(e, Beat) and e.t_s <= hours * 3600.0
    ]
    out: dict[str, float] = {}
    for estimator in ("numpy", "signal_psd", "numpy", "signal_psd"):  # twice, interleaved
        live = LiveHrv(artifacts=artifacts, spectral_estimator=estimator)  # type: ignore[arg-type]
        start = time.perf_counter()
        for beat in beats:
            live.update(beat)
        elapsed = time.perf_counter() - start
        out[f"{estimator}_s"] = min(out.get(f"{estimator}_s", float("inf")), elapsed)
    refreshes = hours * 3600.0 / live.spectral_every_s
    out["extra_ms_per_refresh"] = 1e3 * (out["signal_psd_s"] - out["numpy_s"]) / refreshes
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--artifacts", choices=("nn", "kubios", "none"), default="nn")
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument(
        "--estimator",
        choices=("numpy", "signal_psd"),
        default="numpy",
        help="how the live engine computes each refresh's spectrum (LiveHrv's default: numpy)",
    )
    parser.add_argument(
        "--compare-hours",
        type=float,
        default=3.0,
        help="also time the live engine both ways over this many hours (0: skip)",
    )
    parser.add_argument("--cli", action="store_true", help="also time the replay command")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"bench_replay: {args.file} is absent (the shared recordings are not here)")
        return 2

    import numpy as np

    t0 = time.perf_counter()
    import neurokit2  # noqa: F401  (timed apart: every real session pays it once)

    import_s = time.perf_counter() - t0

    from hrvcoach.analysis import analyze
    from hrvcoach.beats import Beat
    from hrvcoach.readers import read_recording

    t0 = time.perf_counter()
    recording = read_recording(args.file)
    read_s = time.perf_counter() - t0
    rr = np.array([e.rr_ms for e in recording.events if isinstance(e, Beat)], dtype=np.float64)
    session_s = float(recording.duration_s)

    half = max(args.naive_sample // 2, 1)
    naive_before = (
        naive_per_beat_s(rr, half),
        naive_per_beat_s(rr, half, interpolation_rate=4),
    )

    t0 = time.perf_counter()
    result = asyncio.run(_play(recording, args.artifacts, args.estimator))
    play_s = time.perf_counter() - t0
    pipeline_s = read_s + play_s
    final = result.final_metrics  # type: ignore[attr-defined]

    t0 = time.perf_counter()
    summary = analyze(recording, artifacts=args.artifacts)
    analyze_s = time.perf_counter() - t0
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    # The second half of the naive sample, after the run (the first half was timed before it):
    # on a shared machine the load moves, and this way both sides of the ratio see it alike.
    naive_beat_s = (naive_before[0] + naive_per_beat_s(rr, half)) / 2
    matched_beat_s = (naive_before[1] + naive_per_beat_s(rr, half, interpolation_rate=4)) / 2
    naive_s = naive_beat_s * rr.size
    matched_s = matched_beat_s * rr.size

    compare = _compare_estimators(recording, args.artifacts, args.compare_hours)

    analyze_cmd_s = command_s("analyze", str(args.file), "--json", "--artifacts", args.artifacts)
    replay_cmd_s = (
        command_s("replay", str(args.file), "--fast", "--headless", "--artifacts", args.artifacts)
        if args.cli
        else None
    )

    results = {
        "file": str(args.file),
        "artifacts": args.artifacts,
        "beats": int(rr.size),
        "beats_played": result.beats,  # type: ignore[attr-defined]
        "session_h": session_s / 3600.0,
        "neurokit2_import_s": import_s,
        "read_s": read_s,
        "play_s": play_s,
        "pipeline_s": pipeline_s,
        "realtime_factor": session_s / pipeline_s,
        "us_per_beat": 1e6 * pipeline_s / rr.size,
        "naive_ms_per_beat": 1e3 * naive_beat_s,
        "speedup_vs_naive": naive_s / pipeline_s,
        "naive_4hz_ms_per_beat": 1e3 * matched_beat_s,
        "speedup_vs_naive_4hz": matched_s / pipeline_s,
        "max_rss_mb": maxrss_mb,
        "live_artifacts_corrected": getattr(final, "artifacts", None),
        "analyze_s": analyze_s,
        "analyze_artifacts_corrected": summary.artifacts_corrected,
        "analyze_command_s": analyze_cmd_s,
        "estimator": args.estimator,
        "estimator_comparison": compare,
        "replay_command_s": replay_cmd_s,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_avg_1min": os.getloadavg()[0],
    }
    rows = [
        ("beats", f"{rr.size} ({session_s / 3600:.1f} h); played {results['beats_played']}"),
        ("neurokit2 import", f"{import_s:.2f} s"),
        ("read_recording", f"{read_s:.2f} s"),
        ("live spectrum by", args.estimator),
        ("Session + LiveHrv, --fast", f"{play_s:.1f} s"),
        ("read + play", f"{pipeline_s:.1f} s  (target < 60 s)"),
        ("real-time factor", f"{session_s / pipeline_s:,.0f}x  (target > 1,400x)"),
        ("per beat", f"{1e6 * pipeline_s / rr.size:.0f} µs"),
        ("naive, per beat", f"{1e3 * naive_beat_s:.1f} ms  (hrv_time + hrv_frequency defaults)"),
        ("speed-up vs naive", f"{naive_s / pipeline_s:,.0f}x  (target > 40x)"),
        ("naive at 4 Hz, per beat", f"{1e3 * matched_beat_s:.1f} ms  (interpolation_rate=4)"),
        ("speed-up vs that", f"{matched_s / pipeline_s:,.0f}x"),
        ("peak RSS (process)", f"{maxrss_mb:.0f} MB  (target < 400 MB)"),
        ("live beats not normal", f"{results['live_artifacts_corrected']}  ({args.artifacts})"),
        ("analyze, in process", f"{analyze_s:.1f} s  ({summary.artifacts_corrected} corrected)"),
        ("hrvcoach analyze", f"{analyze_cmd_s:.1f} s  (a fresh process; target < 10 s)"),
    ]
    if compare:
        rows.append(
            (
                f"engine, first {args.compare_hours:g} h",
                f"numpy {compare['numpy_s']:.1f} s, signal_psd {compare['signal_psd_s']:.1f} s"
                f" (x{compare['signal_psd_s'] / compare['numpy_s']:.2f}; "
                f"{compare['extra_ms_per_refresh']:.2f} ms more per refresh)",
            )
        )
    if replay_cmd_s is not None:
        rows.append(("hrvcoach replay --fast", f"{replay_cmd_s:.1f} s  (read, play, summary)"))
    rows.append(("load average", f"{results['load_avg_1min']:.1f} on {os.cpu_count()} CPUs"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
