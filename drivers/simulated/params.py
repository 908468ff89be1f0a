"""The simulated person's knobs (:class:`SimParams`) and the ``--device sim:key=value,...`` spec.

A new knob is a field with its default and docstring, a range check in ``_problem``, and a short
spec key in :data:`SPEC_KEYS`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Final

import numpy as np

from hrvcoach.drivers.simulated.heart import gain, phase_rad
from hrvcoach.errors import DeviceError
from hrvcoach.pacer import MAX_RATE_BPM, MIN_RATE_BPM


@dataclass(frozen=True)
class SimParams:
    """The simulated person. Every knob has a healthy-adult default.

    Attributes:
        resonance_bpm: Breathing rate (breaths/min) at which RSA is largest and HR is in phase
            with breathing.
        seed: Seed of every random process; the same seed gives the same beats.
        mean_hr_bpm: Average heart rate.
        rsa_bpm: Peak-to-trough heart-rate swing per breath when breathing at resonance.
        q: Sharpness of the resonance: with the defaults (q 6, base 0.25), the swing 1.5
            breaths/min away from resonance is under half of the peak.
        base: Share of the RSA swing that does not come from the resonance (vagal gating that is
            there at any breathing rate): 0 is a pure resonance, 1 the same as ``flat``. It keeps
            a realistic swing of a few bpm at faster breathing.
        noise_ms: Standard deviation of independent beat-to-beat jitter in RR.
        ectopic_per_min: Ectopic beats (premature + compensatory pause) per minute.
        missed_per_min: Missed beats (two RR merged into one) per minute.
        drift_bpm: Standard deviation of slow heart-rate wander (periods of 25 s to 5 min).
        baro_bpm: Peak-to-trough of the ~0.1 Hz baroreflex oscillation that shows on its own
            when breathing is far from resonance (it is absorbed into RSA at resonance).
        timing_sd_s: How far (s, standard deviation) the person's breathing runs ahead of or
            behind the pacer, varying slowly.
        depth_sd: Breath depth variation (fraction of the usual depth, standard deviation).
        flat: A person with no resonance: the same RSA swing (``rsa_bpm``) and phase at every rate.
        follow: How closely the person follows the pacer, 0 to 1: at 1 they breathe with it; below,
            their own irregular breathing (about 14 breaths/min, wandering in rate and depth)
            takes a share ``1 - follow`` of the breath, and the baroreflex rhythm is entrained
            only as far as they follow. ``sim:follow=1`` spends most of a session in the high
            coherence zone at level 1, ``sim:follow=0.1`` mostly in the low zone
            (docs/training.md).
        tau_s: After an activation in a guided protocol, the time constant (s) of the heart
            rate's return to rest (see :mod:`.protocol`).
        natural_bpm: The person's own breathing rate, in protocol phases without a pacer.
    """

    resonance_bpm: float = 5.5
    seed: int = 0
    mean_hr_bpm: float = 64.0
    rsa_bpm: float = 15.0
    q: float = 6.0
    base: float = 0.25
    noise_ms: float = 20.0
    ectopic_per_min: float = 0.2
    missed_per_min: float = 0.1
    drift_bpm: float = 1.5
    baro_bpm: float = 3.0
    timing_sd_s: float = 0.3
    depth_sd: float = 0.1
    flat: bool = False
    follow: float = 1.0
    tau_s: float = 45.0
    natural_bpm: float = 12.0

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise DeviceError(f"simulator: {problem}")

    def _problem(self) -> str | None:
        checks: list[tuple[bool, str]] = [
            (
                MIN_RATE_BPM <= self.resonance_bpm <= MAX_RATE_BPM,
                f"resonance must be {MIN_RATE_BPM:g}-{MAX_RATE_BPM:g} breaths/min, "
                f"not {self.resonance_bpm:g}",
            ),
            (self.seed >= 0, f"seed must be 0 or more, not {self.seed}"),
            (30 <= self.mean_hr_bpm <= 150, f"hr must be 30-150 bpm, not {self.mean_hr_bpm:g}"),
            (0 <= self.rsa_bpm <= 40, f"rsa must be 0-40 bpm, not {self.rsa_bpm:g}"),
            (
                self.mean_hr_bpm - self.rsa_bpm / 2 >= 35,
                f"rsa {self.rsa_bpm:g} is too large for hr {self.mean_hr_bpm:g} "
                "(the trough would fall below 35 bpm)",
            ),
            (0.1 <= self.q <= 50, f"q must be 0.1-50, not {self.q:g}"),
            (0 <= self.base <= 1, f"base must be 0-1, not {self.base:g}"),
            (0 <= self.noise_ms <= 150, f"noise must be 0-150 ms, not {self.noise_ms:g}"),
            (
                0 <= self.ectopic_per_min <= 10,
                f"ectopic must be 0-10 per minute, not {self.ectopic_per_min:g}",
            ),
            (
                0 <= self.missed_per_min <= 10,
                f"missed must be 0-10 per minute, not {self.missed_per_min:g}",
            ),
            (0 <= self.drift_bpm <= 20, f"drift must be 0-20 bpm, not {self.drift_bpm:g}"),
            (0 <= self.baro_bpm <= 20, f"baro must be 0-20 bpm, not {self.baro_bpm:g}"),
            (0 <= self.timing_sd_s <= 3, f"timing must be 0-3 s, not {self.timing_sd_s:g}"),
            (0 <= self.depth_sd <= 0.5, f"depth must be 0-0.5, not {self.depth_sd:g}"),
            (0 <= self.follow <= 1, f"follow must be 0-1, not {self.follow:g}"),
            (5 <= self.tau_s <= 300, f"tau must be 5-300 s, not {self.tau_s:g}"),
            (
                MIN_RATE_BPM <= self.natural_bpm <= 30,
                f"breath must be {MIN_RATE_BPM:g}-30 breaths/min, not {self.natural_bpm:g}",
            ),
        ]
        for ok, message in checks:
            if not ok:
                return message
        return None

    @classmethod
    def from_spec(cls, spec: str) -> SimParams:
        """Parse a ``--device`` simulator spec.

        ``"sim"`` is the default person; ``"sim:resonance=5.0,seed=3"`` or
        ``"sim:resonance=6,flat=1,ectopic=0"`` change knobs. Keys are the short names in
        :data:`SPEC_KEYS` or the full attribute names.

        Raises:
            DeviceError: Not a simulator spec, an unknown key, or a bad value (one line naming it).
        """
        text = spec.strip()
        if text == "sim":
            return cls()
        if not text.startswith("sim:"):
            raise DeviceError(f"{spec!r} is not a simulator spec (sim or sim:key=value,...)")
        values: dict[str, object] = {}
        types = {f.name: f.type for f in fields(cls)}
        for item in text[4:].split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, raw = item.partition("=")
            key, raw = key.strip().lower(), raw.strip()
            if not sep or not key or not raw:
                raise DeviceError(f"simulator spec {spec!r}: {item!r} is not key=value")
            name = SPEC_KEYS.get(key, key if key in types else None)
            if name is None:
                known = ", ".join(sorted(SPEC_KEYS))
                raise DeviceError(f"simulator spec {spec!r}: unknown key {key!r} (known: {known})")
            if name in values:
                raise DeviceError(f"simulator spec {spec!r}: {key!r} is given twice")
            values[name] = _parse_value(spec, key, raw, str(types[name]))
        try:
            return cls(**values)  # type: ignore[arg-type]
        except DeviceError as err:
            detail = str(err).removeprefix("simulator: ")
            raise DeviceError(f"simulator spec {spec!r}: {detail}") from None

    def details(self) -> dict[str, object]:
        """The knobs for a recording's metadata. Knobs added after the first recordings (``follow``)
        are written only when they differ from their default, so a default person's recordings
        stay byte for byte what they were."""
        out = asdict(self)
        for name in LATER_KNOBS:
            if out[name] == getattr(SimParams, name):
                del out[name]
        return out

    def to_spec(self) -> str:
        """The shortest spec that :meth:`from_spec` turns back into these parameters."""
        default = SimParams()
        short = {v: k for k, v in SPEC_KEYS.items()}
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                if isinstance(value, bool):
                    shown = str(int(value))
                else:  # short where exact, else every digit, so the spec reads back the same
                    shown = f"{value:g}" if float(f"{value:g}") == value else repr(value)
                parts.append(f"{short.get(f.name, f.name)}={shown}")
        return "sim:" + ",".join(parts) if parts else "sim"

    def amplitude_bpm(self, rate_bpm: float) -> float:
        """Peak-to-trough RSA (bpm) in steady breathing at ``rate_bpm``, before noise and drift."""
        return self.rsa_bpm * gain(np.asarray([rate_bpm]), self)[0]

    def phase_deg(self, rate_bpm: float) -> float:
        """Phase of HR relative to lung volume at ``rate_bpm`` (positive: HR leads)."""
        return math.degrees(float(phase_rad(np.asarray([rate_bpm]), self)[0]))


#: knobs written into a recording's metadata only when they differ from their default
LATER_KNOBS: Final = ("follow",)

#: short spec keys -> :class:`SimParams` attributes
SPEC_KEYS: Final[dict[str, str]] = {
    "resonance": "resonance_bpm",
    "seed": "seed",
    "hr": "mean_hr_bpm",
    "rsa": "rsa_bpm",
    "q": "q",
    "base": "base",
    "noise": "noise_ms",
    "ectopic": "ectopic_per_min",
    "missed": "missed_per_min",
    "drift": "drift_bpm",
    "baro": "baro_bpm",
    "timing": "timing_sd_s",
    "depth": "depth_sd",
    "flat": "flat",
    "follow": "follow",
    "tau": "tau_s",
    "breath": "natural_bpm",
}


def _parse_value(spec: str, key: str, raw: str, type_name: str) -> object:
    if type_name == "bool":
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise DeviceError(f"simulator spec {spec!r}: {key}={raw!r} is not 0/1 or true/false")
    if type_name == "int":
        try:
            return int(raw)
        except ValueError:
            raise DeviceError(
                f"simulator spec {spec!r}: {key}={raw!r} is not a whole number"
            ) from None
    try:
        value = float(raw)
    except ValueError:
        raise DeviceError(f"simulator spec {spec!r}: {key}={raw!r} is not a number") from None
    if not math.isfinite(value):
        raise DeviceError(f"simulator spec {spec!r}: {key}={raw!r} is not a finite number")
    return value
