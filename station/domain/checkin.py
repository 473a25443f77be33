"""Check-in: every infusion is booked, referred, authorised, prepared and verified.

A patient who fails any rule is turned away politely; each refusal's reason is a
sentence the nurse can read aloud. All rules are checked so that the desk sees every
problem at once, in the order of the clinic's workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from station.domain.refusals import (
    Accepted,
    Refusal,
    Refused,
    Result,
    require_aware,
    say_minutes,
)


class CheckInRefusal(StrEnum):
    NO_APPOINTMENT_TODAY = "checkin.no_appointment_today"
    APPOINTMENT_CANCELLED = "checkin.appointment_cancelled"
    REFERRAL_NOT_VERIFIED = "checkin.referral_not_verified"
    AUTHORISATION_MISSING = "checkin.authorisation_missing"
    AUTHORISATION_EXPIRED = "checkin.authorisation_expired"
    AUTHORISATION_NOT_YET_VALID = "checkin.authorisation_not_yet_valid"
    DOSE_NOT_PREPARED = "checkin.dose_not_prepared"
    DOSE_PAST_BEYOND_USE = "checkin.dose_past_beyond_use"
    ORDER_NOT_VERIFIED = "checkin.order_not_verified"


@dataclass(frozen=True)
class Appointment:
    """A booked infusion slot."""

    starts_at: datetime
    cancelled: bool = False


@dataclass(frozen=True)
class Authorisation:
    """The insurer's prior authorisation; both dates inclusive, in the clinic's calendar."""

    reference: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class PreparedDose:
    """The dose pharmacy compounded for this appointment."""

    prepared_at: datetime
    beyond_use_at: datetime


@dataclass(frozen=True)
class CheckInFacts:
    """What the desk knows about the patient when they arrive."""

    appointment: Appointment | None
    referral_verified: bool
    authorisation: Authorisation | None
    dose: PreparedDose | None
    order_verified: bool


@dataclass(frozen=True)
class CheckIn:
    """An accepted check-in."""

    checked_in_at: datetime
    appointment: Appointment


def _say_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _appointment(facts: CheckInFacts, today: date, tz: tzinfo) -> list[Refusal]:
    booked = facts.appointment
    if booked is None:
        return [Refusal(
            CheckInRefusal.NO_APPOINTMENT_TODAY,
            "There is no infusion booked for you today. Every infusion is booked ahead, "
            "because the medicine is prepared for that appointment, so we cannot give one "
            "without a booking. The desk can book one for you.",
        )]
    booked_day = booked.starts_at.astimezone(tz).date()
    if booked_day != today:
        return [Refusal(
            CheckInRefusal.NO_APPOINTMENT_TODAY,
            f"Your infusion is booked for {_say_date(booked_day)}, not today. The medicine "
            "is prepared for that appointment, so we cannot give it today.",
        )]
    if booked.cancelled:
        return [Refusal(CheckInRefusal.APPOINTMENT_CANCELLED,
                        "Today's appointment was cancelled, so no infusion is prepared for you.")]
    return []


def _authorisation(auth: Authorisation | None, today: date) -> list[Refusal]:
    if auth is None:
        return [Refusal(CheckInRefusal.AUTHORISATION_MISSING,
                        "We do not have your insurer's authorisation for this infusion yet.")]
    if today > auth.valid_until:
        return [Refusal(
            CheckInRefusal.AUTHORISATION_EXPIRED,
            f"Your insurer's authorisation ended on {_say_date(auth.valid_until)}; "
            "it must be renewed before we can give the infusion.",
        )]
    if today < auth.valid_from:
        return [Refusal(
            CheckInRefusal.AUTHORISATION_NOT_YET_VALID,
            f"Your insurer's authorisation only starts on {_say_date(auth.valid_from)}.",
        )]
    return []


def _dose(dose: PreparedDose | None, now: datetime) -> list[Refusal]:
    if dose is None:
        return [Refusal(CheckInRefusal.DOSE_NOT_PREPARED,
                        "Your medicine has not been prepared by the pharmacy yet.")]
    require_aware(dose.beyond_use_at, "beyond_use_at")
    if now >= dose.beyond_use_at:
        return [Refusal(
            CheckInRefusal.DOSE_PAST_BEYOND_USE,
            f"The prepared medicine passed its beyond-use time "
            f"{say_minutes(now - dose.beyond_use_at)} ago and cannot be given; "
            "the pharmacy must prepare a new dose.",
        )]
    return []


def check_in(facts: CheckInFacts, now: datetime, clinic_tz: tzinfo) -> Result[CheckIn]:
    """Accept the arrival, or list every reason it is refused (``clinic_tz`` sets "today")."""
    require_aware(now, "now")
    today = now.astimezone(clinic_tz).date()
    refusals = _appointment(facts, today, clinic_tz)
    if not facts.referral_verified:
        refusals.append(Refusal(CheckInRefusal.REFERRAL_NOT_VERIFIED,
                                "Your referral has not been verified yet."))
    refusals += _authorisation(facts.authorisation, today)
    refusals += _dose(facts.dose, now)
    if not facts.order_verified:
        refusals.append(Refusal(
            CheckInRefusal.ORDER_NOT_VERIFIED,
            "The infusion order has not been verified by a pharmacist or physician yet.",
        ))
    if refusals or facts.appointment is None:  # no appointment always adds a refusal
        return Refused(tuple(refusals))
    return Accepted(CheckIn(now, facts.appointment))
