"""The person's own breath against the pacer's, and an optional ECG strip.

Shown under the heart-rate plot once a strap (or the simulator) streams chest motion or ECG. The
breath plot draws the last minute of the measured breath (solid) over the pacer's curve (dashed),
both scaled to the same height, with one line of words: how closely the breath follows the pacer
and at what rate. The ECG strip (the last five seconds) is off until the person asks for it:
calm first; in calm mode the whole panel waits. A dumb view: it draws the
:class:`~hrvcoach.breathing.view.SignalsView` it is given.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from hrvcoach.breathing.view import BREATH_WINDOW_S, ECG_WINDOW_S, SignalsView
from hrvcoach.gui import theme


def _quiet_plot(height: int) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=theme.BACKGROUND)
    plot.setFixedHeight(height)
    pi = plot.getPlotItem()
    pi.hideButtons()
    pi.setMenuEnabled(False)
    pi.setMouseEnabled(x=False, y=False)
    for name in ("left", "bottom"):
        ax = pi.getAxis(name)
        ax.setPen(pg.mkPen(theme.PANEL_EDGE))
        ax.setTextPen(pg.mkPen(theme.MUTED))
    pi.getAxis("left").setWidth(52)
    pi.getAxis("left").setTicks([[]])
    return plot


def follow_words(view: SignalsView) -> str:
    """The line above the breath plot, in plain, encouraging words."""
    parts = []
    if view.follow_pct is not None:
        parts.append(f"breath follows pacer {view.follow_pct:.0f} %")
    else:
        parts.append("finding your breath…")
    if view.rate_bpm is not None:
        parts.append(f"{view.rate_bpm:.1f} breaths/min")
    return "Your breath · " + " · ".join(parts)


class SignalsPanel(QWidget):
    """The measured breath and the ECG toggle (hidden until a view with data arrives)."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        self.follow_label = QLabel("Your breath")
        self.follow_label.setProperty("role", "caption")
        self.ecg_check = QCheckBox("ECG")
        self.ecg_check.setChecked(False)  # calm first: the strip is there when asked for
        self.ecg_check.setToolTip("Show the last seconds of the strap's ECG")
        self.ecg_check.toggled.connect(self._ecg_toggled)
        row.addWidget(self.follow_label)
        row.addStretch(1)
        row.addWidget(self.ecg_check)
        layout.addLayout(row)

        self.breath_plot = _quiet_plot(90)
        bpi = self.breath_plot.getPlotItem()
        bpi.setXRange(-BREATH_WINDOW_S, 0.0, padding=0)
        bpi.setYRange(-1.1, 1.1, padding=0)
        self.pacer_curve = pg.PlotDataItem(
            pen=pg.mkPen(theme.BREATH, width=1, style=Qt.PenStyle.DashLine), antialias=True
        )
        self.breath_curve = pg.PlotDataItem(pen=pg.mkPen(theme.BREATH, width=2.2), antialias=True)
        bpi.addItem(self.pacer_curve)
        bpi.addItem(self.breath_curve)
        layout.addWidget(self.breath_plot)

        self.ecg_plot = _quiet_plot(80)
        self.ecg_plot.getPlotItem().setXRange(-ECG_WINDOW_S, 0.0, padding=0)
        self.ecg_curve = pg.PlotDataItem(pen=pg.mkPen(theme.HEART, width=1.2), antialias=True)
        self.ecg_plot.getPlotItem().addItem(self.ecg_curve)
        self.ecg_plot.setVisible(False)
        layout.addWidget(self.ecg_plot)
        self.setVisible(False)
        self._has_ecg = False
        self._shown: SignalsView | None = None
        self._suppressed = False

    def set_suppressed(self, on: bool) -> None:
        """Hide the panel while the window wants calm (or the room for something else)."""
        self._suppressed = on
        if on:
            self.setVisible(False)
        self._shown = None  # shown again with the next view, if any

    def _ecg_toggled(self, on: bool) -> None:
        self.ecg_plot.setVisible(on and self._has_ecg)
        self._shown = None  # draw the strip at the next frame

    def show_view(self, view: SignalsView | None) -> None:
        """Draw ``view`` (``None``: nothing has arrived; the panel stays hidden)."""
        if self._suppressed or view is None or view is self._shown:
            return
        if not (view.has_breath or view.has_ecg):
            return
        self._shown = view
        if not self.isVisible():
            self.setVisible(True)
        self.breath_plot.setVisible(view.has_breath)
        self.follow_label.setText(follow_words(view) if view.has_breath else "ECG")
        if view.has_breath:
            end = view.breath_t[-1]
            xs = [t - end for t in view.breath_t]
            self.breath_curve.setData(xs, list(view.breath))
            self.pacer_curve.setData(xs, list(view.pacer))
        self._has_ecg = view.has_ecg
        self.ecg_check.setVisible(view.has_ecg)
        self.ecg_plot.setVisible(self.ecg_check.isChecked() and view.has_ecg)
        if view.has_ecg and self.ecg_check.isChecked():
            end = view.ecg_t[-1]
            self.ecg_curve.setData([t - end for t in view.ecg_t], list(view.ecg_uv))
