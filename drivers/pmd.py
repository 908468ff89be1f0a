"""A Polar strap's ECG and chest-motion streams (PMD) beside its heart beats, through bleak.

:class:`PmdStreams` belongs to one :class:`~hrvcoach.drivers.ble_hr.BleHeartRateSource`. On every
connection it looks for the PMD service; when the strap has it, it subscribes to the control point
(indications) and the data (notifications), reads the features, and for each wanted stream asks
for its settings and starts it (``docs/pmd.md``). Decoded frames go out as
:class:`~hrvcoach.signals.SampleBlock` items on the strap's own event queue, timed by one
:class:`~hrvcoach.pmd.clock.StrapClock` shared by both streams.

Nothing here may cost the session its heart beats: a strap without PMD is left as it is; an error
response, a timeout or a frame that cannot be read is one line (logged, and a status detail) and
the beats go on. A stream refused by the strap is not asked for again on a reconnection; a link
that keeps dropping soon after the streams start loses the heavier stream first (ECG), then the
other, with a line saying which.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bleak import BleakClient

from hrvcoach.pmd.clock import StrapClock, StreamDecoder
from hrvcoach.pmd.protocol import (
    ALREADY_IN_STATE,
    PMD_CONTROL_UUID,
    PMD_DATA_UUID,
    PMD_SERVICE_UUID,
    ControlResponse,
    MeasurementType,
    Op,
    PmdError,
    Setting,
    choose_settings,
    get_settings_request,
    parse_features,
    parse_response,
    start_request,
    stop_request,
)
from hrvcoach.signals import ACC, ECG

log = logging.getLogger(__name__)

#: what is asked for: ECG at its only rate; motion slow (breathing is slow, the radio is shared)
WANTED: dict[MeasurementType, dict[Setting, float]] = {
    MeasurementType.ECG: {Setting.SAMPLE_RATE: 130, Setting.RESOLUTION: 14},
    MeasurementType.ACC: {Setting.SAMPLE_RATE: 25, Setting.RESOLUTION: 16, Setting.RANGE: 2},
}
WORDS = {MeasurementType.ECG: "ECG", MeasurementType.ACC: "chest motion"}
#: the order streams are given up when the link cannot carry them: the heavier first
SHED_ORDER = (MeasurementType.ECG, MeasurementType.ACC)


@dataclass
class StreamState:
    """One wanted stream: whether it may be started, and its decoder once it ran."""

    wanted: bool
    refused: str | None = None  #: why it will not be asked for again
    decoder: StreamDecoder | None = None
    running: bool = False


class PmdStreams:
    """The PMD side of one strap connection after another.

    Args:
        ecg: Start the ECG stream when the strap offers it.
        motion: Start the accelerometer stream when the strap offers it.
        put: Hands a sample block (or nothing else) to the source's event queue.
        now_s: Session time now.
        say: Reports one line for the user (the source turns it into a status detail).
        response_timeout_s: How long to wait for each control-point response.
        unstable_window_s: A link lost this soon after the streams started counts against them...
        unstable_strikes: ...and this many such losses in a row shed the heaviest stream.
    """

    def __init__(
        self,
        *,
        ecg: bool,
        motion: bool,
        put: Callable[[object], None],
        now_s: Callable[[], float],
        say: Callable[[str], None],
        response_timeout_s: float = 3.0,
        unstable_window_s: float = 30.0,
        unstable_strikes: int = 2,
    ) -> None:
        self.streams = {
            MeasurementType.ECG: StreamState(ecg),
            MeasurementType.ACC: StreamState(motion),
        }
        self._put = put
        self._now_s = now_s
        self._say = say
        self.response_timeout_s = response_timeout_s
        self.unstable_window_s = unstable_window_s
        self.unstable_strikes = unstable_strikes
        self.clock = StrapClock()
        self.present = False  #: the strap has the PMD service
        self.frame_errors = 0
        self._responses: asyncio.Queue[ControlResponse] = asyncio.Queue()
        self._client: BleakClient | None = None
        self._started_at: float | None = None
        self._strikes = 0
        self._warned: set[str] = set()

    @property
    def wanted(self) -> bool:
        return any(s.wanted and s.refused is None for s in self.streams.values())

    @property
    def running(self) -> list[MeasurementType]:
        return [t for t, s in self.streams.items() if s.running]

    def kinds(self) -> list[str]:
        """The running streams as sample-block kinds (``ecg``, ``acc``), for the recording."""
        return [ECG if t == MeasurementType.ECG else ACC for t in self.running]

    def samples(self, measurement_type: MeasurementType) -> int:
        decoder = self.streams[measurement_type].decoder
        return decoder.samples if decoder is not None else 0

    # -- connection -----------------------------------------------------------------------------
    async def start(self, client: BleakClient) -> None:
        """Start the wanted streams on a new connection; never raises for a PMD problem."""
        self._client = client
        for state in self.streams.values():
            state.running = False
        if not self.wanted or client.services.get_service(PMD_SERVICE_UUID) is None:
            return
        self.present = True
        self._responses = asyncio.Queue()
        try:
            await client.start_notify(PMD_CONTROL_UUID, self._guard(client, self._on_control))
            await client.start_notify(PMD_DATA_UUID, self._guard(client, self._on_data))
            features = parse_features(await client.read_gatt_char(PMD_CONTROL_UUID))
            for mtype, state in self.streams.items():
                if not state.wanted or state.refused is not None:
                    continue
                if mtype not in features:
                    state.refused = "the strap does not offer it"
                    self._say(f"{WORDS[mtype]} is not offered by this strap")
                    continue
                await self._start_stream(client, mtype, state)
        except PmdError as err:
            self._say(f"ECG and chest motion not started: {err}; carrying on with heart beats")
        except Exception as err:  # a link lost mid-way is seen by the source's supervision
            if client.is_connected:
                self._say(f"ECG and chest motion not started ({err}); carrying on with heart beats")
            else:
                log.info("PMD start interrupted: %s", err)
        if self.running:
            self._started_at = self._now_s()

    async def _start_stream(
        self, client: BleakClient, mtype: MeasurementType, state: StreamState
    ) -> None:
        settings = await self._request(client, get_settings_request(mtype), Op.GET_SETTINGS, mtype)
        if not settings.ok:
            self._refuse(mtype, state, settings)
            return
        chosen = choose_settings(settings.settings, WANTED[mtype])
        rate = float(chosen.get(Setting.SAMPLE_RATE, WANTED[mtype][Setting.SAMPLE_RATE]))
        if state.decoder is None or state.decoder.rate_hz != rate:
            state.decoder = StreamDecoder(mtype, rate, self.clock)
        else:
            state.decoder.restart()
        # frames may arrive right behind the start response: take them from the request on
        state.running = True
        try:
            started = await self._request(client, start_request(mtype, chosen), Op.START, mtype)
        except BaseException:
            state.running = False
            raise
        if not started.ok and started.status != ALREADY_IN_STATE:
            state.running = False
            self._refuse(mtype, state, started)
            return
        state.decoder.factor = started.settings.get(Setting.FACTOR, (1.0,))[0]
        log.info("%s started at %g Hz", WORDS[mtype], rate)

    def _refuse(
        self, mtype: MeasurementType, state: StreamState, response: ControlResponse
    ) -> None:
        state.refused = response.describe()
        self._say(
            f"{WORDS[mtype]} not started: {response.describe()}; carrying on with heart beats"
        )

    async def _request(
        self, client: BleakClient, request: bytes, op: Op, mtype: MeasurementType
    ) -> ControlResponse:
        await client.write_gatt_char(PMD_CONTROL_UUID, request, response=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.response_timeout_s
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise PmdError(
                    f"the strap did not answer the {op.name.lower().replace('_', ' ')} request "
                    f"for {WORDS[mtype]} within {self.response_timeout_s:g} s"
                )
            try:
                response = await asyncio.wait_for(self._responses.get(), remaining)
            except TimeoutError:
                continue
            if response.op == op and response.measurement_type == mtype:
                return response
            log.debug("ignored an unexpected PMD response: %s", response.describe())

    async def stop(self) -> None:
        """Ask the strap to stop its streams (best effort, at the end of the session)."""
        client = self._client
        if client is None or not client.is_connected:
            return
        for mtype in self.running:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    client.write_gatt_char(PMD_CONTROL_UUID, stop_request(mtype), response=True),
                    1.0,
                )
            self.streams[mtype].running = False

    def link_lost(self) -> None:
        """The link dropped: if that keeps happening soon after the streams start, shed one."""
        running = self.running
        for state in self.streams.values():
            state.running = False
        if not running or self._started_at is None:
            return
        if self._now_s() - self._started_at > self.unstable_window_s:
            self._strikes = 0
            return
        self._strikes += 1
        if self._strikes < self.unstable_strikes:
            return
        self._strikes = 0
        shed = next(t for t in SHED_ORDER if t in running)
        self.streams[shed].refused = "the link could not carry it"
        kept = [WORDS[t] for t in running if t != shed]
        goes_on = " and ".join(["heart beats", *kept])
        self._say(
            f"the link kept dropping with {' and '.join(WORDS[t] for t in running)} streaming: "
            f"{WORDS[shed]} stopped; {goes_on} go on"
        )

    # -- notifications --------------------------------------------------------------------------
    def _guard(
        self, client: BleakClient, handler: Callable[[bytearray], None]
    ) -> Callable[[object, bytearray], None]:
        def on_value(_char: object, data: bytearray) -> None:
            if client is self._client:
                handler(data)

        return on_value

    def _on_control(self, data: bytearray) -> None:
        try:
            self._responses.put_nowait(parse_response(data))
        except PmdError as err:
            self._warn_once(f"control point: {err}")

    def _on_data(self, data: bytearray) -> None:
        arrival = self._now_s()
        if not data:
            return
        try:
            mtype = MeasurementType(data[0] & 0x3F)
        except ValueError:
            self._warn_once(f"ignored PMD data of measurement type {data[0] & 0x3F}")
            return
        state = self.streams.get(mtype)
        if state is None or state.decoder is None or not state.running:
            return
        try:
            block = state.decoder.decode(data, arrival)
        except PmdError as err:
            self.frame_errors += 1
            self._warn_once(str(err))
            return
        self._put(block)

    def _warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            log.warning("PMD: %s", message)
