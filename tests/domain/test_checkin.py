"""Check-in refuses what the clinic's rules forbid, each with a reason to read aloud."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from station.domain.checkin import (
    Appointment,
    Authorisation,
    CheckInFacts,
    CheckInRefusal,
    PreparedDose,
    check_in,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

CLINIC = ZoneInfo("America/Toronto")  # NOW is 09:00 local on 24 November 2026
R = CheckInRefusal

GOOD = CheckInFacts(
    appointment=Appointment(NOW + minutes(15)),
    referral_verified=True,
    authorisation=Authorisation("PA-1", date(2026, 6, 1), date(2026, 12, 31)),
    dose=PreparedDose(NOW - minutes(60), NOW + timedelta(hours=6)),
    order_verified=True,
)


@dataclass(frozen=True)
class Case:
    name: str
    facts: CheckInFacts
    codes: tuple[str, ...]
    says: str


CASES = [
    Case("walk-in", replace(GOOD, appointment=None), (R.NO_APPOINTMENT_TODAY,),
         "no infusion booked for you today"),
    Case("booked tomorrow", replace(GOOD, appointment=Appointment(NOW + timedelta(days=1))),
         (R.NO_APPOINTMENT_TODAY,), "booked for 25 November 2026, not today"),
    Case("booked yesterday", replace(GOOD, appointment=Appointment(NOW - timedelta(days=1))),
         (R.NO_APPOINTMENT_TODAY,), "23 November 2026"),
    # 01:00 UTC on the 25th is still the 24th in Toronto: the clinic's calendar decides.
    Case("booked late today local time",
         replace(GOOD, appointment=Appointment(NOW + timedelta(hours=11))), (), ""),
    Case("cancelled", replace(GOOD, appointment=Appointment(NOW, cancelled=True)),
         (R.APPOINTMENT_CANCELLED,), "was cancelled"),
    Case("referral not verified", replace(GOOD, referral_verified=False),
         (R.REFERRAL_NOT_VERIFIED,), "referral has not been verified"),
    Case("authorisation missing", replace(GOOD, authorisation=None),
         (R.AUTHORISATION_MISSING,), "authorisation"),
    Case("authorisation expired",
         replace(GOOD, authorisation=Authorisation("PA-1", date(2026, 1, 1), date(2026, 11, 23))),
         (R.AUTHORISATION_EXPIRED,), "ended on 23 November 2026"),
    Case("authorisation ends today is still valid",
         replace(GOOD, authorisation=Authorisation("PA-1", date(2026, 1, 1), date(2026, 11, 24))),
         (), ""),
    Case("authorisation not yet valid",
         replace(GOOD, authorisation=Authorisation("PA-1", date(2026, 11, 25), date(2027, 1, 1))),
         (R.AUTHORISATION_NOT_YET_VALID,), "only starts on 25 November 2026"),
    Case("dose not prepared", replace(GOOD, dose=None), (R.DOSE_NOT_PREPARED,),
         "not been prepared"),
    Case("dose past beyond-use time",
         replace(GOOD, dose=PreparedDose(NOW - timedelta(hours=30), NOW - minutes(25))),
         (R.DOSE_PAST_BEYOND_USE,), "passed its beyond-use time 25 min ago"),
    Case("dose at its beyond-use instant",
         replace(GOOD, dose=PreparedDose(NOW - timedelta(hours=30), NOW)),
         (R.DOSE_PAST_BEYOND_USE,), "beyond-use"),
    Case("order not verified", replace(GOOD, order_verified=False), (R.ORDER_NOT_VERIFIED,),
         "order has not been verified"),
    Case("everything wrong, in workflow order",
         CheckInFacts(None, False, None, None, False),
         (R.NO_APPOINTMENT_TODAY, R.REFERRAL_NOT_VERIFIED, R.AUTHORISATION_MISSING,
          R.DOSE_NOT_PREPARED, R.ORDER_NOT_VERIFIED), "referral"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_check_in(case: Case) -> None:
    result = check_in(case.facts, NOW, CLINIC)
    if not case.codes:
        assert accepted(result).checked_in_at == NOW
        return
    assert refusal_codes(result) == case.codes
    assert case.says in reasons(result)


def test_all_good_is_accepted() -> None:
    assert accepted(check_in(GOOD, NOW, CLINIC)).appointment == GOOD.appointment


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_in(GOOD, NOW.replace(tzinfo=None), CLINIC)
