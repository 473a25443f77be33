"""Lost link to a pump: a technical alarm when nothing valid arrived for a while.

The driver polls every pump at least once a second; `timeout_s` (default 8 s) plus
the tick period must stay under the 10 s the requirements allow.
"""

from __future__ import annotations

from station.alarms.clock import AlarmClock
from station.alarms.manager import ChairAlarms

LINK_LOST = "link_lost"
REQUIRED_WITHIN_S = 10.0


class LinkWatch:
    """Raises `link_lost` at a chair when its pump has been silent `timeout_s`."""

    def __init__(self, chair: ChairAlarms, clock: AlarmClock, timeout_s: float = 8.0) -> None:
        if not 0 < timeout_s < REQUIRED_WITHIN_S:
            raise ValueError(f"timeout_s must be in (0, {REQUIRED_WITHIN_S}) s")
        self._chair = chair
        self._clock = clock
        self.timeout_s = timeout_s
        self._last_heard = clock.monotonic()

    def heard(self) -> None:
        """A valid reply arrived: the link is up (ends a link_lost alarm)."""
        self._last_heard = self._clock.monotonic()
        self._chair.clear_condition(LINK_LOST)

    def tick(self) -> None:
        """Call at least once a second."""
        silent_s = self._clock.monotonic() - self._last_heard
        if silent_s >= self.timeout_s:
            self._chair.raise_condition(LINK_LOST, detail=f"no reply for {silent_s:.0f} s")
