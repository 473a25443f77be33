"""PumpPoller over scripted transports: events, commands as futures, loss and reconnection."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime

import pytest

from devices.driver.config import DriverConfig
from devices.driver.errors import LinkDownError, PortNotFoundError
from devices.driver.poller import PumpPoller
from devices.driver.scripted import (
    Disconnect,
    Exchange,
    ScriptedTransport,
    Silence,
    Step,
)
from devices.driver.transport import Transport
from devices.driver.types import (
    AlarmSource,
    DriverEvent,
    LinkState,
    LinkStateChanged,
    PumpAlarm,
    PumpIdentified,
    Sample,
)
from devices.protocol import AlarmCode, Frame, Prompt, StreamParser, StreamRole
from tests.driver.conftest import FAST_TIMING
from tests.driver.wire import connect_script, poll_script, reply, safe

CLOSE = [Exchange(safe("0SAF0"), reply("00S"))]  # an orderly close disarms the watchdog
WAIT_S = 3.0


class Harness:
    """A poller over a list of scripts (one per connection) and the events it sent."""

    def __init__(self, scripts: list[list[Step]], **config: float) -> None:
        self.transports = [ScriptedTransport(steps) for steps in scripts]
        self._unused = list(self.transports)
        self.events: queue.Queue[DriverEvent] = queue.Queue()
        self.history: list[DriverEvent] = []
        settings = {"poll_interval_s": 60.0, "link_timeout_s": 1.0,
                    "backoff_initial_s": 0.01, "backoff_max_s": 0.02} | config
        self.poller = PumpPoller("chair-1", self._open, self._sink,
                                 config=DriverConfig(timing=FAST_TIMING, **settings))  # type: ignore[arg-type]

    def _sink(self, event: DriverEvent) -> None:
        self.history.append(event)
        self.events.put(event)

    def _open(self) -> Transport:
        if not self._unused:
            raise PortNotFoundError("scripted: no more connections in this test")
        return self._unused.pop(0)

    def next_of(self, kind: type[DriverEvent]) -> DriverEvent:
        """The next event of `kind`, skipping others."""
        while True:
            event = self.events.get(timeout=WAIT_S)
            if isinstance(event, kind):
                return event

    def link_changes(self) -> list[tuple[LinkState, LinkState]]:
        return [(e.old, e.new) for e in self.history if isinstance(e, LinkStateChanged)]


@pytest.fixture
def harness_factory() -> Iterator[list[Harness]]:
    made: list[Harness] = []
    yield made
    for harness in made:
        harness.poller.close()
        for transport in harness.transports:
            transport.assert_consumed()


def start(made: list[Harness], scripts: list[list[Step]], **config: float) -> Harness:
    harness = Harness(scripts, **config)
    made.append(harness)
    harness.poller.start()
    return harness


def test_events_in_order_and_a_command_through_a_future(harness_factory: list[Harness]) -> None:
    script = [*connect_script(), *poll_script(),
              Exchange(safe("0RAT"), safe("00S500.0UM")),
              Exchange(safe("0RAT150.0MH"), safe("00S")),
              Exchange(safe("0RAT"), safe("00S150.0MH")), *CLOSE]
    harness = start(harness_factory, [script])
    identified = harness.next_of(PumpIdentified)
    assert isinstance(identified, PumpIdentified) and identified.info.model == "NE1000"
    sample = harness.next_of(Sample)
    assert isinstance(sample, Sample) and sample.rate_ml_h == pytest.approx(30.0)
    future: Future[float] = harness.poller.set_rate(150)
    assert future.result(timeout=WAIT_S) == 150.0
    harness.poller.close()
    assert harness.poller.link_state is LinkState.CLOSED


def test_commands_fail_at_once_while_the_link_is_down(harness_factory: list[Harness]) -> None:
    harness = Harness([])
    with pytest.raises(LinkDownError):
        harness.poller.run().result(timeout=0)


def test_auto_alarm_is_delivered_without_waiting_for_a_poll(
        harness_factory: list[Harness]) -> None:
    script = [*connect_script(), *poll_script(), *CLOSE]
    harness = start(harness_factory, [script])
    harness.next_of(Sample)
    harness.transports[0].feed(safe("00A?S"))
    alarm = harness.next_of(PumpAlarm)
    assert isinstance(alarm, PumpAlarm)
    assert (alarm.code, alarm.source, alarm.acknowledged_at_pump) == (
        AlarmCode.STALL, AlarmSource.AUTO, False)


def test_unplugged_adapter_is_reported_and_the_poller_reconnects(
        harness_factory: list[Harness]) -> None:
    first = [*connect_script(), *poll_script(), Disconnect()]
    second = [*connect_script(power_up_alarm=True), *poll_script(), Silence()]
    harness = start(harness_factory, [first, second], poll_interval_s=0.05)
    lost = harness.next_of(LinkStateChanged)
    while isinstance(lost, LinkStateChanged) and lost.new is not LinkState.LOST:
        lost = harness.next_of(LinkStateChanged)
    assert isinstance(lost, LinkStateChanged) and "port failed" in lost.reason
    alarm = harness.next_of(PumpAlarm)
    assert isinstance(alarm, PumpAlarm) and alarm.code is AlarmCode.RESET
    harness.next_of(Sample)
    harness.poller.close()
    assert harness.link_changes() == [
        (LinkState.DISCONNECTED, LinkState.CONNECTING), (LinkState.CONNECTING, LinkState.UP),
        (LinkState.UP, LinkState.LOST), (LinkState.LOST, LinkState.UP),
        (LinkState.UP, LinkState.CLOSED)]


def test_silence_is_a_lost_link_within_the_link_timeout(harness_factory: list[Harness]) -> None:
    first = [*connect_script(), *poll_script(), Silence()]
    harness = start(harness_factory, [first], poll_interval_s=0.05, link_timeout_s=0.5,
                    backoff_initial_s=30.0, backoff_max_s=30.0)
    sample = harness.next_of(Sample)
    lost = harness.next_of(LinkStateChanged)
    assert isinstance(sample, Sample) and isinstance(lost, LinkStateChanged)
    assert lost.new is LinkState.LOST and "no valid reply" in lost.reason
    # Bound: link timeout plus one poll's worth of reply timeouts.
    assert lost.at.monotonic - sample.at.monotonic < 0.5 + 2 * FAST_TIMING.reply_timeout_s + 0.2


def test_a_failing_sink_does_not_stop_the_poller(harness_factory: list[Harness]) -> None:
    script = [*connect_script(), *poll_script(), Exchange(safe("0RUN"), safe("00I")), *CLOSE]
    harness = Harness([script])
    harness_factory.append(harness)

    def broken_sink(event: DriverEvent) -> None:
        harness.events.put(event)
        raise RuntimeError("consumer bug")

    harness.poller._sink = broken_sink
    harness.poller.start()
    harness.next_of(Sample)
    assert harness.poller.run().result(timeout=WAIT_S) is Prompt.INFUSING


def test_close_from_the_sink_does_not_deadlock(harness_factory: list[Harness]) -> None:
    script = [*connect_script(), *poll_script(), *CLOSE]
    harness = Harness([script])
    harness_factory.append(harness)

    def closing_sink(event: DriverEvent) -> None:
        harness.events.put(event)
        if isinstance(event, Sample):
            harness.poller.close()  # on the worker thread itself: must not join itself

    harness.poller._sink = closing_sink
    harness.poller.start()
    closed = harness.next_of(LinkStateChanged)
    while isinstance(closed, LinkStateChanged) and closed.new is not LinkState.CLOSED:
        closed = harness.next_of(LinkStateChanged)
    assert harness.poller.link_state is LinkState.CLOSED


class AnsweringPump:
    """A Basic-mode pump that answers each command from a table (unknown: the bare `?`)."""

    name = "answering"

    def __init__(self, table: dict[str, str]) -> None:
        self._table = table
        self._parser = StreamParser(StreamRole.PUMP)
        self._out: queue.Queue[bytes] = queue.Queue()

    def write(self, data: bytes) -> None:
        for frame in self._parser.feed(data):
            if isinstance(frame, Frame):
                self._out.put(reply(self._table.get(frame.payload.decode(), "00S?")))

    def read(self) -> bytes:
        try:
            return self._out.get(timeout=0.02)
        except queue.Empty:
            return b""

    def discard_input(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_answers_that_never_make_a_sample_are_a_lost_link() -> None:
    pump = AnsweringPump({"0": "00S", "0VER": "00SNE1000V3.928", "0RAT": "00SFAST",
                          "0DIS": "00SI0.000W0.000ML"})
    events: queue.Queue[DriverEvent] = queue.Queue()
    config = DriverConfig(safe_mode_timeout_s=None, poll_interval_s=0.05, link_timeout_s=0.3,
                          timing=FAST_TIMING, backoff_initial_s=30.0, backoff_max_s=30.0)
    poller = PumpPoller("chair-1", lambda: pump, events.put, config=config)
    poller.start()
    try:
        while not isinstance(event := events.get(timeout=WAIT_S), LinkStateChanged) or (
                event.new is not LinkState.LOST):
            assert not isinstance(event, Sample)
        assert "no valid sample" in event.reason
    finally:
        poller.close()


class BrokenReadTransport(AnsweringPump):
    """Answers the connection sequence, then its read raises something unexpected."""

    def __init__(self, table: dict[str, str], good_reads: int) -> None:
        super().__init__(table)
        self._good_reads = good_reads

    def read(self) -> bytes:
        self._good_reads -= 1
        if self._good_reads < 0:
            raise RuntimeError("library bug")
        return super().read()


def test_a_reader_that_dies_is_a_failed_port(caplog: pytest.LogCaptureFixture) -> None:
    pump = BrokenReadTransport({"0": "00S", "0VER": "00SNE1000V3.928", "0RAT": "00S1.000MH",
                                "0DIS": "00SI0.000W0.000ML"}, good_reads=40)
    events: queue.Queue[DriverEvent] = queue.Queue()
    config = DriverConfig(safe_mode_timeout_s=None, poll_interval_s=0.01, timing=FAST_TIMING,
                          backoff_initial_s=30.0, backoff_max_s=30.0)
    poller = PumpPoller("chair-1", lambda: pump, events.put, config=config)
    poller.start()
    try:
        while not isinstance(event := events.get(timeout=WAIT_S), LinkStateChanged) or (
                event.new is not LinkState.LOST):
            pass
        assert "reader failed" in event.reason
    finally:
        poller.close()
    assert any("reader failed" in r.getMessage() for r in caplog.records)


class ShiftedClock:
    """Real monotonic time (the poller waits on it) and a fixed UTC date for the stamps."""

    def monotonic(self) -> float:
        return time.monotonic() + 1000.0

    def utc_now(self) -> datetime:
        return datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_events_are_stamped_by_the_injected_clock() -> None:
    transport = ScriptedTransport([*connect_script(), *poll_script(), *CLOSE])
    events: queue.Queue[DriverEvent] = queue.Queue()
    poller = PumpPoller("chair-1", lambda: transport, events.put, clock=ShiftedClock(),
                        config=DriverConfig(timing=FAST_TIMING, poll_interval_s=60.0))
    poller.start()
    try:
        while not isinstance(sample := events.get(timeout=WAIT_S), Sample):
            pass
    finally:
        poller.close()
    transport.assert_consumed()
    assert sample.at.utc == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert sample.at.monotonic > 1000.0
