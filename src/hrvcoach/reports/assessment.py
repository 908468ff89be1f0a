"""The resonance assessment as a picture: each criterion per breathing rate, the winner marked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.errors import UsageError

if TYPE_CHECKING:
    from hrvcoach.assess import AssessmentResult


def write_assessment_png(result: AssessmentResult, path: Path) -> None:
    """Bars of each criterion per rate, the chosen rate highlighted (``assess --png``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    steps = [s for s in result.steps if s.usable]
    if not steps:
        raise UsageError("--png: no step had enough signal to draw")
    labels = [f"{s.rate_bpm:g}" for s in steps]
    chosen = result.resonance_bpm if result.resonance_bpm is not None else result.best_bpm
    colors = ["#d1495b" if s.rate_bpm == chosen else "#8fb8de" for s in steps]
    panels: list[tuple[str, list[float]]] = [
        ("peak-to-trough HR (bpm)", [s.peak_trough_bpm or 0.0 for s in steps]),
        ("LF power (ms²)", [s.lf_ms2 or 0.0 for s in steps]),
        ("LF peak height (ms²/Hz)", [s.lf_peak_ms2_hz or 0.0 for s in steps]),
        ("phase, HR vs breath (deg)", [s.phase_deg or 0.0 for s in steps]),
        ("coherence ratio", [s.coherence or 0.0 for s in steps]),
        (
            "combined score",
            [sc for s, sc in zip(result.steps, result.scores, strict=True) if s.usable],
        ),
    ]
    fig = Figure(figsize=(10, 6.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 3)
    for ax, (title, values) in zip(axes.flat, panels, strict=True):
        ax.bar(labels, values, color=colors)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("breaths/min")
        if title.startswith("phase"):
            ax.axhline(0.0, color="#555555", linewidth=0.8)
            ax.set_ylim(-180, 180)
    verdict = (
        f"resonance {chosen:g} breaths/min ({result.confidence})"
        if result.resonance_bpm is not None
        else "no clear resonance"
    )
    fig.suptitle(f"Resonance assessment: {verdict}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    except OSError as err:
        raise UsageError(f"--png: cannot write {path}: {err.strerror or err}") from None
