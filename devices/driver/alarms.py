"""Turns alarm replies into `PumpAlarm` events, once per occurrence."""

from __future__ import annotations

from collections.abc import Callable

from devices.driver.clock import Clock, stamp
from devices.driver.types import AlarmSource, PumpAlarm
from devices.protocol import AlarmCode, Reply


class AlarmTracker:
    """Reports each latched alarm once, with the time the driver first saw it.

    An occurrence starts with the first alarm reply and ends with the first ordinary
    reply after it. The Safe-mode auto-alarm (not acknowledged) and the reply to the
    next command (which acknowledges) are one occurrence, so one event.
    """

    def __init__(self, pump_id: str, clock: Clock, emit: Callable[[PumpAlarm], None]) -> None:
        self._pump_id = pump_id
        self._clock = clock
        self._emit = emit
        self._active: AlarmCode | None = None

    @property
    def active(self) -> AlarmCode | None:
        """The alarm of the occurrence in progress, if any."""
        return self._active

    def observe(self, reply: Reply, source: AlarmSource) -> None:
        """Note the status of one reply; emit an event if it starts an occurrence."""
        if reply.alarm is None:
            if source is not AlarmSource.AUTO:
                self._active = None
            return
        if reply.alarm is self._active:
            return
        self._active = reply.alarm
        self._emit(PumpAlarm(pump_id=self._pump_id, at=stamp(self._clock), code=reply.alarm,
                             source=source,
                             acknowledged_at_pump=source is not AlarmSource.AUTO))

    def forget(self) -> None:
        """Start afresh (a new connection: what the pump latched since is news)."""
        self._active = None
