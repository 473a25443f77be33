"""Starting an infusion in two steps, matching how the pump is driven.

1. :meth:`InfusionService.prepare_start` checks the checklist, the pump and the order
   through the drug library and returns the :class:`PumpProgram` to send (nothing is
   running yet; the planned infusion and the program are stored and audited).
2. The monitoring layer sends the program; once the pump reports it is running it calls
   :meth:`InfusionService.confirm_started` with the pump's start time: the Delivery Start
   event and the first delivery segment are stored, the appointment becomes "infusing".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.programming import InfusionOrder, LimitZone, PumpProgram
from station.domain.refusals import Accepted, Refusal, Refused, Result
from station.domain.start import StartRequest, start_infusion
from station.domain.timers import in_future
from station.domain.units import Rate, RateUnit, from_ml_per_h
from station.persistence.delivery import Infusion, InfusionStatus, Pump, SoftLimitOverride
from station.persistence.events import InfusionEventKind
from station.persistence.orders import DosePreparation, Order
from station.persistence.scheduling import Appointment, AppointmentStatus
from station.services.appointment_status import move, transition_refusal
from station.services.checkin import order_of
from station.services.checklist import current_checklist, premedications_due
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.errors import InvalidStateError
from station.services.lookups import get, infusion_of
from station.services.segments import open_segment
from station.services.store import audit, infusion_event, iso, writing

PREPARED = "infusion.prepared"
STARTED = "infusion.started"
_BUSY = (InfusionStatus.RUNNING, InfusionStatus.PAUSED)


@dataclass(frozen=True)
class PreparedStart:
    """The program to send to the pump for the planned infusion ``infusion_id``."""

    infusion_id: int
    program: PumpProgram


def pump_in_use(session: Session, pump: Pump, infusion_id: int | None) -> Refusal | None:
    """A refusal when the pump already delivers another infusion.

    The pump row is locked first (PostgreSQL), so two stations starting the same pump
    at once are serialised and the second one sees the first one's start.
    """
    session.execute(sa.select(Pump.id).where(Pump.id == pump.id).with_for_update())
    other = session.scalars(
        sa.select(Infusion).where(Infusion.pump_id == pump.id, Infusion.status.in_(_BUSY),
                                  Infusion.id != (infusion_id or -1))
    ).first()
    if other is None:
        return None
    chair = other.appointment.chair.label if other.appointment.chair else "another chair"
    return Refusal(ServiceRefusal.PUMP_IN_USE,
                   f"Pump {pump.serial_number} is already running an infusion in chair {chair}; "
                   "pick another pump.")


def ordered_rate_of(order: Order) -> Rate | None:
    """The order's fixed rate, or None when the drug's titration protocol gives it."""
    if order.rate is None or order.rate_unit is None:
        return None
    return Rate(order.rate, RateUnit(order.rate_unit))


def _program_detail(program: PumpProgram, weight_kg: float | None, filter_fitted: bool
                    ) -> dict[str, Any]:
    """What the ``infusion.prepared`` audit entry says was sent (who did what)."""
    override = program.override
    return {
        "pump": program.pump_id, "drug_id": program.drug_id, "rate_ml_h": program.rate_ml_h,
        "vtbi_ml": program.vtbi_ml, "library_version": program.library_version,
        "weight_kg": weight_kg, "filter_fitted": filter_fitted,
        "override": None if override is None else {
            "zone": override.zone.value, "limit": override.limit, "reason": override.reason},
    }


def _order_refusals(ctx: ServiceContext, order: Order | None) -> list[Refusal]:
    if order is None:
        return [Refusal(ServiceRefusal.ORDER_MISSING,
                        "There is no order for this appointment.")]
    if ctx.library.find(order.titration_protocol) is None:
        return [Refusal(ServiceRefusal.DRUG_NOT_IN_LIBRARY,
                        f"{order.drug} ({order.titration_protocol}) is not in drug library "
                        f"{ctx.library.version}; the pump cannot be programmed through it.")]
    return []


class InfusionService:
    """Prepare the pump program, then record the start once the pump runs."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def prepare_start(
        self,
        appointment_id: int,
        *,
        pump_id: int,
        filter_fitted: bool = False,
        override_reason: str = "",
        weight_kg: float | None = None,
        ordered_rate: Rate | None = None,
    ) -> Result[PreparedStart]:
        """Every reason not to start yet, or the program to send to the pump.

        The rate and the patient's weight (per-kg drugs such as IVIG) come from the
        order; ``ordered_rate`` and ``weight_kg``, when given, override them for this
        infusion (e.g. today's weight). Without a fixed rate the drug's titration
        protocol gives the rate. A soft-limit override needs ``override_reason``; hard
        limits refuse whatever the reason.
        """
        ctx = self._ctx
        with writing(ctx, "prepare the infusion") as session:
            appointment = get(session, Appointment, appointment_id)
            pump = get(session, Pump, pump_id)
            planned = infusion_of(session, appointment)
            refusals = [r for r in (transition_refusal(appointment, AppointmentStatus.INFUSING),
                                    pump_in_use(session, pump, planned.id if planned else None))
                        if r is not None]
            order = order_of(session, appointment)
            refusals += _order_refusals(ctx, order)
            if refusals or order is None:
                return Refused(tuple(refusals))
            rate = ordered_rate if ordered_rate is not None else ordered_rate_of(order)
            weight = weight_kg if weight_kg is not None else order.patient_weight_kg
            request = StartRequest(
                order=InfusionOrder(order.titration_protocol, order.volume_ml,
                                    rate=rate, patient_weight_kg=weight),
                drug=ctx.library.drug(order.titration_protocol),
                checklist=current_checklist(session, appointment),
                pump_id=pump.serial_number, library_version=ctx.library.version,
                filter_fitted=filter_fitted, override_reason=override_reason)
            started = start_infusion(request, now=ctx.now(), by=ctx.actor.name,
                                     premedications_due=premedications_due(ctx, session,
                                                                           appointment))
            if isinstance(started, Refused):
                return started
            infusion = self._planned(session, planned, order, appointment, pump)
            program = started.value.program
            infusion.rate_ml_h, infusion.vtbi_ml = program.rate_ml_h, program.vtbi_ml
            infusion.library_version, infusion.patient_weight_kg = program.library_version, weight
            infusion.titrated = rate is None
            detail = _program_detail(program, weight, filter_fitted)
            detail["ordered_rate"] = None if rate is None else str(rate)
            audit(session, ctx, PREPARED, infusion, detail)
            if program.override is not None:
                self._record_override(session, infusion, program, weight)
        return Accepted(PreparedStart(infusion.id, program))

    def _record_override(self, session: Session, infusion: Infusion, program: PumpProgram,
                         weight_kg: float | None) -> None:
        override = program.override
        assert override is not None
        limits = self._ctx.library.drug(program.drug_id).limits
        limit = limits.soft_max if override.zone is LimitZone.ABOVE_SOFT else limits.soft_min
        session.add(SoftLimitOverride(
            infusion_id=infusion.id, at=self._ctx.now(), by_id=self._ctx.actor.user_id,
            drug=program.drug_id, zone=override.zone.value,
            value=from_ml_per_h(program.rate_ml_h, limits.unit, weight_kg),
            limit=limit or 0.0, unit=limits.unit.value, reason=override.reason[:500]))
        audit(session, self._ctx, "infusion.soft_limit_override", infusion,
              {"zone": override.zone.value, "limit": override.limit,
               "reason": override.reason, "rate_ml_h": program.rate_ml_h})

    def _planned(self, session: Session, planned: Infusion | None, order: Order,
                 appointment: Appointment, pump: Pump) -> Infusion:
        if planned is not None and planned.status is InfusionStatus.PLANNED:
            planned.pump_id = pump.id
            return planned
        dose = session.scalars(sa.select(DosePreparation.id)
                               .where(DosePreparation.order_id == order.id)
                               .order_by(DosePreparation.id.desc())).first()
        infusion = Infusion(order_id=order.id, appointment_id=appointment.id, pump_id=pump.id,
                            dose_preparation_id=dose, status=InfusionStatus.PLANNED)
        session.add(infusion)
        session.flush()
        return infusion

    def confirm_started(self, infusion_id: int, at: datetime) -> Result[Infusion]:
        """The pump runs the prepared program since ``at``: store the Delivery Start.

        Refused when nothing was prepared, the time is in the future, or the pump was
        meanwhile started for another infusion.
        """
        ctx = self._ctx
        with writing(ctx, "record the start") as session:
            infusion = get(session, Infusion, infusion_id)
            refusals = []
            if infusion.status is not InfusionStatus.PLANNED or infusion.pump is None:
                refusals.append(Refusal(ServiceRefusal.NOT_PREPARED,
                                        "This infusion is not waiting to start; prepare it "
                                        "first."))
            elif (busy := pump_in_use(session, infusion.pump, infusion.id)) is not None:
                refusals.append(busy)
            if in_future(at, ctx.now()):
                refusals.append(Refusal(ServiceRefusal.TIME_IN_FUTURE,
                                        "The start time is in the future; check it."))
            transition = transition_refusal(infusion.appointment, AppointmentStatus.INFUSING)
            if transition is not None:
                refusals.append(transition)
            if refusals:
                return Refused(tuple(refusals))
            if infusion.rate_ml_h is None or infusion.pump is None:
                raise InvalidStateError(f"infusion {infusion.id} has no prepared program")
            rate = infusion.rate_ml_h
            infusion.status, infusion.started_at = InfusionStatus.RUNNING, at
            infusion.started_by_id = ctx.actor.user_id
            open_segment(session, infusion, at, rate)
            infusion_event(session, ctx, infusion, InfusionEventKind.DELIVERY_START, at,
                           rate_ml_h=rate, total_volume_ml=0.0, detail="infusion started")
            audit(session, ctx, STARTED, infusion, {"at": iso(at), "rate_ml_h": rate,
                                                    "pump": infusion.pump.serial_number})
            move(session, ctx, infusion.appointment, AppointmentStatus.INFUSING)
        return Accepted(infusion)
