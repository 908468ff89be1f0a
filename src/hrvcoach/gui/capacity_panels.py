"""The capacity panels of the trends window: resting ln RMSSD with its baseline band, the
deep-breathing HR difference, the recovery's tau and HRR60, in a two-by-two grid.

A dumb view: it is handed :class:`hrvcoach.protocols.history.CapacityTrends` and draws it; the
numbers are the ones the PNG and the HTML page show (:mod:`hrvcoach.reports.capacity`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hrvcoach.gui import theme
from hrvcoach.protocols.history import CapacitySeries, CapacityTrends

PANELS = (
    ("Resting ln RMSSD, baseline and usual range", theme.BREATH, 2),
    ("Deep-breathing HR difference", theme.COHERENCE, 1),
    ("Recovery tau (shorter: quicker)", theme.BREATH, 0),
    ("Recovery HRR60 (larger: quicker)", theme.HEART, 0),
)


def _seconds(series: CapacitySeries) -> np.ndarray:
    return np.array([t.replace(tzinfo=None).timestamp() for t in series.times], dtype=float)


class CapacityPanels(QWidget):
    """Four small plots of capacity over time; hidden while there is nothing to show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.title = QLabel("Capacity: your own checks and drills over time")
        self.title.setProperty("role", "caption")
        layout.addWidget(self.title)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)
        self.graphics.setMinimumHeight(300)
        layout.addWidget(self.graphics, 1)
        self.plots: list[pg.PlotItem] = []
        for i, (heading, _, _) in enumerate(PANELS):
            plot = self.graphics.addPlot(
                row=i // 2, col=i % 2, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")}
            )
            plot.setTitle(heading, color=theme.TEXT, size="10pt", justify="left")
            plot.showGrid(x=True, y=True, alpha=0.12)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").enableAutoSIPrefix(False)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(theme.MUTED)
                plot.getAxis(axis).setPen(theme.FAINT)
            self.plots.append(plot)
        self._x_range: tuple[float, float] | None = None
        self.setVisible(False)

    def set_capacity(
        self, capacity: CapacityTrends | None, *, x_range: tuple[float, float] | None = None
    ) -> None:
        """Show ``capacity`` (hidden when ``None`` or empty), on the time axis ``x_range``
        (epoch seconds; default: each panel's own readings)."""
        self._x_range = x_range
        for plot in self.plots:
            plot.clear()
        if capacity is None or capacity.empty:
            self.setVisible(False)
            return
        self.setVisible(True)
        for plot, series, (heading, color, digits) in zip(
            self.plots, capacity.panels(), PANELS, strict=True
        ):
            self._panel(plot, series, heading, color, digits)

    def _panel(
        self, plot: pg.PlotItem, series: CapacitySeries, heading: str, color: str, digits: int
    ) -> None:
        if series.empty:
            plot.setTitle(
                f"{heading}   <span style='color:{theme.MUTED}'>no readings yet</span>",
                color=theme.TEXT,
                size="10pt",
                justify="left",
            )
            return
        x = _seconds(series)
        y = np.asarray(series.values, dtype=float)
        if series.band_low:
            low, high, base = series.band_arrays()
            banded = np.isfinite(low) & np.isfinite(high)
            if banded.sum() >= 2:
                soft = QColor(color)
                soft.setAlpha(50)
                lower = pg.PlotDataItem(x[banded], low[banded], pen=pg.mkPen(None))
                upper = pg.PlotDataItem(x[banded], high[banded], pen=pg.mkPen(None))
                plot.addItem(lower)
                plot.addItem(upper)
                plot.addItem(pg.FillBetweenItem(lower, upper, brush=soft))
            if np.isfinite(base).sum() >= 2:
                plot.addItem(
                    pg.PlotDataItem(x, base, connect="finite", pen=pg.mkPen(color, width=2.4))
                )
        faded = QColor(color)
        faded.setAlpha(170)
        plot.addItem(pg.ScatterPlotItem(x, y, size=8, brush=faded, pen=pg.mkPen(None)))
        plot.setTitle(
            f"{heading}   <b style='color:{color}'>{y[-1]:.{digits}f} {series.unit}</b>",
            color=theme.TEXT,
            size="10pt",
            justify="left",
        )
        lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
        pad = max((hi - lo) * 0.2, abs(hi) * 0.05, 10.0 ** (-digits))
        plot.setYRange(lo - pad, hi + pad, padding=0)
        lo_x, hi_x = self._x_range or (float(x.min()) - 43200.0, float(x.max()) + 43200.0)
        plot.setXRange(lo_x, hi_x, padding=0)
