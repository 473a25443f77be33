"""Random bytes from the line never crash the driver, and it recovers when they stop."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.driver.config import DriverConfig
from devices.driver.errors import DriverError
from devices.driver.poller import PumpPoller
from devices.driver.pump_driver import PumpDriver
from devices.driver.session import PumpSession, SessionTiming
from devices.driver.transport import SerialTransport, Transport
from devices.driver.types import DriverEvent, LinkState, LinkStateChanged, Sample
from devices.protocol import encode_basic_reply, encode_safe
from tests.support.simulator_process import SimulatorProcess

# A longer run: DRIVER_FUZZ_EXAMPLES=500 pytest tests/driver/test_random_bytes.py
LONG_EXAMPLES = int(os.environ.get("DRIVER_FUZZ_EXAMPLES", "25"))
REPLY_TEXTS = ["00S", "00I", "00A?S", "00A?R", "00A?T", "00S?", "00S?COM", "00SNE1000V3.928",
               "00SSIM,SN0001", "00S15", "00I500.0UM", "00SI0.250W0.000ML", "00I12.50MMHG",
               "01S", "00SI", "00S9999999MH"]
chunks = st.one_of(
    st.binary(max_size=48),
    st.sampled_from(REPLY_TEXTS).map(encode_safe),
    st.sampled_from(REPLY_TEXTS).map(encode_basic_reply),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=24)
    .map(encode_safe),
    st.binary(min_size=1, max_size=8).map(lambda b: b"\x02" + b),
)


class NoiseTransport:
    """Answers every write with the next chunks of a noise script; then nothing."""

    name = "noise"

    def __init__(self, noise: list[bytes]) -> None:
        self._noise = list(noise)
        self._pending = bytearray()
        self._cond = threading.Condition()

    def write(self, data: bytes) -> None:
        with self._cond:
            for _ in range(2):
                if self._noise:
                    self._pending += self._noise.pop(0)
            self._cond.notify_all()

    def read(self) -> bytes:
        with self._cond:
            self._cond.wait_for(lambda: bool(self._pending), timeout=0.005)
            data, self._pending = bytes(self._pending), bytearray()
            return data

    def discard_input(self) -> None:
        pass

    def close(self) -> None:
        pass


@settings(max_examples=6 * LONG_EXAMPLES, deadline=None)
@given(noise=st.lists(chunks, max_size=30))
def test_any_bytes_give_a_result_or_a_driver_error(noise: list[bytes]) -> None:
    timing = SessionTiming(reply_timeout_s=0.005, retries=1)
    session = PumpSession(NoiseTransport(noise), timing=timing)
    driver = PumpDriver(session, pump_id="noise",
                        config=DriverConfig(timing=timing, handshake_attempts=2))
    session.start()
    try:
        for step in (driver.connect, driver.poll, lambda: driver.set_rate(10), driver.run):
            with contextlib.suppress(DriverError):
                step()
    finally:
        session.close()


class NoisyLine:
    """The simulator's pty, with noise mixed into what the driver reads, until it runs out."""

    def __init__(self, inner: Transport, noise: list[bytes]) -> None:
        self._inner = inner
        self._noise = list(noise)
        self.name = inner.name

    @property
    def noisy(self) -> bool:
        return bool(self._noise)

    def write(self, data: bytes) -> None:
        self._inner.write(data)

    def read(self) -> bytes:
        data = self._inner.read()
        if not self._noise:
            return data
        noise = self._noise.pop(0)
        return noise + data if len(noise) % 2 else data + noise

    def discard_input(self) -> None:
        self._inner.discard_input()

    def close(self) -> None:
        self._inner.close()


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorProcess]:
    with SimulatorProcess() as sim:
        yield sim


@pytest.mark.slow
@settings(max_examples=LONG_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.lists(chunks, min_size=1, max_size=60))
def test_poller_survives_noise_and_recovers(simulator: SimulatorProcess,
                                            noise: list[bytes]) -> None:
    events: queue.Queue[DriverEvent] = queue.Queue()
    lines: list[NoisyLine] = []

    def open_noisy() -> Transport:
        # Only the first connection is noisy: the line is then "fixed".
        lines.append(NoisyLine(SerialTransport.open(simulator.ports[0].port), noise if not lines
                               else []))
        return lines[-1]

    config = DriverConfig(poll_interval_s=0.05, link_timeout_s=0.6,
                          timing=SessionTiming(reply_timeout_s=0.1, retries=1),
                          backoff_initial_s=0.01, backoff_max_s=0.05)
    poller = PumpPoller("chair-1", open_noisy, events.put, config=config)
    poller.start()
    try:
        deadline = time.monotonic() + 10.0
        seen: list[DriverEvent] = []
        while True:
            event = events.get(timeout=max(0.01, deadline - time.monotonic()))
            clean = bool(lines) and not lines[-1].noisy
            if isinstance(event, Sample) and clean and poller.link_state is LinkState.UP:
                break
            seen.append(event)
    finally:
        poller.close()
    assert poller.link_state is LinkState.CLOSED
    faults = [e for e in seen if isinstance(e, LinkStateChanged) and "fault" in e.reason]
    assert faults == []  # noise is a lost link at worst, never a driver fault
