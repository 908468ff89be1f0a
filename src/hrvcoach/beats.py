"""The events every beat source yields, and the contract of a source.

A source (``hrvcoach.drivers``) is an async context manager and an async iterator of
:data:`Event`: mostly :class:`Beat`, with :class:`Gap` when the signal was lost for a while,
:class:`Mark` for things that happened at a time (pace change, assessment step), and
:class:`DeviceStatus` when the state of the link changes.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


class Contact(enum.IntEnum):
    """Skin contact as the sensor reports it (0x2A37 flag bits 1-2)."""

    UNKNOWN = -1  #: the source says nothing about contact (recordings, plain RR lists)
    UNSUPPORTED = 0  #: the sensor does not report contact (e.g. Polar H10 sends flags 0x10)
    NOT_DETECTED = 1  #: supported and currently off the skin: beats are suspect
    DETECTED = 2  #: supported and on the skin


class BeatFlag(enum.IntFlag):
    """What is known to be special about one beat."""

    NONE = 0
    BUFFERED = 1  #: part of the first burst a strap sends after subscribing (stale values)
    IMPLAUSIBLE = 2  #: RR outside what a human heart can do (see ``RR_MIN_MS``/``RR_MAX_MS``)
    NO_CONTACT = 4  #: the sensor said it was off the skin when it sent this beat
    AFTER_GAP = 8  #: first beat after a gap: its RR does not follow the previous beat
    SIMULATED_ECTOPIC = 16  #: the simulator made this an ectopic beat on purpose
    SIMULATED_MISSED = 32  #: the simulator merged two beats (a missed detection) on purpose


RR_MIN_MS = 250.0  #: 240 bpm; shorter RR cannot be sinus rhythm at rest or in breathing practice
RR_MAX_MS = 3000.0  #: 20 bpm; longer is a missed beat or a pause, not a usable interval


@dataclass(frozen=True, slots=True)
class Beat:
    """One heartbeat: the RR interval that ends at time ``t_s``.

    Attributes:
        t_s: Time of the beat in seconds since the start of the session (monotonic).
        rr_ms: The interval from the previous beat to this one, in milliseconds.
        hr_bpm: Heart rate reported by the sensor with this beat, if any (else ``None``).
        contact: Skin contact as reported by the sensor.
        flags: What is known to be special about this beat.
    """

    t_s: float
    rr_ms: float
    hr_bpm: float | None = None
    contact: Contact = Contact.UNKNOWN
    flags: BeatFlag = BeatFlag.NONE

    @property
    def instant_hr_bpm(self) -> float:
        """Heart rate from this beat's RR alone."""
        return 60000.0 / self.rr_ms


@dataclass(frozen=True, slots=True)
class Gap:
    """The signal was lost from ``t_s`` for ``duration_s`` seconds (disconnect, silence)."""

    t_s: float
    duration_s: float
    reason: str = "signal lost"


@dataclass(frozen=True, slots=True)
class Mark:
    """Something that happened at ``t_s``: ``kind`` is a short word, ``text`` free-form detail.

    Kinds in use: ``pace`` (text ``"6.0 4:6"``: breaths/min and inhale:exhale), ``step``
    (assessment step, text ``"index=1 rate=6.0 settle_s=30"``), ``pause``/``resume``, ``note``.
    """

    t_s: float
    kind: str
    text: str = ""


class LinkState(enum.Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """The state of the link to the source changed, or a new fact about the device is known."""

    t_s: float
    state: LinkState
    name: str | None = None
    address: str | None = None
    battery_pct: int | None = None
    body_location: str | None = None
    detail: str = ""


Event = Beat | Gap | Mark | DeviceStatus


@dataclass(frozen=True)
class SourceInfo:
    """What a source is, for recordings and display.

    Attributes:
        kind: ``"ble"``, ``"replay"`` or ``"sim"``.
        device: Human-readable device name (``"Polar H10 1A2B3C4D"``, ``"simulator"``, file name).
        address: BLE address, where there is one.
        simulated: True when no real heart produced these beats.
        start_time: Wall-clock start of the session, where known.
        details: Anything else worth recording (simulator parameters, file format ...).
    """

    kind: str
    device: str
    address: str | None = None
    simulated: bool = False
    start_time: datetime | None = None
    details: dict[str, object] = field(default_factory=dict)


@runtime_checkable
class BeatSource(Protocol):
    """The contract every driver fulfils.

    Use as::

        async with source:
            async for event in source:
                ...

    ``info`` is valid after ``__aenter__``. Iteration ends when the source is exhausted (end of a
    recording, simulator duration) or after :meth:`stop` is called; a strap never ends on its own.
    """

    info: SourceInfo

    async def __aenter__(self) -> BeatSource: ...

    async def __aexit__(self, *exc: object) -> None: ...

    def __aiter__(self) -> AsyncIterator[Event]: ...

    def now_s(self) -> float:
        """Session time now, by this source's clock (a 2x replay runs twice as fast)."""
        ...

    def stop(self) -> None:
        """Ask the source to end its iteration soon (safe to call from any task)."""
        ...
