"""Window sizes that fit the screen: never larger than the space the desktop leaves (a 1366x768
laptop, a 1280x720 screen), and larger on a large screen. Sizes are Qt's logical pixels, so a
high-density screen is already taken care of by its scale factor."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

#: room for the window's frame and title bar, which the available area does not leave out
FRAME_W = 16
FRAME_H = 48
#: a screen this many times the preferred size gets a larger window
GROW_FROM = 1.25
#: how much of a large screen a grown window takes
GROWN_SHARE = 0.85


def fitted_size(preferred: tuple[int, int], available: tuple[int, int]) -> tuple[int, int]:
    """The size to open a window at, given its preferred size and the screen's available area.

    Smaller than the area less its frame; on an area much larger than preferred (at least
    :data:`GROW_FROM` times in both directions), scaled up with its proportions to take
    :data:`GROWN_SHARE` of it.
    """
    width, height = preferred
    room_w, room_h = max(available[0] - FRAME_W, 1), max(available[1] - FRAME_H, 1)
    scale = min(room_w / width, room_h / height)
    if scale >= GROW_FROM:
        grown = scale * GROWN_SHARE
        return round(width * grown), round(height * grown)
    return min(width, room_w), min(height, room_h)


def _placeholder_screen() -> bool:
    """Qt's offscreen platform without a screen configured invents an 800x800 one: a picture
    taken there (``--screenshot`` on a server) keeps the size it was asked for."""
    import os

    from hrvcoach import display

    return display.offscreen() and "configfile" not in os.environ.get("QT_QPA_PLATFORM", "")


def fit_to_screen(widget: QWidget, preferred: tuple[int, int]) -> None:
    """Size ``widget`` for the screen it will show on, and centre it there."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None or _placeholder_screen():
        widget.resize(*preferred)
        return
    area = screen.availableGeometry()
    width, height = fitted_size(preferred, (area.width(), area.height()))
    widget.resize(width, height)
    widget.move(
        area.x() + max(0, (area.width() - width) // 2),
        area.y() + max(0, (area.height() - height - FRAME_H) // 2),
    )
