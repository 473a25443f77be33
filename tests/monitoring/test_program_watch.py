"""The programme conditions fed samples by hand, on a manual clock and a real SQLite file:
the debounce of a rate change, the time-based near end, the binding ending them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import Sample
from devices.protocol import Prompt
from station.persistence import Records
from station.persistence.delivery import Infusion, InfusionStatus
from tests.monitoring.test_chair_monitor import PUMP, Chair
from tests.monitoring.world import seed_running_infusion


def feed(chair: Chair, rate_ml_h: float, volume_ml: float,
         status: Prompt = Prompt.INFUSING) -> None:
    chair.clock.advance(1.0)
    chair.monitor.handle(Sample(PUMP, chair.stamp(), status, rate_ml_h, volume_ml, 15.0))


def test_a_step_being_sent_does_not_flash_a_mismatch_but_a_wrong_rate_that_stays_does(
        sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(sessions, rate_ml_h=100.0, vtbi_ml=500.0)
    chair = Chair(sessions)
    chair.connect()
    feed(chair, 100.0, 1.0)
    feed(chair, 104.0, 1.0)  # within the domain's 5 %
    feed(chair, 150.0, 1.1)  # two samples off while the pump is being set
    feed(chair, 150.0, 1.2)
    feed(chair, 100.0, 1.3)
    assert "rate_mismatch" not in chair.open_conditions()

    for volume in (1.4, 1.5, 1.6):
        feed(chair, 150.0, volume)
    assert "rate_mismatch" in chair.open_conditions()
    feed(chair, 150.0, 1.7, Prompt.PAUSED)  # not delivering: other conditions say so
    assert "rate_mismatch" not in chair.open_conditions()


def test_near_end_comes_from_the_time_left_at_the_rate_when_that_is_more(
        sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(sessions, rate_ml_h=120.0, vtbi_ml=250.0)
    chair = Chair(sessions)  # defaults: 10 % of the VTBI (25 mL) or 15 min (30 mL)
    chair.connect()
    feed(chair, 120.0, 219.9)
    assert "volume_near_end" not in chair.open_conditions()
    feed(chair, 120.0, 220.1)
    assert "volume_near_end" in chair.open_conditions()


def test_ending_the_infusion_ends_its_programme_conditions(
        sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions, rate_ml_h=120.0, vtbi_ml=10.0)
    chair = Chair(sessions)
    chair.connect()
    feed(chair, 120.0, 10.0, Prompt.STOPPED)
    assert "volume_complete" in chair.open_conditions()
    records = Records(sessions)
    [infusion] = records.select_all(sa.select(Infusion).where(Infusion.id == seeded.infusion_id))
    infusion.status = InfusionStatus.COMPLETED
    records.save(infusion)

    chair.monitor.rebind()

    assert "volume_complete" not in chair.open_conditions()
    assert chair.monitor.snapshot().infusion_id is None
