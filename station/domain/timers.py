"""Countdowns shared by the timed rules (site checks, vitals, steps, observation, pauses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from station.domain.refusals import require_aware

# A time entered slightly ahead of the station clock is accepted (device clock skew).
CLOCK_SKEW = timedelta(minutes=2)


def in_future(moment: datetime, now: datetime) -> bool:
    """Whether an entered time lies beyond ``now`` by more than clock skew."""
    require_aware(moment, "time entered")
    require_aware(now, "now")
    return moment > now + CLOCK_SKEW


@dataclass(frozen=True)
class Countdown:
    """Time left until ``due_at`` as seen at some instant; negative once overdue."""

    due_at: datetime
    remaining: timedelta

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def due(self) -> bool:
        return self.remaining <= timedelta(0)


def countdown(due_at: datetime, now: datetime) -> Countdown:
    """How long until ``due_at`` at ``now``."""
    require_aware(due_at, "due_at")
    require_aware(now, "now")
    return Countdown(due_at, due_at - now)


def interval_countdown(last: datetime, interval: timedelta, now: datetime) -> Countdown:
    """Countdown to the next check of a recurring task last done at ``last``."""
    return countdown(last + interval, now)
