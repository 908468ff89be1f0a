"""The resonance frequency assessment (kept at this name for existing callers).

The protocol and its scoring live in :mod:`hrvcoach.protocols.resonance`; this module re-exports its
public names.
"""

from __future__ import annotations

from hrvcoach.protocols.resonance import *  # noqa: F403
from hrvcoach.protocols.resonance import __all__ as __all__
