"""Polar Measurement Data, the pure part: control point bytes, data frames, the strap clock."""

from __future__ import annotations

import contextlib
import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrvcoach.pmd.clock import NS, StrapClock, StreamDecoder
from hrvcoach.pmd.frames import EPOCH_2000_UNIX_NS, decode_delta, encode_frame, parse_frame
from hrvcoach.pmd.protocol import (
    ControlResponse,
    MeasurementType,
    Op,
    PmdError,
    Setting,
    choose_settings,
    encode_features,
    encode_response,
    encode_settings,
    get_settings_request,
    parse_features,
    parse_response,
    parse_settings,
    start_request,
    stop_request,
)

ECG, ACC = MeasurementType.ECG, MeasurementType.ACC

# -- control point ------------------------------------------------------------------------------


def test_h10_features_are_ecg_and_acc() -> None:
    # what a Polar H10 answers to a read of the control point
    assert parse_features(bytes.fromhex("0f 05 00")) == {ECG, ACC}
    assert parse_features(encode_features({ECG})) == {ECG}
    assert parse_features(bytes.fromhex("0f 00 00")) == frozenset()


@pytest.mark.parametrize("value", [b"", b"\x0f", b"\xf0\x05\x00"])
def test_a_features_value_that_is_not_one_is_a_typed_error(value: bytes) -> None:
    with pytest.raises(PmdError, match="feature"):
        parse_features(value)


def test_requests_are_the_bytes_the_h10_expects() -> None:
    assert get_settings_request(ECG) == bytes.fromhex("01 00")
    assert stop_request(ACC) == bytes.fromhex("03 02")
    ecg = start_request(ECG, {Setting.SAMPLE_RATE: 130, Setting.RESOLUTION: 14})
    assert ecg == bytes.fromhex("02 00 00 01 82 00 01 01 0e 00")
    acc = start_request(
        ACC,
        {Setting.SAMPLE_RATE: 25, Setting.RESOLUTION: 16, Setting.RANGE: 8, Setting.FACTOR: 1.0},
    )
    assert acc == bytes.fromhex("02 02 00 01 19 00 01 01 10 00 02 01 08 00")


def test_a_settings_response_lists_what_the_strap_offers() -> None:
    answer = bytes.fromhex(
        "f0 01 02 00 00 00 04 19 00 32 00 64 00 c8 00 01 01 10 00 02 03 02 00 04 00 08 00"
    )
    r = parse_response(answer)
    assert r.ok
    assert r.op == Op.GET_SETTINGS
    assert r.measurement_type == ACC
    assert not r.more
    assert r.settings == {
        Setting.SAMPLE_RATE: (25, 50, 100, 200),
        Setting.RESOLUTION: (16,),
        Setting.RANGE: (2, 4, 8),
    }
    chosen = choose_settings(r.settings, {Setting.SAMPLE_RATE: 25, Setting.RANGE: 3})
    assert chosen == {Setting.SAMPLE_RATE: 25, Setting.RESOLUTION: 16, Setting.RANGE: 4}


def test_an_error_response_names_the_stream_and_the_reason() -> None:
    r = parse_response(bytes.fromhex("f0 02 00 0a"))
    assert not r.ok
    assert r.status == 10
    assert r.describe() == (
        "start ECG: invalid MTU: the Bluetooth link's packets are too small for this stream "
        "(code 10)"
    )
    assert "unknown error 99" in ControlResponse(2, 0, 99).describe()


def test_a_start_response_may_carry_the_factor() -> None:
    params = encode_settings({Setting.FACTOR: 0.5})
    r = parse_response(encode_response(Op.START, ACC, parameters=params))
    assert r.ok
    assert r.settings[Setting.FACTOR] == (0.5,)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not a PMD control point response"),
        (bytes.fromhex("f0 01 00"), "not a PMD control point response"),
        (bytes.fromhex("0f 01 00 00"), "not a PMD control point response"),
        (bytes.fromhex("f0 01 00 00 00 09 01"), "unknown PMD setting type 9"),
        (bytes.fromhex("f0 01 00 00 00 00 02 82 00"), "SAMPLE_RATE cut short"),
        (bytes.fromhex("f0 01 00 00 00 00"), "cut short at byte 0"),
    ],
)
def test_unreadable_responses_are_one_line_errors(data: bytes, words: str) -> None:
    with pytest.raises(PmdError, match=words):
        parse_response(data)


@given(st.binary(max_size=32))
def test_arbitrary_control_point_bytes_raise_only_the_typed_error(data: bytes) -> None:
    try:
        r = parse_response(data)
    except PmdError as err:
        message = str(err)
    else:
        message = ""
        assert r.status == data[3]
    assert "\n" not in message


@given(
    st.dictionaries(
        st.sampled_from([Setting.SAMPLE_RATE, Setting.RESOLUTION, Setting.RANGE, Setting.CHANNELS]),
        st.lists(st.integers(0, 255), min_size=1, max_size=5).map(tuple),
    )
)
def test_settings_round_trip(settings: dict[Setting, tuple[int, ...]]) -> None:
    assert parse_settings(encode_settings(settings)) == settings


# -- data frames --------------------------------------------------------------------------------


def test_a_raw_h10_ecg_frame_decodes_to_microvolts_and_its_timestamp() -> None:
    ts = 599_616_000_123_456_789
    frame = (
        bytes([0])
        + ts.to_bytes(8, "little")
        + bytes([0])
        + bytes.fromhex("ff ff ff 10 00 00 00 00 80")
    )
    f = parse_frame(frame)
    assert (f.measurement_type, f.timestamp_ns, f.frame_type, f.compressed) == (0, ts, 0, False)
    assert f.samples == ((-1,), (16,), (-8388608,))


def test_the_timestamp_epoch_is_2000() -> None:
    assert EPOCH_2000_UNIX_NS == 946_684_800_000_000_000


def test_raw_acc_frames_of_each_width() -> None:
    samples = [(-1000, 0, 980), (12, -7, 1003)]
    for frame_type in (1, 2):
        f = parse_frame(encode_frame(ACC, 1, samples, frame_type=frame_type))
        assert f.samples == tuple(samples)
        assert f.channels == 3
    small = [(-100, 0, 98)]
    assert parse_frame(encode_frame(ACC, 1, small, frame_type=0)).samples == tuple(small)


def test_a_compressed_acc_frame_decodes_exactly() -> None:
    samples = [(10 * i, -5 * i + (i % 3), 1000 - i * i) for i in range(70)]
    f = parse_frame(encode_frame(ACC, 7, samples, compressed=True))
    assert f.compressed
    assert f.frame_type == 1
    assert f.samples == tuple(samples)


def test_a_known_delta_block() -> None:
    # reference (1, 2, 3) as int16; one block: 4-bit deltas, 1 sample, deltas (+1, -1, +7)
    body = bytes.fromhex("0100 0200 0300") + bytes([4, 1]) + bytes([0xF1, 0x07])
    assert decode_delta(body, 3, 16) == [(1, 2, 3), (2, 1, 10)]


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (b"\x00" * 9, "shorter than its 10-byte header"),
        (
            bytes([0]) + bytes(8) + bytes([0x80]) + bytes(6),
            "ECG compressed type 0 frames are not read",
        ),
        (bytes([0]) + bytes(8) + bytes([1]) + bytes(6), "ECG type 1 frames are not read"),
        (bytes([1]) + bytes(8) + bytes([0]) + bytes(6), "PPG type 0 frames are not read"),
        (bytes([0x3E]) + bytes(8) + bytes([0]), "type 62 type 0 frames are not read"),
        (bytes([0]) + bytes(8) + bytes([0]) + bytes(4), "not whole samples of 3 bytes"),
        (bytes([2]) + bytes(8) + bytes([1]) + bytes(7), "not whole samples of 6 bytes"),
        (bytes([0]) + bytes(8) + bytes([0]), "holds no samples"),
        (bytes([2]) + bytes(8) + bytes([0x81]) + bytes(4), "shorter than its reference"),
        (bytes([2]) + bytes(8) + bytes([0x81]) + bytes(7), "inside a block header"),
        (bytes([2]) + bytes(8) + bytes([0x81]) + bytes(6) + bytes([8, 2, 1]), "cut short"),
        (bytes([2]) + bytes(8) + bytes([0x85]) + bytes(6), "ACC compressed type 5"),
    ],
)
def test_frames_that_cannot_be_read_are_one_line_errors(frame: bytes, words: str) -> None:
    with pytest.raises(PmdError, match=words):
        parse_frame(frame)


@given(st.binary(max_size=120))
def test_arbitrary_frame_bytes_raise_only_the_typed_error(data: bytes) -> None:
    try:
        f = parse_frame(data)
    except PmdError as err:
        message = str(err)
    else:
        message = ""
        assert f.samples
        assert all(len(s) == f.channels for s in f.samples)
    assert "\n" not in message


@given(st.binary(min_size=10, max_size=200), st.integers(1, 60))
def test_truncating_a_valid_compressed_frame_never_raises_anything_else(
    tail: bytes, cut: int
) -> None:
    frame = encode_frame(ACC, 5, [(i, -i, 3 * i) for i in range(40)], compressed=True)
    for data in (frame[:-cut], frame + tail[:cut]):
        with contextlib.suppress(PmdError):
            parse_frame(data)


@given(
    st.lists(
        st.tuples(
            st.integers(-32768, 32767), st.integers(-32768, 32767), st.integers(-32768, 32767)
        ),
        min_size=1,
        max_size=80,
    )
)
def test_compressed_acc_round_trips(samples: list[tuple[int, int, int]]) -> None:
    assert parse_frame(encode_frame(ACC, 3, samples, compressed=True)).samples == tuple(samples)


@given(
    st.lists(st.integers(-(2**23), 2**23 - 1), min_size=1, max_size=80), st.integers(0, 2**64 - 1)
)
def test_ecg_round_trips(values: list[int], ts: int) -> None:
    f = parse_frame(encode_frame(ECG, ts, [(v,) for v in values]))
    assert f.timestamp_ns == ts
    assert [v for (v,) in f.samples] == values


# -- the strap clock ----------------------------------------------------------------------------


def _frames(rate_hz: float, per_frame: int, seconds: float, *, drift_ppm: float, seed: int):
    """(strap ns of the frame's last sample, session arrival s) of a strap whose clock runs
    ``drift_ppm`` fast, with radio delays of 8-80 ms."""
    rng = random.Random(seed)
    strap0 = 599_616_000 * NS
    out = []
    k = per_frame
    while k / rate_hz <= seconds:
        true_s = (k - 1) / rate_hz  # session time the last sample was taken
        strap_ns = strap0 + round(true_s * (1 + drift_ppm * 1e-6) * NS)
        out.append((strap_ns, true_s + 5.0 + rng.uniform(0.008, 0.080), true_s + 5.0))
        k += per_frame
    return out


def test_the_clock_follows_drift_to_within_milliseconds() -> None:
    clock = StrapClock()
    frames = _frames(130, 73, 600, drift_ppm=150, seed=1)
    errors = []
    for strap_ns, arrival_s, true_s in frames:
        clock.update(strap_ns, arrival_s)
        errors.append(clock.to_session_s(strap_ns) - true_s)
    late = errors[len(errors) // 2 :]
    assert max(abs(e) for e in late) < 0.02  # the fastest radio delay is 8 ms
    assert clock.drift_ppm == pytest.approx(-150, abs=30)  # session time runs slow of the strap


def test_a_reset_strap_clock_starts_the_mapping_again() -> None:
    clock = StrapClock()
    clock.update(10 * NS, 1.0)
    clock.update(11 * NS, 2.0)
    clock.update(3 * NS, 3.0)  # the strap restarted its clock
    assert clock.resyncs == 1
    assert clock.to_session_s(3 * NS) == pytest.approx(3.0)


def test_sample_times_run_on_across_frame_edges() -> None:
    clock = StrapClock()
    dec = StreamDecoder(ECG, 130.0, clock)
    times: list[float] = []
    frames = _frames(130, 73, 60, drift_ppm=80, seed=2)
    for strap_ns, arrival_s, _ in frames:
        block = dec.decode(encode_frame(ECG, strap_ns, [(0,)] * 73), arrival_s)
        assert not block.after_gap
        times += block.times_s
    assert times[-1] == pytest.approx(frames[-1][2], abs=0.03)  # and on the session's time axis
    steps = [b - a for a, b in itertools.pairwise(times)]
    assert min(steps) >= 0
    # after the first frames, every step is one sample period, frame edges included
    assert max(abs(s - 1 / 130) for s in steps[5 * 73 :]) < 0.002
    assert dec.samples == len(times)


def test_missing_frames_and_a_restart_mark_the_next_block() -> None:
    clock = StrapClock()
    dec = StreamDecoder(ACC, 25.0, clock)
    frames = _frames(25, 36, 30, drift_ppm=0, seed=3)
    dec.decode(encode_frame(ACC, frames[0][0], [(0, 0, 1000)] * 36), frames[0][1])
    block = dec.decode(encode_frame(ACC, frames[3][0], [(0, 0, 1000)] * 36), frames[3][1])
    assert block.after_gap
    dec.restart()
    block = dec.decode(encode_frame(ACC, frames[5][0], [(0, 0, 1000)] * 36), frames[5][1])
    assert block.after_gap
    with pytest.raises(PmdError, match="reached the ACC stream"):
        dec.decode(encode_frame(ECG, frames[6][0], [(0,)]), frames[6][1])
