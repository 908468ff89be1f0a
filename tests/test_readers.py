"""Every real recording in ../shared/data/rr reads correctly; every kind of bad file gives a
one-line RecordingError naming the file (and line), or a documented, warned recovery."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.beats import RR_MAX_MS, RR_MIN_MS, Beat, BeatFlag, Gap
from hrvcoach.errors import RecordingError
from hrvcoach.readers import read_recording
from hrvcoach.recording import FORMATS

# -- independent computations on the raw files (numpy/csv/fitdecode, not hrvcoach's readers) -------


def _plain(path: Path) -> np.ndarray:
    values = np.array(path.read_text().split(), dtype=float)
    return values[values > 0]  # real_rri.txt's documented trailing 0


def _second_column(path: Path) -> np.ndarray:
    return np.loadtxt(path, delimiter=",")[:, 1]


def _named_column(name: str, skip: int) -> Callable[[Path], np.ndarray]:
    def get(path: Path) -> np.ndarray:
        header = path.read_text().splitlines()[0]
        col = [c.strip() for c in header.split(",")].index(name)
        return np.genfromtxt(path, delimiter=",", skip_header=skip, usecols=[col])

    return get


def _hrm(path: Path) -> np.ndarray:
    return np.array(path.read_text().split("[HRData]")[1].split(), dtype=float)


def _fit(path: Path) -> np.ndarray:
    import fitdecode

    rr: list[float] = []
    with fitdecode.FitReader(str(path)) as fit:
        for frame in fit:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "hrv":
                rr += [v * 1000 for v in frame.get_value("time") if v is not None]
    return np.array(rr)


#: relative path -> (format, beats, mean RR ms, independent computation)
REAL_FILES: dict[str, tuple[str, int, float, Callable[[Path], np.ndarray]]] = {
    "hrv-package/rest_rri.txt": ("rr-list", 910, 1058.7187, _plain),
    "hrv-package/real_rri.txt": ("rr-list", 771, 1188.1543, _plain),
    "hrv-package/exercise_rri.hrm": ("polar-hrm", 4117, 622.2470, _hrm),
    "physionet-healthy-24h/000.txt": ("rr-list", 80441, 943.3882, _plain),
    "physionet-healthy-24h/003.txt": ("rr-list", 108150, 714.5485, _plain),
    "slow-breathing-polar-h10/sample_data_ibi.csv": ("rr-list", 620, 970.2726, _second_column),
    "ectopic-polar-h10-ecg/rr.csv": (
        "polar-sensor-logger",
        798,
        751.1880,
        _named_column("rr_ms", 1),
    ),
    "hrvlogger-polar-h10/ot_a60_RRIntervals.csv": (
        "hrvlogger",
        426,
        783.9836,
        _named_column("rr", 2),
    ),
    "hrvlogger-polar-h10/ot_a61_RRIntervals.csv": (
        "hrvlogger",
        410,
        765.5390,
        _named_column("rr", 2),
    ),
    "hrvlogger-polar-h10/ot_a63_RRIntervals.csv": (
        "hrvlogger",
        419,
        785.0788,
        _named_column("rr", 2),
    ),
    "garmin-fit/python-fitparse_garmin-edge-820-bike.fit": ("garmin-fit", 126, 526.1032, _fit),
    "garmin-fit/python-fitparse_garmin-fenix-5-run.fit": ("garmin-fit", 113, 663.7611, _fit),
    "garmin-fit/python-fitparse_garmin-fenix-5-walk.fit": ("garmin-fit", 62, 799.8710, _fit),
    "pyhrv-sample/SampleNNISeriesLong.npy": ("numpy", 4684, 768.4383, np.load),
    "pyhrv-sample/SampleNNISeriesShort.npy": ("numpy", 337, 888.9555, np.load),
}
WELLTORY = {
    1: (100, 1101.7300), 2: (101, 724.2772), 3: (100, 726.2800), 4: (100, 800.5900),
    5: (101, 816.5644), 6: (100, 826.2600), 7: (100, 835.5500), 8: (100, 828.8100),
    9: (100, 869.0700), 10: (100, 887.4600), 11: (100, 859.6700), 12: (89, 757.2697),
    13: (100, 752.2600), 14: (92, 875.6413), 15: (100, 857.0000), 16: (100, 930.0000),
    17: (100, 907.9900), 18: (100, 881.0000), 19: (100, 809.1700), 20: (102, 683.7353),
    21: (100, 691.4100),
}  # fmt: skip
for _n, (_beats, _mean) in WELLTORY.items():
    REAL_FILES[f"welltory-polar-h10/subject_{_n:02d}/RR.txt"] = ("rr-list", _beats, _mean, _plain)


@pytest.mark.parametrize("rel", sorted(REAL_FILES))
def test_real_recording_reads_with_pinned_count_and_mean(shared_data: Path, rel: str) -> None:
    fmt, beats, mean_rr_ms, independent = REAL_FILES[rel]
    path = shared_data / "rr" / rel
    rec = read_recording(path)
    expected = independent(path)
    assert rec.meta.format == fmt
    assert len(rec.beats) == beats == len(expected)
    assert rec.rr_ms.mean() == pytest.approx(mean_rr_ms, abs=5e-5)
    np.testing.assert_allclose(rec.rr_ms, expected, rtol=0, atol=1e-6)
    # beat times are the running sum of RR (no file here has a gap)
    assert not rec.gaps
    np.testing.assert_allclose(rec.t_s, np.cumsum(expected) / 1000.0, atol=1e-5)
    assert rec.meta.start_time is None or rec.meta.start_time.tzinfo is not None


def test_every_rr_file_in_the_shared_folder_is_covered(shared_data: Path) -> None:
    # A new recording dropped into ../shared/data/rr must get pinned values here too.
    not_recordings = {".md", ".json", ""}
    found = {
        str(p.relative_to(shared_data / "rr"))
        for p in (shared_data / "rr").rglob("*")
        if p.is_file()
        and p.suffix not in not_recordings
        and not p.name.startswith(("LICENSE", "SampleReport", "ecg_"))
        and not p.name.endswith(("_HR.csv", "_Features.csv", "_Event.csv"))
    }
    assert found == set(REAL_FILES)


def test_known_quirks_are_warned_recoveries(
    shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        real = read_recording(shared_data / "rr/hrv-package/real_rri.txt")
    assert len(real.warnings) == 1
    assert "real_rri.txt:772" in real.warnings[0]
    assert "trailing zero" in real.warnings[0]
    assert real.warnings[0] in caplog.text
    optical = read_recording(shared_data / "rr/garmin-fit/python-fitparse_garmin-edge-820-bike.fit")
    assert optical.meta.device == "Garmin OHR"
    assert optical.meta.extra["optical"] is True
    assert any("optical" in w for w in optical.warnings)
    strap = read_recording(shared_data / "rr/garmin-fit/python-fitparse_garmin-fenix-5-run.fit")
    assert strap.meta.device == "Garmin hrm4_run"
    assert strap.warnings == ()


def test_start_times_come_from_the_files(shared_data: Path) -> None:
    rr = shared_data / "rr"
    logger = read_recording(rr / "hrvlogger-polar-h10/ot_a60_RRIntervals.csv").meta
    # first row: epoch 1675889367255 ms, RR 894 ms -> the session began 894 ms earlier
    assert logger.start_time == datetime(2023, 2, 8, 20, 49, 26, 361000, tzinfo=UTC)
    assert logger.start_time_source == "file"
    hrm = read_recording(rr / "hrv-package/exercise_rri.hrm").meta
    assert hrm.start_time is not None
    assert hrm.start_time.replace(tzinfo=None) == datetime(2008, 2, 8, 8, 50, 31)
    assert hrm.start_time.tzinfo is not None
    assert hrm.start_time_source == "file"
    fit = read_recording(rr / "garmin-fit/python-fitparse_garmin-edge-820-bike.fit").meta
    assert fit.start_time == datetime(2017, 6, 12, 16, 10, 15, tzinfo=UTC)
    psl = read_recording(rr / "ectopic-polar-h10-ecg/rr.csv").meta
    assert psl.start_time is not None
    assert psl.start_time.timestamp() == pytest.approx(1714920600.436237312 - 0.421, abs=1e-6)
    plain = read_recording(rr / "hrv-package/rest_rri.txt").meta
    assert plain.start_time_source == "mtime"
    assert plain.start_time is not None
    assert plain.start_time.timestamp() == pytest.approx(
        (rr / "hrv-package/rest_rri.txt").stat().st_mtime
    )


def test_implausible_rr_is_flagged_not_dropped(tmp_path: Path) -> None:
    rec = read_recording(_write(tmp_path, "rr.txt", "800\n200\n3500\n900\n250\n3000\n"))
    assert len(rec.beats) == 6
    flagged = np.array([bool(b.flags & BeatFlag.IMPLAUSIBLE) for b in rec.beats])
    outside = (rec.rr_ms < RR_MIN_MS) | (rec.rr_ms > RR_MAX_MS)
    assert outside.tolist() == [False, True, True, False, False, False]
    np.testing.assert_array_equal(flagged, outside)


NOT_RECORDINGS = [
    ("ectopic-polar-h10-ecg/ecg_130hz.csv", "ECG"),
    ("hrvlogger-polar-h10/ot_a60_HR.csv", "_RRIntervals.csv"),
    ("hrvlogger-polar-h10/ot_a60_Features.csv", "_RRIntervals.csv"),
    ("hrvlogger-polar-h10/ot_a60_Event.csv", "_RRIntervals.csv"),
    ("pyhrv-sample/SampleReport.txt", "not a recording format"),
    ("pyhrv-sample/SampleExport.json", "not a recording format"),
    ("hrv-package/README.md", "not a recording format"),
]


@pytest.mark.parametrize(("rel", "says"), NOT_RECORDINGS)
def test_files_that_are_not_rr_recordings_say_so(shared_data: Path, rel: str, says: str) -> None:
    with pytest.raises(RecordingError) as err:
        read_recording(shared_data / "rr" / rel)
    _assert_one_line_naming(err.value, shared_data / "rr" / rel)
    assert says in str(err.value)


# -- formats on small hand-made files -------------------------------------------------------------


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def _assert_one_line_naming(err: RecordingError, path: Path, line: int | None = None) -> None:
    text = str(err)
    assert "\n" not in text
    assert str(path) in text
    if line is not None:
        assert f"{path}:{line}:" in text
        assert err.line == line


def test_rr_in_seconds_becomes_milliseconds(tmp_path: Path) -> None:
    path = _write(tmp_path, "kubios.txt", "0.812\n0.9765625\n1.001\n")
    rec = read_recording(path)
    assert rec.rr_ms.tolist() == [812.0, 976.5625, 1001.0]
    assert rec.meta.extra["unit"] == "s"
    assert rec.t_s.tolist() == pytest.approx([0.812, 1.7885625, 2.7895625])


def test_decimal_ms_are_kept_exactly(tmp_path: Path) -> None:
    path = _write(tmp_path, "ticks.txt", "966.796875 962.890625\r\n1001.953125\r\n")
    assert read_recording(path).rr_ms.tolist() == [966.796875, 962.890625, 1001.953125]


def test_a_header_line_before_the_numbers_is_allowed(tmp_path: Path) -> None:
    rec = read_recording(_write(tmp_path, "rr.txt", "RR (ms)\n800\n810\n"))
    assert rec.rr_ms.tolist() == [800, 810]
    assert rec.meta.extra["header"] == "RR (ms)"
    # ... but only if it looks like one
    with pytest.raises(RecordingError) as err:
        read_recording(_write(tmp_path, "x.txt", "hello there\n800\n"), "rr-list")
    _assert_one_line_naming(err.value, tmp_path / "x.txt", line=1)


def test_elite_hrv_start_time_comes_from_the_file_name(tmp_path: Path) -> None:
    rec = read_recording(_write(tmp_path, "2026-11-22 07-30-05.txt", "1000\n1010\n"))
    assert rec.meta.start_time_source == "filename"
    assert rec.meta.start_time is not None
    assert rec.meta.start_time.tzinfo is not None
    assert rec.meta.start_time.replace(tzinfo=None) == datetime(2026, 11, 22, 7, 30, 5)


def test_plain_list_without_a_dated_name_gets_the_modification_time(tmp_path: Path) -> None:
    path = _write(tmp_path, "export.txt", "1000\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    meta = read_recording(path).meta
    assert meta.start_time_source == "mtime"
    assert meta.start_time == datetime.fromtimestamp(1_700_000_000, tz=UTC)


def test_trailing_junk_line_is_dropped_with_a_warning(tmp_path: Path) -> None:
    # PhysioNet's 008.txt ends with a line holding only "@"
    rec = read_recording(_write(tmp_path, "008.txt", "800\n810\n@\n"))
    assert rec.rr_ms.tolist() == [800, 810]
    assert rec.warnings == ("008.txt:3: ignored a non-numeric last line '@'",)


def test_polar_sensor_logger_rr_txt_with_a_gap(tmp_path: Path) -> None:
    name = "Polar_H10_A8438D20_20230329_181740_RR.txt"
    rows = ["Phone timestamp;RR-interval [ms]"]
    stamp = datetime(2023, 3, 29, 18, 17, 41)
    for i, rr in enumerate([1000, 1000, 1000, 1000, 1000, 1000]):
        stamp += timedelta(milliseconds=rr + (10_000 if i == 3 else 0))  # 10 s lost before beat 4
        rows.append(f"{stamp.isoformat(timespec='milliseconds')};{rr}")
    rec = read_recording(_write(tmp_path, name, "\n".join(rows) + "\n"))
    assert rec.meta.format == "polar-sensor-logger"
    assert rec.meta.device == "Polar H10 A8438D20"
    assert rec.meta.start_time is not None
    assert rec.meta.start_time.replace(tzinfo=None) == datetime(2023, 3, 29, 18, 17, 41)
    assert [type(e).__name__ for e in rec.events] == ["Beat"] * 3 + ["Gap"] + ["Beat"] * 3
    gap = rec.events[3]
    assert isinstance(gap, Gap)
    assert gap.t_s == pytest.approx(3.0)
    assert gap.duration_s == pytest.approx(10.0)
    after = rec.events[4]
    assert isinstance(after, Beat)
    assert after.flags & BeatFlag.AFTER_GAP
    assert after.t_s == pytest.approx(14.0)
    assert rec.duration_s == pytest.approx(16.0)
    assert any("1 gap" in w for w in rec.warnings)


def test_time_ns_csv_keeps_heart_rate_where_given(tmp_path: Path) -> None:
    text = "time_ns,rr_ms,hr_bpm\n1714920600436237312,800,75\n1714920601236237312,810,\n"
    rec = read_recording(_write(tmp_path, "rr.csv", text))
    assert [b.hr_bpm for b in rec.beats] == [75.0, None]


def test_hrv_logger_date_style_header(tmp_path: Path) -> None:
    text = "date,rr,since start\n2025-03-15 09:00:15.123,823,0\n2025-03-15 09:00:15.935,812,812\n"
    rec = read_recording(_write(tmp_path, "2025-03-15_RR_0001.csv", text))
    assert rec.meta.format == "hrvlogger"
    assert rec.rr_ms.tolist() == [823, 812]
    assert rec.meta.start_time is not None
    assert rec.meta.start_time.replace(tzinfo=None) == datetime(2025, 3, 15, 9, 0, 14, 300000)


def test_numpy_array_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "rr.npy"
    np.save(path, np.array([0.8, 0.825, 0.79]))
    assert read_recording(path).rr_ms.tolist() == [800.0, 825.0, 790.0]


def test_forced_format_overrides_sniffing(tmp_path: Path) -> None:
    path = _write(tmp_path, "rr.dat", "1000\n1000\n")
    assert read_recording(path, "rr-list").meta.format == "rr-list"
    with pytest.raises(RecordingError, match="before the first \\[section\\]"):
        read_recording(path, "polar-hrm")
    with pytest.raises(RecordingError, match="unknown format 'kubios'"):
        read_recording(path, "kubios")
    assert "rr-list" in FORMATS


# -- bad files ---------------------------------------------------------------------------------

BAD_FILES: list[tuple[str, str | bytes, str, int | None]] = [
    ("empty.txt", "", "empty", None),
    ("blank.txt", "\n \r\n\n", "empty", None),
    ("binary.bin", bytes(range(256)) * 4, "binary", None),
    ("wrong-columns.csv", "a,b,c\n1,2,3\n", "not a recording format", 1),
    ("three.csv", "800,1,2\n810,1,2\n", "expected 2 columns", 1),
    ("named.csv", "t_s,rr_ms,hr_bpm\n1.0,1000,60\n2.0,oops,60\n3.0,1000,\n", "'oops' is not", 3),
    ("named-cols.csv", "t_s,rr_ms\n1.0,1000\n2.0,1000,60\n3.0,1000\n", "expected 2 columns", 3),
    ("named-hr.csv", "t_s,rr_ms,hr_bpm\n1.0,1000,60\n2.0,1000,fast\n3.0,900,\n", "heart rate", 3),
    ("words.txt", "800\n810\nabc\n820\n", "'abc' is not a number", 3),
    ("nan.txt", "800\nnan\n820\n", "not a finite number", 2),
    ("negative.txt", "800\n-810\n820\n", "RR -810 ms is not positive", 2),
    ("zero.txt", "800\n0\n820\n", "RR 0 ms is not positive", 2),
    ("ambiguous.txt", "50\n55\n60\n", "neither milliseconds nor seconds", None),
    ("logger_RRIntervals.csv", "timestamp, rr, since_start \n\n1675889367255,x,1\n", "'x'", 3),
    ("short_RRIntervals.csv", "timestamp, rr, since_start\n1675889367255,900\n", "columns", 2),
    ("psl_RR.txt", "Phone timestamp;RR-interval [ms]\nyesterday;800\n", "ISO 8601", 2),
    (
        "Polar_H10_1_20230329_181740_HR.txt",
        "Phone timestamp;HR [bpm];HRV [ms];Breathing interval [rpm];\n2023-03-29T18:17:41;60;;;\n",
        "matching *_RR.txt",
        1,
    ),
    ("hr.hrm", "[Params]\nInterval=5\n[HRData]\n80\n", "not R-R intervals", None),
    ("nodata.hrm", "[Params]\nInterval=238\n", "no [HRData]", None),
    ("broken.fit", b"\x0e\x10\x00\x00garbage-not-fit", "not a FIT file", None),
    ("newer.csv", "# hrvcoach recording v9\nt_s,kind\n", "newer hrvcoach", 1),
    ("meta.csv", "# hrvcoach recording v1\n# meta: {oops\nt_s,kind\n", "not valid JSON", 2),
    (
        "row.csv",
        "# hrvcoach recording v1\nt_s,kind,rr_ms\n1.0,beat,1000\n2.0,beat,fast\n3.0,beat,1000\n",
        "'fast' is not a number",
        4,
    ),
    ("kind.csv", "# hrvcoach recording v1\nt_s,kind,rr_ms\n1.0,blip,1\n", "unknown event", 3),
]


@pytest.mark.parametrize(
    ("name", "content", "says", "line"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_file_gives_one_line_error_naming_file_and_line(
    tmp_path: Path, name: str, content: str | bytes, says: str, line: int | None
) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    _assert_one_line_naming(err.value, path, line)
    assert says in str(err.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        read_recording(tmp_path / "nope.txt")
    with pytest.raises(RecordingError, match="is a folder"):
        read_recording(tmp_path)


def test_numpy_files_that_are_not_rr_arrays(tmp_path: Path) -> None:
    matrix = tmp_path / "m.npy"
    np.save(matrix, np.ones((3, 2)))
    with pytest.raises(RecordingError, match="one-dimensional"):
        read_recording(matrix)
    pickled = tmp_path / "p.npy"
    np.save(pickled, np.array([{"rr": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(RecordingError, match=r"not a readable \.npy"):
        read_recording(pickled)
    # Random bytes named .npy: np.load would call them pickled data and suggest allow_pickle.
    random_bytes = tmp_path / "r.npy"
    random_bytes.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(RecordingError, match=r"not a \.npy file \(no NumPy header\)$"):
        read_recording(random_bytes)


def test_truncated_fit_keeps_what_was_read_or_says_it_is_damaged(
    shared_data: Path, tmp_path: Path
) -> None:
    data = (shared_data / "rr/garmin-fit/python-fitparse_garmin-fenix-5-run.fit").read_bytes()
    whole = read_recording(shared_data / "rr/garmin-fit/python-fitparse_garmin-fenix-5-run.fit")
    cut = _write(tmp_path, "cut.fit", data[: len(data) * 3 // 4])
    rec = read_recording(cut)
    assert 0 < len(rec.beats) <= len(whole.beats)
    assert rec.rr_ms.tolist() == whole.rr_ms[: len(rec.beats)].tolist()
    assert any("cut short" in w for w in rec.warnings)
    head = _write(tmp_path, "head.fit", data[:200])
    with pytest.raises(RecordingError) as err:
        read_recording(head)
    _assert_one_line_naming(err.value, head)


def test_reading_never_raises_anything_but_recording_error_on_garbage(tmp_path: Path) -> None:
    # Cut-off and scrambled versions of every format's header: a RecordingError or a recording.
    samples = [
        "# hrvcoach recording v1\n# meta: {}\nt_s,kind,rr_ms\n1.0,beat,1000\n",
        "timestamp, rr, since_start \n\n1675889367255,894,34096\n",
        "Phone timestamp;RR-interval [ms]\n2023-03-29T18:17:41.000;1000\n",
        "time_ns,rr_ms,hr_bpm\n1714920600436237312,800,75\n",
        "[Params]\nInterval=238\nDate=20080208\nStartTime=08:50:31.0\n[HRData]\n1000\n1010\n",
        "0.22,936\n1.25,1020\n2.24,1078\n",
    ]
    rng = np.random.default_rng(7)
    for i, sample in enumerate(samples):
        data = sample.encode()
        for cut in range(len(data)):
            variants = [data[:cut], data[:cut] + bytes(rng.integers(0, 256, 5, dtype=np.uint8))]
            for j, variant in enumerate(variants):
                path = _write(tmp_path, f"s{i}_{cut}_{j}.txt", variant)
                message = ""
                try:
                    read_recording(path)
                except RecordingError as err:
                    message = str(err)
                assert "\n" not in message


def test_reading_a_24h_file_stays_fast_enough_to_list(shared_data: Path) -> None:
    # Not a timing assertion (benchmarks/ measure speed): the 100k-beat file reads completely and
    # its arrays are cheap views that the analysis can use directly.
    rec = read_recording(shared_data / "rr/physionet-healthy-24h/003.txt")
    assert rec.rr_ms.dtype == np.float64
    assert not rec.rr_ms.flags.writeable
    assert rec.duration_s == pytest.approx(rec.rr_ms.sum() / 1000.0)


def test_bom_and_cp1252_text_are_read(tmp_path: Path) -> None:
    bom = _write(tmp_path, "bom.txt", b"\xef\xbb\xbf800\r\n810\r\n")
    assert read_recording(bom).rr_ms.tolist() == [800, 810]
    hrm = "[Params]\r\nInterval=238\r\n[Note]\r\nM\xfcnchen\r\n[HRData]\r\n900\r\n"
    latin = _write(tmp_path, "note.hrm", hrm.encode("cp1252"))
    assert read_recording(latin).rr_ms.tolist() == [900]


def test_aware_times_keep_their_offset(tmp_path: Path) -> None:
    text = "date,rr,since start\n2025-03-15T09:00:15.123+02:00,823,0\n"
    meta = read_recording(_write(tmp_path, "x_RR_1.csv", text)).meta
    assert meta.start_time is not None
    assert meta.start_time.utcoffset() == timedelta(hours=2)
    plus2 = timezone(timedelta(hours=2))
    assert meta.start_time == datetime(2025, 3, 15, 9, 0, 14, 300000, tzinfo=plus2)


def test_stream_of_bytes_is_not_needed_for_sniffing() -> None:
    # sniff_format works on the bytes it is given; it never opens the file itself
    from hrvcoach.readers import sniff_format

    assert sniff_format(Path("x"), b"# hrvcoach recording v1\n") == "hrvcoach"
    assert sniff_format(Path("x.fit"), b"") == "garmin-fit"
    assert sniff_format(Path("x"), io.BytesIO(b"800\n").getvalue()) == "rr-list"
    assert sniff_format(Path("x"), b"hello\n") is None
