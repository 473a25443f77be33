"""`infusion-station monitor PORT...`: the monitoring service without a screen.

Watches the pumps on the given ports, stores telemetry, pump events and alarms in the
station's database, and prints every alarm transition as one JSON line on stdout:

    {"at": "2026-11-25T00:41:07.120+00:00", "chair": "chair-1", "condition": "pump_stall",
     "kind": "raised", "priority": "high", "actor": "system", "detail": "pump status A?S"}

A port may carry the chair's label, `C1=/dev/ttyUSB0` (the label of a `chairs` row
links the stored alarms to it); otherwise chairs are `chair-1`, `chair-2`... in order.
Runs for `duration_s`, or until SIGINT or SIGTERM. Exit status: 0 done, 2 bad
arguments, no database (or one for the other mode), or a chair that another live
station monitors (each chair belongs to one station of the unit at a time: docs/unit.md).

The training rules apply as at the chairside station (docs/training.md): `--training`
uses the training database and takes only simulated pumps; a normal monitor refuses a
simulated pump unless `--allow-simulated-pumps` (said on stderr). A refused pump is not
polled; the refusal is stored and printed on stderr.

Records the database cannot take are kept in the station's local spool (in the user's
data directory, per station name and database) and written on the next start if the
station is killed meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from types import FrameType
from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from station.alarms import AlarmTransition
from station.alarms.clock import WallClock
from station.domain.drug_library_loader import DrugLibraryError
from station.monitoring.config import MonitorSettings, PumpEndpoint
from station.monitoring.schedule_source import StoredSchedule
from station.monitoring.service import MonitoringService
from station.monitoring.snapshot import ChairUpdate
from station.monitoring.spool import default_spool_path
from station.persistence import AuditLog, StorageError, make_sessionmaker
from station.services import Actor, StationServices, load_library


def parse_endpoints(ports: Sequence[str]) -> list[PumpEndpoint]:
    """`PORT` or `LABEL=PORT` per pump; ValueError for an empty or repeated one."""
    endpoints = []
    for number, text in enumerate(ports, start=1):
        label, sep, url = text.partition("=")
        if not sep or "://" in label:  # `socket://h:p?x=y` is a URL, not a label
            label, url = f"chair-{number}", text
        if not label or not url:
            raise ValueError(f"bad pump port {text!r}: give PORT or LABEL=PORT")
        endpoints.append(PumpEndpoint(label, url))
    if len({e.chair_id for e in endpoints}) != len(endpoints):
        raise ValueError("each chair label may appear once")
    return endpoints


def transition_json(transition: AlarmTransition) -> str:
    """One alarm transition as the JSON line the command prints."""
    record: dict[str, object] = {
        "at": transition.at.isoformat(timespec="milliseconds"),
        "chair": transition.chair_id,
        "condition": transition.condition,
        "kind": transition.kind.value,
        "priority": transition.priority.value,
        "actor": transition.actor,
        "detail": transition.detail,
    }
    if transition.cause is not None:
        record["cause"] = transition.cause.code.value
    return json.dumps(record)


def run_monitor(ports: list[str], db_url: str | None, duration_s: float | None, *,
                settings: MonitorSettings | None = None, out: TextIO | None = None,
                err: TextIO | None = None, stop: threading.Event | None = None,
                training: bool = False, allow_simulated: bool = False,
                clock: Callable[[], datetime] | None = None) -> int:
    """Monitor until `duration_s` passes (None: until SIGINT/SIGTERM or `stop` is set).

    `training`: the training database (by default its own file), simulated pumps only;
    `allow_simulated`: the engineering setting of a normal monitor. `clock`: the wall
    clock when it is not the real one (a training station following its simulator)."""
    out = out or sys.stdout
    err = err or sys.stderr
    # The training rules watch this package's service: a late import keeps them apart.
    from station.training import (  # noqa: PLC0415
        DatabasePurpose,
        PumpAdmission,
        PumpGate,
        open_for,
        training_database_url,
    )
    try:
        endpoints = parse_endpoints(ports)
        if not endpoints:
            raise ValueError("give at least one pump port")
        admission = PumpAdmission(training, allow_simulated)
    except ValueError as exc:
        err.write(f"infusion-station monitor: {exc}\n")
        return 2
    if training and db_url is None:
        db_url = training_database_url()
    try:
        engine = open_for(db_url, DatabasePurpose.TRAINING if training
                          else DatabasePurpose.NORMAL)
    except StorageError as exc:
        err.write(f"infusion-station monitor: {exc}\n")
        return 2
    stop = stop or threading.Event()

    def print_transitions(update: ChairUpdate) -> None:  # on the monitoring thread only
        for transition in update.transitions:
            out.write(transition_json(transition) + "\n")
        if update.transitions:
            out.flush()

    def say_refused(_chair: str, reason: str) -> None:  # on the monitoring thread
        err.write(f"infusion-station monitor: {reason}\n")
        err.flush()

    sessions = make_sessionmaker(engine)
    # The unit (station/unit) imports this package: a late import keeps the layers apart.
    from station.unit.leases import ChairInUseError  # noqa: PLC0415
    from station.unit.membership import station_name, unit_member  # noqa: PLC0415
    try:
        schedule = _stored_schedule(sessions, clock or (lambda: datetime.now(UTC)))
    except DrugLibraryError as exc:
        engine.dispose()
        err.write(f"infusion-station monitor: {exc}\n")
        return 2
    try:
        station = station_name()
        spool = default_spool_path(station, engine.url.render_as_string(hide_password=False))
        service = MonitoringService(endpoints, sessions, settings=settings, schedule=schedule,
                                    clock=None if clock is None else WallClock(clock),
                                    spool_path=spool, station=station)
        service.subscribe(PumpGate(service, admission, AuditLog(sessions), say_refused))
        service.subscribe(print_transitions)
        for line in (admission.banner, "TRAINING: simulated pumps only, the training "
                     "database" if training else None):
            if line is not None:
                err.write(f"{line}\n")
        with unit_member(service, engine):  # the chairs' leases, before any pump is polled
            for endpoint in endpoints:
                err.write(f"monitoring {endpoint.chair_id} on {endpoint.port_url}\n")
            with _stopped_by_signals(stop), service:
                stop.wait(duration_s)
    except (ChairInUseError, StorageError) as exc:
        err.write(f"infusion-station monitor: {exc}\n")
        return 2
    finally:
        engine.dispose()
    return 0


def _stored_schedule(sessions: sessionmaker[Session],
                     clock: Callable[[], datetime]) -> StoredSchedule:
    """The clinical schedule read from the records the stations' windows store (this
    process writes none of them: it hears of them through the unit's change source,
    `unit_member`)."""
    services = StationServices.build(
        sessions, clock=clock, library=load_library(),
        # Reads only: the acting user is never stored by what the schedule calls.
        actor=Actor(0, "station monitor"), clinic_tz=datetime.now().astimezone().tzinfo or UTC)
    return StoredSchedule(services)


@contextlib.contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` (only the main thread may install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
