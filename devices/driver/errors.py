"""Exceptions raised by the pump driver.

Each names one cause a caller can act on; the probe turns them into the messages the
people who set pumps up read.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base class of every error the pump driver raises."""


class PortOpenError(DriverError):
    """The port could not be opened, for a reason other than the ones below."""


class PortNotFoundError(PortOpenError):
    """No such port: wrong name, unplugged adapter, nothing listening at the address."""


class PortPermissionError(PortOpenError):
    """The port exists but this user may not open it (on Linux: not in group dialout)."""


class PortBusyError(PortOpenError):
    """Another program holds the port."""


class TransportError(DriverError):
    """Reading or writing an open port failed (device unplugged, socket closed)."""


class NoReplyError(DriverError):
    """The pump sent no valid reply within the reply timeout, after the retries."""


class InvalidReplyError(NoReplyError):
    """Bytes came back, but never a valid reply (noise, or not a New Era pump)."""


class NotANewEraPumpError(DriverError):
    """Something answered, but not with the New Era reply grammar."""


class CommandRefusedError(DriverError):
    """The pump answered a command with an error (`?`, `?NA`, `?OOR`, `?COM`, `?IGN`)."""

    def __init__(self, command: str, error: str) -> None:
        super().__init__(f"pump refused {command!r}: {error}")
        self.command = command
        self.error = error


class CommandNotConfirmedError(DriverError):
    """The read-back after a command does not show the value or state asked for."""


class PumpAlarmError(DriverError):
    """The command met a latched alarm and was deliberately not re-issued (RUN, PUR).

    The alarm itself is reported as an event before this is raised.
    """

    def __init__(self, command: str, alarm: str) -> None:
        super().__init__(f"{command!r} not carried out: the pump reported alarm {alarm}")
        self.command = command
        self.alarm = alarm


class LinkDownError(DriverError):
    """A command was submitted while the link to the pump is not up, or the link dropped."""
