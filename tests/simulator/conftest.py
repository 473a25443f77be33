"""Fixtures for the simulator tests: an in-process pump bench and a real process."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from devices.protocol import (
    StreamParser,
    StreamRole,
    encode_basic_command,
    encode_basic_reply,
    encode_safe,
)
from devices.simulator.clock import ManualClock
from devices.simulator.mechanics import PumpSettings
from devices.simulator.physics import LineParams
from devices.simulator.pump import SimulatedPump
from tests.support.simulator_process import SimulatorProcess


class PumpBench:
    """A pump in process: bytes in, reply packets out, time moved by hand."""

    def __init__(self, settings: PumpSettings | None = None, seed: int = 1) -> None:
        self.clock = ManualClock()
        self.pump = SimulatedPump(
            self.clock, np.random.default_rng(seed), settings=settings, params=LineParams()
        )
        self.parser = StreamParser(StreamRole.PUMP, clock=self.clock.now)

    def feed(self, data: bytes) -> list[bytes]:
        replies = []
        for item in self.parser.feed(data):
            reply = self.pump.receive(item)
            if reply is not None:
                replies.append(reply)
        return replies

    def basic(self, text: str) -> list[bytes]:
        return self.feed(encode_basic_command(text))

    def safe(self, text: str) -> list[bytes]:
        return self.feed(encode_safe(text))

    def ask(self, text: str) -> bytes:
        """One Basic command; exactly one reply."""
        (reply,) = self.basic(text)
        return reply

    def ready(self) -> PumpBench:
        """Acknowledge the power-up alarm."""
        assert self.ask("0") == encode_basic_reply("00A?R")
        return self

    def advance(self, seconds: float) -> list[bytes]:
        self.clock.advance(seconds)
        return self.pump.poll()


@pytest.fixture
def bench() -> PumpBench:
    return PumpBench().ready()


@pytest.fixture
def simulator() -> Iterator[SimulatorProcess]:
    """One pump at 20x speed, seed 1; checks the clean exit."""
    sim = SimulatorProcess(pumps=1, speed=20, seed=1)
    sim.start()
    yield sim
    assert sim.stop() == 0, sim.stderr()
