"""Serves simulated pumps on pseudo-terminals (and TCP) from one selector loop.

One thread does everything: reads hosts' bytes, runs the pumps' time-driven parts
every `tick_s` of real time, and serves the control socket, so the pumps' state needs
no locks. No descriptor ever blocks.
"""

from __future__ import annotations

import logging
import selectors
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.simulator.ports import PtyPort, Stream, TcpPort
from devices.simulator.unit import PumpUnit

log = logging.getLogger(__name__)

Announce = Callable[[dict[str, Any]], None]
Callback = Callable[[], None]


@dataclass
class ServedPump:
    """A pump and the ports it is reachable on."""

    unit: PumpUnit
    tcp_port: int | None  # the TCP port number to (re)open, None without TCP
    link_dir: Path | None
    pty: PtyPort | None = None
    tcp: TcpPort | None = None
    tcp_stream: Stream | None = None
    streams: list[Stream] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.pty is not None

    def info(self) -> dict[str, Any]:
        """The JSON line a pump announces: number, pty path, address, and extras."""
        info: dict[str, Any] = {
            "pump": self.unit.number,
            "port": self.pty.path if self.pty else None,
            "address": self.unit.pump.address,
            "serial": self.unit.pump.serial,
        }
        if self.tcp is not None:
            info["url"] = self.tcp.url
        if self.link_dir is not None:
            info["link"] = str(self.link_dir / f"pump{self.unit.number}")
        return info


def _tcp_port(base: int | None, index: int) -> int | None:
    """None: no TCP; base 0: any free port for each pump; else base, base + 1, ..."""
    if base is None:
        return None
    return base + index if base else 0


class Server:
    """Owns the selector, the ports and the tick; `run()` until `stop()`."""

    def __init__(
        self,
        units: list[PumpUnit],
        announce: Announce,
        tcp_base_port: int | None = None,
        link_dir: Path | None = None,
        tick_s: float = 0.01,
    ) -> None:
        if link_dir is not None:
            link_dir.mkdir(parents=True, exist_ok=True)
        self.selector = selectors.DefaultSelector()
        self.pumps = [
            ServedPump(unit, _tcp_port(tcp_base_port, index), link_dir)
            for index, unit in enumerate(units)
        ]
        self._announce = announce
        self._tick_s = tick_s
        self._tickers: list[Callback] = []
        self._stopping = False

    def add_ticker(self, callback: Callback) -> None:
        """Something else to run every tick (scenario, traces)."""
        self._tickers.append(callback)

    def watch(self, fileobj: Any, callback: Callback) -> None:
        """Call `callback` when `fileobj` is readable (the control socket uses this)."""
        self.selector.register(fileobj, selectors.EVENT_READ, callback)

    def unwatch(self, fileobj: Any) -> None:
        self.selector.unregister(fileobj)

    def open(self) -> None:
        for served in self.pumps:
            self._open_ports(served)
            self._announce(served.info())

    def stop(self) -> None:
        """Make `run()` return; safe to call from a signal handler, even before `run()`."""
        self._stopping = True

    def run(self) -> None:
        while not self._stopping:
            for key, _ in self.selector.select(self._tick_s):
                callback: Callback = key.data
                callback()
            self.tick()

    def tick(self) -> None:
        for served in self.pumps:
            self._follow_cable(served)
            served.unit.tick()
        for ticker in self._tickers:
            ticker()

    def close(self) -> None:
        for served in self.pumps:
            self._close_ports(served)
        self.selector.close()

    # --- ports --------------------------------------------------------------------

    def _follow_cable(self, served: ServedPump) -> None:
        """A cable pulled in "close" mode closes the ports; plugged back, they reopen."""
        closed_cable = served.unit.link.pulled == "close"
        if closed_cable and served.is_open:
            log.info("pump %d: cable pulled, ports closed", served.unit.number)
            self._close_ports(served)
        elif not closed_cable and not served.is_open:
            self._open_ports(served)
            self._announce({**served.info(), "event": "reopened"})

    def _open_ports(self, served: ServedPump) -> None:
        served.pty = PtyPort()
        self._attach(served, served.pty.stream)
        if served.link_dir is not None:
            link = served.link_dir / f"pump{served.unit.number}"
            link.unlink(missing_ok=True)
            link.symlink_to(served.pty.path)
        if served.tcp_port is not None:
            served.tcp = TcpPort(served.tcp_port)
            served.tcp_port = served.tcp.port  # reopen on the same number
            tcp = served.tcp
            self.watch(tcp.listener, lambda: self._accept(served, tcp))

    def _close_ports(self, served: ServedPump) -> None:
        for stream in list(served.streams):
            self._detach(served, stream)
        if served.pty is not None:
            served.pty.close()
            served.pty = None
        if served.tcp is not None:
            self.unwatch(served.tcp.listener)
            served.tcp.close()
            served.tcp = None

    def _accept(self, served: ServedPump, tcp: TcpPort) -> None:
        stream = tcp.accept()
        if stream is None:
            return
        if served.tcp_stream is not None:
            self._detach(served, served.tcp_stream)  # one host at a time: the newest wins
        served.tcp_stream = stream
        self._attach(served, stream)

    def _attach(self, served: ServedPump, stream: Stream) -> None:
        served.streams.append(stream)
        served.unit.attach(stream)
        self.watch(stream, lambda: self._read(served, stream))

    def _detach(self, served: ServedPump, stream: Stream) -> None:
        self.unwatch(stream)
        served.unit.detach(stream)
        served.streams.remove(stream)
        if stream is served.tcp_stream:
            served.tcp_stream = None
        if served.pty is None or stream is not served.pty.stream:
            stream.close()

    def _read(self, served: ServedPump, stream: Stream) -> None:
        data = stream.read()
        if data is None:
            return
        if not data:
            # A TCP host went away. The pty master never reads EOF (we hold the slave
            # open); if it ever did, we would stop watching it rather than spin.
            self._detach(served, stream)
            return
        served.unit.receive(stream, data)
