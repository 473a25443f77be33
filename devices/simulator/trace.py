"""CSV traces of what a simulated pump did: `time_s,rate_ml_h,volume_ml,pressure_mmhg,status`.

`status` is the prompt letter (`I`, `S`, ...) or the latched alarm (`A?S`). A labelled
trace adds a `faults` column: the physical faults present, `+`-joined (empty if none),
which is the ground truth for detection work.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from devices.simulator.pump import SimulatedPump

COLUMNS = ("time_s", "rate_ml_h", "volume_ml", "pressure_mmhg", "status")
LABEL_COLUMN = "faults"


@dataclass(frozen=True)
class TraceRow:
    """One sample of one pump."""

    time_s: float
    rate_ml_h: float
    volume_ml: float
    pressure_mmhg: float
    status: str
    faults: tuple[str, ...] = ()

    def cells(self, labels: bool) -> list[str]:
        row = [
            f"{self.time_s:.3f}",
            f"{self.rate_ml_h:.4f}",
            f"{self.volume_ml:.5f}",
            f"{self.pressure_mmhg:.2f}",
            self.status,
        ]
        return [*row, "+".join(self.faults)] if labels else row


def sample(pump: SimulatedPump) -> TraceRow:
    """The pump's state now (call `pump.advance()` first to bring it to the clock)."""
    mechanics = pump.mechanics
    if not pump.powered:
        status = "OFF"
    elif pump.alarm is not None:
        status = f"A?{pump.alarm.value}"
    else:
        status = mechanics.motion.value
    return TraceRow(
        time_s=pump.clock.now(),
        rate_ml_h=mechanics.flow_ml_h(),
        volume_ml=mechanics.infused_ml,
        pressure_mmhg=mechanics.line.sensed_pressure(),
        status=status,
        faults=tuple(mechanics.line.faults.labels()),
    )


class TraceWriter:
    """Writes rows to a CSV file (or any text stream), flushing each one."""

    def __init__(self, out: TextIO, labels: bool = False) -> None:
        self._out = out
        self._labels = labels
        self._csv = csv.writer(out, lineterminator="\n")
        self._csv.writerow([*COLUMNS, LABEL_COLUMN] if labels else COLUMNS)

    @classmethod
    def open(cls, path: Path, labels: bool = False) -> TraceWriter:
        return cls(path.open("w", encoding="ascii", newline=""), labels)

    def write(self, row: TraceRow) -> None:
        self._csv.writerow(row.cells(self._labels))
        self._out.flush()

    def close(self) -> None:
        self._out.close()


class TraceRecorder:
    """Samples one pump every `interval_s` simulated seconds into a writer."""

    def __init__(self, pump: SimulatedPump, writer: TraceWriter, interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError("the trace interval must be positive")
        self._pump = pump
        self._writer = writer
        self._interval = interval_s
        self._next_at = pump.clock.now()

    def tick(self) -> None:
        if self._pump.clock.now() >= self._next_at:
            self._writer.write(sample(self._pump))
            self._next_at += self._interval * max(
                1, int((self._pump.clock.now() - self._next_at) // self._interval) + 1
            )

    def close(self) -> None:
        self._writer.close()
