"""Reading pump traces: `time_s,rate_ml_h,volume_ml,pressure_mmhg,status` CSV files.

The pressure cell may be empty (the pump reports none). Extra columns after the five
(a simulator's `faults` label) are ignored. Any malformed line is a `TraceError` that
names the file and the line number.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from typing import TextIO

from station.detection.sample import Sample

COLUMNS = ("time_s", "rate_ml_h", "volume_ml", "pressure_mmhg", "status")


class TraceError(ValueError):
    """A trace file that cannot be read, with where and why."""


def read_trace(stream: TextIO, source: str = "trace") -> Iterator[Sample]:
    """Yield the samples of a trace in order; TraceError on the first bad line."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise TraceError(f"{source}: line 1: {exc}") from None
    if header is None:
        raise TraceError(f"{source}: line 1: empty file, expected the header {','.join(COLUMNS)}")
    if tuple(cell.strip() for cell in header[: len(COLUMNS)]) != COLUMNS:
        raise TraceError(f"{source}: line 1: header must start with {','.join(COLUMNS)}, "
                         f"got {','.join(header)}")
    previous = -math.inf
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise TraceError(f"{source}: line {reader.line_num}: {exc}") from None
        if row is None:
            return
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        sample = _parse_row(row, f"{source}: line {line}")
        if sample.time_s < previous:
            raise TraceError(f"{source}: line {line}: time_s {sample.time_s} goes back "
                             f"in time (previous {previous})")
        previous = sample.time_s
        yield sample


def _parse_row(row: list[str], where: str) -> Sample:
    if len(row) < len(COLUMNS):
        raise TraceError(f"{where}: expected {len(COLUMNS)} cells, got {len(row)}")
    time_s = _number(row[0], "time_s", where)
    rate = _number(row[1], "rate_ml_h", where)
    volume = _number(row[2], "volume_ml", where)
    pressure = None if not row[3].strip() else _number(row[3], "pressure_mmhg", where)
    status = row[4].strip()
    if not status:
        raise TraceError(f"{where}: status is empty")
    if time_s < 0 or rate < 0 or volume < 0:
        raise TraceError(f"{where}: time_s, rate_ml_h and volume_ml must not be negative")
    return Sample(time_s, rate, volume, pressure, status)


def _number(cell: str, column: str, where: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise TraceError(f"{where}: {column} is not a number: {cell!r}") from None
    if not math.isfinite(value):
        raise TraceError(f"{where}: {column} is not finite: {cell!r}")
    return value
