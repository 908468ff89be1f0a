"""Soft sound cues for the turns of the breath, so the eyes can close.

PySide6-Essentials has no QtMultimedia, so the cues are two short sine tones (a higher one for
"in", a lower one for "out", with slow fades so they do not click) written once to WAV files in a
temporary folder and played by the system's own player (PipeWire, PulseAudio, ALSA or macOS). With
none of those, :meth:`QApplication.beep` is the last resort. Sound is best effort: any failure is
logged once and the cues go quiet; it never interrupts a session.
"""

from __future__ import annotations

import logging
import math
import shutil
import subprocess
import tempfile
import wave
from array import array
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 22050
#: stage -> (frequency, duration); holds have no tone, their stillness is the cue
TONES: dict[str, tuple[float, float]] = {"in": (528.0, 0.45), "out": (396.0, 0.6)}

#: players tried in order, with the arguments that make them quiet and non-interactive
PLAYERS: tuple[tuple[str, ...], ...] = (
    ("pw-play",),
    ("paplay",),
    ("aplay", "-q"),
    ("afplay",),
)


def write_tone(path: Path, freq_hz: float, duration_s: float, *, volume: float = 0.25) -> Path:
    """Write a mono 16-bit sine tone with raised-cosine fades in and out."""
    n = int(SAMPLE_RATE_HZ * duration_s)
    fade = max(1, int(0.12 * SAMPLE_RATE_HZ))
    samples = array("h")
    for i in range(n):
        env = 1.0
        if i < fade:
            env = 0.5 - 0.5 * math.cos(math.pi * i / fade)
        elif i > n - fade:
            env = 0.5 - 0.5 * math.cos(math.pi * (n - i) / fade)
        wave_value = math.sin(2 * math.pi * freq_hz * i / SAMPLE_RATE_HZ)
        samples.append(int(32767 * volume * env * wave_value))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes(samples.tobytes())
    return path


def find_player() -> tuple[str, ...] | None:
    """The first system audio player on ``PATH`` (its command and arguments), or ``None``."""
    for cmd in PLAYERS:
        exe = shutil.which(cmd[0])
        if exe:
            return (exe, *cmd[1:])
    return None


class CuePlayer:
    """Plays the cue for a stage when asked; does nothing while disabled.

    Args:
        enabled: Start with sound on.
        player: Command that plays a WAV file given as its last argument; found on ``PATH`` when
            ``None``. An empty tuple means "no player": use ``beep``.
        beep: Fallback when there is no player (``QApplication.beep``).
    """

    def __init__(
        self,
        *,
        enabled: bool = False,
        player: tuple[str, ...] | None = None,
        beep: Callable[[], None] | None = None,
    ) -> None:
        self.enabled = enabled
        self._player = find_player() if player is None else (player or None)
        self._beep = beep
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._files: dict[str, Path] = {}
        self._procs: list[subprocess.Popen[bytes]] = []
        self._broken = False
        self.played: list[str] = []  #: stages cued so far (for tests and the log)

    def _file(self, stage: str) -> Path:
        if stage not in self._files:
            if self._dir is None:
                self._dir = tempfile.TemporaryDirectory(prefix="hrvcoach-cues-")
            freq, dur = TONES[stage]
            self._files[stage] = write_tone(Path(self._dir.name) / f"{stage}.wav", freq, dur)
        return self._files[stage]

    def cue(self, stage: str) -> None:
        """Play the tone for ``stage`` ("in"/"out"; holds are silent)."""
        if not self.enabled or self._broken or stage not in TONES:
            return
        self._reap()
        try:
            if self._player is not None:
                proc = subprocess.Popen(
                    [*self._player, str(self._file(stage))],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                self._procs.append(proc)
            elif self._beep is not None:
                self._beep()
            self.played.append(stage)
        except OSError as err:
            self._broken = True
            log.warning("sound cues are off: %s", err)

    def _reap(self) -> None:
        self._procs = [p for p in self._procs if p.poll() is None]

    def close(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs = []
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
