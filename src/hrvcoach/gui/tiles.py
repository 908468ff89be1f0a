"""The large live numbers: heart rate (with RMSSD), the swing per breath, coherence coloured by
its zone with its sparkline, and the clock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hrvcoach.gui import theme
from hrvcoach.gui.formatting import fmt_number
from hrvcoach.gui.sparkline import Sparkline
from hrvcoach.gui.training_view import LiveTrainingView

if TYPE_CHECKING:
    from hrvcoach.live import LiveMetrics


class Tile(QFrame):
    """A caption, one large value and its unit."""

    def __init__(self, caption: str, unit: str, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._px = theme.BIG_NUMBER_PX
        self._accent: str | None = None
        self.setObjectName("panel")
        self.caption = QLabel(caption)
        self.caption.setProperty("role", "caption")
        self._color = color
        self.muted = False
        self.value = QLabel("–")
        self.set_scale(theme.BIG_NUMBER_PX)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.unit = QLabel(unit)
        self.unit.setProperty("role", "unit")
        self.detail = QLabel("")
        self.detail.setProperty("role", "caption")
        self.detail.setWordWrap(True)  # a small window wraps a long detail rather than cut it
        lay = self.box = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(2)
        lay.addWidget(self.caption)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.value)
        row.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.detail)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    @property
    def accent(self) -> str | None:
        return self._accent

    def set_scale(self, px: int) -> None:
        # a style sheet font size wins over setFont, so the size goes into the sheet too
        self._px = px
        color = theme.FAINT if self.muted else (self._accent or self._color)
        self.value.setStyleSheet(f"color: {color}; font-size: {px}px;")

    def set_muted(self, muted: bool) -> None:
        """Grey the value: shown, but from a signal too irregular to read as HRV."""
        if muted != self.muted:
            self.muted = muted
            self.set_scale(self._px)

    def set_accent(self, color: str | None) -> None:
        """Colour the value and the frame (a coherence zone); ``None``: the tile's own colour."""
        if color == self._accent:
            return
        self._accent = color
        self.set_scale(self._px)
        self.setStyleSheet(
            "" if color is None else f"QFrame#panel {{ border: 2px solid {color}; }}"
        )
        self.unit.setStyleSheet("" if color is None else f"color: {color};")


class LiveNumbers(QWidget):
    """The practice page's numbers, two by two: short enough for a 600 px high window, each
    number still large. It shows the values it is given.

    Args:
        training: The session tracks training: the swing per breath takes RMSSD's place (RMSSD
            moves under the heart rate) and the coherence tile takes its zone's colour.
    """

    def __init__(self, parent: QWidget | None = None, *, training: bool = False) -> None:
        super().__init__(parent)
        self.training = training
        numbers = QGridLayout(self)
        numbers.setContentsMargins(0, 0, 0, 0)
        numbers.setSpacing(10)
        self.hr_tile = Tile("Heart rate", "bpm", theme.HEART)
        self.rmssd_tile = Tile("RMSSD, last minute", "ms", theme.TEXT)
        # the rep: how far heart rate rose and fell within the last breath
        self.swing_tile = Tile("Swing per breath", "bpm", theme.HEART)
        self.coh_tile = Tile("Coherence", "", theme.COHERENCE)
        self.sparkline = Sparkline()
        self.coh_tile.box.addWidget(self.sparkline)
        self.time_tile = Tile("Elapsed", "", theme.TEXT)
        second = self.swing_tile if training else self.rmssd_tile
        unused = self.rmssd_tile if training else self.swing_tile
        unused.setParent(self)
        unused.setVisible(False)
        numbers.addWidget(self.hr_tile, 0, 0)
        numbers.addWidget(second, 0, 1)
        numbers.addWidget(self.coh_tile, 1, 0)
        numbers.addWidget(self.time_tile, 1, 1)

    def set_scale(self, px: int) -> None:
        for tile in (self.hr_tile, self.rmssd_tile, self.swing_tile, self.coh_tile, self.time_tile):
            tile.set_scale(px)

    def show_metrics(self, m: LiveMetrics, coh_t: Sequence[float], coh_v: Sequence[float]) -> None:
        """The latest live metrics, and the coherence so far for the sparkline."""
        self.hr_tile.value.setText(fmt_number(m.hr_bpm))
        quality = getattr(m, "quality", None)
        verdict = None if quality is None else quality.verdict
        if self.training:
            self.hr_tile.detail.setText(
                f"average {fmt_number(m.mean_hr_bpm)}  ·  RMSSD {fmt_number(m.rmssd_ms)} ms"
            )
        else:
            self.hr_tile.detail.setText(f"average {fmt_number(m.mean_hr_bpm)} bpm")
        self.rmssd_tile.value.setText(fmt_number(m.rmssd_ms))
        signal = "" if verdict is None else f" · signal {verdict}"
        self.rmssd_tile.detail.setText(f"SDNN {fmt_number(m.sdnn_ms)} ms{signal}")
        self.rmssd_tile.set_muted(verdict == "poor")
        if quality is not None and quality.spectral_verdict == "poor":
            # Withheld: with this many beats left out, a rhythm cannot be measured.
            self.coh_tile.value.setText("–")
            self.coh_tile.detail.setText("signal too irregular to measure a rhythm")
        else:
            self.coh_tile.value.setText(fmt_number(m.coherence, 1))
            peak_hz = getattr(m, "coherence_peak_hz", None) or m.lf_peak_hz
            if peak_hz is not None:
                self.coh_tile.detail.setText(f"rhythm at {peak_hz * 60:.1f} /min")
        self.sparkline.show_series(coh_t, coh_v)

    def show_training(self, view: LiveTrainingView) -> None:
        """The zone (colour of the coherence tile), the level and the swing of the last breath."""
        self.coh_tile.set_accent(view.color)
        self.coh_tile.caption.setText(f"Coherence  ·  level {view.level}")
        self.coh_tile.unit.setText("" if view.zone is None else f"{view.zone} zone")
        if view.zone is None and not self.coh_tile.detail.text():
            # before the first value: say why there is no number and no colour yet
            self.coh_tile.detail.setText("zones start after about a minute of beats")
        self.coh_tile.setToolTip(view.zone_text)
        self.swing_tile.value.setText(fmt_number(view.swing_bpm, 1))
        self.swing_tile.detail.setText(view.swing_text)

    def show_clock(self, text: str, detail: str) -> None:
        self.time_tile.value.setText(text)
        self.time_tile.detail.setText(detail)
