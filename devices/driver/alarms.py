"""Turns alarm replies into `PumpAlarm` events, once per occurrence."""

from __future__ import annotations

from collections.abc import Callable

from devices.driver.clock import Clock, stamp
from devices.driver.types import AlarmSource, PumpAlarm
from devices.protocol import AlarmCode, Reply


class AlarmTracker:
    """Reports each latched alarm once, with the time the driver first saw it.

    A reply with an alarm is a new occurrence, except the acknowledgement (or a refused
    command's reply) that follows an occurrence not yet acknowledged at the pump: the
    Safe-mode auto-alarm and the reply to the next command are one event, not two.
    A second auto-alarm is a second occurrence: the pump sends one per alarm.
    """

    def __init__(self, pump_id: str, clock: Clock, emit: Callable[[PumpAlarm], None]) -> None:
        self._pump_id = pump_id
        self._clock = clock
        self._emit = emit
        self._unacknowledged: AlarmCode | None = None

    @property
    def unacknowledged(self) -> AlarmCode | None:
        """An alarm reported but still latched at the pump (no command has acknowledged it)."""
        return self._unacknowledged

    def observe(self, reply: Reply, source: AlarmSource) -> None:
        """Note the status of one reply; emit an event if it starts an occurrence."""
        if reply.alarm is None:
            if source is not AlarmSource.AUTO:
                self._unacknowledged = None
            return
        # A valid command acknowledges; a refused one (error reply) does not.
        acknowledges = source is not AlarmSource.AUTO and reply.error is None
        known = self._unacknowledged is reply.alarm and source is not AlarmSource.AUTO
        self._unacknowledged = None if acknowledges else reply.alarm
        if known:
            return
        self._emit(PumpAlarm(pump_id=self._pump_id, at=stamp(self._clock), code=reply.alarm,
                             source=source, acknowledged_at_pump=acknowledges))

    def forget(self) -> None:
        """Start afresh (a new connection: what the pump latched since is news)."""
        self._unacknowledged = None
