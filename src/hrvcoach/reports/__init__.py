"""Pictures and numbers of the history (trends) and of one session (report), as PNG, HTML and text.

The numbers are computed as plain data (:class:`Trends`, :class:`SessionReport`), so the PNG, the
HTML page, the text summary and the trends window (:mod:`hrvcoach.gui.trends_window`) all show the
same values. Drawing uses matplotlib's Agg canvas (no display needed), imported only when a picture
is drawn. The HTML page is self-contained: its pictures are inline SVG, no scripts, nothing fetched
from the network.

One module per picture: :mod:`.trends` (the numbers) and :mod:`.trends_figure` (the picture),
:mod:`.session` and :mod:`.session_figure` for one session, and :mod:`.styling`, the palette and
drawing helpers they share.
"""

from hrvcoach.reports.session import (
    LONG_REPORT_S,
    MAX_REPORT_WINDOWS,
    MIN_WINDOW_DIFFS,
    REPORT_WINDOWS_S,
    SessionReport,
    duration_text,
    report_window_s,
    session_report,
    session_text,
    summary_lines,
)
from hrvcoach.reports.session_figure import (
    session_figure,
    session_html,
    write_session_html,
    write_session_png,
)
from hrvcoach.reports.styling import (
    HEAT,
    ReportError,
    _local_naive,
    broken_line,
    figure_svg,
    html_page,
    save_png,
)
from hrvcoach.reports.trends import (
    CSV_COLUMNS,
    DAILY_STRIP_MAX_DAYS,
    DEFAULT_MAX_DAYS,
    MIN_SPAN_DAYS,
    ROLLING_DAYS,
    DayTotal,
    Series,
    Trends,
    WeekTotal,
    compute_trends,
    streaks,
    trends_text,
    write_sessions_csv,
)
from hrvcoach.reports.trends_figure import (
    trends_figure,
    trends_html,
    write_trends_html,
    write_trends_png,
)

__all__ = [
    "CSV_COLUMNS",
    "DAILY_STRIP_MAX_DAYS",
    "DEFAULT_MAX_DAYS",
    "HEAT",
    "LONG_REPORT_S",
    "MAX_REPORT_WINDOWS",
    "MIN_SPAN_DAYS",
    "MIN_WINDOW_DIFFS",
    "REPORT_WINDOWS_S",
    "ROLLING_DAYS",
    "DayTotal",
    "ReportError",
    "Series",
    "SessionReport",
    "Trends",
    "WeekTotal",
    "_local_naive",
    "broken_line",
    "compute_trends",
    "duration_text",
    "figure_svg",
    "html_page",
    "report_window_s",
    "save_png",
    "session_figure",
    "session_html",
    "session_report",
    "session_text",
    "streaks",
    "summary_lines",
    "trends_figure",
    "trends_html",
    "trends_text",
    "write_session_html",
    "write_session_png",
    "write_sessions_csv",
    "write_trends_html",
    "write_trends_png",
]
