"""The terminal dashboard as a trainer: the coherence zone as a word and a colour, the level, the
swing of the last breath, and the calm view."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest

from hrvcoach.beats import Beat, LinkState
from hrvcoach.drivers.simulated import SimParams, SimulatedSource
from hrvcoach.live import LiveHrv, LiveMetrics
from hrvcoach.pacer import BreathPattern, Pacer
from hrvcoach.session import Session, SessionUpdate
from hrvcoach.timing import Playback
from hrvcoach.tui import TerminalDashboard
from hrvcoach.tui_lines import (
    ZONE_CODES,
    DashboardState,
    format_dashboard,
    format_plain,
    zone_word,
)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def metrics() -> LiveMetrics:
    return LiveMetrics(
        t_s=125.0,
        hr_bpm=63.6,
        mean_hr_bpm=62.0,
        rmssd_ms=47.4,
        sdnn_ms=60.0,
        pnn50_pct=20.0,
        n_beats=60,
        artifacts=0,
        coherence=2.46,
    )


def state(**kw: object) -> DashboardState:
    pacer = Pacer(BreathPattern(6.0))
    values: dict[str, object] = dict(
        t_s=125.0,
        duration_s=600.0,
        pacer=pacer.state(125.0),
        paused=False,
        metrics=metrics(),
        link=LinkState.CONNECTED,
        device="Polar H10",
        zone="high",
        level=2,
        swing_bpm=13.14,
    )
    values.update(kw)
    return DashboardState(**values)  # type: ignore[arg-type]


def test_the_numbers_line_shows_swing_zone_and_level() -> None:
    line = format_dashboard(state(), width=80, color=False)[1]
    assert line == "HR 64 bpm   RMSSD 47 ms   swing 13.1 bpm   coherence 2.5 high   level 2"


def test_the_zone_word_is_in_its_colour() -> None:
    for zone, code in ZONE_CODES.items():
        line = format_dashboard(state(zone=zone), width=80, color=True)[1]
        assert f"{code}{zone}" in line
    # three different colours, none of them the red of a lost link
    assert len(set(ZONE_CODES.values())) == 3
    assert "\x1b[31m" not in ZONE_CODES.values()


@pytest.mark.parametrize("width", [30, 44, 60, 80])
def test_a_narrow_terminal_drops_rmssd_then_the_level_never_the_zone(width) -> None:
    lines = format_dashboard(state(), width=width, color=True)
    for line in lines:
        assert len(ANSI.sub("", line)) <= width
    plain = ANSI.sub("", lines[1])
    if width >= 60:
        assert "high" in plain
        assert "swing 13.1" in plain
    if width == 60:
        assert "RMSSD" not in plain


def test_before_the_first_zone_it_says_so_quietly() -> None:
    line = format_dashboard(state(zone=None, swing_bpm=None), width=80, color=False)[1]
    assert line == "HR 64 bpm   RMSSD 47 ms   swing – bpm   coherence 2.5   level 2"


def test_calm_keeps_only_the_zone_and_the_level() -> None:
    line = format_dashboard(state(calm=True), width=80, color=False)[1]
    assert line == "zone high   level 2"
    plain = format_plain(state(calm=True))
    assert "zone high" in plain
    assert "HR" not in plain
    assert "coherence" not in plain


def test_plain_line_has_swing_zone_and_level() -> None:
    line = format_plain(state())
    assert "swing 13.1 bpm" in line
    assert "zone high · level 2" in line


def test_without_training_the_line_is_as_before() -> None:
    line = format_dashboard(state(zone=None, level=None, swing_bpm=None), width=80, color=False)[1]
    assert line == "HR 64 bpm   RMSSD 47 ms   coherence 2.5"


def test_zone_word_reads_enums_and_strings() -> None:
    @dataclass(frozen=True)
    class Zone:
        value: str

    assert zone_word(Zone("medium")) == "medium"
    assert zone_word("HIGH") == "high"
    assert zone_word(None) is None
    assert zone_word("purple") is None


@dataclass(frozen=True)
class Snapshot:
    level: int
    zone: str | None
    swing_bpm: float | None


class WithTraining:
    def __init__(self, update: SessionUpdate, training: Snapshot) -> None:
        self._update = update
        self.training = training

    def __getattr__(self, name: str) -> object:
        return getattr(self._update, name)


async def test_the_dashboard_shows_the_training_it_is_handed() -> None:
    pacer = Pacer(BreathPattern(6.0))
    source = SimulatedSource(SimParams(seed=2), pacer=pacer, playback=Playback(fast=True))
    session = Session(source, pacer=pacer, live=LiveHrv(artifacts="none"), duration_s=30.0)
    out = io.StringIO()
    dashboard = TerminalDashboard(session, out, plain_every_s=10.0)
    plain_sink = dashboard.on_update

    def on_update(update: SessionUpdate) -> None:
        beat = isinstance(update.event, Beat)
        snap = Snapshot(3, "medium" if update.t_s > 15 else None, 9.5 if beat else None)
        plain_sink(WithTraining(update, snap))  # type: ignore[arg-type]

    session.sinks.append(type("Sink", (), {"on_update": staticmethod(on_update)})())
    async with dashboard:
        await session.run()
    last = out.getvalue().splitlines()[-1]
    assert "zone medium · level 3" in last
    assert dashboard.state().level == 3
