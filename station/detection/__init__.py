"""Streaming line detectors (occlusion, dislodgement, infiltration) and trace replay."""

from station.detection.between_polls import PressureBetweenPolls
from station.detection.chair import DetectionSettings, LineDetectors
from station.detection.monitor import LineMonitor
from station.detection.sample import Sample
from station.detection.trace_csv import TraceError, read_trace
from station.detection.trace_replay import AlarmEvent, replay, run_analyze

__all__ = [
    "AlarmEvent",
    "DetectionSettings",
    "LineDetectors",
    "LineMonitor",
    "PressureBetweenPolls",
    "Sample",
    "TraceError",
    "read_trace",
    "replay",
    "run_analyze",
]
