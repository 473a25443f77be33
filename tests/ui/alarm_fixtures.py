"""A real per-chair alarm engine on a manual clock, for the alarm view tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from station.alarms import ChairAlarms, ManualClock, MemorySink


@dataclass
class Chair:
    """One chair's alarm engine, its sink and the clock the test moves."""

    chair_id: str = "chair-1"
    clock: ManualClock = field(default_factory=ManualClock)
    sink: MemorySink = field(default_factory=MemorySink)
    alarms: ChairAlarms = field(init=False)

    def __post_init__(self) -> None:
        self.alarms = ChairAlarms(self.chair_id, self.sink, self.clock)
