"""``hrvcoach export``: RR in ms for Kubios / Elite HRV, or t_s,rr_ms,hr_bpm CSV; round trips; and
bad input as a one-line message with a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.beats import Beat, Gap, SourceInfo
from hrvcoach.cli import main
from hrvcoach.readers import read_recording
from hrvcoach.recording import RecordingWriter

ROOT = Path(__file__).resolve().parents[1]


def _own_recording(path: Path) -> Path:
    with RecordingWriter(path, info=SourceInfo("ble", "Polar H10 1A2B3C4D")) as writer:
        writer.write(Beat(0.967, 966.796875, 62.0))
        writer.write(Beat(1.93, 962.890625, None))
        writer.write(Gap(1.93, 3.0))
        writer.write(Beat(5.931, 1001.0, 60.0))
    return path


def test_rr_ms_to_stdout(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_data / "rr/hrv-package/rest_rri.txt"
    assert main(["export", str(path), "--format", "rr-ms"]) == 0
    out = capsys.readouterr().out
    expected = np.loadtxt(path).astype(int).tolist()
    assert out.splitlines() == [str(v) for v in expected]


def test_rr_ms_keeps_decimals_and_round_trips(tmp_path: Path) -> None:
    source = _own_recording(tmp_path / "s.csv")
    out = tmp_path / "rr.txt"
    assert main(["export", str(source), "-o", str(out)]) == 0
    assert out.read_text().splitlines() == ["966.796875", "962.890625", "1001"]
    back = read_recording(out)
    assert back.rr_ms.tolist() == read_recording(source).rr_ms.tolist()


@pytest.mark.parametrize(
    "rel",
    [
        "hrv-package/real_rri.txt",
        "hrv-package/exercise_rri.hrm",
        "garmin-fit/python-fitparse_garmin-fenix-5-walk.fit",
        "hrvlogger-polar-h10/ot_a61_RRIntervals.csv",
        "ectopic-polar-h10-ecg/rr.csv",
        "pyhrv-sample/SampleNNISeriesShort.npy",
    ],
)
def test_export_then_read_back_gives_the_same_rr(
    shared_data: Path, tmp_path: Path, rel: str
) -> None:
    path = shared_data / "rr" / rel
    out = tmp_path / "rr.txt"
    assert main(["export", str(path), "--format", "rr-ms", "-o", str(out)]) == 0
    assert read_recording(out).rr_ms.tolist() == read_recording(path).rr_ms.tolist()


def test_csv_has_times_and_heart_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    source = _own_recording(tmp_path / "s.csv")
    with caplog.at_level(logging.WARNING):
        assert main(["export", str(source), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "t_s,rr_ms,hr_bpm",
        "0.967,966.796875,62",
        "1.930,962.890625,",
        "5.931,1001,60",
    ]
    assert "1 gap(s)" in caplog.text  # a gap cannot be shown in either output: say so


def test_csv_export_reads_back_as_a_recording(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "rr/ectopic-polar-h10-ecg/rr.csv"
    out = tmp_path / "beats.csv"
    assert main(["export", str(path), "--format", "csv", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "t_s,rr_ms,hr_bpm"
    original = read_recording(path)
    again = read_recording(out)  # hrvcoach reads what it exports
    assert again.meta.format == "rr-list"
    assert again.meta.extra["layout"] == "columns"
    assert again.warnings == ()
    np.testing.assert_array_equal(again.rr_ms, original.rr_ms)
    assert [b.hr_bpm for b in again.beats] == [b.hr_bpm for b in original.beats]
    np.testing.assert_allclose(again.t_s, original.t_s, atol=5e-4)


def test_csv_export_keeps_a_gap_through_its_times(tmp_path: Path) -> None:
    source = tmp_path / "s.csv"
    with RecordingWriter(source, info=SourceInfo("ble", "Polar H10 1A2B3C4D")) as writer:
        for i in range(1, 6):
            writer.write(Beat(i * 1.0, 1000.0, 60.0))
        writer.write(Gap(5.0, 20.0))
        for i in range(6, 11):
            writer.write(Beat(20.0 + i * 1.0, 1000.0, None))
    out = tmp_path / "beats.csv"
    assert main(["export", str(source), "--format", "csv", "-o", str(out)]) == 0
    again = read_recording(out)
    assert again.rr_ms.tolist() == [1000.0] * 10
    assert len(again.gaps) == 1
    assert again.gaps[0].duration_s == pytest.approx(20.0)
    np.testing.assert_allclose(again.t_s, read_recording(source).t_s, atol=1e-9)
    assert [b.hr_bpm for b in again.beats] == [60.0] * 5 + [None] * 5


def test_input_format_can_be_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "odd-name.dat"
    path.write_text("# comment that fools sniffing\n800\n")
    assert main(["export", str(path)]) != 0
    capsys.readouterr()
    plain = tmp_path / "list.dat"
    plain.write_text("800\n810\n")
    assert main(["export", str(plain), "--input-format", "rr-list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["800", "810"]
    assert main(["export", str(plain), "--input-format", "polar-hrm"]) == 3
    assert "list.dat:1:" in capsys.readouterr().err


def test_never_writes_over_its_own_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _own_recording(tmp_path / "s.csv")
    before = source.read_bytes()
    assert main(["export", str(source), "-o", str(source)]) == 2
    assert "refusing" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_unwritable_output_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _own_recording(tmp_path / "s.csv")
    assert main(["export", str(source), "-o", str(tmp_path / "missing" / "rr.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot write" in err
    assert not list(tmp_path.glob(".rr.txt.*"))  # no temporary file left behind


BAD = "800\n810\nthis is not a number\n820\n"


def test_bad_file_in_process_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(BAD)
    code = main(["export", str(bad)])
    captured = capsys.readouterr()
    assert code == 3
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"hrvcoach export: {bad}:3: ")
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("name", "content"),
    [("bad.txt", BAD.encode()), ("empty.txt", b""), ("binary.fit", bytes(range(256)))],
)
def test_bad_file_as_a_subprocess(tmp_path: Path, name: str, content: bytes) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "-m", "hrvcoach", "export", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1
    assert str(bad) in lines[0]


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "nope.txt")]) == 3
    err = capsys.readouterr().err
    assert err == f"hrvcoach export: {tmp_path / 'nope.txt'}: no such file\n"


def test_a_recovered_quirk_is_one_note_and_the_beats_are_exported(shared_data: Path) -> None:
    # real_rri.txt ends with a stray 0 line: dropped, said once (not once per layer), not exported.
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hrvcoach",
            "export",
            str(shared_data / "rr/hrv-package/real_rri.txt"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == [
        "hrvcoach export: note: real_rri.txt:772: ignored 1 trailing zero RR value"
        " (an end-of-list marker)"
    ]
    assert len(proc.stdout.splitlines()) == 771


# -- --method: the series a method analyses ------------------------------------------------------


def _ectopic(shared: Path) -> Path:
    return shared / "rr/ectopic-polar-h10-ecg/rr.csv"


def _analyze_json(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> dict:
    assert main(["analyze", str(path), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)


def _csv_rows(text: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    lines = text.splitlines()
    assert lines[0] == "t_s,rr_ms,hr_bpm"
    rows = [line.split(",") for line in lines[1:]]
    t = np.array([float(r[0]) for r in rows])
    rr = np.array([float(r[1]) for r in rows])
    return t, rr, [r[2] for r in rows]


def test_method_default_exports_the_nn_intervals_and_shows_where_beats_were_left_out(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _ectopic(shared_data)
    assert main(["export", str(path)]) == 0
    raw = capsys.readouterr().out.splitlines()
    out = tmp_path / "nn.csv"
    args = ["export", str(path), "--method", "default", "--format", "csv", "-o", str(out)]
    assert main(args) == 0
    note = capsys.readouterr().err
    assert "left out" in note
    assert "t_s" in note
    t, rr, hr = _csv_rows(out.read_text())
    assert rr.size < len(raw)
    assert set(hr) == {""}
    # Successive NN pairs, as a user finds them in the file: the next beat came one RR later.
    successive = np.abs(np.diff(t) - rr[1:] / 1000.0) < 0.0015
    assert not successive.all()  # the left-out beats show as jumps in t_s, not bridged
    diffs = np.diff(rr)[successive]
    rmssd = float(np.sqrt(np.mean(diffs**2)))
    summary = _analyze_json(path, capsys, "--method", "default")
    assert summary["artifact_method"] == "nn"
    assert rr.size == summary["beats_analysed"]
    assert rmssd == pytest.approx(summary["rmssd_ms"], rel=1e-9)
    # The plain list is the same series, the left-out beats simply absent.
    assert main(["export", str(path), "--method", "default"]) == 0
    assert [float(v) for v in capsys.readouterr().out.splitlines()] == rr.tolist()


def test_method_kubios_exports_the_series_kubios_analyses(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _ectopic(shared_data)
    assert main(["export", str(path), "--method", "kubios"]) == 0
    exported = [float(v) for v in capsys.readouterr().out.splitlines()]
    summary = _analyze_json(path, capsys, "--method", "kubios")
    assert len(exported) == summary["beats_analysed"]
    assert main(["export", str(path), "--method", "kubios", "--artifacts", "kubios"]) == 0
    corrected = np.array([float(v) for v in capsys.readouterr().out.splitlines()])
    summary = _analyze_json(path, capsys, "--method", "kubios", "--artifacts", "kubios")
    assert summary["artifacts_corrected"] > 0
    assert corrected.size == summary["beats_analysed"]
    rmssd = float(np.sqrt(np.mean(np.diff(corrected) ** 2)))  # one stretch: every pair
    assert summary["stretches"] == 1
    assert rmssd == pytest.approx(summary["rmssd_ms"], rel=1e-9)
    assert not np.array_equal(corrected, np.array(exported))


@pytest.mark.parametrize("fmt", ["ecg-csv", "acc-csv"])
@pytest.mark.parametrize("option", [["--method", "default"], ["--artifacts", "kubios"]])
def test_method_with_a_signal_format_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, option: list[str]
) -> None:
    source = _own_recording(tmp_path / "s.csv")
    assert main(["export", str(source), "--format", fmt, *option]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert option[0] in err
    assert fmt in err
