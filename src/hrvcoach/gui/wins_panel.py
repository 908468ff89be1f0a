"""The wins of a session on the end screen: time in each zone, the session against the person's
own history in short sentences, and today's goal. It shows a
:class:`~hrvcoach.gui.training_view.WinsView`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from hrvcoach.gui import theme
from hrvcoach.gui.today_panel import GoalRing
from hrvcoach.gui.training_view import ZONE_COLORS, WinsView
from hrvcoach.gui.zones import ZoneBar


class WinsPanel(QFrame):
    """Headline, zone bar and wins on the left; today's goal ring on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 10, 16, 10)
        row.setSpacing(16)
        left = QVBoxLayout()
        left.setSpacing(6)
        self.headline = QLabel("")
        self.headline.setProperty("role", "title")
        self.headline.setWordWrap(True)
        self.zone_bar = ZoneBar()
        self.legend = QLabel(
            "  ".join(
                f"<span style='color:{ZONE_COLORS[z]}'>■</span> {z}"
                for z in ("low", "medium", "high")
            )
        )
        self.legend.setProperty("role", "caption")
        self.wins = QLabel("")
        self.wins.setWordWrap(True)
        self.wins.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.wins.setStyleSheet(f"color: {theme.TEXT}; font-size: 14px;")
        left.addWidget(self.headline)
        left.addWidget(self.zone_bar)
        left.addWidget(self.legend)
        left.addWidget(self.wins, 1)
        row.addLayout(left, 4)
        right = QVBoxLayout()
        right.setSpacing(2)
        self.ring = GoalRing()
        self.ring.setMinimumSize(84, 84)
        self.goal = QLabel("")
        self.goal.setProperty("role", "caption")
        self.goal.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(self.ring, 1)
        right.addWidget(self.goal)
        row.addLayout(right, 1)

    def show_wins(self, view: WinsView) -> None:
        self.headline.setText(view.headline)
        self.zone_bar.show_pct(view.zones_pct)
        for widget in (self.zone_bar, self.legend):
            widget.setVisible(sum(view.zones_pct) > 0)
        self.wins.setText("\n".join(f"•  {w}" for w in view.wins))
        self.ring.show_goal(view.goal_fraction, view.goal_text.removesuffix(" today"))
        self.goal.setText("toward today's goal")
