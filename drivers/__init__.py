"""Sources of beats: BLE strap (``ble_hr``), recorded-file replay (``replay``), the simulator.

Installed as ``hrvcoach.drivers``. Every driver is an async context manager and an async iterator of
:data:`hrvcoach.beats.Event` (see :class:`hrvcoach.beats.BeatSource`). :func:`open_source` picks one
from a ``--device`` spec; each driver module is imported only when chosen, so a replay never loads
bleak and a strap session never loads the simulator.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hrvcoach.errors import DeviceError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hrvcoach.beats import BeatSource
    from hrvcoach.pacer import Pacer
    from hrvcoach.protocols.phases import Phase
    from hrvcoach.timing import Playback


def is_simulator_spec(spec: str | None) -> bool:
    return spec is not None and (spec == "sim" or spec.startswith("sim:"))


def open_source(
    spec: str | None,
    *,
    playback: Playback,
    pacer: Pacer,
    data_dir: Path,
    duration_s: float | None = None,
    start_time: datetime | None = None,
    phases: Sequence[Phase] | None = None,
    ecg: bool = True,
    motion: bool = True,
) -> BeatSource:
    """The source a ``--device`` spec names.

    Args:
        spec: ``sim`` or ``sim:key=value,...`` (simulator); ``replay:PATH`` or the path of an
            existing recording (replay); anything else is a strap's address, exact name or unique
            name prefix; ``None`` means the last strap that connected.
        playback: Timing for the simulator and replay (real time, ``--speed`` or ``--fast``).
        pacer: The session's pacer (the simulator breathes with it).
        data_dir: The user's data directory (the BLE driver remembers the last strap there).
        duration_s: Simulator length; other sources end on their own or when the session stops.
        start_time: Wall-clock start of the session, for sources that do not know it.
        phases: A guided protocol's phases: the simulator goes through them (breathing at its
            own rate where no pacer leads, its heart rate raised by an activation); a strap's
            wearer does that on their own.
        ecg: Stream a Polar strap's ECG when it offers it (``--no-ecg`` turns it off).
        motion: Stream its chest motion likewise (``--no-motion``).
    """
    if is_simulator_spec(spec):
        from hrvcoach.drivers.simulated import SimParams, SimulatedSource

        assert spec is not None
        return SimulatedSource(
            SimParams.from_spec(spec),
            pacer=pacer,
            playback=playback,
            duration_s=duration_s,
            start_time=start_time,
            ecg=ecg,
            motion=motion,
            phases=phases,
        )
    if spec is not None and (spec.startswith("replay:") or Path(spec).is_file()):
        from hrvcoach.drivers.replay import ReplaySource

        path = Path(spec.removeprefix("replay:"))
        if not path.is_file():
            raise DeviceError(f"no recording at {path}")
        return ReplaySource(path, playback=playback)
    if not (playback.speed == 1.0 and not playback.fast):
        raise DeviceError("--speed and --fast apply to the simulator and replays, not to a strap")
    from hrvcoach.drivers.ble_hr import BleHeartRateSource

    return BleHeartRateSource(spec, data_dir=data_dir, ecg=ecg, motion=motion)
