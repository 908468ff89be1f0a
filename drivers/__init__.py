"""Sources of beats: BLE strap (``ble_hr``), recorded-file replay (``replay``), simulator (``simulated``).

Installed as ``hrvcoach.drivers``. Every driver is an async context manager and an async iterator of
:data:`hrvcoach.beats.Event` (see :class:`hrvcoach.beats.BeatSource`).
"""
