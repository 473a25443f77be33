"""Typed values the driver delivers: samples, pump alarms, link-state changes.

Every item carries the UTC wall time (for the record) and the monotonic time (for
latencies and ordering) at which the driver saw it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from devices.protocol import AlarmCode, ExtendedConditions, Prompt


@dataclass(frozen=True)
class Stamp:
    """When the driver saw something: UTC wall clock and monotonic clock."""

    utc: datetime
    monotonic: float


class LinkState(enum.StrEnum):
    """State of the link to one pump, as `LinkStateChanged` reports it."""

    DISCONNECTED = "disconnected"  # not started yet
    CONNECTING = "connecting"  # opening the port and running the connection sequence
    UP = "up"  # valid replies arrive
    LOST = "lost"  # no valid reply within the link timeout, or the port failed
    CLOSED = "closed"  # stopped by the caller


class AlarmSource(enum.StrEnum):
    """How the driver learnt of a pump alarm."""

    POLL = "poll"  # the reply to a poll or heartbeat query (that query acknowledged it)
    COMMAND = "command"  # the reply to a caller's command (which was not carried out)
    CONNECT = "connect"  # the reply during the connection sequence (power-up `R`)
    AUTO = "auto"  # the unsolicited Safe-mode auto-alarm packet (not acknowledged)


@dataclass(frozen=True)
class PumpInfo:
    """What the connection sequence learnt about the pump."""

    model: str  # "NE1000"
    firmware: str  # "V3.928"
    version_text: str  # the raw `VER` data, "NE1000V3.928"
    extension: bool  # answers our `X..` queries: pressure, identity, conditions
    is_simulator: bool | None  # from `XID`; None when the extension is not available
    serial_number: str | None
    safe_mode_timeout_s: int | None  # watchdog the driver armed; None in basic mode


@dataclass(frozen=True)
class Sample:
    """One poll of one pump.

    `pressure_mmhg` (negative when the pump sits above the patient or the catheter is
    out) and `conditions` (air in line, battery) come from our extension: None when this
    pump cannot report them.
    """

    pump_id: str
    at: Stamp
    status: Prompt
    rate_ml_h: float
    volume_ml: float
    pressure_mmhg: float | None
    conditions: ExtendedConditions | None = None


@dataclass(frozen=True)
class PumpAlarm:
    """A latched pump alarm (`A?S`, `A?R`, `A?T`, ...) seen by the driver.

    Reported once per occurrence. Polling acknowledges the alarm at the pump (any valid
    command does), so the station must keep its own latched alarm from this event:
    `acknowledged_at_pump` says whether the pump's own latch is already cleared.
    """

    pump_id: str
    at: Stamp
    code: AlarmCode
    source: AlarmSource
    acknowledged_at_pump: bool


@dataclass(frozen=True)
class LinkStateChanged:
    """The link to a pump changed state; `reason` says why in words for the log."""

    pump_id: str
    at: Stamp
    old: LinkState
    new: LinkState
    reason: str


@dataclass(frozen=True)
class PumpIdentified:
    """Sent after every successful connection sequence, before the first sample."""

    pump_id: str
    at: Stamp
    info: PumpInfo


@dataclass(frozen=True)
class PressureReading:
    """One fast `XPR` read between two full polls (`DriverConfig.pressure_interval_s`).

    For the line detectors, which tell a dislodged catheter from a posture change by
    the step's edge (a fraction of a second); not telemetry to store: the full
    `Sample` carries that. `status` is the prompt of the reply.
    """

    pump_id: str
    at: Stamp
    status: Prompt
    pressure_mmhg: float


DriverEvent = Sample | PumpAlarm | LinkStateChanged | PumpIdentified | PressureReading
