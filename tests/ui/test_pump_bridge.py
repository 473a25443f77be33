"""The bridge delivers driver events from worker threads as signals on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from devices.driver.config import DriverConfig
from devices.driver.poller import PumpPoller
from devices.driver.scripted import Exchange, ScriptedTransport
from devices.driver.types import LinkState, LinkStateChanged, PumpIdentified, Sample, Stamp
from devices.protocol import Prompt
from tests.driver.conftest import FAST_TIMING
from tests.driver.wire import connect_script, poll_script, reply, safe
from ui.bridge.chair_feed import ChairFeed
from ui.bridge.pump_bridge import PumpBridge
from ui.models.series_buffer import SeriesBuffer

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def bridge() -> PumpBridge:
    return PumpBridge()


@pytest.fixture
def poller(bridge: PumpBridge) -> Iterator[tuple[PumpPoller, ScriptedTransport]]:
    transport = ScriptedTransport(
        connect_script() + poll_script(status="I", rate="120.0MH", dispensed="I2.500W0.000ML",
                                       pressure="41.00MMHG")
        + [Exchange(safe("0SAF0"), reply("00S"))])  # an orderly close disarms the watchdog
    config = DriverConfig(timing=FAST_TIMING, poll_interval_s=60.0)
    pump = PumpPoller("chair-1", lambda: transport, bridge.sink, config=config)
    yield pump, transport
    pump.close()


def test_a_real_driver_thread_reaches_the_gui_thread_as_typed_signals(
        qtbot: QtBot, bridge: PumpBridge,
        poller: tuple[PumpPoller, ScriptedTransport]) -> None:
    pump, transport = poller
    threads: list[QThread] = []
    bridge.sample_received.connect(lambda _: threads.append(QThread.currentThread()))
    identified: list[PumpIdentified] = []
    bridge.pump_identified.connect(identified.append)
    with qtbot.waitSignal(bridge.sample_received, timeout=5000) as got:
        pump.start()
    sample = got.args[0]
    assert isinstance(sample, Sample)
    assert (sample.pump_id, sample.rate_ml_h, sample.volume_ml) == ("chair-1", 120.0, 2.5)
    assert sample.pressure_mmhg == 41.0
    assert threads == [QApplication.instance().thread()]  # type: ignore[union-attr]
    assert identified and identified[0].info.model == "NE1000"
    assert bridge.last_latency_s is not None and 0.0 <= bridge.max_latency_s < 5.0
    with qtbot.waitSignal(bridge.link_changed, timeout=5000,
                          check_params_cb=lambda e: e.new is LinkState.CLOSED):
        pump.close()
    transport.assert_consumed()


def sample_at(seconds: int) -> Sample:
    return Sample("chair-2", Stamp(T0 + timedelta(seconds=seconds), float(seconds)),
                  Prompt.INFUSING, 100.0, seconds / 36.0, 30.0)


def test_a_burst_from_a_producer_thread_arrives_complete_and_in_order(
        qtbot: QtBot, bridge: PumpBridge) -> None:
    received: list[int] = []
    bridge.sample_received.connect(lambda s: received.append(int(s.at.monotonic)))
    producer = threading.Thread(target=lambda: [bridge.sink(sample_at(s)) for s in range(2000)],
                                name="producer")
    producer.start()
    qtbot.waitUntil(lambda: len(received) == 2000, timeout=10000)
    producer.join()
    assert received == list(range(2000))
    assert bridge.delivered == 2000


def test_the_chair_feed_fills_the_buffer_and_marks_a_lost_link_as_a_gap(
        qtbot: QtBot, bridge: PumpBridge) -> None:
    buffer = SeriesBuffer()
    feed = ChairFeed(bridge, "chair-2", buffer, parent=bridge)
    link_up: list[bool] = []
    feed.link_up_changed.connect(link_up.append)
    events = [sample_at(0), sample_at(1),
              LinkStateChanged("chair-2", Stamp(T0 + timedelta(seconds=2), 2.0),
                               LinkState.UP, LinkState.LOST, "no valid reply for 5.0 s"),
              LinkStateChanged("chair-1", Stamp(T0, 0.0), LinkState.UP, LinkState.LOST, "x"),
              sample_at(30)]
    with qtbot.waitSignal(bridge.sample_received,
                          check_params_cb=lambda s: s.at.monotonic == 30.0):
        for event in events:
            bridge.sink(event)
    assert len(buffer) == 4  # two samples, the gap row, the sample after reconnection
    assert buffer.t[2] == (T0 + timedelta(seconds=2)).timestamp()
    assert buffer.rate[2] != buffer.rate[2]  # NaN
    assert link_up == [False]  # only this chair's pump counts
