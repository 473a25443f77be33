"""The simulated clock: real monotonic time multiplied by a speed-up factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    """Anything that says how many simulated seconds have passed."""

    def now(self) -> float: ...


class ScaledClock:
    """Simulated seconds since start = real seconds since start x `speed`.

    `real` is injectable so that tests can drive it; by default it is time.monotonic.
    """

    def __init__(self, speed: float = 1.0, real: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.speed = speed
        self._real = real
        self._start = real()
        self._offset = 0.0

    def now(self) -> float:
        return self._offset + (self._real() - self._start) * self.speed

    def set_speed(self, speed: float) -> None:
        """Change the speed-up from now on; simulated time carries on without a jump."""
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self._offset = self.now()
        self._start = self._real()
        self.speed = speed

    def real_now(self) -> float:
        """The underlying real clock (link timings such as slow replies are real time)."""
        return self._real()


class WallClock:
    """Real monotonic seconds: the time of the wire (watchdog, inter-byte gaps)."""

    def now(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock the caller moves by hand: for in-process tests and offline simulation."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self._now += seconds
