"""The 0x2A37 parser: every real packet in the shared capture file, malformed packets, fuzzing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrvcoach.beats import Contact
from hrvcoach.errors import HrvCoachError
from hrvcoach.hrm import (
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
