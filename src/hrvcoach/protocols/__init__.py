"""Guided protocols: the resonance assessment and the capacity measures.

Four protocols share one shape: a row of phases (:mod:`.phases`) with settle periods that are not
scored, a mark in the recording as each phase begins, guidance for the window and the terminal
(:mod:`.guidance`), and a pure scoring module per protocol that takes beat times, RR intervals and
phase times and returns numbers:

- :mod:`.resonance`: the resonance frequency assessment (stepped paced rates);
- :mod:`.resting`: the resting check (ln RMSSD against your own baseline);
- :mod:`.deep_breathing`: the deep-breathing test (Ewing's HR max - min at 6 breaths/min);
- :mod:`.recovery`: the recovery drill (HRR60, the time constant of the HR decay, RMSSD t90).

Importing this package loads nothing heavy; import the module you need.
"""
