"""Shift counters on both backends, from records whose figures are known."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import Records
from station.persistence.delivery import Infusion, InfusionStatus, Pause
from station.persistence.observations import SideEffect, SideEffectKind
from station.persistence.people import Patient
from station.persistence.scheduling import Appointment, AppointmentStatus, Chair
from station.unit.shift import shift_counters
from tests.persistence.factories import make_order
from tests.unit.conftest import ManualUtc
from tests.unit.world import raise_alarm, record_step, seed_unit


def test_counters_of_a_shift(unit_sessions: sessionmaker[Session], utc: ManualUtc) -> None:
    now = utc.now
    unit = seed_unit(unit_sessions, now)  # C1 infusing for the last 50 min
    chair = Records(unit_sessions).get(Chair, unit.chair_ids["C2"])
    patient = Patient(mrn="MRN-9", family_name="Poe", given_name="Ann",
                      date_of_birth=now.date().replace(year=1990))
    earlier = Appointment(patient=patient, chair=chair, start_at=now - timedelta(hours=3),
                          expected_duration_min=120, status=AppointmentStatus.COMPLETED)
    order = make_order(patient, earlier)
    done = Infusion(order=order, appointment=earlier, started_at=now - timedelta(hours=3),
                    ended_at=now - timedelta(hours=1), status=InfusionStatus.COMPLETED)
    before_shift = Infusion(order=order, appointment=earlier,
                            started_at=now - timedelta(hours=12),
                            ended_at=now - timedelta(hours=10),
                            status=InfusionStatus.COMPLETED)
    Records(unit_sessions).add(patient, earlier, order, done, before_shift)
    Records(unit_sessions).add(
        Pause(infusion_id=unit.infusion_id, started_at=now - timedelta(minutes=20),
              ended_at=now - timedelta(minutes=10), reason="bathroom"),
        SideEffect(appointment_id=earlier.id, infusion_id=done.id,
                   observed_at=now - timedelta(hours=2), kind=SideEffectKind.NAUSEA,
                   ctcae_grade=1, rate_ml_h=None, reassessed_at=None, reassessed_grade=None))
    acked = raise_alarm(unit_sessions, "occlusion", "high", now - timedelta(minutes=30),
                        chair_id=unit.chair_ids["C1"])
    record_step(unit_sessions, acked, "acknowledged", now - timedelta(minutes=29))
    record_step(unit_sessions, acked, "acknowledged", now - timedelta(minutes=5))
    raise_alarm(unit_sessions, "air_in_line", "high", now - timedelta(minutes=3),
                chair_id=unit.chair_ids["C1"])
    raise_alarm(unit_sessions, "occlusion", "high", now - timedelta(hours=9),
                chair_id=unit.chair_ids["C1"])  # the shift before

    with unit_sessions() as session:
        counters = shift_counters(session, now - timedelta(hours=8), now)
    assert (counters.running, counters.completed, counters.alarms, counters.reactions) == (
        1, 1, 2, 1)
    assert counters.chair_hours == pytest.approx(50 / 60 + 2)
    assert counters.alarms_per_chair_hour == pytest.approx(2 / (50 / 60 + 2))
    assert counters.median_ack_s == pytest.approx(60.0)
    assert counters.pause_minutes == pytest.approx(10.0)
