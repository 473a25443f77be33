"""Runs `pump-sim` as its own process and reads the ports it announces.

    with SimulatorProcess(pumps=2, speed=50, seed=1) as sim:
        port = sim.open_serial(1)
        ...
    assert sim.returncode == 0

The process prints one JSON line per pump when its port is ready; `start()` reads them.
`stop()` sends SIGTERM and waits: a clean simulator exits with 0. The demo and the
tests both start the simulator through this class.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import serial

from devices.simulator.control import request

BAUD = 19200
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PumpPort:
    """What the simulator announced for one pump."""

    pump: int
    port: str
    address: int
    serial: str
    control: Path
    url: str | None = None

    @classmethod
    def from_json(cls, info: dict[str, Any]) -> PumpPort:
        return cls(
            pump=info["pump"],
            port=info["port"],
            address=info["address"],
            serial=info["serial"],
            control=Path(info["control"]),
            url=info.get("url"),
        )


class SimulatorProcess:
    """A simulator subprocess: start, announced ports, control requests, clean stop."""

    def __init__(
        self,
        pumps: int = 1,
        speed: float = 1.0,
        seed: int = 0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.args = [
            sys.executable, "-m", "devices.simulator",
            "--pumps", str(pumps), "--speed", str(speed), "--seed", str(seed), *extra_args,
        ]
        self.count = pumps
        self.ports: list[PumpPort] = []
        self.returncode: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._opened: list[serial.SerialBase] = []
        self._out = bytearray()
        self._stderr_text = ""

    def start(self, timeout_s: float = 15.0) -> list[PumpPort]:
        # The package may run from a checkout that is not installed: keep it importable.
        path = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "PYTHONPATH": path}
        # Its own session: a Ctrl-C at the terminal reaches the demo, which stops the
        # simulator in order, instead of killing both at once.
        self._process = subprocess.Popen(
            self.args,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            start_new_session=True,
        )
        try:
            self.ports = [
                PumpPort.from_json(self.read_event(timeout_s)) for _ in range(self.count)
            ]
        except BaseException:
            with contextlib.suppress(Exception):
                self.stop(signal.SIGKILL, timeout_s=5.0)
            raise
        return self.ports

    def read_event(self, timeout_s: float = 5.0) -> dict[str, Any]:
        """The next JSON line on the simulator's stdout."""
        process = self._running()
        assert process.stdout is not None
        fd = process.stdout.fileno()  # read the fd ourselves: select and buffering disagree
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._out:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0.0))
            if not ready:
                raise TimeoutError(f"no line from the simulator in {timeout_s} s: {self.stderr()}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError(f"the simulator exited: {self.stderr()}")
            self._out.extend(chunk)
        line, _, rest = bytes(self._out).partition(b"\n")
        self._out[:] = rest
        info: dict[str, Any] = json.loads(line)
        return info

    def open_serial(self, pump: int = 1, timeout_s: float = 2.0) -> serial.SerialBase:
        """Open a pump's pty (or `url`) the way host software does, with pyserial."""
        port = self.ports[pump - 1].port
        link = serial.serial_for_url(port, baudrate=BAUD, timeout=timeout_s)
        link.reset_input_buffer()
        self._opened.append(link)
        return link

    def control(self, **message: Any) -> dict[str, Any]:
        """Send one request to the control socket and return the reply."""
        return request(self.ports[0].control, message)

    def stderr(self) -> str:
        """The end of what the simulator wrote on stderr (kept after `stop`)."""
        if not self._stderr.closed:
            self._stderr.seek(0)
            self._stderr_text = self._stderr.read().decode(errors="replace")[-4000:]
        return self._stderr_text

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout_s: float = 10.0) -> int:
        """Signal the simulator, wait for it, return its exit code."""
        for link in self._opened:
            link.close()
        self._opened.clear()
        process = self._running()
        process.send_signal(sig)
        try:
            self.returncode = process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()
            self.stderr()
            self._stderr.close()
            self._process = None
        return self.returncode

    @property
    def pid(self) -> int:
        """The simulator's process id (benchmarks read its CPU time from /proc)."""
        return self._running().pid

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError("the simulator is not running")
        return self._process

    def __enter__(self) -> SimulatorProcess:
        if self._process is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        if exc_type is None:
            self.stop()
        else:  # the test failed: do not hide its error behind a second one
            with contextlib.suppress(Exception):
                self.stop(timeout_s=5.0)
