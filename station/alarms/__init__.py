"""Qt-free alarm system: conditions, priorities, per-chair alarm state, transitions."""

from station.alarms.alarm import Alarm, AlarmError, AlarmPolicy, Audio, Phase, RestoredState
from station.alarms.clock import AlarmClock, ManualClock, SystemClock
from station.alarms.conditions import CONDITIONS, Category, ConditionSpec, Source
from station.alarms.manager import ChairAlarms, station_sound
from station.alarms.priority import Priority
from station.alarms.sink import (
    AlarmTransition,
    Cause,
    CauseCode,
    MemorySink,
    TransitionKind,
    TransitionSink,
)

__all__ = [
    "CONDITIONS",
    "Alarm",
    "AlarmClock",
    "AlarmError",
    "AlarmPolicy",
    "AlarmTransition",
    "Audio",
    "Category",
    "Cause",
    "CauseCode",
    "ChairAlarms",
    "ConditionSpec",
    "ManualClock",
    "MemorySink",
    "Phase",
    "Priority",
    "RestoredState",
    "Source",
    "SystemClock",
    "TransitionKind",
    "TransitionSink",
    "station_sound",
]
