"""The control socket: JSON lines over a local Unix socket, one reply line per request.

Requests (`pump` is a pump number from 1; absent or null means every pump):

    {"op": "status", "pump": 1}
    {"op": "inject", "pump": 1, "fault": "occlusion", "params": {"severity": 1}, "duration_s": 60}
    {"op": "clear", "pump": 1, "fault": "occlusion"}      (no "fault": clear them all)
    {"op": "set", "pump": 1, "values": {"site_height_cm": 20, "occlusion_limit_mmhg": 400}}
    {"op": "power_cycle", "pump": 1, "off_s": 5}
    {"op": "pull_cable", "pump": 1, "mode": "silent"}    {"op": "plug_cable", "pump": 1}
    {"op": "keypad", "pump": 1, "command": "RAT150MH"}   (keyed in at the pump, any link)
    {"op": "ports"}     {"op": "faults"}

Replies: {"ok": true, ...} or {"ok": false, "error": "what was wrong"}.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.simulator.faults import PARAMETERS, FaultError, FaultKind, NumberParam
from devices.simulator.fleet import Fleet
from devices.simulator.server import Server

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 65536


def fault_catalogue() -> dict[str, dict[str, Any]]:
    """Every fault and its parameters (default and range, or choices)."""
    catalogue: dict[str, dict[str, Any]] = {}
    for kind in FaultKind:
        catalogue[kind.value] = {
            name: (
                {"default": spec.default, "min": spec.low, "max": spec.high}
                if isinstance(spec, NumberParam)
                else {"choices": list(spec.choices)}
            )
            for name, spec in PARAMETERS[kind].items()
        }
    return catalogue


def handle_request(
    fleet: Fleet, request: object, ports: Callable[[], list[dict[str, Any]]]
) -> dict[str, Any]:
    """Carry out one decoded request; never raises for a bad request."""
    if not isinstance(request, dict):
        return {"ok": False, "error": "a request is a JSON object"}
    op, pump = request.get("op"), request.get("pump")
    try:
        if op == "status":
            return {"ok": True, "pumps": fleet.status(pump)}
        if op == "ports":
            return {"ok": True, "pumps": ports()}
        if op == "faults":
            return {"ok": True, "faults": fault_catalogue()}
        if op == "keypad":
            return {"ok": True, "replies": fleet.keypad(pump, request.get("command"))}
        if op == "inject":
            fleet.inject(pump, request.get("fault"), _table(request, "params"),
                         _duration(request))
        elif op == "clear":
            fleet.clear(pump, request.get("fault"))
        elif op == "set":
            fleet.set_values(pump, _table(request, "values"))
        elif op == "power_cycle":
            fleet.inject(pump, FaultKind.POWER_CYCLE, {"off_s": request.get("off_s", 0.0)})
        elif op == "pull_cable":
            fleet.inject(pump, FaultKind.PULLED_CABLE, {"mode": request.get("mode", "silent")})
        elif op == "plug_cable":
            fleet.clear(pump, FaultKind.PULLED_CABLE)
        else:
            known = ("status ports faults inject clear set power_cycle pull_cable plug_cable "
                     "keypad")
            return {"ok": False, "error": f"unknown op {op!r}; known: {known}"}
    except FaultError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True}


def _table(request: dict[str, Any], key: str) -> dict[str, Any]:
    value = request.get(key) or {}
    if not isinstance(value, dict):
        raise FaultError(f"{key} must be an object, got {value!r}")
    return value


def _duration(request: dict[str, Any]) -> float | None:
    value = request.get("duration_s")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"duration_s must be a number, got {value!r}")
    return float(value)


class ControlServer:
    """Listens on a Unix socket path inside the server's selector loop."""

    def __init__(self, path: Path, fleet: Fleet, server: Server) -> None:
        self.path = path
        self._fleet = fleet
        self._server = server
        path.unlink(missing_ok=True)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen(4)
        self._listener.setblocking(False)
        self._buffers: dict[socket.socket, bytearray] = {}
        server.watch(self._listener, self._accept)

    def _ports(self) -> list[dict[str, Any]]:
        return [served.info() for served in self._server.pumps]

    def _accept(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self._buffers[conn] = bytearray()
        self._server.watch(conn, lambda: self._read(conn))

    def _read(self, conn: socket.socket) -> None:
        try:
            data = conn.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        buffer = self._buffers[conn]
        buffer.extend(data)
        while b"\n" in buffer:
            line, _, rest = bytes(buffer).partition(b"\n")
            buffer[:] = rest
            self._answer(conn, line)
        if not data or len(buffer) > MAX_REQUEST_BYTES:
            self._drop(conn)

    def _answer(self, conn: socket.socket, line: bytes) -> None:
        try:
            request = json.loads(line)
        except ValueError as exc:
            reply: dict[str, Any] = {"ok": False, "error": f"not JSON: {exc}"}
        else:
            reply = handle_request(self._fleet, request, self._ports)
        log.info("control %s -> %s", line[:200], reply.get("error", "ok"))
        try:
            conn.setblocking(True)  # replies are small; the client is reading
            conn.sendall(json.dumps(reply).encode() + b"\n")
            conn.setblocking(False)
        except OSError:
            self._drop(conn)

    def _drop(self, conn: socket.socket) -> None:
        if conn in self._buffers:
            del self._buffers[conn]
            self._server.unwatch(conn)
            conn.close()

    def close(self) -> None:
        for conn in list(self._buffers):
            self._drop(conn)
        self._server.unwatch(self._listener)
        self._listener.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def request(path: Path, message: dict[str, Any], timeout_s: float = 5.0) -> dict[str, Any]:
    """Send one request to a running simulator and return its reply (the client side)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(str(path))
        sock.sendall(json.dumps(message).encode() + b"\n")
        received = bytearray()
        while not received.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("the simulator closed the control connection")
            received.extend(chunk)
    reply = json.loads(received)
    if not isinstance(reply, dict):
        raise ConnectionError(f"unexpected control reply {reply!r}")
    return reply
