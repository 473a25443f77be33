"""Replay a trace through the detectors and the alarm engine; JSON lines out.

`infusion-station analyze TRACE.csv` calls `run_analyze`: one JSON object per alarm
transition that starts or ends a condition,
`{"time_s": 1234.0, "condition": "infiltration", "priority": "medium", "event": "raised"}`.
Conditions the trace can tell: the three line detectors, the pump's alarm letters
(`A?S` also counts as an occlusion), and a lost link where rows stop for longer than
the link watch allows.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from station.alarms.clock import ManualClock
from station.alarms.link_watch import LINK_LOST
from station.alarms.manager import ChairAlarms
from station.alarms.sink import AlarmTransition, MemorySink, TransitionKind
from station.detection.chair import DetectionSettings
from station.detection.monitor import LineMonitor
from station.detection.sample import Sample
from station.detection.trace_csv import TraceError, read_trace

LINK_TIMEOUT_S = 8.0
_EVENTS = {
    TransitionKind.RAISED: "raised",
    TransitionKind.CONDITION_RETURNED: "raised",
    TransitionKind.CONDITION_ENDED: "cleared",
}


@dataclass(frozen=True)
class AlarmEvent:
    """One line of the analyze output."""

    time_s: float
    condition: str
    priority: str
    event: str

    def json(self) -> str:
        return json.dumps({"time_s": self.time_s, "condition": self.condition,
                           "priority": self.priority, "event": self.event})


def replay(samples: Iterable[Sample], settings: DetectionSettings | None = None
           ) -> Iterator[AlarmEvent]:
    """Alarm raise/clear events, in time order, as the samples go by."""
    clock = ManualClock()
    sink = MemorySink()
    chair = ChairAlarms("trace", sink, clock)
    monitor = LineMonitor(chair, settings)
    previous: float | None = None
    for sample in samples:
        if previous is not None and sample.time_s - previous > LINK_TIMEOUT_S:
            clock.set(previous + LINK_TIMEOUT_S)
            chair.raise_condition(LINK_LOST, detail="no rows in the trace")
        clock.set(sample.time_s)
        chair.clear_condition(LINK_LOST)
        previous = sample.time_s
        monitor.feed(sample)
        yield from _drain(sink)


def _drain(sink: MemorySink) -> Iterator[AlarmEvent]:
    for transition in sink.transitions:
        event = _event(transition)
        if event is not None:
            yield event
    sink.transitions.clear()


def _event(transition: AlarmTransition) -> AlarmEvent | None:
    name = _EVENTS.get(transition.kind)
    if name is None:
        return None
    return AlarmEvent(round(transition.monotonic_s, 3), transition.condition,
                      transition.priority.value, name)


def analyze(stream: TextIO, out: TextIO, source: str = "trace") -> None:
    """Read a trace from `stream`, write JSON lines to `out` (TraceError if malformed).

    Nothing is written unless the whole file reads: no half answer before an error.
    """
    events = [event.json() for event in replay(read_trace(stream, source))]
    out.writelines(line + "\n" for line in events)


def run_analyze(path: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The `infusion-station analyze TRACE.csv` command: 0 done, 2 unreadable trace."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            analyze(stream, out, path)
    except TraceError as exc:
        err.write(f"infusion-station analyze: {exc}\n")
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"infusion-station analyze: cannot read {path}: {exc}\n")
        return 2
    return 0
