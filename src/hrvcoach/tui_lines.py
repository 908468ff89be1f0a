"""The terminal dashboard's lines: pure formatting of one :class:`DashboardState`.

:func:`format_dashboard` gives the lines redrawn in place on a terminal (the breath bar with its
cue, the numbers, the clock and the link, and a resonance assessment's step),
:func:`format_plain` the one line written every few seconds to a file or a pipe, and
:func:`format_step` an assessment step's words. Nothing here reads a clock or writes anywhere:
:class:`hrvcoach.tui.TerminalDashboard` gathers the state and writes what these return.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hrvcoach.beats import Contact, LinkState
from hrvcoach.wording import fmt_clock, fmt_number

if TYPE_CHECKING:
    from collections.abc import Callable

    from hrvcoach.assess import ProtocolProgress
    from hrvcoach.live import LiveMetrics
    from hrvcoach.pacer import PacerState


CUES = {"in": "IN", "hold_in": "HOLD", "out": "OUT", "hold_out": "HOLD"}
EIGHTHS = " ▏▎▍▌▋▊▉█"

# ANSI: colour only where it carries meaning (breath, heart, link state)
RESET = "\x1b[0m"
DIM = "\x1b[2m"
BOLD = "\x1b[1m"
TEAL = "\x1b[36m"
AMBER = "\x1b[33m"
GREEN = "\x1b[32m"
RED = "\x1b[31m"
#: the coherence zones, in the window's colours as near as 256 colours go: grey-blue, sky, green
ZONE_CODES = {"low": "\x1b[38;5;103m", "medium": "\x1b[38;5;74m", "high": "\x1b[38;5;114m"}
CLEAR_LINE = "\x1b[2K"
HIDE_CURSOR = "\x1b[?25l"
SHOW_CURSOR = "\x1b[?25h"


@dataclass(frozen=True, slots=True)
class DashboardState:
    """Everything one redraw shows.

    Attributes:
        t_s: Session time.
        duration_s: Set session length, or ``None`` for an open session.
        pacer: The pacer now, or ``None`` before the session has started.
        paused: The session is paused.
        metrics: Latest live metrics (``None`` before the first beat).
        link: State of the link to the source.
        device: Source name, where known.
        battery_pct: Last battery level reported.
        contact: Last skin-contact state reported.
        ended: The session is over (the final draw).
        protocol: Where a resonance assessment is (``None`` for a practice session).
        natural: A protocol phase with natural breathing: no pacer to follow.
        zone: Coherence zone (``"low"``, ``"medium"``, ``"high"``) when training is tracked.
        level: The session's challenge level when training is tracked.
        swing_bpm: Heart-rate swing of the last whole breath.
        calm: Calm mode: the numbers wait for the end; only the zone shows.
        breath_bpm: The breathing rate measured from chest motion (a Polar H10's, or the
            simulator's), ``None`` without motion.
        follow_pct: How closely that breath followed the pacer over the last 30 s, percent.
    """

    t_s: float
    duration_s: float | None
    pacer: PacerState | None
    paused: bool
    metrics: LiveMetrics | None
    link: LinkState
    device: str | None = None
    battery_pct: int | None = None
    contact: Contact = Contact.UNKNOWN
    ended: bool = False
    protocol: ProtocolProgress | None = None
    natural: bool = False
    zone: str | None = None
    level: int | None = None
    swing_bpm: float | None = None
    calm: bool = False
    breath_bpm: float | None = None
    follow_pct: float | None = None


def zone_word(zone: object) -> str | None:
    """``"low"``, ``"medium"`` or ``"high"`` for a zone (an enum with those values or a string)."""
    if zone is None:
        return None
    name = str(getattr(zone, "value", zone)).lower()
    return name if name in ZONE_CODES else None


#: in the last seconds of a step, the step line says what comes next, as the window's guide does
ANNOUNCE_NEXT_S = 10.0


def _coherence(m: LiveMetrics | None) -> str:
    """Coherence, or while it has no value yet, when it will have one."""
    if m is None or m.coherence is not None:
        return fmt_number(None if m is None else m.coherence, 1)
    wait = m.coherence_in_s
    if wait is None:
        return "– (after 64 s of beats)"
    return f"– (in {math.ceil(wait)} s)" if wait > 0 else "– (next update)"


def breath_bar(volume: float, width: int) -> str:
    """A bar ``width`` characters long filled to ``volume`` (0..1) in eighths of a character."""
    width = max(1, width)
    eighths = round(min(1.0, max(0.0, volume)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full
    if full < width:
        bar += (EIGHTHS[part] if part else "") + " " * (width - full - (1 if part else 0))
    return bar


def _link_words(state: DashboardState) -> tuple[str, str]:
    words = {
        LinkState.CONNECTED: ("connected", GREEN),
        LinkState.CONNECTING: ("connecting…", DIM),
        LinkState.RECONNECTING: ("reconnecting…", AMBER),
        LinkState.DISCONNECTED: ("disconnected", RED),
    }
    text, color = words[state.link]
    parts = [text]
    if state.device:
        parts.append(state.device)
    if state.contact is Contact.NOT_DETECTED:
        parts.append("no skin contact")
        color = AMBER if color == GREEN else color
    if state.metrics is not None and state.metrics.artifacts:
        parts.append(f"{state.metrics.artifacts} corrected")
    if state.battery_pct is not None:
        parts.append(f"battery {state.battery_pct}%")
    return " · ".join(parts), color


def _cue(state: DashboardState) -> tuple[str, int | None]:
    if state.ended:
        return "DONE", None
    if state.pacer is None:
        return "READY", None
    if state.paused:
        return "PAUSED", None
    if state.natural:
        return "FREE", None  # breathe at your own rate: no cue to follow
    left = max(1, math.ceil(state.pacer.stage_remaining_s - 1e-6))
    return CUES[state.pacer.stage], left


def _fit(text: str, visible: int, width: int) -> str:
    """Cut plain ``text`` so that it fits ``width`` columns (``visible`` is its length)."""
    return text if visible <= width else text[: max(0, width - 1)] + "…"


def format_step(progress: ProtocolProgress, *, ended: bool = False) -> str:
    """The assessment's line: ``"step 2/5 · 6.0 /min · settling, scored from 0:20 · 1:25 left"``.

    Args:
        progress: Where the protocol is (:func:`hrvcoach.assess.progress_at`).
        ended: The session is over: a protocol stopped part-way says how far it got.
    """
    plan = progress.steps
    n = len(plan)
    if not plan:
        return ""
    from hrvcoach.protocols.phases import Phase

    if isinstance(plan[0], Phase):  # a capacity protocol: its own words for each phase
        from hrvcoach.protocols.capacity import format_phase_line

        if progress.done:
            t_s = plan[-1].end_s
        elif progress.step is None:
            t_s = plan[0].start_s - 1.0
        else:
            t_s = progress.step.end_s - progress.step_left_s
        return format_phase_line(plan, t_s, ended=ended)  # type: ignore[arg-type]
    if progress.done:
        return f"all {n} steps done · scoring each rate…"
    step = progress.step
    if step is None:
        first = plan[0]
        return f"{n} rates, {fmt_clock(first.duration_s)} each · first {first.rate_bpm:.1f} /min"
    head = f"step {step.index + 1}/{n} · {step.rate_bpm:.1f} /min"
    if ended:
        return f"{head} · stopped after {progress.steps_done} of {n} steps"
    left = fmt_clock(math.ceil(progress.step_left_s - 1e-6))
    following = plan[step.index + 1] if step.index + 1 < n else None
    if progress.settling:
        return f"{head} · settling, scored from {fmt_clock(step.settle_s)} · {left} left"
    if following is not None and progress.step_left_s <= ANNOUNCE_NEXT_S:
        return f"{head} · scoring · next {following.rate_bpm:.1f} /min in {left}"
    return f"{head} · scoring · {left} left"


def format_dashboard(state: DashboardState, *, width: int = 80, color: bool = True) -> list[str]:
    """The dashboard lines for a terminal ``width`` columns wide (at least 40 is useful).

    Three lines, and a fourth with the step when ``state.protocol`` is set. Each line's visible
    length is at most ``width``; with ``color`` the lines carry ANSI colours.
    """
    width = max(24, width)

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    cue, left = _cue(state)
    volume = 0.0 if state.pacer is None or state.ended or state.natural else state.pacer.volume
    head = f"{cue:<6} "
    tail = f" {left:>2} s" if left is not None else "     "
    bar_w = width - len(head) - len(tail) - 2
    bar = breath_bar(volume, bar_w)
    active = not (state.paused or state.ended or state.pacer is None)
    line1 = (
        paint(BOLD + TEAL if active else DIM, head)
        + paint(DIM, "▕")
        + paint(TEAL if active else DIM, bar)
        + paint(DIM, "▏")
        + tail
    )

    line2 = _numbers_line(state, width, paint)

    link, link_color = _link_words(state)
    clocks = [fmt_clock(state.t_s)]
    if state.duration_s:
        left_s = max(0.0, state.duration_s - state.t_s)
        short = f"{fmt_clock(state.t_s)} / {fmt_clock(state.duration_s)}"
        clocks = [f"{short}  ({fmt_clock(left_s)} left)", short, *clocks]
    # the longest clock that leaves room for the link's first word; the words are cut to fit
    clock = next((c for c in clocks if len(c) + 5 + min(len(link), 12) <= width), clocks[-1])
    room = width - len(clock) - 5
    breath = next((b for b in _breath_words(state) if len(b) + 3 + min(len(link), 12) <= room), "")
    if breath:
        room -= len(breath) + 3
    line3 = paint(BOLD, clock)
    if room >= 2:
        link = _fit(link, len(link), room)
        line3 += "   " + paint(link_color, "●") + " " + paint(DIM, link)
    if breath:
        line3 += "   " + paint(TEAL, breath)
    if state.protocol is None:
        return [line1, line2, line3]
    step = format_step(state.protocol, ended=state.ended)
    # amber while settling: those breaths are not scored yet
    settling = state.protocol.settling and not state.ended
    line4 = paint(AMBER if settling else BOLD, _fit(step, len(step), width))
    return [line1, line2, line3, line4]


def _breath_words(state: DashboardState) -> list[str]:
    """The measured breath, longest wording first (none in calm mode or without motion)."""
    if state.breath_bpm is None or state.calm or state.ended:
        return []
    rate = f"breath {state.breath_bpm:.1f}/min"
    if state.follow_pct is None:
        return [rate]
    return [f"{rate} · {state.follow_pct:.0f} % with the pacer", rate]


def _numbers_line(state: DashboardState, width: int, paint: Callable[[str, str], str]) -> str:
    """HR, RMSSD, swing and coherence with its zone and level; the parts that do not fit the
    width are left out, least needed first (RMSSD, then the level), then the line is cut."""
    m = state.metrics
    zone = state.zone
    quality = getattr(m, "quality", None)
    # A poor signal: RMSSD dimmed (shown, not to be read as HRV); coherence withheld when there
    # are too many holes for a spectrum.
    weight = DIM if quality is not None and quality.verdict == "poor" else BOLD
    withheld = quality is not None and quality.spectral_verdict == "poor"
    # (label, value, unit, colour of the value); an empty label joins the previous part
    # the steady rate: one irregular beat does not move it
    hr = ("HR", fmt_number(None if m is None else m.shown_hr_bpm), "bpm", AMBER + BOLD)
    rmssd = ("RMSSD", fmt_number(None if m is None else m.rmssd_ms), "ms", weight)
    swing = ("swing", fmt_number(state.swing_bpm, 1), "bpm", AMBER + BOLD)
    # while "–" for want of beats, when it will appear
    coh_value = "–" if withheld else _coherence(m)
    coh = ("coherence", coh_value, "", weight)
    signal = (
        ("signal", quality.verdict, "", GREEN if quality.verdict == "good" else AMBER)
        if quality is not None
        else None
    )
    zone_part = ("", zone or "", "", ZONE_CODES.get(zone or "", DIM))
    level = ("level", str(state.level), "", BOLD)
    tracked = state.level is not None
    if state.calm:
        # the numbers wait for the end screen: only the zone (or that it is on its way)
        shown = [("zone", zone or "–", "", ZONE_CODES.get(zone or "", DIM)), level]
        options = [shown, shown[:1]]
    elif tracked:
        full = [hr, rmssd, swing, coh, zone_part, level]
        options = [full, [hr, swing, coh, zone_part, level], [hr, swing, coh, zone_part]]
        if signal:
            options.insert(0, [*full, signal])
    else:
        options = [[hr, rmssd, coh, signal], [hr, rmssd, coh]] if signal else [[hr, rmssd, coh]]

    def plain(parts: list[tuple[str, str, str, str]]) -> str:
        out = ""
        for label, value, unit, _ in parts:
            if not label and not value:
                continue
            gap = " " if not label else ("   " if out else "")
            out += gap + (f"{label} " if label else "") + value + (f" {unit}" if unit else "")
        return out

    for parts in options:
        text = plain(parts)
        if len(text) <= width:
            line = ""
            for label, value, unit, code in parts:
                if not label and not value:
                    continue
                gap = " " if not label else ("   " if line else "")
                line += paint(DIM, gap + (f"{label} " if label else "")) + paint(code, value)
                if unit:
                    line += paint(DIM, f" {unit}")
            return line
    text = plain(options[-1])
    return _fit(text, len(text), width)


def format_plain(state: DashboardState) -> str:
    """One line for a log: clock, cue, numbers and link state, no control characters."""
    cue, left = _cue(state)
    m = state.metrics
    parts = [
        fmt_clock(state.t_s).rjust(5),
        f"{cue:<6}" if left is None else f"{cue:<4}{left:>2}s",
        f"HR {fmt_number(None if m is None else m.shown_hr_bpm)}",
        f"RMSSD {fmt_number(None if m is None else m.rmssd_ms)} ms",
        f"coherence {_coherence(m)}",
    ]
    if state.level is not None:
        parts[3:3] = [f"swing {fmt_number(state.swing_bpm, 1)} bpm"]
        parts.append(f"zone {state.zone or '–'} · level {state.level}")
    if state.calm:
        parts = [*parts[:2], f"zone {state.zone or '–'}"]
    quality = getattr(m, "quality", None)
    if quality is not None and not state.calm:
        parts.append(f"signal {quality.verdict}")
    breath = _breath_words(state)
    if breath:
        parts.append(breath[0])
    parts.append(_link_words(state)[0])
    if state.protocol is not None:
        parts.append(format_step(state.protocol, ended=state.ended))
    return "  ".join(parts)
