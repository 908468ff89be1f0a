"""ECG and chest motion from a Polar strap's PMD service, through the real bleak and the fake BlueZ.

The fake strap plays the real 130 Hz H10 ECG of ``../shared/data/rr/ectopic-polar-h10-ecg`` and
a breathing model on its accelerometer, answering control-point writes as an H10 does
(``docs/pmd.md``).
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fakebluez import FakeBluez, FakePmd, FakeStrap, dbus_daemon_path, private_bus

from hrvcoach.beats import Beat, DeviceStatus, LinkState
from hrvcoach.drivers.ble_hr import BleHeartRateSource
from hrvcoach.pmd.protocol import MeasurementType, Op
from hrvcoach.signals import ACC, ECG, SampleBlock

pytestmark = pytest.mark.skipif(
    dbus_daemon_path() is None,
    reason="dbus-daemon is not installed (apt-get install dbus-daemon), so BlueZ cannot be faked",
)

H10 = "A0:9E:1A:12:34:56"
FAST = {
    "scan_timeout_s": 3.0,
    "connect_timeout_s": 3.0,
    "watchdog_s": 2.0,
    "backoff_initial_s": 0.1,
    "backoff_max_s": 0.4,
    "burst_gap_s": 0.1,
    "prefix_wait_s": 0.3,
}


@pytest.fixture(scope="module")
def bus_address() -> Iterator[str]:
    with private_bus() as address:
        yield address


@pytest.fixture
async def bluez(bus_address: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBluez]:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_address)
    fake = await FakeBluez().start(bus_address)
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
async def no_task_left_behind() -> AsyncIterator[None]:
    yield
    await asyncio.sleep(0.01)
    current = asyncio.current_task()
    left = [
        t
        for t in asyncio.all_tasks()
        if t is not current
        and not t.done()
        and t.get_coro().__qualname__ != "BlueZManager._monitor_bus_disconnect"  # type: ignore[union-attr]
    ]
    assert not left, f"tasks left running: {left}"


@pytest.fixture(scope="module")
def h10_ecg_uv(request: pytest.FixtureRequest) -> list[int]:
    """The first minute of a real Polar H10 ECG (130 Hz), in microvolts."""
    shared: Path = request.getfixturevalue("shared_data")
    path = shared / "rr/ectopic-polar-h10-ecg/ecg_130hz.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))[: 130 * 60]
    return [round(float(r["ecg_mv"]) * 1000) for r in rows]


def pmd_strap(pmd: FakePmd, **kw: object) -> FakeStrap:
    kw.setdefault("speed", 6.0)
    return FakeStrap("Polar H10 1A2B3C4D", H10, [820.0, 860.0, 905.0, 880.0, 840.0], pmd=pmd, **kw)  # type: ignore[arg-type]


class Run:
    """A source running in the background, keeping everything it yields."""

    def __init__(self, src: BleHeartRateSource) -> None:
        self.src = src
        self.items: list[object] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Run:
        await self.src.__aenter__()
        self._task = asyncio.create_task(self._pump())
        return self

    async def _pump(self) -> None:
        async for item in self.src:
            self.items.append(item)

    async def __aexit__(self, *exc: object) -> None:
        self.src.stop()
        assert self._task is not None
        try:
            await asyncio.wait_for(self._task, 5.0)
        finally:
            await self.src.__aexit__(*exc)

    async def until(self, what: str, cond: object, timeout_s: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        while not cond():  # type: ignore[operator]
            assert self._task is not None
            if self._task.done():
                self._task.result()
                raise AssertionError(f"source ended while waiting for {what}")
            if loop.time() > end:
                raise AssertionError(f"timed out waiting for {what}; last: {self.items[-5:]}")
            await asyncio.sleep(0.02)

    def blocks(self, kind: str) -> list[SampleBlock]:
        return [b for b in self.items if isinstance(b, SampleBlock) and b.kind == kind]

    def values(self, kind: str) -> list[tuple[int, ...]]:
        return [v for b in self.blocks(kind) for v in b.values]

    @property
    def beats(self) -> list[Beat]:
        return [b for b in self.items if isinstance(b, Beat)]

    def details(self) -> list[str]:
        """The lines said while connected (about the streams)."""
        return [
            s.detail
            for s in self.items
            if isinstance(s, DeviceStatus) and s.state is LinkState.CONNECTED and s.detail
        ]


def source(data_dir: Path, **kw: object) -> BleHeartRateSource:
    return BleHeartRateSource(H10, data_dir=data_dir, **{**FAST, **kw})  # type: ignore[arg-type]


async def settle(pmd: FakePmd) -> None:
    """Stop the strap streaming and let what is in flight arrive, so sent and received compare."""
    pmd.stop_all()
    await asyncio.sleep(0.3)


async def test_ecg_and_motion_stream_beside_the_beats_every_sample_in_order(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(ecg_uv=h10_ecg_uv, breathing_bpm=6.0)
    bluez.add(pmd_strap(pmd))
    async with Run(source(data_dir)) as run:
        await run.until("ECG and motion", lambda: len(run.values(ECG)) > 1000 and run.values(ACC))
        await settle(pmd)
    assert run.values(ECG) == pmd.sent[MeasurementType.ECG]
    k0 = pmd.first_index[MeasurementType.ECG][0]
    assert [v for (v,) in run.values(ECG)] == h10_ecg_uv[k0 : k0 + len(run.values(ECG))]
    assert run.values(ACC) == pmd.sent[MeasurementType.ACC]
    assert len(run.beats) > 5
    # subscribe, then settings and start for each stream, as the specification orders it
    assert pmd.requests == [
        bytes.fromhex("01 00"),
        bytes.fromhex("02 00 00 01 82 00 01 01 0e 00"),
        bytes.fromhex("01 02"),
        bytes.fromhex("02 02 00 01 19 00 01 01 10 00 02 01 02 00"),
        # and at the end of the session, stopped
        bytes.fromhex("03 00"),
        bytes.fromhex("03 02"),
    ]
    assert all(not b.after_gap for b in run.blocks(ECG))
    assert run.src.pmd.samples(MeasurementType.ECG) == len(pmd.sent[MeasurementType.ECG])
    assert not run.details()


async def test_sample_times_sit_on_the_session_axis_at_real_speed(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(ecg_uv=h10_ecg_uv, breathing_bpm=None, drift_ppm=300)
    bluez.add(pmd_strap(pmd, speed=1.0))
    arrivals: list[tuple[SampleBlock, float]] = []
    async with Run(source(data_dir)) as run:
        seen = 0
        while len(run.blocks(ECG)) < 6:
            await run.until("ECG", lambda n=seen: len(run.blocks(ECG)) > n)
            blocks = run.blocks(ECG)
            arrivals += [(b, run.src.now_s()) for b in blocks[seen:]]
            seen = len(blocks)
        await settle(pmd)
    times = [t for b in run.blocks(ECG) for t in b.times_s]
    assert times == sorted(times)
    for block, arrived in arrivals[2:]:
        # the last sample was taken a little before its frame arrived, never after
        assert arrived - 0.25 < block.t_s <= arrived + 0.01
        assert block.times_s[-1] - block.times_s[0] == pytest.approx(72 / 130, abs=0.01)


async def test_a_strap_without_pmd_behaves_as_before(bluez: FakeBluez, data_dir: Path) -> None:
    bluez.add(FakeStrap("Polar H10 1A2B3C4D", H10, [800.0, 850.0], speed=6.0))
    async with Run(source(data_dir)) as run:
        await run.until("beats", lambda: len(run.beats) > 5)
    assert not [i for i in run.items if isinstance(i, SampleBlock)]
    assert not run.src.pmd.present
    states = [s.state for s in run.items if isinstance(s, DeviceStatus)]
    assert states[:2] == [LinkState.CONNECTING, LinkState.CONNECTED]
    assert not run.details()


async def test_no_ecg_and_no_motion_leave_those_streams_alone(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(ecg_uv=h10_ecg_uv)
    bluez.add(pmd_strap(pmd))
    async with Run(source(data_dir, ecg=False)) as run:
        await run.until("motion", lambda: len(run.values(ACC)) > 50)
        await settle(pmd)
    assert not run.blocks(ECG)
    assert [r[:2].hex() for r in pmd.requests] == ["0102", "0202", "0302"]  # ACC alone


async def test_with_neither_stream_wanted_pmd_is_not_touched(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(ecg_uv=h10_ecg_uv)
    bluez.add(pmd_strap(pmd))
    async with Run(source(data_dir, ecg=False, motion=False)) as run:
        await run.until("beats", lambda: len(run.beats) > 5)
    assert pmd.requests == []
    assert not run.src.pmd.present


async def test_an_error_response_is_one_line_and_the_rest_goes_on(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(ecg_uv=h10_ecg_uv, errors={(Op.START, MeasurementType.ECG): 10})
    s = bluez.add(pmd_strap(pmd))
    async with Run(source(data_dir)) as run:
        await run.until("motion", lambda: len(run.values(ACC)) > 40)
        s.drop_link()
        await run.until("reconnection", lambda: pmd.starts[MeasurementType.ACC] == 2)
        await run.until("motion again", lambda: run.blocks(ACC)[-1].after_gap)
        n = len(run.beats)
        await run.until("beats after", lambda: len(run.beats) > n + 3)
        await settle(pmd)
    assert (
        run.details().count(
            "ECG not started: start ECG: invalid MTU: the Bluetooth link's packets are too small "
            "for this stream (code 10); carrying on with heart beats"
        )
        == 1
    )
    assert not run.blocks(ECG)
    # the refusal is not asked again on the new connection
    assert [r[:2] for r in pmd.requests].count(bytes.fromhex("02 00")) == 1
    assert run.values(ACC) == pmd.sent[MeasurementType.ACC]


async def test_a_control_point_that_never_answers_costs_only_the_streams(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(ecg_uv=h10_ecg_uv, answer=False)
    bluez.add(pmd_strap(pmd))
    src = source(data_dir)
    src.pmd.response_timeout_s = 0.3
    async with Run(src) as run:
        await run.until("the line", lambda: run.details())
        n = len(run.beats)
        await run.until("beats", lambda: len(run.beats) > n + 5)
    assert run.details() == [
        "ECG and chest motion not started: the strap did not answer the get settings request "
        "for ECG within 0.3 s; carrying on with heart beats"
    ]


async def test_link_loss_starts_the_streams_again_and_the_gap_shows(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(ecg_uv=h10_ecg_uv)
    s = bluez.add(pmd_strap(pmd))
    async with Run(source(data_dir)) as run:
        await run.until("ECG", lambda: len(run.values(ECG)) > 300)
        s.drop_link()
        await run.until("restart", lambda: pmd.starts[MeasurementType.ECG] == 2)
        await run.until("ECG after", lambda: run.blocks(ECG)[-1].after_gap)
        await run.until("more", lambda: not run.blocks(ECG)[-1].after_gap)
        await settle(pmd)
    assert run.values(ECG) == pmd.sent[MeasurementType.ECG]
    assert run.values(ACC) == pmd.sent[MeasurementType.ACC]
    assert sum(b.after_gap for b in run.blocks(ECG)) == 1
    assert run.src.reconnects == 1


async def test_a_link_that_cannot_carry_both_streams_sheds_ecg_and_keeps_the_rest(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    pmd = FakePmd(
        ecg_uv=h10_ecg_uv,
        unstable_with=(MeasurementType.ECG, MeasurementType.ACC),
        unstable_after_s=1.5,
    )
    bluez.add(pmd_strap(pmd))
    async with Run(source(data_dir)) as run:
        await run.until("ECG shed", lambda: any("ECG stopped" in d for d in run.details()))
        starts = pmd.starts[MeasurementType.ACC]
        await run.until("motion after", lambda: pmd.starts[MeasurementType.ACC] > starts)
        n = len(run.values(ACC))
        await run.until("steady motion", lambda: len(run.values(ACC)) > n + 150)
        await settle(pmd)
    assert (
        "the link kept dropping with ECG and chest motion streaming: ECG stopped; "
        "heart beats and chest motion go on"
    ) in run.details()
    assert pmd.starts[MeasurementType.ECG] == 2
    assert MeasurementType.ECG not in pmd.running
    assert run.beats


# -- recorded by the practice command -----------------------------------------------------------


async def _practice(data_dir: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hrvcoach",
        "practice",
        "--device",
        H10,
        "--headless",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "HRVCOACH_DATA_DIR": str(data_dir)},
    )


def _recording(data_dir: Path) -> Path | None:
    files = sorted((data_dir / "recordings").glob("*.csv"))
    return files[0] if files else None


@pytest.mark.slow
async def test_practice_records_every_sample_and_measures_the_breath(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    from hrvcoach.companion import load_tracks
    from hrvcoach.readers import read_recording

    # 10 breaths a minute on the strap, the pacer at 10: four breaths in 24 s
    pmd = FakePmd(ecg_uv=h10_ecg_uv, breathing_bpm=10.0)
    bluez.add(pmd_strap(pmd, speed=1.0))
    proc = await _practice(data_dir, "--minutes", "0.4", "--pace", "10", "--json")
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 0, err.decode()
    summary = json.loads(out)
    path = _recording(data_dir)
    assert path is not None
    rec = read_recording(path)
    tracks = load_tracks(path, rec.meta.extra)
    assert set(tracks) == {"ecg", "acc"}
    # every sample the session took is in the companion files, in the order the strap sent it
    ecg = tracks["ecg"].values[:, 0].tolist()
    assert ecg == [v for (v,) in pmd.sent[MeasurementType.ECG][: len(ecg)]]
    acc = [tuple(r) for r in tracks["acc"].values.tolist()]
    assert acc == pmd.sent[MeasurementType.ACC][: len(acc)]
    assert summary["ecg_samples"] == len(ecg) > 130 * 15
    assert summary["acc_samples"] == len(acc) > 25 * 15
    breathing = summary["breathing"]
    assert breathing["rate_bpm"] == pytest.approx(10.0, abs=0.5)
    assert breathing["pacer_rate_bpm"] == pytest.approx(10.0)
    assert breathing["adherence_pct"] >= 60
    assert isinstance(breathing["phase_lag_s"], float)
    # the ECG and the beats are on one time axis: the samples span the session's beats
    assert tracks["ecg"].t_s[0] < rec.beats[3].t_s
    assert tracks["ecg"].t_s[-1] > rec.beats[-3].t_s

    # the replay drives the companion files too, at any speed, with the same numbers
    replay = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hrvcoach",
        "replay",
        str(path),
        "--speed",
        "50",
        "--headless",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "HRVCOACH_DATA_DIR": str(data_dir)},
    )
    out, err = await asyncio.wait_for(replay.communicate(), 60)
    assert replay.returncode == 0, err.decode()
    again = json.loads(out)
    assert (again["ecg_samples"], again["acc_samples"]) == (len(ecg), len(acc))
    assert again["breathing"]["rate_bpm"] == pytest.approx(breathing["rate_bpm"], abs=0.05)


async def test_practice_killed_loses_at_most_the_block_in_flight(
    bluez: FakeBluez, data_dir: Path, h10_ecg_uv: list[int]
) -> None:
    from hrvcoach.companion import companion_path, read_companion

    pmd = FakePmd(ecg_uv=h10_ecg_uv, breathing_bpm=6.0)
    bluez.add(pmd_strap(pmd, speed=1.0))
    proc = await _practice(data_dir, "--minutes", "5")
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        while loop.time() < end:
            path = _recording(data_dir)
            ecg = companion_path(path, "ecg") if path is not None else None
            if ecg is not None and ecg.is_file() and len(read_companion(ecg)) > 4 * 73:
                break
            await asyncio.sleep(0.1)
        proc.kill()
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    sent = len(pmd.sent[MeasurementType.ECG])
    path = _recording(data_dir)
    assert path is not None
    track = read_companion(companion_path(path, "ecg"))
    got = track.values[:, 0].tolist()
    assert got == [v for (v,) in pmd.sent[MeasurementType.ECG][: len(got)]]
    assert sent - len(got) <= 2 * 73  # what was on its way when the process died
