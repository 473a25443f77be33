"""A chair with a running infusion on the simulator's pump, and what was stored."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import EventStore, Records
from station.persistence.alarms import Alarm, AlarmTransition
from station.persistence.delivery import Infusion, InfusionStatus, Pump
from station.persistence.events import InfusionEvent
from station.persistence.people import Patient, User
from station.persistence.scheduling import Appointment, Chair
from tests.persistence.factories import T0, make_order

SIM_SERIAL = "SN0001"  # the simulator's pump 1


@dataclass(frozen=True)
class Seeded:
    """Ids of the records a monitored chair hangs on."""

    user_id: int
    chair_id: int
    pump_id: int
    infusion_id: int


def seed_running_infusion(sessions: sessionmaker[Session], chair_label: str = "C1",
                          pump_serial: str = SIM_SERIAL, *, rate_ml_h: float | None = None,
                          vtbi_ml: float | None = None) -> Seeded:
    """A nurse, a chair, and an infusion running on the pump with `pump_serial`
    (programmed at `rate_ml_h` for `vtbi_ml` when given)."""
    user = User(username="nurse.a", display_name="Nurse A", created_at=T0)
    patient = Patient(mrn="MRN-0001", family_name="Doe", given_name="Jane",
                      date_of_birth=T0.date().replace(year=1980))
    chair = Chair(label=chair_label)
    appointment = Appointment(patient=patient, chair=chair, start_at=T0,
                              expected_duration_min=240)
    order = make_order(patient, appointment)
    pump = Pump(port_url="unknown yet", model="NE1000", serial_number=pump_serial)
    infusion = Infusion(order=order, appointment=appointment, pump=pump, started_at=T0,
                        status=InfusionStatus.RUNNING, rate_ml_h=rate_ml_h, vtbi_ml=vtbi_ml)
    Records(sessions).add(user, patient, chair, appointment, order, pump, infusion)
    return Seeded(user.id, chair.id, pump.id, infusion.id)


def stored_alarms(sessions: sessionmaker[Session], code: str | None = None) -> list[Alarm]:
    stmt = sa.select(Alarm).order_by(Alarm.id)
    if code is not None:
        stmt = stmt.where(Alarm.code == code)
    return list(Records(sessions).select_all(stmt))


def stored_transitions(sessions: sessionmaker[Session], alarm_id: int) -> list[AlarmTransition]:
    stmt = (sa.select(AlarmTransition).where(AlarmTransition.alarm_id == alarm_id)
            .order_by(AlarmTransition.id))
    return list(Records(sessions).select_all(stmt))


def stored_kinds(sessions: sessionmaker[Session], alarm_id: int) -> list[str]:
    return [t.kind.value for t in stored_transitions(sessions, alarm_id)]


def pump_events(sessions: sessionmaker[Session], pump_id: int) -> list[InfusionEvent]:
    return EventStore(sessions).for_pump(pump_id)
