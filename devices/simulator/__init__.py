"""Pump simulator: New Era pumps on pseudo-terminals, with a line/patient model and faults.

Qt-free. `pump-sim` (cli.py) serves pumps; `simulate_trace` (corpus.py) runs the same
model offline, faster than real time. See docs/simulator.md.
"""

from devices.simulator.clock import Clock, ManualClock, ScaledClock
from devices.simulator.corpus import simulate_trace
from devices.simulator.faults import Fault, FaultError, FaultKind, TimedFault
from devices.simulator.mechanics import PumpSettings
from devices.simulator.physics import LineParams
from devices.simulator.pump import SimulatedPump
from devices.simulator.trace import TraceRow, TraceWriter

__all__ = [
    "Clock",
    "Fault",
    "FaultError",
    "FaultKind",
    "LineParams",
    "ManualClock",
    "PumpSettings",
    "ScaledClock",
    "SimulatedPump",
    "TimedFault",
    "TraceRow",
    "TraceWriter",
    "simulate_trace",
]
