"""The clock the driver reads, injected so tests control time."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

from devices.driver.types import Stamp


class Clock(Protocol):
    """Monotonic time for intervals, UTC wall time for the record."""

    def monotonic(self) -> float: ...

    def utc_now(self) -> datetime: ...


class SystemClock:
    """The real clocks."""

    def monotonic(self) -> float:
        return time.monotonic()

    def utc_now(self) -> datetime:
        return datetime.now(UTC)


def stamp(clock: Clock) -> Stamp:
    """Both times of `clock`, now."""
    return Stamp(utc=clock.utc_now(), monotonic=clock.monotonic())
