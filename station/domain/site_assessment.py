"""Peripheral IV site checks: infiltration grade 0-4, extent in cm, dressing, next check.

Grades follow the infiltration scale formerly in the INS Standards (research 4.3). That
scale is contested (Hadaway), so the measured extent is recorded too, and an extent that
does not fit the grade needs confirmation instead of being refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from station.domain.refusals import Refusal, Result, decide, require_aware, say_number
from station.domain.timers import Countdown, in_future, interval_countdown

MAX_PLAUSIBLE_EXTENT_CM = 60.0


class InfiltrationGrade(IntEnum):
    NONE = 0
    GRADE_1 = 1
    GRADE_2 = 2
    GRADE_3 = 3
    GRADE_4 = 4


GRADE_CRITERIA = {
    InfiltrationGrade.NONE: "no symptoms",
    InfiltrationGrade.GRADE_1: "skin blanched, edema under 2.5 cm, cool, with or without pain",
    InfiltrationGrade.GRADE_2: "skin blanched, edema 2.5 to 15 cm, cool, with or without pain",
    InfiltrationGrade.GRADE_3: "skin blanched and translucent, gross edema over 15 cm, "
    "cool, mild to moderate pain, possible numbness",
    InfiltrationGrade.GRADE_4: "skin tight, leaking, discoloured; gross edema over 15 cm; "
    "circulatory impairment; or any infiltration of blood product, irritant or vesicant",
}

class SiteRefusal(StrEnum):
    EXTENT_IMPLAUSIBLE = "site.extent_implausible"
    IN_FUTURE = "site.in_future"
    CONFIRM_EXTENT = "site.confirm_extent_grade_mismatch"


class SiteAction(StrEnum):
    """What the finding asks the nurse to do."""

    CONTINUE = "continue"
    REDRESS = "replace the dressing"
    STOP_AND_RESITE = "stop the infusion and re-site the cannula"
    STOP_AND_NOTIFY = "stop the infusion, re-site the cannula and notify the prescriber"


@dataclass(frozen=True)
class SiteAssessment:
    """One recorded check of the IV site."""

    assessed_at: datetime
    assessed_by: str
    grade: InfiltrationGrade
    extent_cm: float
    dressing_intact: bool
    note: str = ""

    @property
    def fit_for_infusion(self) -> bool:
        return self.grade is InfiltrationGrade.NONE and self.dressing_intact


def _extent_fits(grade: InfiltrationGrade, extent_cm: float) -> bool:
    """Whether the measured extent matches the scale's edema size for the grade."""
    if grade is InfiltrationGrade.NONE:
        return extent_cm == 0
    if grade is InfiltrationGrade.GRADE_1:
        return extent_cm < 2.5
    if grade is InfiltrationGrade.GRADE_2:
        return 2.5 <= extent_cm <= 15
    if grade is InfiltrationGrade.GRADE_3:
        return extent_cm > 15
    return True  # grade 4: any amount of a vesicant or blood product


def record_site_assessment(
    grade: InfiltrationGrade,
    extent_cm: float,
    dressing_intact: bool,
    *,
    assessed_at: datetime,
    assessed_by: str,
    now: datetime,
    confirm_mismatch: bool = False,
    note: str = "",
) -> Result[SiteAssessment]:
    """Accept a site check, or refuse an impossible extent or an unconfirmed mismatch."""
    require_aware(assessed_at, "assessed_at")
    require_aware(now, "now")
    refusals = []
    if math.isnan(extent_cm) or not 0 <= extent_cm <= MAX_PLAUSIBLE_EXTENT_CM:
        refusals.append(Refusal(
            SiteRefusal.EXTENT_IMPLAUSIBLE,
            f"An extent of {say_number(extent_cm)} cm cannot be right: enter 0 to "
            f"{say_number(MAX_PLAUSIBLE_EXTENT_CM)} cm.",
        ))
    elif not _extent_fits(grade, extent_cm) and not confirm_mismatch:
        refusals.append(Refusal(
            SiteRefusal.CONFIRM_EXTENT,
            f"Grade {int(grade)} means {GRADE_CRITERIA[grade]}, but the extent is "
            f"{say_number(extent_cm)} cm: confirm it or correct the grade.",
        ))
    if in_future(assessed_at, now):
        refusals.append(Refusal(SiteRefusal.IN_FUTURE,
                                "The check is timed in the future; check the time entered."))
    return decide(
        SiteAssessment(assessed_at, assessed_by, grade, extent_cm, dressing_intact, note), refusals
    )


def site_actions(assessment: SiteAssessment) -> tuple[SiteAction, ...]:
    """Actions the finding calls for; any infiltration stops the infusion (INS practice)."""
    actions: list[SiteAction] = []
    if assessment.grade >= InfiltrationGrade.GRADE_3:
        actions.append(SiteAction.STOP_AND_NOTIFY)
    elif assessment.grade >= InfiltrationGrade.GRADE_1:
        actions.append(SiteAction.STOP_AND_RESITE)
    if not assessment.dressing_intact:
        actions.append(SiteAction.REDRESS)
    return tuple(actions) or (SiteAction.CONTINUE,)


def next_site_check(last: SiteAssessment, interval: timedelta, now: datetime) -> Countdown:
    """When the next check is due (interval from the drug library) and how long is left."""
    return interval_countdown(last.assessed_at, interval, now)
