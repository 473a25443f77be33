"""No patient name, MRN or date of birth reaches a log file, even at DEBUG.

Runs a services visit (with a refusal and a storage error logged the way the UI's
worker logs it) and the monitoring service against the simulator (samples, a stall
alarm, its reset), with the root logger at DEBUG writing to a file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.domain.pauses import PauseReason
from station.domain.refusals import Accepted
from station.persistence import Records, StorageError
from station.persistence.people import Patient
from station.services import load_library
from tests.monitoring.conftest import simulator, watch
from tests.monitoring.test_with_simulator import Sim, Watch, check_stall
from tests.services.world import seed_world, start_running

__all__ = ["simulator", "watch"]
# What the seeded records hold: tests/services/world.py and tests/monitoring/world.py.
PATIENT_DATA = [r"\bRoe\b", r"\bSam\b", r"MRN-1\b", r"1975-01-02", r"1975, 1, 2",
                r"\bDoe\b", r"\bJane\b", r"MRN-0001", r"1980-"]


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "station.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


def _leaks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    assert text, "nothing was logged: the test would prove nothing"
    return [f"{pattern}: {line.strip()[:160]}" for line in text.splitlines()
            for pattern in PATIENT_DATA if re.search(pattern, line)]


def test_a_visit_with_a_refusal_and_a_storage_error(
        debug_log: Path, sessions: sessionmaker[Session]) -> None:
    world = seed_world(sessions, load_library())
    infusion_id = start_running(world)
    world.clock.advance(minutes=20)
    paused = world.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK, at=world.clock.now)
    assert isinstance(paused, Accepted)
    again = world.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK, at=world.clock.now)
    assert not isinstance(again, Accepted)  # refused: already paused
    stored = Records(sessions).patient_by_mrn(world.mrn)
    assert stored is not None
    try:  # a second patient with the same MRN: the database refuses it
        Records(sessions).add(Patient(mrn=stored.mrn, family_name=stored.family_name,
                                      given_name=stored.given_name,
                                      date_of_birth=stored.date_of_birth))
    except StorageError as exc:
        # As ui/workflows/service_runner.py logs a failed worker call (with traceback).
        logging.getLogger("ui.workflows.service_runner").error(
            "worker call failed while trying to %s", "add a patient", exc_info=exc)
    else:
        pytest.fail("the duplicate MRN was stored")
    assert _leaks(debug_log) == []


def test_monitoring_against_the_simulator(debug_log: Path, simulator: Sim, watch: Watch,
                                          sessions: sessionmaker[Session]) -> None:
    check_stall(simulator, watch, sessions)
    assert _leaks(debug_log) == []
