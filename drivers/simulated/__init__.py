"""A simulated person breathing with the pacer: the beat source for the demo, tests and assessment.

The model, in order of what a listener would notice:

* **Heart rate as a sum of rhythms.** Instantaneous heart rate is ``mean_hr_bpm`` plus respiratory
  sinus arrhythmia (RSA), a slow drift (VLF), and a ~0.1 Hz baroreflex oscillation.
* **RSA with a resonance.** The person breathes the pacer's lung-volume curve (with a small, seeded
  imperfection in timing and depth), and the heart answers with a complex gain
  ``H(f) = base + (1 - base) / (1 + j q (f/f0 - f0/f))``: a second-order band-pass tuned to
  ``resonance_bpm`` on top of a share ``base`` of RSA that is there at any rate. The peak-to-trough
  swing is ``rsa_bpm * |H(f)|``, largest at resonance; the phase ``arg H(f)`` is 0 deg at
  resonance (heart rate rises on the in-breath and peaks at full lungs), lagging when breathing
  faster, leading when slower. After a pace change the response settles over ~10 s rather than
  jumping. ``flat=True`` is a person with no resonance: the same swing and phase at every rate.
* **Baroreflex.** Away from resonance, part of the ~0.1 Hz oscillation is no longer entrained by
  breathing and shows on its own at the resonance frequency (a Mayer-wave-like LF component).
* **Beats by integral pulse frequency modulation (IPFM).** A beat fires each time the integral of
  heart rate reaches one (times ``1 + e``, with ``e`` seeded per-beat noise that gives the
  beat-to-beat jitter ``noise_ms``). Beat times are quantised to 1/1024 s like a Polar strap, so
  ``t_s(k) = t_s(k-1) + rr_ms(k) / 1000`` holds to float precision.
* **Artefacts on purpose.** Occasional ectopic beats (a premature beat at 55-75 % of the interval,
  then a compensatory pause: both beats carry :attr:`~hrvcoach.beats.BeatFlag.SIMULATED_ECTOPIC`)
  and missed beats (two intervals merged into one, flagged
  :attr:`~hrvcoach.beats.BeatFlag.SIMULATED_MISSED`).

Every random process is a pure function of the seed and of time (breathing, drift) or of the beat
number (jitter, artefacts), so the same seed and the same pace plan give identical beats whether the
plan was known up front or beats were regenerated after a pace change. Generation is vectorised in
chunks of a few minutes: a 24-hour simulation takes a second or two.

Where each part lives:

* :mod:`.params` -- the person's knobs (:class:`SimParams`) and the ``sim:key=value`` spec.
* :mod:`.noise` -- smooth seeded random processes (pure functions of time).
* :mod:`.breathing` -- the pacer's lung-volume curve and how the person follows it.
* :mod:`.heart` -- the resonance and the heart rate as a sum of rhythms.
* :mod:`.generator` -- beats from heart rate (IPFM), strap quantisation and artefacts.
* :mod:`.protocol` -- a guided protocol's phases acting on the person: its own breathing rate
  where no pacer leads, an activation's raised heart rate and lower variability, and the return
  with the time constant ``tau`` (``sim:tau=S``).
* :mod:`.source` -- the async driver on a playback clock.
* :mod:`.examples` -- the bundled example sessions. Remake them with
  ``python -m hrvcoach.drivers.simulated --write-examples recordings/``.

Signals derived from the same person (an ECG trace, chest movement) belong in modules of their
own here, fed by the generator's beats and the breathing.
"""

from hrvcoach.drivers.simulated.breathing import Breathing, Plan
from hrvcoach.drivers.simulated.examples import (
    EXAMPLE_START,
    EXAMPLES,
    Example,
    ExampleSession,
    main,
    make_example,
    write_examples,
)
from hrvcoach.drivers.simulated.generator import BeatGenerator, simulate
from hrvcoach.drivers.simulated.heart import HeartModel
from hrvcoach.drivers.simulated.params import SPEC_KEYS, SimParams
from hrvcoach.drivers.simulated.source import SimulatedSource

__all__ = [
    "EXAMPLES",
    "EXAMPLE_START",
    "SPEC_KEYS",
    "BeatGenerator",
    "Breathing",
    "Example",
    "ExampleSession",
    "HeartModel",
    "Plan",
    "SimParams",
    "SimulatedSource",
    "main",
    "make_example",
    "simulate",
    "write_examples",
]
