"""Shared set-up for the overview benchmarks: a unit of 48 infusing chairs on PostgreSQL,
a station process writing their telemetry at 1 Hz (this module run as a script), and
the overview window offscreen (`overview_on`), with the figures' caption (`caption`)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy.orm import Session, sessionmaker
from storage_common import database_url, machine, open_migrated

from station.persistence import (
    AlarmLog,
    Records,
    TelemetrySample,
    TelemetryWriter,
    create_engine,
    make_sessionmaker,
)
from station.persistence import alarms as stored
from station.persistence.delivery import Infusion, InfusionStatus, Pump
from station.persistence.orders import Order, VascularAccess
from station.persistence.people import ActorKind, Patient, User
from station.persistence.scheduling import Appointment, AppointmentStatus, Chair
from station.persistence.unit import ChairAssignment
from station.unit.feed import UnitFeed
from station.unit.leases import LeaseBook
from station.unit.sources import change_source
from ui.overview.window import OverviewWindow

CHAIRS = 48
STATION = "bench-station"
ROOT = Path(__file__).resolve().parents[1]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fresh_unit(name: str) -> tuple[str, dict[str, int]]:
    """A fresh PostgreSQL schema with 48 chairs infusing; (url, infusion id by chair)."""
    url = database_url("postgresql", name, fresh=True)
    engine, sessions = open_migrated(url)
    now = utc_now()
    nurses = [User(username=f"nurse{n}", display_name=f"Nurse {n}", created_at=now)
              for n in range(6)]
    Records(sessions).add(*nurses)
    infusions: dict[str, int] = {}
    for n in range(CHAIRS):
        chair = Chair(label=f"C{n + 1:02d}")
        patient = Patient(mrn=f"B{n}", family_name=f"Fam{n}", given_name=f"Giv{n}",
                          date_of_birth=date(1970, 1, 1))
        appointment = Appointment(patient=patient, chair=chair,
                                  start_at=now - timedelta(minutes=30),
                                  expected_duration_min=240, status=AppointmentStatus.INFUSING)
        order = Order(patient=patient, appointment=appointment, ordered_at=now,
                      drug="ocrelizumab", dose_amount=600, dose_unit="mg",
                      diluent="NaCl 0.9 %", volume_ml=500, access=VascularAccess.PERIPHERAL,
                      titration_protocol="ocrevus-later", observation_min=60,
                      site_check_interval_min=120)
        pump = Pump(port_url=f"bench:{n}", model="NE1000", serial_number=f"BENCH{n}")
        infusion = Infusion(order=order, appointment=appointment, pump=pump,
                            started_at=now - timedelta(minutes=25),
                            status=InfusionStatus.RUNNING, rate_ml_h=100.0, vtbi_ml=500.0)
        Records(sessions).add(chair, patient, appointment, order, pump, infusion)
        Records(sessions).add(ChairAssignment(chair_id=chair.id, pod="ABCDEF"[n // 8],
                                              nurse_id=nurses[n // 8].id))
        infusions[chair.label] = infusion.id
    book = LeaseBook(sessions, STATION, utc_now=utc_now)
    book.register()
    book.acquire(list(infusions))
    engine.dispose()
    return url, infusions


@dataclass
class Overview:
    """The overview window offscreen at 1920x1080 and its feed, listening on the unit."""

    window: OverviewWindow
    feed: UnitFeed


@contextmanager
def overview_on(url: str, around_redraw: Callable[[Callable[[], None]], None],
                before_window: Callable[[UnitFeed], None] | None = None) -> Iterator[Overview]:
    """The overview on `url`'s unit, shown and its feed started; every redraw runs as
    `around_redraw(redraw)` (to time it, or to note what it shows). `before_window`
    gets the feed before the window subscribes to it. Closed in order afterwards."""
    app = QApplication.instance() or QApplication([])
    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    feed = UnitFeed(sessions, change_source(engine, url), utc_now=utc_now)
    if before_window is not None:
        before_window(feed)
    window = OverviewWindow(feed, sessions)
    original = window.redraw
    window.redraw = lambda: around_redraw(original)  # type: ignore[method-assign]
    window.resize(1920, 1080)
    window.show()
    feed.start()
    try:
        yield Overview(window, feed)
    finally:
        window.close()
        feed.stop()
        engine.dispose()
        del app


def run_loop(seconds: float) -> None:
    """Let the GUI run (the feed's redraws, the window's timers) for `seconds`."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def caption() -> str:
    """The machine and its load now: the benchmarks share the machine with others."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    return f"machine: {machine()}; load: {uptime.strip()}"


def start_writer(url: str, mode: str, seconds: float, *extra: str) -> subprocess.Popen[str]:
    """This module as a station process (`--writer`), for `seconds`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(Path(__file__)), mode, url, str(seconds), *extra],
        stdout=subprocess.PIPE, text=True, env=env)


def _telemetry(sessions: sessionmaker[Session], seconds: float) -> None:
    """Every chair's sample each second, stored at most 1 s behind; a heartbeat every 5 s."""
    infusion_ids = [i.id for i in Records(sessions).select_all(
        sa.select(Infusion))]
    writer = TelemetryWriter(sessions)
    book = LeaseBook(sessions, STATION, utc_now=utc_now)
    end = time.monotonic() + seconds
    tick = time.monotonic()
    volume = 0.0
    beats = 0
    while time.monotonic() < end:
        volume += 100 / 3600
        now = utc_now()
        for infusion_id in infusion_ids:
            writer.add(TelemetrySample(infusion_id, now, 100.0 + (infusion_id % 7), volume,
                                       20.0))
        writer.flush_if_due()
        beats += 1
        if beats % 5 == 0:
            book.heartbeat()
        tick += 1.0
        time.sleep(max(0.0, tick - time.monotonic()))
    writer.close()


def _alarms(sessions: sessionmaker[Session], seconds: float, every_s: float) -> None:
    """An alarm on the next chair every `every_s`; prints its id and the time before the
    write began."""
    chairs = list(Records(sessions).select_all(sa.select(Chair)))
    log = AlarmLog(sessions)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        chair = chairs[n % len(chairs)]
        t0 = time.time()
        alarm_id = log.raise_alarm(stored.Alarm(
            code="occlusion", priority=stored.AlarmPriority.HIGH,
            category=stored.AlarmCategory.PHYSIOLOGICAL, latching=False, raised_at=utc_now(),
            cause="bench", infusion_id=None, pump_id=None, chair_id=chair.id,
            actor_kind=ActorKind.STATION, actor_user_id=None))
        print(json.dumps({"alarm_id": alarm_id, "chair": chair.label, "t0": t0}), flush=True)
        n += 1
        time.sleep(every_s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("telemetry", "alarms"))
    parser.add_argument("url")
    parser.add_argument("seconds", type=float)
    parser.add_argument("every", type=float, nargs="?", default=1.0)
    args = parser.parse_args()
    engine, sessions = open_migrated(args.url)
    if args.mode == "telemetry":
        _telemetry(sessions, args.seconds)
    else:
        _alarms(sessions, args.seconds, args.every)
    engine.dispose()


if __name__ == "__main__":
    main()
