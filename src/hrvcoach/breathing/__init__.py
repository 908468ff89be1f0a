"""The person's own breath, measured from a chest strap's accelerometer.

- :mod:`.tracker`: accelerometer blocks to a breathing curve and breaths, causally;
- :mod:`.follow`: the breath against the pacer (rate, adherence, phase lag) and the summary.

See ``docs/breathing.md``.
"""

from hrvcoach.breathing.follow import BreathingSummary, summarize, track_breathing
from hrvcoach.breathing.tracker import Breath, BreathTracker

__all__ = ["Breath", "BreathTracker", "BreathingSummary", "summarize", "track_breathing"]
