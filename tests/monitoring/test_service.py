"""The service's life cycle without a pump: stop from a subscriber, commands after stop."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import AlarmError
from station.monitoring import ChairUpdate, MonitoringService, PumpEndpoint
from tests.monitoring.conftest import FAST
from tests.support.simulator_process import wait_until


def test_a_subscriber_may_stop_the_service_and_every_thread_ends(
        tmp_path: Path, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    service = MonitoringService([PumpEndpoint("C1", str(tmp_path / "no-pump"))], sessions,
                                settings=FAST)
    seen: list[ChairUpdate] = []

    def stop_on_first_alarm(update: ChairUpdate) -> None:
        seen.append(update)
        if update.transitions:
            service.stop()

    service.subscribe(stop_on_first_alarm)
    service.start()

    # The thread itself ending (not just the flag) means every handler has run.
    wait_until(lambda: "monitoring" not in {t.name for t in threading.enumerate()}, 10.0)
    assert not service.health().running
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [t.condition for u in seen for t in u.transitions][:1] == ["link_lost"]
    with pytest.raises(RuntimeError):
        service.acknowledge("C1", "link_lost", "nurse.a").result(timeout=1)


def test_operator_refusals_come_back_through_the_future(
        tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    with MonitoringService([PumpEndpoint("C1", str(tmp_path / "no-pump"))], sessions,
                           settings=FAST) as service:
        wait_until(lambda: service.snapshot("C1").alarms, timeout_s=10)
        # The pump is still unreachable: a reset cannot end a condition that persists.
        with pytest.raises(AlarmError):
            service.reset("C1", "link_lost", "nurse.a").result(timeout=5)
        snapshot = service.acknowledge("C1", "link_lost", "nurse.a").result(timeout=5)
        assert [a.state for a in snapshot.alarms] == ["acknowledged"]
        with pytest.raises(KeyError):
            service.acknowledge("C9", "link_lost", "nurse.a").result(timeout=1)
