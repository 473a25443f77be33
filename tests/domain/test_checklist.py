"""Pre-infusion checklist: each missing or out-of-date item blocks the start."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from station.domain.checklist import (
    ChecklistGap,
    GivenPremedication,
    PatientIdentifier,
    PreInfusionChecklist,
    Signoff,
    checklist_gaps,
    ready_to_start,
)
from station.domain.drug_library import Premedication
from station.domain.site_assessment import InfiltrationGrade, SiteAssessment
from station.domain.vital_signs import VitalSign, VitalSignsRecord
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

G = ChecklistGap
OCREVUS_PREMEDS = (
    Premedication("methylprednisolone", "100 mg IV", True, minutes(30)),
    Premedication("diphenhydramine", "25-50 mg", True, minutes(30), minutes(60)),
    Premedication("acetaminophen", "optional", False),
)
VITALS = VitalSignsRecord(NOW - minutes(10), "rn1", {VitalSign.HEART_RATE: 70})
SITE = SiteAssessment(NOW - minutes(5), "rn1", InfiltrationGrade.NONE, 0, True)
COMPLETE = PreInfusionChecklist(
    identifiers_confirmed=frozenset({PatientIdentifier.FULL_NAME,
                                     PatientIdentifier.DATE_OF_BIRTH}),
    medication_list_reviewed=Signoff("rn1", NOW - minutes(20)),
    allergies_reviewed=Signoff("rn1", NOW - minutes(20)),
    baseline_vitals=VITALS,
    premedications_given=(
        GivenPremedication("Methylprednisolone", NOW - minutes(40)),
        GivenPremedication("Diphenhydramine HCl", NOW - minutes(35)),
    ),
    site_assessment=SITE,
)


def _premeds(*given: GivenPremedication) -> PreInfusionChecklist:
    return replace(COMPLETE, premedications_given=given)


MP_OK = GivenPremedication("methylprednisolone", NOW - minutes(40))


@dataclass(frozen=True)
class Case:
    name: str
    checklist: PreInfusionChecklist
    codes: tuple[str, ...]
    says: str = ""


CASES = [
    Case("complete", COMPLETE, ()),
    Case("one identifier", replace(COMPLETE, identifiers_confirmed=frozenset(
        {PatientIdentifier.FULL_NAME})), (G.IDENTIFIERS,), "confirmed so far: full name"),
    Case("no identifiers", replace(COMPLETE, identifiers_confirmed=frozenset()),
         (G.IDENTIFIERS,), "none"),
    Case("medication list", replace(COMPLETE, medication_list_reviewed=None),
         (G.MEDICATION_LIST,), "interactions"),
    Case("allergies", replace(COMPLETE, allergies_reviewed=None), (G.ALLERGIES,)),
    Case("no baseline vitals", replace(COMPLETE, baseline_vitals=None),
         (G.BASELINE_VITALS_MISSING,)),
    Case("stale vitals", replace(COMPLETE, baseline_vitals=replace(
        VITALS, taken_at=NOW - minutes(90))), (G.BASELINE_VITALS_STALE,), "1 h 30 min old"),
    Case("premedication missing", _premeds(MP_OK), (G.PREMEDICATION_MISSING,),
         "diphenhydramine (25-50 mg) has not been given"),
    Case("premedication too recent", _premeds(
        MP_OK, GivenPremedication("diphenhydramine", NOW - minutes(10))),
         (G.PREMEDICATION_TOO_RECENT,), "given 10 min ago"),
    Case("premedication too early", _premeds(
        MP_OK, GivenPremedication("diphenhydramine", NOW - minutes(75))),
         (G.PREMEDICATION_TOO_EARLY,), "more than 1 h before"),
    Case("latest dose counts", _premeds(
        MP_OK, GivenPremedication("diphenhydramine", NOW - minutes(90)),
        GivenPremedication("diphenhydramine", NOW - minutes(45))), ()),
    Case("premedication in the future", _premeds(
        MP_OK, GivenPremedication("diphenhydramine", NOW + minutes(5))),
         (G.PREMEDICATION_IN_FUTURE,)),
    Case("optional premedication not needed", COMPLETE, ()),
    Case("site not assessed", replace(COMPLETE, site_assessment=None), (G.SITE_NOT_ASSESSED,)),
    Case("site stale", replace(COMPLETE, site_assessment=replace(
        SITE, assessed_at=NOW - minutes(61))), (G.SITE_STALE,)),
    Case("site infiltrated", replace(COMPLETE, site_assessment=replace(
        SITE, grade=InfiltrationGrade.GRADE_1, extent_cm=1)), (G.SITE_NOT_FIT,), "grade 1"),
    Case("dressing not intact", replace(COMPLETE, site_assessment=replace(
        SITE, dressing_intact=False)), (G.SITE_NOT_FIT,), "dressing"),
    Case("empty checklist lists everything in order", PreInfusionChecklist(),
         (G.IDENTIFIERS, G.MEDICATION_LIST, G.ALLERGIES, G.BASELINE_VITALS_MISSING,
          G.PREMEDICATION_MISSING, G.PREMEDICATION_MISSING, G.SITE_NOT_ASSESSED)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_ready_to_start(case: Case) -> None:
    result = ready_to_start(case.checklist, OCREVUS_PREMEDS, NOW)
    if not case.codes:
        assert accepted(result) is case.checklist
        assert checklist_gaps(case.checklist, OCREVUS_PREMEDS, NOW) == ()
        return
    assert refusal_codes(result) == case.codes
    assert case.says in reasons(result)


def test_order_premedication_names_match_whatever_the_case() -> None:
    due = (Premedication("Diphenhydramine", "50 mg", True, minutes(30)),)
    assert checklist_gaps(COMPLETE, due, NOW) == ()


def test_no_premedications_due_for_saline() -> None:
    assert checklist_gaps(_premeds(), (), NOW) == ()
