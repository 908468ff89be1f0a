"""The top line of the practice window: its title, the challenge level, and the connection and
signal-quality line."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

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


class StatusHeader(QWidget):
    """Title and level on the left, the connection line on the right."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = QHBoxLayout(self)
        header.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel(title)
        self.title_label.setProperty("role", "title")
        self.level_label = QLabel("")
        self.level_label.setProperty("role", "status")
        self.level_label.setVisible(False)
        self.link_dot = QLabel("●")
        self.link_label = QLabel("Connecting…")
        self.link_label.setProperty("role", "status")
        header.addWidget(self.title_label)
        header.addSpacing(12)
        header.addWidget(self.level_label)
        header.addStretch(1)
        header.addWidget(self.link_dot)
        header.addWidget(self.link_label)

    def show_level(self, level: int | None) -> None:
        """The challenge level of the session (``None``: not tracked, nothing shown)."""
        text = "" if level is None else f"Level {level}"
        if text != self.level_label.text():
            self.level_label.setText(text)
            self.level_label.setVisible(level is not None)

    def show_link(self, view: LinkView) -> None:
        if view.text != self.link_label.text():
            self.link_label.setText(view.text)
            self.link_dot.setStyleSheet(f"color: {view.color}; font-size: 16px;")
