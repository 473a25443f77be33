"""Check-in through the service: each clinic rule refuses with its reason, stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.checkin import CheckInRefusal
from station.persistence.audit_log import AuditLog
from station.persistence.errors import RecordRejectedError
from station.persistence.orders import DosePreparation, Order
from station.persistence.people import Patient
from station.persistence.scheduling import (
    Appointment,
    AppointmentStatus,
    AuthorisationStatus,
    InsuranceAuthorisation,
    Referral,
)
from station.services import Actor, CheckInService, ServiceContext
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import DAY, World, accepted, codes, snapshot

Mutation = Callable[[World, Session], str]  # changes the world; returns the MRN to check in


def walk_in(world: World, session: Session) -> str:
    session.add(Patient(mrn="MRN-W", family_name="Walk", given_name="In",
                        date_of_birth=date(1990, 3, 3)))
    return "MRN-W"


def booked_tomorrow(world: World, session: Session) -> str:
    appointment = session.get_one(Appointment, world.appointment_id)
    appointment.start_at += timedelta(days=1)
    return world.mrn


def cancelled(world: World, session: Session) -> str:
    session.get_one(Appointment, world.appointment_id).status = AppointmentStatus.CANCELLED
    return world.mrn


def referral_unverified(world: World, session: Session) -> str:
    for referral in session.scalars(sa.select(Referral)):
        referral.verified_at = None
    return world.mrn


def _authorisation(session: Session) -> InsuranceAuthorisation:
    return session.scalars(sa.select(InsuranceAuthorisation)).one()


def authorisation_pending(world: World, session: Session) -> str:
    _authorisation(session).status = AuthorisationStatus.PENDING
    return world.mrn


def authorisation_expired(world: World, session: Session) -> str:
    _authorisation(session).valid_to = DAY - timedelta(days=1)
    return world.mrn


def authorisation_not_yet_valid(world: World, session: Session) -> str:
    _authorisation(session).valid_from = DAY + timedelta(days=1)
    return world.mrn


def dose_missing(world: World, session: Session) -> str:
    session.execute(sa.delete(DosePreparation))
    return world.mrn


def dose_past_beyond_use(world: World, session: Session) -> str:
    session.scalars(sa.select(DosePreparation)).one().beyond_use_at = world.clock.now
    return world.mrn


def order_unverified(world: World, session: Session) -> str:
    # A newer order replaces the verified one; its dose is prepared but nobody verified it.
    old = session.get_one(Order, world.order_id)
    new = Order(patient_id=old.patient_id, appointment_id=old.appointment_id,
                ordered_at=old.ordered_at, drug=old.drug, dose_amount=old.dose_amount,
                dose_unit=old.dose_unit, diluent=old.diluent, volume_ml=old.volume_ml,
                access=old.access, titration_protocol=old.titration_protocol,
                observation_min=60, site_check_interval_min=120)
    session.add(new)
    session.flush()
    session.add(DosePreparation(order_id=new.id, compounded_at=world.clock.now, lot="L2",
                                beyond_use_at=world.clock.now + timedelta(hours=8)))
    return world.mrn


CASES = [
    # A stranger also has no referral, authorisation, dose or order: all are said.
    (walk_in, (CheckInRefusal.NO_APPOINTMENT_TODAY, CheckInRefusal.REFERRAL_NOT_VERIFIED,
               CheckInRefusal.AUTHORISATION_MISSING, CheckInRefusal.DOSE_NOT_PREPARED,
               CheckInRefusal.ORDER_NOT_VERIFIED), "no infusion booked for you today"),
    (booked_tomorrow, CheckInRefusal.NO_APPOINTMENT_TODAY, "booked for 25 November 2026"),
    (cancelled, CheckInRefusal.APPOINTMENT_CANCELLED, "cancelled"),
    (referral_unverified, CheckInRefusal.REFERRAL_NOT_VERIFIED, "referral"),
    (authorisation_pending, CheckInRefusal.AUTHORISATION_MISSING, "authorisation"),
    (authorisation_expired, CheckInRefusal.AUTHORISATION_EXPIRED, "ended on 23 November 2026"),
    (authorisation_not_yet_valid, CheckInRefusal.AUTHORISATION_NOT_YET_VALID,
     "only starts on 25 November 2026"),
    (dose_missing, CheckInRefusal.DOSE_NOT_PREPARED, "not been prepared"),
    (dose_past_beyond_use, CheckInRefusal.DOSE_PAST_BEYOND_USE, "beyond-use"),
    (order_unverified, CheckInRefusal.ORDER_NOT_VERIFIED, "not been verified"),
]


@BOTH_BACKENDS
@pytest.mark.parametrize(("mutate", "code", "said"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_rule_refuses_with_its_reason_and_stores_nothing(
    world: World, mutate: Mutation, code: str | tuple[str, ...], said: str
) -> None:
    with world.sessions() as session, session.begin():
        mrn = mutate(world, session)
    before = snapshot(world.sessions)
    result = world.svc.checkin.check_in(mrn)
    assert codes(result) == (code if isinstance(code, tuple) else (code,))
    assert said in result.refusals[0].reason  # type: ignore[union-attr]
    assert snapshot(world.sessions) == before


@BOTH_BACKENDS
def test_accepted_check_in_is_stored_and_audited(world: World) -> None:
    appointment = accepted(world.svc.checkin.check_in(world.mrn))
    assert appointment.id == world.appointment_id
    with world.sessions() as session:
        assert session.get_one(Appointment, world.appointment_id).status \
            is AppointmentStatus.CHECKED_IN
    entries = AuditLog(world.sessions).entries(entity_type="appointments",
                                               entity_id=world.appointment_id)
    assert [e.action for e in entries][-1] == "appointment.checked_in"
    assert entries[-1].actor_user_id == world.nurse.user_id


def test_several_problems_are_all_listed_in_workflow_order(world: World) -> None:
    with world.sessions() as session, session.begin():
        referral_unverified(world, session)
        dose_missing(world, session)
    assert codes(world.svc.checkin.check_in(world.mrn)) == (
        CheckInRefusal.REFERRAL_NOT_VERIFIED, CheckInRefusal.DOSE_NOT_PREPARED)


def test_checking_in_twice_is_refused_by_the_status_rules(world: World) -> None:
    accepted(world.svc.checkin.check_in(world.mrn))
    assert codes(world.svc.checkin.check_in(world.mrn)) == ("appointment.transition_not_allowed",)


@BOTH_BACKENDS
def test_a_failed_write_leaves_no_partial_record(world: World) -> None:
    # An actor who is not a stored user: the audit entry's foreign key fails at commit,
    # so the status change of the same transaction must not survive either.
    ghost = ServiceContext(world.sessions, world.clock, world.library, Actor(9999, "Ghost"))
    before = snapshot(world.sessions)
    with pytest.raises(RecordRejectedError, match="check the patient in"):
        CheckInService(ghost).check_in(world.mrn)
    assert snapshot(world.sessions) == before
