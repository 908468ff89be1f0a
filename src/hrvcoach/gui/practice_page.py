"""The practice page: the pacer on the left; on the right the Today panel before Start, then the
live numbers. In calm mode the right side steps away and the pacer has the page to itself."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QStackedWidget, QWidget

from hrvcoach.gui.pacer_widget import PacerWidget
from hrvcoach.gui.tiles import LiveNumbers
from hrvcoach.gui.today_panel import TodayPanel
from hrvcoach.gui.training_view import TodayView


class PracticePage(QWidget):
    """Pacer, Today panel and live numbers.

    Args:
        training: The session tracks training (see :class:`~hrvcoach.gui.tiles.LiveNumbers`).
        today: The day to show before Start; ``None``: no Today panel, the numbers show at once.
    """

    def __init__(
        self,
        *,
        training: bool = False,
        today: TodayView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        self.pacer = PacerWidget()
        row.addWidget(self.pacer, 4)
        self.numbers = LiveNumbers(training=training)
        row.addWidget(self.numbers, 4)
        self.today_panel: TodayPanel | None = None
        if today is not None:
            self.today_panel = TodayPanel()
            self.today_panel.show_today(today)
            row.addWidget(self.today_panel, 4)
        self._started = False
        self._calm = False
        self._sync()

    @property
    def calm(self) -> bool:
        return self._calm

    def set_started(self) -> None:
        """The session has started: the Today panel gives way to the live numbers."""
        if not self._started:
            self._started = True
            self._sync()

    def set_calm(self, on: bool) -> None:
        """Calm mode: only the pacer (the Today panel still shows before Start)."""
        if on != self._calm:
            self._calm = on
            self._sync()

    def _sync(self) -> None:
        today_shown = self.today_panel is not None and not self._started
        if self.today_panel is not None:
            self.today_panel.setVisible(today_shown)
        self.numbers.setVisible(not today_shown and not self._calm)


def show_only(stack: QStackedWidget, page: QWidget) -> None:
    """Show one page of the stack; only it counts for the window's minimum size.

    A stacked widget asks for room for its largest page, shown or not: the six-tile summary
    would take ~100 px from the heart-rate plot all session long at 900x600.
    """
    ignored, preferred = QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
    for i in range(stack.count()):
        widget = stack.widget(i)
        if widget is None:
            continue
        if widget is page:
            widget.setSizePolicy(preferred, preferred)
        else:
            widget.setSizePolicy(ignored, ignored)
    stack.setCurrentWidget(page)
    stack.updateGeometry()
