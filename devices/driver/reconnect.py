"""Back-off between reconnection attempts: pure arithmetic, no clock of its own."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Exponential back-off with a ceiling and optional jitter.

    `next_delay()` gives the wait before the next attempt and grows it; `reset()` after a
    successful connection starts again from `initial_s`. Jitter (a fraction of the delay)
    keeps sixteen pumps on one failed hub from retrying in lockstep.
    """

    initial_s: float = 0.5
    factor: float = 2.0
    max_s: float = 8.0
    jitter: float = 0.1
    random_fraction: Callable[[], float] = field(default=random.random, repr=False)
    _current: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.initial_s <= 0 or self.factor < 1 or self.max_s < self.initial_s:
            raise ValueError("need 0 < initial_s <= max_s and factor >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")
        self._current = self.initial_s

    def next_delay(self) -> float:
        """The delay before the next attempt, then grow the base delay."""
        base = self._current
        self._current = min(self._current * self.factor, self.max_s)
        return base * (1 - self.jitter + 2 * self.jitter * self.random_fraction())

    def reset(self) -> None:
        self._current = self.initial_s
