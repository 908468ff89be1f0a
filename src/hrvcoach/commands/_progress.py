"""A progress bar for long work, on standard error and only on a terminal.

Nothing is drawn when standard error is not a terminal (piped, redirected, in a test) or when the
command prints JSON: machine-read output never gets progress text mixed in.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO, Any

#: seconds between redraws (a redraw per beat of a day-long file would cost more than the work)
REDRAW_S = 0.1
WIDTH = 30


class Progress:
    """``with Progress("importing", total=40) as bar: ... bar.step()``.

    Args:
        label: What is being done, shown before the bar.
        total: How many steps make 100 % (``0``: unknown, the count alone is shown).
        enabled: ``False`` draws nothing (``--json``, or work too small to need a bar).
        stream: Where the bar goes (standard error by default); drawn only if it is a terminal.
    """

    def __init__(
        self,
        label: str,
        *,
        total: float = 0,
        enabled: bool = True,
        stream: IO[str] | None = None,
        unit: str = "",
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.active = enabled and _is_terminal(self.stream)
        self.done: float = 0
        self._drawn_at = 0.0
        self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.clear()

    def step(self, n: float = 1) -> None:
        self.update(self.done + n)

    def update(self, done: float) -> None:
        """Set how much is done; redrawn at most every :data:`REDRAW_S` seconds."""
        self.done = done
        if not self.active:
            return
        now = time.monotonic()
        if now - self._drawn_at < REDRAW_S and done < self.total:
            return
        self._drawn_at = now
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def line(self) -> str:
        """The bar as text (also what a test reads)."""
        if self.total > 0:
            fraction = min(1.0, max(0.0, self.done / self.total))
            filled = round(fraction * WIDTH)
            bar = "#" * filled + "-" * (WIDTH - filled)
            count = f"{_amount(self.done)}/{_amount(self.total)}{self.unit}"
            return f"{self.label} [{bar}] {fraction * 100:3.0f}%  {count}"
        if not self.done:
            return f"{self.label}..."  # work that cannot say how far it is: that it is running
        return f"{self.label} {_amount(self.done)}{self.unit}"

    def clear(self) -> None:
        """Remove the bar from the terminal line (before other output, and at the end)."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def print(self, text: str, *, file: IO[str] | None = None) -> None:
        """Print a line of the command's own output without tearing the bar."""
        self.clear()
        print(text, file=file if file is not None else sys.stdout)
        if self.active:
            self._drawn_at = 0.0
            self.update(self.done)


def _amount(value: float) -> str:
    return f"{value:.0f}"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressSink:
    """Moves a progress bar along the replayed recording's time (a terminal only)."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar

    def on_update(self, update: Any) -> None:
        self.bar.update(update.event.t_s)
