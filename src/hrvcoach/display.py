"""Whether a window can be shown, decided without loading Qt in this process.

A desktop session is not enough: Qt aborts the whole process (it cannot be caught) when its
platform plugin cannot start, for example on a Linux desktop without ``libxcb-cursor0`` or over
an SSH connection whose X forwarding is gone. So where a real display is named, a short child
process tries to start Qt first, and the commands fall back to the terminal when it cannot.
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys

log = logging.getLogger(__name__)

#: Qt platforms that draw into memory: always usable, never probed
OFFSCREEN_PLATFORMS = ("offscreen", "minimal")

_PROBE = "from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"


def display_named() -> bool:
    """A display is there to draw on (a desktop, X11/Wayland, or an explicit Qt platform)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def offscreen() -> bool:
    return os.environ.get("QT_QPA_PLATFORM", "").lower() in OFFSCREEN_PLATFORMS


@functools.cache
def qt_problem(timeout_s: float = 20.0) -> str | None:
    """Why Qt cannot start a window here (its last words), or ``None`` when it can."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"Qt did not start ({err})"
    if proc.returncode == 0:
        return None
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    hint = next((line for line in lines if "needed" in line or "could not" in line.lower()), None)
    return hint or (lines[-1] if lines else f"Qt exited with status {proc.returncode}")


def window_possible() -> bool:
    """A window can be shown: a display is named and Qt starts on it (probed once)."""
    if not display_named():
        return False
    if offscreen():
        return True
    problem = qt_problem()
    if problem is not None:
        log.warning("no window: %s; using the terminal instead", problem)
        return False
    return True
