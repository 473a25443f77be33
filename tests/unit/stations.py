"""`infusion-station monitor` as its own process, with its JSON lines collected."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.simulator_process import REPO_ROOT

CLI = Path(sys.executable).parent / "infusion-station"


class StationProcess:
    """One station: `monitor --db URL --allow-simulated-pumps LABEL=PORT...` with
    INFUSION_STATION_NAME=name (the engineering setting: a normal station on pump-sim)."""

    def __init__(self, name: str, db_url: str, ports: dict[str, str]) -> None:
        self.name = name
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "INFUSION_STATION_NAME": name,
               "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT),
                                                         os.environ.get("PYTHONPATH")) if p)}
        self.process = subprocess.Popen(
            [str(CLI), "monitor", "--db", db_url, "--allow-simulated-pumps",
             *(f"{k}={v}" for k, v in ports.items())],
            stdout=subprocess.PIPE, stderr=self._log, env=env, text=True)
        self.lines: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name=f"{name}-out", daemon=True)
        self._reader.start()
        self.stderr = ""

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(json.loads(line))
        self._queue.put(None)

    def wait_for(self, match: Callable[[dict[str, Any]], bool],
                 timeout_s: float = 30.0) -> dict[str, Any]:
        """The first printed transition that matches, already read or to come (I/O wait)."""
        for seen in self.lines:
            if match(seen):
                return seen
        while True:
            try:
                line = self._queue.get(timeout=timeout_s)
            except queue.Empty:
                raise TimeoutError(f"{self.name}: nothing matching in {timeout_s} s; "
                                   f"printed {self.lines[-5:]}; log: {self.log()[-3000:]}"
                                   ) from None
            if line is None:
                raise RuntimeError(f"{self.name} ended: {self.log()[-3000:]}")
            self.lines.append(line)
            if match(line):
                return line

    def log(self) -> str:
        """What the station wrote on stderr so far."""
        self._log.flush()
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> int:
        """SIGTERM: the station stores what it holds and ends."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(5)
        while (line := self._queue.get_nowait() if not self._queue.empty() else None):
            self.lines.append(line)
        self.stderr = self.log()
        self._log.close()
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code


def raised(chair: str, condition: str, kind: str = "raised") -> Callable[[dict[str, Any]], bool]:
    return lambda line: (line["chair"], line["condition"], line["kind"]) == (
        chair, condition, kind)
