"""Headless monitoring: pump events in, stored telemetry, pump events and alarms out.

`MonitoringService` owns a `PumpPoller` per configured pump and one monitoring thread
that feeds each chair's `ChairMonitor`; `run_monitor` is `infusion-station monitor`.
See docs/monitoring.md.
"""

from station.monitoring.chair_monitor import ChairMonitor
from station.monitoring.command import parse_endpoints, run_monitor, transition_json
from station.monitoring.config import (
    LOST_LINK_BUDGET_S,
    LOST_LINK_REQUIRED_S,
    MonitorSettings,
    PumpEndpoint,
    driver_lost_link_s,
    lost_link_budget_s,
)
from station.monitoring.recorder import MonitorRecorder, RecordContext
from station.monitoring.schedule import (
    NO_SCHEDULE,
    ClinicalSchedule,
    ScheduleSource,
    ScheduleWatch,
)
from station.monitoring.schedule_source import StoredSchedule
from station.monitoring.service import Health, MonitoringService
from station.monitoring.snapshot import AlarmView, ChairSnapshot, ChairUpdate, Subscriber
from station.monitoring.station_monitor import STATION, StationMonitor, StorageState

__all__ = [
    "LOST_LINK_BUDGET_S",
    "LOST_LINK_REQUIRED_S",
    "NO_SCHEDULE",
    "STATION",
    "AlarmView",
    "ChairMonitor",
    "ChairSnapshot",
    "ChairUpdate",
    "ClinicalSchedule",
    "Health",
    "MonitorRecorder",
    "MonitorSettings",
    "MonitoringService",
    "PumpEndpoint",
    "RecordContext",
    "ScheduleSource",
    "ScheduleWatch",
    "StationMonitor",
    "StorageState",
    "StoredSchedule",
    "Subscriber",
    "driver_lost_link_s",
    "lost_link_budget_s",
    "parse_endpoints",
    "run_monitor",
    "transition_json",
]
