"""An alarm's state now, from its stored transitions (the engine's life cycle replayed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from station.alarms import Priority


@dataclass(frozen=True)
class StoredAlarmState:
    """Open or not, the state word, and the priority after escalations."""

    open: bool
    state: str
    priority: Priority


def replay(latching: bool, first: Priority,
           steps: Iterable[tuple[str, str]]) -> StoredAlarmState:
    """`steps`: (kind, priority) of each transition, RAISED first, in order."""
    state, priority, is_open = "active", first, True
    for kind, step_priority in steps:
        priority = Priority(step_priority)
        if kind in ("raised", "audio_resumed", "condition_returned"):
            state, is_open = "active", True
        elif kind == "audio_paused":
            state = "audio_paused"
        elif kind == "acknowledged":
            state = "acknowledged"
        elif kind == "condition_ended":
            is_open = latching
            state = "latched" if latching else state
        elif kind in ("reset", "closed"):
            is_open = False
        # escalated and cause_recorded change no state word.
    return StoredAlarmState(is_open, state, priority)
