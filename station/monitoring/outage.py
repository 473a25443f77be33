"""One chair's link outages: the gap in the stored telemetry, and what changed meanwhile.

When the driver reports the link lost, a row of NaN is stored in the infusion's
telemetry at that moment: `load_series` returns it and a plot drawing with
`connect="finite"` breaks the line there, so a stored outage is never drawn as a
straight line across. The last sample before the outage is kept; the first sample
after the reconnection is compared with it (`changes_while_offline`), each change is
stored as an infusion event and the `pump_changed_offline` alarm is raised, then its
condition ended: latched, it stays until a nurse has checked the pump and reset it.
Runs on the monitoring thread, as part of `ChairMonitor`.
"""

from __future__ import annotations

import math
from datetime import datetime

from devices.driver import Sample
from devices.protocol import AlarmCode
from station.alarms import ChairAlarms
from station.monitoring.offline_changes import (
    PUMP_CHANGED_OFFLINE,
    ChangeKind,
    OfflineChange,
    alarm_priority,
    changes_while_offline,
)
from station.monitoring.recorder import MonitorRecorder, RecordContext
from station.persistence import TelemetrySample
from station.persistence.events import InfusionEvent, InfusionEventKind, NotDeliveringReason
from station.persistence.people import ActorKind

_EVENT_KINDS = {
    ChangeKind.STOPPED: InfusionEventKind.DELIVERY_STOP,
    ChangeKind.RESTARTED: InfusionEventKind.DELIVERY_START,
    ChangeKind.VOLUME_CLEARED: InfusionEventKind.COUNTERS_CLEARED,
    # PCD-10 has no "rate changed" nor "bolus" event: they are reported as found with
    # the reconnection (pump online), with the pump's rate and total volume.
    ChangeKind.RATE_CHANGED: InfusionEventKind.COMMUNICATION_STATUS_CHANGE,
    ChangeKind.VOLUME_JUMPED: InfusionEventKind.COMMUNICATION_STATUS_CHANGE,
}


class OutageWatch:
    """The gap row at a loss; the comparison on the first sample after it."""

    def __init__(self, alarms: ChairAlarms, recorder: MonitorRecorder,
                 time_scale: float) -> None:
        self._alarms = alarms
        self._recorder = recorder
        self._time_scale = time_scale
        self._before: Sample | None = None  # last sample before the outage
        self._since: datetime | None = None
        self._pump_alarms: list[AlarmCode] = []  # reported while reconnecting

    @property
    def pending(self) -> bool:
        """An outage whose first sample after has not come yet."""
        return self._since is not None

    def lost(self, last: Sample | None, at: datetime, context: RecordContext) -> None:
        """The driver reported the link lost at `at` (once per outage)."""
        if self._since is not None:
            return
        self._since = at
        self._before = last
        self._pump_alarms = []
        if context.infusion_id is not None and last is not None:
            self._recorder.telemetry_row(TelemetrySample(
                context.infusion_id, at, math.nan, math.nan, None))

    def pump_alarm(self, code: AlarmCode) -> None:
        if self._since is not None:
            self._pump_alarms.append(code)

    def sample(self, sample: Sample, context: RecordContext) -> list[OfflineChange]:
        """Compare the first sample after an outage with the last before it."""
        if self._since is None:
            return []
        before, since = self._before, self._since
        self._before, self._since = None, None
        if before is None:
            return []
        pump_seconds = (sample.at.monotonic - before.at.monotonic) * self._time_scale
        changes = changes_while_offline(before, sample, pump_seconds)
        if not changes:
            return []
        window = f"while the link was down since {since:%H:%M:%S} UTC"
        for change in changes:
            self._recorder.pump_event(change.text, self._event(change, sample, context, window))
        self._alarms.raise_condition(
            PUMP_CHANGED_OFFLINE, priority=alarm_priority(changes),
            detail=f"{window}: " + "; ".join(c.text for c in changes))
        self._alarms.clear_condition(PUMP_CHANGED_OFFLINE)  # latched: waits for a reset
        return changes

    def _event(self, change: OfflineChange, sample: Sample, context: RecordContext,
               window: str) -> InfusionEvent:
        kind = _EVENT_KINDS[change.kind]
        reason = None
        if kind is InfusionEventKind.DELIVERY_STOP:
            reason = (NotDeliveringReason.ALARM if self._pump_alarms
                      else NotDeliveringReason.OTHER)
        alarms = "".join(f" (pump alarm A?{code.value})" for code in self._pump_alarms)
        return InfusionEvent(
            kind=kind,
            infusion_id=context.infusion_id,
            pump_id=context.pump_id,
            occurred_at=sample.at.utc,  # when it was found; it happened in the window
            not_delivering_reason=reason,
            reason_detail=f"{change.text}{alarms if reason else ''}, {window}",
            rate_ml_h=sample.rate_ml_h,
            total_volume_ml=sample.volume_ml,
            pump_online=True if kind is InfusionEventKind.COMMUNICATION_STATUS_CHANGE else None,
            actor_kind=ActorKind.PUMP,
            actor_user_id=None,
        )
