"""Other stations' writes reach this station's monitoring: the change source followed.

The monitoring service keeps each chair's clinical schedule and infusion binding in
memory. Its own services tell it of their writes (`RecordChanges`); a pause recorded
at the overview or at another workstation is heard here, from the unit's change
source (LISTEN/NOTIFY on PostgreSQL, the in-process hub on SQLite). Each payload that
names a chair, infusion or pump row becomes a `ChangedRecord`, and the monitoring
thread re-reads only the chairs it concerns (constant work per notification: one
queue put; per reload, at most the station's own chairs). RESYNC (the listening
connection came back, and notifications sent meanwhile are gone) re-reads every chair.
Telemetry, alarm transitions, leases and heartbeats cannot change a schedule and are
dropped at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from station.monitoring.changed import ChangedRecord
from station.unit import change_keys as keys
from station.unit.change_keys import ChangeKey
from station.unit.changes import ChangeSource


class ChangeListener(Protocol):
    """`MonitoringService.records_changed`."""

    def records_changed(self, changed: ChangedRecord | None = None) -> None: ...


def changed_record(key: ChangeKey) -> ChangedRecord | None:
    """The row a payload names, if a schedule or binding can depend on it."""
    number = key.number
    if number is None:
        return None
    if key.kind == keys.CHAIR:
        return ChangedRecord(chair_row=number)
    if key.kind == keys.INFUSION:
        return ChangedRecord(infusion_id=number)
    if key.kind == keys.PUMP:
        return ChangedRecord(pump_id=number)
    return None


def follow_record_changes(listener: ChangeListener,
                          source: ChangeSource) -> Callable[[], None]:
    """Hand `listener` every change `source` hears that can concern a schedule; returns
    `unsubscribe`. Runs on the source's thread (or a writer's, on SQLite): quick."""
    def heard(payload: str) -> None:
        key = ChangeKey.parse(payload)
        if key is None:
            return
        if key.kind == keys.RESYNC:
            listener.records_changed()
            return
        changed = changed_record(key)
        if changed is not None:
            listener.records_changed(changed)
    return source.subscribe(heard)
