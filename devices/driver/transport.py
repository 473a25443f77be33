"""Byte transport to one serial line: the only module of the driver that touches pyserial.

`SerialTransport` opens any pyserial URL (`/dev/ttyUSB0`, `COM3`, a pty path,
`socket://host:port`, `rfc2217://host:port`) or wraps a `serial.SerialBase` the caller
opened. Its public `write`/`read` log every chunk at DEBUG and delegate to `_write`/
`_read`; subclasses override only those.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from typing import Any, Protocol

import serial

from devices.driver.errors import (
    PortBusyError,
    PortNotFoundError,
    PortOpenError,
    PortPermissionError,
    TransportError,
)

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

DEFAULT_BAUDRATE = 19200
# How long one read waits for the first byte; bounds how fast a reader thread sees a stop.
DEFAULT_READ_TIMEOUT_S = 0.1
_NOT_FOUND_ERRNOS = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ECONNREFUSED,
                     errno.EHOSTUNREACH, errno.ENETUNREACH}
_PERMISSION_ERRNOS = {errno.EACCES, errno.EPERM}


class Transport(Protocol):
    """What the driver needs from a byte link; `SerialTransport` and test fakes provide it."""

    @property
    def name(self) -> str: ...

    def write(self, data: bytes) -> None: ...

    def read(self) -> bytes:
        """Return the bytes that arrived, waiting at most the read timeout for the first."""
        ...

    def discard_input(self) -> None: ...

    def close(self) -> None: ...


TransportFactory = Callable[[], Transport]


class SerialTransport:
    """A pyserial port, 8N1: wraps a port the caller opened; `open(url)` opens one."""

    def __init__(self, port: serial.SerialBase, *,
                 read_timeout: float = DEFAULT_READ_TIMEOUT_S) -> None:
        self._serial = port
        if port.timeout != read_timeout:
            port.timeout = read_timeout
        self._name = str(port.name if port.name is not None else port.port)
        self._log = log.getChild(self._name.replace(".", "_"))

    @classmethod
    def open(cls, url: str, *, baudrate: int = DEFAULT_BAUDRATE,
             read_timeout: float = DEFAULT_READ_TIMEOUT_S,
             exclusive: bool = True) -> SerialTransport:
        """Open `url` (any pyserial URL); PortNotFoundError, PortPermissionError..."""
        port = open_serial(url, baudrate=baudrate, read_timeout=read_timeout,
                           exclusive=exclusive)
        return cls(port, read_timeout=read_timeout)

    @property
    def name(self) -> str:
        return self._name

    def write(self, data: bytes) -> None:
        """Send `data`. Do not override: override `_write`."""
        if self._log.isEnabledFor(logging.DEBUG):
            self._log.debug("WRITE %s", data.hex(" "))
        self._write(data)

    def read(self) -> bytes:
        """Return what arrived (possibly nothing). Do not override: override `_read`."""
        data = self._read()
        if data and self._log.isEnabledFor(logging.DEBUG):
            self._log.debug("READ %s", data.hex(" "))
        return data

    def discard_input(self) -> None:
        try:
            self._serial.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"{self._name}: {exc}") from exc

    def close(self) -> None:
        try:
            self._serial.close()
        except (serial.SerialException, OSError) as exc:
            log.debug("closing %s: %s", self._name, exc)

    def _write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"{self._name}: write failed: {exc}") from exc

    def _read(self) -> bytes:
        try:
            first: bytes = self._serial.read(1)
            if not first:
                return b""
            waiting: int = self._serial.in_waiting
            return first + self._serial.read(waiting) if waiting else first
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"{self._name}: read failed: {exc}") from exc


def open_serial(url: str, *, baudrate: int = DEFAULT_BAUDRATE,
                read_timeout: float = DEFAULT_READ_TIMEOUT_S,
                exclusive: bool = True) -> serial.SerialBase:
    """Open `url` with `serial_for_url`, turning failures into the driver's port errors."""
    options: dict[str, Any] = {"baudrate": baudrate, "bytesize": serial.EIGHTBITS,
                               "parity": serial.PARITY_NONE, "stopbits": serial.STOPBITS_ONE,
                               "timeout": read_timeout, "write_timeout": 1.0}
    if exclusive and "://" not in url:
        options["exclusive"] = True
    try:
        port: serial.SerialBase = serial.serial_for_url(url, **options)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise classify_open_error(url, exc) from exc
    return port


def classify_open_error(url: str, exc: BaseException) -> PortOpenError:
    """Map what pyserial raised when opening `url` to the error a person can act on."""
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code in _PERMISSION_ERRNOS or "PermissionError" in text or "Access is denied" in text:
        return PortPermissionError(f"{url}: permission denied ({text})")
    if "exclusively lock" in text or code in {errno.EBUSY, errno.EAGAIN}:
        return PortBusyError(f"{url}: port is in use by another program ({text})")
    not_found_texts = ("FileNotFoundError", "No such file", "cannot find the file",
                       "Connection refused", "Name or service not known")
    if code in _NOT_FOUND_ERRNOS or any(t in text for t in not_found_texts):
        return PortNotFoundError(f"{url}: no such port ({text})")
    return PortOpenError(f"{url}: {text}")


def serial_transport_factory(url: str, *, baudrate: int = DEFAULT_BAUDRATE,
                             read_timeout: float = DEFAULT_READ_TIMEOUT_S) -> TransportFactory:
    """A factory that opens `url` afresh on every call (the driver reopens after a loss)."""

    def open_transport() -> Transport:
        return SerialTransport.open(url, baudrate=baudrate, read_timeout=read_timeout)

    return open_transport
