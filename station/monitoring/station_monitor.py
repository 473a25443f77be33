"""The station's own alarms, once per station rather than once per chair.

`storage_unavailable` is a fact about this station's database, not about a chair: one
alarm while the database refuses writes or lookups, stored (through the write backlog,
in order) once the database takes writes again. `sound_device_missing` is a fact about
its loudspeaker: the window reports what its audio output does (`sound_output`), and
the alarm is raised and ended here, so its transitions are stored with who and when
like any other; `spool_unavailable` while the station's own disk refuses the records
the database cannot take (kept in memory only). Their snapshot has the id `STATION`
and reaches subscribers like a chair's; acknowledge, audio pause and reset go through
the `MonitoringService` with that id. `storage` says since when records have been
waiting (the chairside window's strip), until every one of them is stored.

They are stored with no chair and no pump but the station's name (`alarms.station`):
at `begin` (after the local spool's replay) the station takes up those it had open
before a crash as chairs do theirs (station/monitoring/alarm_restore.py), so a
`storage_unavailable` of a killed run ends on its own row once the database works, and
no second row is raised. Another station's on the same database are not its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from devices.driver import LinkState
from station.alarms import AlarmClock, Cause, ChairAlarms
from station.monitoring.alarm_restore import Now
from station.monitoring.config import MonitorSettings
from station.monitoring.recorder import MonitorRecorder, RecordContext, StoringSink
from station.monitoring.snapshot import AlarmView, ChairSnapshot, ChairUpdate

STATION = "Station"
STORAGE_UNAVAILABLE = "storage_unavailable"
SOUND_DEVICE_MISSING = "sound_device_missing"
SPOOL_UNAVAILABLE = "spool_unavailable"


@dataclass(frozen=True)
class StorageState:
    """Whether this station's records reach the database (and so the unit overview)."""

    waiting_since: datetime | None = None  # UTC; None: everything is stored
    records_waiting: int = 0  # alarm and event writes
    samples_waiting: int = 0  # telemetry


class StationMonitor:
    """Station-wide technical alarms; runs on the monitoring thread only."""

    chair_id = STATION

    def __init__(self, recorder: MonitorRecorder, clock: AlarmClock,
                 settings: MonitorSettings | None = None, *, station: str | None = None) -> None:
        """`station`: this station's name in the unit, stored on its alarms; None: they
        are stored without one and none is taken up after a restart."""
        settings = settings or MonitorSettings()
        self._recorder = recorder
        self._clock = clock
        self._station = station
        self.storage = StorageState()  # replaced whole: other threads read it unlocked
        # A station alarm hangs on no pump, infusion or chair: on the station.
        context = RecordContext(station=station)
        self._sink = StoringSink(recorder, lambda: context)
        self.alarms = ChairAlarms(STATION, self._sink, clock, conditions=settings.conditions,
                                  policy=settings.alarm_policy)
        self._alarms_restored = station is None

    def begin(self) -> ChairUpdate | None:
        """Monitoring starts: take up this station's alarms stored open before a restart
        (retried at each check while the database cannot say); an update if any was."""
        return self._update() if self._restore_alarms() else None

    def _restore_alarms(self) -> bool:
        if self._station is None:
            return False
        now = Now(self._clock.utc_now(), self._clock.monotonic())
        found = self._recorder.open_station_alarms(self._station, now)
        if found is None:
            return False
        self._alarms_restored = True
        self._recorder.take_up(self.alarms, found)
        return bool(found)

    def check(self) -> ChairUpdate | None:
        """After each event and tick: `storage_unavailable` follows the recorder; an
        update when any alarm of the station changed."""
        if not self._alarms_restored:
            self._restore_alarms()
        recorder = self._recorder
        refusing = recorder.refusing
        since = self.storage.waiting_since
        if refusing and since is None:
            since = self._clock.utc_now()
        self.storage = StorageState(since if refusing else None, recorder.waiting,
                                    recorder.telemetry_pending)
        self.alarms.set_condition(STORAGE_UNAVAILABLE, refusing,
                                  detail=f"{recorder.waiting} records waiting, "
                                         f"{recorder.telemetry_pending} samples waiting")
        self.alarms.set_condition(SPOOL_UNAVAILABLE, recorder.spool_error is not None,
                                  detail=recorder.spool_error or "")
        if not self._sink.recent:
            return None
        return self._update()

    def sound_output(self, missing_reason: str | None) -> ChairUpdate:
        """The station's alarm sound cannot be made (why, in words) or works (None)."""
        self.alarms.set_condition(SOUND_DEVICE_MISSING, missing_reason is not None,
                                  detail=missing_reason or "")
        return self._update()

    def tick(self) -> ChairUpdate | None:
        """Audio pauses running out, unanswered alarms escalating."""
        self.alarms.tick()
        return self.check()

    def acknowledge(self, condition: str, who: str) -> ChairUpdate:
        self.alarms.acknowledge(condition, who)
        return self._update()

    def reset(self, condition: str, who: str, cause: Cause | None = None) -> ChairUpdate:
        self.alarms.reset(condition, who, cause)
        return self._update()

    def pause_audio(self, who: str, duration_s: float | None = None) -> ChairUpdate:
        self.alarms.pause_audio(who, duration_s)
        return self._update()

    def record_cause(self, alarm_id: str, who: str, cause: Cause) -> ChairUpdate:
        self.alarms.record_cause(alarm_id, who, cause)
        return self._update()

    def snapshot(self) -> ChairSnapshot:
        # The station's own "link" is always up: it is the machine the service runs on.
        return ChairSnapshot(chair_id=STATION, port_url="", link_state=LinkState.UP,
                             pump=None, infusion_id=None, latest_sample=None,
                             alarms=tuple(AlarmView.of(a) for a in self.alarms.alarms()),
                             sound_now=self.alarms.sound_now(), link_lost_since=None)

    def _update(self) -> ChairUpdate:
        return ChairUpdate(self.snapshot(), None, self._sink.take())
