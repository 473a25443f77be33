"""The fast pressure read (`DriverConfig.pressure_interval_s`) against the simulator on a pty.

Between two full polls the poller reads `XPR` alone and sends `PressureReading`s;
without the setting it sends none. Counts are lower bounds (the machine may be slow),
never exact figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.driver.config import DriverConfig
from devices.driver.types import PressureReading, Sample
from devices.protocol import Prompt
from tests.driver.simrig import Rig


@pytest.fixture
def rigs(tmp_path: Path) -> Iterator[list[Rig]]:
    made: list[Rig] = []
    yield made
    for one in made:
        one.close()


def readings_between_two_samples(one: Rig) -> list[PressureReading]:
    one.wait_for(lambda e: isinstance(e, Sample) and e.status is Prompt.INFUSING)
    start = len(one.seen)
    one.wait_for(lambda e: isinstance(e, Sample))
    return [e for e in one.seen[start:] if isinstance(e, PressureReading)]


def infusing(rigs: list[Rig], tmp_path: Path, **config: float) -> Rig:
    one = Rig(tmp_path, poll_interval_s=1.0, link_timeout_s=3.0, **config)
    rigs.append(one)
    one.start()
    assert one.poller.set_rate(150).result(timeout=5) == 150.0
    assert one.poller.run().result(timeout=5) is Prompt.INFUSING
    return one


def test_pressure_is_read_between_full_polls(rigs: list[Rig], tmp_path: Path) -> None:
    one = infusing(rigs, tmp_path, pressure_interval_s=0.1)
    reads = readings_between_two_samples(one)
    assert len(reads) >= 3  # 9 on an idle machine
    assert all(r.status is Prompt.INFUSING for r in reads)
    assert len({r.pressure_mmhg for r in reads}) > 1  # the line's noise: read, not held
    times = [r.at.monotonic for r in reads]
    assert times == sorted(times)


def test_no_pressure_reads_unless_configured(rigs: list[Rig], tmp_path: Path) -> None:
    one = infusing(rigs, tmp_path)
    assert readings_between_two_samples(one) == []


def test_the_pressure_interval_must_be_under_the_poll() -> None:
    with pytest.raises(ValueError, match="pressure interval"):
        DriverConfig(poll_interval_s=1.0, pressure_interval_s=1.0)
    with pytest.raises(ValueError, match="pressure interval"):
        DriverConfig(pressure_interval_s=0.0)
