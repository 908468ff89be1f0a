"""The simulator's ECG and chest motion: R-peaks on its beats, ectopic beats shaped as such, and
the breath it takes found again from the motion."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hrvcoach.beats import Beat, BeatFlag
from hrvcoach.breathing import BreathTracker
from hrvcoach.drivers.simulated import SimParams, SimulatedSource
from hrvcoach.ecg import classify, match_to_strap, r_peaks
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.signals import ACC, ECG, SampleBlock
from hrvcoach.timing import Playback


def _run(params: SimParams, rate_bpm: float, seconds: float) -> list[object]:
    async def go() -> list[object]:
        pacer = Pacer(BreathPattern(rate_bpm))
        src = SimulatedSource(
            params,
            pacer=pacer,
            playback=Playback(fast=True),
            duration_s=seconds,
            ecg=True,
            motion=True,
        )
        async with src:
            assert src.info.details["signals"] == ["ecg", "acc"]
            return [e async for e in src]

    return asyncio.run(go())


@pytest.fixture(scope="module")
def session() -> list[object]:
    return _run(SimParams(seed=4, ectopic_per_min=2.0, missed_per_min=0.0), 6.0, 300)


def _signal(items: list[object], kind: str) -> tuple[np.ndarray, np.ndarray]:
    blocks = [b for b in items if isinstance(b, SampleBlock) and b.kind == kind]
    t = np.array([x for b in blocks for x in b.times_s])
    v = np.array([x for b in blocks for x in b.values])
    return t, v


def test_the_ecg_has_its_r_peaks_on_the_simulators_beats(session: list[object]) -> None:
    t, v = _signal(session, ECG)
    steps = np.diff(t)
    assert np.allclose(steps, 1 / 130)  # frames follow each other without a gap or overlap
    beats = [b for b in session if isinstance(b, Beat)]
    peaks = r_peaks(v[:, 0], 130.0)
    matching = match_to_strap(t[peaks], np.array([b.t_s for b in beats]))
    assert matching.matched >= 0.98 * len(beats)
    assert abs(matching.offset_s) < 0.01


def test_its_ectopic_beats_have_a_ventricular_shape(session: list[object]) -> None:
    t, v = _signal(session, ECG)
    beats = [b for b in session if isinstance(b, Beat)]
    ecg = classify(t, v[:, 0], 130.0, r_peaks(v[:, 0], 130.0))
    matching = match_to_strap(ecg.t_s, np.array([b.t_s for b in beats]))
    early = [
        i
        for i, b in enumerate(beats[1:], 1)
        if b.flags & BeatFlag.SIMULATED_ECTOPIC and b.rr_ms < beats[i - 1].rr_ms * 0.8
    ]
    assert len(early) >= 5
    found = [
        ecg.premature[matching.peak_of_beat[i]] for i in early if matching.peak_of_beat[i] >= 0
    ]
    assert np.mean(found) > 0.9
    plain = [i for i, b in enumerate(beats) if not b.flags and matching.peak_of_beat[i] >= 0]
    assert np.mean([ecg.premature[matching.peak_of_beat[i]] for i in plain]) < 0.02


@pytest.mark.parametrize("rate_bpm", [4.5, 6.0, 9.0])
def test_the_breath_is_found_again_from_the_chest_motion(rate_bpm: float) -> None:
    items = _run(SimParams(seed=2), rate_bpm, 240)
    tracker = BreathTracker()
    for block in items:
        if isinstance(block, SampleBlock) and block.kind == ACC:
            tracker.add(block)
    assert tracker.rate_bpm() == pytest.approx(rate_bpm, abs=0.5)


def test_the_demo_records_and_summarises_ecg_and_breath(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = subprocess.run(
        [sys.executable, "-m", "hrvcoach", "demo", "--fast", "--minutes", "4", "--headless",
         "--json", "--pace", "6"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HRVCOACH_DATA_DIR": str(data)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["ecg_samples"] == pytest.approx(4 * 60 * 130, abs=200)
    assert summary["acc_samples"] == pytest.approx(4 * 60 * 25, abs=60)
    assert summary["breathing"]["rate_bpm"] == pytest.approx(6.0, abs=0.5)
    assert summary["breathing"]["pacer_rate_bpm"] == pytest.approx(6.0)
    assert summary["breathing"]["adherence_pct"] >= 80
    assert abs(summary["breathing"]["phase_lag_s"]) < 1.5
    recording = Path(summary["recording"])
    assert recording.with_name(recording.stem + ".ecg.bin").is_file()
    assert recording.with_name(recording.stem + ".acc.bin").is_file()


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run a command in this process (no interpreter to start): its standard output."""
    from hrvcoach.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_the_report_shows_the_ecg_around_premature_beats(
    data_dir: Path, tmp_path: Path, artifacts_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = _cli(capsys, "demo", "--device", "sim:ectopic=4,seed=5", "--fast", "--minutes", "1.5",
                "--headless", "--json")  # fmt: skip
    recording = json.loads(made)["recording"]
    png = artifacts_dir / "report_session.png"
    page = tmp_path / "report.html"
    shown = _cli(capsys, "report", recording, "--png", str(png), "--html", str(page))
    ecg_png = artifacts_dir / "report_session-ecg.png"
    assert f"wrote {ecg_png}" in shown
    assert ecg_png.stat().st_size > 10_000
    assert "ECG around premature beats" in page.read_text()
    assert "beats look premature by their shape" in _cli(capsys, "report", recording)
    # without ECG there is no excerpt
    Path(recording).with_name(Path(recording).stem + ".ecg.bin").unlink()
    _cli(capsys, "report", recording, "--png", str(tmp_path / "p.png"))
    assert not (tmp_path / "p-ecg.png").exists()


def test_the_summary_puts_back_beats_the_strap_missed_from_the_ecg(
    data_dir: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from hrvcoach.readers import read_recording

    def demo(*extra: str) -> dict[str, object]:
        out = _cli(capsys, "demo", "--device", "sim:missed=3,ectopic=0,seed=2", "--fast",
                   "--minutes", "3", "--headless", "--json", *extra)  # fmt: skip
        return dict(json.loads(out))

    with_ecg, without = demo(), demo("--no-ecg")
    recorded = read_recording(str(with_ecg["recording"])).beats
    missed = sum(1 for b in recorded if b.flags & BeatFlag.SIMULATED_MISSED)
    assert missed >= 4
    assert with_ecg["beats"] == without["beats"] == len(recorded)  # what the strap sent
    # with the ECG every missed beat is back in what was analysed, and nothing is left to correct
    assert with_ecg["beats_analysed"] == len(recorded) + missed
    assert with_ecg["artifacts_corrected"] == 0
    assert without["artifacts_corrected"] == missed
    assert without["ecg_samples"] == 0
    # analyze gives the numbers the session ended with; --no-ecg the strap's beats alone
    analysed = json.loads(_cli(capsys, "analyze", str(with_ecg["recording"]), "--json"))
    for key in ("beats", "beats_analysed", "artifacts_corrected", "rmssd_ms", "sdnn_ms"):
        assert analysed[key] == with_ecg[key], key
    alone = json.loads(_cli(capsys, "analyze", str(with_ecg["recording"]), "--json", "--no-ecg"))
    assert alone["artifacts_corrected"] == missed  # the missed beats' intervals left out instead
    assert alone["beats_analysed"] < analysed["beats_analysed"]
    # the history keeps the session's numbers, and a rebuild from the recordings finds them again
    from hrvcoach.store import HistoryStore

    def stored_rmssd() -> float:
        with HistoryStore.open(data_dir) as store:
            (row,) = [r for r in store.sessions() if str(r.path) == str(with_ecg["recording"])]
        return float(row.rmssd_ms)

    assert stored_rmssd() == pytest.approx(with_ecg["rmssd_ms"], rel=1e-9)
    _cli(capsys, "sessions", "--rebuild")
    assert stored_rmssd() == pytest.approx(with_ecg["rmssd_ms"], rel=1e-9)
    # a damaged ECG file loses nothing: the strap's beats are analysed, with a warning
    recording_path = Path(str(with_ecg["recording"]))
    companion = recording_path.with_name(recording_path.stem + ".ecg.bin")
    companion.write_bytes(b"\x00garbage" * 8)
    from hrvcoach.cli import main

    caplog.clear()
    assert main(["analyze", str(recording_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == alone
    assert "ecg.bin: not an hrvcoach samples file" in caplog.text
    assert "analysed without it" in caplog.text


def test_guided_protocols_keep_the_streams_and_take_the_measured_breath(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A check, a drill or an assessment records the strap's ECG and chest motion beside its
    beats, as practice does (--no-ecg and --no-motion leave them alone), and the assessment times
    the heart against the breath measured from the chest, not the pacer, when there is one."""

    def companions(out: str) -> set[str]:
        path = Path(json.loads(out[out.index("{") :])["recording"])
        return {p.name[len(path.stem) :] for p in path.parent.glob(path.stem + ".*.bin")}

    check = ("check", "--device", "sim:seed=2", "--fast", "--headless", "--minutes", "1", "--json")
    assert companions(_cli(capsys, *check)) == {".ecg.bin", ".acc.bin"}
    assert companions(_cli(capsys, *check, "--no-ecg")) == {".acc.bin"}
    assert companions(_cli(capsys, *check, "--no-ecg", "--no-motion")) == set()

    assess = ("assess", "--device", "sim:seed=3,follow=0.6", "--fast", "--headless",
              "--rates", "6,5.5", "--step-minutes", "1", "--json", "--no-save")  # fmt: skip
    with_motion = json.loads(_cli(capsys, *assess))
    without = json.loads(_cli(capsys, *assess, "--no-motion"))
    assert companions(json.dumps(with_motion)) == {".ecg.bin", ".acc.bin"}
    # the same beats (same seed), but the phase is taken against another breath
    phases = [[s["phase_deg"] for s in run["steps"]] for run in (with_motion, without)]
    assert phases[0] != phases[1]
    assert all(p is not None for run in phases for p in run)
