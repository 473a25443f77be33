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
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import PumpIdentified
from devices.simulator.process import SimulatorProcess
from station.access.authenticate import Authenticator
from station.access.library_admin import LibraryAdministration
from station.access.session import StationSession
from station.access.users import UserDirectory
from station.alarms import Cause, CauseCode
from station.alarms.clock import WallClock
from station.domain.drug_library import DrugLibrary
from station.domain.drug_library_loader import DEFAULT_PATH as LIBRARY_PATH
from station.monitoring import (
    STATION,
    ChairUpdate,
    MonitoringService,
    MonitorSettings,
    PumpEndpoint,
    StoredSchedule,
    parse_endpoints,
)
from station.monitoring.config import with_alarm_timing
from station.monitoring.spool import default_spool_path
from station.persistence import AuditLog, make_sessionmaker, open_database
from station.persistence.errors import StorageError
from station.services import Actor, StationServices
from station.services.bundle import load_library
from station.training import (
    DatabasePurpose,
    PumpAdmission,
    PumpGate,
    claim_database,
    open_for,
    training_database_url,
)
from station.training.simulated_time import SimulatorTime, settings_at_speed
from station.unit.leases import ChairInUseError
from station.unit.membership import station_name, unit_member
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.alarm_sound import AlarmSound, report_to
from ui.chairside.chair_panel import ChairPanel, ChairParts
from ui.chairside.demo_schedule import RUNNING_CHAIRS, DemoStart, seed_demo_day
from ui.chairside.main_window import MainWindow
from ui.chairside.monitor_bridge import MonitorBridge
from ui.chairside.monitored_alarms import MonitoredChairAlarms
from ui.chairside.pump_refusals import PumpRefusals
from ui.chairside.storage_strip import StorageStrip
from ui.overview.app import add_overview_entry
from ui.settings.entry import SettingsEntry
from ui.signin.idle_watch import DEFAULT_IDLE_LOCK_S
from ui.signin.station_access import AccessSetup, StationAccess
from ui.signin.training_users import (
    TRAINING_HASHER,
    TRAINING_HINT,
    TRAINING_NURSE,
    TRAINING_NURSE_PIN,
    add_training_users,
)
from ui.trainer.station_clock import follow_or_say, following_simulator
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
    refusals: PumpRefusals | None = None
    access: StationAccess | None = None
    settings: SettingsEntry | None = None
    closed: bool = field(default=False)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.window.close()
        self.unsubscribe()
        # Updates already queued to the GUI thread must not start work on the runner.
        self.bridge.blockSignals(True)
        self.runner.shutdown()


def build_station(monitoring: MonitoringService, services: StationServices,
                  sessions: sessionmaker[Session], *, training: bool, tz: tzinfo,
                  sound: AlarmSound | None = None, grid: bool | None = None,
                  admission: PumpAdmission | None = None,
                  access: AccessSetup | None = None,
                  library_path: Path = LIBRARY_PATH) -> Station:
    """The window over `monitoring` (started or not) for its chairs; with `access`,
    covered by the sign-in until someone signs in, and locked when idle.

    `admission`: the training rules for pumps (default: `training`'s, no engineering
    setting); a refused pump is not monitored and the window says why.
    `library_path`: the drug library the services were given, which the settings
    screen (with `access`) changes.
    """
    bridge = MonitorBridge()
    runner = ServiceRunner()

    def current_user() -> str:
        # Whoever is signed in when the nurse acts (the services' actor may change).
        return str(services.context.actor.user_id)

    panels = []
    for chair_id in monitoring.chair_ids:
        alarms = MonitoredChairAlarms(chair_id, monitoring)
        alarms.apply(monitoring.snapshot(chair_id))
        parts = ChairParts(chair_id, monitoring, services, sessions, runner, bridge, alarms,
                           AlarmActions(alarms, current_user), tz)
        panels.append(ChairPanel(parts))
    # The monitoring's station-wide alarms: storage, and the sound device the window
    # reports to it (so that both are stored with who and when).
    station_alarms = MonitoredChairAlarms(STATION, monitoring)
    station_alarms.apply(monitoring.station_snapshot())
    bridge.chair_updated.connect(
        lambda update: station_alarms.apply(update.snapshot)
        if update.snapshot.chair_id == STATION else None)
    if sound is not None:
        report_to(sound, monitoring)
    station_actions = AlarmActions(station_alarms, current_user)
    station_alarms.on_refused = station_actions.refused.emit  # queued: a Qt signal
    window = MainWindow(panels, station_actions, training=training,
                        sound=sound, grid=grid)
    window.set_storage_strip(StorageStrip(monitoring.storage_state, tz))
    bridge.setParent(window)
    runner.setParent(window)
    admission = admission or PumpAdmission(training=training)
    refusals = PumpRefusals(window, admission.banner)
    stop_gate = monitoring.subscribe(PumpGate(monitoring, admission, AuditLog(sessions),
                                              refusals.report))
    gate = None if access is None else StationAccess(
        access, window, runner, [*(p.parts.alarms for p in panels), station_alarms])
    settings = None if gate is None or access is None else _settings_entry(
        gate, window, LibraryAdministration(sessions, access.session, library_path), runner,
        services.context.use_library)
    # The unit overview, on this station's database.
    add_overview_entry(window, sessions, None if settings is None else settings.open)
    stop_bridge = monitoring.subscribe(bridge.receive)

    def unsubscribe() -> None:
        stop_bridge()
        stop_gate()
    return Station(window, runner, bridge, unsubscribe, refusals, gate, settings)


def _settings_entry(gate: StationAccess, window: MainWindow, admin: LibraryAdministration,
                    runner: ServiceRunner,
                    use_library: Callable[[DrugLibrary], None]) -> SettingsEntry:
    """The settings screen, from the user bar and the overview; closed on lock; a saved
    library goes to the running services (and so to the monitoring's schedules)."""
    entry = SettingsEntry(admin, admin.actor, runner, locked=lambda: gate.is_covered,
                          use_library=use_library, parent=gate)
    gate.bar.settings_button.clicked.connect(entry.open)
    gate.locked.connect(entry.close)
    gate.signed_out.connect(entry.close)
    window.closed.connect(entry.close)
    return entry


def last_line(text: str) -> str:
    """The reason at the end of a message that carries a child process's traceback."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else text


def no_sound() -> None:
    """For `open_demo(sound=...)`: a station without alarm sound (tests, screenshots)."""


demo_settings = settings_at_speed  # the demo's name for it


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


def monitoring_for(endpoints: list[PumpEndpoint], sessions: sessionmaker[Session],
                   services: StationServices, settings: MonitorSettings, *,
                   clock: Callable[[], datetime] | None = None,
                   spool_path: Path | None = None,
                   station: str | None = None) -> MonitoringService:
    """The monitoring service, timing the clinical schedule the services store (and told
    of each of their writes); `clock`: the services' wall clock when it is not the real
    one; `spool_path`: where records the database refuses are kept across a crash;
    `station`: the station's name, stored on its station-wide alarms."""
    # The library's alarm timings (the settings screen's), as the station starts.
    settings = with_alarm_timing(settings, services.context.library.alarm_timing)
    monitoring = MonitoringService(endpoints, sessions, settings=settings,
                                   clock=None if clock is None else WallClock(clock),
                                   schedule=StoredSchedule(services), spool_path=spool_path,
                                   station=station)
    services.context.changes.subscribe(monitoring.records_changed)
    return monitoring


@contextlib.contextmanager
def _monitoring(endpoints: list[PumpEndpoint], sessions: sessionmaker[Session],
                services: StationServices, settings: MonitorSettings,
                clock: Callable[[], datetime] | None) -> Iterator[MonitoringService]:
    engine = sessions.kw["bind"]
    station = station_name()
    spool = default_spool_path(station, engine.url.render_as_string(hide_password=False))
    monitoring = monitoring_for(endpoints, sessions, services, settings, clock=clock,
                                spool_path=spool, station=station)
    # The chairs' leases first (ChairInUseError if another live station of the unit has
    # one), then the pumps; the leases are given back after the monitoring stops.
    with unit_member(monitoring, engine):
        monitoring.start()
        try:
            yield monitoring
        finally:
            monitoring.stop()


def run_station(db_url: str | None, ports: list[str], training: bool,
                allow_simulated: bool = False,
                idle_lock_s: float = DEFAULT_IDLE_LOCK_S, *,
                simulator_control: Path | None = None) -> int:
    """The workstation on real pumps: `LABEL=PORT` or `PORT` each (1-4); exit status.

    `training`: the TRAINING mark, and without `db_url` the training database; only
    simulated pumps. `allow_simulated`: the engineering setting of a normal station.
    `simulator_control` (training only): the simulator's control socket; the station's
    clock then follows the simulator's time and speed (docs/training.md).
    Nobody is signed in at start: the sign-in screen covers the chairs (alarms stay on it).
    """
    try:
        endpoints = parse_endpoints(ports)
    except ValueError as exc:
        print(f"infusion-station run: {exc}", file=sys.stderr)
        return 2
    if not 1 <= len(endpoints) <= MAX_CHAIRS:
        print(f"infusion-station run: give 1 to {MAX_CHAIRS} pump ports", file=sys.stderr)
        return 2
    if training and allow_simulated:
        print("infusion-station run: --allow-simulated-pumps is for a normal station; "
              "training accepts simulated pumps only", file=sys.stderr)
        return 2
    if simulator_control is not None and not training:
        print("infusion-station run: --simulator-control is for a training station",
              file=sys.stderr)
        return 2
    if training and db_url is None:
        db_url = training_database_url()
    try:
        engine = open_for(db_url, DatabasePurpose.TRAINING if training else DatabasePurpose.NORMAL)
    except StorageError as exc:
        print(f"infusion-station run: {exc}", file=sys.stderr)
        return 1
    sessions = make_sessionmaker(engine)
    tz = local_tz()
    if not any(user.sign_in != "none" and user.active
               for user in UserDirectory(sessions).list()):
        print("infusion-station run: no user can sign in; add one with "
              "`infusion-station user add`", file=sys.stderr)
        engine.dispose()
        return 1
    with contextlib.ExitStack() as stack:
        stack.callback(engine.dispose)
        clock = None
        if simulator_control is not None:
            clock = follow_or_say(stack, simulator_control, "run")
            if clock is None:
                return 1
        return _station_on(endpoints, sessions, tz, training=training,
                           allow_simulated=allow_simulated, idle_lock_s=idle_lock_s,
                           clock=clock)


def _station_on(endpoints: list[PumpEndpoint], sessions: sessionmaker[Session], tz: tzinfo,
                *, training: bool, allow_simulated: bool, idle_lock_s: float,
                clock: SimulatorTime | None) -> int:
    """The window over the pumps until it is closed; on the simulator's clock if given."""
    session = StationSession()
    now = (lambda: datetime.now(UTC)) if clock is None else clock.utc_now
    services = StationServices.build(sessions, clock=now, library=load_library(),
                                     actor=session, clinic_tz=tz)
    access = AccessSetup(Authenticator(sessions), session, idle_lock_s=idle_lock_s)
    settings = MonitorSettings() if clock is None else demo_settings(clock.speed)
    _application()
    try:
        with _monitoring(endpoints, sessions, services, settings,
                         None if clock is None else clock.utc_now) as monitoring:
            station = build_station(monitoring, services, sessions, training=training, tz=tz,
                                    sound=AlarmSound(), access=access,
                                    admission=PumpAdmission(training, allow_simulated))
            try:
                _run_window(station, None, None)
            finally:
                station.close()
    except ChairInUseError as exc:  # another live station of the unit monitors the chair
        print(f"infusion-station run: {exc}", file=sys.stderr)
        return 2
    return 0


@dataclass
class Demo:
    """A running training station: window, simulator, monitoring, services."""

    station: Station
    simulator: SimulatorProcess
    monitoring: MonitoringService
    services: StationServices
    sessions: sessionmaker[Session]
    clock: SimulatorTime | None = None  # the station's, following the simulator's
    library_path: Path = LIBRARY_PATH  # training: a copy in the training folder


@contextlib.contextmanager
def open_demo(pumps: int, speed: float, seed: int, *, running: int = RUNNING_CHAIRS,
              sim_args: Sequence[str] = (), grid: bool | None = None,
              sound: Callable[[], AlarmSound | None] = AlarmSound,
              clock: Callable[[], datetime] | None = None,
              admission: PumpAdmission | None = None,
              idle_lock_s: float = DEFAULT_IDLE_LOCK_S,
              idle_clock: Callable[[], float] | None = None,
              follow_simulator: bool = False,
              ) -> Iterator[Demo]:
    """Training database, `pump-sim`, demo schedule, monitoring and window (not shown).

    `sound`: makes the station's alarm sound (tests: none, or one without a device).
    `clock`: the services' (tests move it to reach a break's overrun without waiting).
    `admission`: the pump rules (default: training's; tests try a normal station's).
    The training nurse is signed in (through the real sign-in, with the training PIN);
    the lock after `idle_lock_s` (on `idle_clock`) shows the training users' credentials.
    `follow_simulator` (without `clock`): the station's clock follows the simulator's time
    and speed, so its timers keep pace when the trainer changes the speed.
    """
    tz = local_tz()
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="infusion-station-training-")))
        engine = open_database(f"sqlite:///{folder / 'training.sqlite'}")
        stack.callback(engine.dispose)
        claim_database(engine, DatabasePurpose.TRAINING)
        sessions = make_sessionmaker(engine)
        simulator = stack.enter_context(SimulatorProcess(pumps=pumps, speed=speed, seed=seed,
                                                         extra_args=sim_args))
        following = stack.enter_context(following_simulator(simulator.ports[0].control)) \
            if follow_simulator and clock is None else None
        clock = clock or (None if following is None else following.utc_now)
        now = clock or (lambda: datetime.now(UTC))
        labels = [f"C{port.pump}" for port in simulator.ports]
        day = seed_demo_day(sessions, [(label, port.serial) for label, port in
                                       zip(labels, simulator.ports, strict=True)],
                            now=now(), tz=tz, running=running, clock=now)
        add_training_users(sessions, now=now())
        authenticator = Authenticator(sessions, clock=now, hasher=TRAINING_HASHER)
        nurse = authenticator.sign_in(TRAINING_NURSE, TRAINING_NURSE_PIN)
        if not isinstance(nurse, Actor):
            raise RuntimeError(f"the training nurse cannot sign in: {nurse.reason}")
        session = StationSession(nurse)
        # Training changes its own copy of the library (the settings screen), never the
        # shipped one.
        library_path = folder / LIBRARY_PATH.name
        shutil.copyfile(LIBRARY_PATH, library_path)
        services = StationServices.build(sessions, clock=now,
                                         library=load_library(library_path),
                                         actor=session, clinic_tz=tz)
        access = AccessSetup(authenticator, session, idle_lock_s=idle_lock_s,
                             training_hint=TRAINING_HINT,
                             **({} if idle_clock is None else {"idle_clock": idle_clock}))
        endpoints = [PumpEndpoint(label, port.port)
                     for label, port in zip(labels, simulator.ports, strict=True)]
        _application()
        monitoring = monitoring_for(endpoints, sessions, services, demo_settings(speed),
                                    clock=clock)
        stack.callback(monitoring.stop)
        monitoring.subscribe(program_when_identified(monitoring, day.starts,
                                                     str(day.actor.user_id)))
        station = build_station(monitoring, services, sessions, training=True, tz=tz,
                                sound=sound(), grid=grid, admission=admission,
                                access=access, library_path=library_path)
        stack.callback(station.close)
        monitoring.start()
        yield Demo(station, simulator, monitoring, services, sessions, following,
                   library_path)


def run_demo(pumps: int = 4, speed: float = 1.0, seed: int = 1,
             duration_s: float | None = None, *, size: tuple[int, int] | None = None,
             idle_lock_s: float = DEFAULT_IDLE_LOCK_S) -> int:
    """Training: simulated pumps, a fresh training database with today's demo schedule.

    Shows the window until it is closed, or for `duration_s`; returns the exit status.
    """
    if not 1 <= pumps <= MAX_CHAIRS:
        print(f"infusion-station demo: --pumps must be 1-{MAX_CHAIRS}", file=sys.stderr)
        return 2
    try:
        with open_demo(pumps, speed, seed, idle_lock_s=idle_lock_s,
                       follow_simulator=True) as demo:
            _run_window(demo.station, duration_s, size)
    except (StorageError, OSError, RuntimeError, TimeoutError) as exc:
        # What a trainer can act on (no simulator, no room for the training file ...).
        log.exception("the demo could not run")
        print("infusion-station demo: could not start the training station: "
              f"{last_line(str(exc))}", file=sys.stderr)
        return 1
    return 0
