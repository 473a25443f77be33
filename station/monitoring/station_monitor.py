"""The station's own alarms, once per station rather than once per chair.

`storage_unavailable` is a fact about this station's database, not about a chair: one
alarm while the database refuses writes or lookups, stored (through the write backlog,
in order) once the database takes writes again; `spool_unavailable` while the station's
own disk refuses them too (kept in memory only). Its snapshot has the id `STATION` and
reaches subscribers like a chair's; acknowledge, audio pause and reset go through the
`MonitoringService` with that id.
"""

from __future__ import annotations

from devices.driver import LinkState
from station.alarms import AlarmClock, Cause, ChairAlarms
from station.monitoring.config import MonitorSettings
from station.monitoring.recorder import MonitorRecorder, RecordContext, StoringSink
from station.monitoring.snapshot import AlarmView, ChairSnapshot, ChairUpdate

STATION = "Station"
STORAGE_UNAVAILABLE = "storage_unavailable"
SPOOL_UNAVAILABLE = "spool_unavailable"
_NO_RECORD = RecordContext()  # a station alarm hangs on no pump, infusion or chair


class StationMonitor:
    """Station-wide technical alarms; runs on the monitoring thread only."""

    chair_id = STATION

    def __init__(self, recorder: MonitorRecorder, clock: AlarmClock,
                 settings: MonitorSettings | None = None) -> None:
        settings = settings or MonitorSettings()
        self._recorder = recorder
        self._sink = StoringSink(recorder, lambda: _NO_RECORD)
        self.alarms = ChairAlarms(STATION, self._sink, clock, conditions=settings.conditions,
                                  policy=settings.alarm_policy)

    def check(self) -> ChairUpdate | None:
        """After each event and tick: `storage_unavailable` follows the recorder; an
        update when any alarm of the station changed."""
        recorder = self._recorder
        self.alarms.set_condition(STORAGE_UNAVAILABLE, recorder.refusing,
                                  detail=f"{recorder.waiting} records waiting, "
                                         f"{recorder.telemetry_pending} samples waiting")
        self.alarms.set_condition(SPOOL_UNAVAILABLE, recorder.spool_error is not None,
                                  detail=recorder.spool_error or "")
        if not self._sink.recent:
            return None
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
