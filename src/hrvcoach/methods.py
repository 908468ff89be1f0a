"""Named methods: the conventions of the tools people compare hrvcoach with, as one choice.

A :class:`Method` fixes how beats are handled (artifacts), the time-domain convention (SD ddof,
RMSSD divisor, pNNx denominator) and the spectrum (resampling, taper, segments, bands, band edges,
integration, detrending). ``docs/metrics.md`` lists what each changes and what it was checked
against. ``--method`` on ``analyze``, ``replay`` and ``export`` picks one by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hrvcoach import hrv
from hrvcoach.metrics import nonlinear as nl
from hrvcoach.metrics import time_domain as td

#: detrending choices before the spectrum
DETRENDS = ("none", "smoothness-priors")


@dataclass(frozen=True)
class Method:
    """How a whole analysis is done.

    Attributes:
        name: As on the command line.
        artifacts: Default beat handling: ``"nn"`` (NN intervals only), ``"kubios"`` (Kubios
            correction) or ``"none"`` (every beat as it came, as the other tools take a file).
        convention: Time-domain definitions.
        spectral: Spectrum settings.
        detrend: ``"none"`` or ``"smoothness-priors"`` (λ = 500, on the RR before the spectrum).
        summary: One line for ``--help`` and the docs.
        dfa_short, dfa_long: DFA window sizes (beats) of α1 and α2.
        nonlinear_detrend: Detrend by smoothness priors before SampEn, ApEn and DFA (Kubios).
    """

    name: str
    artifacts: str
    convention: td.TimeDomainConvention
    spectral: hrv.SpectralMethod = field(default_factory=hrv.SpectralMethod)
    detrend: str = "none"
    summary: str = ""
    dfa_short: tuple[int, int] = nl.DFA_SHORT
    dfa_long: tuple[int, int] = nl.DFA_LONG
    nonlinear_detrend: bool = False


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "default",
            "nn",
            td.NEUROKIT,
            hrv.SpectralMethod(),
            summary="NN intervals; neurokit2's hrv_time and signal_psd Welch (64 s Hann segments)",
        ),
        Method(
            "kubios",
            "none",
            td.KUBIOS,
            hrv.SpectralMethod.kubios(),
            summary="Kubios HRV Standard: 300 s Welch, MATLAB hanning, closed bands, pNNxx/diffs",
            dfa_short=nl.KUBIOS_DFA_SHORT,
            dfa_long=nl.KUBIOS_DFA_LONG,
            nonlinear_detrend=True,
        ),
        Method(
            "hrv-package",
            "none",
            td.HRV_PACKAGE,
            hrv.SpectralMethod.hrv_package(),
            summary="the hrv package (rhenanbartels/hrv): scipy Welch defaults, pNN50/beats",
        ),
        Method(
            "pyhrv",
            "none",
            td.PYHRV,
            hrv.SpectralMethod.pyhrv(),
            summary="pyHRV: Hamming 300-sample segments, 4096-point FFT, pNN50/diffs",
        ),
        Method(
            "hrv-logger",
            "none",
            td.HRV_LOGGER,
            hrv.SpectralMethod(),
            summary="HRV Logger app: population SDNN, RMSSD over n-1, pNN50/diffs",
        ),
    )
}

#: method names in the order the help lists them
NAMES = tuple(METHODS)


def get(name: str | None) -> Method:
    """The method called ``name`` (``None``: the default).

    Raises:
        ValueError: For an unknown name.
    """
    if name is None:
        return METHODS["default"]
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r} (one of {', '.join(NAMES)})") from None
