"""A short check-in before and after a session: how stressed (0-10) and a note.

:class:`Checkin` has no Qt in it, so the commands and the history store can use it without loading
Qt; the dialog is built on demand by :func:`build_checkin_dialog`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog, QPlainTextEdit, QPushButton, QSlider, QWidget

NOTE_MAX_CHARS = 500


@dataclass(frozen=True, slots=True)
class Checkin:
    """How the person felt, in their own terms.

    Attributes:
        stress: 0 (calm) to 10 (very stressed), or ``None`` when they chose not to say.
        note: A few words, stripped (may be empty).
    """

    stress: int | None
    note: str = ""

    def __post_init__(self) -> None:
        if self.stress is not None and not 0 <= self.stress <= 10:
            raise ValueError(f"stress {self.stress} is outside 0-10")


QUESTIONS = {
    "before": "Before you start: how stressed do you feel right now?",
    "after": "And now, after the session: how stressed do you feel?",
}


@dataclass
class CheckinDialog:
    """The dialog and the parts a caller (or a test) works with."""

    dialog: QDialog
    slider: QSlider
    note: QPlainTextEdit
    save_button: QPushButton
    skip_button: QPushButton
    answered: bool = False  #: True when closed with Save (as opposed to Skip or the close box)

    def result(self) -> Checkin | None:
        """The answer, or ``None`` when skipped."""
        if not self.answered:
            return None
        note = self.note.toPlainText().strip()[:NOTE_MAX_CHARS]
        return Checkin(stress=int(self.slider.value()), note=note)


def build_checkin_dialog(when: str, parent: QWidget | None = None) -> CheckinDialog:
    """A modal check-in dialog for ``when`` = ``"before"`` or ``"after"`` (not yet shown)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QDialog,
        QHBoxLayout,
        QLabel,
        QPlainTextEdit,
        QPushButton,
        QSlider,
        QVBoxLayout,
    )

    from hrvcoach.gui import theme

    dialog = QDialog(parent)
    dialog.setWindowTitle("Check-in")
    dialog.setModal(True)
    dialog.setStyleSheet(theme.STYLE_SHEET)
    dialog.resize(480, 280)
    lay = QVBoxLayout(dialog)
    lay.setContentsMargins(20, 18, 20, 18)
    lay.setSpacing(10)
    question = QLabel(QUESTIONS.get(when, QUESTIONS["before"]))
    question.setWordWrap(True)
    question.setProperty("role", "title")
    lay.addWidget(question)

    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 10)
    slider.setValue(5)
    slider.setPageStep(1)
    slider.setTickPosition(QSlider.TickPosition.TicksBelow)
    slider.setTickInterval(1)
    value = QLabel("5")
    value.setMinimumWidth(32)
    value.setStyleSheet(f"color: {theme.BREATH}; font-size: 22px;")
    value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    slider.valueChanged.connect(lambda v: value.setText(str(v)))
    row = QHBoxLayout()
    calm = QLabel("0 calm")
    calm.setProperty("role", "caption")
    tense = QLabel("10 very stressed")
    tense.setProperty("role", "caption")
    row.addWidget(calm)
    row.addWidget(slider, 1)
    row.addWidget(tense)
    row.addWidget(value)
    lay.addLayout(row)

    note_caption = QLabel("A note (optional): sleep, caffeine, what is on your mind…")
    note_caption.setProperty("role", "caption")
    lay.addWidget(note_caption)
    note = QPlainTextEdit()
    note.setPlaceholderText("")
    note.setTabChangesFocus(True)
    note.setMaximumHeight(96)  # a few words, not an essay
    note.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wheel still scrolls
    lay.addWidget(note, 1)

    buttons = QHBoxLayout()
    buttons.addStretch(1)
    skip = QPushButton("Skip")
    save = QPushButton("Save")
    save.setObjectName("primary")
    save.setDefault(True)
    buttons.addWidget(skip)
    buttons.addWidget(save)
    lay.addLayout(buttons)

    parts = CheckinDialog(dialog, slider, note, save, skip)

    def accept() -> None:
        parts.answered = True
        dialog.accept()

    save.clicked.connect(accept)
    skip.clicked.connect(dialog.reject)
    return parts


def ask_checkin(when: str, parent: QWidget | None = None) -> Checkin | None:
    """Show the check-in dialog and wait for the answer (``None`` if skipped or closed)."""
    parts = build_checkin_dialog(when, parent)
    parts.dialog.exec()
    return parts.result()
