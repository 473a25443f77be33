"""Clocks for the alarm engine: monotonic seconds for timers, aware UTC for records."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class AlarmClock(Protocol):
    """What the alarm engine asks of time; never read the system clock directly."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (pause deadlines, escalation)."""
        ...

    def utc_now(self) -> datetime:
        """Wall time, timezone-aware UTC, for stored transitions."""
        ...


class SystemClock:
    """The real clocks: time.monotonic and datetime.now(UTC)."""

    def monotonic(self) -> float:
        return time.monotonic()

    def utc_now(self) -> datetime:
        return datetime.now(UTC)


class WallClock:
    """Real monotonic time, wall time from `utc_now`: the monitoring then times the
    stored schedule on the same clock as the services that stored it (a training
    station's or a test's settable clock)."""

    def __init__(self, utc_now: Callable[[], datetime]) -> None:
        self._utc_now = utc_now

    def monotonic(self) -> float:
        return time.monotonic()

    def utc_now(self) -> datetime:
        return self._utc_now()


class ManualClock:
    """A clock moved by hand (tests, trace replay): both views advance together."""

    def __init__(self, start_utc: datetime | None = None, start_monotonic: float = 0.0) -> None:
        origin = start_utc or datetime(2026, 1, 1, tzinfo=UTC)
        if origin.tzinfo is None:
            raise ValueError("start_utc must be timezone-aware")
        self._origin_utc = origin
        self._origin_mono = start_monotonic
        self._now = start_monotonic

    def monotonic(self) -> float:
        return self._now

    def utc_now(self) -> datetime:
        return self._origin_utc + timedelta(seconds=self._now - self._origin_mono)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self._now += seconds

    def set(self, monotonic_s: float) -> None:
        """Jump to an absolute monotonic time (not earlier than now)."""
        self.advance(monotonic_s - self._now)
