"""The alarms a chair had open before the station stopped (a crash, SIGKILL, power loss).

The alarm engine lives in memory; the alarm log (`alarms`, `alarm_transitions`) is
durable, every transition committed before anyone was told of it. At start each chair
takes up the alarms of its chair row (or, without one, of the pumps last seen on its
port) that the log does not show closed: a latched alarm comes back latched, an
acknowledged one acknowledged, a paused one paused until its stored `pause_until`.
Replaying the stored transitions gives the state; nothing new is stored by the restore,
and later transitions go to the same alarm rows. The conditions' sources then carry on:
one that has ended (a lost link now up, a timer no longer due) ends its alarm as usual.
This is generic: it covers every condition of the table, timers' included. The
station's own alarms (`storage_unavailable`...) are taken up the same way, by the
station's name stored on them (`alarms.station`): several stations share one database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import CONDITIONS, AlarmPolicy, Audio, Phase, Priority, RestoredState
from station.persistence.alarms import Alarm as StoredAlarmRow
from station.persistence.alarms import AlarmTransition as StoredTransition
from station.persistence.alarms import AlarmTransitionKind as Kind
from station.persistence.delivery import Pump
from station.persistence.errors import storage_errors

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())


@dataclass(frozen=True)
class OpenAlarm:
    """A stored alarm not closed, and the state its transitions leave it in."""

    stored_id: int
    condition: str
    priority: Priority
    state: RestoredState


@dataclass(frozen=True)
class Now:
    """The moment of the restore on both clocks: stored UTC times become monotonic."""

    utc: datetime
    monotonic: float

    def monotonic_at(self, moment: datetime) -> float:
        return self.monotonic - (self.utc - moment).total_seconds()


def chair_alarms(chair_row: int | None, port_url: str) -> sa.ColumnElement[bool]:
    """A chair's alarms: of its chair row, or (without one) of the pumps seen on its port."""
    pumps_here = sa.select(Pump.id).where(Pump.port_url == port_url)
    owner = sa.and_(StoredAlarmRow.chair_id.is_(None), StoredAlarmRow.pump_id.in_(pumps_here))
    if chair_row is not None:
        owner = sa.or_(StoredAlarmRow.chair_id == chair_row, owner)
    return owner


def station_alarms(station: str) -> sa.ColumnElement[bool]:
    """The station-wide alarms of the station of that name (no chair, no pump)."""
    return sa.and_(StoredAlarmRow.station == station, StoredAlarmRow.chair_id.is_(None),
                   StoredAlarmRow.pump_id.is_(None))


def load_open_alarms(sessions: sessionmaker[Session], owner: sa.ColumnElement[bool],
                     now: Now, policy: AlarmPolicy | None = None) -> list[OpenAlarm]:
    """The alarms of `owner` (`chair_alarms`, `station_alarms`) that the log does not
    show closed, oldest first."""
    ended = sa.or_(StoredTransition.kind.in_([Kind.RESET, Kind.CLOSED]),
                   sa.and_(StoredTransition.kind == Kind.CONDITION_ENDED,
                           StoredAlarmRow.latching.is_(False)))
    closed = sa.exists().where(StoredTransition.alarm_id == StoredAlarmRow.id, ended)
    stmt = sa.select(StoredAlarmRow).where(owner, ~closed).order_by(StoredAlarmRow.id)
    with storage_errors("cannot read the open alarms"), sessions() as session:
        rows = list(session.scalars(stmt))
        histories = {row.id: list(session.scalars(
            sa.select(StoredTransition).where(StoredTransition.alarm_id == row.id)
            .order_by(StoredTransition.id))) for row in rows}
    found = []
    for row in rows:
        if row.code not in CONDITIONS:
            log.error("stored alarm %d: condition %r is not in the table; not restored",
                      row.id, row.code)
            continue
        found.append(replay(row, histories[row.id], now, policy or AlarmPolicy()))
    return found


def replay(row: StoredAlarmRow, history: list[StoredTransition], now: Now,
           policy: AlarmPolicy) -> OpenAlarm:
    """The engine's state after the stored transitions, as the engine itself got there."""
    priority = Priority(row.priority.value)
    phase, audio = Phase.ACTIVE, _sounding(priority)
    until: float | None = None
    told = False
    for step in history:
        kind = step.kind
        if kind is Kind.AUDIO_PAUSED:
            audio = Audio.PAUSED
            until = None if step.pause_until is None else now.monotonic_at(step.pause_until)
        elif kind is Kind.ACKNOWLEDGED:
            audio = Audio.ACKNOWLEDGED if priority.sounds else Audio.SILENT
            until = (now.monotonic_at(step.at) + policy.high_ack_resound_s
                     if priority is Priority.HIGH else None)
        elif kind in (Kind.AUDIO_RESUMED, Kind.CONDITION_RETURNED):
            phase = Phase.ACTIVE if kind is Kind.CONDITION_RETURNED else phase
            audio, until = _sounding(priority), None
        elif kind is Kind.ESCALATED:
            stepped = Priority(step.priority.value)
            if stepped.outranks(priority):
                priority, audio, until = stepped, _sounding(stepped), None
            else:  # a high alarm unanswered: the charge nurse was told
                told = True
        elif kind is Kind.CONDITION_ENDED:
            phase = Phase.LATCHED if row.latching else Phase.CLOSED
        elif kind in (Kind.RESET, Kind.CLOSED):
            phase = Phase.CLOSED
    state = RestoredState(phase=phase, audio=audio,
                          raised_monotonic=now.monotonic_at(row.raised_at),
                          audio_until=until, charge_nurse_told=told)
    return OpenAlarm(row.id, row.code, priority, state)


def _sounding(priority: Priority) -> Audio:
    return Audio.SOUNDING if priority.sounds else Audio.SILENT
