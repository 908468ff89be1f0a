"""Colours, type sizes and the style sheet of the practice window.

One quiet palette: a deep blue-grey ground that is easy on the eyes in a dim room, a soft teal for
breathing (the pacer and its curve on the plot) and a warm amber for the heart, so the two traces
can be told apart at a glance and without colour vision (they also differ in weight and fill).
Numbers are large and few; labels are small and muted.
"""

from __future__ import annotations

from typing import Final

BACKGROUND: Final = "#161b24"
PANEL: Final = "#1d2430"
PANEL_EDGE: Final = "#2a3342"
TEXT: Final = "#e7eaf0"
MUTED: Final = "#8d97a8"
FAINT: Final = "#4a5568"

BREATH: Final = "#6cc3b5"  #: pacer and breathing curve
BREATH_SOFT: Final = (108, 195, 181, 46)  #: breathing band fill (RGBA)
BREATH_BAR: Final = (108, 195, 181, 150)  #: the chosen rate's bar in the assessment result
HEART: Final = "#f2a766"  #: heart-rate trace and number
COHERENCE: Final = "#a7b8f0"
#: coherence zones: one calm scale, lighter as coherence rises (no zone reads as a warning)
ZONE_LOW: Final = "#7b88a3"
ZONE_MEDIUM: Final = "#5fb2d9"
ZONE_HIGH: Final = "#94e08c"

GOOD: Final = "#79c98a"
WARN: Final = "#e6c36a"
BAD: Final = "#e58a7f"

FONT_FAMILY: Final = "DejaVu Sans, Noto Sans, Helvetica Neue, Arial, sans-serif"

#: point sizes (pixel sizes scale with the window; see PracticeWindow.resizeEvent)
BIG_NUMBER_PX: Final = 44
LABEL_PX: Final = 13
CUE_PX: Final = 30

STYLE_SHEET: Final = f"""
QWidget {{
    background: {BACKGROUND};
    color: {TEXT};
    font-family: {FONT_FAMILY};
    font-size: 14px;
}}
QFrame#panel {{
    background: {PANEL};
    border: 1px solid {PANEL_EDGE};
    border-radius: 10px;
}}
QFrame#panel QLabel {{ background: transparent; }}
QLabel[role="caption"] {{ color: {MUTED}; font-size: {LABEL_PX}px; }}
QLabel[role="unit"] {{ color: {MUTED}; font-size: 15px; }}
QLabel[role="status"] {{ color: {MUTED}; font-size: 14px; }}
QLabel[role="title"] {{ color: {TEXT}; font-size: 16px; }}
QLabel[role="summary-title"] {{ color: {TEXT}; font-size: 22px; }}
QLabel[role="guide-title"] {{ color: {TEXT}; font-size: 20px; }}
QLabel[role="guide-note"] {{ color: {MUTED}; font-size: 14px; }}
QPushButton {{
    background: {PANEL};
    border: 1px solid {PANEL_EDGE};
    border-radius: 8px;
    padding: 7px 14px;
    color: {TEXT};
}}
QPushButton:hover {{ border-color: {BREATH}; }}
QPushButton:disabled {{ color: {FAINT}; border-color: {PANEL}; }}
QPushButton#primary {{ background: #25443f; border-color: {BREATH}; }}
QDoubleSpinBox, QSpinBox, QComboBox {{
    min-width: 56px;
    background: {PANEL};
    border: 1px solid {PANEL_EDGE};
    border-radius: 6px;
    padding: 4px 6px;
    min-height: 22px;
}}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ width: 0px; border: none; }}
QComboBox QAbstractItemView {{ background: {PANEL}; selection-background-color: #25443f; }}
QPushButton#step {{ padding: 4px 0px; min-width: 30px; max-width: 30px; font-size: 17px; }}
QCheckBox {{ spacing: 8px; }}
QCheckBox::indicator {{
    width: 16px; height: 16px; border: 1px solid {MUTED}; border-radius: 4px; background: {PANEL};
}}
QCheckBox::indicator:checked {{ background: {BREATH}; border-color: {BREATH}; }}
QSlider::groove:horizontal {{ height: 6px; background: {PANEL_EDGE}; border-radius: 3px; }}
QSlider::handle:horizontal {{
    background: {BREATH}; width: 18px; margin: -7px 0; border-radius: 9px;
}}
QScrollBar:vertical {{ background: {PANEL}; width: 10px; margin: 0; border: none; }}
QScrollBar::handle:vertical {{ background: {PANEL_EDGE}; border-radius: 4px; min-height: 24px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; border: none; }}
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
QTextEdit, QPlainTextEdit, QLineEdit {{
    background: {PANEL}; border: 1px solid {PANEL_EDGE}; border-radius: 6px;
}}
"""
