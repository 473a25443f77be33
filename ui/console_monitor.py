"""The demo's console monitor: simulated pumps, driven and watched live in a terminal.

`make demo` starts `pump-sim`, connects a driver to each pump over its pty, programs
a demo infusion on each, and prints every pump's live state once a second. It stands
in for the chairside window until that exists.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from devices.driver import (
    DriverEvent,
    LinkState,
    LinkStateChanged,
    PumpAlarm,
    PumpIdentified,
    PumpPoller,
    Sample,
    serial_transport_factory,
)
from devices.simulator.process import SimulatorProcess

# (drug, rate mL/h, volume mL): first steps of the library's protocols.
DEMO_INFUSIONS = (
    ("infliximab", 20.0, 250.0),
    ("ocrelizumab", 30.0, 250.0),
    ("vedolizumab", 500.0, 250.0),
    ("IVIG", 60.0, 200.0),
)
MAX_DEMO_PUMPS = 16


@dataclass
class PumpView:
    """What the console shows for one pump, folded from the driver's events."""

    pump_id: str
    port: str
    drug: str
    link: LinkState = LinkState.CONNECTING
    model: str = ""
    status: str = "-"
    rate_ml_h: float | None = None
    volume_ml: float | None = None
    pressure_mmhg: float | None = None
    pressure_available: bool = True
    alarms: list[str] = field(default_factory=list)
    programmed: bool = False

    def apply(self, event: DriverEvent) -> None:
        if isinstance(event, Sample):
            self.status = event.status.name.lower().replace("_", " ")
            self.rate_ml_h = event.rate_ml_h
            self.volume_ml = event.volume_ml
            self.pressure_mmhg = event.pressure_mmhg
        elif isinstance(event, LinkStateChanged):
            self.link = event.new
        elif isinstance(event, PumpIdentified):
            self.model = f"{event.info.model} {event.info.firmware}"
            self.pressure_available = event.info.extension
        elif isinstance(event, PumpAlarm):
            self.alarms = [*self.alarms[-2:], f"A?{event.code.value}"]

    def row(self) -> str:
        def number(value: float | None, unit: str) -> str:
            return "-" if value is None else f"{value:8.2f} {unit}"

        if not self.pressure_available:
            pressure = "not reported by this pump"
        else:
            pressure = number(self.pressure_mmhg, "mmHg")
        alarms = ",".join(self.alarms) or "-"
        return (
            f"{self.pump_id:<7} {self.drug:<12} {self.link.value:<10} {self.status:<10} "
            f"{number(self.rate_ml_h, 'mL/h'):>14} {number(self.volume_ml, 'mL'):>12} "
            f"{pressure:>14}  {alarms}"
        )


HEADER = (
    f"{'pump':<7} {'drug':<12} {'link':<10} {'status':<10} {'rate':>14} {'volume':>12} "
    f"{'pressure':>14}  alarms"
)


class ConsoleMonitor:
    """Drains the drivers' event queue into `PumpView`s and prints them periodically."""

    def __init__(
        self,
        views: dict[str, PumpView],
        pollers: dict[str, PumpPoller],
        events: queue.SimpleQueue[DriverEvent],
        out: TextIO,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._views = views
        self._pollers = pollers
        self._events = events
        self._out = out
        self._clock = clock

    def run(self, duration_s: float | None, print_every_s: float = 1.0) -> None:
        """Run until `duration_s` has passed (forever if None) or Ctrl-C."""
        end = None if duration_s is None else self._clock() + duration_s
        next_print = self._clock() + print_every_s
        while end is None or self._clock() < end:
            wait = max(0.0, next_print - self._clock())
            with contextlib.suppress(queue.Empty):
                self._handle(self._events.get(timeout=wait))
            if self._clock() >= next_print:
                self.print_table()
                next_print += print_every_s

    def print_table(self) -> None:
        lines = [HEADER, *(view.row() for view in self._views.values()), ""]
        self._out.write("\n".join(lines) + "\n")
        self._out.flush()

    def _handle(self, event: DriverEvent) -> None:
        view = self._views[event.pump_id]
        view.apply(event)
        if isinstance(event, PumpIdentified) and not view.programmed:
            view.programmed = True
            self._program(event.pump_id, view)

    def _program(self, pump_id: str, view: PumpView) -> None:
        # The poller runs these on its own thread, in order; nothing blocks here.
        _drug, rate, volume = _infusion_for(pump_id)
        poller = self._pollers[pump_id]
        poller.set_volume(volume)
        poller.set_rate(rate)
        poller.run()


def _infusion_for(pump_id: str) -> tuple[str, float, float]:
    index = int(pump_id.removeprefix("pump")) - 1
    return DEMO_INFUSIONS[index % len(DEMO_INFUSIONS)]


def run_demo(
    pumps: int = 4,
    speed: float = 1.0,
    seed: int = 1,
    duration: float | None = None,
    out: TextIO | None = None,
) -> int:
    """Start simulated pumps and watch them; returns the exit status."""
    stream = out or sys.stdout
    if not 1 <= pumps <= MAX_DEMO_PUMPS:
        print(f"infusion-station demo: --pumps must be 1-{MAX_DEMO_PUMPS}", file=sys.stderr)
        return 2
    print("TRAINING - simulated pumps, no patient data", file=stream)
    with SimulatorProcess(pumps=pumps, speed=speed, seed=seed) as simulator:
        events: queue.SimpleQueue[DriverEvent] = queue.SimpleQueue()
        views: dict[str, PumpView] = {}
        pollers: dict[str, PumpPoller] = {}
        for port in simulator.ports:
            pump_id = f"pump{port.pump}"
            views[pump_id] = PumpView(pump_id, port.port, _infusion_for(pump_id)[0])
            pollers[pump_id] = PumpPoller(pump_id, serial_transport_factory(port.port), events.put)
            print(f"{pump_id}: simulated pump on {port.port}", file=stream)
        for poller in pollers.values():
            poller.start()
        try:
            ConsoleMonitor(views, pollers, events, stream).run(duration)
        except KeyboardInterrupt:
            print("stopping", file=stream)
        finally:
            for poller in pollers.values():
                poller.close()
    return 0
