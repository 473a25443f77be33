"""The console's link to one simulator: its process (when the console started it) and
its control socket, always off the GUI thread.

Every control request and the simulator's start and stop run on one worker
(`ServiceRunner`); replies come back to the GUI thread by queued signals. A poll timer
asks for the pumps' state and the scenario's every `POLL_MS`, one poll at a time.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from devices.simulator.control import request
from devices.simulator.process import SimulatorProcess
from ui.workflows.service_runner import ServiceRunner

log = logging.getLogger(__name__)
POLL_MS = 250
Reply = dict[str, Any]


def ask(control: Path, message: Reply) -> Reply:
    """One control request; a simulator that cannot be reached is a refused reply."""
    try:
        return request(control, message, timeout_s=5.0)
    except (OSError, ConnectionError, ValueError) as exc:
        return {"ok": False, "error": f"the simulator cannot be reached ({exc})"}


class SimulatorLink(QObject):
    """Start or attach to a simulator, send it requests, poll its state.

    Signals (GUI thread): `connected(ports)`, `disconnected()`, `polled(pumps, scenario)`
    with the replies of `status` and `scenario status`, `refused(text)` for any request
    the simulator refused or could not take.
    """

    connected = Signal(list)
    disconnected = Signal()
    polled = Signal(list, dict)
    refused = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = ServiceRunner(self)
        self.control: Path | None = None
        self.ports: list[Reply] = []
        self._process: SimulatorProcess | None = None
        self._starting: SimulatorProcess | None = None
        self._polling = False
        self._fired = 0
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    @property
    def owns_process(self) -> bool:
        return self._process is not None

    # -- life cycle ---------------------------------------------------------------------

    def start_simulator(self, pumps: int, speed: float, seed: int,
                        extra_args: Sequence[str] = ()) -> None:
        """Start `pump-sim` with `pumps` pumps (on the worker: it waits for the ports)."""
        process = SimulatorProcess(pumps=pumps, speed=speed, seed=seed, extra_args=extra_args)
        self._starting = process

        def start() -> list[Reply]:
            process.start()
            return [ask(process.ports[0].control, {"op": "ports"})]

        def started(replies: list[Reply]) -> None:
            self._process, self._starting = process, None
            self._on_ports(process.ports[0].control, replies[0])

        self.runner.call(start, started, self._failed, doing="start the simulator")

    def attach(self, control: Path) -> None:
        """Use a simulator started elsewhere, by its control socket."""
        self.runner.call(lambda: ask(control, {"op": "ports"}),
                         lambda reply: self._on_ports(control, reply), self._failed,
                         doing="reach the simulator")

    def stop_simulator(self) -> None:
        """Stop polling; stop the process if the console started it."""
        self.timer.stop()
        process, self._process = self._process, None
        self.control, self.ports, self._fired = None, [], 0
        if process is not None:
            self.runner.call(process.stop, lambda _code: None, self._failed,
                             doing="stop the simulator")
        self.disconnected.emit()

    def close(self) -> None:
        """At the window's close: end the worker, then stop our simulator (here: a
        stop queued on the worker would be dropped by the shutdown)."""
        self.timer.stop()
        self.runner.shutdown()
        for process in (self._process, self._starting):
            if process is not None:
                with contextlib.suppress(RuntimeError):  # it never started
                    process.stop()
        self._process = self._starting = None
        self.control, self.ports = None, []

    def _on_ports(self, control: Path, reply: Reply) -> None:
        if not reply.get("ok"):
            self.refused.emit(str(reply.get("error")))
            return
        self.control, self.ports, self._fired = control, list(reply["pumps"]), 0
        self.connected.emit(self.ports)
        self.timer.start()
        self.poll()

    # -- requests -----------------------------------------------------------------------

    def send(self, message: Reply, on_reply: Callable[[Reply], None] | None = None) -> None:
        """Send one request; a refusal goes to `refused`, a success to `on_reply`."""
        control = self.control
        if control is None:
            self.refused.emit("no simulator: start one first")
            return

        def delivered(reply: Reply) -> None:
            if not reply.get("ok"):
                self.refused.emit(str(reply.get("error")))
            elif on_reply is not None:
                on_reply(reply)
            if message.get("op") == "scenario" and message.get("action") in ("load", "start"):
                self._fired = 0  # a new run: its log starts again
            self.poll()

        self.runner.call(lambda: ask(control, message), delivered, self._failed,
                         doing=f"send {message.get('op')} to the simulator")

    def poll(self) -> None:
        control = self.control
        if control is None or self._polling:
            return
        self._polling = True
        since = self._fired

        def both() -> tuple[Reply, Reply]:
            return (ask(control, {"op": "status"}),
                    ask(control, {"op": "scenario", "action": "status", "since": since}))

        self.runner.call(both, self._on_polled, self._poll_failed, doing="read the pumps")

    def _on_polled(self, replies: tuple[Reply, Reply]) -> None:
        self._polling = False
        status, scenario = replies
        if not status.get("ok"):
            self.refused.emit(str(status.get("error")))
            return
        if scenario.get("ok"):
            self._fired = int(scenario.get("fired_count", self._fired))
        self.polled.emit(list(status["pumps"]), scenario if scenario.get("ok") else {})

    def _poll_failed(self, message: str) -> None:
        self._polling = False
        self._failed(message)

    def _failed(self, message: str) -> None:
        log.warning("trainer: %s", message)
        self.refused.emit(message)
