"""The picture of one session: heart rate with the pacer, RMSSD and coherence, the spectrum and
the numbers, as PNG and HTML."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hrvcoach.reports.session import SessionReport, _time_axis, summary_lines
from hrvcoach.reports.styling import (
    ARTIFACT,
    BREATH,
    BREATH_SOFT,
    COHERENCE,
    HEART,
    HF_BAND,
    INK,
    LF_BAND,
    MUTED,
    RMSSD,
    _new_figure,
    _style,
    _write_text,
    figure_svg,
    html_page,
    save_png,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def session_figure(report: SessionReport) -> Figure:
    """Heart rate with the pacer, RMSSD and coherence over time, the spectrum and the numbers."""
    import matplotlib as mpl

    with mpl.rc_context(_style()):
        fig = _new_figure(11.0, 10.5)
        grid = fig.add_gridspec(
            4,
            2,
            height_ratios=[0.22, 1.7, 1.2, 1.7],
            width_ratios=[1.5, 1.0],
            hspace=0.55,
            wspace=0.18,
        )
        fig.subplots_adjust(left=0.07, right=0.93, top=0.965, bottom=0.06)
        head = fig.add_subplot(grid[0, :])
        head.axis("off")
        head.text(0, 1.0, report.title, fontsize=17, fontweight="bold", va="top")
        head.text(0, 0.1, report.subtitle, fontsize=10, color=MUTED, va="top")

        ax_hr = fig.add_subplot(grid[1, :])
        ax_live = fig.add_subplot(grid[2, :], sharex=ax_hr)
        _hr_panel(ax_hr, report)
        _live_panel(ax_live, report)
        ax_hr.tick_params(labelbottom=False)
        ax_live.set_xlabel(_time_axis(ax_live, report.duration_s))

        ax_spec = fig.add_subplot(grid[3, 0])
        _spectrum_panel(ax_spec, report)
        ax_num = fig.add_subplot(grid[3, 1])
        _numbers_panel(ax_num, report)
        return fig


def _hr_panel(ax: Any, report: SessionReport) -> None:
    for t0, dur in report.gaps:
        ax.axvspan(t0, t0 + dur, color="#eceff3", zorder=0, lw=0)
    if report.pacer_t_s.size:
        breath = ax.twinx()
        breath.fill_between(
            report.pacer_t_s,
            0,
            report.pacer_volume,
            color=BREATH_SOFT,
            lw=0,
            zorder=0,
            label="pacer (up = inhale)",
        )
        breath.plot(report.pacer_t_s, report.pacer_volume, color=BREATH, lw=0.8, alpha=0.8)
        breath.set_ylim(0, 2.4)  # the breath fills the lower part; heart rate reads above it
        breath.set_yticks([])
        breath.spines["right"].set_visible(False)
        breath.grid(False)
        ax.set_zorder(breath.get_zorder() + 1)
        ax.patch.set_visible(False)
    if report.window_s is not None:
        _hr_windows(ax, report)
        return
    ax.plot(report.beat_t_s, report.hr_bpm, color=HEART, lw=1.3, label="heart rate")
    if report.artifact_t_s.size:
        hr_at = np.interp(report.artifact_t_s, report.beat_t_s, report.hr_bpm)
        ax.plot(
            report.artifact_t_s,
            hr_at,
            "x",
            color=ARTIFACT,
            ms=7,
            mew=1.8,
            label=f"corrected beat ({report.artifact_t_s.size})",
        )
    lo, hi = np.percentile(report.hr_bpm, [0.5, 99.5])
    pad = max(3.0, (hi - lo) * 0.15)
    # Room below for the breathing band and above for the legend.
    ax.set_ylim(lo - pad - (hi - lo) * 0.5, hi + pad + (hi - lo) * 0.4)
    ax.set_ylabel("heart rate (bpm)")
    if report.pacer_t_s.size:
        ax.set_title("Heart rate and the pacer  (the heart should rise with each in-breath)")
    else:
        ax.set_title("Heart rate  (no pacer in this recording)")
    handles, labels = ax.get_legend_handles_labels()
    if report.pacer_t_s.size:
        from matplotlib.patches import Patch

        handles.append(Patch(color=BREATH_SOFT, label="pacer: breathing in ↑, out ↓"))
        labels.append("pacer: breathing in ↑, out ↓")
    ax.legend(
        handles,
        labels,
        loc="upper right",
        ncols=3,
        frameon=True,
        framealpha=0.85,
        facecolor="white",
        edgecolor="none",
    )


def _window_text(window_s: float) -> str:
    return f"{window_s / 60:g} min"


def _hr_windows(ax: Any, report: SessionReport) -> None:
    """Heart rate of a long recording: median per window, the 10th-90th percentile band, and the
    corrected beats as a rug along the bottom (hundreds of crosses would hide the curve)."""
    every = _window_text(report.window_s or 0.0)
    t = report.hr_window_t_s
    ax.fill_between(
        t,
        report.hr_window_low_bpm,
        report.hr_window_high_bpm,
        color=HEART,
        alpha=0.22,
        lw=0,
        label="10th-90th percentile",
    )
    ax.plot(t, report.hr_window_bpm, color=HEART, lw=1.6, label=f"median per {every}")
    ok = np.isfinite(report.hr_window_bpm)
    lo = float(np.nanmin(report.hr_window_low_bpm[ok])) if ok.any() else 40.0
    hi = float(np.nanmax(report.hr_window_high_bpm[ok])) if ok.any() else 100.0
    pad = max(3.0, (hi - lo) * 0.15)
    bottom, top = lo - pad - (hi - lo) * 0.15, hi + pad + (hi - lo) * 0.35
    if report.artifact_t_s.size:
        ax.plot(
            report.artifact_t_s,
            np.full(report.artifact_t_s.size, bottom + (top - bottom) * 0.03),
            "|",
            color=ARTIFACT,
            ms=8,
            mew=0.8,
            alpha=0.6,
            label=f"corrected beat ({report.artifact_t_s.size})",
        )
    ax.set_ylim(bottom, top)
    ax.set_ylabel("heart rate (bpm)")
    pace = (
        ""
        if not report.pace_changes
        else "; pace " + ", ".join(label for _, label in report.pace_changes)
    )
    ax.set_title(f"Heart rate, in {every} windows  (a long recording{pace})")
    ax.legend(
        loc="upper right",
        ncols=3,
        frameon=True,
        framealpha=0.85,
        facecolor="white",
        edgecolor="none",
    )


def _live_panel(ax: Any, report: SessionReport) -> None:
    ok = np.isfinite(report.live_rmssd_ms)
    windowed = report.window_s is not None
    every = _window_text(report.window_s or 0.0)
    ax.plot(
        report.live_t_s[ok],
        report.live_rmssd_ms[ok],
        color=RMSSD,
        lw=1.8,
        label=f"RMSSD per {every} (ms)" if windowed else "RMSSD, last 60 s (ms)",
    )
    ax.set_ylabel("RMSSD (ms)", color=RMSSD)
    if ok.any():
        ax.set_ylim(0, np.nanmax(report.live_rmssd_ms) * 1.2)
    coh = ax.twinx()
    coh.grid(False)
    coh.spines["right"].set_visible(True)
    okc = np.isfinite(report.live_coherence)
    coh.plot(
        report.live_t_s[okc],
        report.live_coherence[okc],
        color=COHERENCE,
        lw=1.8,
        label=f"coherence, mean per {every}" if windowed else "coherence, last 64 s",
    )
    coh.set_ylabel("coherence", color=COHERENCE)
    top = float(np.nanmax(report.live_coherence)) if okc.any() else 1.0
    coh.set_ylim(0, max(1.0, top * 1.15))
    ax.set_title(
        "RMSSD and coherence through the recording"
        if windowed
        else "RMSSD and coherence through the session"
    )
    handles = ax.get_legend_handles_labels()[0] + coh.get_legend_handles_labels()[0]
    ax.legend(handles, [str(h.get_label()) for h in handles], loc="upper left", ncols=2)


def _spectrum_panel(ax: Any, report: SessionReport) -> None:
    lf, hf = report.lf_band_hz, report.hf_band_hz
    ax.axvspan(*lf, color=LF_BAND, lw=0)
    ax.axvspan(*hf, color=HF_BAND, lw=0)
    for (lo, hi), name in ((lf, "LF"), (hf, "HF")):
        ax.text(
            (lo + hi) / 2,
            0.97,
            f"{name}\n{lo:g}-{hi:g} Hz",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=8.5,
            color=MUTED,
        )
    if report.freq_hz.size:
        sel = report.freq_hz <= 0.5
        ax.plot(report.freq_hz[sel], report.power_ms2_hz[sel], color=INK, lw=1.5)
        ax.fill_between(report.freq_hz[sel], 0, report.power_ms2_hz[sel], color=INK, alpha=0.07)
        top = float(report.power_ms2_hz[sel].max())
        # Slow drifts (below the LF band) can dwarf the bands that matter here; scale to the bands
        # and say that the very-low frequencies run off the top.
        bands = sel & (report.freq_hz >= lf[0])
        in_bands = float(report.power_ms2_hz[bands].max()) if bands.any() else top
        if 0 < in_bands < top / 3:
            top = in_bands
            ax.set_title("RR spectrum  (very-low frequencies run off the top)")
        ax.set_ylim(0, top * 1.25 if top > 0 else 1)
        if report.peak_hz is not None:
            p = float(np.interp(report.peak_hz, report.freq_hz, report.power_ms2_hz))
            ax.plot([report.peak_hz], [p], "v", color=COHERENCE, ms=8)
            ax.annotate(
                f"peak {report.peak_hz:.3f} Hz\n= {report.peak_hz * 60:.1f} breaths/min",
                xy=(report.peak_hz, p),
                # Beside a tall peak; above a low one, where it cannot run into the axis labels.
                xytext=(12, -6) if p > 0.5 * top else (6, 12),
                textcoords="offset points",
                fontsize=9,
                color=INK,
                va="top" if p > 0.5 * top else "bottom",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    else:
        ax.text(
            0.5, 0.5, "too short for a spectrum", transform=ax.transAxes, ha="center", color=MUTED
        )
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(_short_number))
    ax.set_xlim(0, 0.5)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (ms²/Hz)")
    if not ax.get_title():
        ax.set_title("RR spectrum")


def _short_number(value: float, _pos: object = None) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def _numbers_panel(ax: Any, report: SessionReport) -> None:
    ax.axis("off")
    ax.set_title("Whole session")
    rows = summary_lines(report)
    step = 1.0 / (len(rows) + 0.5)
    for i, (label, value) in enumerate(rows):
        y = 1.0 - (i + 0.6) * step
        ax.text(0.0, y, label, color=MUTED, fontsize=10, va="center", transform=ax.transAxes)
        ax.text(
            1.0,
            y,
            value,
            color=INK,
            fontsize=10,
            va="center",
            ha="right",
            fontweight="bold",
            transform=ax.transAxes,
        )


def write_session_png(report: SessionReport, path: Path) -> None:
    """The session picture as a PNG file."""
    save_png(session_figure(report), path)


def session_html(report: SessionReport) -> str:
    """The session as a self-contained HTML page (inline SVG and the numbers as a table)."""
    svg = figure_svg(session_figure(report))
    table = (
        "<table>"
        + "".join(
            f'<tr><th>{html.escape(label)}</th><td class="n">{html.escape(value)}</td></tr>'
            for label, value in summary_lines(report)
        )
        + "</table>"
    )
    # The picture carries the title and the subtitle; the table repeats its numbers as text.
    return html_page(report.title, [("", svg), ("Numbers", table)], heading=False)


def write_session_html(report: SessionReport, path: Path) -> None:
    """The session page as an HTML file."""
    _write_text(path, session_html(report))
