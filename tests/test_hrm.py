"""The 0x2A37 parser: every real packet in the shared capture file, malformed packets, fuzzing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrvcoach.beats import BeatFlag, Contact, Gap
from hrvcoach.errors import HrvCoachError
from hrvcoach.hrm import (
    BeatTimeline,
    HeartRateMeasurement,
    HrmParseError,
    body_location_name,
    encode_hrm,
    parse_hrm,
    rr_ms_from_ticks,
    ticks_from_rr_ms,
)


@dataclass(frozen=True)
class PayloadRow:
    device: str
    payload: bytes
    flags: int
    hr_bpm: int
    rr_ticks: tuple[int, ...]
    rr_ms_rounded: tuple[float, ...]


def _numbers(cell: str, kind: type) -> tuple:
    cell = cell.strip()
    if cell in {"–", "-", ""}:
        return ()
    return tuple(kind(x) for x in cell.split(","))


def load_payload_rows(path: Path) -> list[PayloadRow]:
    """The table rows of ``ble/hrm_payloads.md``: payload bytes and their expected decoding."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or "`" not in cells[1]:
            continue
        hex_text = cells[1].strip("`")
        flags = re.match(r"0x([0-9a-fA-F]{2})", cells[2])
        assert flags, line
        rows.append(
            PayloadRow(
                device=cells[0],
                payload=bytes.fromhex(hex_text),
                flags=int(flags.group(1), 16),
                hr_bpm=int(cells[3]),
                rr_ticks=_numbers(cells[4], int),
                rr_ms_rounded=_numbers(cells[5], float),
            )
        )
    return rows


@pytest.fixture(scope="module")
def payload_rows(shared_data: Path) -> list[PayloadRow]:
    rows = load_payload_rows(shared_data / "ble" / "hrm_payloads.md")
    assert len(rows) == 18, "the capture file lists 18 packets"
    return rows


def test_every_real_packet_decodes_as_the_capture_file_says(payload_rows: list[PayloadRow]) -> None:
    for row in payload_rows:
        m = parse_hrm(row.payload)
        assert m.flags == row.flags == row.payload[0], row
        assert m.hr_bpm == row.hr_bpm, row
        assert m.rr_ticks == row.rr_ticks, row
        assert m.rr_ms == tuple(t * 1000 / 1024 for t in row.rr_ticks), row
        assert tuple(round(ms, 1) for ms in m.rr_ms) == row.rr_ms_rounded, row
        assert m.energy_kj is None


def test_real_packets_contact_status(payload_rows: list[PayloadRow]) -> None:
    by_flags = {row.flags: parse_hrm(row.payload) for row in payload_rows}
    # Polar H10 sends 0x10 while worn: contact is not supported, not "off the body"
    assert by_flags[0x10].contact is Contact.UNSUPPORTED
    assert by_flags[0x00].contact is Contact.UNSUPPORTED
    assert by_flags[0x06].contact is Contact.DETECTED
    assert by_flags[0x16].contact is Contact.DETECTED
    # detected without supported: the spec reads it as not supported, and the parser says so
    assert by_flags[0x12].contact is Contact.UNSUPPORTED
    assert by_flags[0x12].warnings
    assert by_flags[0x02].contact is Contact.UNSUPPORTED
    assert not by_flags[0x16].warnings
    assert not by_flags[0x10].warnings


def test_supported_but_not_detected_is_off_the_skin() -> None:
    m = parse_hrm(bytes([0x14, 0x40, 0x00, 0x04]))
    assert m.contact is Contact.NOT_DETECTED
    assert m.rr_ticks == (1024,)
    assert m.rr_ms == (1000.0,)


def test_uint16_heart_rate_and_energy_expended() -> None:
    packet = bytes([0x19, 0x2C, 0x01, 0x34, 0x12, 0x00, 0x02, 0x00, 0x03])
    m = parse_hrm(packet)
    assert m.hr_bpm == 300
    assert m.energy_kj == 0x1234
    assert m.rr_ticks == (512, 768)
    assert m.rr_ms == (500.0, 750.0)
    assert m.warnings == ()


def test_stray_odd_byte_after_rr_is_ignored_and_flagged() -> None:
    m = parse_hrm(bytes.fromhex("16 4e 1b 03 12 03 07"))
    assert m.rr_ticks == (795, 786)
    assert any("stray trailing byte 0x07" in w for w in m.warnings)


def test_rr_flag_with_no_rr_bytes_is_an_empty_list() -> None:
    m = parse_hrm(bytes([0x10, 0x40]))
    assert m.rr_ticks == ()
    assert m.warnings == ()


def test_reserved_bits_are_ignored_and_flagged() -> None:
    m = parse_hrm(bytes([0xF0, 0x40, 0x00, 0x04]))
    assert m.hr_bpm == 64
    assert m.rr_ticks == (1024,)
    assert any("reserved" in w for w in m.warnings)


def test_bytes_after_hr_without_rr_flag_are_flagged() -> None:
    m = parse_hrm(bytes([0x06, 0x40, 0x11, 0x22]))
    assert m.rr_ticks == ()
    assert m.warnings


@pytest.mark.parametrize(
    ("packet", "where"),
    [
        (b"", "too short"),
        (b"\x16", "too short"),
        (b"\x01\x40", "16-bit heart rate"),
        (b"\x08\x40\x01", "energy"),
        (b"\x09\x40\x00\x01", "energy"),
    ],
)
def test_truncated_packets_raise_a_typed_error(packet: bytes, where: str) -> None:
    with pytest.raises(HrmParseError, match=where) as info:
        parse_hrm(packet)
    assert isinstance(info.value, HrvCoachError)
    assert "\n" not in str(info.value)


def test_nine_rr_values_in_one_packet() -> None:
    ticks = [800 + i for i in range(9)]
    m = parse_hrm(encode_hrm(70, ticks))
    assert m.rr_ticks == tuple(ticks)
    assert len(m.rr_ms) == 9


def test_tick_conversion_is_exact_and_reversible() -> None:
    for ticks in (0, 1, 1023, 1024, 1041, 65535):
        assert ticks_from_rr_ms(rr_ms_from_ticks(ticks)) == ticks
    assert rr_ms_from_ticks(1041) == 1041 * 1000 / 1024
    with pytest.raises(ValueError, match="does not fit"):
        ticks_from_rr_ms(70_000.0)


def test_body_location_names() -> None:
    assert body_location_name(b"\x01") == "chest"
    assert body_location_name(b"\x09") == "unknown (9)"
    assert body_location_name(b"") is None


@given(st.binary(max_size=40))
def test_arbitrary_bytes_never_raise_anything_but_the_typed_error(data: bytes) -> None:
    try:
        m = parse_hrm(data)
    except HrmParseError:
        return
    assert isinstance(m, HeartRateMeasurement)
    assert m.flags == data[0]
    assert all(0 <= t <= 0xFFFF for t in m.rr_ticks)
    assert len(m.rr_ms) == len(m.rr_ticks)


@given(
    hr_bpm=st.integers(0, 0xFFFF),
    rr_ticks=st.lists(st.integers(0, 0xFFFF), max_size=9),
    contact=st.sampled_from([Contact.UNSUPPORTED, Contact.NOT_DETECTED, Contact.DETECTED]),
    energy_kj=st.none() | st.integers(0, 0xFFFF),
    force_wide=st.booleans(),
)
def test_encode_then_parse_round_trips(
    hr_bpm: int,
    rr_ticks: list[int],
    contact: Contact,
    energy_kj: int | None,
    force_wide: bool,
) -> None:
    packet = encode_hrm(
        hr_bpm, rr_ticks, contact=contact, energy_kj=energy_kj, hr_uint16=force_wide or None
    )
    m = parse_hrm(packet)
    assert (m.hr_bpm, m.rr_ticks, m.contact, m.energy_kj) == (
        hr_bpm,
        tuple(rr_ticks),
        contact,
        energy_kj,
    )
    assert m.warnings == ()
    assert (
        encode_hrm(
            m.hr_bpm,
            m.rr_ticks,
            contact=m.contact,
            energy_kj=m.energy_kj,
            hr_uint16=bool(m.flags & 0x01),
            rr_flag=bool(m.flags & 0x10),
        )
        == packet
    )


# -- BeatTimeline: from notifications to timed beats --------------------------------------------


def _m(*rr_ms: float, contact: Contact = Contact.UNSUPPORTED) -> HeartRateMeasurement:
    ticks = [ticks_from_rr_ms(x) for x in rr_ms]
    return parse_hrm(encode_hrm(60, ticks, contact=contact, rr_flag=bool(ticks)))


def _feed(
    tl: BeatTimeline, packets: list[tuple[float, HeartRateMeasurement]], *, flush: bool = True
) -> list:
    out: list = []
    for t_s, m in packets:
        out += tl.flush_due(t_s)
        out += tl.add(m, t_s)
    return out + tl.flush() if flush else out


def test_several_rr_in_a_packet_are_back_dated_from_its_arrival() -> None:
    tl = BeatTimeline()
    tl.subscribed(5.0)
    out = _feed(tl, [(6.0, _m(1000.0)), (8.0, _m(1000.0, 1000.0))])
    assert [b.t_s for b in out] == pytest.approx([6.0, 7.0, 8.0])
    assert [b.flags for b in out] == [BeatFlag.NONE] * 3


def test_beats_chain_on_rr_and_are_pulled_back_only_to_an_earlier_arrival() -> None:
    tl = BeatTimeline()
    tl.subscribed(0.0)
    # the first packet was delivered 0.3 s late; the chain follows RR until an arrival proves it
    out = _feed(
        tl,
        [(10.3, _m(1000.0)), (11.35, _m(1000.0)), (12.05, _m(1000.0)), (13.1, _m(1000.0))],
    )
    times = [b.t_s for b in out]
    assert times == pytest.approx([10.3, 11.3, 12.05, 13.05])
    assert times[1] - times[0] == 1.0  # exact: chained on the RR
    assert times[2] <= 12.05  # never after its notification arrived


def test_the_first_burst_after_subscribing_is_flagged_buffered() -> None:
    tl = BeatTimeline(burst_gap_s=0.3)
    tl.subscribed(20.0)
    # values in whole 1/1024 s ticks, so the milliseconds compare exactly
    burst = [(20.01, _m(875.0, 937.5)), (20.02, _m(1000.0, 1062.5)), (20.03, _m(1125.0))]
    fresh = [(21.0, _m(1000.0)), (22.0, _m(1000.0))]
    assert _feed(tl, burst, flush=False) == []  # held back until the burst window closes
    assert tl.flush_due(20.03 + 0.29) == []
    out = tl.flush_due(20.03 + 0.31)
    out += _feed(tl, fresh)
    assert [b.rr_ms for b in out] == [875.0, 937.5, 1000.0, 1062.5, 1125.0, 1000.0, 1000.0]
    assert all(b.flags & BeatFlag.BUFFERED for b in out[:5])
    assert not any(b.flags & BeatFlag.BUFFERED for b in out[5:])
    times = [b.t_s for b in out]
    assert times == sorted(times)
    assert times[4] == pytest.approx(20.03)
    assert times[0] == pytest.approx(20.03 - (937.5 + 1000 + 1062.5 + 1125) / 1000)


def test_one_first_packet_with_more_rr_than_time_is_a_burst_but_a_normal_one_is_not() -> None:
    tl = BeatTimeline()
    tl.subscribed(30.0)
    out = _feed(tl, [(30.05, _m(*[800.0] * 6))])
    assert all(b.flags & BeatFlag.BUFFERED for b in out)
    tl2 = BeatTimeline()
    tl2.subscribed(30.0)
    out2 = _feed(tl2, [(30.9, _m(800.0, 820.0))])
    assert not any(b.flags & BeatFlag.BUFFERED for b in out2)


def test_a_burst_at_the_session_start_is_spread_after_zero_not_before() -> None:
    tl = BeatTimeline()
    tl.subscribed(0.5)
    out = _feed(tl, [(0.6, _m(*[1000.0] * 5))])
    times = [b.t_s for b in out]
    assert times[0] > 0
    assert times == sorted(times)
    assert times[-1] == pytest.approx(0.6)


def test_link_loss_gives_a_gap_before_the_next_beat() -> None:
    tl = BeatTimeline()
    tl.subscribed(0.0)
    out = _feed(tl, [(1.0, _m(1000.0)), (2.0, _m(1000.0))])
    assert tl.link_lost(2.5, "link lost") == []
    assert tl.pending_gap(4.0) == Gap(2.0, 2.0, "link lost")
    tl.subscribed(6.0)
    after = _feed(tl, [(7.0, _m(1000.0)), (8.0, _m(1000.0))])
    gap, first, second = after
    assert gap == Gap(2.0, pytest.approx(5.0), "link lost")
    assert first.t_s == pytest.approx(7.0)
    assert first.flags & BeatFlag.AFTER_GAP
    assert not second.flags & BeatFlag.AFTER_GAP
    assert [b.t_s for b in out] == [1.0, 2.0]


def test_lost_notifications_resync_to_arrival_with_a_gap() -> None:
    tl = BeatTimeline(resync_s=2.5)
    tl.subscribed(0.0)
    out = _feed(tl, [(1.0, _m(1000.0)), (2.0, _m(1000.0)), (9.0, _m(1000.0))])
    assert isinstance(out[2], Gap)
    assert out[2].reason == "notifications lost"
    assert out[3].t_s == pytest.approx(9.0)
    assert out[3].flags & BeatFlag.AFTER_GAP


def test_more_rr_than_time_keeps_order_and_the_arrival_bound() -> None:
    tl = BeatTimeline()
    tl.subscribed(0.0)
    # a strap repeating its values: 3 s of RR within 1 s
    out = _feed(tl, [(1.0, _m(1000.0)), (2.0, _m(1000.0, 1000.0, 1000.0))])
    times = [b.t_s for b in out]
    assert times == sorted(times)
    assert len(set(times)) == 4
    assert times[-1] <= 2.0


def test_contact_and_implausible_rr_become_beat_flags() -> None:
    tl = BeatTimeline()
    tl.subscribed(0.0)
    out = _feed(
        tl,
        [
            (1.0, _m(200.0, contact=Contact.NOT_DETECTED)),
            (5.0, _m(3100.0, contact=Contact.DETECTED)),
        ],
    )
    assert out[0].contact is Contact.NOT_DETECTED
    assert out[0].flags & BeatFlag.NO_CONTACT
    assert out[0].flags & BeatFlag.IMPLAUSIBLE
    assert out[1].contact is Contact.DETECTED
    assert out[1].flags & BeatFlag.IMPLAUSIBLE
    assert not out[1].flags & BeatFlag.NO_CONTACT


def test_a_late_clump_after_a_host_stall_stays_on_the_chain() -> None:
    tl = BeatTimeline(resync_s=2.5, burst_gap_s=0.3)
    tl.subscribed(0.0)
    # the host stalled from 2 s to 8 s: five notifications arrive together, nothing was lost
    packets = [(1.0, _m(1000.0)), (2.0, _m(1000.0))]
    packets += [(8.0 + i * 0.001, _m(1000.0)) for i in range(5)]
    out = _feed(tl, packets)
    assert not any(isinstance(e, Gap) for e in out)
    assert [b.t_s for b in out] == pytest.approx([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
