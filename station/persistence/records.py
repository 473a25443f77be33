"""Plain records (patients, appointments, orders, ...): add, read, change.

The append-only logs have their own stores (EventStore, AlarmLog, AuditLog);
this repository refuses to change their rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.append_only import AppendOnly, AppendOnlyError
from station.persistence.base import Base
from station.persistence.errors import storage_errors
from station.persistence.people import Patient
from station.persistence.scheduling import Appointment
from station.persistence.unit_of_work import store_durably, write_transaction

RecordT = TypeVar("RecordT", bound=Base)


class Records:
    """Repository for the mutable records of the station, one commit per call."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, *records: Base) -> None:
        """Insert new records (and their children) in one durable commit; ids are set."""
        store_durably(self._sessions, records, "store the records")

    def save(self, record: RecordT) -> RecordT:
        """Store the changes of a record read earlier; return the stored version."""
        if isinstance(record, AppendOnly):
            raise AppendOnlyError(f"{type(record).__name__} is append-only: UPDATE refused")
        with write_transaction(self._sessions, "save the record") as session:
            return session.merge(record)

    def get(self, cls: type[RecordT], record_id: int) -> RecordT | None:
        """The record of ``cls`` with this id, or None."""
        with storage_errors(f"cannot read {cls.__name__}"), self._sessions() as session:
            return session.get(cls, record_id)

    def select_all(self, stmt: sa.Select[RecordT]) -> Sequence[RecordT]:
        """Run a select of one entity and return all of its rows."""
        with storage_errors("cannot read records"), self._sessions() as session:
            return session.scalars(stmt).all()

    def patient_by_mrn(self, mrn: str) -> Patient | None:
        """The patient with this medical record number, or None."""
        return next(iter(self.select_all(sa.select(Patient).where(Patient.mrn == mrn))), None)

    def appointments_between(
        self, start: datetime, end: datetime, patient_id: int | None = None
    ) -> Sequence[Appointment]:
        """Appointments starting in [start, end), optionally of one patient, by start."""
        stmt = sa.select(Appointment).where(
            Appointment.start_at >= start, Appointment.start_at < end
        )
        if patient_id is not None:
            stmt = stmt.where(Appointment.patient_id == patient_id)
        return self.select_all(stmt.order_by(Appointment.start_at, Appointment.id))
