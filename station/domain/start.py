"""Starting an infusion: the checklist must be complete and the pump program accepted.

This is the one call a service makes to start: it gathers every refusal from the
checklist and from programming, and on success gives the program, the titration plan
and the live titration state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from station.domain.checklist import PreInfusionChecklist, checklist_gaps
from station.domain.drug_library import Drug, Premedication
from station.domain.programming import InfusionOrder, PumpProgram, program_pump
from station.domain.refusals import Refused, Result, decide, require_aware
from station.domain.titration import TitrationPlan, plan_titration
from station.domain.titration_state import TitrationState, start_titration


@dataclass(frozen=True)
class InfusionStart:
    """An accepted start; ``titration`` is None when the order sets a fixed rate."""

    started_at: datetime
    started_by: str
    program: PumpProgram
    plan: TitrationPlan | None
    titration: TitrationState | None


@dataclass(frozen=True)
class StartRequest:
    """Everything the start depends on, as plain values."""

    order: InfusionOrder
    drug: Drug
    checklist: PreInfusionChecklist
    pump_id: str
    library_version: str
    filter_fitted: bool = False
    override_reason: str = ""


def start_infusion(
    request: StartRequest,
    *,
    premedications_due: Iterable[Premedication] | None = None,
    now: datetime,
    by: str,
) -> Result[InfusionStart]:
    """Start, or every reason not to: checklist gaps first, then programming refusals.

    ``premedications_due`` defaults to the drug's library list; pass the order's list
    when the prescriber changed it. The protocol applies when the order gives no rate.
    """
    require_aware(now, "now")
    drug, order = request.drug, request.order
    due = drug.premedications if premedications_due is None else tuple(premedications_due)
    refusals = list(checklist_gaps(request.checklist, due, now))
    programmed = program_pump(order, drug, pump_id=request.pump_id,
                              library_version=request.library_version,
                              filter_fitted=request.filter_fitted,
                              override_reason=request.override_reason)
    if isinstance(programmed, Refused):
        return Refused((*refusals, *programmed.refusals))
    if refusals:
        return Refused(tuple(refusals))
    plan = titration = None
    if drug.titration is not None and order.rate is None:
        plan = plan_titration(drug.titration, start=now, volume_ml=order.volume_ml,
                              weight_kg=order.patient_weight_kg)
        titration = start_titration(drug.titration, weight_kg=order.patient_weight_kg,
                                    volume_ml=order.volume_ml, started_at=now, started_by=by)
    return decide(InfusionStart(now, by, programmed.value, plan, titration), [])
