"""HRV metrics by family (time domain, methods of other tools); :mod:`hrvcoach.hrv` re-exports."""
