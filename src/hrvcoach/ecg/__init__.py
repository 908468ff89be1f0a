"""A chest strap's ECG: R-peaks matched to the strap's beats, and the shape of each beat.

See :mod:`hrvcoach.ecg.beats` and ``docs/ecg.md``.
"""

from hrvcoach.ecg.beats import EcgBeats, Matching, classify, fill_missed, match_to_strap, r_peaks

__all__ = ["EcgBeats", "Matching", "classify", "fill_missed", "match_to_strap", "r_peaks"]
