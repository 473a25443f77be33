"""SIGKILL of the headless station mid-infusion, and its restart: everything comes back.

The station (monitoring service + services, `station_child.py`) runs in its own process
on a real SQLite file against `pump-sim` on a pty. It starts an infusion, confirms a
titration step, sees a latched alarm (air in line, gone again) and an acknowledged one
(low battery, still there), pauses for a bathroom break, and is killed. A second
process on the same file must show the same chair, infusion, open pause (its original
start), titration schedule and alarms, reconnected to the pump, with every record the
first one had stored.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.simulator_process import REPO_ROOT, SimulatorProcess, wait_until

START = "2026-11-24T08:30:00+00:00"


class StationProcess:
    """One run of the station child: JSON lines in and out, read on a thread."""

    def __init__(self, db_url: str, port: str, clock_iso: str, log: Path) -> None:
        self.log = log
        self._log_file = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.station_child", db_url, port, clock_iso],
            cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log_file, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def wait_for(self, match: Callable[[dict[str, Any]], bool],
                 timeout_s: float = 30.0) -> dict[str, Any]:
        while True:
            try:
                line = self.lines.get(timeout=timeout_s)
            except queue.Empty:
                raise TimeoutError(f"nothing matching in {timeout_s} s; seen {self.seen[-5:]}; "
                                   f"stderr: {self.log.read_text()[-2000:]}") from None
            self.seen.append(line)
            if match(line):
                return line

    def transition(self, condition: str, kind: str) -> dict[str, Any]:
        return self.wait_for(lambda m: m.get("transition") == condition and m["kind"] == kind)

    def do(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        return self.wait_for(lambda m: m.get("done") == op)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close()

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # end of commands: an orderly stop
        assert self.proc.wait(timeout=30) == 0, self.log.read_text()[-2000:]
        self._close()

    def _close(self) -> None:
        self._reader.join(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self._log_file):
            if stream is not None and not stream.closed:
                stream.close()


@pytest.fixture
def stations() -> Iterator[list[StationProcess]]:
    started: list[StationProcess] = []
    yield started
    for station in started:
        if station.proc.poll() is None:
            station.kill()


def state_when_up(station: StationProcess) -> dict[str, Any]:
    def up() -> dict[str, Any] | None:
        state = station.do("state")
        return state if state["link"] == "up" and state["chair_infusion"] else None
    found: dict[str, Any] = wait_until(up, timeout_s=30, poll_s=0.2)
    return found


def test_sigkill_mid_infusion_then_restart_brings_everything_back(
        tmp_path: Path, stations: list[StationProcess]) -> None:
    db_url = f"sqlite:///{tmp_path / 'station.sqlite'}"
    with SimulatorProcess(speed=1.0) as sim:
        port = sim.ports[0].port
        first = StationProcess(db_url, port, START, tmp_path / "first.log")
        stations.append(first)
        first.do("seed")
        first.do("start")
        state_when_up(first)
        first.do("titrate")
        # A latched alarm whose condition has ended, and an acknowledged one that lasts.
        sim.control(op="inject", pump=1, fault="air_in_line")
        first.transition("air_in_line", "raised")
        sim.control(op="clear", pump=1, fault="air_in_line")
        first.transition("air_in_line", "condition_ended")
        sim.control(op="inject", pump=1, fault="low_battery",
                    params={"level_percent": 15, "drain_percent_per_h": 0})
        first.transition("low_battery", "raised")
        first.do("ack", condition="low_battery")
        first.do("pause")
        before = first.do("state")
        first.kill()

        second = StationProcess(db_url, port, before["clock"], tmp_path / "second.log")
        stations.append(second)
        after = state_when_up(second)
        after = second.do("state")  # one more sample seen: the sources had their say
        second.stop()

    assert before["pause"] is not None and before["titration"] is not None
    assert before["infusion"][1] == "paused"
    assert ["air_in_line", "latched", True, "high"] in before["alarms"]
    assert ["low_battery", "acknowledged", False, "medium"] in before["alarms"]
    for key in ("pump_serial", "chair_infusion", "alarms", "sound_now", "infusion", "pause",
                "titration", "link"):
        assert after[key] == before[key], key
    for key in ("events", "alarm_rows", "transitions"):
        assert set(before[key]) <= set(after[key]), key
    assert after["alarm_rows"] == before["alarm_rows"]  # restored, not raised again
