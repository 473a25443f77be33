"""One chair's alarms on the GUI thread, as the monitoring service holds and stores them.

The monitoring thread owns the pump's alarm engine; the GUI only sees its snapshots.
`MonitoredChairAlarms` is a `ChairAlarms` (so `AlarmBanner`, `AlarmActions`,
`AlarmListPanel` and the workflow views work unchanged) whose `alarms()` joins:

- the monitored alarms of the latest `ChairSnapshot`, shown as read-only `Alarm`
  copies; acknowledge, audio pause and reset of those are sent to the service, which
  stores them; its answer comes back as the next snapshot, a refusal by `on_refused`;
- an engine of its own underneath that nothing raises conditions in any more: the
  clinical schedule's alarms and the station's missing sound device come from the
  monitoring service like any other, so every transition is stored; an action on a
  condition the snapshot does not hold is refused as the engine refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from station.alarms import (
    CONDITIONS,
    Alarm,
    AlarmError,
    AlarmPolicy,
    Audio,
    Cause,
    ChairAlarms,
    MemorySink,
    Phase,
    Priority,
    SystemClock,
)
from station.alarms.priority import most_urgent
from station.monitoring import AlarmView, ChairSnapshot, MonitoringService

Refused = Callable[[str], None]


def _ignore(_: object) -> None:
    """The copies' transitions: the monitoring service has stored the real ones."""


class MonitoredChairAlarms(ChairAlarms):
    """A chair's alarm engine for the screen: monitored alarms by snapshot, local ones here."""

    def __init__(self, chair_id: str, service: MonitoringService) -> None:
        self._clock_ = SystemClock()
        super().__init__(chair_id, MemorySink(), self._clock_)
        self._service = service
        self._remote: dict[str, Alarm] = {}  # condition -> copy of the monitored alarm
        self._snapshot_sound: Priority | None = None
        self.on_refused: Refused = _ignore

    def apply(self, snapshot: ChairSnapshot) -> None:
        """Show the snapshot's alarms (on the GUI thread, per chair update)."""
        seen: dict[str, Alarm] = {}
        for view in snapshot.alarms:
            copy = self._remote.get(view.condition)
            if copy is None or copy.alarm_id != view.alarm_id:
                copy = self._copy_of(view)
            _set_state(copy, view)
            seen[view.condition] = copy
        self._remote = seen
        self._snapshot_sound = snapshot.sound_now

    def is_monitored(self, condition: str) -> bool:
        return condition in self._remote

    # -- the engine's view, joined ---------------------------------------------------------

    def alarms(self) -> list[Alarm]:
        joined = [*self._remote.values(), *super().alarms()]
        return sorted(joined, key=lambda a: (-a.priority.rank, a.raised_monotonic))

    def alarm(self, name: str) -> Alarm | None:
        return self._remote.get(name) or super().alarm(name)

    def sound_now(self) -> Priority | None:
        return most_urgent([p for p in (self._snapshot_sound, super().sound_now())
                            if p is not None])

    # -- operator actions: monitored alarms go to the service ------------------------------

    def acknowledge(self, name: str, who: str) -> None:
        copy = self._remote.get(name)
        if copy is None:
            super().acknowledge(name, who)
            return
        if copy.phase is Phase.LATCHED:
            raise AlarmError("this alarm's condition is over: reset it with its cause")
        self._send(self._service.acknowledge(self.chair_id, name, who))

    def reset(self, name: str, who: str, cause: Cause | None = None) -> None:
        copy = self._remote.get(name)
        if copy is None:
            super().reset(name, who, cause)
            return
        if copy.phase is not Phase.LATCHED:
            raise AlarmError("the condition is still present: deal with its cause first")
        self._send(self._service.reset(self.chair_id, name, who, cause))

    def pause_audio(self, who: str, duration_s: float | None = None) -> list[Alarm]:
        sounding = [a for a in self._remote.values() if a.audio is Audio.SOUNDING]
        if sounding:
            self._send(self._service.pause_audio(self.chair_id, who, duration_s))
        return [*sounding, *super().pause_audio(who, duration_s)]

    def _send(self, future: Future[ChairSnapshot]) -> None:
        # Never wait here (GUI thread): a refusal is reported when the service answers.
        def done(answered: Future[ChairSnapshot]) -> None:
            exc = answered.exception()
            if exc is not None:
                self.on_refused(f"Not done: {exc}.")
        future.add_done_callback(done)

    def _copy_of(self, view: AlarmView) -> Alarm:
        spec = CONDITIONS[view.condition]
        copy = Alarm(view.alarm_id, self.chair_id, spec, priority=view.priority,
                     clock=self._clock_, policy=AlarmPolicy(), record=_ignore)
        return copy


def _set_state(copy: Alarm, view: AlarmView) -> None:
    copy.priority = view.priority
    copy.phase = Phase.LATCHED if view.state == "latched" else Phase.ACTIVE
    copy.audio = {
        "audio_paused": Audio.PAUSED, "acknowledged": Audio.ACKNOWLEDGED,
        "latched": Audio.SILENT,
    }.get(view.state, Audio.SOUNDING if view.priority.sounds else Audio.SILENT)
