"""Programming the pump through the library: soft limits need a reason, hard ones refuse."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from station.domain.drug_library import DrugLibrary
from station.domain.drug_library_loader import load_drug_library
from station.domain.programming import (
    InfusionOrder,
    LimitZone,
    ProgrammingRefusal,
    check_rate,
    program_pump,
)
from station.domain.units import Rate, RateUnit
from tests.domain.helpers import accepted, reasons, refusal_codes

P = ProgrammingRefusal
LIB: DrugLibrary = load_drug_library()
PER_KG = RateUnit.ML_PER_KG_PER_MIN


@dataclass(frozen=True)
class Case:
    name: str
    order: InfusionOrder
    drug_id: str = ""
    codes: tuple[str, ...] = ()
    rate_ml_h: float | None = None
    override_zone: LimitZone | None = None
    says: str = ""
    extra: dict[str, object] = field(default_factory=dict)


CASES = [
    Case("infliximab starts at the first step", InfusionOrder("infliximab", 250),
         rate_ml_h=20, extra={"filter_fitted": True}),
    Case("infliximab needs the filter", InfusionOrder("infliximab", 250),
         codes=(P.FILTER_NOT_CONFIRMED,), says="0.22 micron"),
    Case("ocrevus first dose at 30 mL/h", InfusionOrder("ocrelizumab-first", 250), rate_ml_h=30),
    Case("order rate at the soft max", InfusionOrder("ocrelizumab-first", 250, Rate(180)),
         rate_ml_h=180),
    Case("soft max crossed without reason", InfusionOrder("ocrelizumab-first", 250, Rate(190)),
         codes=(P.SOFT_LIMIT_NEEDS_REASON,),
         says="190 mL/h is above the soft maximum of 180 mL/h for Ocrelizumab"),
    Case("soft max crossed with reason", InfusionOrder("ocrelizumab-first", 250, Rate(190)),
         rate_ml_h=190, override_zone=LimitZone.ABOVE_SOFT,
         extra={"override_reason": "prescriber order 12"}),
    Case("blank reason is no reason", InfusionOrder("ocrelizumab-first", 250, Rate(190)),
         codes=(P.SOFT_LIMIT_NEEDS_REASON,), extra={"override_reason": "   "}),
    Case("soft min crossed without reason", InfusionOrder("ocrelizumab-first", 250, Rate(10)),
         codes=(P.SOFT_LIMIT_NEEDS_REASON,), says="below the soft minimum of 15 mL/h"),
    Case("hard max refused even with reason", InfusionOrder("ocrelizumab-first", 250, Rate(250)),
         codes=(P.ABOVE_HARD_LIMIT,), says="hard limit cannot be overridden",
         extra={"override_reason": "doctor said so"}),
    Case("hard min refused", InfusionOrder("ocrelizumab-first", 250, Rate(0.5)),
         codes=(P.BELOW_HARD_LIMIT,), says="below the hard minimum of 1 mL/h"),
    Case("ivig first step for 70 kg", InfusionOrder("ivig-octagam-10", 350, None, 70),
         rate_ml_h=42),
    Case("ivig needs weight", InfusionOrder("ivig-octagam-10", 350), codes=(P.WEIGHT_REQUIRED,),
         says="per kg"),
    Case("ivig 0.1 mL/kg/min over soft max", InfusionOrder(
        "ivig-octagam-10", 350, Rate(0.1, PER_KG), 70), codes=(P.SOFT_LIMIT_NEEDS_REASON,),
         says="420 mL/h (0.1 mL/kg/min for 70 kg) is above the soft maximum of 0.08 mL/kg/min"),
    Case("ivig 0.13 mL/kg/min over hard max", InfusionOrder(
        "ivig-octagam-10", 350, Rate(0.13, PER_KG), 70), codes=(P.ABOVE_HARD_LIMIT,)),
    Case("ivig mL/h order checked per kg", InfusionOrder(
        "ivig-octagam-10", 350, Rate(600), 70), codes=(P.ABOVE_HARD_LIMIT,)),
    Case("saline needs an order rate", InfusionOrder("sodium-chloride-0.9", 500),
         codes=(P.NO_RATE,)),
    Case("saline at 100 mL/h", InfusionOrder("sodium-chloride-0.9", 500, Rate(100)),
         rate_ml_h=100),
    Case("zero volume", InfusionOrder("sodium-chloride-0.9", 0, Rate(100)),
         codes=(P.VOLUME_INVALID,)),
    Case("volume beyond the pump", InfusionOrder("sodium-chloride-0.9", 10000, Rate(100)),
         codes=(P.VOLUME_INVALID,), says="at most 9999 mL"),
    Case("order for another drug", InfusionOrder("infliximab", 250), drug_id="ocrelizumab-first",
         codes=(P.WRONG_DRUG,)),
    Case("no pump", InfusionOrder("ocrelizumab-first", 250), codes=(P.NO_PUMP,),
         extra={"pump_id": ""}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_program_pump(case: Case) -> None:
    drug = LIB.drug(case.drug_id or case.order.drug_id)
    options: dict[str, object] = {"pump_id": "pump-7", **case.extra}
    result = program_pump(
        case.order, drug, library_version=LIB.version,
        pump_id=str(options["pump_id"]), filter_fitted=bool(options.get("filter_fitted")),
        override_reason=str(options.get("override_reason", "")),
    )
    if case.codes:
        assert refusal_codes(result) == case.codes
        assert case.says in reasons(result)
        return
    program = accepted(result)
    assert program.rate_ml_h == pytest.approx(case.rate_ml_h)
    assert program.vtbi_ml == case.order.volume_ml
    assert program.library_version == LIB.version
    zone = program.override.zone if program.override else None
    assert zone is case.override_zone


def test_rate_change_during_infusion_uses_the_same_limits() -> None:
    drug = LIB.drug("infliximab")
    assert accepted(check_rate(drug, 150, None)) is None
    override = accepted(check_rate(drug, 200, None, "prescriber: faster schedule"))
    assert override is not None and override.reason == "prescriber: faster schedule"
    assert override.limit == "150 mL/h"
    assert refusal_codes(check_rate(drug, 251, None, "x")) == (P.ABOVE_HARD_LIMIT,)


def test_rate_change_for_a_per_kg_drug_needs_the_weight() -> None:
    drug = LIB.drug("ivig-octagam-10")
    assert refusal_codes(check_rate(drug, 42, None)) == (P.WEIGHT_REQUIRED,)
    assert accepted(check_rate(drug, 42, 70)) is None
