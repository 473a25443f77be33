"""The gate on a real MonitoringService over `pump-sim` on a pty, with a SQLite file."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import LinkState, PumpIdentified
from devices.driver import Sample as DriverSample
from station.monitoring import PumpEndpoint
from station.persistence import AuditLog
from station.persistence.audit import AuditEntry
from station.training import PumpAdmission, PumpGate
from station.training.pump_gate import REFUSED_ACTION
from tests.monitoring.conftest import SPEED, Watched
from tests.support.simulator_process import SimulatorProcess

Sim = Callable[..., SimulatorProcess]
Watch = Callable[..., Watched]


def _gated(watch: Watch, sessions: sessionmaker[Session], sim: SimulatorProcess,
           admission: PumpAdmission) -> tuple[Watched, PumpGate, list[tuple[str, str]]]:
    reported: list[tuple[str, str]] = []
    watched = watch(sessions, [PumpEndpoint("C1", sim.ports[0].port)])
    gate = PumpGate(watched.service, admission, AuditLog(sessions),
                    lambda chair, why: reported.append((chair, why)))
    watched.service.subscribe(gate)
    return watched, gate, reported


def test_a_normal_station_refuses_the_simulated_pump_and_stops_polling_it(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    sim = simulator(speed=SPEED)
    watched, gate, reported = _gated(watch, sessions, sim, PumpAdmission(training=False))
    watched.next_update(lambda u: isinstance(u.event, PumpIdentified))
    watched.link(LinkState.CLOSED)
    assert watched.service.pump("C1").link_state is LinkState.CLOSED
    assert list(gate.refused) == ["C1"] and reported[0][0] == "C1"
    assert "SN0001 is a simulated pump" in reported[0][1]
    with sessions() as session:
        stored = session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == REFUSED_ACTION)).one()
    assert stored.entity_id == "SN0001" and stored.detail_dict()["chair"] == "C1"


def test_with_the_engineering_setting_the_simulated_pump_is_monitored(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    sim = simulator(speed=SPEED)
    watched, gate, reported = _gated(
        watch, sessions, sim, PumpAdmission(training=False, allow_simulated=True))
    samples = watched.samples(3)
    assert all(isinstance(s, DriverSample) for s in samples)
    assert watched.service.pump("C1").link_state is LinkState.UP
    assert gate.refused == {} and reported == []


def test_a_training_station_monitors_the_simulated_pump(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    sim = simulator(speed=SPEED)
    watched, gate, _ = _gated(watch, sessions, sim, PumpAdmission(training=True))
    watched.samples(3)
    assert gate.refused == {}
