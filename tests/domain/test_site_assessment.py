"""Site checks: grade and extent, dressing, actions and the next check."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from station.domain.site_assessment import (
    InfiltrationGrade,
    SiteAction,
    SiteRefusal,
    next_site_check,
    record_site_assessment,
    site_actions,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

G = InfiltrationGrade


@dataclass(frozen=True)
class Case:
    name: str
    grade: InfiltrationGrade
    extent_cm: float
    codes: tuple[str, ...] = ()
    confirm: bool = False
    says: str = ""


CASES = [
    Case("clean site", G.NONE, 0),
    Case("grade 1 small", G.GRADE_1, 2.0),
    Case("grade 2 at lower bound", G.GRADE_2, 2.5),
    Case("grade 2 at upper bound", G.GRADE_2, 15),
    Case("grade 3 large", G.GRADE_3, 16),
    Case("grade 4 any extent (vesicant)", G.GRADE_4, 1),
    Case("grade 0 with swelling", G.NONE, 3, (SiteRefusal.CONFIRM_EXTENT,), says="Grade 0"),
    Case("grade 1 too big", G.GRADE_1, 5, (SiteRefusal.CONFIRM_EXTENT,), says="5 cm"),
    Case("grade 2 too small", G.GRADE_2, 1, (SiteRefusal.CONFIRM_EXTENT,)),
    Case("grade 3 too small", G.GRADE_3, 15, (SiteRefusal.CONFIRM_EXTENT,)),
    Case("mismatch confirmed", G.GRADE_1, 5, (), confirm=True),
    Case("negative extent", G.NONE, -1, (SiteRefusal.EXTENT_IMPLAUSIBLE,), says="0 to 60 cm"),
    Case("absurd extent even if confirmed", G.GRADE_4, 500, (SiteRefusal.EXTENT_IMPLAUSIBLE,),
         confirm=True),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_record_site_assessment(case: Case) -> None:
    result = record_site_assessment(
        case.grade, case.extent_cm, True, assessed_at=NOW, assessed_by="rn1", now=NOW,
        confirm_mismatch=case.confirm,
    )
    if not case.codes:
        assert accepted(result).grade is case.grade
        return
    assert refusal_codes(result) == case.codes
    assert case.says in reasons(result)


def test_check_in_the_future_is_refused() -> None:
    result = record_site_assessment(G.NONE, 0, True, assessed_at=NOW + minutes(10),
                                    assessed_by="rn1", now=NOW)
    assert refusal_codes(result) == (SiteRefusal.IN_FUTURE,)


@pytest.mark.parametrize(
    ("grade", "dressing_intact", "actions", "fit"),
    [
        (G.NONE, True, (SiteAction.CONTINUE,), True),
        (G.NONE, False, (SiteAction.REDRESS,), False),
        (G.GRADE_1, True, (SiteAction.STOP_AND_RESITE,), False),
        (G.GRADE_2, False, (SiteAction.STOP_AND_RESITE, SiteAction.REDRESS), False),
        (G.GRADE_3, True, (SiteAction.STOP_AND_NOTIFY,), False),
        (G.GRADE_4, True, (SiteAction.STOP_AND_NOTIFY,), False),
    ],
)
def test_site_actions(
    grade: InfiltrationGrade, dressing_intact: bool, actions: tuple[SiteAction, ...], fit: bool
) -> None:
    extent = {0: 0.0, 1: 1.0, 2: 5.0, 3: 20.0, 4: 20.0}[int(grade)]
    check = accepted(record_site_assessment(grade, extent, dressing_intact, assessed_at=NOW,
                                            assessed_by="rn1", now=NOW))
    assert site_actions(check) == actions
    assert check.fit_for_infusion is fit


@pytest.mark.parametrize(
    ("elapsed", "interval", "remaining", "overdue"),
    [(0, 60, 60, False), (45, 60, 15, False), (60, 60, 0, False), (75, 60, -15, True),
     (100, 240, 140, False)],
)
def test_next_site_check(elapsed: int, interval: int, remaining: int, overdue: bool) -> None:
    check = accepted(record_site_assessment(G.NONE, 0, True, assessed_at=NOW, assessed_by="rn1",
                                            now=NOW))
    due = next_site_check(check, minutes(interval), NOW + minutes(elapsed))
    assert due.due_at == NOW + minutes(interval)
    assert due.remaining == minutes(remaining)
    assert due.overdue is overdue
