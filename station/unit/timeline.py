"""Today's schedule per chair: booked against actual start and end, delays, pauses, and
when each chair is free next, so the charge nurse sees where the day is slipping."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.persistence.delivery import Infusion, Pause
from station.persistence.people import Patient
from station.persistence.scheduling import Appointment, Chair

GONE = ("cancelled", "no_show")


@dataclass(frozen=True)
class Slot:
    """One appointment of the day, as booked and as it went."""

    initials: str
    status: str
    booked_start: datetime
    booked_end: datetime
    actual_start: datetime | None = None
    actual_end: datetime | None = None  # None while it runs
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()

    @property
    def delay(self) -> timedelta | None:
        """How late it started (negative: early); None before it starts."""
        return None if self.actual_start is None else self.actual_start - self.booked_start

    def expected_end(self, now: datetime) -> datetime:
        """The actual end, else the booked length from the actual start (pauses added)."""
        if self.actual_end is not None:
            return self.actual_end
        if self.actual_start is None:
            return self.booked_end
        paused = sum(((end or now) - start for start, end in self.pauses), timedelta())
        return max(now, self.actual_start + (self.booked_end - self.booked_start) + paused)


@dataclass(frozen=True)
class ChairDay:
    label: str
    slots: tuple[Slot, ...]

    def free_from(self, now: datetime) -> datetime:
        """When the chair is free next: the end of what runs or is booked from now on."""
        busy_until = now
        for slot in self.slots:
            if slot.status in GONE or slot.actual_end is not None:
                continue
            start = slot.actual_start or slot.booked_start
            if start <= busy_until:
                busy_until = max(busy_until, slot.expected_end(now))
        return busy_until


def _reaches_into(appt: Any, infusion: Any, day_start: datetime) -> bool:
    """Booked today, or booked before and still running (or booked to end) after midnight."""
    if appt.start_at >= day_start:
        return True
    if infusion is not None and infusion.started_at is not None:
        return infusion.ended_at is None or infusion.ended_at > day_start
    booked_end: datetime = appt.start_at + timedelta(minutes=appt.expected_duration_min)
    return booked_end > day_start


def read_timeline(session: Session, day: tuple[datetime, datetime]) -> tuple[ChairDay, ...]:
    """Every active chair's day, in label order."""
    chairs = session.execute(sa.select(Chair.id, Chair.label).where(Chair.active.is_(True))
                             .order_by(Chair.label)).all()
    appointments = session.execute(
        sa.select(Appointment.id, Appointment.chair_id, Appointment.start_at,
                  Appointment.expected_duration_min, Appointment.status,
                  Patient.given_name, Patient.family_name)
        .join(Patient, Patient.id == Appointment.patient_id)
        # From the day before too: a visit booked before midnight that reaches into today.
        .where(Appointment.start_at >= day[0] - timedelta(days=1), Appointment.start_at < day[1],
               Appointment.chair_id.is_not(None))
        .order_by(Appointment.start_at)).all()
    infusions = {row.appointment_id: row for row in session.execute(
        sa.select(Infusion.id, Infusion.appointment_id, Infusion.started_at, Infusion.ended_at)
        .where(Infusion.appointment_id.in_([a.id for a in appointments]))
        .order_by(Infusion.id))}
    appointments = [a for a in appointments if _reaches_into(a, infusions.get(a.id), day[0])]
    pauses: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for infusion_id, start, end in session.execute(
            sa.select(Pause.infusion_id, Pause.started_at, Pause.ended_at)
            .where(Pause.infusion_id.in_([i.id for i in infusions.values()]))
            .order_by(Pause.started_at)):
        pauses[infusion_id].append((start, end))
    slots: dict[int, list[Slot]] = defaultdict(list)
    for appt in appointments:
        infusion = infusions.get(appt.id)
        slots[appt.chair_id].append(Slot(
            initials=f"{appt.given_name[:1]}.{appt.family_name[:1]}.",
            status=appt.status.value, booked_start=appt.start_at,
            booked_end=appt.start_at + timedelta(minutes=appt.expected_duration_min),
            actual_start=None if infusion is None else infusion.started_at,
            actual_end=None if infusion is None else infusion.ended_at,
            pauses=tuple(pauses.get(infusion.id, ())) if infusion is not None else ()))
    return tuple(ChairDay(label, tuple(slots.get(cid, ()))) for cid, label in chairs)
