"""The window's keys work whatever has focus.

Space pauses and resumes with eyes closed. A field, list or button that has focus would take it
first: a pace field clicked last would type a space and clear the pace, a focused Stop button
would be pressed. :class:`WindowKeys` sits in front of every such widget of a window and turns
the key into the window's action instead.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget

#: widgets that would otherwise take Space for themselves
FOCUS_TAKERS = (QAbstractSpinBox, QComboBox, QAbstractButton, QLineEdit)


class WindowKeys(QObject):
    """Gives ``key`` (without modifiers) to ``action`` whichever child of ``window`` has focus.

    While a widget has focus, Qt first asks it whether it wants a key for itself (a
    ``ShortcutOverride``); this filter answers no for ``key``, so the window's own shortcut
    fires. Should the key still arrive as a key press, the action is run from here.
    """

    def __init__(self, window: QWidget, key: Qt.Key, action: Callable[[], None]) -> None:
        super().__init__(window)
        self.key = key
        self.action = action
        for kind in FOCUS_TAKERS:
            for widget in window.findChildren(kind):
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(event, QKeyEvent) or event.key() != self.key:
            return False
        if event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        if kind == QEvent.Type.KeyPress:
            self.action()
        return True  # not overridden: the window's shortcut takes it; never typed into the field
