"""SerialTransport over pyserial's loopback URL and a pty: bytes, logging, failures."""

from __future__ import annotations

import logging
import os

import pytest
import serial

from devices.driver.errors import TransportError
from devices.driver.transport import SerialTransport, serial_transport_factory


def test_injected_connection_moves_bytes_and_logs_every_chunk(
        caplog: pytest.LogCaptureFixture) -> None:
    transport = SerialTransport(serial.serial_for_url("loop://", timeout=0.05))
    caplog.set_level(logging.DEBUG, logger="devices.driver.transport")
    transport.write(b"\x020VER\x03")
    assert transport.read() == b"\x020VER\x03"
    assert transport.read() == b""  # nothing more: returns after the read timeout
    transport.close()
    logged = [r.getMessage() for r in caplog.records]
    assert logged == ["WRITE 02 30 56 45 52 03", "READ 02 30 56 45 52 03"]


def test_injected_port_gets_the_read_timeout() -> None:
    port = serial.serial_for_url("loop://", timeout=3.0)
    SerialTransport(port, read_timeout=0.01)
    assert port.timeout == 0.01
    port.close()


def test_a_pty_whose_other_end_closes_is_a_transport_error() -> None:
    master, slave = os.openpty()
    transport = serial_transport_factory(os.ttyname(slave))()
    os.close(master)
    os.close(slave)
    with pytest.raises(TransportError):
        for _ in range(3):
            transport.read()
    transport.close()


def test_writing_to_a_closed_port_is_a_transport_error() -> None:
    transport = SerialTransport(serial.serial_for_url("loop://", timeout=0.01))
    transport.close()
    with pytest.raises(TransportError):
        transport.write(b"0\r")
    with pytest.raises(TransportError):
        transport.discard_input()
