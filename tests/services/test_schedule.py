"""Schedule: booking rules, the day by chair and time, status transitions, CSV import."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from station.persistence.audit_log import AuditLog
from station.persistence.scheduling import Appointment, AppointmentStatus
from station.services import Booking, ScheduleImporter, ServiceContext
from station.services.codes import ServiceRefusal
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import DAY, NINE, World, accepted, codes, snapshot


def booking(mrn: str = "MRN-1", chair: str = "C2", hour: int = 13, minutes: int = 120,
            ) -> Booking:
    return Booking(mrn, chair, NINE.replace(hour=hour), minutes)


def test_booking_is_listed_by_chair_and_time(world: World) -> None:
    accepted(world.svc.schedule.book(booking(hour=14)))
    accepted(world.svc.schedule.book(booking(hour=11)))
    accepted(world.svc.schedule.book(booking(chair="C3", hour=8)))
    day = world.svc.schedule.day(DAY)
    assert [(c.chair_label, [a.start_at.hour for a in c.appointments]) for c in day] == [
        ("C1", [9]), ("C2", [11, 14]), ("C3", [8])]
    assert world.svc.schedule.day(DAY + timedelta(days=1)) == []
    assert [c.chair_label for c in world.svc.schedule.today()] == ["C1", "C2", "C3"]


@pytest.mark.parametrize(("request_", "expected"), [
    (booking(mrn="MRN-404"), (ServiceRefusal.PATIENT_UNKNOWN,)),
    (booking(chair="C9"), (ServiceRefusal.CHAIR_UNKNOWN,)),
    (booking(minutes=0), (ServiceRefusal.DURATION_INVALID,)),
    (booking(minutes=13 * 60), (ServiceRefusal.DURATION_INVALID,)),
    (booking(chair="C1", hour=10), (ServiceRefusal.CHAIR_BUSY,)),  # C1 is taken 09:00-13:00
    (booking(mrn="MRN-404", chair="C9"), (ServiceRefusal.PATIENT_UNKNOWN,
                                          ServiceRefusal.CHAIR_UNKNOWN)),
], ids=["patient", "chair", "zero-minutes", "too-long", "chair-busy", "both"])
def test_booking_refusals_store_nothing(
    world: World, request_: Booking, expected: tuple[str, ...]
) -> None:
    before = snapshot(world.sessions)
    assert codes(world.svc.schedule.book(request_)) == expected
    assert snapshot(world.sessions) == before


def test_a_cancelled_booking_frees_the_chair(world: World) -> None:
    accepted(world.svc.schedule.cancel(world.appointment_id, "patient has flu"))
    accepted(world.svc.schedule.book(booking(chair="C1", hour=10)))
    [entry] = [e for e in AuditLog(world.sessions).entries(entity_type="appointments")
               if e.action == "appointment.cancelled"]
    assert entry.detail_dict() == {"from": "booked", "reason": "patient has flu",
                                   "to": "cancelled"}


S = AppointmentStatus


@pytest.mark.parametrize(("steps", "refused_at"), [
    (["no_show"], None),
    (["cancel"], None),
    (["check_in", "cancel"], None),
    (["check_in", "seat", "cancel"], None),
    (["seat"], 0),                 # not checked in yet
    (["check_in", "no_show"], 1),  # a patient who came is not a no-show
    (["cancel", "check_in"], 1),   # a cancelled appointment cannot be checked into
    (["no_show", "cancel"], 1),
])
def test_status_transitions(world: World, steps: list[str], refused_at: int | None) -> None:
    schedule, aid = world.svc.schedule, world.appointment_id
    calls = {"no_show": lambda: schedule.mark_no_show(aid),
             "cancel": lambda: schedule.cancel(aid, "asked"),
             "seat": lambda: schedule.seat(aid),
             "check_in": lambda: world.svc.checkin.check_in(world.mrn)}
    for index, step in enumerate(steps):
        before = snapshot(world.sessions)
        result = calls[step]()
        if index == refused_at:
            assert codes(result)[-1] in ("appointment.transition_not_allowed",
                                         "checkin.appointment_cancelled")
            assert snapshot(world.sessions) == before
            return
        accepted(result)
    assert refused_at is None


CSV = """patient_mrn,chair,start,duration_min,private_room,companion,note
MRN-1,C2,2026-11-25 08:30,240,no,yes,"prefers the window,
and a blanket"
MRN-1,C3,2026-11-25 8h30,240,,,
MRN-404,C9,2026-11-25 09:00,abc,maybe,,
MRN-1,C2,2026-11-25 10:00,60,,,overlaps line 2 in the same chair
MRN-1,C3,2026-11-25T12:00:00+00:00,90,yes,no,
MRN-1,C3,2026-11-25 12:00,,,,
"""


@BOTH_BACKENDS
def test_csv_import_reports_bad_rows_by_line_and_imports_the_good_ones(world: World) -> None:
    report = world.svc.schedule_import.import_text(CSV)
    assert [str(e) for e in report.errors] == [
        "line 4: start '2026-11-25 8h30' is not a time like 2026-11-25 08:30",
        "line 5: duration_min 'abc' is not a whole number of minutes; "
        "private_room must be yes or no, not 'maybe'",
        "line 6: Chair C2 is already booked at that time.",
        "line 8: duration_min is empty",
    ]
    assert [(a.start_at.hour, a.expected_duration_min, a.with_companion, a.wants_private_room)
            for a in report.imported] == [(8, 240, True, False), (12, 90, False, True)]
    assert report.imported[0].requests_note == "prefers the window,\nand a blanket"
    tomorrow = world.svc.schedule.day(DAY + timedelta(days=1))
    assert [(c.chair_label, len(c.appointments)) for c in tomorrow] == [("C2", 1), ("C3", 1)]
    imported = [e for e in AuditLog(world.sessions).entries(entity_type="appointments")
                if e.action == "appointment.imported"]
    assert [e.detail_dict()["line"] for e in imported] == [2, 7]


def test_csv_rows_referring_to_unknown_records_say_which(world: World) -> None:
    report = world.svc.schedule_import.import_text(
        "patient_mrn,chair,start,duration_min\nMRN-404,C9,2026-11-25 09:00,60\n")
    assert [str(e) for e in report.errors] == [
        "line 2: No patient has the record number 'MRN-404'.; There is no chair 'C9'."]
    assert report.imported == ()


ROW = "MRN-1,C2,2026-11-25 08:30,60\n"


@pytest.mark.parametrize(("text", "reasons"), [
    ("patient,chair,start,duration_min\n" + ROW,
     ("missing column(s): patient_mrn", "unknown column(s): patient")),
    ("patient_mrn,chair,start,duration_min,colour\n" + ROW, ("unknown column(s): colour",)),
    ("", ("missing column(s): patient_mrn, chair, start, duration_min",)),
], ids=["misspelt", "unknown", "empty-file"])
def test_a_bad_header_imports_nothing(world: World, text: str, reasons: tuple[str, ...]) -> None:
    before = snapshot(world.sessions)
    report = world.svc.schedule_import.import_text(text)
    assert [(e.line, e.reasons) for e in report.errors] == [(1, reasons)]
    assert snapshot(world.sessions) == before


def test_a_row_with_too_many_fields_is_reported(world: World) -> None:
    report = world.svc.schedule_import.import_text(
        "patient_mrn,chair,start,duration_min\nMRN-1,C2,2026-11-25 08:30,60,extra\n")
    assert [str(e) for e in report.errors] == ["line 2: more fields than columns"]


def test_local_times_are_read_in_the_clinic_time_zone(world: World) -> None:
    amsterdam = ServiceContext(world.sessions, world.clock, world.library, world.nurse,
                               clinic_tz=ZoneInfo("Europe/Amsterdam"))
    report = ScheduleImporter(amsterdam).import_text(
        "patient_mrn,chair,start,duration_min\nMRN-1,C2,2026-11-25 08:30,60\n")
    [appointment] = report.imported
    assert appointment.start_at == NINE.replace(day=25, hour=7, minute=30)  # UTC+1 in winter
    with world.sessions() as session:
        stored = session.get_one(Appointment, appointment.id)
        assert stored.start_at == appointment.start_at
