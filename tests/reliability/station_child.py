"""A headless station in its own process, for the crash test: the monitoring service on
one chair plus the station services, on a real SQLite file, driven by JSON lines.

    python -m tests.reliability.station_child DB_URL PORT CLOCK_ISO

stdin: one command a line ({"op": "seed"}, "start", "titrate", "ack", "pause", "state").
stdout: one JSON line per alarm transition the service published (already stored) and
one per command once it is done (stored). The test SIGKILLs it and starts another.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import DriverConfig, SessionTiming
from station.domain.pauses import PauseReason
from station.monitoring import ChairUpdate, MonitoringService, MonitorSettings, PumpEndpoint
from station.persistence import make_sessionmaker
from station.persistence.alarms import Alarm, AlarmTransition
from station.persistence.delivery import Infusion, Pump
from station.persistence.events import InfusionEvent
from station.persistence.people import User
from station.persistence.records import Records
from station.persistence.schema import open_database
from station.services import Actor, StationServices, load_library
from tests.services.world import (
    NORMAL_VITALS,
    Clock,
    accepted,
    complete_checklist,
    seat,
    seed_world,
)
from tests.support.simulator_process import wait_until

SIM_SERIAL = "SN0001"
# Quick link timings; a watchdog long enough that the restart does not trip it.
SETTINGS = MonitorSettings(driver=DriverConfig(
    poll_interval_s=0.2, link_timeout_s=1.5, safe_mode_timeout_s=120,
    timing=SessionTiming(reply_timeout_s=0.3, retries=1),
    backoff_initial_s=0.05, backoff_max_s=0.5))

_out = threading.Lock()


def say(**message: Any) -> None:
    with _out:
        sys.stdout.write(json.dumps(message, default=str) + "\n")
        sys.stdout.flush()


class Station:
    """The monitoring service and the services, as one station process holds them."""

    def __init__(self, sessions: sessionmaker[Session], port: str, clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self.library = load_library()
        self.service = MonitoringService([PumpEndpoint("C1", port)], sessions,
                                         settings=SETTINGS)
        self.service.subscribe(self._published)
        self.svc: StationServices | None = None
        self.nurse: Actor | None = None
        self.world_appointment = 0

    def _published(self, update: ChairUpdate) -> None:
        for t in update.transitions:
            say(transition=t.condition, kind=t.kind.value, priority=t.priority.value)

    def services(self) -> StationServices:
        if self.svc is None:
            [nurse] = Records(self.sessions).select_all(sa.select(User))
            self.nurse = Actor(nurse.id, nurse.display_name)
            self.svc = StationServices.build(self.sessions, clock=self.clock,
                                             library=self.library, actor=self.nurse)
        return self.svc

    def infusion(self) -> Infusion:
        [infusion] = Records(self.sessions).select_all(
            sa.select(Infusion).join(Pump).where(Pump.serial_number == SIM_SERIAL))
        return infusion

    # -- commands -------------------------------------------------------------------

    def seed(self) -> dict[str, Any]:
        world = seed_world(self.sessions, self.library)
        self.clock.now = world.clock.now
        world.clock = self.clock
        self.world_appointment = world.appointment_id
        self.svc, self.nurse = None, None
        svc = self.services()
        world.svc = svc
        seat(world)
        complete_checklist(world)
        return {"appointment_id": world.appointment_id}

    def start(self) -> dict[str, Any]:
        svc = self.services()
        # The pump's row is the monitoring's, added when it first identifies the pump.
        pump = wait_until(lambda: Records(self.sessions).select_all(
            sa.select(Pump).where(Pump.serial_number == SIM_SERIAL)), timeout_s=30)[0]
        prepared = accepted(svc.infusions.prepare_start(self.world_appointment,
                                                         pump_id=pump.id))
        poller = self.service.pump("C1")
        poller.set_rate(prepared.program.rate_ml_h).result(timeout=10)
        poller.run().result(timeout=10)
        accepted(svc.infusions.confirm_started(prepared.infusion_id, self.clock.now))
        self.service.refresh_binding("C1").result(timeout=10)
        return {"infusion_id": prepared.infusion_id}

    def titrate(self) -> dict[str, Any]:
        svc = self.services()
        infusion = self.infusion()
        self.clock.advance(30)
        accepted(svc.observations.record_vitals(infusion.appointment_id, NORMAL_VITALS,
                                                taken_at=self.clock.now))
        view = accepted(svc.titration.confirm_step(infusion.id))
        self.service.pump("C1").set_rate(view.rate_ml_h).result(timeout=10)
        self.service.refresh_binding("C1").result(timeout=10)
        return {"rate_ml_h": view.rate_ml_h}

    def ack(self, condition: str) -> dict[str, Any]:
        self.services()
        assert self.nurse is not None
        self.service.acknowledge("C1", condition, str(self.nurse.user_id)).result(timeout=10)
        return {"condition": condition}

    def pause(self) -> dict[str, Any]:
        svc = self.services()
        infusion = self.infusion()
        self.clock.advance(5)
        self.service.pump("C1").stop().result(timeout=10)
        view = accepted(svc.pauses.pause(infusion.id, PauseReason.BATHROOM_BREAK,
                                         at=self.clock.now))
        return {"pause_id": view.pause_id}

    def state(self) -> dict[str, Any]:
        """Everything the crash test compares before the kill and after the restart."""
        svc = self.services()
        snapshot = self.service.snapshot("C1")
        infusion = self.infusion()
        pause = svc.pauses.current(infusion.id)
        titration = svc.titration.view(infusion.id)
        records = Records(self.sessions)
        return {
            "clock": self.clock.now.isoformat(),
            "link": snapshot.link_state.value,
            "pump_serial": None if snapshot.pump is None else snapshot.pump.serial_number,
            "chair_infusion": snapshot.infusion_id,
            "alarms": sorted([a.condition, a.state, a.latched, a.priority.value]
                             for a in snapshot.alarms),
            "sound_now": None if snapshot.sound_now is None else snapshot.sound_now.value,
            "infusion": [infusion.id, infusion.status.value],
            "pause": None if pause is None else [pause.pause_id, pause.pause.reason.value,
                                                 pause.pause.paused_at.isoformat()],
            "titration": None if titration is None else [
                repr(titration.plan), repr(titration.state),
                str(titration.next_due), str(titration.expected_end)],
            "events": [e.id for e in records.select_all(sa.select(InfusionEvent))],
            "alarm_rows": [a.id for a in records.select_all(sa.select(Alarm))],
            "transitions": [t.id for t in records.select_all(sa.select(AlarmTransition))],
        }


def main(argv: list[str]) -> int:
    db_url, port, clock_iso = argv
    engine = open_database(db_url)
    station = Station(make_sessionmaker(engine), port, Clock(datetime.fromisoformat(clock_iso)))
    station.service.start()
    try:
        for line in sys.stdin:
            command = json.loads(line)
            op = command.pop("op")
            result = getattr(station, op)(**command)
            say(done=op, **result)
    finally:
        station.service.stop()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
