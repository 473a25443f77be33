"""A small unit to show: chairs in pods with nurses, a running infusion, telemetry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from station.persistence import AlarmLog, Records, TelemetrySample, TelemetryWriter
from station.persistence import alarms as stored
from station.persistence.delivery import Infusion, InfusionStatus, Pump
from station.persistence.people import ActorKind, Patient, User
from station.persistence.scheduling import Appointment, AppointmentStatus, Chair
from station.persistence.unit import ChairAssignment
from tests.persistence.factories import make_order


@dataclass(frozen=True)
class Unit:
    chair_ids: dict[str, int]
    infusion_id: int  # running on C1
    pump_id: int
    nurse_id: int


def seed_unit(sessions: sessionmaker[Session], now: datetime, chairs: int = 3) -> Unit:
    """C1..Cn; C1 infusing (Jane Doe, ocrelizumab, 500 mL at 100 mL/h, nurse A, pod A);
    C2 with a booking in an hour (John Roe); the rest empty."""
    nurse = User(username="nurse.a", display_name="Nurse A", created_at=now)
    rows = [Chair(label=f"C{n}") for n in range(1, chairs + 1)]
    jane = Patient(mrn="MRN-1", family_name="Doe", given_name="Jane",
                   date_of_birth=now.date().replace(year=1980))
    john = Patient(mrn="MRN-2", family_name="Roe", given_name="John",
                   date_of_birth=now.date().replace(year=1970))
    here = Appointment(patient=jane, chair=rows[0], start_at=now - timedelta(hours=1),
                       expected_duration_min=240, status=AppointmentStatus.INFUSING)
    later = Appointment(patient=john, chair=rows[1], start_at=now + timedelta(hours=1),
                        expected_duration_min=120)
    order = make_order(jane, here)
    pump = Pump(port_url="/dev/null", model="NE1000", serial_number="SN0001")
    infusion = Infusion(order=order, appointment=here, pump=pump,
                        started_at=now - timedelta(minutes=50), status=InfusionStatus.RUNNING,
                        rate_ml_h=100.0, vtbi_ml=500.0)
    Records(sessions).add(nurse, *rows, jane, john, here, later, order, pump, infusion)
    Records(sessions).add(*[ChairAssignment(chair_id=c.id, pod="A" if i < 2 else "B",
                                            nurse_id=nurse.id if i < 2 else None)
                            for i, c in enumerate(rows)])
    return Unit({c.label: c.id for c in rows}, infusion.id, pump.id, nurse.id)


def write_telemetry(sessions: sessionmaker[Session], infusion_id: int, end: datetime,
                    seconds: int, rate_ml_h: float = 100.0) -> None:
    """`seconds` samples at 1 Hz ending at `end`, volume growing at `rate_ml_h`."""
    writer = TelemetryWriter(sessions)
    for k in range(seconds):
        at = end - timedelta(seconds=seconds - 1 - k)
        writer.add(TelemetrySample(infusion_id, at, rate_ml_h, 50.0 + k * rate_ml_h / 3600))
    writer.close()


def raise_alarm(sessions: sessionmaker[Session], code: str, priority: str, at: datetime,
                *, chair_id: int | None = None, infusion_id: int | None = None,
                latching: bool = False) -> int:
    return AlarmLog(sessions).raise_alarm(stored.Alarm(
        code=code, priority=stored.AlarmPriority(priority),
        category=stored.AlarmCategory.TECHNICAL, latching=latching, raised_at=at,
        cause=code, infusion_id=infusion_id, pump_id=None, chair_id=chair_id,
        actor_kind=ActorKind.STATION, actor_user_id=None))


def record_step(sessions: sessionmaker[Session], alarm_id: int, kind: str, at: datetime,
                priority: str = "high") -> None:
    AlarmLog(sessions).record(stored.AlarmTransition(
        alarm_id=alarm_id, kind=stored.AlarmTransitionKind(kind),
        priority=stored.AlarmPriority(priority), at=at, cause_code=None, cause="",
        detail="", pause_until=None, actor_kind=ActorKind.STATION, actor_user_id=None))


def seed_station_chairs(sessions: sessionmaker[Session], now: datetime,
                        serials: dict[str, str]) -> dict[str, int]:
    """A running infusion per chair label on the pump with that serial; infusion ids."""
    found = {}
    for n, (label, serial) in enumerate(serials.items(), start=1):
        chair = Chair(label=label)
        patient = Patient(mrn=f"MRN-{n}", family_name=f"Family{n}", given_name=f"Given{n}",
                          date_of_birth=now.date().replace(year=1980))
        appointment = Appointment(patient=patient, chair=chair,
                                  start_at=now - timedelta(hours=1), expected_duration_min=240,
                                  status=AppointmentStatus.INFUSING)
        order = make_order(patient, appointment)
        pump = Pump(port_url="unknown yet", model="NE1000", serial_number=serial)
        infusion = Infusion(order=order, appointment=appointment, pump=pump,
                            started_at=now - timedelta(minutes=50),
                            status=InfusionStatus.RUNNING, rate_ml_h=100.0, vtbi_ml=500.0)
        Records(sessions).add(chair, patient, appointment, order, pump, infusion)
        found[label] = infusion.id
    return found
