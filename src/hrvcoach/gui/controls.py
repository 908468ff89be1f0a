"""The control bar under the plot: start, pause, stop, the pace and its in:out ratio, the length,
the calm view and the sound. It holds the widgets; the window connects them to the session."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hrvcoach.pacer import MAX_RATE_BPM, MIN_RATE_BPM, BreathPattern

RATIOS = ("4:6", "5:5", "4:2:6:0", "4:0:6:2", "3:7", "5:7")


def stepper(spin: QDoubleSpinBox | QSpinBox) -> QWidget:
    """A spin box between large − and + buttons (easier to hit than the built-in arrows)."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    # the built-in arrows are hidden by the style sheet (NoButtons would hide the text with it)
    spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
    minus = QPushButton("−")
    plus = QPushButton("+")
    for b, step in ((minus, spin.stepDown), (plus, spin.stepUp)):
        b.setObjectName("step")
        b.setAutoRepeat(True)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(step)
    lay.addWidget(minus)
    lay.addWidget(spin)
    lay.addWidget(plus)
    box.minus = minus  # type: ignore[attr-defined]
    box.plus = plus  # type: ignore[attr-defined]
    return box


class ControlBar(QWidget):
    """The session's controls.

    Args:
        pattern: The breathing pattern shown at first.
        duration: The session's length in seconds (``None``: open, until stopped).
        planned: A plan sets the pace of every step and the length: those controls are hidden.
        sound: Whether sound cues are on; ``None`` when there is no sound to control.
        calm: Start in calm mode (only the pacer and the zone colour).
    """

    def __init__(
        self,
        pattern: BreathPattern,
        duration: float | None,
        *,
        planned: bool,
        sound: bool | None,
        calm: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("primary")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        for b in (self.start_button, self.pause_button, self.stop_button):
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            row.addWidget(b)
        row.addSpacing(10)

        self.pace_spin = QDoubleSpinBox()
        self.pace_spin.setRange(MIN_RATE_BPM, MAX_RATE_BPM)
        self.pace_spin.setSingleStep(0.1)
        self.pace_spin.setDecimals(1)
        self.pace_spin.setSuffix(" /min")
        self.pace_spin.setKeyboardTracking(False)  # apply on Enter or arrows, not per keystroke
        self.pace_spin.setValue(pattern.rate_bpm)
        self.pace_spin.setToolTip("breaths per minute")
        self.ratio_box = QComboBox()
        self.ratio_box.setEditable(True)
        self.ratio_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        current_ratio = pattern.label().split()[1]
        self.ratio_box.addItems(RATIOS if current_ratio in RATIOS else (current_ratio, *RATIOS))
        self.ratio_box.setCurrentText(current_ratio)
        self.ratio_box.setToolTip("in : out, or in : hold : out : hold")
        self.ratio_box.setMinimumContentsLength(6)
        pace_caption = QLabel("Pace")
        pace_caption.setProperty("role", "caption")
        ratio_caption = QLabel("In:out")
        ratio_caption.setProperty("role", "caption")
        row.addWidget(pace_caption)
        self.pace_stepper = stepper(self.pace_spin)
        row.addWidget(self.pace_stepper)
        row.addWidget(ratio_caption)
        row.addWidget(self.ratio_box)
        row.addSpacing(10)

        length_caption = QLabel("Length")
        length_caption.setProperty("role", "caption")
        self.length_spin = QDoubleSpinBox()
        self.length_spin.setRange(0.0, 180.0)
        self.length_spin.setDecimals(1)
        self.length_spin.setSingleStep(1.0)
        self.length_spin.setSuffix(" min")
        self.length_spin.setSpecialValueText("open")  # 0: until stopped or the source ends
        self.length_spin.setKeyboardTracking(False)
        self.length_spin.setValue(0.0 if duration is None else duration / 60.0)
        self.length_spin.setToolTip("session length (set before starting)")
        row.addWidget(length_caption)
        self.length_stepper = stepper(self.length_spin)
        row.addWidget(self.length_stepper)
        if planned:
            # the plan sets the pace of every step and the length: nothing here to choose
            for widget in (
                pace_caption,
                self.pace_stepper,
                ratio_caption,
                self.ratio_box,
                length_caption,
                self.length_stepper,
            ):
                widget.setVisible(False)
        row.addStretch(1)
        self.calm_check = QCheckBox("Calm")
        self.calm_check.setToolTip(
            "only the pacer and the zone colour; the numbers wait for the end (C)"
        )
        self.calm_check.setChecked(calm)
        # the two switches one above the other: the bar still fits a 900 px wide window
        switches = QVBoxLayout()
        switches.setSpacing(2)
        switches.addWidget(self.calm_check)
        row.addLayout(switches)
        self.sound_check = QCheckBox("Sound")
        self.sound_check.setVisible(sound is not None)
        self.sound_check.setToolTip("a soft tone at the start of each in- and out-breath")
        self.sound_check.setChecked(bool(sound))
        switches.addWidget(self.sound_check)
        self.message = QLabel("")
        self.message.setProperty("role", "status")
        row.addWidget(self.message)

    def sync(self, *, started: bool, ended: bool, pause_wanted: bool, scheduled: bool) -> None:
        """Enable what can be used now: ``scheduled`` is a plan owning the pace."""
        running = started and not ended
        self.start_button.setVisible(not started)
        self.start_button.setEnabled(not started)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if pause_wanted else "Pause")
        self.stop_button.setEnabled(running)
        self.length_stepper.setEnabled(not started)
        self.pace_stepper.setEnabled(not ended and not scheduled)
        self.ratio_box.setEnabled(not ended and not scheduled)

    def set_scheduled(self, scheduled: bool, *, ended: bool) -> None:
        """A plan with steps still ahead owns the pace: its controls are locked meanwhile."""
        self.pace_stepper.setEnabled(not scheduled and not ended)
        self.ratio_box.setEnabled(not scheduled and not ended)
        tip = "the pace follows a plan in this session" if scheduled else ""
        self.pace_stepper.setToolTip(tip)
        self.ratio_box.setToolTip(tip or "in : out, or in : hold : out : hold")

    def show_pattern(self, pattern: BreathPattern) -> bool:
        """Show the pattern the pacer is on, unless it is being edited; True if shown."""
        if self.pace_spin.hasFocus() or self.ratio_box.hasFocus():
            return False
        self.pace_spin.blockSignals(True)
        self.pace_spin.setValue(pattern.rate_bpm)
        self.pace_spin.blockSignals(False)
        self.ratio_box.blockSignals(True)
        self.ratio_box.setCurrentText(pattern.label().split()[1])
        self.ratio_box.blockSignals(False)
        return True
