"""Pre-infusion checklist at the chair: identifiers, reviews, pre-medications given.

Vital signs and the site check are recorded through :class:`ObservationService` (their
own tables); sign-offs go to ``checklist_items`` and pre-medications given to
``premedications_given``, each with a ``checklist.*`` audit entry of the appointment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.checklist import (
    GivenPremedication,
    PatientIdentifier,
    PreInfusionChecklist,
    Signoff,
    checklist_gaps,
)
from station.domain.drug_library import Premedication
from station.domain.refusals import Refusal, Refused, Result, decide
from station.domain.timers import in_future
from station.persistence.base import Base
from station.persistence.checklist import ChecklistItem, ChecklistItemKind, PremedicationGiven
from station.persistence.scheduling import Appointment
from station.services.bedside_records import latest_site, latest_vitals, site_assessment
from station.services.bedside_records import vitals_record as to_vitals
from station.services.checkin import order_of
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.lookups import get, user_name
from station.services.store import audit, iso, reading, writing

IDENTIFIERS = "checklist.identifiers_confirmed"
MEDICATIONS = "checklist.medication_list_reviewed"
ALLERGIES = "checklist.allergies_reviewed"
PREMEDICATION = "checklist.premedication_given"


_KINDS = {
    IDENTIFIERS: ChecklistItemKind.IDENTIFIERS_CONFIRMED,
    MEDICATIONS: ChecklistItemKind.MEDICATION_LIST_REVIEWED,
    ALLERGIES: ChecklistItemKind.ALLERGIES_REVIEWED,
}


def current_checklist(session: Session, appointment: Appointment) -> PreInfusionChecklist:
    """The checklist as stored for ``appointment`` (latest sign-off of each item)."""
    latest: dict[ChecklistItemKind, ChecklistItem] = {}
    for item in session.scalars(sa.select(ChecklistItem)
                                .where(ChecklistItem.appointment_id == appointment.id)
                                .order_by(ChecklistItem.id)):
        latest[item.kind] = item
    named = latest.get(ChecklistItemKind.IDENTIFIERS_CONFIRMED)
    identifiers = frozenset(PatientIdentifier(i) for i in named.identifiers.split(",")
                            if i) if named is not None else frozenset()
    given = tuple(GivenPremedication(g.name, g.given_at, user_name(session, g.given_by_id), g.dose)
                  for g in session.scalars(sa.select(PremedicationGiven)
                                           .where(PremedicationGiven.appointment_id
                                                  == appointment.id)
                                           .order_by(PremedicationGiven.id)))

    def signoff(kind: ChecklistItemKind) -> Signoff | None:
        item = latest.get(kind)
        return None if item is None else Signoff(user_name(session, item.signed_by_id),
                                                 item.signed_at)

    vitals = latest_vitals(session, appointment.id)
    site = latest_site(session, appointment.id)
    return PreInfusionChecklist(
        identifiers_confirmed=identifiers,
        medication_list_reviewed=signoff(ChecklistItemKind.MEDICATION_LIST_REVIEWED),
        allergies_reviewed=signoff(ChecklistItemKind.ALLERGIES_REVIEWED),
        baseline_vitals=to_vitals(session, vitals) if vitals is not None else None,
        premedications_given=given,
        site_assessment=site_assessment(session, site) if site is not None else None,
    )


def premedications_due(ctx: ServiceContext, session: Session,
                       appointment: Appointment) -> tuple[Premedication, ...]:
    """The library's pre-medications for the ordered drug, plus any the order adds.

    An order's extra pre-medication has no timing window in the schema (only a planned
    ``minutes_before``), so it is required without one.
    """
    order = order_of(session, appointment)
    if order is None:
        return ()
    drug = ctx.library.find(order.titration_protocol)
    listed = drug.premedications if drug is not None else ()
    names = {p.name.lower() for p in listed}
    extra = tuple(Premedication(p.drug, p.dose, required=True) for p in order.premedications
                  if p.drug.lower() not in names)
    return (*listed, *extra)


class ChecklistService:
    """Records checklist items for an appointment and says what is still missing."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def confirm_identifiers(
        self, appointment_id: int, identifiers: Iterable[PatientIdentifier]
    ) -> PreInfusionChecklist:
        """Record which patient identifiers the nurse confirmed (replaces earlier ones)."""
        chosen = [str(i) for i in sorted({PatientIdentifier(i) for i in identifiers})]
        return self._record(appointment_id, IDENTIFIERS, {"identifiers": chosen},
                            lambda a: self._signoff(a, IDENTIFIERS, ",".join(chosen)))

    def review_medication_list(self, appointment_id: int) -> PreInfusionChecklist:
        """The acting user reviewed the medication list for interactions."""
        return self._record(appointment_id, MEDICATIONS, {},
                            lambda a: self._signoff(a, MEDICATIONS))

    def review_allergies(self, appointment_id: int) -> PreInfusionChecklist:
        """The acting user reviewed the allergies."""
        return self._record(appointment_id, ALLERGIES, {}, lambda a: self._signoff(a, ALLERGIES))

    def give_premedication(
        self, appointment_id: int, name: str, *, given_at: datetime, dose: str = ""
    ) -> Result[PreInfusionChecklist]:
        """Record a pre-medication given, with its time (refused when blank or in the future)."""
        ctx = self._ctx
        refusals = []
        if not name.strip():
            refusals.append(Refusal(ServiceRefusal.PREMEDICATION_NAME,
                                    "Name the pre-medication given."))
        if in_future(given_at, ctx.now()):
            refusals.append(Refusal(ServiceRefusal.TIME_IN_FUTURE,
                                    "The time given is in the future; check it."))
        if refusals:
            return Refused(tuple(refusals))
        name, dose = name.strip()[:128], dose.strip()[:64]
        return decide(self._record(
            appointment_id, PREMEDICATION, {"name": name, "dose": dose, "given_at": iso(given_at)},
            lambda a: PremedicationGiven(appointment_id=a.id, name=name, dose=dose,
                                         given_at=given_at, recorded_at=ctx.now(),
                                         given_by_id=ctx.actor.user_id)), [])

    def checklist(self, appointment_id: int) -> PreInfusionChecklist:
        """The checklist as stored."""
        with reading(self._ctx, "read the checklist") as session:
            return current_checklist(session, get(session, Appointment, appointment_id))

    def gaps(self, appointment_id: int) -> tuple[Refusal, ...]:
        """What still stops the start now, in checklist order (empty: complete)."""
        with reading(self._ctx, "read the checklist") as session:
            appointment = get(session, Appointment, appointment_id)
            due = premedications_due(self._ctx, session, appointment)
            return checklist_gaps(current_checklist(session, appointment), due, self._ctx.now())

    def _signoff(self, appointment: Appointment, action: str, identifiers: str = ""
                 ) -> ChecklistItem:
        return ChecklistItem(appointment_id=appointment.id, kind=_KINDS[action],
                             identifiers=identifiers, signed_at=self._ctx.now(),
                             signed_by_id=self._ctx.actor.user_id)

    def _record(self, appointment_id: int, action: str, detail: dict[str, object],
                record: Callable[[Appointment], Base]) -> PreInfusionChecklist:
        with writing(self._ctx, "record the checklist item") as session:
            appointment = get(session, Appointment, appointment_id)
            session.add(record(appointment))
            audit(session, self._ctx, action, appointment, detail)
            session.flush()
            return current_checklist(session, appointment)
