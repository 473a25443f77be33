"""`run_monitor`: the headless command against the simulator, JSON lines out."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.monitoring import PumpEndpoint, parse_endpoints, run_monitor
from station.persistence import make_sessionmaker
from tests.monitoring.conftest import FAST, migrated
from tests.monitoring.world import stored_alarms
from tests.support.simulator_process import SimulatorProcess, wait_until


def test_monitor_prints_each_alarm_transition_as_json_and_stores_it(
        simulator: Callable[..., SimulatorProcess], sqlite_file: str) -> None:
    sim = simulator(speed=10)
    out, err = io.StringIO(), io.StringIO()
    stop = threading.Event()
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(run_monitor(
        [f"C1={sim.ports[0].port}"], sqlite_file, None, settings=FAST, out=out, err=err,
        stop=stop, allow_simulated=True)))  # pump-sim on a normal monitor: engineering
    runner.start()
    try:
        # A fresh pump latches `A?R`; the first poll shows its prompt again.
        wait_until(lambda: out.getvalue().count("\n") >= 2, timeout_s=15)
    finally:
        stop.set()
        runner.join(timeout=15)

    assert codes == [0]
    raised, ended = (json.loads(line) for line in out.getvalue().splitlines()[:2])
    assert (raised["chair"], raised["condition"], raised["kind"], raised["priority"]) == (
        "C1", "pump_reset", "raised", "medium")
    assert raised["detail"] == "pump status A?R"
    assert ended["kind"] == "condition_ended"
    assert f"monitoring C1 on {sim.ports[0].port}" in err.getvalue()
    engine = migrated(sqlite_file)
    sessions: sessionmaker[Session] = make_sessionmaker(engine)
    assert [a.code for a in stored_alarms(sessions)] == ["pump_reset"]
    engine.dispose()


def test_a_port_without_a_pump_is_a_lost_link_and_the_command_ends_after_its_duration(
        tmp_path: Path) -> None:
    # No pump on this port: the link is lost at once, which is an alarm, not a failure.
    out = io.StringIO()
    code = run_monitor([str(tmp_path / "no-such-port")], f"sqlite:///{tmp_path / 's.db'}",
                       0.5, settings=FAST, out=out, err=io.StringIO())
    assert code == 0
    first = json.loads(out.getvalue().splitlines()[0])
    assert (first["chair"], first["condition"], first["kind"]) == (
        "chair-1", "link_lost", "raised")


@pytest.mark.parametrize(("ports", "db_url", "message"), [
    ([], None, "give at least one pump port"),
    (["C1=/dev/a", "C1=/dev/b"], None, "each chair label may appear once"),
    (["/dev/a"], "nosuchdriver://x", "infusion-station monitor:"),
])
def test_bad_arguments_or_database_exit_2_with_a_message(
        ports: list[str], db_url: str | None, message: str) -> None:
    err = io.StringIO()
    assert run_monitor(ports, db_url, 0.1, out=io.StringIO(), err=err) == 2
    assert message in err.getvalue()


def test_ports_may_carry_a_chair_label() -> None:
    assert parse_endpoints(["C3=/dev/ttyUSB0", "socket://127.0.0.1:4000?x=y", "/dev/pts/4"]) == [
        PumpEndpoint("C3", "/dev/ttyUSB0"),
        PumpEndpoint("chair-2", "socket://127.0.0.1:4000?x=y"),
        PumpEndpoint("chair-3", "/dev/pts/4"),
    ]
