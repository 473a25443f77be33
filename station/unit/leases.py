"""Chair leases: each chair is monitored by exactly one station at a time.

A station registers itself (`unit_stations`), takes the leases of its chairs in one
transaction (all or none), and beats its heart every few seconds. A chair whose lease
is held by another station is refused with that station's name, unless that station
has been silent for `lease_timeout_s` (it crashed or lost the database): then the
lease is taken over and the takeover is recorded in the audit log (in the same
transaction). Times are the stations' UTC clocks
(kept by NTP); the timeout is long enough for their drift to be irrelevant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import RecordRejectedError
from station.persistence.audit import AuditEntry, canonical_json
from station.persistence.errors import storage_errors
from station.persistence.people import ActorKind
from station.persistence.unit import ChairLease, UnitStation
from station.persistence.unit_of_work import write_transaction

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

LEASE_TIMEOUT_S = 30.0
TAKEOVER_ACTION = "chair_lease_taken_over"
LEASE_ENTITY = "chair_lease"


class ChairInUseError(Exception):
    """A chair is monitored by another station that is still alive."""

    def __init__(self, chair: str, station: str, silent_s: float, timeout_s: float) -> None:
        super().__init__(
            f"chair {chair} is monitored by station {station!r} (heard from "
            f"{silent_s:.0f} s ago); it can be taken over after {timeout_s:.0f} s of "
            f"silence, or when that station releases it")
        self.chair = chair
        self.station = station


@dataclass(frozen=True)
class Lease:
    """Who holds a chair, and when that station last said it was alive."""

    chair_label: str
    station: str
    heartbeat_at: datetime


class LeaseBook:
    """One station's leases: register, acquire, heartbeat, release."""

    def __init__(self, sessions: sessionmaker[Session], station: str, *,
                 utc_now: Callable[[], datetime], host: str = "",
                 lease_timeout_s: float = LEASE_TIMEOUT_S) -> None:
        self.station = station
        self.lease_timeout_s = lease_timeout_s
        self._sessions = sessions
        self._utc_now = utc_now
        self._host = host

    def register(self) -> None:
        """This station's row, alive from now (a restart keeps its leases)."""
        now = self._utc_now()
        with write_transaction(self._sessions, "register the station") as session:
            row = session.get(UnitStation, self.station, with_for_update=True)
            if row is None:
                session.add(UnitStation(name=self.station, host=self._host,
                                        started_at=now, heartbeat_at=now))
            else:
                row.host, row.started_at, row.heartbeat_at = self._host, now, now

    def acquire(self, chairs: Sequence[str]) -> None:
        """Take every chair or none (ChairInUseError names the station holding one)."""
        try:
            self._acquire(chairs)
        except RecordRejectedError:
            # Another station inserted the same free chair's lease at the same moment:
            # read again, and refuse with its name.
            self._acquire(chairs)

    def _acquire(self, chairs: Sequence[str]) -> None:
        now = self._utc_now()
        with write_transaction(self._sessions, "take the chairs' leases") as session:
            for chair in chairs:
                lease = session.get(ChairLease, chair, with_for_update=True)
                if lease is None:
                    session.add(ChairLease(chair_label=chair, station=self.station,
                                           acquired_at=now))
                elif lease.station != self.station:
                    holder = session.get(UnitStation, lease.station)
                    silent_s = (now - holder.heartbeat_at).total_seconds() if holder else 1e9
                    if silent_s < self.lease_timeout_s:
                        raise ChairInUseError(chair, lease.station, silent_s,
                                              self.lease_timeout_s)
                    log.warning("chair %s: taking the lease over from station %r, silent "
                                "for %.0f s", chair, lease.station, silent_s)
                    # Recorded with the lease change, in its transaction: no takeover
                    # without its event, nor the other way round.
                    session.add(takeover_entry(chair, lease.station, self.station, now,
                                               silent_s))
                    lease.station, lease.acquired_at = self.station, now
                session.flush()

    def heartbeat(self) -> set[str]:
        """Say this station is alive; the chairs it still holds (one may be taken over)."""
        now = self._utc_now()
        with write_transaction(self._sessions, "send the station's heartbeat") as session:
            session.execute(sa.update(UnitStation).where(UnitStation.name == self.station)
                            .values(heartbeat_at=now))
            held = session.scalars(sa.select(ChairLease.chair_label)
                                   .where(ChairLease.station == self.station))
            return set(held)

    def release(self, chairs: Sequence[str] | None = None) -> None:
        """Give up these chairs (None: all of this station's), e.g. at an orderly stop."""
        stmt = sa.delete(ChairLease).where(ChairLease.station == self.station)
        if chairs is not None:
            stmt = stmt.where(ChairLease.chair_label.in_(list(chairs)))
        with write_transaction(self._sessions, "release the chairs' leases") as session:
            session.execute(stmt)


def takeover_entry(chair: str, lost_by: str, taken_by: str, at: datetime,
                   silent_s: float) -> AuditEntry:
    """The audit event of one takeover, by the station (no user asked for it)."""
    return AuditEntry(at=at, action=TAKEOVER_ACTION, actor_kind=ActorKind.STATION,
                      actor_user_id=None, entity_type=LEASE_ENTITY, entity_id=chair,
                      detail=canonical_json({"from": lost_by, "to": taken_by,
                                             "silent_s": round(silent_s, 1)}))


def takeovers(sessions: sessionmaker[Session], chair: str | None = None) -> list[AuditEntry]:
    """The takeovers recorded (of one chair, or all), oldest first."""
    stmt = sa.select(AuditEntry).where(AuditEntry.action == TAKEOVER_ACTION)
    if chair is not None:
        stmt = stmt.where(AuditEntry.entity_id == chair)
    with storage_errors("cannot read the chair takeovers"), sessions() as session:
        return list(session.scalars(stmt.order_by(AuditEntry.id)))


def leases(sessions: sessionmaker[Session]) -> dict[str, Lease]:
    """Every chair's lease with its station's heartbeat, by chair label."""
    stmt = (sa.select(ChairLease.chair_label, ChairLease.station, UnitStation.heartbeat_at)
            .join(UnitStation, UnitStation.name == ChairLease.station))
    with storage_errors("cannot read the chair leases"), sessions() as session:
        return {label: Lease(label, station, beat)
                for label, station, beat in session.execute(stmt)}
