"""analyze --windows: every metric per window, as JSON or CSV, and HRV Logger's own windows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from hrvcoach.cli import main

LOGGER = "rr/hrvlogger-polar-h10"


def _features(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        reader = csv.reader(fh, skipinitialspace=True)
        header = [h.strip() for h in next(reader)]
        return [dict(zip(header, (c.strip() for c in r), strict=True)) for r in reader if r]


@pytest.mark.parametrize("session", ["ot_a60", "ot_a61", "ot_a63"])
def test_hrv_logger_windows_reproduce_the_app_exactly(
    shared_data: Path, capsys: pytest.CaptureFixture[str], session: str
) -> None:
    folder = shared_data / LOGGER
    args = ["analyze", str(folder / f"{session}_RRIntervals.csv"), "--windows", "30s"]
    assert main([*args, "--method", "hrv-logger", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    features = _features(folder / f"{session}_Features.csv")
    assert len(data["windows"]) == len(features) >= 8  # one window per feature row, in order
    for window, feat in zip(data["windows"], features, strict=True):
        assert window["mean_rr_ms"] == pytest.approx(float(feat["AVNN"]), rel=1e-12)
        assert window["sdnn_ms"] == pytest.approx(float(feat["SDNN"]), rel=1e-12)
        assert window["rmssd_ms"] == pytest.approx(float(feat["rMSSD"]), rel=1e-12)
        assert window["pnn50_pct"] == pytest.approx(float(feat["pNN50"]), rel=1e-12, abs=1e-12)
        assert window["method"] == "hrv-logger"


def test_windows_json_has_every_summary_key(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    assert main(["analyze", str(path), "--windows", "2min", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"windows", "summary"}
    windows = data["windows"]
    assert len(windows) == 6  # 10:02 in 2-minute windows
    for k, w in enumerate(windows):
        assert w["start_s"] == 120.0 * k
        assert w["end_s"] == 120.0 * (k + 1)
        assert set(w) >= set(data["summary"]) | {"start_s", "end_s", "beats"}
    assert sum(w["beats"] for w in windows) == data["summary"]["beats"]
    assert windows[0]["lf_ms2"] is not None  # 2 minutes: a spectrum
    assert windows[-1]["lf_ms2"] is None  # the last 2 s: none, and it says why
    assert windows[-1]["spectral_note"]


def test_windows_csv_has_one_row_per_window(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv"
    out = tmp_path / "w.csv"
    assert main(["analyze", str(path), "--windows", "30s", "--csv", str(out)]) == 0
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 21
    assert {"start_s", "end_s", "beats", "rmssd_ms", "pnn20_pct", "quality_verdict"} <= set(rows[0])
    assert rows[1]["start_s"] == "30.0"


def test_windows_usage_errors(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv")
    assert main(["analyze", path, "--csv", "x.csv"]) == 2
    assert main(["analyze", path, "--windows", "5min", "--csv", "-", "--json"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["analyze", path, "--windows", "1min"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--windows" in err
