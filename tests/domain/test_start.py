"""Starting: impossible until the checklist is complete; then program, plan and state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from station.domain.checklist import ChecklistGap, PreInfusionChecklist
from station.domain.drug_library_loader import load_drug_library
from station.domain.programming import InfusionOrder, ProgrammingRefusal
from station.domain.start import StartRequest, start_infusion
from station.domain.units import Rate
from tests.domain.helpers import NOW, accepted, minutes, refusal_codes
from tests.domain.test_checklist import COMPLETE

LIB = load_drug_library()


def request(drug_id: str, order: InfusionOrder, **changes: object) -> StartRequest:
    base = StartRequest(order, LIB.drug(drug_id), COMPLETE, "pump-3", LIB.version)
    return replace(base, **changes)


def test_ocrevus_start_gives_program_plan_and_state() -> None:
    started = accepted(start_infusion(request("ocrelizumab-first",
                                              InfusionOrder("ocrelizumab-first", 250)),
                                      now=NOW, by="rn1"))
    assert started.program.rate_ml_h == 30
    assert started.plan is not None and started.plan.meets_minimum_duration
    assert started.titration is not None and started.titration.rate_ml_h == 30


def test_fixed_rate_order_has_no_titration() -> None:
    started = accepted(start_infusion(request("sodium-chloride-0.9", InfusionOrder(
        "sodium-chloride-0.9", 500, Rate(100))), now=NOW, by="rn1"))
    assert started.plan is None and started.titration is None


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"checklist": PreInfusionChecklist()},
         (ChecklistGap.IDENTIFIERS, ChecklistGap.MEDICATION_LIST, ChecklistGap.ALLERGIES,
          ChecklistGap.BASELINE_VITALS_MISSING, ChecklistGap.PREMEDICATION_MISSING,
          ChecklistGap.PREMEDICATION_MISSING, ChecklistGap.SITE_NOT_ASSESSED)),
        ({"checklist": replace(COMPLETE, allergies_reviewed=None), "pump_id": ""},
         (ChecklistGap.ALLERGIES, ProgrammingRefusal.NO_PUMP)),
        ({"pump_id": ""}, (ProgrammingRefusal.NO_PUMP,)),
    ],
)
def test_start_refused_until_complete(changes: dict[str, object], codes: tuple[str, ...]) -> None:
    req = request("ocrelizumab-first", InfusionOrder("ocrelizumab-first", 250), **changes)
    assert refusal_codes(start_infusion(req, now=NOW, by="rn1")) == codes


def test_order_premedications_replace_the_library_list() -> None:
    req = request("ocrelizumab-first", InfusionOrder("ocrelizumab-first", 250),
                  checklist=replace(COMPLETE, premedications_given=()))
    assert refusal_codes(start_infusion(req, now=NOW, by="rn1")) == (
        ChecklistGap.PREMEDICATION_MISSING, ChecklistGap.PREMEDICATION_MISSING)
    accepted(start_infusion(req, premedications_due=(), now=NOW + minutes(1), by="rn1"))
