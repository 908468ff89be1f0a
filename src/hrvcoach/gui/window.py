"""The practice window: pacer, the heart's response, a few large numbers and the session controls.

The window only displays. Beats and metrics arrive from the session thread through
:class:`~hrvcoach.gui.bridge.UpdateInbox`; one frame timer drains it, asks the pacer (a pure
function of session time) where the breath is, and hands plain values to dumb views. Controls go
back to the session through :class:`~hrvcoach.gui.bridge.SessionRunner`, never directly.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hrvcoach.beats import Beat, BeatFlag, Contact, DeviceStatus, Gap, LinkState
from hrvcoach.gui import theme
from hrvcoach.gui.guide import GuidePanel, ResultPage, guide_view, result_view
from hrvcoach.gui.pacer_widget import PacerView, PacerWidget, view_of
from hrvcoach.gui.sparkline import Sparkline
from hrvcoach.pacer import MAX_RATE_BPM, MIN_RATE_BPM, BreathPattern

if TYPE_CHECKING:
    from hrvcoach.assess import AssessmentStep
    from hrvcoach.gui.audio import CuePlayer
    from hrvcoach.gui.bridge import Arrival, SessionRunner
    from hrvcoach.live import LiveMetrics
    from hrvcoach.session import SessionResult

log = logging.getLogger(__name__)

#: pacer frame timer (50 Hz): at 1280x800 the circle's edge moves at most ~35 px/s, so under a
#: pixel a frame; 60 Hz would cost a fifth more CPU for no visible gain
FRAME_MS = 20
PLOT_EVERY_S = 0.1  #: the plot scrolls ~1 px per 0.1 s at 1280 px, so 10 Hz looks continuous
TRACE_WINDOW_S = 90.0  #: heart rate shown over the last minute and a half
LOOKAHEAD_S = 8.0  #: the breathing curve runs this far ahead of "now" so the next turn is visible
#: room above the top tick and below the bottom one, so their labels are never cut in half
Y_PADDING = 0.04
BREATH_STEP_S = 0.25  #: 40 points a breath at 6/min: smooth, at a third of the paint cost of 0.1 s
#: beats a sensor or the pipeline marked as not a heartbeat interval worth drawing
SUSPECT = BeatFlag.IMPLAUSIBLE | BeatFlag.NO_CONTACT
RATIOS = ("4:6", "5:5", "4:2:6:0", "4:0:6:2", "3:7", "5:7")

ENDED_BY = {
    "duration": "reached the set length",
    "stopped": "stopped",
    "interrupted": "interrupted",
    "terminated": "terminated",
}
#: "source-ended" in words, by the kind of source
SOURCE_ENDED = {
    "replay": "the recording ended",
    "sim": "the simulation ended",
    "ble": "the strap stopped sending",
}


def ended_words(ended_by: str, source_kind: str | None) -> str:
    """How a session ended, for the summary page."""
    if ended_by == "source-ended":
        return SOURCE_ENDED.get(source_kind or "", "the source ended")
    return ENDED_BY.get(ended_by, ended_by)


def fmt_clock(t_s: float | None, *, nearest: bool = False) -> str:
    """``"m:ss"`` (``"h:mm:ss"`` from an hour) for a duration in seconds; ``"–"`` for none.

    A running clock shows whole seconds passed (floor); a finished duration (``nearest``) rounds,
    so a 10-minute session whose last beat came at 599.6 s reads 10:00.
    """
    if t_s is None or not math.isfinite(t_s):
        return "–"
    total = max(0, round(t_s) if nearest else int(t_s))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def fmt_number(value: float | None, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def field_of(obj: object, name: str) -> object | None:
    """A named value from a summary: a dataclass/object attribute or a mapping key."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def as_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


@dataclass(frozen=True, slots=True)
class LinkView:
    """The connection and signal-quality line, as plain words and a colour."""

    text: str
    color: str


def link_view(
    link: LinkState,
    *,
    device: str | None,
    contact: Contact,
    battery_pct: int | None,
    artifacts: int | None,
    simulated: bool,
    seconds_since_beat: float | None,
    ended: bool = False,
) -> LinkView:
    """Words for the indicator: link state first, then contact, artifacts and battery.

    ``artifacts`` is the live pipeline's running count, and says so ("corrected live"): the end
    summary's whole-session analysis corrects the full recording at once and may count others.
    Once the session has ended (``ended``) the link no longer matters: the line says the session
    is over and what it ran on.
    """
    if ended:
        head, color = "Session ended", theme.MUTED
    elif link is LinkState.CONNECTED:
        head, color = "Connected", theme.GOOD
    elif link is LinkState.RECONNECTING:
        head, color = "Reconnecting…", theme.WARN
    elif link is LinkState.CONNECTING:
        head, color = "Connecting…", theme.MUTED
    else:
        head, color = "Disconnected", theme.BAD
    parts = [head]
    if device:
        parts.append(device + (" (simulated)" if simulated and "sim" not in device.lower() else ""))
    if ended:
        pass  # contact and silence were about the session under way
    elif contact is Contact.NOT_DETECTED:
        parts.append("no skin contact")
        color = theme.WARN if color == theme.GOOD else color
    elif contact is Contact.DETECTED:
        parts.append("contact good")
    if (
        not ended
        and link is LinkState.CONNECTED
        and seconds_since_beat is not None
        and seconds_since_beat > 4.0
    ):
        parts.append(f"no beat for {int(seconds_since_beat)} s")
        color = theme.WARN
    if artifacts is not None:
        parts.append(
            "no beats corrected live"
            if artifacts == 0
            else f"{artifacts} beat{'s' if artifacts != 1 else ''} corrected live"
        )
    if battery_pct is not None and not ended:
        parts.append(f"battery {battery_pct}%")
    return LinkView("  ·  ".join(parts), color)


class _TimedPlotWidget(pg.PlotWidget):
    """A plot widget that counts and times its paints (for the frame statistics)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.paint_count = 0
        self.last_paint_perf_s = 0.0
        self.paint_ms: deque[float] = deque(maxlen=5000)
        self.on_painted: Callable[[float], None] | None = None

    def paintEvent(self, ev: QPaintEvent) -> None:
        t0 = time.perf_counter()
        super().paintEvent(ev)
        t1 = time.perf_counter()
        self.paint_count += 1
        self.last_paint_perf_s = t1
        self.paint_ms.append((t1 - t0) * 1000.0)
        if self.on_painted is not None:
            self.on_painted(t1)


class _Tile(QFrame):
    """A caption, one large value and its unit."""

    def __init__(self, caption: str, unit: str, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.caption = QLabel(caption)
        self.caption.setProperty("role", "caption")
        self._color = color
        self.value = QLabel("–")
        self.set_scale(theme.BIG_NUMBER_PX)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.unit = QLabel(unit)
        self.unit.setProperty("role", "unit")
        self.detail = QLabel("")
        self.detail.setProperty("role", "caption")
        self.detail.setWordWrap(True)  # a small window wraps a long detail rather than cut it
        lay = self.box = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(2)
        lay.addWidget(self.caption)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.value)
        row.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.detail)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_scale(self, px: int) -> None:
        # a style sheet font size wins over setFont, so the size goes into the sheet too
        self.value.setStyleSheet(f"color: {self._color}; font-size: {px}px;")


def _stepper(spin: QDoubleSpinBox | QSpinBox) -> QWidget:
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


@dataclass
class FrameStats:
    """Timing of the window's own work, for the benchmark and the log."""

    frames: int = 0
    frame_work_ms: deque[float] | None = None
    frame_time_ms: deque[float] | None = None  #: frame start to the end of its last paint
    frame_perf_s: deque[float] | None = None
    beat_to_screen_ms: deque[float] | None = None
    first_paint_perf_s: float | None = None

    def __post_init__(self) -> None:
        self.frame_work_ms = deque(maxlen=100_000)
        self.frame_time_ms = deque(maxlen=100_000)
        self.frame_perf_s = deque(maxlen=100_000)
        self.beat_to_screen_ms = deque(maxlen=100_000)


class PracticeWindow(QWidget):
    """The live practice window.

    Args:
        runner: Runs the session on its thread and carries controls to it.
        title: Shown in the title bar and above the pacer.
        audio: Sound cues (or ``None`` for no sound control at all).
        autostart: Start the session as soon as the window is shown.
        plan: The steps of a resonance assessment: a guide above the pacer announces each step
            and its settle period and shows progress; at the end the result page shows the
            :class:`~hrvcoach.assess.AssessmentOutcome` the runner's summary returned.

    Signals:
        session_ended: Emitted once on the GUI thread when the session (and its summary) is done.
        closed: Emitted when the window closes (the session has been asked to stop).
    """

    session_ended = Signal()
    closed = Signal()

    def __init__(
        self,
        runner: SessionRunner,
        *,
        title: str,
        audio: CuePlayer | None = None,
        autostart: bool = True,
        plan: Sequence[AssessmentStep] | None = None,
    ) -> None:
        super().__init__()
        self.plan = tuple(plan) if plan else ()
        self.runner = runner
        self.session = runner.session
        self.audio = audio
        self.autostart = autostart
        self.setWindowTitle(f"hrvcoach · {title}")
        self.setStyleSheet(theme.STYLE_SHEET)
        self.stats = FrameStats()
        self.ended = False
        self.result: SessionResult | None = None

        # what has been received (views get plain values from these)
        self._beat_t: deque[float] = deque()
        self._beat_hr: deque[float] = deque()
        self._beat_perf: deque[float] = deque()  # arrival times of beats not yet on screen
        self._awaiting_paint: list[float] = []
        self._breath_t: deque[float] = deque()
        self._breath_v: deque[float] = deque()
        self._coh_t: list[float] = []
        self._coh_v: list[float] = []
        self._last_spectral_t: float | None = None
        self._metrics: LiveMetrics | None = None
        self._link = self.session.link
        self._contact = Contact.UNKNOWN
        self._battery: int | None = None
        self._device: str | None = None
        self._paused = False  #: the session's state, read each frame
        #: session time at which the view froze for a pause: the circle and the clock hold still
        self._frozen_s: float | None = None
        self._heard = False  #: anything arrived from the session (its source is open)
        self._pause_wanted = False  #: what the last click asked for (the session follows soon)
        self._last_beat_t: float | None = None
        self._last_stage: str | None = None
        self._plot_dirty = True
        self._last_plot_perf = 0.0
        self._y_range: tuple[float, float] = (50.0, 90.0)
        self._shown_pattern: BreathPattern | None = None
        self._last_clock_text: tuple[str, str] = ("", "")
        self._scheduled = False
        self._frame_t0: float | None = None
        self.view_errors = 0  #: frames that failed to draw (logged once)
        self._frame_end = 0.0

        self._build(title)
        # eyes closed or half closed: Space pauses and resumes without finding the button
        self._space = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        self._space.activated.connect(self._space_pressed)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._frame)
        self._timer.start(FRAME_MS)

    # -- layout ---------------------------------------------------------------------------------
    def _build(self, title: str) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(18, 12, 18, 12)
        root.setSpacing(10)

        header = QHBoxLayout()
        self.title_label = QLabel(title)
        self.title_label.setProperty("role", "title")
        self.link_dot = QLabel("●")
        self.link_label = QLabel("Connecting…")
        self.link_label.setProperty("role", "status")
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.link_dot)
        header.addWidget(self.link_label)
        root.addLayout(header)

        self.guide: GuidePanel | None = None
        if self.plan:
            self.guide = GuidePanel()
            root.addWidget(self.guide)

        self.stack = QStackedWidget()
        root.addWidget(self.stack, 5)

        # practice page: pacer left, numbers right
        practice = QWidget()
        prow = QHBoxLayout(practice)
        prow.setContentsMargins(0, 0, 0, 0)
        prow.setSpacing(16)
        self.pacer = PacerWidget()
        self.pacer.on_painted = self._pacer_painted
        prow.addWidget(self.pacer, 4)
        # two by two: short enough for a 600 px high window, each number still large
        numbers = QGridLayout()
        numbers.setSpacing(10)
        self.hr_tile = _Tile("Heart rate", "bpm", theme.HEART)
        self.rmssd_tile = _Tile("RMSSD, last minute", "ms", theme.TEXT)
        self.coh_tile = _Tile("Coherence", "", theme.COHERENCE)
        self.sparkline = Sparkline()
        self.coh_tile.box.addWidget(self.sparkline)
        self.time_tile = _Tile("Elapsed", "", theme.TEXT)
        numbers.addWidget(self.hr_tile, 0, 0)
        numbers.addWidget(self.rmssd_tile, 0, 1)
        numbers.addWidget(self.coh_tile, 1, 0)
        numbers.addWidget(self.time_tile, 1, 1)
        prow.addLayout(numbers, 4)
        self.stack.addWidget(practice)

        # summary page, shown when the session ends
        self.summary_page = QWidget()
        self._build_summary(self.summary_page)
        self.stack.addWidget(self.summary_page)
        self.result_page = ResultPage()
        self.stack.addWidget(self.result_page)
        self._show_page(practice)

        # the heart's response against the breathing curve
        self.plot = _TimedPlotWidget(background=theme.BACKGROUND)
        self.plot.setMinimumHeight(120)
        self.plot.on_painted = self._painted
        pi = self.plot.getPlotItem()
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.setMouseEnabled(x=False, y=False)
        # pyqtgraph's own grid costs ~10 ms a paint here; a few faint lines in one curve cost ~0.2
        self.grid = pg.PlotDataItem(pen=pg.mkPen(theme.PANEL_EDGE, width=1), connect="pairs")
        pi.addItem(self.grid)
        for name in ("left", "bottom"):
            ax = pi.getAxis(name)
            ax.setPen(pg.mkPen(theme.PANEL_EDGE))
            ax.setTextPen(pg.mkPen(theme.MUTED))
        pi.getAxis("left").setLabel("bpm", color=theme.MUTED)
        pi.getAxis("left").setWidth(52)
        pi.getAxis("bottom").setLabel("seconds from now", color=theme.MUTED)
        pi.setXRange(-TRACE_WINDOW_S, LOOKAHEAD_S, padding=0)
        pi.setYRange(*self._y_range, padding=Y_PADDING)
        # A 1 px pen on the filled guide: wider antialiased pens on a filled path cost 3-4x more
        # per paint in Qt's raster engine (see docs/window.md).
        self.breath_curve = pg.PlotDataItem(
            pen=pg.mkPen(theme.BREATH, width=1),
            brush=pg.mkBrush(*theme.BREATH_SOFT),
            fillLevel=self._y_range[0],
            antialias=True,
        )
        self.breath_ahead = pg.PlotDataItem(
            pen=pg.mkPen(theme.BREATH, width=1, style=Qt.PenStyle.DashLine), antialias=True
        )
        self.hr_curve = pg.PlotDataItem(
            pen=pg.mkPen(theme.HEART, width=2.6), connect="finite", antialias=True
        )
        self.now_line = pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen(theme.FAINT, width=1))
        for item in (self.breath_curve, self.breath_ahead, self.hr_curve):
            item.setClipToView(True)
            pi.addItem(item)
        pi.addItem(self.now_line)
        self._show_grid(*self._y_range)
        self.legend = legend = QLabel(
            f"<span style='color:{theme.HEART}'>━ heart rate</span>&nbsp;&nbsp;&nbsp;"
            f"<span style='color:{theme.BREATH}'>━ breathing guide</span>"
        )
        legend.setProperty("role", "caption")
        root.addWidget(legend)
        root.addWidget(self.plot, 4)

        root.addLayout(self._build_controls())

    def _build_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("primary")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.start_button.clicked.connect(self.start_session)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.stop_button.clicked.connect(self._stop_clicked)
        for b in (self.start_button, self.pause_button, self.stop_button):
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            row.addWidget(b)
        row.addSpacing(10)

        pattern = self.session.pacer.pattern_at(0.0)
        self.pace_spin = QDoubleSpinBox()
        self.pace_spin.setRange(MIN_RATE_BPM, MAX_RATE_BPM)
        self.pace_spin.setSingleStep(0.1)
        self.pace_spin.setDecimals(1)
        self.pace_spin.setSuffix(" /min")
        self.pace_spin.setKeyboardTracking(False)  # apply on Enter or arrows, not per keystroke
        self.pace_spin.setValue(pattern.rate_bpm)
        self.pace_spin.setToolTip("breaths per minute")
        self.pace_spin.valueChanged.connect(self._pattern_edited)
        self.ratio_box = QComboBox()
        self.ratio_box.setEditable(True)
        self.ratio_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        current_ratio = pattern.label().split()[1]
        self.ratio_box.addItems(RATIOS if current_ratio in RATIOS else (current_ratio, *RATIOS))
        self.ratio_box.setCurrentText(current_ratio)
        self.ratio_box.setToolTip("in : out, or in : hold : out : hold")
        self.ratio_box.setMinimumContentsLength(6)
        self.ratio_box.activated.connect(self._pattern_edited)
        editor = self.ratio_box.lineEdit()
        assert editor is not None  # the box is editable
        editor.editingFinished.connect(self._pattern_edited)
        self._shown_pattern = pattern
        pace_caption = QLabel("Pace")
        pace_caption.setProperty("role", "caption")
        ratio_caption = QLabel("In:out")
        ratio_caption.setProperty("role", "caption")
        row.addWidget(pace_caption)
        self.pace_stepper = _stepper(self.pace_spin)
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
        duration = self.session.duration_s
        self.length_spin.setValue(0.0 if duration is None else duration / 60.0)
        self.length_spin.setToolTip("session length (set before starting)")
        self.length_spin.valueChanged.connect(self._length_edited)
        row.addWidget(length_caption)
        self.length_stepper = _stepper(self.length_spin)
        row.addWidget(self.length_stepper)
        if self.plan:
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
        self.sound_check = QCheckBox("Sound")
        self.sound_check.setVisible(self.audio is not None)
        self.sound_check.setToolTip("a soft tone at the start of each in- and out-breath")
        self.sound_check.setChecked(bool(self.audio and self.audio.enabled))
        self.sound_check.toggled.connect(self._sound_toggled)
        row.addWidget(self.sound_check)
        self.message = QLabel("")
        self.message.setProperty("role", "status")
        row.addWidget(self.message)
        self._sync_buttons()
        return row

    def _build_summary(self, page: QWidget) -> None:
        lay = QVBoxLayout(page)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(12)
        self.summary_title = QLabel("Session complete")
        self.summary_title.setProperty("role", "summary-title")
        self.summary_sub = QLabel("")
        self.summary_sub.setProperty("role", "caption")
        self.summary_sub.setWordWrap(True)
        lay.addWidget(self.summary_title)
        lay.addWidget(self.summary_sub)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.summary_tiles = {
            "mean_hr_bpm": _Tile("Mean heart rate", "bpm", theme.HEART),
            "rmssd_ms": _Tile("RMSSD", "ms", theme.TEXT),
            "sdnn_ms": _Tile("SDNN", "ms", theme.TEXT),
            "coherence": _Tile("Coherence", "", theme.COHERENCE),
            "resonance": _Tile("Breathing peak", "/min", theme.BREATH),
            "beats": _Tile("Beats", "", theme.TEXT),
        }
        for i, tile in enumerate(self.summary_tiles.values()):
            grid.addWidget(tile, i // 3, i % 3)
        self.summary_spark = Sparkline()
        self.summary_tiles["coherence"].box.addWidget(self.summary_spark)
        lay.addLayout(grid)
        lay.addStretch(1)

    def _show_page(self, page: QWidget) -> None:
        """Show one page of the stack; only it counts for the window's minimum size.

        A stacked widget asks for room for its largest page, shown or not: the six-tile summary
        would take ~100 px from the heart-rate plot all session long at 900x600.
        """
        ignored, preferred = QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        for i in range(self.stack.count()):
            widget = self.stack.widget(i)
            if widget is None:
                continue
            if widget is page:
                widget.setSizePolicy(preferred, preferred)
            else:
                widget.setSizePolicy(ignored, ignored)
        self.stack.setCurrentWidget(page)
        self.stack.updateGeometry()

    # -- scaling: numbers legible from a metre at any window size --------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        h = max(1, self.height())
        big = int(min(64, max(26, h * 0.052)))
        for tile in (self.hr_tile, self.rmssd_tile, self.coh_tile, self.time_tile):
            tile.set_scale(big)
        for tile in self.summary_tiles.values():
            tile.set_scale(int(big * 0.9))

    # -- controls -------------------------------------------------------------------------------
    def start_session(self) -> None:
        if self.runner.started:
            return
        self.runner.start()
        self._sync_buttons()

    def _space_pressed(self) -> None:
        if self.runner.started:
            self._toggle_pause()
        else:
            self.start_session()

    def _toggle_pause(self) -> None:
        if not self.runner.running:
            return
        self._pause_wanted = not self._pause_wanted
        if self._pause_wanted:
            self.runner.pause()
        else:
            self.runner.resume()
        self._sync_buttons()

    def _stop_clicked(self) -> None:
        self.runner.stop("stopped")
        self.stop_button.setEnabled(False)
        self.message.setText("Stopping…")

    def _pattern_edited(self, *_: object) -> None:
        ratio = self.ratio_box.currentText().strip()
        try:
            pattern = BreathPattern.with_ratio(round(self.pace_spin.value(), 1), ratio)
        except ValueError as err:
            self.message.setText(str(err))
            self.message.setStyleSheet(f"color: {theme.BAD};")
            return
        self.message.setText("")
        self.message.setStyleSheet("")
        if pattern == self._shown_pattern:
            return
        self._shown_pattern = pattern
        self.runner.set_pattern(pattern)

    def _length_edited(self, minutes: float) -> None:
        # The session reads its duration when it starts; a change mid-session would only move
        # one of its two end checks, so the control is locked once the session runs.
        if not self.runner.started:
            duration_s = None if minutes <= 0 else minutes * 60.0
            self.session.duration_s = duration_s  # the session ends it; sources run until told

    def _sound_toggled(self, on: bool) -> None:
        if self.audio is not None:
            self.audio.enabled = on

    def _sync_buttons(self) -> None:
        started = self.runner.started
        running = started and not self.ended
        self.start_button.setVisible(not started)
        self.start_button.setEnabled(not started)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if self._pause_wanted else "Pause")
        self.stop_button.setEnabled(running)
        self.length_stepper.setEnabled(not started)
        self.pace_stepper.setEnabled(not self.ended and not self._scheduled)
        self.ratio_box.setEnabled(not self.ended and not self._scheduled)

    # -- the frame ------------------------------------------------------------------------------
    def _frame(self) -> None:
        t0 = time.perf_counter()
        if self._frame_t0 is not None:
            self.stats.frame_time_ms.append((self._frame_end - self._frame_t0) * 1000.0)  # type: ignore[union-attr]
        self._frame_t0 = t0
        self.stats.frames += 1
        self.stats.frame_perf_s.append(t0)  # type: ignore[union-attr]
        if self.autostart and not self.runner.started and self.isVisible():
            self.start_session()
        try:
            self._paused = self.session.paused  # a plain flag, set on the session's thread
            self._receive_all(self.runner.inbox.drain())
            now_s = self._now_s()
            if self._paused and self._frozen_s is None:
                self._frozen_s = now_s
            elif not self._paused:
                self._frozen_s = None
            self._show_pacer(now_s)
            self._show_clock(now_s)
            self._follow_pattern(now_s)
            if self.guide is not None and not self.ended:
                # before the source is open, the introduction: no step has begun
                guide_t = now_s if self._heard else -1.0
                self.guide.show_guide(guide_view(self.plan, guide_t, paused=self._paused))
            if self._plot_dirty or t0 - self._last_plot_perf >= PLOT_EVERY_S:
                self._show_plot(now_s)
                self._last_plot_perf = t0
            self._show_link(now_s)
        except Exception:
            # A view that fails must not stop the window from noticing the end (and closing):
            # the session and its recording run on their own thread regardless.
            self.view_errors += 1
            if self.view_errors == 1:
                log.exception("the window failed to draw a frame; the session goes on")
        if not self.ended and self.runner.done:
            self._session_done()
        self._frame_end = time.perf_counter()
        self.stats.frame_work_ms.append((self._frame_end - t0) * 1000.0)  # type: ignore[union-attr]

    def _now_s(self) -> float:
        if self.result is not None:
            return self.result.t_s
        if not self.runner.started:
            return 0.0
        now = self.session.now_s()
        return now if math.isfinite(now) else 0.0

    def _receive_all(self, arrivals: list[Arrival]) -> None:
        """Take in what arrived since the last frame; the numbers show only the latest values."""
        if not arrivals:
            return
        self._heard = True
        latest = self._metrics
        for arrival in arrivals:
            metrics = arrival.update.metrics
            if metrics is not None and metrics is not latest:
                latest = metrics
                self._note_spectral(metrics)
            self._receive(arrival)
        if latest is not self._metrics and latest is not None:
            self._metrics = latest
            self._show_metrics(latest)

    def _receive(self, arrival: Arrival) -> None:
        update = arrival.update
        event = update.event
        self._link = update.link
        if isinstance(event, Beat):
            self._last_beat_t = event.t_s
            if event.contact is not Contact.UNKNOWN:
                self._contact = event.contact
            hr = event.instant_hr_bpm if not (event.flags & SUSPECT) else math.nan
            if event.flags & BeatFlag.AFTER_GAP and self._beat_t:
                self._beat_t.append(event.t_s - event.rr_ms / 1000.0)
                self._beat_hr.append(math.nan)  # break the line: the interval did not follow
            self._beat_t.append(event.t_s)
            self._beat_hr.append(hr)
            self._beat_perf.append(arrival.perf_s)
            self._plot_dirty = True
        elif isinstance(event, Gap):
            self._beat_t.append(event.t_s)
            self._beat_hr.append(math.nan)
            self._plot_dirty = True
        elif isinstance(event, DeviceStatus):
            if event.battery_pct is not None:
                self._battery = event.battery_pct
            if event.name:
                self._device = event.name
        # keep memory bounded on long sessions: only the visible window is drawn
        horizon = event.t_s - TRACE_WINDOW_S - 5.0
        while self._beat_t and self._beat_t[0] < horizon:
            self._beat_t.popleft()
            self._beat_hr.popleft()

    def _show_metrics(self, m: LiveMetrics) -> None:
        self.hr_tile.value.setText(fmt_number(m.hr_bpm))
        self.hr_tile.detail.setText(f"average {fmt_number(m.mean_hr_bpm)} bpm")
        self.rmssd_tile.value.setText(fmt_number(m.rmssd_ms))
        self.rmssd_tile.detail.setText(f"SDNN {fmt_number(m.sdnn_ms)} ms")
        self.coh_tile.value.setText(fmt_number(m.coherence, 1))
        peak_hz = getattr(m, "coherence_peak_hz", None) or m.lf_peak_hz
        if peak_hz is not None:
            self.coh_tile.detail.setText(f"rhythm at {peak_hz * 60:.1f} /min")
        self.sparkline.show_series(self._coh_t, self._coh_v)

    def _note_spectral(self, m: LiveMetrics) -> None:
        """One sparkline point per spectral refresh (coherence changes only then)."""
        fresh = m.spectral_t_s is not None and m.spectral_t_s != self._last_spectral_t
        if m.coherence is not None and m.spectral_t_s is not None and fresh:
            self._last_spectral_t = m.spectral_t_s
            self._coh_t.append(m.spectral_t_s)
            self._coh_v.append(m.coherence)

    def _show_pacer(self, now_s: float) -> None:
        if self.ended:
            self.pacer.show_state(PacerView(0.0, "Done", None, active=False))
            return
        if not self.runner.started or not self._heard:
            # before the source is open the session clock has not started: no breath to follow
            state = self.session.pacer.state(0.0)
            cue = "Connecting…" if self.runner.started else "Ready"
            self.pacer.show_state(PacerView(state.volume, cue, None, active=False))
            return
        if self._frozen_s is not None:
            # paused: the circle holds where the breath was, it does not breathe on dimmed
            state = self.session.pacer.state(self._frozen_s)
            self.pacer.show_state(view_of(state, paused=True))
            return
        state = self.session.pacer.state(now_s)
        self.pacer.show_state(view_of(state))
        if state.stage != self._last_stage:
            if self._last_stage is not None and self.audio is not None and not self._paused:
                self.audio.cue(state.stage)
            self._last_stage = state.stage

    def _show_clock(self, now_s: float) -> None:
        duration = self.session.duration_s
        frozen = self._frozen_s is not None
        # practice time: the session's clock less its pauses (it holds still while paused)
        elapsed_s = self.session.active_s(self._frozen_s if self._frozen_s is not None else now_s)
        text = fmt_clock(elapsed_s)
        if frozen:
            detail = "paused  ·  recording goes on"
        elif duration:
            left_s = max(0.0, duration - elapsed_s)
            detail = f"of {fmt_clock(duration)}  ·  {fmt_clock(left_s)} left"
        else:
            detail = "open session"
        if (text, detail) != self._last_clock_text:
            self._last_clock_text = (text, detail)
            self.time_tile.value.setText(text)
            self.time_tile.detail.setText(detail)

    def _follow_pattern(self, now_s: float) -> None:
        """Show the pattern the pacer is on (a schedule may change it) unless it is being edited."""
        # A plan with segments still ahead (an assessment's steps) owns the pace: a change by hand
        # would land after its last step, so the pace controls are locked while it runs.
        scheduled = self.session.pacer.segments()[-1][0] > now_s
        if scheduled != self._scheduled:
            self._scheduled = scheduled
            self.pace_stepper.setEnabled(not scheduled and not self.ended)
            self.ratio_box.setEnabled(not scheduled and not self.ended)
            tip = "the pace follows a plan in this session" if scheduled else ""
            self.pace_stepper.setToolTip(tip)
            self.ratio_box.setToolTip(tip or "in : out, or in : hold : out : hold")
        pattern = self.session.pacer.pattern_at(now_s)
        if pattern == self._shown_pattern or self.pace_spin.hasFocus() or self.ratio_box.hasFocus():
            return
        self._shown_pattern = pattern
        self.pace_spin.blockSignals(True)
        self.pace_spin.setValue(pattern.rate_bpm)
        self.pace_spin.blockSignals(False)
        self.ratio_box.blockSignals(True)
        self.ratio_box.setCurrentText(pattern.label().split()[1])
        self.ratio_box.blockSignals(False)

    def _breath_samples(self, now_s: float) -> None:
        """Extend the sampled breathing curve up to ``now_s`` (the past never changes)."""
        start = now_s - TRACE_WINDOW_S
        # nothing before the session began: the guide shows what was breathed, not made-up past
        t = self._breath_t[-1] + BREATH_STEP_S if self._breath_t else max(0.0, start)
        t = max(t, math.floor(start / BREATH_STEP_S) * BREATH_STEP_S)
        pacer = self.session.pacer
        while t <= now_s:
            self._breath_t.append(t)
            self._breath_v.append(pacer.volume(t))
            t += BREATH_STEP_S
        while self._breath_t and self._breath_t[0] < start - 1.0:
            self._breath_t.popleft()
            self._breath_v.popleft()

    def _y_limits(self, hr: np.ndarray) -> tuple[float, float]:
        finite = hr[np.isfinite(hr)]
        if finite.size == 0:
            return self._y_range
        # A missed or ectopic beat is one or two far points; scaling to it would flatten the
        # breathing rhythm the eye follows, so the scale follows the middle 94 % and a lone
        # outlier runs off the edge of the plot (still visible as a spike, never hidden).
        if finite.size >= 30:
            lo, hi = (float(v) for v in np.percentile(finite, [3.0, 97.0]))
        else:
            lo, hi = float(np.min(finite)), float(np.max(finite))
        # whole 5 bpm steps with a margin, so the scale moves rarely and never clips the trace
        lo5 = 5.0 * math.floor((lo - 2.0) / 5.0)
        hi5 = 5.0 * math.ceil((hi + 2.0) / 5.0)
        if hi5 - lo5 < 20.0:
            mid = 0.5 * (lo5 + hi5)
            lo5, hi5 = 5.0 * math.floor((mid - 10.0) / 5.0), 5.0 * math.ceil((mid + 10.0) / 5.0)
        return lo5, hi5

    def _show_grid(self, lo: float, hi: float) -> None:
        step = 10.0 if hi - lo > 25.0 else 5.0
        ys = np.arange(math.ceil(lo / step) * step, hi + 1e-9, step)
        x = np.tile([-TRACE_WINDOW_S, LOOKAHEAD_S], len(ys))
        self.grid.setData(x, np.repeat(ys, 2), connect="pairs")

    def _show_plot(self, now_s: float) -> None:
        self._plot_dirty = False
        if self.runner.started:
            self._breath_samples(now_s)
        bt = np.fromiter(self._beat_t, dtype=float, count=len(self._beat_t)) - now_s
        bh = np.fromiter(self._beat_hr, dtype=float, count=len(self._beat_hr))
        y_range = self._y_limits(bh)
        if y_range != self._y_range:
            self._y_range = y_range
            self.plot.getPlotItem().setYRange(*y_range, padding=Y_PADDING)
            self._show_grid(*y_range)
            self.breath_curve.setFillLevel(y_range[0])
        lo, hi = self._y_range
        # the breathing guide spans the lower two thirds: HR peaks stay clear of its crest
        span = (hi - lo) * 0.66
        self.hr_curve.setData(bt, bh, connect="finite")
        if self._breath_t:
            xt = np.fromiter(self._breath_t, dtype=float, count=len(self._breath_t)) - now_s
            xv = np.fromiter(self._breath_v, dtype=float, count=len(self._breath_v))
            past = xt <= 1e-9  # at the end, "now" is the last event, before the last frame
            xt, xv = xt[past], xv[past]
            self.breath_curve.setData(xt, lo + span * xv)
        if self.runner.started and not self.ended and self._frozen_s is None:
            # (paused: no breath ahead to follow; the circle holds still and so does this)
            ahead_t = np.arange(0.0, LOOKAHEAD_S + 1e-9, 0.2)
            pacer = self.session.pacer
            ahead_v = np.array([pacer.volume(now_s + dt) for dt in ahead_t])
            self.breath_ahead.setData(ahead_t, lo + span * ahead_v)
        else:
            self.breath_ahead.setData([], [])
        if self._beat_perf:
            # measured when the plot has painted them (see _painted), not when handed over
            self._awaiting_paint.extend(self._beat_perf)
            self._beat_perf.clear()

    def _pacer_painted(self, perf_s: float) -> None:
        self._frame_end = max(self._frame_end, perf_s)
        if self.stats.first_paint_perf_s is None:
            self.stats.first_paint_perf_s = perf_s

    def _painted(self, perf_s: float) -> None:
        self._frame_end = max(self._frame_end, perf_s)
        if self.stats.first_paint_perf_s is None:
            self.stats.first_paint_perf_s = perf_s
        if self._awaiting_paint:
            for arrived in self._awaiting_paint:
                self.stats.beat_to_screen_ms.append((perf_s - arrived) * 1000.0)  # type: ignore[union-attr]
            self._awaiting_paint.clear()

    def _show_link(self, now_s: float) -> None:
        device = self._device
        info = getattr(self.session.source, "info", None)
        simulated = bool(getattr(info, "simulated", False))
        if device is None and info is not None:
            device = getattr(info, "device", None)
        since = None if self._last_beat_t is None else max(0.0, now_s - self._last_beat_t)
        failed = self.ended and self.runner.error is not None
        view = link_view(
            LinkState.DISCONNECTED if failed else self._link,
            device=device,
            contact=self._contact,
            battery_pct=self._battery,
            artifacts=None if self._metrics is None else self._metrics.artifacts,
            simulated=simulated,
            seconds_since_beat=None if self.ended else since,
            ended=self.ended and not failed,
        )
        if view.text != self.link_label.text():
            self.link_label.setText(view.text)
            self.link_dot.setStyleSheet(f"color: {view.color}; font-size: 16px;")

    # -- the end --------------------------------------------------------------------------------
    def _session_done(self) -> None:
        self.ended = True
        self.result = self.runner.result
        try:
            self._receive_all(self.runner.inbox.drain())
            if self.runner.error is not None:
                self.summary_title.setText("The session could not run")
                error = self.runner.error
                self.summary_sub.setText(str(error) or type(error).__name__)
                for tile in self.summary_tiles.values():
                    tile.setVisible(False)
                self._show_page(self.summary_page)
            elif self.plan:
                self._show_assessment_result()
            else:
                self._show_summary()
                self._show_page(self.summary_page)
            self._show_plot(self._now_s())
            self._show_link(self._now_s())
            self._sync_buttons()
            self.message.setText("")
        except Exception:
            self.view_errors += 1
            log.exception("the window failed to show the end of the session")
        finally:
            self.session_ended.emit()  # whoever waits for the end (close, check-in) must hear it

    def _show_assessment_result(self) -> None:
        from hrvcoach.assess import AssessmentOutcome

        outcome = self.runner.summary
        if not isinstance(outcome, AssessmentOutcome):  # the scoring failed: it was logged
            outcome = AssessmentOutcome(
                None, problem="The steps could not be scored (see the log)."
            )
        self.result_page.show_result(result_view(outcome))
        # the result needs the room: the guide has said all it can, and the trace is history now
        for widget in (self.guide, self.legend, self.plot):
            if widget is not None:
                widget.setVisible(False)
        self._show_page(self.result_page)

    def _show_summary(self) -> None:
        result = self.result
        summary = self.runner.summary
        final = result.final_metrics if result is not None else None

        def pick(name: str, live_name: str | None = None) -> float | None:
            value = as_float(field_of(summary, name))
            if value is None and final is not None:
                value = as_float(getattr(final, live_name or name, None))
            return value

        dur = self.session.active_s(result.t_s) if result is not None else None
        if result is not None and result.ended_by == "duration" and self.session.duration_s:
            dur = self.session.duration_s  # it ran its set length; the last beat came a bit before
        kind = getattr(getattr(self.session.source, "info", None), "kind", None)
        ended = ended_words(result.ended_by, kind) if result is not None else ""
        self.summary_title.setText(f"Session complete  ·  {fmt_clock(dur, nearest=True)}")
        lines = [f"Ended: {ended}."]
        if result is not None and result.recording is not None:
            lines.append(f"Saved to {result.recording}")
        if summary is None:
            lines.append("Numbers from the last minute of the session.")
        self.summary_sub.setText("   ".join(lines))
        t = self.summary_tiles
        t["mean_hr_bpm"].value.setText(fmt_number(pick("mean_hr_bpm")))
        t["rmssd_ms"].value.setText(fmt_number(pick("rmssd_ms")))
        t["sdnn_ms"].value.setText(fmt_number(pick("sdnn_ms")))
        t["coherence"].value.setText(fmt_number(pick("coherence"), 1))
        # the breathing rhythm in the heart rate: coherence's peak, else the LF band's peak
        peak = next(
            (
                v
                for v in (
                    as_float(field_of(summary, "coherence_peak_hz")),
                    as_float(field_of(summary, "lf_peak_hz")),
                    as_float(getattr(final, "coherence_peak_hz", None)),
                    as_float(getattr(final, "lf_peak_hz", None)),
                )
                if v is not None
            ),
            None,
        )
        t["resonance"].value.setText(fmt_number(None if peak is None else peak * 60.0, 1))
        beats = as_float(field_of(summary, "beats"))
        if beats is None and result is not None:
            beats = float(result.beats)
        t["beats"].value.setText(fmt_number(beats))
        # Two counts that need not agree: the whole-session analysis corrects the full recording
        # at once, the live pipeline corrected beat by beat (the header's count). Each is named.
        corrected = as_float(field_of(summary, "artifacts_corrected"))
        if corrected is not None:
            t["beats"].detail.setText(f"{int(corrected)} corrected in the whole-session analysis")
        elif final is not None:
            t["beats"].detail.setText(f"{final.artifacts} corrected live")
        if result is not None and result.gaps:
            t["beats"].detail.setText(t["beats"].detail.text() + f"  ·  {result.gaps} gaps")
        self.summary_spark.show_series(self._coh_t, self._coh_v)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing the window ends the session cleanly: the recording is closed by its owner.
        if self.runner.running:
            self.runner.stop("stopped")
        self._timer.stop()
        super().closeEvent(event)
        self.closed.emit()
