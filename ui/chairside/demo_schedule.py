"""Today's training schedule for the demo: made-up patients booked on the simulated chairs.

Books one appointment per chair with everything check-in asks for (verified referral,
approved authorisation, verified order, prepared dose). The first chairs are already
infusing (checked in, checklist done, start confirmed), so a new user sees live plots
at once; the next one waits for check-in; the fourth patient's authorisation has run
out, so check-in there shows a refusal. Only for a training database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.orm import Session, sessionmaker

from station.persistence.records import Records
from station.services import Actor, StationServices
from station.services.bundle import load_library
from station.training.made_up_visit import (
    NORMAL_VITALS,
    MadeUpPatient,
    VisitStart,
    add_chairs,
    book_visit,
    start_visit,
)

__all__ = ["DEMO_PATIENTS", "NORMAL_VITALS", "RUNNING_CHAIRS", "DemoDay", "DemoPatient",
           "DemoStart", "seed_demo_day"]

DemoPatient = MadeUpPatient  # the names the demo had before the visit moved to station/
DemoStart = VisitStart

DEMO_PATIENTS = (
    DemoPatient("TRN-1001", "Jansen", "Anna", date(1968, 3, 14), ("penicillin",),
                "ocrelizumab-later", 600, 500, ("methylprednisolone", "diphenhydramine")),
    DemoPatient("TRN-1002", "Okafor", "Ben", date(1981, 7, 2), (),
                "vedolizumab-maintenance", 300, 250),
    DemoPatient("TRN-1003", "Silva", "Carla", date(1990, 11, 23), ("latex", "iodine"),
                "sodium-chloride-0.9", 0, 250, ordered_rate_ml_h=100),
    DemoPatient("TRN-1004", "Novak", "Dan", date(1955, 1, 9), (),
                "sodium-chloride-0.9", 0, 250, ordered_rate_ml_h=100, authorised=False),
)
RUNNING_CHAIRS = 2  # the first chairs start infusing at once


@dataclass(frozen=True)
class DemoDay:
    actor: Actor
    starts: tuple[DemoStart, ...]


def seed_demo_day(sessions: sessionmaker[Session], pumps: Sequence[tuple[str, str]], *,
                  now: datetime, tz: tzinfo, running: int = RUNNING_CHAIRS,
                  clock: Callable[[], datetime] | None = None) -> DemoDay:
    """Book today's demo patients on `pumps` ((chair label, pump serial) each); the first
    `running` are infusing."""
    running_chairs = running
    records = Records(sessions)
    actor, chairs, pump_rows = add_chairs(records, pumps, now)
    services = StationServices.build(sessions, clock=clock or (lambda: datetime.now(UTC)),
                                     library=load_library(), actor=actor, clinic_tz=tz)
    starts = []
    for index, (chair, pump) in enumerate(zip(chairs, pump_rows, strict=True)):
        patient = DEMO_PATIENTS[index % len(DEMO_PATIENTS)]
        running = index < running_chairs
        start_at = now - timedelta(minutes=20) if running else now + timedelta(minutes=10 * index)
        start_at = _on_the_day_of(now, start_at, tz)
        appointment_id = book_visit(records, services, patient, chair, start_at=start_at, now=now)
        if running:
            starts.append(start_visit(services, patient, appointment_id, chair=chair.label,
                                      pump_id=pump.id, now=now))
    return DemoDay(actor, tuple(starts))


def _on_the_day_of(now: datetime, start_at: datetime, tz: tzinfo) -> datetime:
    """The booking kept on the clinic day of `now`: a demo started near midnight must
    still find today's appointments in every chair."""
    day_start = datetime.combine(now.astimezone(tz).date(), time(0), tz)
    last = day_start + timedelta(days=1) - timedelta(minutes=1)
    return min(max(start_at, day_start), last)


