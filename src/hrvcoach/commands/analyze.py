"""Whole-session HRV summary of a recording: heart rate, SDNN, RMSSD, pNN50, LF/HF and coherence.

Reads any format hrvcoach knows (its own recordings, RR lists, HRV Logger, Polar HRM, Garmin FIT,
Polar Sensor Logger, numpy). Every beat is classified (normal, ectopic, missed, extra, artifact)
and the numbers are of the normal-to-normal intervals (--artifacts nn, the default); --artifacts
kubios corrects artifacts with the Kubios method instead, --artifacts none takes every beat. The
signal quality (share of beats that are not normal, and a verdict) comes with every summary. The
methods behind every number are in docs/metrics.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from typing import IO, TYPE_CHECKING, Any

from hrvcoach.commands._progress import Progress
from hrvcoach.errors import RecordingError, UsageError

if TYPE_CHECKING:
    from hrvcoach.analysis import Summary

log = logging.getLogger(__name__)

#: from this many beats (about three hours) the analysis takes long enough to show it is working
LONG_BEATS = 10_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the recording to analyse")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_method_arguments(parser)
    parser.add_argument(
        "--no-ecg",
        action="store_true",
        help="the strap's beats alone: do not put back beats it missed from a recorded ECG "
        "(by default the summary is the one the session ended with)",
    )
    parser.add_argument(
        "--windows",
        choices=("30s", "2min", "5min"),
        default=None,
        help="every metric per consecutive window of this length (with --method hrv-logger on "
        "an HRV Logger export whose _Features.csv lies beside it: the app's own windows)",
    )
    parser.add_argument(
        "--csv",
        metavar="PATH",
        default=None,
        help="with --windows: write one row per window to this CSV file ('-': standard output)",
    )
    parser.add_argument(
        "--spectrum",
        choices=("welch", "lomb", "ar"),
        default="welch",
        help="welch: the method's Welch periodogram (default); lomb: Lomb-Scargle of the beats; "
        "ar: Burg autoregressive model of order 16 (long recordings: 5-minute windows averaged)",
    )
    parser.add_argument(
        "--detrend",
        choices=("none", "smoothness-priors"),
        default=None,
        help="detrend the RR before the spectrum (smoothness priors, lambda 500; default: none)",
    )
    parser.add_argument(
        "--format",
        metavar="FMT",
        default=None,
        help="read the file as this format instead of recognising it (e.g. rr-list, hrvlogger)",
    )


def add_method_arguments(parser: argparse.ArgumentParser) -> None:
    """``--method`` and ``--artifacts``, shared by analyze, replay and export."""
    from hrvcoach.methods import METHODS, NAMES

    parser.add_argument(
        "--method",
        choices=NAMES,
        default="default",
        help="whose conventions the numbers follow: "
        + "; ".join(f"{m.name}: {m.summary}" for m in METHODS.values()),
    )
    parser.add_argument(
        "--artifacts",
        choices=("nn", "kubios", "none"),
        default=None,
        help="nn: normal-to-normal intervals only; kubios: Kubios correction; none: every beat "
        "as it came (default: nn with --method default, none with the other methods, which "
        "take a file as it is)",
    )


def method_of(args: argparse.Namespace) -> tuple[str, str]:
    """The method's name (``--method``, where the command has it) and the artifact handling."""
    from hrvcoach.methods import get

    method = get(getattr(args, "method", None))
    return method.name, getattr(args, "artifacts", None) or method.artifacts


def _num(value: float | None, fmt: str, unit: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:{fmt}}{unit}"


def _duration(seconds: float) -> str:
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_table(s: Summary, *, title: str) -> str:
    """The summary as aligned ``label  value`` lines."""
    peak_text = (
        ""
        if s.lf_peak_hz is None
        else f"   (peak {s.lf_peak_hz:.3f} Hz, {s.lf_peak_hz * 60:.1f} /min)"
    )
    coh_text = "-"
    if s.coherence is not None and s.coherence_max is not None:
        rhythm = (
            "" if s.coherence_peak_hz is None else f", rhythm {s.coherence_peak_hz * 60:.1f} /min"
        )
        coh_text = (
            f"{s.coherence:.2f} mean, {s.coherence_max:.2f} best"
            f"   ({s.coherence_windows} {'window' if s.coherence_windows == 1 else 'windows'}"
            f" of 64 s{rhythm})"
        )
    if s.artifact_method == "nn":
        beats = f"{s.beats}   ({s.artifacts_corrected} not normal, left out"
    elif s.artifact_method == "none":
        beats = f"{s.beats}   (taken as they came"
    else:
        beats = f"{s.beats}   ({s.artifacts_corrected} corrected by {s.artifact_method}"
    if s.beats_excluded:
        beats += f", {s.beats_excluded} unusable"
    if s.stretches > 1:
        beats += f", {s.stretches} stretches between gaps"
    if s.lf_ms2 is None and s.hf_ms2 is None:
        peak_text = f"   ({s.spectral_note or 'no spectrum'})"
    rows = [
        ("Recording", title),
        ("Beats", beats + ")"),
        ("Signal", quality_text(s)),
        ("Duration", _duration(s.duration_s)),
        (
            "Heart rate",
            f"{_num(s.mean_hr_bpm, '.1f', ' bpm')}   (mean RR {_num(s.mean_rr_ms, '.0f', ' ms')})",
        ),
        ("SDNN", _num(s.sdnn_ms, ".1f", " ms")),
        ("RMSSD", _num(s.rmssd_ms, ".1f", " ms")),
        ("pNN50", _num(s.pnn50_pct, ".1f", " %")),
        ("pNN20", _num(s.pnn20_pct, ".1f", " %")),
        (
            "HTI / TINN",
            f"{_num(s.triangular_index, '.1f')} / {_num(s.tinn_ms, '.0f', ' ms')}",
        ),
        ("SD1 / SD2", f"{_num(s.sd1_ms, '.1f', ' ms')} / {_num(s.sd2_ms, '.1f', ' ms')}"),
        ("SampEn/DFA", nonlinear_text(s)),
        ("VLF power", _num(s.vlf_ms2, ".0f", " ms²")),
        ("LF power", _num(s.lf_ms2, ".0f", " ms²") + peak_text),
        ("HF power", _num(s.hf_ms2, ".0f", " ms²")),
        ("LF/HF", _num(s.lf_hf, ".2f")),
        ("Coherence", coh_text),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def nonlinear_text(s: Summary) -> str:
    """SampEn and the DFA exponents, and where they come from on a long recording."""
    text = (
        f"{_num(s.sampen, '.2f')}, α1 {_num(s.dfa_alpha1, '.2f')}, α2 {_num(s.dfa_alpha2, '.2f')}"
    )
    if s.nonlinear_windows:
        text += f"   (median of {s.nonlinear_windows} 5-min windows)"
    return text


def quality_text(s: Summary) -> str:
    """The signal-quality verdict in words, with the shares behind it."""
    q = s.quality
    if q is None:
        return "-"
    words = {
        "good": "good",
        "fair": "fair: a few beats left out",
        "poor": "poor: read these numbers as a rough guide only",
    }
    text = f"{words[q.verdict]}   ({q.ectopic_pct:.1f} % ectopic, {q.artifact_pct:.1f} % artifacts"
    if q.spectral_verdict != q.verdict:
        text += f"; for spectra: {q.spectral_verdict}"
    return text + ")"


def run(args: argparse.Namespace) -> int:
    from hrvcoach.analysis import analyze
    from hrvcoach.readers import read_recording, require_beats

    if args.csv is not None and args.windows is None:
        raise UsageError("--csv writes one row per window: give --windows 30s, 2min or 5min")
    if args.csv is not None and args.json:
        raise UsageError("--csv and --json are two outputs of the windows: choose one")
    recording = read_recording(args.file, args.format)
    for warning in recording.warnings:
        print(f"hrvcoach analyze: note: {warning}", file=sys.stderr)
    require_beats(recording, "analyse")
    options: dict[str, Any] = {
        "method": args.method,
        "artifacts": args.artifacts,
        "detrend": args.detrend,
    }
    if args.spectrum != "welch":
        import dataclasses

        from hrvcoach.methods import get

        options["spectral"] = dataclasses.replace(get(args.method).spectral, kind=args.spectrum)
    # A day-long recording takes seconds: say so on a terminal (never into --json or a pipe).
    long = len(recording.beats) >= LONG_BEATS
    with Progress(
        f"analysing {len(recording.beats):,} beats", enabled=long and not args.json
    ) as bar:
        bar.update(0)
        if args.no_ecg:
            summary = analyze(recording, **options)
        else:  # as the session's own summary: missed beats put back from a recorded ECG
            from hrvcoach.commands._signals import with_ecg

            summary = with_ecg(recording, lambda rec: analyze(rec, **options))
    if summary.beats < 2:
        raise RecordingError(args.file, "has fewer than 2 usable beats: nothing to analyse")
    if args.windows is not None:
        return _run_windows(args, recording, summary, options)
    if args.json:
        out = {"file": str(args.file), "format": recording.meta.format, **summary.to_json()}
        print(json.dumps(out, indent=2, allow_nan=False))
    else:
        meta = recording.meta
        title = f"{args.file}   ({meta.format}" + (f", {meta.device}" if meta.device else "") + ")"
        print(format_table(summary, title=title))
    return 0


def _hrvlogger_ranges(path: str) -> list[tuple[int, int]] | None:
    """HRV Logger's feature windows as beat ranges, when its _Features.csv lies beside ``path``."""
    import csv
    from pathlib import Path

    from hrvcoach.windowed import hrvlogger_features_path, hrvlogger_ranges

    name = hrvlogger_features_path(str(path))
    if name is None or not Path(name).is_file():
        return None

    def stamps(file: str) -> list[int]:
        with open(file, newline="", encoding="utf-8-sig") as fh:
            rows = csv.reader(fh, skipinitialspace=True)
            header = [h.strip().lower() for h in next(rows, [])]
            if "timestamp" not in header:
                raise ValueError("no timestamp column")
            col = header.index("timestamp")
            return [int(float(r[col])) for r in rows if len(r) > col and r[col].strip()]

    try:
        return hrvlogger_ranges(stamps(str(path)), stamps(name))
    except (OSError, ValueError) as err:
        raise RecordingError(name, f"cannot be read as HRV Logger features: {err}") from None


def _run_windows(
    args: argparse.Namespace, recording: object, summary: Summary, options: dict[str, Any]
) -> int:
    import csv

    from hrvcoach import windowed as W
    from hrvcoach.recording import Recording

    assert isinstance(recording, Recording)
    ranges = _hrvlogger_ranges(args.file) if args.method == "hrv-logger" else None
    if ranges is not None and max((b for _, b in ranges), default=0) <= len(recording.beats):
        found = W.analyze_index_windows(recording, ranges, **options)
    else:
        spans = W.consecutive_spans(recording.duration_s, W.parse_width(args.windows))
        found = W.analyze_windows(recording, spans, **options)
    if args.json:
        out = {"windows": [w.to_json() for w in found], "summary": summary.to_json()}
        print(json.dumps(out, indent=2, allow_nan=False))
        return 0
    if args.csv is not None:
        rows = [W.flat_row(w) for w in found]
        fields = list(rows[0]) if rows else ["start_s", "end_s", "beats"]

        def write(fh: IO[str]) -> None:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})

        if args.csv == "-":
            write(sys.stdout)
            return 0
        try:
            with open(args.csv, "w", newline="", encoding="utf-8") as fh:
                write(fh)
        except OSError as err:
            raise UsageError(f"{args.csv}: cannot write: {err.strerror or err}") from None
        return 0
    head = f"{'start':>8} {'end':>8} {'beats':>5} {'HR':>6} {'SDNN':>7} {'RMSSD':>7} {'LF/HF':>6}"
    print(head + "  signal")
    for w in found:
        s = w.summary
        q = s.quality.verdict if s.quality is not None else "-"
        print(
            f"{_duration(w.start_s):>8} {_duration(w.end_s):>8} {w.beats:>5} "
            f"{_num(s.mean_hr_bpm, '.1f'):>6} {_num(s.sdnn_ms, '.1f'):>7} "
            f"{_num(s.rmssd_ms, '.1f'):>7} {_num(s.lf_hf, '.2f'):>6}  {q}"
        )
    return 0
