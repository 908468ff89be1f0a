"""The connection and signal-quality line at the top of the practice window."""

from __future__ import annotations

from dataclasses import dataclass

from hrvcoach.beats import Contact, LinkState
from hrvcoach.gui import theme


@dataclass(frozen=True, slots=True)
class LinkView:
    """The connection and signal-quality line, as plain words and a colour."""

    text: str
    color: str


def link_view(
    link: LinkState,
    *,
    device: str | None,
    contact: Contact,
    battery_pct: int | None,
    artifacts: int | None,
    simulated: bool,
    seconds_since_beat: float | None,
    ended: bool = False,
) -> LinkView:
    """Words for the indicator: link state first, then contact, artifacts and battery.

    ``artifacts`` is the live pipeline's running count, and says so ("corrected live"): the end
    summary's whole-session analysis corrects the full recording at once and may count others.
    Once the session has ended (``ended``) the link no longer matters: the line says the session
    is over and what it ran on.
    """
    if ended:
        head, color = "Session ended", theme.MUTED
    elif link is LinkState.CONNECTED:
        head, color = "Connected", theme.GOOD
    elif link is LinkState.RECONNECTING:
        head, color = "Reconnecting…", theme.WARN
    elif link is LinkState.CONNECTING:
        head, color = "Connecting…", theme.MUTED
    else:
        head, color = "Disconnected", theme.BAD
    parts = [head]
    if device:
        parts.append(device + (" (simulated)" if simulated and "sim" not in device.lower() else ""))
    if ended:
        pass  # contact and silence were about the session under way
    elif contact is Contact.NOT_DETECTED:
        parts.append("no skin contact")
        color = theme.WARN if color == theme.GOOD else color
    elif contact is Contact.DETECTED:
        parts.append("contact good")
    if (
        not ended
        and link is LinkState.CONNECTED
        and seconds_since_beat is not None
        and seconds_since_beat > 4.0
    ):
        parts.append(f"no beat for {int(seconds_since_beat)} s")
        color = theme.WARN
    if artifacts is not None:
        parts.append(
            "no beats corrected live"
            if artifacts == 0
            else f"{artifacts} beat{'s' if artifacts != 1 else ''} corrected live"
        )
    if battery_pct is not None and not ended:
        parts.append(f"battery {battery_pct}%")
    return LinkView("  ·  ".join(parts), color)
