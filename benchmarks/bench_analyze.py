"""How fast a whole-session summary is: ``analyze`` on a 24-hour recording.

Runs :func:`hrvcoach.analysis.analyze` on ``../shared/data/rr/physionet-healthy-24h/000.txt``
(~80k beats) with Kubios artifact correction, and reports the time of each stage and of the whole.
As a baseline in the same process it times neurokit2's own whole-series calls on the same RR
(``signal_fixpeaks`` Kubios, ``hrv_time``, ``hrv_frequency``): ``analyze`` does that work plus
coherence every 5 s (about 15,000 windows), so the ratio says what the extra costs.

It also checks that hrvcoach's Kubios correction of the whole day (``artifacts.kubios_peaks_us``,
the detection without neurokit2's per-beat loops) gives exactly the peaks of
``nk.signal_fixpeaks`` on the same microsecond peaks, and times both; and, with ``--commands``,
times ``hrvcoach analyze FILE --json`` and ``hrvcoach report FILE`` as fresh commands (start-up and
the neurokit2 import included; an empty history, so the report computes its numbers).

Targets: ``hrvcoach analyze`` under 15 s; ``hrvcoach report`` on a file not in the history
without a second artifact correction.

    .ci/venv python benchmarks/bench_analyze.py [--file PATH] [--artifacts nn|kubios|none]
        [--commands] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from common import DAY_FILE as DEFAULT_FILE
from common import command_s  # a sibling script, not a package


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--artifacts", choices=("nn", "kubios", "none"), default="nn")
    parser.add_argument(
        "--commands", action="store_true", help="also time the analyze and report commands"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"bench_analyze: {args.file} is absent (the shared recordings are not here)")
        return 2

    _, import_s = timed(__import__, "neurokit2")
    import neurokit2 as nk

    from hrvcoach import artifacts, hrv
    from hrvcoach import coherence as coh
    from hrvcoach.analysis import analyze

    rr = np.array([float(x) for x in args.file.read_text().split() if x.strip().isdigit()])

    summary, analyze_s = timed(analyze, rr, artifacts=args.artifacts)

    # The stages on their own.
    corrected, kubios_s = timed(
        artifacts.correct, rr, "kubios" if args.artifacts == "nn" else args.artifacts
    )
    clean = corrected.rr_ms
    t = np.cumsum(clean) / 1000.0
    _, time_s = timed(hrv.time_domain, clean)
    _, spectrum_s = timed(hrv.frequency_domain, clean, t)
    series, coherence_s = timed(coh.coherence_series, clean, t)

    # Baseline: neurokit2's own whole-series calls.
    peaks = np.concatenate(([0], np.cumsum(rr))).astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, nk_fix_s = timed(nk.signal_fixpeaks, peaks, sampling_rate=1000, method="kubios")
        _, nk_time_s = timed(nk.hrv_time, {"RRI": clean})
        _, nk_freq_s = timed(nk.hrv_frequency, {"RRI": clean}, interpolation_rate=4)
    baseline_s = nk_fix_s + nk_time_s + nk_freq_s

    # The same Kubios correction both ways on the same microsecond peaks: equal, and how fast.
    peaks_us = artifacts.rr_to_peaks_us(rr)
    ours, ours_s = timed(artifacts.kubios_peaks_us, peaks_us)
    (_, theirs), theirs_s = timed(
        nk.signal_fixpeaks, peaks_us, sampling_rate=1_000_000, method="kubios"
    )
    identical = bool(np.array_equal(ours, np.asarray(theirs)))

    analyze_cmd_s = report_cmd_s = None
    if args.commands:
        analyze_cmd_s = command_s(
            "analyze", str(args.file), "--json", "--artifacts", args.artifacts
        )
        report_cmd_s = command_s("report", str(args.file), "--artifacts", args.artifacts)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    results = {
        "file": str(args.file),
        "artifacts": args.artifacts,
        "beats": int(rr.size),
        "session_h": float(rr.sum()) / 3.6e6,
        "neurokit2_import_s": import_s,
        "analyze_s": analyze_s,
        "stage_kubios_s": kubios_s,
        "stage_time_domain_s": time_s,
        "stage_spectrum_s": spectrum_s,
        "stage_coherence_s": coherence_s,
        "coherence_windows": int(series.ratio.size),
        "baseline_neurokit_s": baseline_s,
        "baseline_fixpeaks_s": nk_fix_s,
        "baseline_hrv_time_s": nk_time_s,
        "baseline_hrv_frequency_s": nk_freq_s,
        "analyze_over_baseline": analyze_s / baseline_s,
        "kubios_hrvcoach_s": ours_s,
        "kubios_neurokit_s": theirs_s,
        "kubios_identical_to_neurokit": identical,
        "analyze_command_s": analyze_cmd_s,
        "report_command_s": report_cmd_s,
        "max_rss_mb": maxrss_mb,
        "summary": summary.to_json(),
        "load_avg_1min": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    rows = [
        ("beats", f"{rr.size} ({results['session_h']:.1f} h)"),
        ("analyze, whole file", f"{analyze_s:.1f} s  (target < 15 s)"),
        ("  artifacts", f"{kubios_s:.2f} s  ({corrected.count} corrected, {args.artifacts})"),
        ("  time domain", f"{time_s * 1e3:.1f} ms"),
        ("  spectrum", f"{spectrum_s * 1e3:.0f} ms"),
        ("  coherence", f"{coherence_s:.2f} s  ({series.ratio.size} windows of 64 s)"),
        ("neurokit2 baseline", f"{baseline_s:.1f} s  (fixpeaks + hrv_time + hrv_frequency)"),
        ("analyze / baseline", f"{analyze_s / baseline_s:.2f}"),
        (
            "Kubios, same µs peaks",
            f"{ours_s:.2f} s hrvcoach, {theirs_s:.2f} s neurokit2 (x{theirs_s / ours_s:.1f}),"
            f" identical: {'yes' if identical else 'NO'}",
        ),
    ]
    if analyze_cmd_s is not None and report_cmd_s is not None:
        rows += [
            ("hrvcoach analyze --json", f"{analyze_cmd_s:.1f} s  (target < 15 s)"),
            ("hrvcoach report", f"{report_cmd_s:.1f} s  (not in the history)"),
        ]
    rows += [
        ("peak RSS (process)", f"{maxrss_mb:.0f} MB"),
        ("load average", f"{results['load_avg_1min']:.1f} on {os.cpu_count()} CPUs"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
