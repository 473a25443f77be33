"""What the overview shows of a chair: immutable facts read from the database, and the
state in words and symbol at a given moment (minutes paused or left, a silent station).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from station.alarms import Priority

_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2, Priority.ADVISORY: 3}
STATION_SILENT = "station_silent"


class TileState(enum.Enum):
    """A chair's state on the overview, the most urgent first."""

    STALE = "stale"
    LINK_LOST = "link lost"
    ALARM = "alarm"
    PAUSED = "paused"
    INFUSING = "infusing"
    OBSERVATION = "observation"
    COMPLETE = "complete"
    EMPTY = "empty"

    @property
    def symbol(self) -> str:
        """A shape as well as a colour, for those who cannot tell the colours apart."""
        return _SYMBOLS[self]


_SYMBOLS = {TileState.STALE: "?", TileState.LINK_LOST: "✕", TileState.ALARM: "!",
            TileState.PAUSED: "‖", TileState.INFUSING: "▶", TileState.OBSERVATION: "◔",
            TileState.COMPLETE: "✓", TileState.EMPTY: "○"}


@dataclass(frozen=True)
class TileAlarm:
    """An open alarm of a chair as stored (alarm_id None: the overview's own)."""

    alarm_id: int | None
    chair_label: str
    condition: str
    priority: Priority
    state: str  # active, audio_paused, acknowledged, latched
    technical: bool
    raised_at: datetime
    ack_requested: bool = False  # asked for at the overview, not yet done by the station

    def sort_key(self) -> tuple[int, datetime]:
        """Highest priority first, then the oldest."""
        return _RANK[self.priority], self.raised_at


@dataclass(frozen=True)
class NextAppointment:
    start_at: datetime
    initials: str


@dataclass(frozen=True)
class ChairFacts:
    """A chair as the database has it, read at `read_at`."""

    chair_id: int
    label: str
    pod: str = ""
    nurse: str = ""
    station: str | None = None  # the station holding the chair's lease
    patient_initials: str = ""
    drug: str = ""
    infusion_id: int | None = None
    infusion_status: str | None = None  # running, paused, completed, ...
    started_at: datetime | None = None
    ended_at: datetime | None = None
    paused_since: datetime | None = None
    observation_ends_at: datetime | None = None
    vtbi_ml: float | None = None
    rate_ml_h: float | None = None  # latest telemetry, else the programme
    volume_ml: float | None = None
    rate_history: tuple[float, ...] = ()  # evenly spaced, oldest first (the sparkline)
    alarms: tuple[TileAlarm, ...] = ()  # most urgent first
    next_appointment: NextAppointment | None = None
    read_at: datetime | None = None

    @property
    def progress(self) -> float | None:
        """Volume infused over the VTBI, 0..1."""
        if not self.vtbi_ml or self.volume_ml is None:
            return None
        return max(0.0, min(1.0, self.volume_ml / self.vtbi_ml))

    @property
    def expected_end(self) -> datetime | None:
        """When the VTBI is reached at the present rate (None: not infusing)."""
        if (self.infusion_status != "running" or not self.vtbi_ml or not self.rate_ml_h
                or self.volume_ml is None or self.read_at is None):
            return None
        left_h = max(0.0, self.vtbi_ml - self.volume_ml) / self.rate_ml_h
        return self.read_at + timedelta(hours=left_h)


@dataclass(frozen=True)
class ChairTile:
    """A chair at one moment: the facts, the state, its symbol and words."""

    facts: ChairFacts
    state: TileState
    words: str
    alarms: tuple[TileAlarm, ...]  # the facts' alarms, plus the overview's own (stale)

    @property
    def label(self) -> str:
        return self.facts.label

    @property
    def top_priority(self) -> Priority | None:
        return self.alarms[0].priority if self.alarms else None


def tile_at(facts: ChairFacts, now: datetime, silent: str | None) -> ChairTile:
    """The tile at `now`; `silent` says why the chair's station cannot be seen, if so."""
    alarms = facts.alarms
    if silent is not None:
        own = TileAlarm(None, facts.label, STATION_SILENT, Priority.MEDIUM, "active",
                        technical=True, raised_at=facts.read_at or now)
        alarms = tuple(sorted((*alarms, own), key=TileAlarm.sort_key))
        return ChairTile(facts, TileState.STALE, f"stale: {silent}", alarms)
    state, words = _state(facts, now)
    return ChairTile(facts, state, words, alarms)


def _state(facts: ChairFacts, now: datetime) -> tuple[TileState, str]:
    open_conditions = [a for a in facts.alarms if a.condition != "link_lost"]
    if any(a.condition == "link_lost" for a in facts.alarms):
        return TileState.LINK_LOST, "link lost: watch the pump itself"
    if open_conditions:
        top = open_conditions[0]
        return TileState.ALARM, f"alarm ({top.priority.value}): {top.condition.replace('_', ' ')}"
    if facts.infusion_status == "paused":
        since = facts.paused_since or now
        return TileState.PAUSED, f"paused {_minutes(now - since)} min"
    if facts.infusion_status == "running":
        rate = "" if facts.rate_ml_h is None else f" {facts.rate_ml_h:.0f} mL/h"
        return TileState.INFUSING, f"infusing{rate}"
    if facts.observation_ends_at is not None and facts.observation_ends_at > now:
        return TileState.OBSERVATION, (
            f"observation, {_minutes(facts.observation_ends_at - now)} min left")
    if facts.infusion_status == "completed" and facts.patient_initials:
        return TileState.COMPLETE, "complete"
    nxt = facts.next_appointment
    if nxt is None:
        return TileState.EMPTY, "empty"
    return TileState.EMPTY, f"empty, next {nxt.initials} at {nxt.start_at.astimezone():%H:%M}"


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def with_alarms(facts: ChairFacts, alarms: tuple[TileAlarm, ...]) -> ChairFacts:
    return replace(facts, alarms=tuple(sorted(alarms, key=TileAlarm.sort_key)))
