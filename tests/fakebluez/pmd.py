"""Polar's Measurement Data service on a fake strap: control point writes and indications, data
notifications of ECG and chest motion, as a Polar H10 answers them (``docs/pmd.md``).

The ECG is a real recording played at 130 Hz (the test passes its samples in microvolts); the chest
motion comes from a breathing model at a known rate: the chest tilts with each breath, which moves
gravity between the accelerometer's axes. Both run on the strap's own clock (nanoseconds since
2000-01-01, with an optional drift), so the driver's clock mapping is exercised too. Tests read back
every sample sent, every request written and every response indicated.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hrvcoach.pmd.frames import encode_frame
from hrvcoach.pmd.protocol import (
    MeasurementType,
    Op,
    PmdError,
    Setting,
    encode_features,
    encode_response,
    encode_settings,
    parse_settings,
)

ECG, ACC = MeasurementType.ECG, MeasurementType.ACC

#: what an H10 offers
OFFERED: dict[MeasurementType, dict[Setting, tuple[float, ...]]] = {
    ECG: {Setting.SAMPLE_RATE: (130,), Setting.RESOLUTION: (14,)},
    ACC: {
        Setting.SAMPLE_RATE: (25, 50, 100, 200),
        Setting.RESOLUTION: (16,),
        Setting.RANGE: (2, 4, 8),
    },
}
_INVALID = {Setting.SAMPLE_RATE: 8, Setting.RESOLUTION: 7, Setting.RANGE: 9}


def breathing_acc_mg(t_s: float, *, rate_bpm: float, amplitude_mg: float) -> tuple[float, ...]:
    """Gravity in the strap's axes while breathing at ``rate_bpm``: the chest tilts a little with
    each breath (in on the rise), so some of the 1000 mG moves between the y and z axes."""
    tilt = math.asin(min(1.0, amplitude_mg / 1000.0)) * math.sin(2 * math.pi * rate_bpm / 60 * t_s)
    base = math.radians(20)  # the strap sits a little tilted on the chest
    return (
        30.0 + 0.1 * amplitude_mg * math.sin(2 * math.pi * rate_bpm / 60 * t_s),
        1000.0 * math.sin(base + tilt),
        -1000.0 * math.cos(base + tilt),
    )


class FakePmd:
    """The PMD service of one fake strap.

    Args:
        ecg_uv: ECG samples in microvolts, played in a loop at 130 Hz (``None``: no ECG offered).
        breathing_bpm: Breathing rate of the motion model (``None``: no accelerometer offered).
        amplitude_mg: How much of gravity each breath moves between axes.
        noise_mg: Random jitter added to each motion sample (seeded: the same every run).
        errors: ``(op, measurement type) -> status`` answered instead of the real answer
            (e.g. ``{(Op.START, ECG): 10}``: INVALID MTU).
        answer: Whether the control point answers at all.
        ecg_per_frame, acc_per_frame: Samples per notification.
        drift_ppm: How much faster the strap's clock runs than the host's.
        unstable_with: Streams that, all running together for ``unstable_after_s`` strap seconds,
            make the link drop (a radio that cannot carry them).
    """

    def __init__(
        self,
        *,
        ecg_uv: Sequence[int] | None = None,
        breathing_bpm: float | None = 6.0,
        amplitude_mg: float = 60.0,
        noise_mg: float = 4.0,
        errors: Mapping[tuple[int, int], int] | None = None,
        answer: bool = True,
        ecg_per_frame: int = 73,
        acc_per_frame: int = 36,
        drift_ppm: float = 0.0,
        clock_start_ns: int = 599_616_000 * 1_000_000_000,
        unstable_with: Sequence[MeasurementType] = (),
        unstable_after_s: float = 2.0,
    ) -> None:
        self.ecg_uv = list(ecg_uv) if ecg_uv is not None else None
        self.breathing_bpm = breathing_bpm
        self.amplitude_mg = amplitude_mg
        self.noise_mg = noise_mg
        self.errors = dict(errors or {})
        self.answer = answer
        self.per_frame = {ECG: ecg_per_frame, ACC: acc_per_frame}
        self.drift = drift_ppm * 1e-6
        self.clock_start_ns = clock_start_ns
        self.unstable_with = frozenset(unstable_with)
        self.unstable_after_s = unstable_after_s
        self.features = {t for t, on in ((ECG, ecg_uv is not None), (ACC, breathing_bpm)) if on}
        self.requests: list[bytes] = []  #: every control-point write, in order
        self.responses: list[bytes] = []  #: every indication sent
        self.sent: dict[MeasurementType, list[tuple[int, ...]]] = {ECG: [], ACC: []}
        self.frames: dict[MeasurementType, list[bytes]] = {ECG: [], ACC: []}
        self.starts: dict[MeasurementType, int] = {ECG: 0, ACC: 0}
        self.first_index: dict[MeasurementType, list[int]] = {ECG: [], ACC: []}  #: per start
        self.running: dict[MeasurementType, float] = {}  # type -> strap time it started
        self._tasks: dict[MeasurementType, asyncio.Task[None]] = {}
        self._rng = random.Random(7)
        self._strap_s: Callable[[], float] = lambda: 0.0
        self._loop_at: Callable[[float], float] = lambda s: s
        self._drop: Callable[[], None] = lambda: None
        self.control: Any = None  # GattCharacteristic1 of the control point, while connected
        self.data: Any = None  # GattCharacteristic1 of the data, while connected

    def attach(
        self,
        *,
        strap_s: Callable[[], float],
        loop_at: Callable[[float], float],
        drop: Callable[[], None],
    ) -> None:
        """Wire to the strap: its clock (strap seconds now; loop time of a strap time) and its
        link (drop it)."""
        self._strap_s, self._loop_at, self._drop = strap_s, loop_at, drop

    # -- what tests read ------------------------------------------------------------------------
    def sent_ecg_uv(self) -> list[int]:
        return [v for (v,) in self.sent[ECG]]

    def sent_acc_mg(self) -> list[tuple[int, ...]]:
        return list(self.sent[ACC])

    # -- GATT -----------------------------------------------------------------------------------
    def features_value(self) -> bytes:
        return encode_features(self.features)

    def written(self, value: bytes) -> None:
        self.requests.append(bytes(value))
        if not self.answer:
            return
        response = self._answer(bytes(value))
        # the write's reply goes out first, then the indication, as on the air
        asyncio.get_running_loop().call_later(0.003, self._indicate, response)

    def _indicate(self, response: bytes) -> None:
        if self.control is not None and self.control.notifying:
            self.responses.append(response)
            self.control.notify(response)

    def _answer(self, value: bytes) -> bytes:
        if len(value) < 2:
            return encode_response(value[0] if value else 0, 0, 4)
        op, mtype = value[0], value[1]
        if (op, mtype) in self.errors:
            return encode_response(op, mtype, self.errors[(op, mtype)])
        if op not in (Op.GET_SETTINGS, Op.START, Op.STOP):
            return encode_response(op, mtype, 1)
        try:
            stream = MeasurementType(mtype)
        except ValueError:
            return encode_response(op, mtype, 2)
        if stream not in self.features:
            return encode_response(op, mtype, 3)
        if op == Op.GET_SETTINGS:
            return encode_response(op, mtype, parameters=encode_settings(OFFERED[stream]))
        if op == Op.STOP:
            self.stop(stream)
            return encode_response(op, mtype)
        try:
            asked = parse_settings(value[2:])
        except PmdError:
            return encode_response(op, mtype, 5)
        for kind, offered in OFFERED[stream].items():
            if kind not in asked or len(asked[kind]) != 1 or asked[kind][0] not in offered:
                return encode_response(op, mtype, _INVALID.get(kind, 5))
        if stream in self.running:
            return encode_response(op, mtype, 6)
        self._start(stream, float(asked[Setting.SAMPLE_RATE][0]))
        return encode_response(op, mtype)

    # -- streaming ------------------------------------------------------------------------------
    def _start(self, stream: MeasurementType, rate_hz: float) -> None:
        self.starts[stream] += 1
        self.running[stream] = self._strap_s()
        self._tasks[stream] = asyncio.get_running_loop().create_task(self._play(stream, rate_hz))

    def stop(self, stream: MeasurementType) -> None:
        self.running.pop(stream, None)
        task = self._tasks.pop(stream, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def stop_all(self) -> None:
        """The link went: the strap stops streaming (a new connection must start it again)."""
        for stream in list(self._tasks):
            self.stop(stream)
        self.running.clear()

    def _sample(self, stream: MeasurementType, k: int, rate_hz: float) -> tuple[int, ...]:
        if stream == ECG:
            assert self.ecg_uv is not None
            return (self.ecg_uv[k % len(self.ecg_uv)],)
        assert self.breathing_bpm is not None
        clean = breathing_acc_mg(
            k / rate_hz, rate_bpm=self.breathing_bpm, amplitude_mg=self.amplitude_mg
        )
        return tuple(round(v + self._rng.gauss(0.0, self.noise_mg)) for v in clean)

    async def _play(self, stream: MeasurementType, rate_hz: float) -> None:
        per = self.per_frame[stream]
        loop = asyncio.get_running_loop()
        k = math.ceil(self._strap_s() * rate_hz)  # samples before the start are not sent
        self.first_index[stream].append(k)
        with contextlib.suppress(asyncio.CancelledError):
            while stream in self.running:
                last_s = (k + per - 1) / rate_hz
                await asyncio.sleep(max(0.0, self._loop_at(last_s) - loop.time()))
                samples = [self._sample(stream, j, rate_hz) for j in range(k, k + per)]
                k += per
                stamp = self.clock_start_ns + round(last_s * (1.0 + self.drift) * 1e9)
                frame = encode_frame(stream, stamp, samples)
                if self.data is not None and self.data.notifying:
                    self.sent[stream] += samples
                    self.frames[stream].append(frame)
                    self.data.notify(frame)
                if self._unstable():
                    loop.call_soon(self._drop)
                    return

    def _unstable(self) -> bool:
        if not self.unstable_with or not self.unstable_with <= set(self.running):
            return False
        since = max(self.running[t] for t in self.unstable_with)
        return self._strap_s() - since >= self.unstable_after_s
