"""How far a replay has got: a thin progress bar in the practice window's header."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QWidget

from hrvcoach.gui.formatting import fmt_clock

#: steps of the bar (per mille: smooth enough, and no redraw for every beat)
STEPS = 1000


class ReplayBar(QProgressBar):
    """Replayed time against the recording's length (``mm:ss of mm:ss``)."""

    def __init__(self, duration_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration_s = max(float(duration_s), 1e-9)
        self.setRange(0, STEPS)
        self.setFixedWidth(260)
        self.setTextVisible(True)
        self._shown = -1
        self.show_time(0.0)

    @classmethod
    def for_source(cls, source: object) -> ReplayBar | None:
        """A bar for a source that replays a recording; ``None`` for a strap or the simulator."""
        recording = getattr(source, "recording", None)
        duration = getattr(recording, "duration_s", None)
        if not isinstance(duration, int | float) or duration <= 0:
            return None
        return cls(float(duration))

    def show_time(self, t_s: float) -> None:
        step = round(min(max(t_s / self.duration_s, 0.0), 1.0) * STEPS)
        if step == self._shown:
            return
        self._shown = step
        self.setValue(step)
        self.setFormat(
            f"replay {fmt_clock(min(t_s, self.duration_s))} of {fmt_clock(self.duration_s)}"
        )
