"""Pre-infusion checklist: nothing starts until every item is done and still current."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from station.domain.drug_library import Premedication
from station.domain.refusals import Refusal, Result, decide, require_aware, say_minutes
from station.domain.site_assessment import SiteAssessment
from station.domain.vital_signs import VitalSignsRecord

# How old the baseline vitals and the site check may be at the start [guess: site setting].
BASELINE_MAX_AGE = timedelta(minutes=60)
REQUIRED_IDENTIFIERS = 2  # Joint Commission NPSG.01.01.01: two patient identifiers


class PatientIdentifier(StrEnum):
    FULL_NAME = "full name"
    DATE_OF_BIRTH = "date of birth"
    MEDICAL_RECORD_NUMBER = "medical record number"
    WRISTBAND_BARCODE = "wristband barcode"


class ChecklistGap(StrEnum):
    IDENTIFIERS = "checklist.two_identifiers"
    MEDICATION_LIST = "checklist.medication_list_not_reviewed"
    ALLERGIES = "checklist.allergies_not_reviewed"
    BASELINE_VITALS_MISSING = "checklist.baseline_vitals_missing"
    BASELINE_VITALS_STALE = "checklist.baseline_vitals_stale"
    PREMEDICATION_MISSING = "checklist.premedication_missing"
    PREMEDICATION_TOO_RECENT = "checklist.premedication_too_recent"
    PREMEDICATION_TOO_EARLY = "checklist.premedication_too_early"
    PREMEDICATION_IN_FUTURE = "checklist.premedication_in_future"
    SITE_NOT_ASSESSED = "checklist.site_not_assessed"
    SITE_STALE = "checklist.site_assessment_stale"
    SITE_NOT_FIT = "checklist.site_not_fit"


@dataclass(frozen=True)
class Signoff:
    """Who did a review, and when."""

    by: str
    at: datetime


@dataclass(frozen=True)
class GivenPremedication:
    """A pre-medication as given, with its time."""

    name: str
    given_at: datetime
    given_by: str = ""
    dose: str = ""


@dataclass(frozen=True)
class PreInfusionChecklist:
    """The items a nurse completes before starting; ``None`` means not done yet."""

    identifiers_confirmed: frozenset[PatientIdentifier] = frozenset()
    medication_list_reviewed: Signoff | None = None
    allergies_reviewed: Signoff | None = None
    baseline_vitals: VitalSignsRecord | None = None
    premedications_given: tuple[GivenPremedication, ...] = ()
    site_assessment: SiteAssessment | None = None


def _given(name: str, given: Iterable[GivenPremedication]) -> GivenPremedication | None:
    matches = [g for g in given if name.lower() in g.name.lower()]
    return max(matches, key=lambda g: g.given_at) if matches else None


def _premedication_gaps(
    due: Iterable[Premedication], given: tuple[GivenPremedication, ...], now: datetime
) -> list[Refusal]:
    gaps = []
    for premed in (p for p in due if p.required):
        dose = _given(premed.name, given)
        if dose is None:
            gaps.append(Refusal(ChecklistGap.PREMEDICATION_MISSING,
                                f"The pre-medication {premed.name} ({premed.dose}) "
                                "has not been given."))
            continue
        ago = now - dose.given_at
        if ago < timedelta(0):
            gaps.append(Refusal(ChecklistGap.PREMEDICATION_IN_FUTURE,
                                f"{premed.name} is timed in the future; check the time entered."))
        elif premed.min_before is not None and ago < premed.min_before:
            gaps.append(Refusal(
                ChecklistGap.PREMEDICATION_TOO_RECENT,
                f"{premed.name} was given {say_minutes(ago)} ago; the protocol gives it at "
                f"least {say_minutes(premed.min_before)} before the start, so wait "
                f"{say_minutes(premed.min_before - ago)} more.",
            ))
        elif premed.max_before is not None and ago > premed.max_before:
            gaps.append(Refusal(
                ChecklistGap.PREMEDICATION_TOO_EARLY,
                f"{premed.name} was given {say_minutes(ago)} ago, more than "
                f"{say_minutes(premed.max_before)} before the start; ask the prescriber "
                "whether to repeat it.",
            ))
    return gaps


def _vitals_gaps(vitals: VitalSignsRecord | None, now: datetime) -> list[Refusal]:
    if vitals is None:
        return [Refusal(ChecklistGap.BASELINE_VITALS_MISSING,
                        "Baseline vital signs have not been taken.")]
    if now - vitals.taken_at > BASELINE_MAX_AGE:
        return [Refusal(ChecklistGap.BASELINE_VITALS_STALE,
                        f"The baseline vital signs are {say_minutes(now - vitals.taken_at)} "
                        f"old; take them again (at most {say_minutes(BASELINE_MAX_AGE)}).")]
    return []


def _site_gaps(site: SiteAssessment | None, now: datetime) -> list[Refusal]:
    if site is None:
        return [Refusal(ChecklistGap.SITE_NOT_ASSESSED, "The IV site has not been assessed.")]
    if now - site.assessed_at > BASELINE_MAX_AGE:
        return [Refusal(ChecklistGap.SITE_STALE,
                        f"The IV site was assessed {say_minutes(now - site.assessed_at)} ago; "
                        "check it again before starting.")]
    if not site.fit_for_infusion:
        problem = (f"shows infiltration grade {int(site.grade)}" if site.grade
                   else "has a dressing that is not intact")
        return [Refusal(ChecklistGap.SITE_NOT_FIT,
                        f"The IV site {problem}; it must be clean and dressed before starting.")]
    return []


def checklist_gaps(
    checklist: PreInfusionChecklist, premedications_due: Iterable[Premedication], now: datetime
) -> tuple[Refusal, ...]:
    """Every missing or out-of-date item, in checklist order; empty means ready to start."""
    require_aware(now, "now")
    gaps = []
    if len(checklist.identifiers_confirmed) < REQUIRED_IDENTIFIERS:
        done = ", ".join(sorted(checklist.identifiers_confirmed)) or "none"
        gaps.append(Refusal(ChecklistGap.IDENTIFIERS,
                            f"Confirm two patient identifiers (confirmed so far: {done})."))
    if checklist.medication_list_reviewed is None:
        gaps.append(Refusal(ChecklistGap.MEDICATION_LIST,
                            "The medication list has not been reviewed for interactions."))
    if checklist.allergies_reviewed is None:
        gaps.append(Refusal(ChecklistGap.ALLERGIES, "Allergies have not been reviewed."))
    gaps += _vitals_gaps(checklist.baseline_vitals, now)
    gaps += _premedication_gaps(premedications_due, checklist.premedications_given, now)
    gaps += _site_gaps(checklist.site_assessment, now)
    return tuple(gaps)


def ready_to_start(
    checklist: PreInfusionChecklist, premedications_due: Iterable[Premedication], now: datetime
) -> Result[PreInfusionChecklist]:
    """The checklist, accepted only when it has no gap at ``now``."""
    return decide(checklist, list(checklist_gaps(checklist, premedications_due, now)))
