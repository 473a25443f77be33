"""The alarms of one chair: one alarm per condition, raise and clear, operator actions.

The services layer calls `raise_condition` / `clear_condition` from pump status,
detectors and timers, the UI calls `pause_audio`, `acknowledge`, `reset` with the
user's id, and a periodic `tick` lets pauses run out and unanswered alarms escalate.
`sound_now` says which priority's sound should play.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from station.alarms.alarm import (
    Alarm,
    AlarmError,
    AlarmPolicy,
    Audio,
    Phase,
    RestoredState,
)
from station.alarms.clock import AlarmClock
from station.alarms.conditions import CONDITIONS, ConditionSpec
from station.alarms.priority import Priority, most_urgent
from station.alarms.sink import SYSTEM_ACTOR, Cause, TransitionSink

# Closed alarms kept for a cause recorded after the fact (a non-latched alarm closes by
# itself, often before anyone could say why).
RECENTLY_CLOSED = 64


def _new_id() -> str:
    return uuid.uuid4().hex


class ChairAlarms:
    """Every alarm of one chair; no condition is ever raised twice at once."""

    def __init__(self, chair_id: str, sink: TransitionSink, clock: AlarmClock, *,
                 conditions: Mapping[str, ConditionSpec] | None = None,
                 policy: AlarmPolicy | None = None,
                 new_id: Callable[[], str] = _new_id) -> None:
        self.chair_id = chair_id
        self._sink = sink
        self._clock = clock
        self._conditions = CONDITIONS if conditions is None else conditions
        self._policy = policy or AlarmPolicy()
        self._new_id = new_id
        self._open: dict[str, Alarm] = {}  # condition name -> alarm not yet closed
        self._closed: OrderedDict[str, Alarm] = OrderedDict()  # alarm id -> recent, closed

    def raise_condition(self, name: str, *, priority: Priority | None = None,
                        detail: str = "") -> Alarm:
        """The condition exists now. Idempotent: an open alarm is reused, not doubled.

        `priority` above the table's (a pause running into its high stage, the pump's
        own stall after an occlusion warning) escalates the open alarm.
        """
        spec = self._spec(name)
        wanted = priority or spec.priority
        alarm = self._open.get(name)
        if alarm is not None:
            alarm.condition_returned(detail)
            alarm.escalate_to(wanted, detail or "raised again at a higher priority")
            return alarm
        loudest_paused = self._loudest_paused()
        alarm = Alarm(self._new_id(), self.chair_id, spec, priority=wanted, clock=self._clock,
                      policy=self._policy, record=self._sink.record, detail=detail)
        self._open[name] = alarm
        self._join_pause_unless_breaking_through(alarm, loudest_paused)
        return alarm

    def restore(self, name: str, alarm_id: str, priority: Priority,
                state: RestoredState) -> Alarm | None:
        """Take up an alarm stored before a restart, in the state it had; None (and
        nothing changed) when the condition is open here already."""
        spec = self._spec(name)
        if name in self._open or state.phase is Phase.CLOSED:
            return None
        alarm = Alarm(alarm_id, self.chair_id, spec, priority=priority, clock=self._clock,
                      policy=self._policy, record=self._sink.record, restored=state)
        self._open[name] = alarm
        return alarm

    def clear_condition(self, name: str) -> None:
        """The condition has ended (latching alarms stay until reset)."""
        self._spec(name)
        alarm = self._open.get(name)
        if alarm is None:
            return
        alarm.condition_ended()
        self._forget_if_closed(alarm)

    def set_condition(self, name: str, present: bool, *, priority: Priority | None = None,
                      detail: str = "") -> None:
        """Raise or clear from a boolean, for sources that report a level each poll."""
        if present:
            self.raise_condition(name, priority=priority, detail=detail)
        else:
            self.clear_condition(name)

    def pause_audio(self, who: str, duration_s: float | None = None) -> list[Alarm]:
        """Audio pause for the chair: every alarm sounding now goes quiet for a while."""
        paused = [a for a in self._open.values() if a.audio is Audio.SOUNDING]
        for alarm in paused:
            alarm.pause_audio(who, duration_s)
        return paused

    def acknowledge(self, name: str, who: str) -> None:
        self._get(name).acknowledge(who)

    def reset(self, name: str, who: str, cause: Cause | None = None) -> None:
        """End a latched alarm whose condition is over (AlarmError while it persists)."""
        alarm = self._get(name)
        alarm.reset(who, cause)
        self._forget_if_closed(alarm)

    def record_cause(self, alarm_id: str, who: str, cause: Cause) -> Alarm:
        """Record why an alarm happened: open, or closed recently (AlarmError otherwise)."""
        alarm = next((a for a in self._open.values() if a.alarm_id == alarm_id),
                     None) or self._closed.get(alarm_id)
        if alarm is None:
            raise AlarmError(f"no recent alarm {alarm_id} at chair {self.chair_id}")
        alarm.record_cause(who, cause)
        return alarm

    def tick(self) -> None:
        """Run the timers: pauses ending, HIGH acknowledgements running out, escalation."""
        for alarm in list(self._open.values()):
            alarm.tick()

    def alarm(self, name: str) -> Alarm | None:
        """The open alarm of a condition, if any."""
        return self._open.get(name)

    def alarms(self) -> list[Alarm]:
        """Open alarms, most urgent first, then oldest first."""
        return sorted(self._open.values(),
                      key=lambda a: (-a.priority.rank, a.raised_monotonic))

    def sound_now(self) -> Priority | None:
        """The priority whose burst should play now: the highest that is sounding."""
        return most_urgent([a.priority for a in self._open.values() if a.sounding])

    def pause_remaining_s(self) -> float | None:
        """The shortest time until a paused alarm sounds again (for the countdown)."""
        remaining = [r for a in self._open.values()
                     if (r := a.pause_remaining_s()) is not None]
        return min(remaining, default=None)

    def _join_pause_unless_breaking_through(self, alarm: Alarm,
                                            loudest_paused: Priority | None) -> None:
        # During a chair's audio pause a new alarm of the same or a lower priority
        # waits with the others; a higher one breaks through and sounds at once.
        if loudest_paused is None or alarm.priority.outranks(loudest_paused):
            return
        remaining = self.pause_remaining_s()
        if remaining and alarm.priority.sounds:
            alarm.pause_audio(SYSTEM_ACTOR, remaining, "joined the chair's audio pause")

    def _loudest_paused(self) -> Priority | None:
        return most_urgent([a.priority for a in self._open.values()
                            if a.audio is Audio.PAUSED])

    def _spec(self, name: str) -> ConditionSpec:
        try:
            return self._conditions[name]
        except KeyError:
            raise ValueError(f"unknown alarm condition {name!r}") from None

    def _get(self, name: str) -> Alarm:
        self._spec(name)
        alarm = self._open.get(name)
        if alarm is None:
            raise AlarmError(f"no open {name} alarm at chair {self.chair_id}")
        return alarm

    def _forget_if_closed(self, alarm: Alarm) -> None:
        if alarm.phase is Phase.CLOSED:
            del self._open[alarm.condition]
            self._closed[alarm.alarm_id] = alarm
            if len(self._closed) > RECENTLY_CLOSED:
                self._closed.popitem(last=False)


def station_sound(chairs: Iterable[ChairAlarms]) -> Priority | None:
    """The burst the station's speaker should play: the most urgent over all chairs."""
    return most_urgent([p for chair in chairs if (p := chair.sound_now()) is not None])
