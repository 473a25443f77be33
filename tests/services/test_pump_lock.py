"""Two stations confirming the same pump at once: the pump row lock serialises them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from station.domain.refusals import Result
from station.persistence.delivery import Infusion, InfusionStatus, Pump
from station.services.codes import ServiceRefusal
from tests.services.world import (
    World,
    accepted,
    codes,
    complete_checklist,
    seat,
    seated_and_ready,
)


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_confirmation_waits_for_the_pump_lock_and_then_sees_the_other_start(
    world: World,
) -> None:
    seat(world)
    complete_checklist(world)
    first = accepted(world.svc.infusions.prepare_start(world.appointment_id,
                                                        pump_id=world.pumps[0]))
    second_appointment = seated_and_ready(world, "MRN-2", "C2", drug_id="ocrelizumab-later",
                                          volume_ml=500)
    second = accepted(world.svc.infusions.prepare_start(second_appointment,
                                                         pump_id=world.pumps[0]))
    locked = threading.Event()

    def confirm_second() -> Result[Infusion]:
        locked.set()
        return world.svc.infusions.confirm_started(second.infusion_id, world.clock.now)

    # Another station holds the pump row and starts the first infusion, not yet committed.
    with world.sessions() as other, other.begin():
        other.execute(sa.select(Pump.id).where(Pump.id == world.pumps[0]).with_for_update())
        other.get_one(Infusion, first.infusion_id).status = InfusionStatus.RUNNING
        other.flush()
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(confirm_second)
            locked.wait(5)
            # Without the lock the confirmation would finish now and accept.
            with pytest.raises(TimeoutError):
                pending.result(timeout=1.0)
            other.commit()
            result = pending.result(timeout=30)
    assert codes(result) == (ServiceRefusal.PUMP_IN_USE,)
