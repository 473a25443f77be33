"""`infusion-station probe PORT`: what is on this port, or why we cannot tell.

For the people who set pumps up. The probe never arms the Safe-mode watchdog and never
changes a setting; its status query does acknowledge a latched alarm, and it says so.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from typing import TextIO

from devices.driver.config import DriverConfig
from devices.driver.errors import (
    DriverError,
    InvalidReplyError,
    NoReplyError,
    NotANewEraPumpError,
    PortBusyError,
    PortNotFoundError,
    PortPermissionError,
)
from devices.driver.pump_driver import PumpDriver
from devices.driver.session import PumpSession, SessionTiming
from devices.driver.transport import DEFAULT_BAUDRATE, SerialTransport
from devices.driver.types import DriverEvent, PumpAlarm, PumpInfo, Sample
from devices.protocol import AlarmCode, FrameMode


class ProbeOutcome(enum.IntEnum):
    """What the probe found; the value is the exit status of the command."""

    OK = 0
    ERROR = 1
    NO_SUCH_PORT = 2
    PERMISSION_DENIED = 3
    PORT_BUSY = 4
    NO_REPLY = 5
    NOT_A_NEW_ERA_PUMP = 6


@dataclass(frozen=True)
class ProbeResult:
    """The outcome, a sentence for a person, and what was read when it worked."""

    port: str
    outcome: ProbeOutcome
    message: str
    info: PumpInfo | None = None
    sample: Sample | None = None
    alarms: tuple[PumpAlarm, ...] = ()
    safe_mode: bool | None = None


_ADVICE = {
    ProbeOutcome.NO_SUCH_PORT: "no such port. Check the name and that the adapter is plugged "
    "in (on Linux: ls /dev/ttyUSB* /dev/serial/by-id/).",
    ProbeOutcome.PERMISSION_DENIED: "permission denied. On Linux add the user to the dialout "
    "group (sudo usermod -aG dialout $USER) and log in again.",
    ProbeOutcome.PORT_BUSY: "the port is in use by another program (is the station running?).",
    ProbeOutcome.NO_REPLY: "no reply. Check that the pump is switched on, the cable, the baud "
    "rate (pump default 19200) and the pump address (default 0).",
    ProbeOutcome.NOT_A_NEW_ERA_PUMP: "something answered, but not as a New Era pump does "
    "(another device on this port, or a wrong baud rate).",
}
_SAFE_MODE_NOTE = "Safe (CRC-framed; the pump stops if no host talks to it for its watchdog time)"
_ALARM_MEANING = {
    AlarmCode.RESET: "power was interrupted",
    AlarmCode.STALL: "motor stalled (occlusion)",
    AlarmCode.SAFE_TIMEOUT: "Safe-mode watchdog expired: the pump stopped",
    AlarmCode.PROGRAM_ERROR: "pumping program error",
    AlarmCode.PHASE_OUT_OF_RANGE: "program phase out of range",
}


def probe(url: str, timeout: float = 1.0, *, address: int = 0,
          baudrate: int = DEFAULT_BAUDRATE) -> ProbeResult:
    """Open `url`, identify the pump and read one sample; never raises a DriverError."""
    try:
        transport = SerialTransport.open(url, baudrate=baudrate)
    except DriverError as exc:
        return ProbeResult(url, _outcome_of(exc), str(exc))
    events: list[DriverEvent] = []
    timing = SessionTiming(reply_timeout_s=timeout, retries=1)
    session = PumpSession(transport, address=address, timing=timing)
    config = DriverConfig(address=address, safe_mode_timeout_s=None, timing=timing,
                          link_timeout_s=max(5.0, 2 * timeout))
    driver = PumpDriver(session, pump_id=url, config=config, emit=events.append)
    session.start()
    try:
        info = driver.connect(arm_safe_mode=False)
        sample = driver.poll()
    except DriverError as exc:
        return ProbeResult(url, _outcome_of(exc), str(exc))
    finally:
        session.close()
    alarms = tuple(e for e in events if isinstance(e, PumpAlarm))
    return ProbeResult(url, ProbeOutcome.OK, "ok", info, sample, alarms,
                       safe_mode=session.mode is FrameMode.SAFE)


def _outcome_of(exc: DriverError) -> ProbeOutcome:
    if isinstance(exc, PortNotFoundError):
        return ProbeOutcome.NO_SUCH_PORT
    if isinstance(exc, PortPermissionError):
        return ProbeOutcome.PERMISSION_DENIED
    if isinstance(exc, PortBusyError):
        return ProbeOutcome.PORT_BUSY
    if isinstance(exc, InvalidReplyError | NotANewEraPumpError):
        return ProbeOutcome.NOT_A_NEW_ERA_PUMP
    if isinstance(exc, NoReplyError):
        return ProbeOutcome.NO_REPLY
    return ProbeOutcome.ERROR


def format_probe(result: ProbeResult) -> str:
    """The text the command prints."""
    if result.outcome is not ProbeOutcome.OK or result.info is None or result.sample is None:
        advice = _ADVICE.get(result.outcome, "the probe failed.")
        return f"{result.port}: {advice}\n  detail: {result.message}"
    info, sample = result.info, result.sample
    origin = ""
    if info.is_simulator is not None:
        origin = f" ({'simulator' if info.is_simulator else 'device'} {info.serial_number})"
    pressure = ("not available from this pump (no pressure extension)"
                if sample.pressure_mmhg is None else f"{sample.pressure_mmhg:.1f} mmHg")
    lines = [
        f"Port:      {result.port}",
        f"Model:     {info.model}{origin}",
        f"Firmware:  {info.firmware}",
        f"Status:    {sample.status.name.lower().replace('_', ' ')}",
        f"Rate:      {sample.rate_ml_h:g} mL/h",
        f"Volume:    {sample.volume_ml:g} mL infused",
        f"Pressure:  {pressure}",
        f"Line:      {_conditions_text(sample)}",
        f"Mode:      {_SAFE_MODE_NOTE if result.safe_mode else 'Basic'}",
    ]
    lines += [f"Alarm:     {a.code.value} ({_ALARM_MEANING[a.code]}); acknowledged by this "
              "probe's status query" for a in result.alarms]
    return "\n".join(lines)


def _conditions_text(sample: Sample) -> str:
    if sample.conditions is None:
        return "air-in-line and battery not available from this pump"
    air = "AIR IN LINE" if sample.conditions.air_in_line else "no air in line"
    return f"{air}; battery {sample.conditions.battery_percent} %"


def run_probe(port: str, *, timeout: float = 1.0, out: TextIO | None = None) -> int:
    """Probe `port`, print the result, return the exit status (0 when a pump answered)."""
    result = probe(port, timeout)
    stream = out or (sys.stdout if result.outcome is ProbeOutcome.OK else sys.stderr)
    print(format_probe(result), file=stream)
    return int(result.outcome)
