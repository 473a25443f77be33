"""One pump, synchronously: connection sequence, polls, and commands confirmed by read-back.

Runs on the caller's thread (the poller's worker, or the probe). Every exchange goes
through `_command`, which reports alarm replies and re-issues the command they swallowed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from devices.driver.alarms import AlarmTracker
from devices.driver.clock import Clock, SystemClock, stamp
from devices.driver.config import DriverConfig
from devices.driver.errors import (
    CommandNotConfirmedError,
    CommandRefusedError,
    InvalidReplyError,
    NoReplyError,
    NotANewEraPumpError,
    PumpAlarmError,
)
from devices.driver.session import PumpSession
from devices.driver.types import AlarmSource, DriverEvent, PressureReading, PumpInfo, Sample
from devices.protocol import (
    CONDITIONS_QUERY,
    IDENTITY_QUERY,
    PRESSURE_QUERY,
    Command,
    IdentityKind,
    Prompt,
    RateUnit,
    Reply,
    VolumeUnit,
    format_float,
    format_rate,
    parse_conditions,
    parse_dispensed,
    parse_identity,
    parse_pressure,
    parse_rate,
    parse_volume,
)

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())
T = TypeVar("T")

PUMPING = frozenset({Prompt.INFUSING, Prompt.WITHDRAWING, Prompt.PURGING})
# A command swallowed by an alarm is sent again this many times at most.
MAX_REISSUES = 2
# Starting the motor after a stall, a power loss or a time-out is a person's decision.
NEVER_REISSUED = ("RUN", "PUR")
_VERSION = re.compile(r"^(?P<model>[A-Z0-9]+?)(?P<firmware>V\d+(?:\.\d+)?)$")


class PumpDriver:
    """Speaks to one pump over an open `PumpSession`; no threads of its own."""

    def __init__(self, session: PumpSession, *, pump_id: str, config: DriverConfig | None = None,
                 clock: Clock | None = None,
                 emit: Callable[[DriverEvent], None] = lambda event: None) -> None:
        self.session = session
        self.pump_id = pump_id
        self.config = config or DriverConfig()
        self.info: PumpInfo | None = None
        self._clock = clock or SystemClock()
        self._alarms = AlarmTracker(pump_id, self._clock, emit)
        session.on_unsolicited = self.on_unsolicited

    def on_unsolicited(self, reply: Reply) -> None:
        """A packet nobody asked for: the Safe-mode auto-alarm (the session calls this)."""
        self._alarms.observe(reply, AlarmSource.AUTO)

    # -- connection ---------------------------------------------------------------------

    def connect(self, *, arm_safe_mode: bool = True) -> PumpInfo:
        """Run the connection sequence; see docs/driver.md."""
        self._alarms.forget()
        self._handshake()
        version = self._command("VER", AlarmSource.CONNECT).data
        match = _VERSION.match(version)
        if match is None:
            raise NotANewEraPumpError(f"{self.session.transport.name}: VER answered {version!r}")
        extension, simulator, serial_number = self._probe_extension()
        safe_timeout = self.config.safe_mode_timeout_s if arm_safe_mode else None
        if safe_timeout is not None:
            self._arm_safe_mode(safe_timeout)
        self.info = PumpInfo(model=match["model"], firmware=match["firmware"],
                             version_text=version, extension=extension,
                             is_simulator=simulator, serial_number=serial_number,
                             safe_mode_timeout_s=safe_timeout)
        return self.info

    def _handshake(self) -> None:
        """Status queries until one is answered: some units ignore the first command."""
        for attempt in range(1, self.config.handshake_attempts + 1):
            try:
                self._command("", AlarmSource.CONNECT)
                return
            except NoReplyError:
                if attempt == self.config.handshake_attempts:
                    raise
                log.info("%s: no answer to status query %d, asking again", self.pump_id, attempt)

    def _probe_extension(self) -> tuple[bool, bool | None, str | None]:
        reply = self._command(IDENTITY_QUERY, AlarmSource.CONNECT, refusal_ok=True)
        if reply.error is not None:
            log.info("%s: no extension (%s): pressure not available", self.pump_id, reply.error)
            return False, None, None
        try:
            identity = parse_identity(reply.data)
        except ValueError:
            log.warning("%s: XID answered %r: extension ignored", self.pump_id, reply.data)
            return False, None, None
        return True, identity.kind is IdentityKind.SIMULATOR, identity.serial

    def _arm_safe_mode(self, timeout_s: int) -> None:
        self._command(f"SAF{timeout_s}", AlarmSource.CONNECT)
        armed = self._command("SAF", AlarmSource.CONNECT).data
        if armed.lstrip("0") != str(timeout_s):
            raise CommandNotConfirmedError(f"SAF{timeout_s} read back as {armed!r}")

    def leave_safe_mode(self) -> None:
        """Return the pump to Basic mode, disarming its watchdog (on an orderly close)."""
        self._command("SAF0", AlarmSource.COMMAND)

    # -- polling -------------------------------------------------------------------------

    def poll(self) -> Sample:
        """Rate, volume infused, pressure and conditions (if available); the status is the
        prompt of the last reply."""
        rate_reply = self._command("RAT", AlarmSource.POLL)
        rate, unit = _decoded(parse_rate, rate_reply.data)
        dispensed = self._command("DIS", AlarmSource.POLL)
        infused, _withdrawn, volume_unit = _decoded(parse_dispensed, dispensed.data)
        last, pressure, conditions = dispensed, None, None
        if self.info is not None and self.info.extension:
            pressure_data = self._command(PRESSURE_QUERY, AlarmSource.POLL).data
            pressure = _decoded(parse_pressure, pressure_data)
            last = self._command(CONDITIONS_QUERY, AlarmSource.POLL)
            conditions = _decoded(parse_conditions, last.data)
        return Sample(pump_id=self.pump_id, at=stamp(self._clock), status=self._status(last),
                      rate_ml_h=rate * (unit or RateUnit.ML_H).to_ml_per_h,
                      volume_ml=infused * volume_unit.to_ml, pressure_mmhg=pressure,
                      conditions=conditions)

    def read_pressure(self) -> PressureReading:
        """The line pressure alone (`XPR`), between full polls; extension pumps only.

        Any valid command feeds the watchdog, so this is a heartbeat too.
        """
        reply = self._command(PRESSURE_QUERY, AlarmSource.POLL)
        return PressureReading(pump_id=self.pump_id, at=stamp(self._clock),
                               status=self._status(reply),
                               pressure_mmhg=_decoded(parse_pressure, reply.data))

    def heartbeat(self) -> Prompt:
        """A status query: feeds the watchdog and shows any latched alarm."""
        return self._status(self._command("", AlarmSource.POLL))

    # -- commands, each confirmed by reading back ----------------------------------------

    def set_rate(self, ml_h: float) -> float:
        """Set the rate in mL/h; returns the rate read back, in mL/h."""
        reply = self._command("RAT", AlarmSource.COMMAND)
        _value, unit = _decoded(parse_rate, reply.data)
        # Units cannot change while pumping (?NA); when stopped, use mL/h.
        unit = (unit or RateUnit.ML_H) if self._status(reply) in PUMPING else RateUnit.ML_H
        wanted = format_rate(ml_h / unit.to_ml_per_h, unit)
        self._command(f"RAT{wanted}", AlarmSource.COMMAND)
        got = self._command("RAT", AlarmSource.COMMAND).data
        if got != wanted:
            raise CommandNotConfirmedError(f"RAT{wanted} read back as {got!r}")
        value, read_unit = _decoded(parse_rate, got)
        return value * (read_unit or unit).to_ml_per_h

    def set_volume(self, ml: float) -> float:
        """Set the volume to be infused in mL (0: no limit); returns the volume read back."""
        _value, unit = _decoded(parse_volume, self._command("VOL", AlarmSource.COMMAND).data)
        if unit is not VolumeUnit.ML:
            self._command("VOLML", AlarmSource.COMMAND)
        wanted = format_float(ml)
        self._command(f"VOL{wanted}", AlarmSource.COMMAND)
        got = self._command("VOL", AlarmSource.COMMAND).data
        value, read_unit = _decoded(parse_volume, got)
        if read_unit not in (None, VolumeUnit.ML) or format_float(value) != wanted:
            raise CommandNotConfirmedError(f"VOL{wanted} read back as {got!r}")
        return value

    def run(self) -> Prompt:
        """Start pumping. Never re-issued after an alarm: a person decides to restart."""
        prompt = self._status(self._command("RUN", AlarmSource.COMMAND))
        if prompt not in PUMPING:
            prompt = self.heartbeat()
        if prompt not in PUMPING:
            raise CommandNotConfirmedError(f"RUN: the pump reports {prompt.name}")
        return prompt

    def stop(self) -> Prompt:
        """Stop pumping: paused (`P`) if it was infusing, stopped (`S`) if paused."""
        prompt = self._status(self._command("STP", AlarmSource.COMMAND))
        if prompt in PUMPING:
            prompt = self.heartbeat()
        if prompt in PUMPING:
            raise CommandNotConfirmedError(f"STP: the pump reports {prompt.name}")
        return prompt

    def clear_volume(self) -> None:
        """Clear the volume infused (`CLD INF`), confirmed by `DIS`."""
        self._command("CLDINF", AlarmSource.COMMAND)
        dispensed = self._command("DIS", AlarmSource.COMMAND).data
        infused, _withdrawn, _unit = _decoded(parse_dispensed, dispensed)
        if infused != 0:
            raise CommandNotConfirmedError(f"CLD INF: volume infused reads {infused}")

    def send(self, body: str) -> Reply:
        """Any other command (`DIA26.59`, `DIRINF`...): the reply; refusals raise.

        Alarm replies are reported and the command re-issued, as for every command here.
        """
        return self._command(body, AlarmSource.COMMAND)

    # -- one exchange ---------------------------------------------------------------------

    def _command(self, body: str, source: AlarmSource, *, refusal_ok: bool = False) -> Reply:
        """Exchange command `body` (name and argument); report an alarm reply, re-issue."""
        text = Command(name=body, address=self.config.address).to_text()
        for _attempt in range(1 + MAX_REISSUES):
            reply = self.session.exchange(text)
            self._alarms.observe(reply, source)
            if reply.error is not None:
                # Refused, so not a valid command: it acknowledged nothing either.
                if not refusal_ok:
                    raise CommandRefusedError(text, reply.error.value)
                return reply
            if reply.alarm is None:
                return reply
            log.warning("%s: %r met alarm %s", self.pump_id, text, reply.alarm.name)
            if body.startswith(NEVER_REISSUED):
                raise PumpAlarmError(text, reply.alarm.value)
        raise PumpAlarmError(text, reply.status)

    @staticmethod
    def _status(reply: Reply) -> Prompt:
        if reply.prompt is None:  # a refused command during an alarm: no prompt to give
            raise PumpAlarmError(reply.to_text(), reply.status)
        return reply.prompt



def _decoded(parse: Callable[[str], T], data: str) -> T:
    """Parse reply data; a reply that is framed right but says nonsense is InvalidReplyError."""
    try:
        return parse(data)
    except ValueError as exc:
        raise InvalidReplyError(f"reply data {data!r}: {exc}") from exc
