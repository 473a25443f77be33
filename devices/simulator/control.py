"""The control socket: JSON lines over a local Unix socket, one reply line per request.

Requests (`pump` is a pump number from 1; absent or null means every pump):

    {"op": "status", "pump": 1}
    {"op": "inject", "pump": 1, "fault": "occlusion", "params": {"severity": 1}, "duration_s": 60}
    {"op": "clear", "pump": 1, "fault": "occlusion"}      (no "fault": clear them all)
    {"op": "set", "pump": 1, "values": {"site_height_cm": 20, "occlusion_limit_mmhg": 400}}
    {"op": "power_cycle", "pump": 1, "off_s": 5}
    {"op": "pull_cable", "pump": 1, "mode": "silent"}    {"op": "plug_cable", "pump": 1}
    {"op": "keypad", "pump": 1, "command": "RAT150MH"}   (one command; any link)
    {"op": "ports"}     {"op": "faults"}
    {"op": "keypad", "pump": 1, "keys": ["RAT 50 MH", "RUN"]}   (a person at the pump's keys)
    {"op": "speed", "speed": 10}
    {"op": "scenario", "action": "load", "path": "..."}   (or "text" and "format": "toml")
    {"op": "scenario", "action": "start", "stand_in": false}   pause | resume | stop
    {"op": "scenario", "action": "status", "since": 0}   (the steps fired from index `since`)
    {"op": "record", "action": "start", "dir": "..."}     {"op": "record", "action": "stop"}

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
from devices.simulator.fleet import Fleet, keypad_refusals
from devices.simulator.run_control import RunControl
from devices.simulator.scenario import ScenarioError, load_scenario_file, parse_text
from devices.simulator.scenario_step import keypad_keys
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
    fleet: Fleet, request: object, ports: Callable[[], list[dict[str, Any]]],
    run: RunControl | None = None,
) -> dict[str, Any]:
    """Carry out one decoded request; never raises for a bad request."""
    if not isinstance(request, dict):
        return {"ok": False, "error": "a request is a JSON object"}
    op = request.get("op")
    try:
        if op in ("speed", "scenario", "record"):
            if run is None:
                return {"ok": False, "error": f"{op} is not available in this simulator"}
            return {"ok": True, **_run_request(run, op, request)}
        reply = _pump_request(fleet, request, ports)
    except FaultError as exc:
        return {"ok": False, "error": str(exc)}
    if run is not None and op in _RECORDED and reply.get("ok"):
        run.note(_as_step(request))
    return reply


_RECORDED = frozenset({"inject", "clear", "set", "power_cycle", "pull_cable", "plug_cable",
                       "keypad"})


def _as_step(request: dict[str, Any]) -> dict[str, Any]:
    """A trainer's request as a scenario step (without its time)."""
    op, pump = request["op"], request.get("pump")
    if op == "inject":
        return {"pump": pump, "inject": request.get("fault"), "params": request.get("params"),
                "duration_s": request.get("duration_s")}
    if op == "clear":
        return {"pump": pump, "clear": request.get("fault") or "all"}
    if op == "set":
        return {"pump": pump, "set": request.get("values")}
    if op == "power_cycle":
        return {"pump": pump, "inject": "power_cycle",
                "params": {"off_s": request.get("off_s", 0.0)}}
    if op == "pull_cable":
        return {"pump": pump, "inject": "pulled_cable",
                "params": {"mode": request.get("mode", "silent")}}
    if op == "keypad":
        return {"pump": pump, "keypad": _keypad_request(request)}
    return {"pump": pump, "clear": "pulled_cable"}


def _keypad_request(request: dict[str, Any]) -> object:
    """The keys of a keypad request: "keys" (a list) or "command" (one, as text)."""
    return request.get("keys") if "keys" in request else [request.get("command")]


def _run_request(run: RunControl, op: str, request: dict[str, Any]) -> dict[str, Any]:
    action = request.get("action")
    if op == "speed":
        run.set_speed(request.get("speed"))
        return run.status(since=1 << 30)
    if op == "record":
        if action == "start":
            run.start_recording(Path(str(request.get("dir"))))
            return {}
        if action == "stop":
            return {"files": run.stop_recording()}
        raise FaultError(f"record action is start or stop, got {action!r}")
    if action == "load":
        try:
            if "text" in request:
                scenario = parse_text(str(request["text"]), str(request.get("name", "scenario")),
                                      json_format=request.get("format") == "json")
            else:
                scenario = load_scenario_file(Path(str(request.get("path"))))
        except ScenarioError as exc:
            raise FaultError(str(exc)) from None
        run.load(scenario)
    elif action == "start":
        run.start(stand_in=request.get("stand_in") is True)
    elif action == "pause":
        run.pause()
    elif action == "resume":
        run.resume()
    elif action == "stop":
        run.stop()
    elif action != "status":
        raise FaultError(f"scenario action is load, start, pause, resume, stop or status, "
                         f"got {action!r}")
    since = request.get("since", 0)
    return run.status(since if isinstance(since, int) and not isinstance(since, bool) else 0)


def _pump_request(
    fleet: Fleet, request: dict[str, Any], ports: Callable[[], list[dict[str, Any]]]
) -> dict[str, Any]:
    op, pump = request.get("op"), request.get("pump")
    if op == "status":
        return {"ok": True, "pumps": fleet.status(pump)}
    if op == "ports":
        return {"ok": True, "pumps": ports()}
    if op == "faults":
        return {"ok": True, "faults": fault_catalogue()}
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
    elif op == "keypad":
        replies = fleet.key_in(pump, keypad_keys(_keypad_request(request)))
        refused = keypad_refusals(replies)
        if refused:
            return {"ok": False, "error": "; ".join(refused)}
        return {"ok": True, "replies": [reply.to_text() for _, _, reply in replies]}
    else:
        known = ("status ports faults inject clear set power_cycle pull_cable plug_cable "
                 "speed scenario record")
        return {"ok": False, "error": f"unknown op {op!r}; known: {known}"}
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

    def __init__(self, path: Path, fleet: Fleet, server: Server,
                 run: RunControl | None = None) -> None:
        self.path = path
        self._fleet = fleet
        self._server = server
        self._run = run
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
            reply = handle_request(self._fleet, request, self._ports, self._run)
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


def read_clock(path: Path, timeout_s: float = 2.0) -> tuple[float, float]:
    """The running simulator's time (simulated seconds) and speed, from its control socket
    (a training station's clock follows it: station/training/simulated_time.py)."""
    # `since` past any step: the reply carries the clock, not the fired steps.
    reply = request(path, {"op": "scenario", "action": "status", "since": 1 << 30}, timeout_s)
    if "time_s" not in reply or "speed" not in reply:
        raise ConnectionError(f"the simulator did not say its time: {reply!r:.200}")
    return float(reply["time_s"]), float(reply["speed"])
