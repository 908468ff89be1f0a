"""hrvcoach: HRV biofeedback breathing trainer.

The core (``beats``, ``hrm``, ``artifacts``, ``hrv``, ``live``, ``pacer``, ``session`` ...) is pure:
it takes numbers and time as arguments and returns numbers. Drivers (``hrvcoach.drivers``) turn a
strap, a recording or the simulator into an async iterator of :class:`~hrvcoach.beats.Beat` events;
Qt lives only in ``hrvcoach.gui``.
"""

__version__ = "0.1.0"
