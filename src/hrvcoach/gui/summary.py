"""The page shown when a session ends: how long it ran, how it ended, its wins and its numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from hrvcoach.gui import theme
from hrvcoach.gui.formatting import as_float, ended_words, field_of, fmt_clock, fmt_number
from hrvcoach.gui.sparkline import Sparkline
from hrvcoach.gui.tiles import Tile
from hrvcoach.gui.training_view import WinsView
from hrvcoach.gui.wins_panel import WinsPanel

if TYPE_CHECKING:
    from hrvcoach.session import SessionResult


class SummaryPage(QWidget):
    """The end-of-session summary: a title, a line of context and six tiles."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(12)
        self.title = QLabel("Session complete")
        self.title.setProperty("role", "summary-title")
        self.sub = QLabel("")
        self.sub.setProperty("role", "caption")
        self.sub.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.sub)
        self.wins = WinsPanel()
        self.wins.setVisible(False)
        lay.addWidget(self.wins)
        grid = self.grid = QGridLayout()
        grid.setSpacing(10)
        self.tiles = {
            "mean_hr_bpm": Tile("Mean heart rate", "bpm", theme.HEART),
            "rmssd_ms": Tile("RMSSD", "ms", theme.TEXT),
            "sdnn_ms": Tile("SDNN", "ms", theme.TEXT),
            "coherence": Tile("Coherence", "", theme.COHERENCE),
            "resonance": Tile("Breathing peak", "/min", theme.BREATH),
            "beats": Tile("Beats", "", theme.TEXT),
        }
        for i, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, i // 3, i % 3)
        self.spark = Sparkline()
        self.tiles["coherence"].box.addWidget(self.spark)
        lay.addLayout(grid)
        lay.addStretch(1)

    def set_scale(self, px: int) -> None:
        for tile in self.tiles.values():
            tile.set_scale(px)

    def show_wins(self, view: WinsView) -> None:
        """The session against the person's own history (shown above the numbers)."""
        self.wins.show_wins(view)
        self.wins.setVisible(True)
        # the numbers in one row, so the wins and the numbers fit a 600 px high window
        for i, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, 0, i)

    def show_error(self, message: str) -> None:
        """The session could not run: say why, with no numbers."""
        self.title.setText("The session could not run")
        self.sub.setText(message)
        for tile in self.tiles.values():
            tile.setVisible(False)

    def show_session(
        self,
        result: SessionResult | None,
        summary: object,
        *,
        duration_s: float | None,
        source_kind: str | None,
        coh_t: Sequence[float],
        coh_v: Sequence[float],
    ) -> None:
        """The numbers of a finished session.

        Args:
            result: The session's result (``None`` if it produced none).
            summary: The whole-session summary (an object or a mapping; ``None``: the last
                live numbers stand in).
            duration_s: Practice time shown in the title.
            source_kind: ``ble``, ``sim`` or ``replay``, for how the session ended.
            coh_t: Times of the live coherence values, for the sparkline.
            coh_v: The live coherence values.
        """
        final = result.final_metrics if result is not None else None

        def pick(name: str, live_name: str | None = None) -> float | None:
            value = as_float(field_of(summary, name))
            if value is None and final is not None:
                value = as_float(getattr(final, live_name or name, None))
            return value

        ended = ended_words(result.ended_by, source_kind) if result is not None else ""
        self.title.setText(f"Session complete  ·  {fmt_clock(duration_s, nearest=True)}")
        lines = [f"Ended: {ended}."]
        if result is not None and result.recording is not None:
            lines.append(f"Saved to {result.recording}")
        if summary is None:
            lines.append("Numbers from the last minute of the session.")
        self.sub.setText("   ".join(lines))
        t = self.tiles
        t["mean_hr_bpm"].value.setText(fmt_number(pick("mean_hr_bpm")))
        t["rmssd_ms"].value.setText(fmt_number(pick("rmssd_ms")))
        t["sdnn_ms"].value.setText(fmt_number(pick("sdnn_ms")))
        t["coherence"].value.setText(fmt_number(pick("coherence"), 1))
        # the breathing rhythm in the heart rate: coherence's peak, else the LF band's peak
        peak = next(
            (
                v
                for v in (
                    as_float(field_of(summary, "coherence_peak_hz")),
                    as_float(field_of(summary, "lf_peak_hz")),
                    as_float(getattr(final, "coherence_peak_hz", None)),
                    as_float(getattr(final, "lf_peak_hz", None)),
                )
                if v is not None
            ),
            None,
        )
        t["resonance"].value.setText(fmt_number(None if peak is None else peak * 60.0, 1))
        beats = as_float(field_of(summary, "beats"))
        if beats is None and result is not None:
            beats = float(result.beats)
        t["beats"].value.setText(fmt_number(beats))
        # Two counts that need not agree: the whole-session analysis corrects the full recording
        # at once, the live pipeline corrected beat by beat (the header's count). Each is named.
        corrected = as_float(field_of(summary, "artifacts_corrected"))
        if corrected is not None:
            t["beats"].detail.setText(f"{int(corrected)} corrected in the whole-session analysis")
        elif final is not None:
            t["beats"].detail.setText(f"{final.artifacts} corrected live")
        if result is not None and result.gaps:
            t["beats"].detail.setText(t["beats"].detail.text() + f"  ·  {result.gaps} gaps")
        self.spark.show_series(coh_t, coh_v)
