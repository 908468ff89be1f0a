"""A short ECG excerpt around the session's premature beats, when ECG was recorded.

Up to four strap beats whose shape the ECG calls premature (``docs/ecg.md``), spread over the
session, each with two seconds either side: the premature beat marked, its neighbours for
comparison. A session without ECG, or without a premature beat, has no excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hrvcoach.reports.styling import HEART, INK, MUTED, _new_figure, _style, figure_svg, save_png

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    from matplotlib.figure import Figure

    from hrvcoach.recording import Recording

HALF_WIDTH_S = 2.0
MAX_EXCERPTS = 4


@dataclass(frozen=True, eq=False)
class Excerpt:
    """Seconds of ECG around one premature beat."""

    t_s: np.ndarray
    uv: np.ndarray
    premature_t_s: float
    others_t_s: np.ndarray  #: the R-peaks of the other beats in the excerpt


@dataclass(frozen=True)
class EcgExcerpts:
    """The excerpts of one session and how many beats were premature by shape."""

    excerpts: tuple[Excerpt, ...]
    premature: int
    beats: int


def ecg_excerpts(recording: Recording) -> EcgExcerpts | None:
    """Excerpts around premature beats (``None``: no ECG recorded, or none premature)."""
    import numpy as np

    from hrvcoach.companion import load_tracks
    from hrvcoach.ecg.beats import classify, match_to_strap, r_peaks

    track = load_tracks(recording.path, recording.meta.extra).get("ecg")
    if track is None or len(track) < 4 * track.rate_hz:
        return None
    uv = track.values[:, 0].astype(float)
    ecg = classify(track.t_s, uv, track.rate_hz, r_peaks(uv, track.rate_hz))
    # only R-peaks the strap counted as beats: a stray peak (the filter settling at the start, a
    # movement) is not a premature beat
    matching = match_to_strap(ecg.t_s, np.array([b.t_s for b in recording.beats]))
    beat_peaks = matching.peak_of_beat[matching.peak_of_beat >= 0]
    premature = np.sort(ecg.t_s[beat_peaks][ecg.premature[beat_peaks]])
    if len(premature) == 0:
        return None
    picks = np.unique(np.linspace(0, len(premature) - 1, min(MAX_EXCERPTS, len(premature))))
    excerpts = []
    for i in picks.astype(int):
        centre = float(premature[i])
        inside = (track.t_s >= centre - HALF_WIDTH_S) & (track.t_s <= centre + HALF_WIDTH_S)
        near = (ecg.t_s >= centre - HALF_WIDTH_S) & (ecg.t_s <= centre + HALF_WIDTH_S)
        others = ecg.t_s[near & (np.abs(ecg.t_s - centre) > 1e-6)]
        excerpts.append(Excerpt(track.t_s[inside], uv[inside], centre, others))
    return EcgExcerpts(tuple(excerpts), len(premature), len(ecg.t_s))


def ecg_figure(found: EcgExcerpts) -> Figure:
    """One row per excerpt: the ECG, the premature beat marked."""
    import matplotlib as mpl

    with mpl.rc_context(_style()):
        n = len(found.excerpts)
        fig = _new_figure(11.0, 1.2 + 1.6 * n)
        axes = fig.subplots(n, 1, squeeze=False)[:, 0]
        fig.subplots_adjust(left=0.07, right=0.97, top=1 - 0.55 / (1.2 + 1.6 * n), hspace=0.55)
        fig.suptitle(
            f"ECG around premature beats ({found.premature} of {found.beats} beats by shape)",
            x=0.07,
            ha="left",
            fontsize=13,
            fontweight="bold",
            color=INK,
        )
        for ax, ex in zip(axes, found.excerpts, strict=True):
            rel = ex.t_s - ex.premature_t_s
            ax.plot(rel, ex.uv / 1000.0, color=INK, linewidth=0.9)
            ax.axvline(0.0, color=HEART, linewidth=6, alpha=0.25)
            for t in ex.others_t_s:
                ax.axvline(t - ex.premature_t_s, color=MUTED, linewidth=0.6, linestyle=":")
            minutes, seconds = divmod(ex.premature_t_s, 60.0)
            ax.set_title(f"at {int(minutes)}:{seconds:04.1f}", fontsize=10)
            ax.set_xlim(-HALF_WIDTH_S, HALF_WIDTH_S)
            ax.set_ylabel("mV", color=MUTED)
        axes[-1].set_xlabel("seconds from the premature beat (shaded); dotted: the other beats")
        return fig


def write_ecg_png(found: EcgExcerpts, path: Path) -> None:
    save_png(ecg_figure(found), path)


def ecg_section_html(found: EcgExcerpts) -> str:
    """The excerpt as an HTML section (an inline SVG)."""
    return "<h2>ECG around premature beats</h2>\n" + figure_svg(ecg_figure(found))
