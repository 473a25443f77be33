"""Today's schedule per chair on both backends: booked against actual, delay, free time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from station.persistence import Records
from station.persistence.delivery import Pause
from station.unit.feed import local_day
from station.unit.timeline import ChairDay, Slot, read_timeline
from tests.unit.conftest import NOON, ManualUtc
from tests.unit.world import seed_unit


def test_the_days_slots_with_delay_pauses_and_free_time(
        unit_sessions: sessionmaker[Session], utc: ManualUtc) -> None:
    now = utc.now
    unit = seed_unit(unit_sessions, now)  # C1 booked an hour ago, started 50 min ago
    Records(unit_sessions).add(Pause(infusion_id=unit.infusion_id,
                                     started_at=now - timedelta(minutes=20),
                                     ended_at=now - timedelta(minutes=10), reason="bathroom"))
    with unit_sessions() as session:
        c1, c2, c3 = read_timeline(session, local_day(now))
    [running] = c1.slots
    assert running.initials == "J.D."
    assert running.delay == timedelta(minutes=10)
    assert running.pauses == ((now - timedelta(minutes=20), now - timedelta(minutes=10)),)
    # Booked for 240 min from its actual start, plus the 10 paused minutes.
    assert running.expected_end(now) == now - timedelta(minutes=50) + timedelta(minutes=250)
    assert c1.free_from(now) == running.expected_end(now)
    [booked] = c2.slots
    assert (booked.delay, booked.status) == (None, "booked")
    # C2's booking starts in an hour: free now (until then), which is what "free next" says.
    assert c2.free_from(now) == now
    assert (c3.label, c3.slots, c3.free_from(now)) == ("C3", (), now)


def test_a_late_booking_makes_the_chair_busy_until_its_booked_end() -> None:
    slot = Slot("A.B.", "booked", NOON - timedelta(minutes=5), NOON + timedelta(hours=2))
    assert ChairDay("C9", (slot,)).free_from(NOON) == NOON + timedelta(hours=2)
