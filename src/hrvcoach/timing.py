"""Playback timing for the replay and simulator drivers: real time, ``--speed X`` or ``--fast``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Playback:
    """Waits until a session time is due on the wall clock.

    Args:
        speed: Session seconds per wall-clock second (1.0 is real time).
        fast: Do not wait at all (as fast as possible); still yields to the event loop now and then
            so that other tasks (a display, Ctrl-C) keep running.
    """

    YIELD_EVERY = 256

    def __init__(
        self,
        *,
        speed: float = 1.0,
        fast: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.fast = fast
        self._clock = clock
        self._sleep = sleep
        self._t0: float | None = None
        self._count = 0

    def start(self) -> None:
        self._t0 = self._clock()

    def now_s(self) -> float:
        """Session time that is due now (infinite when fast)."""
        if self.fast:
            return float("inf")
        if self._t0 is None:
            self.start()
        assert self._t0 is not None
        return (self._clock() - self._t0) * self.speed

    async def wait_until(self, t_s: float) -> None:
        if self.fast:
            self._count += 1
            if self._count % self.YIELD_EVERY == 0:
                await self._sleep(0)
            return
        if self._t0 is None:
            self.start()
        assert self._t0 is not None
        delay = self._t0 + t_s / self.speed - self._clock()
        if delay > 0:
            await self._sleep(delay)
        else:
            await self._sleep(0)
