"""A training station's clock over a running simulator's control socket.

The station core never imports the simulator, so the composition roots (the demo,
`run --training --simulator-control`, the headless scenario runs) build the reader here:
`devices.simulator.control.read_clock` on the socket, followed every `refresh_s`.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator
from pathlib import Path

from devices.simulator.control import read_clock
from station.training.simulated_time import (
    DEFAULT_REFRESH_S,
    SimulatorTime,
    SimulatorTimeFollower,
)


@contextlib.contextmanager
def following_simulator(control: Path,
                        refresh_s: float = DEFAULT_REFRESH_S) -> Iterator[SimulatorTime]:
    """The simulator's clock as the station's wall clock, kept in step while in use;
    OSError when the simulator does not answer at the start."""
    clock = SimulatorTime(functools.partial(read_clock, control))
    with SimulatorTimeFollower(clock, refresh_s):
        yield clock


def follow_or_say(stack: contextlib.ExitStack, control: Path,
                  command: str) -> SimulatorTime | None:
    """`following_simulator(control)` kept open by `stack`; None, with the sentence on
    stderr (`infusion-station COMMAND: ...`), when the simulator does not answer."""
    try:
        return stack.enter_context(following_simulator(control))
    except OSError as exc:
        print(f"infusion-station {command}: the simulator's clock cannot be read: {exc}",
              file=sys.stderr)
        return None
