"""How smooth and how light the practice window is, offscreen, on this machine.

Runs the practice window for ``--seconds`` (default 60) of a session at real speed, from the
simulator or a bundled recording replayed, and reports:

* frames per second of the pacer and the p99 interval between its painted frames;
* the window's own work per frame (the frame timer's slot) and the plot's paint time, p50/p99;
* beat to screen: from the session thread handing a beat over to the first plot paint showing it;
* process CPU (both threads, ``resource.getrusage``) as a percentage of one core;
* startup: from the start of this script (before Qt is imported) to the first painted frame.

Timings on a shared machine are noisy, so the same numbers are taken first for a baseline in the
same process (a bare widget painting one antialiased circle from the same frame timer) and the
window's are also given as ratios to it.

    .ci/venv python benchmarks/bench_window.py [--seconds 60] [--source sim|replay] [--guided]

``--guided`` runs the guided resonance assessment instead (the simulator paced through 30 s
steps, the guide above the pacer redrawn every frame).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: the stdlib imports above take a few ms; Qt, pyqtgraph and the pipeline load after this
T_SCRIPT_S = time.perf_counter()

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100.0 * len(ordered)))]


@dataclass(frozen=True)
class Run:
    fps: float
    interval_p99_ms: float
    cpu_pct: float


def baseline(app: object, seconds: float) -> Run:
    """A bare widget repainting a circle from the window's frame timer."""
    from PySide6.QtCore import QEventLoop, QPointF, Qt, QTimer
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtWidgets import QWidget

    from hrvcoach.gui.window import FRAME_MS

    class Circle(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []
            self.r = 0.0

        def paintEvent(self, event: object) -> None:
            self.times.append(time.perf_counter())
            p = QPainter(self)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.fillRect(self.rect(), QColor("#161b24"))
            p.setBrush(QColor("#6cc3b5"))
            p.drawEllipse(QPointF(self.width() / 2, self.height() / 2), self.r, self.r)
            p.end()

    w = Circle()
    w.resize(500, 400)
    w.show()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)

    def tick() -> None:
        w.r = 80 + 60 * abs(((time.perf_counter() * 0.1) % 1.0) - 0.5)
        w.update()

    timer.timeout.connect(tick)
    loop = QEventLoop()
    c0, t0 = cpu_s(), time.perf_counter()
    timer.start(FRAME_MS)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    timer.stop()
    wall = time.perf_counter() - t0
    cpu = cpu_s() - c0
    w.close()
    intervals = [(b - a) * 1000 for a, b in zip(w.times, w.times[1:], strict=False)]
    return Run(len(w.times) / wall, pct(intervals, 99), 100.0 * cpu / wall)


def make_guided_session(seconds: float) -> tuple[object, object]:
    from hrvcoach.assess import plan_steps, protocol_pacer
    from hrvcoach.drivers.simulated import SimParams, SimulatedSource
    from hrvcoach.live import LiveHrv
    from hrvcoach.session import Session
    from hrvcoach.timing import Playback

    n = max(2, int((seconds + 30.0) // 30.0))
    rates = [6.5 - 0.5 * (i % 5) for i in range(n)]
    steps = plan_steps(rates, step_s=30.0, settle_s=0.0)
    pacer = protocol_pacer(steps)
    source = SimulatedSource(SimParams(resonance_bpm=5.0), pacer=pacer, playback=Playback())
    return Session(source, pacer=pacer, live=LiveHrv(), duration_s=steps[-1].end_s), steps


def make_session(kind: str, seconds: float) -> object:
    from hrvcoach.drivers.replay import ReplaySource
    from hrvcoach.drivers.simulated import SimParams, SimulatedSource
    from hrvcoach.live import LiveHrv
    from hrvcoach.pacer import BreathPattern, Pacer
    from hrvcoach.session import Session
    from hrvcoach.timing import Playback

    pacer = Pacer(BreathPattern(6.0))
    if kind == "sim":
        source = SimulatedSource(SimParams(), pacer=pacer, playback=Playback())
    else:
        source = ReplaySource(ROOT / "recordings" / "sim-6bpm-5min.csv", playback=Playback())
    return Session(source, pacer=pacer, live=LiveHrv(), duration_s=seconds + 30.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--source", choices=("sim", "replay"), default="replay")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--guided", action="store_true", help="the guided assessment window")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.split("x"))

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from hrvcoach.gui.bridge import SessionRunner, warm_up
    from hrvcoach.gui.window import PracticeWindow

    ready = warm_up()  # as run_practice_window does
    app = QApplication.instance() or QApplication(sys.argv[:1])
    plan = None
    if args.guided:
        session, plan = make_guided_session(args.seconds)
    else:
        session = make_session(args.source, args.seconds)
    runner = SessionRunner(session, ready=ready)  # type: ignore[arg-type]
    window = PracticeWindow(runner, title="bench", plan=plan)  # type: ignore[arg-type]
    window.resize(width, height)
    window.show()
    loop = QEventLoop()
    first_paint: list[float] = []

    def watch_first() -> None:
        if window.pacer.paint_perf_s and not first_paint:
            first_paint.append(window.pacer.paint_perf_s[0])
        else:
            QTimer.singleShot(5, watch_first)

    watch_first()
    c0, t0 = cpu_s(), time.perf_counter()
    QTimer.singleShot(int(args.seconds * 1000), loop.quit)
    loop.exec()
    wall = time.perf_counter() - t0
    cpu = cpu_s() - c0
    runner.stop()
    runner.wait(10.0)
    window.close()

    paints = [t for t in window.pacer.paint_perf_s if t >= t0]
    intervals = [(b - a) * 1000 for a, b in itertools.pairwise(paints)]
    work = list(window.stats.frame_work_ms or [])
    frame_ms = list(window.stats.frame_time_ms or [])
    plot_ms = list(window.plot.paint_ms)
    pacer_ms = list(window.pacer.paint_ms)
    b2s = list(window.stats.beat_to_screen_ms or [])
    fps = len(paints) / wall
    p99 = pct(intervals, 99)
    cpu_pct = 100.0 * cpu / wall
    startup = (first_paint[0] - T_SCRIPT_S) if first_paint else float("nan")

    base = baseline(app, args.baseline_seconds)

    what = "guided assessment, sim" if args.guided else args.source
    print(f"practice window {width}x{height}, {what} at real speed, {wall:.0f} s")
    print(f"  startup to first painted frame  {startup:6.2f} s      (target < 3 s)")
    print(f"  pacer frames per second         {fps:6.1f}        (target >= 30)")
    print(
        f"  frame interval p50 / p99        {pct(intervals, 50):6.1f} / {p99:.1f} ms "
        f"(the timer period is 20 ms)"
    )
    print(
        f"  frame time p50 / p99            {pct(frame_ms, 50):6.2f} / {pct(frame_ms, 99):.2f} ms "
        "(target p99 < 25 ms; timer slot to the end of its last paint)"
    )
    print(f"  frame work p50 / p99            {pct(work, 50):6.2f} / {pct(work, 99):.2f} ms")
    print(
        f"  pacer paint p50 / p99           {pct(pacer_ms, 50):6.2f} / {pct(pacer_ms, 99):.2f} ms"
    )
    print(
        f"  plot paint p50 / p99 ({len(plot_ms):4d})    {pct(plot_ms, 50):6.2f} / "
        f"{pct(plot_ms, 99):.2f} ms"
    )
    if b2s:
        print(
            f"  beat to screen p50 / p99 / max  {statistics.median(b2s):6.1f} / "
            f"{pct(b2s, 99):.1f} / {max(b2s):.1f} ms  ({len(b2s)} beats; target < 100 ms)"
        )
    print(f"  process CPU                     {cpu_pct:6.1f} % of one core (target < 30 %)")
    print(f"baseline (bare widget, one circle, same timer), {args.baseline_seconds:.0f} s")
    print(
        f"  fps {base.fps:.1f}, interval p99 {base.interval_p99_ms:.1f} ms, "
        f"CPU {base.cpu_pct:.1f} %"
    )
    print("ratios window / baseline")
    print(
        f"  fps {fps / base.fps:.2f}, interval p99 {p99 / base.interval_p99_ms:.2f}, "
        f"CPU {cpu_pct / max(base.cpu_pct, 0.1):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
