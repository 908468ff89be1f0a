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
    """Qt draws into memory (``offscreen``, also with options: ``offscreen:configfile=...``)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0]
    return platform.lower() in OFFSCREEN_PLATFORMS


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
    missing = missing_qt_libraries()
    if missing:
        # Qt names libxcb-cursor0 whatever is missing; the loader knows what actually is.
        return missing_libraries_text(missing)
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    hint = next((line for line in lines if "needed" in line or "could not" in line.lower()), None)
    return hint or (lines[-1] if lines else f"Qt exited with status {proc.returncode}")


def _qt_dir() -> str | None:
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    return os.path.join(os.path.dirname(spec.origin), "Qt")


def missing_qt_libraries(timeout_s: float = 10.0) -> list[str]:
    """The system libraries Qt's X11 platform plugin needs and the loader cannot find (their
    sonames, e.g. ``libxcb-icccm.so.4``), asked of the loader with ``ldd``; empty when none are
    missing or the loader cannot be asked."""
    qt = _qt_dir()
    if qt is None or not sys.platform.startswith("linux"):
        return []
    targets = [
        os.path.join(qt, "plugins", "platforms", "libqxcb.so"),
        os.path.join(qt, "lib", "libQt6XcbQpa.so.6"),
    ]
    missing: list[str] = []
    for target in targets:
        if not os.path.exists(target):
            continue
        try:
            proc = subprocess.run(
                ["ldd", target], capture_output=True, text=True, timeout=timeout_s
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
        for line in proc.stdout.splitlines():
            name, _, where = line.strip().partition("=>")
            if "not found" in where and name.strip() not in missing:
                missing.append(name.strip())
    return missing


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships a library: ``libxcb-icccm.so.4`` -> ``libxcb-icccm4``,
    ``libxkbcommon-x11.so.0`` -> ``libxkbcommon-x11-0``, ``libEGL.so.1`` -> ``libegl1``."""
    base, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    name = base.lower()
    if not version:
        return name
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def missing_libraries_text(missing: list[str]) -> str:
    """One line naming what is missing and the one command that installs it."""
    packages = " ".join(dict.fromkeys(debian_package(s) for s in missing))
    return (
        f"Qt's X11 plugin needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
        f"not installed (on Debian or Ubuntu: sudo apt-get install {packages})"
    )


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
