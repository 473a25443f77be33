"""The pump driver: New Era RS-232 pumps (and our simulator) over any pyserial URL.

Qt-free. `PumpPoller` runs one pump on a worker thread and is what the station uses;
`probe`/`run_probe` are the set-up tool behind `infusion-station probe PORT`. See
docs/driver.md.
"""

from devices.driver.clock import Clock, SystemClock
from devices.driver.config import DriverConfig
from devices.driver.errors import (
    CommandNotConfirmedError,
    CommandRefusedError,
    DriverError,
    InvalidReplyError,
    LinkDownError,
    NoReplyError,
    NotANewEraPumpError,
    PortBusyError,
    PortNotFoundError,
    PortOpenError,
    PortPermissionError,
    PumpAlarmError,
    TransportError,
)
from devices.driver.poller import EventSink, PumpPoller
from devices.driver.probe import ProbeOutcome, ProbeResult, format_probe, probe, run_probe
from devices.driver.pump_driver import PumpDriver
from devices.driver.reconnect import Backoff
from devices.driver.session import PumpSession, SessionTiming
from devices.driver.transport import (
    SerialTransport,
    Transport,
    TransportFactory,
    serial_transport_factory,
)
from devices.driver.types import (
    AlarmSource,
    DriverEvent,
    LinkState,
    LinkStateChanged,
    PressureReading,
    PumpAlarm,
    PumpIdentified,
    PumpInfo,
    Sample,
    Stamp,
)

__all__ = [
    "AlarmSource",
    "Backoff",
    "Clock",
    "CommandNotConfirmedError",
    "CommandRefusedError",
    "DriverConfig",
    "DriverError",
    "DriverEvent",
    "EventSink",
    "InvalidReplyError",
    "LinkDownError",
    "LinkState",
    "LinkStateChanged",
    "NoReplyError",
    "NotANewEraPumpError",
    "PortBusyError",
    "PortNotFoundError",
    "PortOpenError",
    "PortPermissionError",
    "PressureReading",
    "ProbeOutcome",
    "ProbeResult",
    "PumpAlarm",
    "PumpAlarmError",
    "PumpDriver",
    "PumpIdentified",
    "PumpInfo",
    "PumpPoller",
    "PumpSession",
    "Sample",
    "SerialTransport",
    "SessionTiming",
    "Stamp",
    "SystemClock",
    "Transport",
    "TransportError",
    "TransportFactory",
    "format_probe",
    "probe",
    "run_probe",
    "serial_transport_factory",
]
