"""`infusion-station monitor` applies the training pump rules, against pump-sim on a pty."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from station.monitoring import run_monitor
from station.persistence import make_sessionmaker
from station.persistence.audit import AuditEntry
from station.services import StationServices, load_library
from station.training import DatabasePurpose, open_for, read_purpose
from station.training.pump_gate import REFUSED_ACTION
from station.training.scenario_nurse import ScenarioNurse
from tests.monitoring.conftest import FAST, migrated
from tests.support.simulator_process import SimulatorProcess, wait_until
from ui.cli import main
from ui.trainer.station_clock import following_simulator

Sim = Callable[..., SimulatorProcess]


@contextmanager
def monitoring(port: str, db_url: str,
               **rules: Any) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """`run_monitor` on its own thread until the block ends; its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    stop = threading.Event()
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(run_monitor(
        [f"C1={port}"], db_url, None, settings=FAST, out=out, err=err, stop=stop, **rules)))
    runner.start()
    try:
        yield out, err
    finally:
        stop.set()
        runner.join(timeout=15)
    assert codes == [0], err.getvalue()


def _refusals(db_url: str) -> list[AuditEntry]:
    engine = migrated(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(session.scalars(sa.select(AuditEntry).where(
                AuditEntry.action == REFUSED_ACTION)))
    finally:
        engine.dispose()


def test_a_normal_monitor_refuses_the_simulated_pump_and_says_so(
        simulator: Sim, sqlite_file: str) -> None:
    sim = simulator(speed=10)
    with monitoring(sim.ports[0].port, sqlite_file) as (_, err):
        wait_until(lambda: "is a simulated pump" in err.getvalue(), timeout_s=15)
    assert ("infusion-station monitor: C1: the pump SN0001 is a simulated pump; this station "
            "is for real patients. It is not monitored.") in err.getvalue()
    (stored,) = _refusals(sqlite_file)
    assert stored.entity_id == "SN0001" and stored.detail_dict()["chair"] == "C1"
    # (that the refused pump's poller is closed is test_pump_gate.py's)


def test_with_the_engineering_setting_the_simulated_pump_is_monitored_and_it_is_said(
        simulator: Sim, sqlite_file: str) -> None:
    sim = simulator(speed=10)
    with monitoring(sim.ports[0].port, sqlite_file, allow_simulated=True) as (out, err):
        wait_until(lambda: "pump_reset" in out.getvalue(), timeout_s=15)
    first = json.loads(out.getvalue().splitlines()[0])
    assert (first["chair"], first["condition"], first["kind"]) == ("C1", "pump_reset", "raised")
    assert err.getvalue().startswith(
        "ENGINEERING: simulated pumps accepted - not for patient care\n")
    assert _refusals(sqlite_file) == []


def test_a_training_monitor_takes_the_simulated_pump_on_the_training_database(
        simulator: Sim, tmp_path: Path) -> None:
    sim = simulator(speed=10)
    db_url = f"sqlite:///{tmp_path / 'training.sqlite'}"
    with monitoring(sim.ports[0].port, db_url, training=True) as (out, err):
        wait_until(lambda: "pump_reset" in out.getvalue(), timeout_s=15)
    assert "TRAINING" in err.getvalue() and "refused" not in err.getvalue()
    assert _refusals(db_url) == []
    engine = migrated(db_url)
    assert read_purpose(engine) is DatabasePurpose.TRAINING
    engine.dispose()


def test_the_monitor_never_mixes_training_and_normal_databases(tmp_path: Path) -> None:
    normal = f"sqlite:///{tmp_path / 'station.sqlite'}"
    port = str(tmp_path / "no-such-port")
    assert run_monitor([port], normal, 0.0, settings=FAST, out=io.StringIO(),
                       err=io.StringIO()) == 0  # marks it normal
    err = io.StringIO()
    assert run_monitor([port], normal, 0.0, settings=FAST, out=io.StringIO(), err=err,
                       training=True) == 2
    assert "this is the station's database of real patients" in err.getvalue()
    err = io.StringIO()
    assert run_monitor([port], normal, 0.0, out=io.StringIO(), err=err, training=True,
                       allow_simulated=True) == 2
    assert "engineering setting of a normal station" in err.getvalue()


def test_a_training_monitor_times_a_break_on_the_simulator_s_clock(
        simulator: Sim, tmp_path: Path) -> None:
    # A break recorded at the station (through the services, on the simulator's clock):
    # at 60x the training monitor raises its overrun after ten simulated minutes.
    sim = simulator(speed=60)
    db_url = f"sqlite:///{tmp_path / 'training.sqlite'}"
    engine = open_for(db_url, DatabasePurpose.TRAINING)
    sessions = make_sessionmaker(engine)
    with following_simulator(sim.ports[0].control) as clock:
        nurse = ScenarioNurse(sessions, [("C1", sim.ports[0].serial)], lambda actor:
                              StationServices.build(sessions, clock=clock.utc_now,
                                                    library=load_library(), actor=actor,
                                                    clinic_tz=UTC), now=clock.utc_now())
        assert nurse.perform({"action": "start", "pump": 1, "params": {}}) == []
        assert nurse.perform({"action": "pause", "pump": 1, "params": {}}) == []
        paused_at = clock.sim_seconds()
        with monitoring(sim.ports[0].port, db_url, training=True,
                        clock=clock.utc_now) as (out, _):
            wait_until(lambda: '"condition": "pause_overrun"' in out.getvalue(), timeout_s=60)
        line = next(json.loads(text) for text in out.getvalue().splitlines()
                    if '"pause_overrun"' in text)
        raised = clock.sim_seconds_at(datetime.fromisoformat(line["at"]))
        assert 600 <= raised - paused_at <= 660 and line["priority"] == "medium"
    engine.dispose()


def test_the_command_line_follows_a_simulator_only_in_training(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    socket = str(tmp_path / "no-simulator.sock")
    port = f"C1={tmp_path / 'no-such-port'}"
    db = f"sqlite:///{tmp_path / 'training.sqlite'}"
    assert main(["monitor", "--simulator-control", socket, "--db", db, port]) == 2
    assert "--simulator-control is for training" in capsys.readouterr().err
    assert main(["monitor", "--training", "--simulator-control", socket, "--db", db,
                 port]) == 1
    assert "the simulator's clock cannot be read" in capsys.readouterr().err
