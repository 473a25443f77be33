"""Shared set-up for the overview benchmarks: a unit of 48 infusing chairs on PostgreSQL,
the station process writing to it (`start_writer`: `overview_station.py`), and the
overview window offscreen (`overview_on`), with the figures' caption (`caption`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from overview_station import STATION, utc_now
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from storage_common import database_url, machine, open_migrated

from station.persistence import Records, create_engine, make_sessionmaker
from station.persistence.delivery import Infusion, InfusionStatus, Pump
from station.persistence.orders import Order, VascularAccess
from station.persistence.people import Patient, User
from station.persistence.scheduling import Appointment, AppointmentStatus, Chair
from station.persistence.unit import ChairAssignment
from station.unit.feed import UnitFeed
from station.unit.leases import LeaseBook
from station.unit.sources import change_source
from ui.overview.window import OverviewWindow

CHAIRS = 48
ROOT = Path(__file__).resolve().parents[1]


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
    """`overview_station.py` as a station process in `mode`, for `seconds`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("overview_station.py")), mode, url,
         str(seconds), *extra],
        stdout=subprocess.PIPE, text=True, env=env)
