"""One alarm's state machine: condition phase, audio state, escalation.

Two independent parts (IEC 60601-1-8):
- the phase: ACTIVE while the condition exists; LATCHED when a latching alarm's
  condition has ended and it waits for a person to reset it; CLOSED when it is over;
- the audio: SOUNDING, PAUSED until a deadline, ACKNOWLEDGED, or SILENT (advisories,
  and closed alarms).
Every change becomes an `AlarmTransition` handed to `record`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from station.alarms.clock import AlarmClock
from station.alarms.conditions import ConditionSpec
from station.alarms.priority import Priority
from station.alarms.sink import SYSTEM_ACTOR, AlarmTransition, Cause, TransitionKind


class Phase(StrEnum):
    ACTIVE = "active"
    LATCHED = "latched"  # condition over, waiting for reset
    CLOSED = "closed"


class Audio(StrEnum):
    SOUNDING = "sounding"
    PAUSED = "paused"
    ACKNOWLEDGED = "acknowledged"
    SILENT = "silent"


class AlarmError(Exception):
    """An operation the alarm's state does not allow (reset while active, ...)."""


@dataclass(frozen=True)
class AlarmPolicy:
    """Unit-wide timing settings of the inactivation states."""

    audio_pause_s: float = 120.0
    max_audio_pause_s: float = 300.0
    # An acknowledged HIGH alarm whose condition persists sounds again after this:
    # high-priority audio is never off for good.
    high_ack_resound_s: float = 300.0

    def __post_init__(self) -> None:
        if not 0 < self.audio_pause_s <= self.max_audio_pause_s:
            raise ValueError("audio_pause_s must be in (0, max_audio_pause_s]")
        if self.high_ack_resound_s <= 0:
            raise ValueError("high_ack_resound_s must be positive")


@dataclass(frozen=True)
class RestoredState:
    """Where a stored alarm had got to before the station restarted (rebuilt from its
    stored transitions by station/monitoring/alarm_restore.py)."""

    phase: Phase
    audio: Audio
    raised_monotonic: float  # on this process's clock: older alarms sort first
    audio_until: float | None = None
    charge_nurse_told: bool = False


class Alarm:
    """One alarm of one condition at one chair, from raise to close.

    `restored`: the alarm was raised before a restart and is taken up where its record
    left it; nothing is emitted (its RAISED is stored already).
    """

    def __init__(self, alarm_id: str, chair_id: str, spec: ConditionSpec, *,
                 priority: Priority, clock: AlarmClock, policy: AlarmPolicy,
                 record: Callable[[AlarmTransition], None], detail: str = "",
                 restored: RestoredState | None = None) -> None:
        self.alarm_id = alarm_id
        self.chair_id = chair_id
        self.spec = spec
        self.priority = priority
        self._clock = clock
        self._policy = policy
        self._record = record
        self.phase = Phase.ACTIVE
        self.audio = Audio.SOUNDING if priority.sounds else Audio.SILENT
        self.raised_monotonic = clock.monotonic()
        self.audio_until: float | None = None  # end of a pause or of a HIGH acknowledgement
        self._unanswered_since: float | None = self.raised_monotonic
        self._charge_nurse_told = False
        if restored is not None:
            self.phase, self.audio = restored.phase, restored.audio
            self.raised_monotonic = restored.raised_monotonic
            self.audio_until = restored.audio_until
            self._charge_nurse_told = restored.charge_nurse_told
            # Unanswered since the restart: escalation counts from now, not from zero.
            self._unanswered_since = clock.monotonic() if self.sounding else None
            return
        self._emit(TransitionKind.RAISED, SYSTEM_ACTOR, detail)

    @property
    def condition(self) -> str:
        return self.spec.name

    @property
    def sounding(self) -> bool:
        return self.audio is Audio.SOUNDING

    @property
    def state(self) -> str:
        """One word for the screen: active, audio_paused, acknowledged, latched, closed."""
        if self.phase is not Phase.ACTIVE:
            return self.phase.value
        return {Audio.PAUSED: "audio_paused", Audio.ACKNOWLEDGED: "acknowledged"}.get(
            self.audio, "active")

    def pause_remaining_s(self) -> float | None:
        """Seconds until a paused alarm sounds again (the visible countdown)."""
        if self.audio is not Audio.PAUSED or self.audio_until is None:
            return None
        return max(0.0, self.audio_until - self._clock.monotonic())

    def condition_returned(self, detail: str = "") -> None:
        """The condition is present (again): a latched, ended alarm becomes active."""
        if self.phase is Phase.LATCHED:
            self.phase = Phase.ACTIVE
            self._sound()
            self._emit(TransitionKind.CONDITION_RETURNED, SYSTEM_ACTOR, detail)

    def escalate_to(self, priority: Priority, detail: str) -> None:
        """Raise the priority (never lowers it); the alarm sounds again."""
        if not priority.outranks(self.priority) or self.phase is Phase.CLOSED:
            return
        self.priority = priority
        self._sound()
        self._emit(TransitionKind.ESCALATED, SYSTEM_ACTOR, detail)

    def condition_ended(self) -> None:
        """The cause is gone: a latching alarm waits for reset, any other closes."""
        if self.phase is not Phase.ACTIVE:
            return
        if self.spec.latched:
            self.phase = Phase.LATCHED
        else:
            self._close()
        self._emit(TransitionKind.CONDITION_ENDED, SYSTEM_ACTOR)

    def pause_audio(self, who: str, duration_s: float | None = None, detail: str = "") -> None:
        """Silence for a limited time; it sounds again if still there afterwards."""
        seconds = self._policy.audio_pause_s if duration_s is None else duration_s
        if not 0 < seconds <= self._policy.max_audio_pause_s:
            raise AlarmError(f"audio pause must be in (0, {self._policy.max_audio_pause_s}] s")
        if self.phase is Phase.CLOSED or not self.priority.sounds:
            raise AlarmError(f"{self.condition} has no sound to pause")
        self.audio = Audio.PAUSED
        self.audio_until = self._clock.monotonic() + seconds
        self._unanswered_since = None
        until = self._clock.utc_now() + timedelta(seconds=seconds)
        self._emit(TransitionKind.AUDIO_PAUSED, who, detail, pause_until=until)

    def acknowledge(self, who: str) -> None:
        """Seen: silent until the condition ends (a HIGH alarm only for a while)."""
        if self.phase is Phase.CLOSED:
            raise AlarmError(f"{self.condition} is closed")
        self.audio = Audio.ACKNOWLEDGED if self.priority.sounds else Audio.SILENT
        high = self.priority is Priority.HIGH
        self.audio_until = (
            self._clock.monotonic() + self._policy.high_ack_resound_s if high else None)
        self._unanswered_since = None
        self._emit(TransitionKind.ACKNOWLEDGED, who)

    def reset(self, who: str, cause: Cause | None = None) -> None:
        """End a latched alarm whose condition is over; a person must do this."""
        if self.phase is not Phase.LATCHED:
            raise AlarmError(
                f"{self.condition} cannot be reset while {self.phase.value}: "
                "only fixing the cause ends it")
        self._close()
        self._emit(TransitionKind.RESET, who, cause=cause)

    def record_cause(self, who: str, cause: Cause) -> None:
        """Add or correct the recorded cause, at any time."""
        self._emit(TransitionKind.CAUSE_RECORDED, who, cause=cause)

    def tick(self) -> None:
        """Let timers act: end of pause or HIGH acknowledgement, escalation."""
        now = self._clock.monotonic()
        if self.phase is Phase.CLOSED:
            return
        if self.audio_until is not None and now >= self.audio_until:
            self._timed_silence_over()
        escalate = self.spec.escalate_after_s
        since = self._unanswered_since
        if escalate is not None and since is not None and now - since >= escalate:
            self._escalate_unanswered(now)

    def _timed_silence_over(self) -> None:
        # Paused audio always returns; an acknowledgement only times out for HIGH,
        # and only while the condition still exists.
        if self.audio is Audio.ACKNOWLEDGED and self.phase is not Phase.ACTIVE:
            self.audio_until = None
            return
        self._sound()
        self._emit(TransitionKind.AUDIO_RESUMED, SYSTEM_ACTOR)

    def _escalate_unanswered(self, now: float) -> None:
        if self.priority is Priority.HIGH:
            if not self._charge_nurse_told:
                self._charge_nurse_told = True
                self._emit(TransitionKind.ESCALATED, SYSTEM_ACTOR,
                           "unanswered high-priority alarm: notify the charge nurse")
            self._unanswered_since = None
            return
        self.escalate_to(self.priority.escalated(), "unanswered")
        self._unanswered_since = now

    def _sound(self) -> None:
        self.audio = Audio.SOUNDING if self.priority.sounds else Audio.SILENT
        self.audio_until = None
        self._unanswered_since = self._clock.monotonic()

    def _close(self) -> None:
        self.phase = Phase.CLOSED
        self.audio = Audio.SILENT
        self.audio_until = None
        self._unanswered_since = None

    def _emit(self, kind: TransitionKind, actor: str, detail: str = "",
              cause: Cause | None = None, pause_until: datetime | None = None) -> None:
        self._record(AlarmTransition(
            alarm_id=self.alarm_id, chair_id=self.chair_id, condition=self.condition,
            kind=kind, priority=self.priority, at=self._clock.utc_now(),
            monotonic_s=self._clock.monotonic(), actor=actor, detail=detail, cause=cause,
            pause_until=pause_until,
        ))
