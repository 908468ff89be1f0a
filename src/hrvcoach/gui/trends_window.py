"""The trends window: the history's pictures (the same as ``hrvcoach trends --png``) in pyqtgraph.

A dumb view: it is handed a :class:`hrvcoach.reports.Trends` and draws it; all the numbers are
computed in :mod:`hrvcoach.reports`. Plots share one date axis, so a session's RMSSD, coherence,
heart rate, pace and stress line up under each other, above the weekly minutes and the days
practised. Dark, in the practice window's palette.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hrvcoach.gui import theme
from hrvcoach.gui.capacity_panels import CapacityPanels
from hrvcoach.gui.screen import fit_to_screen
from hrvcoach.reports import HEAT, ROLLING_DAYS, Series, Trends, broken_line
from hrvcoach.reports.trends_figure import simulated_note
from hrvcoach.reports.trends_training import HIGH_ZONE

#: the calendar's shades on the dark ground: none, <10, <20, <30, 30+ minutes
DARK_HEAT = ("#263041", "#2c5a55", "#3f8a80", "#58b0a3", "#8fe0d2")
assert len(DARK_HEAT) == len(HEAT)

DAY_S = 86400.0
#: height of one stretch unit of the plots (a main panel has three, about 130 px with its title):
#: below that the panels scroll rather than shrink
ROW_UNIT_PX = 52


def _day_s(day: date) -> float:
    # Days are placed at local midnight, as the sessions are placed at their local wall-clock time.
    return datetime.combine(day, time()).timestamp()


def _session_s(trends: Trends) -> np.ndarray:
    return np.array([t.replace(tzinfo=None).timestamp() for t in trends.times], dtype=float)


class _Stat(QWidget):
    """A big number with a caption under it."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 0, 14, 0)
        layout.setSpacing(0)
        self.value = QLabel("-")
        self.value.setStyleSheet(f"color: {theme.BREATH}; font-size: 30px; font-weight: 600;")
        self.caption = QLabel(caption)
        self.caption.setProperty("role", "caption")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


#: the size the trends window is drawn for, fitted to the screen
PREFERRED_SIZE = (1100, 1300)


class TrendsWindow(QWidget):
    """The history over time: call :meth:`set_trends` with the numbers to show."""

    def __init__(self, trends: Trends | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("hrvcoach: practice history")
        self.setStyleSheet(theme.STYLE_SHEET)
        fit_to_screen(self, PREFERRED_SIZE)  # the date axis stays on a 768 px high screen
        pg.setConfigOptions(antialias=True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 14)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        title = QLabel("Practice history")
        title.setProperty("role", "summary-title")
        self.subtitle = QLabel("")
        self.subtitle.setProperty("role", "caption")
        titles.addWidget(title)
        titles.addWidget(self.subtitle)
        self.note = QLabel("")
        self.note.setProperty("role", "caption")
        titles.addWidget(self.note)
        top.addLayout(titles)
        top.addStretch(1)
        self.streak = _Stat("day streak")
        self.longest = _Stat("longest streak")
        self.week = _Stat("min this week")
        for stat in (self.streak, self.longest, self.week):
            top.addWidget(stat)
        outer.addLayout(top)

        # The panels scroll under the header: eleven of them squeezed into a laptop's 720 px
        # would leave each a sliver with no line to read.
        self.panels = QScrollArea()
        self.panels.setWidgetResizable(True)
        self.panels.setFrameShape(QFrame.Shape.NoFrame)
        self.panels.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("trends-body")
        body.setStyleSheet(f"#trends-body {{ background: {theme.BACKGROUND}; }}")
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)
        column.addWidget(self.graphics, 1)
        self.capacity = CapacityPanels()  # hidden until there are checks or drills to show
        column.addWidget(self.capacity, 0)
        self.panels.setWidget(body)
        outer.addWidget(self.panels, 1)

        self.plots: dict[str, pg.PlotItem] = {}
        specs = (
            ("rmssd", "RMSSD (ms)", "Heart rate variability"),
            ("coherence", "coherence", "Coherence"),
            ("high", "min in high zone", "Minutes in the high coherence zone"),
            ("swing", "swing (bpm)", "Heart-rate swing per breath"),
            ("level", "level", "Challenge level"),
            ("hr", "mean HR (bpm)", "Mean heart rate"),
            ("pace", "breaths/min", "Pace used"),
            ("stress", "stress 0-10", "Stress before → after (down is calmer)"),
            ("goal", "min/day", "Days the daily goal was met"),
            (
                "week",
                "min/week",
                f"Minutes per week; the line: minutes in the last {ROLLING_DAYS} days",
            ),
            ("calendar", "", "Days practised"),
        )
        self._headings = {key: heading for key, _, heading in specs}
        first: pg.PlotItem | None = None
        for row, (key, unit, heading) in enumerate(specs):
            plot = self.graphics.addPlot(
                row=row, col=0, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")}
            )
            plot.setTitle(heading, color=theme.TEXT, size="11pt", justify="left")
            plot.setLabel("left", unit, color=theme.MUTED)
            plot.showGrid(x=True, y=True, alpha=0.12)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(62)
            plot.getAxis("left").enableAutoSIPrefix(False)  # coherence 0.8, not 800 x0.001
            plot.enableAutoRange(axis="x", enable=False)  # the window's days, not the data's
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(theme.MUTED)
                plot.getAxis(axis).setPen(theme.FAINT)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            # every panel keeps its dates: scrolled, the calendar's axis may be out of sight
            self.plots[key] = plot
        self.graphics.ci.layout.setRowStretchFactor(list(self.plots).index("pace"), 1)
        stretches = (
            ("rmssd", 3),
            ("coherence", 3),
            ("high", 3),
            ("swing", 3),
            ("level", 2),
            ("hr", 3),
            ("stress", 2),
            ("goal", 2),
            ("week", 2),
        )
        for key, stretch in stretches:
            row = list(self.plots).index(key)
            self.graphics.ci.layout.setRowStretchFactor(row, stretch)
        units = sum(dict(stretches).values()) + len(self.plots) - len(stretches)
        self.graphics.setMinimumHeight(ROW_UNIT_PX * units)
        self.plots["calendar"].getAxis("left").setStyle(showValues=False)
        self.plots["calendar"].showGrid(x=False, y=False)
        if trends is not None:
            self.set_trends(trends)

    # -- drawing --------------------------------------------------------------------------------
    def set_trends(self, trends: Trends) -> None:
        """Show ``trends`` (replaces whatever was shown)."""
        for plot in self.plots.values():
            plot.clear()
        n = len(trends.sessions)
        self.subtitle.setText(
            f"{trends.first_day:%d %b %Y} – {trends.last_day:%d %b %Y}   ·   {n} session"
            f"{'s' * (n != 1)}   ·   {trends.total_minutes:.0f} min on {len(trends.days)} day"
            f"{'s' * (len(trends.days) != 1)}"
        )
        self.streak.value.setText(str(trends.streak_current_days))
        self.longest.value.setText(str(trends.streak_longest_days))
        self.week.value.setText(f"{trends.weeks[-1].minutes:.0f}" if trends.weeks else "0")
        self.note.setText(simulated_note(trends) or "")

        x = _session_s(trends)
        self._series("rmssd", trends, x, trends.rmssd, theme.BREATH, 1)
        self._series("coherence", trends, x, trends.coherence, theme.COHERENCE, 2)
        self._series("hr", trends, x, trends.mean_hr, theme.HEART, 0)
        self._series("high", trends, x, trends.minutes_in_high, HIGH_ZONE, 1)
        self._series("swing", trends, x, trends.swing, theme.HEART, 1)
        self._level(trends, x)
        self._goal(trends)
        pace = trends.pace.values
        ok = np.isfinite(pace)
        self.plots["pace"].addItem(
            pg.ScatterPlotItem(
                x[ok], pace[ok], symbol="s", size=8, brush=theme.BREATH, pen=pg.mkPen(None)
            )
        )
        found = [r for _, r in trends.assessments]
        if found:
            self.plots["pace"].addItem(
                pg.ScatterPlotItem(
                    [t.replace(tzinfo=None).timestamp() for t, _ in trends.assessments],
                    found,
                    symbol="star",
                    size=16,
                    brush=theme.COHERENCE,
                    pen=pg.mkPen(None),
                )
            )
            self.plots["pace"].setTitle(
                f"{self._headings['pace']}   <span style='color:{theme.COHERENCE}'>★ resonance "
                "found by an assessment</span>",
                color=theme.TEXT,
                size="11pt",
                justify="left",
            )
        if np.isfinite(trends.pace.rolling).sum() >= 2:
            line_x, line_y = broken_line(x, trends.pace.rolling, ROLLING_DAYS * DAY_S)
            self.plots["pace"].addItem(
                pg.PlotDataItem(
                    line_x, line_y, connect="finite", pen=pg.mkPen(theme.BREATH, width=2)
                )
            )
        rates = [*pace[ok], *found]
        self.plots["pace"].setYRange(
            min(5.0, min(rates) - 0.5) if rates else 4.0,
            max(7.0, max(rates) + 0.5) if rates else 8.0,
        )
        self._stress(trends, x)
        self._weeks(trends)
        self._calendar(trends)
        self.capacity.set_capacity(
            trends.capacity,
            x_range=(_day_s(trends.first_day) - DAY_S * 0.5, _day_s(trends.last_day) + DAY_S * 1.5),
        )
        if not self.capacity.isHidden():
            # room for the capacity panels, as far as the screen allows
            fit_to_screen(self, (self.width(), max(self.height(), 1300)))
        self.plots["rmssd"].setXRange(
            _day_s(trends.first_day) - DAY_S * 0.5, _day_s(trends.last_day) + DAY_S * 1.5, padding=0
        )

    def _series(
        self, key: str, trends: Trends, x: np.ndarray, series: Series, color: str, digits: int
    ) -> None:
        plot = self.plots[key]
        plot.setTitle(self._headings[key], color=theme.TEXT, size="11pt", justify="left")
        ok = np.isfinite(series.values)
        faded = QColor(color)
        faded.setAlpha(120)
        plot.addItem(
            pg.ScatterPlotItem(x[ok], series.values[ok], size=7, brush=faded, pen=pg.mkPen(None))
        )
        okr = np.isfinite(series.rolling)
        if okr.sum() >= 2:
            line_x, line_y = broken_line(x, series.rolling, ROLLING_DAYS * DAY_S)
            plot.addItem(
                pg.PlotDataItem(
                    line_x,
                    line_y,
                    connect="finite",
                    pen=pg.mkPen(color, width=2.6),
                    name=f"{ROLLING_DAYS}-day mean",
                )
            )
        if ok.any():
            lo, hi = float(np.nanmin(series.values)), float(np.nanmax(series.values))
            pad = max((hi - lo) * 0.15, abs(hi) * 0.05, 0.01)
            plot.setYRange(max(0.0, lo - pad), hi + pad, padding=0)
            plot.getAxis("left").setStyle(showValues=True)
            latest = series.rolling[okr][-1] if okr.any() else series.values[ok][-1]
            unit = series.name.partition("(")[2].rstrip(")")
            plot.setTitle(
                f"{self._headings[key]}   <b style='color:{color}'>{latest:.{digits}f} {unit}</b>"
                f" <span style='color:{theme.MUTED}'>({ROLLING_DAYS}-day mean)</span>",
                color=theme.TEXT,
                size="11pt",
                justify="left",
            )
        else:
            text = pg.TextItem("no sessions yet", color=theme.MUTED, anchor=(0.5, 0.5))
            plot.addItem(text)
            middle = trends.first_day + (trends.last_day - trends.first_day) / 2
            text.setPos(_day_s(middle), 0.5)
            plot.getAxis("left").setStyle(showValues=False)
            plot.setYRange(0, 1)

    def _level(self, trends: Trends, x: np.ndarray) -> None:
        plot = self.plots["level"]
        values = trends.level.values
        ok = np.isfinite(values)
        plot.setYRange(0.5, 4.5, padding=0)
        if ok.any():
            xs, ys = x[ok], values[ok]
            # a step: each session's level holds until the next session
            plot.addItem(
                pg.PlotDataItem(
                    np.append(xs, xs[-1] + DAY_S * 0.5),
                    ys,
                    stepMode="center",
                    pen=pg.mkPen(theme.COHERENCE, width=2),
                )
            )
            plot.addItem(
                pg.ScatterPlotItem(xs, ys, size=7, brush=theme.COHERENCE, pen=pg.mkPen(None))
            )
            plot.setTitle(
                f"{self._headings['level']}   <b style='color:{theme.COHERENCE}'>level "
                f"{int(ys[-1])}</b>",
                color=theme.TEXT,
                size="11pt",
                justify="left",
            )

    def _goal(self, trends: Trends) -> None:
        plot = self.plots["goal"]
        days = [d for d in trends.goal_days if d[1] > 0]
        top = max([trends.goal_minutes, *(m for _, m, _ in days)]) * 1.25
        if days:
            soft = QColor(theme.BREATH)
            soft.setAlpha(90)
            plot.addItem(
                pg.BarGraphItem(
                    x=[_day_s(d) + DAY_S * 0.5 for d, _, _ in days],
                    height=[m for _, m, _ in days],
                    width=DAY_S * 0.86,
                    brushes=[pg.mkBrush(theme.BREATH if met else soft) for _, _, met in days],
                    pen=pg.mkPen(theme.BREATH),
                )
            )
        goal_line = pg.InfiniteLine(
            pos=trends.goal_minutes,
            angle=0,
            pen=pg.mkPen(theme.MUTED, width=1, style=Qt.PenStyle.DashLine),
        )
        plot.addItem(goal_line)
        plot.setYRange(0, top, padding=0)
        plot.setTitle(
            f"{self._headings['goal']} ({trends.goal_minutes:g} min)   <b style='color:"
            f"{theme.BREATH}'>{trends.goal_days_met} of {len(trends.goal_days)} days</b>",
            color=theme.TEXT,
            size="11pt",
            justify="left",
        )

    def _stress(self, trends: Trends, x: np.ndarray) -> None:
        plot = self.plots["stress"]
        plot.setYRange(-0.5, 10.5, padding=0)
        # The 7-day means before (dashed) and after (solid): the gap between them is the change.
        if np.isfinite(trends.stress_after_rolling).sum() >= 2:
            for values, style in (
                (trends.stress_before_rolling, Qt.PenStyle.DashLine),
                (trends.stress_after_rolling, Qt.PenStyle.SolidLine),
            ):
                line_x, line_y = broken_line(x, values, ROLLING_DAYS * DAY_S)
                plot.addItem(
                    pg.PlotDataItem(
                        line_x,
                        line_y,
                        connect="finite",
                        pen=pg.mkPen(theme.MUTED, width=1.6, style=style),
                    )
                )
        for xi, b, a in zip(x, trends.stress_before, trends.stress_after, strict=True):
            if math.isfinite(b) and math.isfinite(a):
                color = theme.GOOD if a < b else theme.BAD if a > b else theme.MUTED
                plot.addItem(pg.PlotDataItem([xi, xi], [b, a], pen=pg.mkPen(color, width=2)))
                plot.addItem(
                    pg.ScatterPlotItem(
                        [xi], [b], size=7, brush=theme.BACKGROUND, pen=pg.mkPen(color, width=1.5)
                    )
                )
                plot.addItem(
                    pg.ScatterPlotItem(
                        [xi],
                        [a],
                        size=9,
                        symbol="t" if a < b else "t1",
                        brush=color,
                        pen=pg.mkPen(None),
                    )
                )
            elif math.isfinite(b) or math.isfinite(a):
                y = b if math.isfinite(b) else a
                plot.addItem(
                    pg.ScatterPlotItem(
                        [xi], [y], size=7, brush=theme.BACKGROUND, pen=pg.mkPen(theme.MUTED)
                    )
                )

    def _weeks(self, trends: Trends) -> None:
        plot = self.plots["week"]
        xs = np.array([_day_s(w.week_start) + DAY_S * 3.5 for w in trends.weeks], dtype=float)
        heights = np.array([w.minutes for w in trends.weeks], dtype=float)
        soft = QColor(theme.BREATH)
        soft.setAlpha(90)
        plot.addItem(
            pg.BarGraphItem(
                x=xs, height=heights, width=DAY_S * 6.6, brush=soft, pen=pg.mkPen(theme.BREATH)
            )
        )
        rolling = np.array([m for _, m in trends.minutes_7d], dtype=float)
        if rolling.size:
            plot.addItem(
                pg.PlotDataItem(
                    [_day_s(d) + DAY_S * 0.5 for d, _ in trends.minutes_7d],
                    rolling,
                    pen=pg.mkPen(theme.BREATH, width=1.8),
                )
            )
        top = max(10.0, *heights.tolist(), *rolling.tolist())
        plot.setYRange(0, top * 1.2)

    def _calendar(self, trends: Trends) -> None:
        plot = self.plots["calendar"]
        by_day = {d.day: d.minutes for d in trends.days}
        days = [
            date.fromordinal(o)
            for o in range(trends.first_day.toordinal(), trends.last_day.toordinal() + 1)
        ]
        brushes = []
        for day in days:
            minutes = by_day.get(day, 0.0)
            level = 0 if minutes <= 0 else min(4, 1 + int(minutes // 10))
            brushes.append(pg.mkBrush(DARK_HEAT[level]))
        xs = np.array([_day_s(d) + DAY_S * 0.5 for d in days], dtype=float)
        plot.addItem(
            pg.BarGraphItem(
                x=xs, height=1.0, width=DAY_S * 0.86, brushes=brushes, pen=pg.mkPen(None)
            )
        )
        plot.setYRange(0, 1, padding=0.05)


def show_trends_window(trends: Trends, *, screenshot: Path | None = None) -> None:
    """Open the trends window and run Qt until it is closed.

    Args:
        trends: What to show.
        screenshot: Save a picture of the window here and close it at once (for documentation and
            tests; works on the offscreen platform).
    """
    app = QApplication.instance() or QApplication([])
    window = TrendsWindow(trends)
    window.show()
    if screenshot is not None:
        app.processEvents()
        window.grab().save(str(screenshot))
        window.close()
        return
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    app.exec()
