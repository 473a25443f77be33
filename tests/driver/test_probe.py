"""`probe`: a simulated pump, and each reason it cannot tell what is on a port."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import select
import threading
from collections.abc import Iterator

import pytest
import serial

from devices.driver.errors import PortBusyError, PortNotFoundError, PortPermissionError
from devices.driver.probe import ProbeOutcome, format_probe, probe, run_probe
from devices.driver.transport import SerialTransport, classify_open_error
from tests.support.simulator_process import SimulatorProcess


@contextlib.contextmanager
def pty_device(answer: bytes | None) -> Iterator[str]:
    """A pty whose other end answers every chunk with `answer` (None: never answers)."""
    master, slave = os.openpty()
    stop = threading.Event()

    def respond() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready and os.read(master, 1024) and answer is not None:
                os.write(master, answer)

    thread = threading.Thread(target=respond, name="fake-device")
    thread.start()
    try:
        yield os.ttyname(slave)
    finally:
        stop.set()
        thread.join()
        os.close(master)
        os.close(slave)


def test_probe_of_a_simulated_pump_prints_everything() -> None:
    with SimulatorProcess() as sim:
        out = io.StringIO()
        assert run_probe(sim.ports[0].port, out=out) == 0
        text = out.getvalue()
        again = probe(sim.ports[0].port)
    for expected in ("Model:     NE1000 (simulator SN0001)", "Firmware:  V3.928",
                     "Status:    stopped", "Rate:      0 mL/h", "Volume:    0 mL infused",
                     "Pressure:  ", "mmHg", "Line:      no air in line; battery ",
                     "Mode:      Basic", "Alarm:     R (power"):
        assert expected in text
    assert again.outcome is ProbeOutcome.OK and again.alarms == ()  # the first acknowledged


def test_no_such_port() -> None:
    result = probe("/dev/ttyUSB-none")
    assert result.outcome is ProbeOutcome.NO_SUCH_PORT
    assert "no such port" in format_probe(result)


def test_nothing_listening_on_a_socket_is_no_such_port() -> None:
    assert probe("socket://127.0.0.1:9").outcome is ProbeOutcome.NO_SUCH_PORT


def test_a_silent_port_is_no_reply() -> None:
    with pty_device(None) as path:
        result = probe(path, timeout=0.1)
    assert result.outcome is ProbeOutcome.NO_REPLY
    assert "switched on" in format_probe(result)


def test_a_device_that_is_not_a_new_era_pump() -> None:
    with pty_device(b"ERROR\r\n") as path:
        result = probe(path, timeout=0.1)
    assert result.outcome is ProbeOutcome.NOT_A_NEW_ERA_PUMP
    assert "not as a New Era pump" in format_probe(result)


def test_a_port_held_by_another_program_is_busy() -> None:
    with pty_device(None) as path:
        holder = SerialTransport.open(path)
        try:
            assert probe(path).outcome is ProbeOutcome.PORT_BUSY
        finally:
            holder.close()


@pytest.mark.parametrize(("exc", "kind"), [
    (serial.SerialException(errno.EACCES, "could not open port /dev/ttyS0: [Errno 13] "
                            "Permission denied: '/dev/ttyS0'"), PortPermissionError),
    (serial.SerialException("could not open port 'COM3': PermissionError(13, 'Access is "
                            "denied.', None, 5)"), PortPermissionError),
    (serial.SerialException("could not open port 'COM9': FileNotFoundError(2, 'The system "
                            "cannot find the file specified.', None, 2)"), PortNotFoundError),
    (serial.SerialException(errno.EAGAIN, "Could not exclusively lock port /dev/ttyS0"),
     PortBusyError),
])
def test_open_errors_are_classified(exc: Exception, kind: type[Exception]) -> None:
    # Running as root here, a real permission error cannot be produced: pyserial's
    # messages on Linux and Windows are fed to the classifier instead.
    assert isinstance(classify_open_error("PORT", exc), kind)
