"""The live numbers say how far the signal can be trusted: a word, greyed or withheld numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6.QtWidgets")

from hrvcoach.beats import Beat
from hrvcoach.gui import theme
from hrvcoach.gui.tiles import LiveNumbers
from hrvcoach.live import LiveHrv, LiveMetrics


def _metrics_after(rr: np.ndarray) -> LiveMetrics:
    live = LiveHrv()
    t = np.cumsum(rr) / 1000.0
    m = None
    for ti, x in zip(t, rr, strict=True):
        m = live.update(Beat(float(ti), float(x)))
    assert m is not None
    return m


def test_a_poor_signal_greys_rmssd_and_withholds_coherence(
    qtbot, shared_data: Path, artifacts_dir: Path
) -> None:
    rr = np.loadtxt(
        shared_data / "rr/ectopic-polar-h10-ecg/rr.csv", delimiter=",", skiprows=1, usecols=1
    )
    m = _metrics_after(rr[:300])
    assert m.quality is not None
    assert m.quality.verdict == "poor"
    numbers = LiveNumbers()
    numbers.setStyleSheet(theme.STYLE_SHEET)  # as the practice window draws it
    qtbot.addWidget(numbers)
    numbers.show_metrics(m, [], [])
    numbers.resize(900, 460)
    numbers.show()
    qtbot.waitExposed(numbers)
    assert numbers.rmssd_tile.muted
    assert theme.FAINT in numbers.rmssd_tile.value.styleSheet()
    assert "signal poor" in numbers.rmssd_tile.detail.text()
    assert numbers.coh_tile.value.text() == "–"
    assert "irregular" in numbers.coh_tile.detail.text()
    assert numbers.grab().save(str(artifacts_dir / "gui_numbers_poor_signal.png"))


def test_a_good_signal_says_so_and_shows_everything(qtbot, shared_data: Path) -> None:
    rr = np.loadtxt(
        shared_data / "rr/slow-breathing-polar-h10/sample_data_ibi.csv", delimiter=",", usecols=1
    )
    m = _metrics_after(rr[:200])
    numbers = LiveNumbers()
    qtbot.addWidget(numbers)
    numbers.show_metrics(m, [], [])
    assert not numbers.rmssd_tile.muted
    assert "signal good" in numbers.rmssd_tile.detail.text()
    assert numbers.coh_tile.value.text() == f"{m.coherence:.1f}"


def test_poor_sessions_are_hollow_and_out_of_the_rolling_means(artifacts_dir: Path) -> None:
    import dataclasses
    from datetime import date, datetime, timedelta, timezone

    from hrvcoach import reports
    from hrvcoach.store import CheckIn, SessionRow

    today = date(2026, 11, 22)
    tz = timezone(timedelta(hours=1))

    def row(i: int, rmssd: float, verdict: str) -> SessionRow:
        start = datetime(2026, 11, 10 + i, 7, tzinfo=tz)
        return SessionRow(
            id=i, sha256=f"{i:064x}", path=Path(f"/r/{i}.csv"), format="hrvcoach",
            kind="practice", start=start, start_time_source="file", duration_s=600.0,
            device="Polar H10", simulated=False, pace=((0.0, "6.0 4:6"),), beats=600,
            mean_rr_ms=900.0, mean_hr_bpm=66.7, rmssd_ms=rmssd, sdnn_ms=50.0, pnn50_pct=20.0,
            lf_ms2=900.0, hf_ms2=300.0, lf_hf=3.0, lf_peak_hz=0.1, coherence=1.0,
            artifacts_corrected=0, checkin=CheckIn(None, None, None), added=start,
            summary={"quality": {"verdict": verdict, "ectopic_pct": 30.0, "artifact_pct": 1.0}},
        )  # fmt: skip

    rows = [row(i, 40.0, "good") for i in range(6)]
    rows[3] = dataclasses.replace(row(3, 430.0, "poor"))
    t = reports.compute_trends(rows, today=today)
    assert t.poor_signal.tolist() == [False, False, False, True, False, False]
    assert t.rmssd.values[3] == 430.0  # shown
    assert np.nanmax(t.rmssd.rolling) == 40.0  # but never bends the line
    assert "poor signal" in reports.trends_text(t)
    path = artifacts_dir / "trends_poor_signal.png"
    reports.write_trends_png(t, path)
    assert path.stat().st_size > 10_000


def test_terminal_dashboard_says_the_signal_and_withholds_coherence() -> None:
    from hrvcoach.beats import LinkState
    from hrvcoach.pacer import BreathPattern, Pacer
    from hrvcoach.quality import assess
    from hrvcoach.tui_lines import DIM, DashboardState, format_dashboard, format_plain

    def dash(quality: object) -> DashboardState:
        m = LiveMetrics(
            t_s=125.0, hr_bpm=63.6, mean_hr_bpm=62.0, rmssd_ms=17.4, sdnn_ms=56.0,
            pnn50_pct=0.0, n_beats=70, artifacts=20, coherence=2.46, spectral_t_s=125.0,
            quality=quality,  # type: ignore[arg-type]
        )  # fmt: skip
        return DashboardState(
            t_s=125.0, duration_s=600.0, pacer=Pacer(BreathPattern(6.0)).state(125.0),
            paused=False, metrics=m, link=LinkState.CONNECTED, device="Polar H10",
        )  # fmt: skip

    poor = dash(assess(70, 21, 1))
    line = format_dashboard(poor, width=80, color=False)[1]
    assert line == "HR 64 bpm   RMSSD 17 ms   coherence –   signal poor"
    coloured = format_dashboard(poor, width=80, color=True)[1]
    assert f"{DIM}17" in coloured  # greyed
    assert "signal poor" in format_plain(poor)
    good = format_dashboard(dash(assess(70, 0, 0)), width=80, color=False)[1]
    assert good == "HR 64 bpm   RMSSD 17 ms   coherence 2.5   signal good"
    narrow = format_dashboard(dash(assess(70, 0, 0)), width=40, color=False)[1]
    assert narrow == "HR 64 bpm   RMSSD 17 ms   coherence 2.5"  # the word gives way first
