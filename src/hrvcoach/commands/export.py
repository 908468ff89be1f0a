"""Write a recording's beats for other tools.

``--format rr-ms`` writes one RR interval in ms per line, the plain list Kubios and Elite HRV import
(decimals kept where the recording has them). ``--format csv`` writes ``t_s,rr_ms,hr_bpm`` with a
header. Any format hrvcoach reads can be exported; gaps are not representable in either output and
are reported on stderr. ``--format ecg-csv`` writes the ECG of an hrvcoach recording with companion
files as ``t_s,ecg_uv``, one row per sample in order; ``--format acc-csv`` its chest motion as
``t_s,x_mg,y_mg,z_mg``.

Without ``--method`` the beats go out as recorded. ``--method NAME`` (and ``--artifacts``, as on
``analyze``) exports instead the RR series that method analyses (:func:`hrvcoach.analysis.
analysed_stretches`): with ``default``, the NN intervals only, so a left-out beat is simply absent
from the ``rr-ms`` list and shows in the ``csv`` form as a jump in ``t_s`` (times rebuilt from the
RR, as the analysis sees them; ``hr_bpm`` empty, the strap's rate belongs to the recorded beats).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from hrvcoach.errors import UsageError

if TYPE_CHECKING:
    from hrvcoach.analysis import CorrectedStretch
    from hrvcoach.recording import Recording

log = logging.getLogger(__name__)

OUTPUT_FORMATS = ("rr-ms", "csv", "ecg-csv", "acc-csv")
SIGNAL_FORMATS = {"ecg-csv": ("ecg", "t_s,ecg_uv"), "acc-csv": ("acc", "t_s,x_mg,y_mg,z_mg")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from hrvcoach.recording import FORMATS  # light: no reader is imported for --help

    parser.add_argument(
        "file", metavar="FILE", help="the recording to export (any supported format)"
    )
    parser.add_argument(
        "--format",
        dest="output_format",
        choices=OUTPUT_FORMATS,
        default="rr-ms",
        help="rr-ms (default): one RR in ms per line (Kubios, Elite HRV); csv: t_s,rr_ms,hr_bpm; "
        "ecg-csv: t_s,ecg_uv; acc-csv: t_s,x_mg,y_mg,z_mg (recordings with ECG or chest motion)",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="write to this file instead of standard output"
    )
    parser.add_argument(
        "--input-format",
        choices=FORMATS,
        help="read FILE as this format instead of recognising it from its content",
    )
    from hrvcoach.methods import NAMES

    parser.add_argument(
        "--method",
        choices=NAMES,
        default=None,
        help="export the RR series this method analyses (as analyze --method): default: the NN "
        "intervals only (beats that are not normal left out, not bridged); kubios, hrv-package, "
        "pyhrv, hrv-logger: every usable beat, as those tools take a file (default: the beats "
        "as recorded)",
    )
    parser.add_argument(
        "--artifacts",
        choices=("nn", "kubios", "none"),
        default=None,
        help="with or instead of --method: nn: NN intervals only; kubios: the Kubios-corrected "
        "series; none: every usable beat (as analyze --artifacts)",
    )


def _write(
    out: TextIO,
    output_format: str,
    recording: Recording,
    series: tuple[CorrectedStretch, ...] | None,
) -> None:
    from hrvcoach.recording import format_number

    if series is not None:
        _write_series(out, output_format, series)
    elif output_format in SIGNAL_FORMATS:
        from hrvcoach.companion import load_tracks

        kind, header = SIGNAL_FORMATS[output_format]
        track = load_tracks(recording.path, recording.meta.extra)[kind]
        out.write(header + "\n")
        for t, row in zip(track.t_s.tolist(), track.values.tolist(), strict=True):
            out.write(f"{t:.4f},{','.join(str(v) for v in row)}\n")
    elif output_format == "rr-ms":
        out.writelines(f"{format_number(b.rr_ms)}\n" for b in recording.beats)
    else:
        out.write("t_s,rr_ms,hr_bpm\n")
        out.writelines(
            f"{b.t_s:.3f},{format_number(b.rr_ms)},{format_number(b.hr_bpm)}\n"
            for b in recording.beats
        )


def _write_series(out: TextIO, output_format: str, series: tuple[CorrectedStretch, ...]) -> None:
    """The analysed series of each gap-free stretch, in order (``rr-ms`` or ``csv``)."""
    from hrvcoach.recording import format_number

    if output_format == "csv":
        out.write("t_s,rr_ms,hr_bpm\n")
    for stretch in series:
        if output_format == "rr-ms":
            out.writelines(f"{format_number(rr)}\n" for rr in stretch.rr_ms.tolist())
        else:
            out.writelines(
                f"{t:.3f},{format_number(rr)},\n"
                for t, rr in zip(stretch.t_s.tolist(), stretch.rr_ms.tolist(), strict=True)
            )


def _analysed_series(
    args: argparse.Namespace, recording: Recording
) -> tuple[CorrectedStretch, ...] | None:
    """The series ``--method`` / ``--artifacts`` ask for (``None``: the beats as recorded)."""
    from hrvcoach.analysis import analysed_stretches
    from hrvcoach.methods import get

    if args.method is None and args.artifacts is None:
        return None
    artifacts = args.artifacts or get(args.method).artifacts
    series = analysed_stretches(recording, artifacts)
    kept = sum(int(s.rr_ms.size) for s in series)
    if artifacts == "nn" and kept < len(recording.beats):
        where = "the t_s times show where" if args.output_format == "csv" else "the list skips them"
        print(
            f"hrvcoach export: note: {len(recording.beats) - kept} of {len(recording.beats)} "
            f"intervals left out (not normal-to-normal, or unusable); {where}",
            file=sys.stderr,
        )
    return series


def run(args: argparse.Namespace) -> int:
    from hrvcoach.paths import user_file_mode
    from hrvcoach.readers import read_recording, require_beats

    source = Path(args.file)
    if args.output_format in SIGNAL_FORMATS and (args.method or args.artifacts):
        option = "--method" if args.method else "--artifacts"
        raise UsageError(
            f"{option} chooses an RR series; --format {args.output_format} writes samples as "
            "recorded: use rr-ms or csv"
        )
    recording = read_recording(source, args.input_format)
    for warning in recording.warnings:
        print(f"hrvcoach export: note: {warning}", file=sys.stderr)
    if args.output_format in SIGNAL_FORMATS:
        from hrvcoach.companion import companions_of

        kind = SIGNAL_FORMATS[args.output_format][0]
        if kind not in companions_of(recording.path, recording.meta.extra):
            what = "ECG" if kind == "ecg" else "chest motion"
            raise UsageError(f"{source}: the recording has no {what} samples to export")
    else:
        require_beats(recording, "export")
    series = None if args.output_format in SIGNAL_FORMATS else _analysed_series(args, recording)
    if recording.gaps and args.output_format not in SIGNAL_FORMATS:
        log.warning(
            "%s: %d gap(s) in the recording; the exported list joins the beats on either side",
            source,
            len(recording.gaps),
        )
    if args.output in (None, "-"):
        _write(sys.stdout, args.output_format, recording, series)
        sys.stdout.flush()
        return 0
    out_path = Path(args.output)
    if out_path.exists() and out_path.resolve() == source.resolve():
        raise UsageError(f"{out_path}: refusing to write over the recording being exported")
    if out_path.is_dir():
        raise UsageError(f"{out_path}: is a folder; give a file name")
    # Write beside the target and rename, so a failed export never leaves half a file behind.
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent or Path(".")
        )
    except OSError as err:
        raise UsageError(f"{out_path}: cannot write: {err.strerror or err}") from None
    try:
        # mkstemp makes it private; an export is an ordinary file, as the user's umask says
        os.chmod(tmp_name, user_file_mode())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            _write(out, args.output_format, recording, series)
        os.replace(tmp_name, out_path)
    except OSError as err:
        raise UsageError(f"{out_path}: cannot write: {err.strerror or err}") from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    count = len(recording.beats) if series is None else sum(int(s.rr_ms.size) for s in series)
    log.info("wrote %d beats to %s", count, out_path)
    return 0
