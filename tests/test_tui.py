"""The terminal dashboard: pure formatting, and real simulated sessions written into a StringIO."""

from __future__ import annotations

import asyncio
import io
import re

import pytest

from hrvcoach.beats import Contact, LinkState
from hrvcoach.drivers.simulated import SimParams, SimulatedSource
from hrvcoach.live import LiveHrv, LiveMetrics
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session, SessionUpdate
from hrvcoach.timing import Playback
from hrvcoach.tui import TerminalDashboard
from hrvcoach.tui_lines import DashboardState, breath_bar, format_dashboard, format_plain

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def metrics(**kw: object) -> LiveMetrics:
    values: dict[str, object] = dict(
        t_s=125.0,
        hr_bpm=63.6,
        mean_hr_bpm=62.0,
        rmssd_ms=47.4,
        sdnn_ms=60.0,
        pnn50_pct=20.0,
        n_beats=60,
        artifacts=0,
        coherence=2.46,
        spectral_t_s=125.0,
    )
    values.update(kw)
    return LiveMetrics(**values)  # type: ignore[arg-type]


def state(t_s: float = 125.0, **kw: object) -> DashboardState:
    pacer = Pacer(BreathPattern(6.0))
    values: dict[str, object] = dict(
        t_s=t_s,
        duration_s=600.0,
        pacer=pacer.state(t_s),
        paused=False,
        metrics=metrics(),
        link=LinkState.CONNECTED,
        device="Polar H10",
    )
    values.update(kw)
    return DashboardState(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("volume", "width", "expected"),
    [(0.0, 8, "        "), (1.0, 8, "████████"), (0.5, 8, "████    "), (0.5625, 4, "██▎ ")],
)
def test_breath_bar_fills_in_eighths(volume, width, expected) -> None:
    assert breath_bar(volume, width) == expected
    assert len(breath_bar(volume, width)) == width


def test_dashboard_lines_show_the_breath_numbers_and_link() -> None:
    lines = format_dashboard(state(2.0), width=60, color=False)  # half-way through the in-breath
    assert len(lines) == 3
    assert lines[0].startswith("IN     ▕")
    assert lines[0].endswith("  2 s")
    bar = lines[0].split("▕")[1].split("▏")[0]
    assert bar.count("█") == pytest.approx(len(bar) / 2, abs=1)
    assert lines[1] == "HR 64 bpm   RMSSD 47 ms   coherence 2.5"
    assert lines[2] == "0:02 / 10:00  (9:58 left)   ● connected · Polar H10"
    out = format_dashboard(state(7.0), width=60, color=False)[0]
    assert out.startswith("OUT    ")
    assert out.endswith("  3 s")
    for line in lines:
        assert len(line) <= 60


def test_dashboard_never_overflows_a_narrow_terminal() -> None:
    busy = state(
        link=LinkState.RECONNECTING,
        contact=Contact.NOT_DETECTED,
        battery_pct=15,
        metrics=metrics(artifacts=12),
        device="Polar H10 1A2B3C4D with a long name",
    )
    for width in (30, 44, 80):
        for line in format_dashboard(busy, width=width, color=True):
            assert len(ANSI.sub("", line)) <= width
    coloured = format_dashboard(busy, width=80, color=True)
    assert "\x1b[33m" in coloured[2]  # reconnecting shows amber
    assert "reconnecting…" in ANSI.sub("", coloured[2])


def test_dashboard_before_start_paused_and_done() -> None:
    ready = format_dashboard(state(pacer=None, metrics=None), width=50, color=False)
    assert ready[0].startswith("READY ")
    assert ready[1] == "HR – bpm   RMSSD – ms   coherence –"
    assert format_dashboard(state(paused=True), width=50, color=False)[0].startswith("PAUSED")
    done = format_dashboard(state(ended=True), width=50, color=False)[0]
    assert done.startswith("DONE")
    assert "█" not in done


def test_plain_line() -> None:
    line = format_plain(state(127.0, battery_pct=80))
    assert line == (
        " 2:07  OUT  3s  HR 64  RMSSD 47 ms  coherence 2.5  connected · Polar H10 · battery 80%"
    )
    assert "\x1b" not in line


def sim_session(duration_s: float, playback: Playback) -> Session:
    pacer = Pacer(BreathPattern(6.0))
    source = SimulatedSource(SimParams(seed=2), pacer=pacer, playback=playback)
    return Session(source, pacer=pacer, live=LiveHrv(artifacts="none"), duration_s=duration_s)


async def test_plain_lines_into_a_file_every_few_session_seconds() -> None:
    session = sim_session(120.0, Playback(fast=True))
    out = io.StringIO()
    dashboard = TerminalDashboard(session, out, plain_every_s=10.0)
    session.sinks.append(dashboard)
    async with dashboard:
        result = await session.run()
    lines = out.getvalue().splitlines()
    assert "\x1b" not in out.getvalue()
    # a line when the link changes, one every 10 s of session time, and the final one
    assert 13 <= len(lines) <= 15
    assert lines[0].endswith("connecting… · simulator")
    assert lines[1].endswith("connected · simulator")
    clocks = [line.split()[0] for line in lines]
    assert clocks[:4] == ["0:00", "0:00", "0:10", "0:20"]
    assert lines[-1].split()[1] == "DONE"
    assert f"HR {result.final_metrics.shown_hr_bpm:.0f}" in lines[-1]  # the steady rate
    assert "connected · simulator" in lines[-1]


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_terminal_redraws_in_place_while_the_session_runs() -> None:
    session = sim_session(30.0, Playback(speed=30.0))  # one wall second
    out = FakeTty()
    dashboard = TerminalDashboard(session, out, refresh_hz=10.0, width=70)
    session.sinks.append(dashboard)
    async with dashboard:
        await session.run()
    text = out.getvalue()
    assert text.startswith("\x1b[?25l")
    assert text.endswith("\x1b[?25h")
    assert dashboard.draws >= 8  # ~10 Hz for a second, from the timer as well as the beats
    assert text.count("\x1b[3F") == dashboard.draws - 1  # every draw after the first goes back up
    frames = [ANSI.sub("", f) for f in text.split("\x1b[3F")]
    cues = {f.split()[0] for f in frames if f.strip()}
    assert {"IN", "OUT"} <= cues
    last = frames[-1].splitlines()
    assert last[0].startswith("DONE")
    assert last[2].startswith("0:30 / 0:30")


async def test_a_closed_stream_never_stops_the_session() -> None:
    session = sim_session(20.0, Playback(fast=True))
    out = io.StringIO()
    dashboard = TerminalDashboard(session, out, plain_every_s=1.0)
    session.sinks.append(dashboard)
    out.close()
    async with dashboard:
        result = await session.run()
    assert result.beats > 15


async def test_added_as_a_plain_sink_it_still_redraws_between_beats() -> None:
    class Counted(TerminalDashboard):
        """Counts the draws its own timer makes, apart from those a beat triggers."""

        in_update = False
        timer_draws = 0

        def on_update(self, update: SessionUpdate) -> None:
            self.in_update = True
            try:
                super().on_update(update)
            finally:
                self.in_update = False

        def draw(self) -> None:
            self.timer_draws += not self.in_update
            super().draw()

    session = sim_session(6.0, Playback(speed=12.0))  # half a wall second, ~6 beats
    out = FakeTty()
    dashboard = Counted(session, out, refresh_hz=20.0, width=60)
    session.sinks.append(dashboard)
    await session.run()
    timer_draws = dashboard.timer_draws
    dashboard.finish()
    assert timer_draws >= 2  # the timer started on the first beat and drew again after it
    assert ANSI.sub("", out.getvalue().split("\x1b[3F")[-1]).startswith("DONE")


def test_a_pause_holds_the_breath_bar_and_the_clock_still() -> None:
    from hrvcoach.beats import Beat
    from hrvcoach.session import SessionUpdate

    session = sim_session(60.0, Playback(fast=True))
    dashboard = TerminalDashboard(session, io.StringIO(), width=60)

    def update(t_s: float, *, paused: bool) -> None:
        dashboard.on_update(
            SessionUpdate(Beat(t_s, 1000.0), None, t_s, LinkState.CONNECTED, paused)
        )

    update(2.0, paused=False)
    update(3.0, paused=True)
    held = dashboard.state()
    assert held.t_s == 3.0
    update(6.0, paused=True)  # beats go on arriving (and being recorded) while paused
    still = dashboard.state()
    assert still.t_s == 3.0
    assert still.pacer == held.pacer == session.pacer.state(3.0)
    lines = format_dashboard(still, width=60, color=False)
    assert lines[0].startswith("PAUSED")
    assert lines[2].startswith("0:03 / 1:00")
    update(7.0, paused=False)
    assert dashboard.state().t_s == 7.0


async def test_a_session_that_fails_leaves_no_done_frame_behind() -> None:
    from hrvcoach.errors import DeviceError

    session = sim_session(30.0, Playback(speed=30.0))
    out = FakeTty()
    dashboard = TerminalDashboard(session, out, refresh_hz=20.0, width=70)
    session.sinks.append(dashboard)

    async def fail_while_connecting() -> None:
        async with dashboard:
            await asyncio.sleep(0.2)  # a few frames of "connecting…"
            raise DeviceError("no strap found")

    with pytest.raises(DeviceError):
        await fail_while_connecting()
    text = out.getvalue()
    assert dashboard.draws >= 1
    assert "DONE" not in ANSI.sub("", text)
    assert text.endswith("\x1b[?25h")  # the cursor is given back


# -- the resonance assessment's step line -------------------------------------------------------
def assessment_plan() -> tuple:
    from hrvcoach.assess import plan_steps

    return plan_steps([6.5, 6.0, 5.5, 5.0, 4.5], step_s=120.0, settle_s=20.0)


def test_step_line_says_the_step_its_rate_settling_and_time_left() -> None:
    from hrvcoach.assess import progress_at
    from hrvcoach.tui_lines import format_step

    plan = assessment_plan()
    assert format_step(progress_at(plan, -1.0)) == "5 rates, 2:00 each · first 6.5 /min"
    assert format_step(progress_at(plan, 0.0)) == (
        "step 1/5 · 6.5 /min · settling, scored from 0:20 · 2:00 left"
    )
    assert format_step(progress_at(plan, 130.0)) == (
        "step 2/5 · 6.0 /min · settling, scored from 0:20 · 1:50 left"
    )
    assert format_step(progress_at(plan, 135.5)) == (
        "step 2/5 · 6.0 /min · settling, scored from 0:20 · 1:45 left"  # whole seconds, rounded up
    )
    assert format_step(progress_at(plan, 155.0)) == "step 2/5 · 6.0 /min · scoring · 1:25 left"
    assert format_step(progress_at(plan, 200.0)) == "step 2/5 · 6.0 /min · scoring · 0:40 left"
    assert format_step(progress_at(plan, 235.0)) == (
        "step 2/5 · 6.0 /min · scoring · next 5.5 /min in 0:05"
    )
    assert format_step(progress_at(plan, 595.0)) == "step 5/5 · 4.5 /min · scoring · 0:05 left"
    assert format_step(progress_at(plan, 600.0)) == "all 5 steps done · scoring each rate…"
    assert format_step(progress_at(plan, 130.0), ended=True) == (
        "step 2/5 · 6.0 /min · stopped after 1 of 5 steps"
    )


def test_an_assessment_adds_a_fourth_line_that_fits_the_terminal() -> None:
    from hrvcoach.assess import progress_at

    plan = assessment_plan()
    settling = state(130.0, protocol=progress_at(plan, 130.0))
    lines = format_dashboard(settling, width=80, color=False)
    assert len(lines) == 4
    assert lines[3] == "step 2/5 · 6.0 /min · settling, scored from 0:20 · 1:50 left"
    coloured = format_dashboard(settling, width=80, color=True)
    assert coloured[3].startswith("\x1b[33m")  # amber while its breaths are not scored
    scoring = format_dashboard(state(200.0, protocol=progress_at(plan, 200.0)), width=80)
    assert "\x1b[33m" not in scoring[3]
    for width in (30, 44):
        for line in format_dashboard(settling, width=width, color=True):
            assert len(ANSI.sub("", line)) <= width
    assert len(format_dashboard(state(130.0), width=80, color=False)) == 3  # practice: three
    plain = format_plain(settling)
    assert plain.endswith(
        "connected · Polar H10  step 2/5 · 6.0 /min · settling, scored from 0:20 · 1:50 left"
    )


async def test_an_assessment_dashboard_redraws_four_lines_with_the_step() -> None:
    from hrvcoach.assess import plan_steps, protocol_pacer

    plan = plan_steps([6.0, 5.0], step_s=40.0, settle_s=10.0)
    pacer = protocol_pacer(plan)
    source = SimulatedSource(SimParams(seed=3), pacer=pacer, playback=Playback(speed=80.0))
    session = Session(
        source, pacer=pacer, live=LiveHrv(artifacts="none"), duration_s=plan[-1].end_s
    )
    out = FakeTty()
    dashboard = TerminalDashboard(session, out, refresh_hz=20.0, width=80, plan=plan)
    session.sinks.append(dashboard)
    async with dashboard:
        await session.run()
    text = out.getvalue()
    assert "\x1b[3F" not in text
    assert text.count("\x1b[4F") == dashboard.draws - 1  # each redraw goes back up four lines
    frames = [ANSI.sub("", f).splitlines() for f in text.split("\x1b[4F")]
    steps = {f[3].split(" · ")[0] for f in frames if len(f) == 4}
    assert {"step 1/2", "step 2/2"} <= steps
    assert any("step 2/2 · 5.0 /min · settling" in f[3] for f in frames if len(f) == 4)
    assert frames[-1][0].startswith("DONE")
    assert frames[-1][3] == "all 2 steps done · scoring each rate…"


def test_the_measured_breath_shows_beside_the_link_when_it_fits() -> None:
    lines = format_dashboard(state(breath_bpm=6.1, follow_pct=92.4), width=100, color=False)
    assert lines[2].endswith("breath 6.1/min · 92 % with the pacer")
    assert "connected" in lines[2]
    narrow = format_dashboard(state(breath_bpm=6.1, follow_pct=92.4), width=60, color=False)
    assert narrow[2].endswith("breath 6.1/min")  # the rate alone when the rest does not fit
    assert all(len(line) <= 60 for line in narrow)
    tiny = format_dashboard(state(breath_bpm=6.1), width=30, color=False)
    assert "breath" not in tiny[2]  # the clock and the link come first
    # calm mode keeps to the pacer and the zone; without chest motion nothing is said
    assert "breath" not in format_dashboard(state(breath_bpm=6.1, calm=True), width=100)[2]
    assert "breath" not in format_dashboard(state(), width=100, color=False)[2]
    assert "breath 6.1/min · 92 % with the pacer" in format_plain(
        state(breath_bpm=6.1, follow_pct=92.4)
    )


async def test_the_dashboard_reads_the_breath_from_chest_motion() -> None:
    from hrvcoach.breathing.live import BreathingMonitor

    pacer = Pacer(BreathPattern(6.0))
    source = SimulatedSource(
        SimParams(seed=2), pacer=pacer, playback=Playback(fast=True), motion=True
    )
    session = Session(source, pacer=pacer, live=LiveHrv(artifacts="none"), duration_s=90.0)
    monitor = BreathingMonitor(session.pacer)
    session.sample_listeners.append(monitor.add)
    out = io.StringIO()
    dashboard = TerminalDashboard(session, out, plain_every_s=10.0, breathing=monitor)
    session.sinks.append(dashboard)
    async with dashboard:
        await session.run()
    rates = [float(r) for r in re.findall(r"breath (\d+\.\d)/min", out.getvalue())]
    assert len(rates) >= 5  # from the first breaths on, in the lines after them
    assert all(5.5 <= r <= 6.5 for r in rates[-3:])  # the simulated person follows 6/min
    assert "% with the pacer" in out.getvalue().splitlines()[-2]
