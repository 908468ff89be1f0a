"""The Bluetooth Heart Rate Measurement characteristic (0x2A37): bytes in, a frozen result out.

Layout (Bluetooth SIG Heart Rate Service 1.0, section 3.1):

=======  ==================================================================================
byte 0   flags: bit 0 HR is uint16 (else uint8); bits 1-2 sensor contact (bit 2 "supported",
         bit 1 "detected"); bit 3 energy expended present; bit 4 RR intervals present;
         bits 5-7 reserved
next     heart rate, uint8 or uint16 little-endian, beats per minute
next     energy expended, uint16 little-endian, kilojoules (only with bit 3)
rest     RR intervals, uint16 little-endian each, in units of 1/1024 s (only with bit 4)
=======  ==================================================================================

What this parser does with packets real straps send that the spec does not foresee (each is
reported in :attr:`HeartRateMeasurement.warnings`, never silently):

- a stray odd byte after the last complete RR value is ignored;
- reserved flag bits (5-7) are ignored, as the spec tells receivers to do;
- the contact-detected bit set while the contact-supported bit is clear is read as
  "contact not supported" (the spec's meaning of that combination).

A packet too short for what its flags announce (no heart rate, a truncated 16-bit heart rate or
energy field) is not a measurement: :func:`parse_hrm` raises :class:`HrmParseError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hrvcoach.beats import RR_MAX_MS, RR_MIN_MS, Beat, BeatFlag, Contact, Gap
from hrvcoach.errors import HrvCoachError

HEART_RATE_SERVICE_UUID = "0000180d-0000-1000-8000-00805f9b34fb"
HEART_RATE_MEASUREMENT_UUID = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_SENSOR_LOCATION_UUID = "00002a38-0000-1000-8000-00805f9b34fb"
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"

FLAG_HR_UINT16 = 0x01
FLAG_CONTACT_DETECTED = 0x02
FLAG_CONTACT_SUPPORTED = 0x04
FLAG_ENERGY = 0x08
FLAG_RR = 0x10
FLAGS_RESERVED = 0xE0

RR_TICKS_PER_S = 1024  #: RR intervals count 1/1024 s ticks
MAX_RR_TICKS = 0xFFFF

#: Body Sensor Location (0x2A38) values, Heart Rate Service 1.0 section 3.2
BODY_LOCATIONS: dict[int, str] = {
    0: "other",
    1: "chest",
    2: "wrist",
    3: "finger",
    4: "hand",
    5: "ear lobe",
    6: "foot",
}


class HrmParseError(HrvCoachError):
    """A 0x2A37 notification cannot be decoded (too short for what its flags announce)."""

    exit_code = 4


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded 0x2A37 notification.

    Attributes:
        hr_bpm: Heart rate the sensor computed, beats per minute.
        contact: Skin contact as the flags report it.
        energy_kj: Energy expended in kilojoules, when the packet carries it.
        rr_ticks: RR intervals as sent, in 1/1024 s.
        rr_ms: The same intervals in milliseconds, exactly ``ticks * 1000 / 1024``.
        flags: The raw flags byte.
        warnings: What was unusual about the packet and how it was read (empty for clean packets).
    """

    hr_bpm: int
    contact: Contact
    energy_kj: int | None
    rr_ticks: tuple[int, ...]
    rr_ms: tuple[float, ...]
    flags: int
    warnings: tuple[str, ...] = ()


def rr_ms_from_ticks(ticks: int) -> float:
    """An RR interval in 1/1024 s ticks as milliseconds (exact in binary floating point)."""
    return ticks * 1000.0 / RR_TICKS_PER_S


def ticks_from_rr_ms(rr_ms: float) -> int:
    """The nearest 1/1024 s tick count for an RR interval in milliseconds (what a strap would send).

    Raises:
        ValueError: if the interval does not fit the field (negative or over 64 s).
    """
    ticks = round(rr_ms * RR_TICKS_PER_S / 1000.0)
    if not 0 <= ticks <= MAX_RR_TICKS:
        raise ValueError(f"RR {rr_ms} ms does not fit a 0x2A37 RR field")
    return ticks


def contact_from_flags(flags: int) -> Contact:
    """Contact status from flag bits 1-2: "not supported" is not "off the skin"."""
    if not flags & FLAG_CONTACT_SUPPORTED:
        return Contact.UNSUPPORTED
    return Contact.DETECTED if flags & FLAG_CONTACT_DETECTED else Contact.NOT_DETECTED


def parse_hrm(data: bytes | bytearray | memoryview) -> HeartRateMeasurement:
    """Decode one Heart Rate Measurement notification.

    Args:
        data: The characteristic value exactly as notified.

    Returns:
        The decoded measurement; see the module docstring for what counts as a warning.

    Raises:
        HrmParseError: if the packet is shorter than its flags require.
    """
    raw = bytes(data)
    if len(raw) < 2:
        raise HrmParseError(f"heart rate packet of {len(raw)} byte(s) is too short: {raw.hex(' ')}")
    flags = raw[0]
    warnings: list[str] = []
    pos = 1
    if flags & FLAG_HR_UINT16:
        if len(raw) < 3:
            raise HrmParseError(
                f"heart rate packet ends inside its 16-bit heart rate: {raw.hex(' ')}"
            )
        hr_bpm = int.from_bytes(raw[1:3], "little")
        pos = 3
    else:
        hr_bpm = raw[1]
        pos = 2
    energy_kj: int | None = None
    if flags & FLAG_ENERGY:
        if len(raw) < pos + 2:
            raise HrmParseError(f"heart rate packet ends inside its energy field: {raw.hex(' ')}")
        energy_kj = int.from_bytes(raw[pos : pos + 2], "little")
        pos += 2
    rr_ticks: tuple[int, ...] = ()
    if flags & FLAG_RR:
        rest = raw[pos:]
        whole = len(rest) - len(rest) % 2
        rr_ticks = tuple(int.from_bytes(rest[i : i + 2], "little") for i in range(0, whole, 2))
        if len(rest) % 2:
            warnings.append(f"ignored a stray trailing byte 0x{rest[-1]:02x} after the RR values")
    elif len(raw) > pos:
        warnings.append(f"ignored {len(raw) - pos} byte(s) after the heart rate (no RR flag)")
    if flags & FLAGS_RESERVED:
        warnings.append(f"ignored reserved flag bits 0x{flags & FLAGS_RESERVED:02x}")
    if flags & FLAG_CONTACT_DETECTED and not flags & FLAG_CONTACT_SUPPORTED:
        warnings.append("contact-detected bit without contact-supported: read as not supported")
    return HeartRateMeasurement(
        hr_bpm=hr_bpm,
        contact=contact_from_flags(flags),
        energy_kj=energy_kj,
        rr_ticks=rr_ticks,
        rr_ms=tuple(rr_ms_from_ticks(t) for t in rr_ticks),
        flags=flags,
        warnings=tuple(warnings),
    )


def encode_hrm(
    hr_bpm: int,
    rr_ticks: Sequence[int] = (),
    *,
    contact: Contact = Contact.UNSUPPORTED,
    energy_kj: int | None = None,
    hr_uint16: bool | None = None,
    rr_flag: bool | None = None,
) -> bytes:
    """Build a 0x2A37 packet as a strap would (the inverse of :func:`parse_hrm`).

    Args:
        hr_bpm: Heart rate; sent as uint16 when over 255 or when ``hr_uint16`` is true.
        rr_ticks: RR intervals in 1/1024 s.
        contact: Contact status to put in flag bits 1-2 (``UNKNOWN`` is sent as unsupported).
        energy_kj: Energy expended, sent when not ``None``.
        hr_uint16: Force (or forbid) the 16-bit heart-rate field; default: only when needed.
        rr_flag: Set the RR-present flag; default: when there are RR values.

    Raises:
        ValueError: if a value does not fit its field.
    """
    wide = hr_bpm > 0xFF if hr_uint16 is None else hr_uint16
    if not 0 <= hr_bpm <= (0xFFFF if wide else 0xFF):
        raise ValueError(f"heart rate {hr_bpm} does not fit its field")
    with_rr = bool(rr_ticks) if rr_flag is None else rr_flag
    flags = FLAG_HR_UINT16 if wide else 0
    if contact == Contact.DETECTED:
        flags |= FLAG_CONTACT_SUPPORTED | FLAG_CONTACT_DETECTED
    elif contact == Contact.NOT_DETECTED:
        flags |= FLAG_CONTACT_SUPPORTED
    if energy_kj is not None:
        flags |= FLAG_ENERGY
    if with_rr:
        flags |= FLAG_RR
    out = bytearray([flags])
    out += hr_bpm.to_bytes(2 if wide else 1, "little")
    if energy_kj is not None:
        if not 0 <= energy_kj <= 0xFFFF:
            raise ValueError(f"energy {energy_kj} kJ does not fit its field")
        out += energy_kj.to_bytes(2, "little")
    if rr_ticks and not with_rr:
        raise ValueError("RR values given but the RR flag is off")
    for ticks in rr_ticks:
        if not 0 <= ticks <= MAX_RR_TICKS:
            raise ValueError(f"RR {ticks} ticks does not fit its field")
        out += int(ticks).to_bytes(2, "little")
    return bytes(out)


def body_location_name(value: bytes | bytearray) -> str | None:
    """The Body Sensor Location (0x2A38) as a word, ``None`` for an empty value."""
    if not value:
        return None
    return BODY_LOCATIONS.get(value[0], f"unknown ({value[0]})")


# -- from notifications to beats with times -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Held:
    measurement: HeartRateMeasurement
    t_arrival_s: float


class BeatTimeline:
    """Turns notifications and their arrival times into :class:`~hrvcoach.beats.Beat` events.

    A notification carries no timestamp and may hold several RR values, some of them seconds old.
    Times are session seconds; all of them come from the caller (arrival times), none from a clock.

    Timestamps. The last RR value of a notification is the newest beat; each earlier value is
    back-dated from it by the RR values that follow it, so within a notification ``t[i] - t[i-1]``
    is exactly ``rr[i]``. Across notifications, beats are chained to the previous beat
    (``t = t_prev + rr``), so the whole series agrees with its RR, with two corrections:

    - *pull back*: a beat cannot happen after the notification that carries it arrives, so
      when the chain runs ahead of the arrival time the newest beat is set to the arrival time
      (the one interval that absorbs the difference gets shorter than its RR; this happens when an
      earlier anchor arrived late, and it converges on the quickest delivery seen);
    - *resync*: when the chain falls more than ``resync_s`` behind the arrival time, either
      notifications were lost or the host stalled and delivers them late. The notification is held
      for ``burst_gap_s``: if others follow at once it was a late clump and the chain goes on;
      alone, beats were lost in between, so its beats are re-anchored to the arrival time and a
      :class:`~hrvcoach.beats.Gap` covers the hole.

    Times never decrease and never pass the arrival time: when a notification carries more RR
    than there was time since the previous beat (physically impossible, so some values are
    repeats or stale), its beats share that time in proportion to their RR values.

    Buffered burst. Right after subscribing, straps may flush stored RR values. Notifications
    are held back until ``burst_gap_s`` passes without another one (the caller calls
    :meth:`flush_due` at :meth:`deadline`). Two or more notifications that close together are a
    burst (a strap notifies about once a second), and so is a single first notification carrying
    more RR than fits since the subscription (``fresh_slack_s`` allows for the interval that
    began before it). Burst beats get :attr:`~hrvcoach.beats.BeatFlag.BUFFERED`; they keep their
    RR exactly and are back-dated from the burst's last arrival; where that would put them before
    the previous beat (or the session start) they are spread evenly after it instead, since their
    true times are unknown anyway.

    Gaps. :meth:`link_lost` marks the link as down; the first beat after it goes out preceded by a
    :class:`~hrvcoach.beats.Gap` from the last beat before the loss to that beat, and carries
    :attr:`~hrvcoach.beats.BeatFlag.AFTER_GAP`.

    Args:
        burst_gap_s: Notifications closer than this right after subscribing are a burst.
        fresh_slack_s: How much more RR than elapsed time a single first notification may carry.
        resync_s: How far the chain may lag the arrival time before it is re-anchored.
    """

    def __init__(
        self, *, burst_gap_s: float = 0.35, fresh_slack_s: float = 2.0, resync_s: float = 2.5
    ) -> None:
        self.burst_gap_s = burst_gap_s
        self.fresh_slack_s = fresh_slack_s
        self.resync_s = resync_s
        self.last_t_s: float | None = None  #: time of the last beat given out
        self._chained = False  # whether the next beat follows the last one (no gap between)
        self._t_subscribed_s = 0.0
        self._hold: str | None = None  # "start" (buffered burst?) or "lag" (lost or late?)
        self._held: list[_Held] = []
        self._gap_from_s: float | None = None
        self._gap_reason = ""

    def subscribed(self, t_s: float) -> None:
        """Notifications were (re)subscribed at ``t_s``: watch for a buffered burst."""
        self._t_subscribed_s = t_s
        self._hold = "start"
        self._held.clear()

    def deadline(self) -> float | None:
        """When held-back notifications are due to be given out (``None``: nothing held)."""
        if self._hold is not None and self._held:
            return self._held[-1].t_arrival_s + self.burst_gap_s
        return None

    def add(self, m: HeartRateMeasurement, t_arrival_s: float) -> list[Beat | Gap]:
        """One notification arrived: the events it makes now (maybe none while holding back)."""
        out: list[Beat | Gap] = []
        if self._hold is not None:
            if self._held and t_arrival_s - self._held[-1].t_arrival_s >= self.burst_gap_s:
                out += self._release()
            else:
                self._held.append(_Held(m, t_arrival_s))
                return out
        if self._lags(m, t_arrival_s):
            # lost notifications, or a clump delivered late after the host stalled: the next
            # burst_gap_s tells them apart
            self._hold = "lag"
            self._held = [_Held(m, t_arrival_s)]
            return out
        out += self._place(m.rr_ms, m, t_arrival_s, BeatFlag.NONE)
        return out

    def flush_due(self, now_s: float) -> list[Beat | Gap]:
        """Give out held notifications whose burst window has closed by ``now_s``."""
        deadline = self.deadline()
        if deadline is not None and now_s >= deadline:
            return self._release()
        return []

    def flush(self) -> list[Beat | Gap]:
        """Give out whatever is held, now (link lost, session ending)."""
        return self._release() if self._hold is not None else []

    def link_lost(self, t_s: float, reason: str) -> list[Beat | Gap]:
        """The link went down at ``t_s``: held beats go out, and the next beat follows a gap."""
        out = self.flush()
        if self._gap_from_s is None:
            self._gap_from_s = self.last_t_s if self.last_t_s is not None else t_s
            self._gap_reason = reason
        self._chained = False
        return out

    def pending_gap(self, now_s: float) -> Gap | None:
        """The gap still open at ``now_s`` (for a session that ends while the link is down)."""
        if self._gap_from_s is None:
            return None
        return Gap(self._gap_from_s, max(0.0, now_s - self._gap_from_s), self._gap_reason)

    # -- internals ------------------------------------------------------------------------------
    def _lags(self, m: HeartRateMeasurement, t_arrival_s: float) -> bool:
        if not (m.rr_ms and self._chained and self.last_t_s is not None):
            return False
        return t_arrival_s - (self.last_t_s + sum(m.rr_ms) / 1000.0) > self.resync_s

    def _release(self) -> list[Beat | Gap]:
        held, self._held = self._held, []
        hold, self._hold = self._hold, None
        if not held:
            return []
        if hold == "lag":
            # several at once: a late delivery whose RR still chain on; one alone: beats were lost
            resync = len(held) == 1
            out: list[Beat | Gap] = []
            for h in held:
                out += self._place(
                    h.measurement.rr_ms, h.measurement, h.t_arrival_s, BeatFlag.NONE, resync=resync
                )
            return out
        rr_total_s = sum(sum(h.measurement.rr_ms) for h in held) / 1000.0
        if len(held) >= 2:
            burst = True
        else:
            elapsed_s = held[0].t_arrival_s - self._t_subscribed_s
            burst = rr_total_s > elapsed_s + self.fresh_slack_s
        if not burst:
            out = []
            for h in held:
                out += self._place(h.measurement.rr_ms, h.measurement, h.t_arrival_s, BeatFlag.NONE)
            return out
        return self._place_burst(held)

    def _place_burst(self, held: list[_Held]) -> list[Beat | Gap]:
        values = [(rr, h.measurement) for h in held for rr in h.measurement.rr_ms]
        if not values:
            return []
        end_s = held[-1].t_arrival_s
        times = [end_s - sum(rr for rr, _ in values[i + 1 :]) / 1000.0 for i in range(len(values))]
        floor_s = self.last_t_s if self.last_t_s is not None else 0.0
        if times[0] <= floor_s:
            step = (end_s - floor_s) / len(values)
            times = [floor_s + step * (i + 1) for i in range(len(values))]
        out: list[Beat | Gap] = []
        for t_s, (rr, m) in zip(times, values, strict=True):
            out += self._emit(t_s, rr, m, BeatFlag.BUFFERED)
        return out

    def _place(
        self,
        rr_ms: Sequence[float],
        m: HeartRateMeasurement,
        t_arrival_s: float,
        flags: BeatFlag,
        *,
        resync: bool = True,
    ) -> list[Beat | Gap]:
        if not rr_ms:
            return []
        rr_s = [x / 1000.0 for x in rr_ms]
        total_s = sum(rr_s)
        end_s = t_arrival_s
        if self._chained and self.last_t_s is not None:
            chain_end_s = self.last_t_s + total_s
            if resync and t_arrival_s - chain_end_s > self.resync_s:
                if self._gap_from_s is None:
                    self._gap_from_s = self.last_t_s
                    self._gap_reason = "notifications lost"
            else:
                end_s = min(chain_end_s, t_arrival_s)
        # back-date from the newest beat: within the packet, steps are exactly the RR values
        times = [end_s - sum(rr_s[i + 1 :]) for i in range(len(rr_s))]
        floor_s = self.last_t_s if self.last_t_s is not None else 0.0
        if times[0] <= floor_s:
            # more RR than time since the previous beat (a first packet right at the session
            # start, or a strap repeating values): keep the order and the arrival bound, and
            # share the time there is in proportion to the RR values
            span_s = max(end_s - floor_s, 1e-3 * len(rr_s))
            if total_s > 0:
                times = [floor_s + span_s * sum(rr_s[: i + 1]) / total_s for i in range(len(rr_s))]
            else:
                times = [floor_s + span_s * (i + 1) / len(rr_s) for i in range(len(rr_s))]
        out: list[Beat | Gap] = []
        for t_s, rr in zip(times, rr_ms, strict=True):
            out += self._emit(t_s, rr, m, flags)
        return out

    def _emit(
        self, t_s: float, rr_ms: float, m: HeartRateMeasurement, flags: BeatFlag
    ) -> list[Beat | Gap]:
        out: list[Beat | Gap] = []
        if self._gap_from_s is not None:
            out.append(Gap(self._gap_from_s, max(0.0, t_s - self._gap_from_s), self._gap_reason))
            self._gap_from_s = None
            flags |= BeatFlag.AFTER_GAP
        if not RR_MIN_MS <= rr_ms <= RR_MAX_MS:
            flags |= BeatFlag.IMPLAUSIBLE
        if m.contact == Contact.NOT_DETECTED:
            flags |= BeatFlag.NO_CONTACT
        out.append(
            Beat(
                t_s=t_s,
                rr_ms=rr_ms,
                hr_bpm=float(m.hr_bpm) if m.hr_bpm else None,
                contact=m.contact,
                flags=flags,
            )
        )
        self.last_t_s = t_s
        self._chained = True
        return out
