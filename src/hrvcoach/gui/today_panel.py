"""The Today panel, shown before Start: the day's goal as a ring, the streak, the level, the
planned session and the latest resting check. It shows a
:class:`~hrvcoach.gui.training_view.TodayView`."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from hrvcoach.gui import theme
from hrvcoach.gui.training_view import TodayView


class GoalRing(QWidget):
    """A ring that fills as the day's minutes reach the goal, with the minutes in the middle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(96, 96)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._fraction = 0.0
        self._text = ""

    @property
    def fraction(self) -> float:
        return self._fraction

    def show_goal(self, fraction: float, text: str) -> None:
        if (fraction, text) != (self._fraction, self._text):
            self._fraction, self._text = fraction, text
            self.update()

    def sizeHint(self):  # type: ignore[no-untyped-def]
        hint = super().sizeHint()
        hint.setWidth(150)
        hint.setHeight(150)
        return hint

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        side = min(self.width(), self.height())
        pen_w = max(6.0, side * 0.08)
        rect = QRectF(
            (self.width() - side) / 2 + pen_w / 2,
            (self.height() - side) / 2 + pen_w / 2,
            side - pen_w,
            side - pen_w,
        )
        p.setPen(QPen(QColor(theme.PANEL_EDGE), pen_w))
        p.drawEllipse(rect)
        if self._fraction > 0:
            arc = QPen(QColor(theme.ZONE_HIGH if self._fraction >= 1.0 else theme.BREATH), pen_w)
            arc.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(arc)
            # Qt angles are in 1/16 degree, counter-clockwise from three o'clock: start at twelve
            p.drawArc(rect, 90 * 16, -int(360 * 16 * min(1.0, self._fraction)))
        font = QFont()
        font.setPixelSize(max(12, int(side * 0.13)))
        p.setFont(font)
        p.setPen(QColor(theme.TEXT))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text.replace(" of ", "\nof "))
        p.end()


class TodayPanel(QFrame):
    """Today at a glance: goal ring, streak, level and its progress, the planned session."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 12, 18, 12)
        lay.setSpacing(6)
        caption = QLabel("Today")
        caption.setProperty("role", "summary-title")
        lay.addWidget(caption)
        row = QHBoxLayout()
        row.setSpacing(18)
        self.ring = GoalRing()
        row.addWidget(self.ring, 2)
        facts = QVBoxLayout()
        facts.setSpacing(6)
        self.goal_note = QLabel("")
        self.streak = QLabel("")
        self.streak.setProperty("role", "title")
        self.level = QLabel("")
        self.level.setProperty("role", "title")
        self.progress = QLabel("")
        self.progress.setProperty("role", "caption")
        self.plan = QLabel("")
        self.plan.setProperty("role", "title")
        for label in (self.goal_note, self.progress):
            label.setWordWrap(True)
        plan_caption = QLabel("Next session")
        plan_caption.setProperty("role", "caption")
        facts.addStretch(1)
        for widget in (
            self.goal_note,
            self.streak,
            self.level,
            self.progress,
            plan_caption,
            self.plan,
        ):
            facts.addWidget(widget)
        facts.addStretch(1)
        row.addLayout(facts, 3)
        lay.addLayout(row, 1)
        self.check = QLabel("")  # the latest resting check, when there has been one
        self.check.setProperty("role", "caption")
        self.check.setWordWrap(True)
        self.check.setVisible(False)
        lay.addWidget(self.check)
        self.note = QLabel("")
        self.note.setProperty("role", "caption")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        lay.addWidget(self.note)
        hint = QLabel("Press Start (or Space) when you are settled.")
        hint.setProperty("role", "caption")
        lay.addWidget(hint)

    def show_today(self, view: TodayView) -> None:
        self.ring.show_goal(view.goal_fraction, view.goal_text)
        self.goal_note.setText(view.goal_note)
        self.streak.setText(view.streak_text)
        self.level.setText(view.level_text)
        self.progress.setText(view.progress_text)
        self.progress.setVisible(bool(view.progress_text))
        self.plan.setText(view.plan_text)
        self.check.setText(view.check_text or "")
        self.check.setVisible(view.check_text is not None)
        self.note.setText(view.note or "")
        self.note.setVisible(view.note is not None)
