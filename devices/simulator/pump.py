"""The protocol state machine of one simulated pump: frames in, reply bytes out.

Pure (no I/O): the server feeds it what its StreamParser produced and writes back what
it returns. Time comes from injected clocks: the simulated clock drives the model, the
wire clock (real time in the served simulator) the Safe-mode watchdog; `poll()` runs
the time-driven parts (the model, the watchdog, auto-alarms). Decisions the manuals leave open are
in docs/protocol-notes.md and docs/simulator.md.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from devices.protocol import (
    AlarmCode,
    Command,
    Frame,
    FrameMode,
    ParseResult,
    Prompt,
    ProtocolError,
    ProtocolErrorKind,
    Reply,
    ReplyError,
    encode_basic_reply,
    encode_safe,
    parse_command,
)
from devices.simulator.accessories import DEFAULTS, NotSimulatedError
from devices.simulator.clock import Clock
from devices.simulator.handlers import HANDLERS, Handler, NotAllowedError
from devices.simulator.mechanics import Event, Mechanics, Motion, PumpSettings
from devices.simulator.physics import LineParams
from devices.simulator.program import OutOfRangeError

DEFAULT_BAUD = 19200
# Errors of a packet that arrived whole but broken: the pump answers `?COM`.
_BAD_PACKET = (
    ProtocolErrorKind.BAD_CRC,
    ProtocolErrorKind.BAD_LENGTH,
    ProtocolErrorKind.MISSING_ETX,
)


class SimulatedPump:
    """One pump: program, mechanism, line model, alarms, Basic/Safe mode and watchdog."""

    def __init__(
        self,
        clock: Clock,
        rng: np.random.Generator,
        *,
        serial: str = "SN0001",
        settings: PumpSettings | None = None,
        params: LineParams | None = None,
        wire_clock: Clock | None = None,
    ) -> None:
        self.clock = clock
        # The watchdog watches the host, whose keep-alives run on real time: it uses the
        # wire clock (real, not sped up) when one is given.
        self.wire_clock = wire_clock or clock
        self.serial = serial
        self.mechanics = Mechanics(settings or PumpSettings(), params or LineParams(), rng)
        self.address = 0
        self.baud = DEFAULT_BAUD
        self.safe_timeout_s = 0  # 0: Basic mode
        self.alarm: AlarmCode | None = AlarmCode.RESET
        self.powered = True
        self.accessories = dict(DEFAULTS)  # alarm output, buzzer, trigger, pins
        self.ignores_first_command = False  # the field quirk of some units, off by default
        self._deaf = False
        self._watchdog_deadline: float | None = None
        self._last_time = clock.now()
        self._outbox: list[bytes] = []

    @property
    def safe_mode(self) -> bool:
        return self.safe_timeout_s > 0

    # --- time ---------------------------------------------------------------------

    def poll(self) -> list[bytes]:
        """Advance to the clock's now; return unsolicited packets (Safe-mode auto-alarms)."""
        self.advance()
        packets, self._outbox = self._outbox, []
        return packets

    def advance(self) -> None:
        """Advance to the clock's now. Auto-alarms wait in the outbox for `poll()`:
        callers other than the server's loop must not drop them."""
        now = self.clock.now()
        # The line keeps evolving while the pump is dark (it just does not push).
        events = self.mechanics.advance(now - self._last_time)
        self._last_time = now
        if self.powered:
            for event in events:
                self._on_event(event)
            deadline = self._watchdog_deadline
            if deadline is not None and self.wire_clock.now() > deadline:
                self._watchdog_deadline = None
                self.mechanics.halt()
                self._raise_alarm(AlarmCode.SAFE_TIMEOUT)

    def _on_event(self, event: Event) -> None:
        if event is Event.STALLED:
            self._raise_alarm(AlarmCode.STALL)
        elif event is Event.BATTERY_EMPTY and self.powered:
            self._go_dark()

    def _raise_alarm(self, code: AlarmCode) -> None:
        self.alarm = code
        if self.safe_mode:
            self._outbox.append(self._frame(Reply(self.address, alarm=code)))

    # --- power --------------------------------------------------------------------

    def power_off(self) -> None:
        """The pump goes dark: it stops and answers nothing until `power_on`."""
        self.advance()
        self._go_dark()

    def _go_dark(self) -> None:
        self.powered = False
        self.mechanics.motion = Motion.STOPPED
        self.mechanics.phase_ml = 0.0
        self._watchdog_deadline = None
        self._outbox.clear()

    def power_on(self) -> None:
        """Power-up: alarm R latched; program, address and Safe mode were kept."""
        self.advance()
        self.powered = True
        self._deaf = self.ignores_first_command
        self._raise_alarm(AlarmCode.RESET)

    def enable_first_command_quirk(self) -> None:
        """Ignore the first command after each power-up, as some units in the field do."""
        self.ignores_first_command = True
        self._deaf = True

    def power_cycle(self) -> None:
        self.power_off()
        self.power_on()

    def factory_reset(self) -> None:
        """`*RESET`: program and counters cleared, Basic mode, address 0."""
        mechanics = self.mechanics
        mechanics.program.reset()
        mechanics.motion = Motion.STOPPED
        mechanics.infused_ml = mechanics.withdrawn_ml = mechanics.phase_ml = 0.0
        self.address, self.baud = 0, DEFAULT_BAUD
        self.accessories = dict(DEFAULTS)
        self.set_safe_timeout(0)

    def set_safe_timeout(self, seconds: int) -> None:
        """`SAF n`: the watchdog restarts from this (valid) packet."""
        self.safe_timeout_s = seconds
        self._watchdog_deadline = self.wire_clock.now() + seconds if seconds else None

    def set_settings(self, **changes: float) -> None:
        """Change pump-side settings (occlusion limit, KVO rate, purge rate)."""
        self.mechanics.settings = replace(self.mechanics.settings, **changes)

    # --- commands -----------------------------------------------------------------

    def receive(self, item: ParseResult) -> bytes | None:
        """Handle one frame or stream error; the reply packet, or None for silence."""
        self.advance()
        if not self.powered:
            return None
        if isinstance(item, ProtocolError):
            if item.kind in _BAD_PACKET:
                return self._frame(self._status_reply(error=ReplyError.COMMUNICATION))
            return None  # noise between packets, or a partial packet timed out
        return self._receive_frame(item)

    def _receive_frame(self, frame: Frame) -> bytes | None:
        if self.safe_mode and frame.mode is FrameMode.BASIC:
            # Our choice: in Safe mode a Basic command is a bad packet, not a command.
            return self._frame(self._status_reply(error=ReplyError.COMMUNICATION))
        command = parse_command(frame.payload)
        if not command.system and command.address != self.address:
            return None  # for another pump on the line
        if self._deaf:
            self._deaf = False
            return None
        if self.safe_mode:
            self._watchdog_deadline = self.wire_clock.now() + self.safe_timeout_s
        handler = self._handler(command)
        if handler is None:
            return self._frame(self._status_reply(error=ReplyError.UNKNOWN))
        if self.alarm is not None:
            # Any valid command acknowledges the latched alarm and is not carried out,
            # except SAF: hosts open with a Safe-framed `SAF n` and read its reply, the
            # power-up alarm included, in the new mode (docs/simulator.md).
            if command.name == "SAF":
                self._execute(handler, command.argument)
            reply = self._status_reply()
            self.alarm = None
            return self._frame(reply)
        return self._frame(self._execute(handler, command.argument))

    def keypad(self, text: str) -> str:
        """A command keyed in at the pump itself (a nurse at the chair), link or no link.

        Carried out as if it had come over the wire, but it feeds no watchdog and
        acknowledges no alarm: nothing here is the host. The reply text, e.g. `00I`.
        """
        self.advance()
        if not self.powered:
            raise ValueError("the pump is off: its keys do nothing")
        command = parse_command(text)
        handler = self._handler(command)
        if handler is None:
            return self._status_reply(error=ReplyError.UNKNOWN).to_text()
        return self._execute(handler, command.argument).to_text()

    @staticmethod
    def _handler(command: Command) -> Handler | None:
        return HANDLERS.get(command.name)

    def _execute(self, handler: Handler, argument: str) -> Reply:
        try:
            data = handler(self, argument)
        except OutOfRangeError:
            return self._status_reply(error=ReplyError.OUT_OF_RANGE)
        except (NotAllowedError, NotSimulatedError):
            return self._status_reply(error=ReplyError.NOT_APPLICABLE)
        except ValueError:
            return self._status_reply(error=ReplyError.UNKNOWN)
        return self._status_reply(data=data)

    def _status_reply(self, data: str = "", error: ReplyError | None = None) -> Reply:
        if self.alarm is not None:
            return Reply(self.address, alarm=self.alarm, data=data, error=error)
        prompt = Prompt(self.mechanics.motion.value)
        return Reply(self.address, prompt=prompt, data=data, error=error)

    def _frame(self, reply: Reply) -> bytes:
        text = reply.to_text()
        return encode_safe(text) if self.safe_mode else encode_basic_reply(text)
