"""A median over the last `window_s` seconds, with bounded work per sample.

Work per sample is O(n) in the number of samples inside the window (at most
window x sample rate, e.g. 30 s x 10 Hz = 300), independent of the trace length.
"""

from __future__ import annotations

import bisect
from collections import deque


class RollingMedian:
    """Median of the values pushed during the last `window_s` seconds."""

    def __init__(self, window_s: float) -> None:
        if window_s <= 0:
            raise ValueError("window_s must be positive")
        self.window_s = window_s
        self._items: deque[tuple[float, float]] = deque()
        self._sorted: list[float] = []

    def __len__(self) -> int:
        return len(self._items)

    def push(self, time_s: float, value: float) -> None:
        self._items.append((time_s, value))
        bisect.insort(self._sorted, value)
        self.expire(time_s)

    def expire(self, now_s: float) -> None:
        """Drop values older than the window."""
        while self._items and self._items[0][0] <= now_s - self.window_s:
            _, old = self._items.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]

    def clear(self) -> None:
        self._items.clear()
        self._sorted.clear()

    def span_s(self) -> float:
        """Time covered by the values held."""
        return self._items[-1][0] - self._items[0][0] if self._items else 0.0

    def median(self) -> float | None:
        n = len(self._sorted)
        if n == 0:
            return None
        mid = n // 2
        return self._sorted[mid] if n % 2 else 0.5 * (self._sorted[mid - 1] + self._sorted[mid])

    def spread(self) -> float:
        """Max minus min of the values held (0 when empty)."""
        return self._sorted[-1] - self._sorted[0] if self._sorted else 0.0
