"""What the session commands tell the views in words: why no screenshot can be taken, and the
breathing rhythm of a replayed recording that has no guide of its own."""

from __future__ import annotations

import argparse
import logging
from typing import Any

log = logging.getLogger(__name__)


def no_screenshot_reason(args: argparse.Namespace) -> str:
    """Why --screenshot cannot be honoured, in the user's own terms."""
    from hrvcoach import display

    if args.headless:
        return "--screenshot saves the window, and --headless runs without one: drop one of them"
    if not display.display_named():
        return (
            "--screenshot saves the window, and there is no display here (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set); run it on a desktop, or set QT_QPA_PLATFORM=offscreen"
        )
    problem = display.qt_problem()
    why = f" ({problem})" if problem else ""
    return f"--screenshot saves the window, and no window can open on this display{why}"


def rhythm_note(recording: Any) -> str:
    """The breathing rhythm the heart rate of a recording shows, in a few words for the pacer."""
    from hrvcoach.analysis import analyze

    try:
        summary = analyze(recording)
    except Exception:  # a note is not worth failing a replay for
        log.debug("no rhythm for the note", exc_info=True)
        return "No guide"
    peak_hz = summary.coherence_peak_hz or summary.lf_peak_hz
    return f"Own {peak_hz * 60:.1f}/min" if peak_hz else "No guide"  # fits inside the circle
