"""Composition root of the chairside workstation: `run_station` and `run_demo`.

`build_station` wires one window over a running `MonitoringService` and the station
services; the two entry points add the database, the pumps (real ports or `pump-sim`)
and the event loop. Threads: the pollers' (serial I/O), the monitoring thread
(telemetry, events, alarms), the service runner's worker (records); the GUI thread only
draws and forwards what the nurse does.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import platformdirs
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import DriverConfig, PumpIdentified
from devices.simulator.process import SimulatorProcess
from station.alarms import Cause, CauseCode, ChairAlarms, MemorySink, SystemClock
from station.monitoring import (
    ChairUpdate,
    MonitoringService,
    MonitorSettings,
    PumpEndpoint,
    parse_endpoints,
)
from station.persistence import make_sessionmaker, open_database
from station.persistence.database import APP_NAME
from station.persistence.errors import StorageError
from station.services import StationServices
from station.services.bundle import load_library
from station.unit.leases import ChairInUseError
from station.unit.membership import unit_member
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.alarm_sound import AlarmSound, raise_when_missing
from ui.chairside.chair_panel import ChairPanel, ChairParts
from ui.chairside.demo_schedule import RUNNING_CHAIRS, DemoStart, seed_demo_day
from ui.chairside.main_window import MainWindow
from ui.chairside.monitor_bridge import MonitorBridge
from ui.chairside.monitored_alarms import MonitoredChairAlarms
from ui.chairside.roster import station_user
from ui.overview.app import add_overview_entry
from ui.workflows.service_runner import ServiceRunner

log = logging.getLogger(__name__)
MAX_CHAIRS = 4


def local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


@dataclass
class Station:
    """The window and what it runs on; `close()` stops the window's parts in order."""

    window: MainWindow
    runner: ServiceRunner
    bridge: MonitorBridge
    unsubscribe: Callable[[], None]
    closed: bool = field(default=False)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.window.close()
        self.unsubscribe()
        self.runner.shutdown()


def build_station(monitoring: MonitoringService, services: StationServices,
                  sessions: sessionmaker[Session], *, training: bool, tz: tzinfo,
                  sound: AlarmSound | None = None, grid: bool | None = None) -> Station:
    """The window over `monitoring` (started or not) for its chairs."""
    bridge = MonitorBridge()
    runner = ServiceRunner()
    user = str(services.context.actor.user_id)

    def current_user() -> str:
        return user

    panels = []
    for chair_id in monitoring.chair_ids:
        alarms = MonitoredChairAlarms(chair_id, monitoring)
        alarms.apply(monitoring.snapshot(chair_id))
        parts = ChairParts(chair_id, monitoring, services, sessions, runner, bridge, alarms,
                           AlarmActions(alarms, current_user), tz)
        panels.append(ChairPanel(parts))
    station_alarms = ChairAlarms("Station", MemorySink(), SystemClock())
    if sound is not None:
        raise_when_missing(sound, station_alarms)
    window = MainWindow(panels, AlarmActions(station_alarms, current_user), training=training,
                        sound=sound, grid=grid)
    bridge.setParent(window)
    runner.setParent(window)
    add_overview_entry(window, sessions)  # the unit overview, on this station's database
    unsubscribe = monitoring.subscribe(bridge.receive)
    return Station(window, runner, bridge, unsubscribe)


def last_line(text: str) -> str:
    """The reason at the end of a message that carries a child process's traceback."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else text


def no_sound() -> None:
    """For `open_demo(sound=...)`: a station without alarm sound (tests, screenshots)."""


def demo_settings(speed: float) -> MonitorSettings:
    """Poll a sped-up simulator faster, so there is about one sample per pump second."""
    if speed <= 1:
        return MonitorSettings()
    poll = max(0.1, 1.0 / speed)
    return MonitorSettings(driver=DriverConfig(poll_interval_s=poll), detection_time_scale=speed)


def program_when_identified(monitoring: MonitoringService, starts: Sequence[DemoStart],
                            trainer: str) -> Callable[[ChairUpdate], None]:
    """A subscriber that programs and runs each demo infusion once its pump answers, and
    resets each simulated pump's power-up alarm once (as `trainer`, with the reason), so
    a new user starts from a quiet unit."""
    waiting = {s.chair_label: s for s in starts}
    power_up = set(monitoring.chair_ids)

    def on_update(update: ChairUpdate) -> None:
        # On the monitoring thread: the poller's commands only queue, nothing waits.
        chair = update.snapshot.chair_id
        if chair in power_up and any(a.condition == "pump_reset" and a.state == "latched"
                                     for a in update.snapshot.alarms):
            power_up.discard(chair)
            monitoring.reset(chair, "pump_reset", trainer, Cause(
                CauseCode.ROUTINE_EVENT, "training demo: simulated pump just switched on"))
        if not isinstance(update.event, PumpIdentified):
            return
        start = waiting.pop(update.snapshot.chair_id, None)
        if start is None:
            return
        pump = monitoring.pump(start.chair_label)
        pump.set_volume(start.vtbi_ml)
        pump.set_rate(start.rate_ml_h)
        pump.run()
        monitoring.refresh_binding(start.chair_label)
    return on_update


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    return QApplication(sys.argv[:1])


def _run_window(station: Station, duration_s: float | None, size: tuple[int, int] | None) -> None:
    """Show the window and wait until it is closed (or `duration_s` is over)."""
    window = station.window
    loop = QEventLoop()
    window.closed.connect(loop.quit)
    stopper = QTimer(window)
    stopper.setSingleShot(True)
    stopper.timeout.connect(window.close)
    if size is None:
        # Fill the screen even where no window manager maximises (a kiosk, Xvfb).
        window.setGeometry(window.screen().availableGeometry())
        window.showMaximized()
    else:
        window.resize(*size)
        window.show()
    window.start()
    if duration_s is not None:
        stopper.start(int(duration_s * 1000))
    loop.exec()
    stopper.stop()


@contextlib.contextmanager
def _monitoring(endpoints: list[PumpEndpoint], sessions: sessionmaker[Session],
                settings: MonitorSettings) -> Iterator[MonitoringService]:
    monitoring = MonitoringService(endpoints, sessions, settings=settings)
    # The chairs' leases first (ChairInUseError if another live station of the unit has
    # one), then the pumps; the leases are given back after the monitoring stops.
    with unit_member(monitoring, sessions.kw["bind"]):
        monitoring.start()
        try:
            yield monitoring
        finally:
            monitoring.stop()


def training_database_url() -> str:
    """Training on real pumps keeps its records apart: never the station's database."""
    path = platformdirs.user_data_path(APP_NAME) / "training" / "training.sqlite"
    return f"sqlite:///{path}"


def run_station(db_url: str | None, ports: list[str], training: bool) -> int:
    """The workstation on real pumps: `LABEL=PORT` or `PORT` each (1-4); exit status.

    `training`: the TRAINING mark, and without `db_url` the training database.
    """
    try:
        endpoints = parse_endpoints(ports)
    except ValueError as exc:
        print(f"infusion-station run: {exc}", file=sys.stderr)
        return 2
    if not 1 <= len(endpoints) <= MAX_CHAIRS:
        print(f"infusion-station run: give 1 to {MAX_CHAIRS} pump ports", file=sys.stderr)
        return 2
    if training and db_url is None:
        db_url = training_database_url()
    try:
        engine = open_database(db_url)
    except StorageError as exc:
        print(f"infusion-station run: {exc}", file=sys.stderr)
        return 1
    sessions = make_sessionmaker(engine)
    tz = local_tz()
    actor = station_user(sessions)
    if actor is None:
        print("infusion-station run: no user in the database; add one first", file=sys.stderr)
        return 1
    services = StationServices.build(sessions, clock=lambda: datetime.now(UTC),
                                     library=load_library(), actor=actor, clinic_tz=tz)
    _application()
    try:
        with _monitoring(endpoints, sessions, MonitorSettings()) as monitoring:
            station = build_station(monitoring, services, sessions, training=training, tz=tz,
                                    sound=AlarmSound())
            try:
                _run_window(station, None, None)
            finally:
                station.close()
    except ChairInUseError as exc:  # another live station of the unit monitors the chair
        print(f"infusion-station run: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


@dataclass
class Demo:
    """A running training station: window, simulator, monitoring, services."""

    station: Station
    simulator: SimulatorProcess
    monitoring: MonitoringService
    services: StationServices
    sessions: sessionmaker[Session]


@contextlib.contextmanager
def open_demo(pumps: int, speed: float, seed: int, *, running: int = RUNNING_CHAIRS,
              sim_args: Sequence[str] = (), grid: bool | None = None,
              sound: Callable[[], AlarmSound | None] = AlarmSound,
              clock: Callable[[], datetime] | None = None
              ) -> Iterator[Demo]:
    """Training database, `pump-sim`, demo schedule, monitoring and window (not shown).

    `sound`: makes the station's alarm sound (tests: none, or one without a device).
    `clock`: the services' (tests move it to reach a break's overrun without waiting).
    """
    tz = local_tz()
    now = clock or (lambda: datetime.now(UTC))
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="infusion-station-training-")))
        engine = open_database(f"sqlite:///{folder / 'training.sqlite'}")
        stack.callback(engine.dispose)
        sessions = make_sessionmaker(engine)
        simulator = stack.enter_context(SimulatorProcess(pumps=pumps, speed=speed, seed=seed,
                                                         extra_args=sim_args))
        labels = [f"C{port.pump}" for port in simulator.ports]
        day = seed_demo_day(sessions, [(label, port.serial) for label, port in
                                       zip(labels, simulator.ports, strict=True)],
                            now=now(), tz=tz, running=running, clock=now)
        services = StationServices.build(sessions, clock=now, library=load_library(),
                                         actor=day.actor, clinic_tz=tz)
        endpoints = [PumpEndpoint(label, port.port)
                     for label, port in zip(labels, simulator.ports, strict=True)]
        _application()
        monitoring = MonitoringService(endpoints, sessions, settings=demo_settings(speed))
        stack.callback(monitoring.stop)
        monitoring.subscribe(program_when_identified(monitoring, day.starts,
                                                     str(day.actor.user_id)))
        station = build_station(monitoring, services, sessions, training=True, tz=tz,
                                sound=sound(), grid=grid)
        stack.callback(station.close)
        monitoring.start()
        yield Demo(station, simulator, monitoring, services, sessions)


def run_demo(pumps: int = 4, speed: float = 1.0, seed: int = 1,
             duration_s: float | None = None, *, size: tuple[int, int] | None = None) -> int:
    """Training: simulated pumps, a fresh training database with today's demo schedule.

    Shows the window until it is closed, or for `duration_s`; returns the exit status.
    """
    if not 1 <= pumps <= MAX_CHAIRS:
        print(f"infusion-station demo: --pumps must be 1-{MAX_CHAIRS}", file=sys.stderr)
        return 2
    try:
        with open_demo(pumps, speed, seed) as demo:
            _run_window(demo.station, duration_s, size)
    except (StorageError, OSError, RuntimeError, TimeoutError) as exc:
        # What a trainer can act on (no simulator, no room for the training file ...).
        log.exception("the demo could not run")
        print("infusion-station demo: could not start the training station: "
              f"{last_line(str(exc))}", file=sys.stderr)
        return 1
    return 0
