"""One chair's monitoring: its pump's driver events in, alarms and records out.

Runs on the monitoring thread only (never the driver's): `handle` takes each event of
the chair's pump, `tick` runs the timers. Constant work per event. For each sample:
telemetry (when an infusion runs on the pump), the line detectors and the pump's
status conditions; for each pump alarm: the matching latched condition; for link
changes: the lost-link alarm and a communication status change event per outage. The
clinical schedule (pause, titration, checks, observation) and the infusion bound to
the pump are read again from the stored record when a write concerns the chair
(`concerns`, `rebind`), again `REREAD_RETRY_S` later while the database refuses the
read (so a change heard then is not lost), and every `safety_reread_s` for the writes
no notification names; `tick` times the schedule.
A chair taken over by another station (`taken_over`) is still watched and alarmed
here, but nothing of it is stored any more but its `chair_taken_over` alarm.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from devices.driver import (
    DriverEvent,
    LinkState,
    LinkStateChanged,
    PressureReading,
    PumpAlarm,
    PumpIdentified,
    PumpInfo,
    Sample,
)
from devices.protocol import AlarmCode
from station.alarms import AlarmClock, AlarmTransition, Cause, ChairAlarms
from station.alarms.link_watch import LINK_LOST, LinkWatch
from station.alarms.pump_status import apply_pump_status
from station.detection import LineMonitor, PressureBetweenPolls
from station.detection import Sample as LineSample
from station.monitoring.alarm_restore import Now
from station.monitoring.changed import ChangedRecord
from station.monitoring.config import MonitorSettings, PumpEndpoint
from station.monitoring.outage import OutageWatch
from station.monitoring.program import InfusionProgram
from station.monitoring.program_watch import ProgramWatch
from station.monitoring.recorder import MonitorRecorder, RecordContext, StoringSink
from station.monitoring.schedule import ScheduleSource, ScheduleWatch
from station.monitoring.snapshot import AlarmView, ChairSnapshot, ChairUpdate

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

AIR_IN_LINE = "air_in_line"
LOW_BATTERY = "low_battery"
# A re-read the database refused is tried again this much later (not at the safety
# re-read): the change it was for must not wait a minute.
REREAD_RETRY_S = 2.0
CHAIR_TAKEN_OVER = "chair_taken_over"


class ChairMonitor:
    """Turns one pump's driver events into telemetry, pump events and alarms."""

    def __init__(self, endpoint: PumpEndpoint, recorder: MonitorRecorder, clock: AlarmClock,
                 settings: MonitorSettings, schedule: ScheduleSource | None = None) -> None:
        self.endpoint = endpoint
        self.context = RecordContext()
        self._recorder = recorder
        self._clock = clock
        self._settings = settings
        self.owner = True  # this station holds the chair's lease: it records the chair
        self._sink = StoringSink(recorder, lambda: self.context, self._stores)
        self.alarms = ChairAlarms(endpoint.chair_id, self._sink, clock,
                                  conditions=settings.conditions, policy=settings.alarm_policy)
        self._schedule_source = schedule
        self._schedule = ScheduleWatch(self.alarms)
        self._next_reread = clock.monotonic()
        self._watch = LinkWatch(self.alarms, clock, settings.link_watch_s)
        self._line = LineMonitor(self.alarms)
        self._between_polls = PressureBetweenPolls()
        self._program_watch = ProgramWatch(self.alarms, settings)
        self._outage = OutageWatch(self.alarms, recorder, settings.detection_time_scale)
        self._program: InfusionProgram | None = None
        self._link = LinkState.DISCONNECTED
        self._info: PumpInfo | None = None
        self._latest: Sample | None = None
        self._lost_since: datetime | None = None
        self._held_alarms: list[PumpAlarm] = []  # seen while connecting, before the pump row
        self._chair_row_known = False
        self._alarms_restored = False

    @property
    def chair_id(self) -> str:
        return self.endpoint.chair_id

    def begin(self) -> None:
        """Monitoring starts now: the link watch counts the pump's silence from here,
        not from when the service was built."""
        self._watch = LinkWatch(self.alarms, self._clock, self._settings.link_watch_s)
        self._restore_alarms()
        # Monitoring starts with the chair's lease: a takeover alarm of an earlier run ends.
        self.alarms.set_condition(CHAIR_TAKEN_OVER, False)
        self._reread()

    def taken_over(self, detail: str) -> ChairUpdate:
        """Another station holds the chair now: its records are that station's. The
        takeover alarm is stored on the chair (no pump, no infusion); nothing else is."""
        if self.owner:
            self.owner = False
            self.context = RecordContext(chair_id=self.context.chair_id)
        self.alarms.set_condition(CHAIR_TAKEN_OVER, True, detail=detail)
        return self._update(None)

    def _stores(self, transition: AlarmTransition) -> bool:
        return self.owner or transition.condition == CHAIR_TAKEN_OVER

    def _restore_alarms(self) -> None:
        """Take up the alarms stored open before a restart (retried while unreadable)."""
        self._find_chair_row()
        now = Now(self._clock.utc_now(), self._clock.monotonic())
        found = self._recorder.open_alarms(self.context.chair_id, self.endpoint.port_url, now)
        if found is None:
            return
        self._alarms_restored = True
        self._recorder.take_up(self.alarms, found)

    # -- driver events ------------------------------------------------------------------

    def handle(self, event: DriverEvent) -> ChairUpdate:
        """Apply one driver event of this chair's pump; the update for subscribers."""
        self._find_chair_row()
        if isinstance(event, Sample):
            self._on_sample(event)
        elif isinstance(event, PumpAlarm):
            self._on_pump_alarm(event)
        elif isinstance(event, LinkStateChanged):
            self._on_link_changed(event)
        elif isinstance(event, PressureReading):
            return self.handle_pressure(event) or self._update(event)
        else:
            self._on_identified(event)
        return self._update(event)

    def handle_pressure(self, reading: PressureReading) -> ChairUpdate | None:
        """A fast pressure read: to the line detectors only, not stored; an update
        only when an alarm changed (ten reads a second need no new snapshot each)."""
        sample = self._between_polls.read(
            reading.at.monotonic * self._settings.detection_time_scale,
            reading.pressure_mmhg, reading.status.value)
        if sample is not None and self._link is LinkState.UP:
            self._line.feed(sample)
        if not self._sink.recent:
            return None
        return self._update(reading)

    def _on_sample(self, sample: Sample) -> None:
        self._latest = sample
        self._watch.heard()
        if self._link is LinkState.UP and self.owner:  # its events are the owner's
            self._outage.sample(sample, self.context)
        if self.context.infusion_id is not None:
            self._recorder.sample(self.context.infusion_id, sample)
        self._line.feed(self._between_polls.polled(
            self._line_sample(sample, sample.status.value, sample.at.monotonic)))
        if sample.conditions is not None:
            battery = sample.conditions.battery_percent
            self.alarms.set_condition(AIR_IN_LINE, sample.conditions.air_in_line,
                                      detail="the pump reports air in the line")
            self.alarms.set_condition(LOW_BATTERY, battery <= self._settings.low_battery_percent,
                                      detail=f"battery {battery} %")
        self._program_watch.feed(sample, self._program)

    def _on_pump_alarm(self, alarm: PumpAlarm) -> None:
        # The power-up `A?R` comes during the connection sequence, before the pump is
        # identified: hold it until its row is known, so that the record names the pump.
        self._outage.pump_alarm(alarm.code)
        if self._link is not LinkState.UP and self.context.pump_id is None:
            self._held_alarms.append(alarm)
            return
        status = f"A?{alarm.code.value}"
        if alarm.code is AlarmCode.STALL and self._latest is not None and (
                self._link is LinkState.UP):
            # Through the detectors too (with the last sample's values, seen on this
            # link): a stall the occlusion detector had not seen yet raises `occlusion`
            # as well, so the record says why the pump stopped.
            self._line.feed(self._line_sample(self._latest, status, alarm.at.monotonic))
        else:
            apply_pump_status(self.alarms, status)

    def _on_identified(self, event: PumpIdentified) -> None:
        self._info = event.info
        if not self.owner:
            self._release_held_alarms()
            return
        pump_id = self._recorder.register_pump(event.info, self.endpoint.port_url)
        if pump_id is not None:
            self.context = replace(self.context, pump_id=pump_id)
            self._check_binding()
        self._release_held_alarms()

    def _on_link_changed(self, event: LinkStateChanged) -> None:
        old, self._link = self._link, event.new
        if event.new is LinkState.LOST:
            self._release_held_alarms()
            self.alarms.raise_condition(LINK_LOST, detail=event.reason)
            if self._lost_since is None:
                last = self._latest.at.utc if self._latest is not None else event.at.utc
                self._lost_since = last
                self._outage.lost(self._latest, event.at.utc, self.context)
                if self.owner:
                    self._recorder.communication_changed(
                        self.context, online=False, occurred_at=last,
                        detail=f"link {old} -> lost: {event.reason}")
        elif event.new is LinkState.UP:
            self._watch.heard()
            if self._lost_since is not None:
                gap_s = (event.at.utc - self._lost_since).total_seconds()
                if self.owner:
                    self._recorder.communication_changed(
                        self.context, online=True, occurred_at=event.at.utc,
                        detail=f"link up again after {gap_s:.1f} s without data")
                self._lost_since = None

    def _release_held_alarms(self) -> None:
        held, self._held_alarms = self._held_alarms, []
        for alarm in held:
            apply_pump_status(self.alarms, f"A?{alarm.code.value}")

    def _line_sample(self, sample: Sample, status: str, monotonic_s: float) -> LineSample:
        return LineSample(time_s=monotonic_s * self._settings.detection_time_scale,
                          rate_ml_h=sample.rate_ml_h, volume_ml=sample.volume_ml,
                          pressure_mmhg=sample.pressure_mmhg, status=status)

    # -- timers and the database --------------------------------------------------------

    def tick(self) -> ChairUpdate | None:
        """Alarm timers, the link watch, the clinical schedule, the infusion binding; an
        update if anything changed."""
        before = self.context
        self._find_chair_row()
        if not self._alarms_restored:
            self._restore_alarms()
        self.alarms.tick()
        if self._link is not LinkState.CLOSED:
            self._watch.tick()
        rescheduled = False
        if self._clock.monotonic() >= self._next_reread:
            rescheduled = self._reread()
        else:
            self._schedule.tick(self._clock.utc_now())
        if not self._sink.recent and self.context == before and not rescheduled:
            return None
        return self._update(None)

    def concerns(self, changed: ChangedRecord) -> bool:
        """Whether a write to that row can change this chair's schedule or binding: its
        chair row (appointments, assignments), its pump, or the infusion it is bound
        to or whose schedule it runs (pauses, titration steps, pump events)."""
        context = self.context
        if changed.chair_row is not None and changed.chair_row == context.chair_id:
            return True
        if changed.pump_id is not None and changed.pump_id == context.pump_id:
            return True
        return changed.infusion_id is not None and changed.infusion_id in (
            context.infusion_id, self._schedule.schedule.infusion_id)

    def rebind(self) -> ChairUpdate:
        """Read the pump's infusion and the clinical schedule again now: a stored record
        of this chair changed (the services started or ended an infusion, a pause ...)."""
        self._reread()
        return self._update(None)

    def _reread(self) -> bool:
        """The binding and the schedule; True when the schedule changed. Tried again
        soon when the database refused either, else at the safety re-read."""
        refused = self._check_binding()
        loaded = self._load_schedule()
        unread = refused or loaded is None
        self._next_reread = self._clock.monotonic() + (
            REREAD_RETRY_S if unread else self._settings.safety_reread_s)
        return bool(loaded)

    def _load_schedule(self) -> bool | None:
        """The schedule from the stored record (kept as it was while that cannot be
        read); True when it changed, None when the database refused the read."""
        source = self._schedule_source
        if source is None:
            return False
        now = self._clock.utc_now()
        try:
            loaded = self._recorder.look_up(f"the schedule of chair {self.chair_id}",
                                            lambda: source(self.chair_id))
        except Exception:  # a record the rules cannot read must not stop the chair's tick
            log.exception("%s: cannot read the clinical schedule", self.chair_id)
            self._schedule.tick(now)
            return False  # not retried soon: the same record would fail the same way
        if loaded is None:  # the database refuses
            self._schedule.tick(now)
            return None
        return self._schedule.apply(loaded, now)

    def _check_binding(self) -> bool:
        """Look up the infusion running on this pump (samples are stored under it) and
        its program (what the samples are checked against); True when refused."""
        if self.context.pump_id is None or not self.owner:
            return False
        infusion_id = self._recorder.active_infusion(self.context.pump_id)
        if self._recorder.lookup_refused:
            return True  # unknown, not "no infusion": keep the binding, ask again soon
        self.context = replace(self.context, infusion_id=infusion_id)
        if infusion_id is None:
            self._program = None
            self._program_watch.unbound()
            return False
        program = self._recorder.program(infusion_id)
        if program is not None or not self._recorder.lookup_refused:
            self._program = program
        return self._recorder.lookup_refused

    def _find_chair_row(self) -> None:
        """The `chairs` row whose label is this chair's id, if the schedule has one."""
        if self._chair_row_known:
            return
        row = self._recorder.chair_row(self.chair_id)
        # Unknown while the database refuses: asked again (the alarm restore needs it).
        self._chair_row_known = not self._recorder.lookup_refused
        self.context = replace(self.context, chair_id=row)

    # -- what people do -----------------------------------------------------------------

    def acknowledge(self, condition: str, who: str) -> ChairUpdate:
        self.alarms.acknowledge(condition, who)
        return self._update(None)

    def acknowledge_stored(self, stored_alarm_id: int, who: str) -> ChairUpdate:
        """Acknowledge the open alarm stored as `alarms.id` (asked for away from the
        chair); LookupError when it is no longer open here. Never a reset: a latched
        pump alarm stays until someone resets it at the chair."""
        for alarm in self.alarms.alarms():
            if self._recorder.stored_alarm_id(alarm.alarm_id) == stored_alarm_id:
                return self.acknowledge(alarm.condition, who)
        raise LookupError(f"alarm {stored_alarm_id} is not open at {self.chair_id}")

    def reset(self, condition: str, who: str, cause: Cause | None = None) -> ChairUpdate:
        """Reset a latched alarm whose condition has ended (AlarmError while it persists)."""
        self.alarms.reset(condition, who, cause)
        return self._update(None)

    def pause_audio(self, who: str, duration_s: float | None = None) -> ChairUpdate:
        self.alarms.pause_audio(who, duration_s)
        return self._update(None)

    def record_cause(self, alarm_id: str, who: str, cause: Cause) -> ChairUpdate:
        """Why an open or recently closed alarm happened (AlarmError for another)."""
        self.alarms.record_cause(alarm_id, who, cause)
        return self._update(None)

    # -- what the UI reads --------------------------------------------------------------

    def snapshot(self) -> ChairSnapshot:
        return ChairSnapshot(
            chair_id=self.chair_id,
            port_url=self.endpoint.port_url,
            link_state=self._link,
            pump=self._info,
            infusion_id=self.context.infusion_id,
            latest_sample=self._latest,
            alarms=tuple(AlarmView.of(a) for a in self.alarms.alarms()),
            sound_now=self.alarms.sound_now(),
            link_lost_since=self._lost_since,
            schedule=self._schedule.schedule,
        )

    def _update(self, event: DriverEvent | None) -> ChairUpdate:
        return ChairUpdate(self.snapshot(), event, self._sink.take())
