"""The guided resonance assessment in the window: which step, its settle period, progress, result.

Everything shown here is worked out from the protocol's plan (:class:`hrvcoach.assess.
AssessmentStep`) and session time with :func:`hrvcoach.assess.progress_at`, or received at the
end as an :class:`hrvcoach.assess.AssessmentOutcome` scored on the session thread. The widgets
only draw what they are given: :class:`GuideView` and :class:`ProtocolBarView` are plain values
made by the pure :func:`guide_view`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
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
from hrvcoach.protocols.capacity import CapacityOutcome, phase_guide
from hrvcoach.protocols.phases import Phase
from hrvcoach.protocols.resonance import AssessmentOutcome, AssessmentStep, progress_at

#: in the last seconds of a step, the note says what comes next, so the change is no surprise
ANNOUNCE_NEXT_S = 10.0
#: the bar's fill moves in steps this fine (a repaint only when it changes)
BAR_RESOLUTION = 1000

CONFIDENCE_WORDS = {"clear": "a clear winner", "close": "a close call", "none": "no clear winner"}


def _clock(t_s: float) -> str:
    total = max(0, math.ceil(t_s - 1e-6))
    return f"{total // 60}:{total % 60:02d}"


@dataclass(frozen=True, slots=True)
class ProtocolBarView:
    """The protocol as a row of segments, one per rate.

    Attributes:
        labels: Each step's rate, as shown ("6.5").
        settle_fractions: Each step's settle period as a fraction of the step.
        current: Index of the step under way (``-1`` before, ``len(labels)`` after the last).
        fraction: How far through the current step (0..1, in :data:`BAR_RESOLUTION` steps).
    """

    labels: tuple[str, ...]
    settle_fractions: tuple[float, ...]
    current: int
    fraction: float


@dataclass(frozen=True, slots=True)
class GuideView:
    """The words and the bar of the guide at one moment."""

    title: str
    note: str
    overall: str
    settling: bool
    bar: ProtocolBarView


def guide_view(steps: Sequence[AssessmentStep], t_s: float, *, paused: bool = False) -> GuideView:
    """What the guide shows at session time ``t_s`` (pure: the tests call it with any time).

    A capacity protocol's phases (:class:`hrvcoach.protocols.phases.Phase`) get their own words
    (:func:`capacity_view`).
    """
    plan = tuple(steps)
    if plan and isinstance(plan[0], Phase):
        return capacity_view(plan, t_s, paused=paused)  # type: ignore[arg-type]
    progress = progress_at(plan, t_s)
    n = len(plan)
    total_s = plan[-1].end_s - plan[0].start_s if plan else 0.0
    labels = tuple(f"{s.rate_bpm:.1f}" for s in plan)
    settles = tuple(s.settle_s / s.duration_s if s.duration_s > 0 else 0.0 for s in plan)
    step = progress.step
    fraction = 0.0
    if step is not None and step.duration_s > 0:
        done_s = step.duration_s - progress.step_left_s
        fraction = math.floor(BAR_RESOLUTION * done_s / step.duration_s) / BAR_RESOLUTION
    bar = ProtocolBarView(labels, settles, progress.index, fraction)
    overall = (
        f"{progress.steps_done} of {n} done  ·  {_clock(progress.total_left_s)} left "
        f"of {_clock(total_s)}"
    )
    if progress.done:
        return GuideView(
            f"All {n} steps done", "Scoring each rate…", f"{n} of {n} done", False, bar
        )
    if step is None:
        first = plan[0]
        return GuideView(
            f"{n} rates, {_clock(first.duration_s)} each",
            f"First: {first.rate_bpm:.1f} breaths/min. Breathe with the circle, gently.",
            overall,
            False,
            bar,
        )
    title = f"Step {step.index + 1} of {n}  ·  {step.rate_bpm:.1f} breaths/min"
    following = plan[step.index + 1] if step.index + 1 < n else None
    if paused:
        note = "Paused  ·  the step's time goes on; resume soon for a clean score"
    elif progress.settling:
        note = (
            f"Settling in — not scored yet  ·  scoring starts in {_clock(progress.settle_left_s)}"
        )
    elif following is not None and progress.step_left_s <= ANNOUNCE_NEXT_S:
        note = (
            f"Scoring  ·  next: {following.rate_bpm:.1f} breaths/min in "
            f"{_clock(progress.step_left_s)}"
        )
    else:
        note = f"Scoring  ·  {_clock(progress.step_left_s)} left in this step"
    return GuideView(title, note, overall, progress.settling, bar)


def natural_at(plan: Sequence[object], t_s: float) -> bool:
    """Whether the protocol's phase at ``t_s`` is breathed at one's own rate (no pacer)."""
    phases = tuple(p for p in plan if isinstance(p, Phase))
    if not phases:
        return False
    step = progress_at(phases, t_s).step
    return step is not None and step.pace_bpm is None


def capacity_view(phases: Sequence[Phase], t_s: float, *, paused: bool = False) -> GuideView:
    """The guide of a capacity protocol: the phase, what to do now and its countdown.

    A serial-7 task is the title itself, large, so it can be read mid-task; the phase and its
    countdown go to the note then.
    """
    plan = tuple(phases)
    guide = phase_guide(plan, t_s, paused=paused)
    labels = tuple(p.name.capitalize() for p in plan)
    settles = tuple(p.settle_s / p.duration_s if p.duration_s > 0 else 0.0 for p in plan)
    fraction = math.floor(BAR_RESOLUTION * guide.fraction) / BAR_RESOLUTION
    bar = ProtocolBarView(labels, settles, guide.index, fraction)
    total_s = plan[-1].end_s - plan[0].start_s if plan else 0.0
    left_s = max(0.0, plan[-1].end_s - t_s) if plan else 0.0
    overall = f"{_clock(left_s)} left of {_clock(total_s)}"
    if guide.done or guide.index < 0:
        return GuideView(guide.title, guide.instruction, overall, False, bar)
    countdown = f"{_clock(guide.countdown_s)} left"
    tail = f"  ·  {guide.next_text}" if guide.next_text else ""
    if guide.task:
        note = f"{guide.title}  ·  {countdown}  ·  {guide.instruction}{tail}"
        return GuideView(guide.task, note, overall, guide.settling, bar)
    title = f"{guide.title}  ·  {countdown}"
    return GuideView(title, guide.instruction + tail, overall, guide.settling, bar)


class ProtocolBar(QWidget):
    """Paints a :class:`ProtocolBarView`: done steps filled, the current one filling, the rest
    outlined; a faint tick marks where each step's scoring begins."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(28)
        self.setMinimumWidth(200)
        self._view = ProtocolBarView((), (), -1, 0.0)
        self._fill = QColor(theme.BREATH)
        self._edge = QColor(theme.PANEL_EDGE)
        self._text = QColor(theme.TEXT)
        self._muted = QColor(theme.MUTED)
        self._font = QFont()
        self._font.setPixelSize(13)

    @property
    def view(self) -> ProtocolBarView:
        return self._view

    def show_bar(self, view: ProtocolBarView) -> None:
        if view != self._view:
            self._view = view
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        view = self._view
        n = len(view.labels)
        if n == 0:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setFont(self._font)
        gap = 6.0
        w = (self.width() - gap * (n - 1)) / n
        h = self.height() - 2.0
        for i, label in enumerate(view.labels):
            box = QRectF(i * (w + gap), 1.0, w, h)
            done = i < view.current
            current = i == view.current
            p.setPen(QPen(self._fill if current else self._edge, 1.2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(box, 6, 6)
            filled = 1.0 if done else view.fraction if current else 0.0
            if filled > 0:
                color = QColor(self._fill)
                color.setAlphaF(0.42 if done else 0.55)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawRoundedRect(QRectF(box.x(), box.y(), box.width() * filled, h), 6, 6)
            settle = view.settle_fractions[i] if i < len(view.settle_fractions) else 0.0
            if settle > 0 and not done:
                x = box.x() + box.width() * settle
                p.setPen(QPen(self._muted, 1.0, Qt.PenStyle.DotLine))
                p.drawLine(QPointF(x, box.y() + 4), QPointF(x, box.bottom() - 4))
            p.setPen(self._text if (current or done) else self._muted)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, ("✓ " if done else "") + label)
        p.end()


class GuidePanel(QFrame):
    """The strip above the pacer during an assessment: the step, its note, the protocol bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.title = QLabel("")
        self.title.setProperty("role", "guide-title")
        self.note = QLabel("")
        self.note.setProperty("role", "guide-note")
        self.note.setWordWrap(True)  # a phase's instruction wraps rather than widen the window
        self.bar = ProtocolBar()
        self.overall = QLabel("")
        self.overall.setProperty("role", "caption")
        self.overall.setAlignment(Qt.AlignmentFlag.AlignRight)
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(self.title)
        left.addWidget(self.note)
        right = QVBoxLayout()
        right.setSpacing(4)
        right.addWidget(self.bar)
        right.addWidget(self.overall)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(20)
        row.addLayout(left, 5)
        row.addLayout(right, 4)
        self._view: GuideView | None = None

    def show_guide(self, view: GuideView) -> None:
        if view == self._view:
            return
        old = self._view
        self._view = view
        if old is None or old.title != view.title:
            self.title.setText(view.title)
        if old is None or old.note != view.note or old.settling != view.settling:
            self.note.setText(view.note)
            color = theme.WARN if view.settling else theme.MUTED
            self.note.setStyleSheet(f"color: {color};")
        if old is None or old.overall != view.overall:
            self.overall.setText(view.overall)
        self.bar.show_bar(view.bar)


# -- the result ---------------------------------------------------------------------------------
def _num(value: float | None, spec: str) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return format(value, spec)


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One rate of the result table, as text."""

    rate: str
    cells: tuple[str, ...]
    score: float
    chosen: bool
    note: str


@dataclass(frozen=True, slots=True)
class ResultView:
    """The result page as words (pure: made by :func:`result_view`)."""

    headline: str
    confidence: str
    reason: str
    pace_note: str
    pace_changed: bool
    rows: tuple[ResultRow, ...]
    footer: str


COLUMNS = (
    ("Rate", "/min"),
    ("Peak–trough", "bpm"),
    ("LF power", "ms²"),
    ("LF peak", "/min"),
    ("Phase", "HR vs breath"),
    ("Coherence", ""),
    ("Score", ""),
)


def result_view(outcome: AssessmentOutcome) -> ResultView:
    """The words of the result page for an assessment outcome."""
    footer = f"Recorded to {outcome.recording}" if outcome.recording else ""
    if isinstance(outcome, CapacityOutcome):
        if outcome.problem:
            return ResultView(
                "The reading could not be scored", "", outcome.problem, "", False, (), ""
            )
        return ResultView(outcome.headline, "", "\n".join(outcome.lines), "", False, (), footer)
    result = outcome.result
    if result is None:
        return ResultView(
            "The assessment could not be scored",
            "",
            outcome.problem or "Too little of the protocol was completed.",
            "Your default pace is unchanged.",
            False,
            (),
            footer,
        )
    if result.resonance_bpm is not None:
        whose = "Simulated" if outcome.simulated else "Your"
        headline = f"{whose} resonance rate: {result.resonance_bpm:.1f} breaths/min"
    else:
        headline = "No clear resonance rate"
    confidence = CONFIDENCE_WORDS.get(result.confidence, result.confidence)
    if result.confidence == "close" and result.runner_up_bpm is not None:
        confidence += f" with {result.runner_up_bpm:.1f}"
    rows = []
    for step, score in zip(result.steps, result.scores, strict=True):
        chosen = result.resonance_bpm is not None and step.rate_bpm == result.resonance_bpm
        if not step.usable:
            rows.append(ResultRow(f"{step.rate_bpm:.1f}", (), 0.0, False, step.note))
            continue
        peak = _num(step.lf_peak_bpm, ".1f") + ("" if step.follows_pacer else " (off)")
        phase = "–" if step.phase_deg is None else f"{step.phase_deg:+.0f}°"
        cells = (
            _num(step.peak_trough_bpm, ".1f"),
            _num(step.lf_ms2, ".0f"),
            peak,
            phase,
            _num(step.coherence, ".2f"),
            f"{score:.2f}",
        )
        rows.append(ResultRow(f"{step.rate_bpm:.1f}", cells, score, chosen, step.note))
    return ResultView(
        headline,
        confidence[0].upper() + confidence[1:],
        result.reason,
        outcome.pace_note,
        outcome.pace_note.startswith("Practice now paces"),
        tuple(rows),
        footer,
    )


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


class ScoreBar(QWidget):
    """A small horizontal bar for a 0..1 score."""

    def __init__(self, score: float, *, chosen: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(72, 10)
        self._score = max(0.0, min(1.0, score))
        self._color = QColor(theme.BREATH if chosen else theme.MUTED)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(theme.PANEL_EDGE))
        p.drawRoundedRect(QRectF(0, 0, self.width(), self.height()), 4, 4)
        if self._score > 0:
            p.setBrush(self._color)
            p.drawRoundedRect(QRectF(0, 0, self.width() * self._score, self.height()), 4, 4)
        p.end()


class ResultPage(QWidget):
    """The end of a guided assessment: the chosen rate, why, the default pace, and the table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(8)
        self.headline = QLabel("")
        self.headline.setProperty("role", "summary-title")
        self.headline.setWordWrap(True)  # a drill's headline is a sentence: it wraps, not widens
        self.confidence = QLabel("")
        self.confidence.setProperty("role", "guide-note")
        head = QHBoxLayout()
        head.setSpacing(16)
        head.addWidget(self.headline)
        head.addWidget(self.confidence, 0, Qt.AlignmentFlag.AlignBaseline)
        head.addStretch(1)
        lay.addLayout(head)
        self.reason = QLabel("")
        self.reason.setWordWrap(True)
        self.pace_note = QLabel("")
        self.pace_note.setWordWrap(True)
        lay.addWidget(self.reason)
        lay.addWidget(self.pace_note)
        self.table_frame = QFrame()
        self.table_frame.setObjectName("panel")
        self.table = QGridLayout(self.table_frame)
        self.table.setContentsMargins(16, 8, 16, 8)
        self.table.setHorizontalSpacing(18)
        self.table.setVerticalSpacing(5)
        lay.addWidget(self.table_frame)
        self.footer = QLabel("")
        self.footer.setProperty("role", "caption")
        self.footer.setWordWrap(True)
        chart_caption = QLabel("Heart-rate swing (peak to trough, bpm) at each rate")
        chart_caption.setProperty("role", "caption")
        lay.addWidget(chart_caption)
        self.chart = pg.PlotWidget(background=theme.BACKGROUND)
        self.chart.setMinimumHeight(110)
        item = self.chart.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        item.hideAxis("left")
        bottom = item.getAxis("bottom")
        bottom.setPen(pg.mkPen(theme.PANEL_EDGE))
        bottom.setTextPen(pg.mkPen(theme.MUTED))
        lay.addWidget(self.chart, 1)
        self.chart_caption = chart_caption
        lay.addWidget(self.footer)
        # without the table and the chart (a capacity protocol's page), the words stay together
        # at the top instead of spreading over the page
        lay.addStretch(0)
        self.cells: list[list[QLabel]] = []
        self._view: ResultView | None = None

    @property
    def view(self) -> ResultView | None:
        return self._view

    def show_result(self, view: ResultView) -> None:
        self._view = view
        self.headline.setText(view.headline)
        self.confidence.setText(view.confidence)
        self.confidence.setVisible(bool(view.confidence))
        self.reason.setText(view.reason)
        self.pace_note.setText(view.pace_note)
        color = theme.GOOD if view.pace_changed else theme.MUTED
        self.pace_note.setStyleSheet(f"color: {color};")
        self.footer.setText(view.footer)
        self.table_frame.setVisible(bool(view.rows))
        self._fill_table(view.rows)

    def _fill_table(self, rows: Sequence[ResultRow]) -> None:
        while self.table.count():
            item = self.table.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cells = []
        for col, (name, unit) in enumerate(COLUMNS):
            head = QLabel(f"{name}<br><span style='color:{theme.FAINT}'>{unit}</span>")
            head.setProperty("role", "caption")
            head.setAlignment(
                Qt.AlignmentFlag.AlignLeft if col == 0 else Qt.AlignmentFlag.AlignRight
            )
            self.table.addWidget(head, 0, col)
        for r, row in enumerate(rows, start=1):
            color = theme.BREATH if row.chosen else theme.TEXT
            weight = "font-weight: 600;" if row.chosen else ""
            rate = QLabel(("● " if row.chosen else "   ") + row.rate)
            rate.setStyleSheet(f"color: {color}; font-size: 16px; {weight}")
            self.table.addWidget(rate, r, 0)
            labels = [rate]
            if not row.cells:
                why = QLabel(f"not scored: {row.note}")
                why.setProperty("role", "caption")
                self.table.addWidget(why, r, 1, 1, len(COLUMNS) - 1)
                labels.append(why)
                self.cells.append(labels)
                continue
            for col, text in enumerate(row.cells, start=1):
                cell = QLabel(text)
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cell.setStyleSheet(f"color: {color}; font-size: 16px; {weight}")
                labels.append(cell)
                if col == len(row.cells):  # the score: its number and a bar
                    box = QWidget()
                    box_row = QHBoxLayout(box)
                    box_row.setContentsMargins(0, 0, 0, 0)
                    box_row.setSpacing(8)
                    box_row.addWidget(ScoreBar(row.score, chosen=row.chosen))
                    box_row.addWidget(cell)
                    self.table.addWidget(box, r, col)
                else:
                    self.table.addWidget(cell, r, col)
            self.cells.append(labels)
        for col in range(len(COLUMNS)):
            self.table.setColumnStretch(col, 1)
        self._show_bars(rows)

    def _show_bars(self, rows: Sequence[ResultRow]) -> None:
        scored = [(i, row) for i, row in enumerate(rows) if row.cells]
        self.chart.clear()
        self.chart.setVisible(bool(scored))
        self.chart_caption.setVisible(bool(scored))
        if not scored:
            return
        swings = [_float(row.cells[0]) for _, row in scored]
        xs = list(range(len(scored)))
        # soft fills: the chosen rate stands out by colour, not by glare
        brushes = [
            pg.mkBrush(*theme.BREATH_BAR) if row.chosen else pg.mkBrush(theme.FAINT)
            for _, row in scored
        ]
        bars = pg.BarGraphItem(
            x=xs, height=swings, width=0.5, brushes=brushes, pens=[pg.mkPen(None)] * len(xs)
        )
        self.chart.addItem(bars)
        for x, value, (_, row) in zip(xs, swings, scored, strict=True):
            label = pg.TextItem(
                row.cells[0], color=theme.BREATH if row.chosen else theme.TEXT, anchor=(0.5, 1.1)
            )
            label.setPos(x, value)
            self.chart.addItem(label)
        axis = self.chart.getPlotItem().getAxis("bottom")
        axis.setTicks([[(x, f"{row.rate} /min") for x, (_, row) in zip(xs, scored, strict=True)]])
        top = max(swings) if swings else 1.0
        self.chart.setYRange(0.0, top * 1.25 if top > 0 else 1.0, padding=0)
        self.chart.setXRange(-0.6, len(xs) - 0.4, padding=0)
