"""The running training station (the demo's composition) follows the trainer's speed:
its clock is the simulator's, so a break's overrun comes after 10 minutes of simulated
pause when the speed is changed after the station started (real pump-sim, SQLite file,
MonitoringService, window; no real sleeps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from devices.simulator.control import read_clock
from station.alarms import TransitionKind
from station.domain.pauses import PauseReason
from station.domain.refusals import Accepted
from station.persistence import Records, make_sessionmaker
from station.training import DatabasePurpose, open_for
from station.training.made_up_visit import add_chairs
from tests.ui.chairside.conftest import NO_SOUND_MESSAGES
from ui.chairside.app import no_sound, open_demo, run_station
from ui.signin.training_users import add_training_users


@pytest.mark.qt_log_ignore(*NO_SOUND_MESSAGES, r"^This plugin does not support propagateSizeHints")
def test_a_break_overruns_on_the_simulator_s_time_after_a_speed_change(qtbot: QtBot) -> None:
    with open_demo(1, 5.0, 5, running=1, sound=no_sound, grid=False,
                   follow_simulator=True) as demo:
        clock = demo.clock
        assert clock is not None and clock.speed == 5.0
        qtbot.waitUntil(lambda: demo.monitoring.snapshot("C1").infusion_id is not None,
                        timeout=60000)
        infusion_id = demo.monitoring.snapshot("C1").infusion_id
        assert infusion_id is not None
        demo.simulator.control(op="speed", speed=60)  # the trainer's slider
        qtbot.waitUntil(lambda: clock.speed == 60.0, timeout=30000)
        control = demo.simulator.ports[0].control
        before, _ = read_clock(control)
        now = demo.services.context.now()
        after, _ = read_clock(control)
        # Between two readings of the simulator's own clock, allowing a socket's turn on a
        # loaded machine (10 simulated seconds: a sixth of a real second at 60x).
        assert clock.utc_at(before - 10.0) <= now <= clock.utc_at(after + 10.0)

        raised: list[datetime] = []  # the station's own times (simulated), as stored
        demo.monitoring.subscribe(lambda update: raised.extend(
            t.at for t in update.transitions
            if t.condition == "pause_overrun" and t.kind is TransitionKind.RAISED))
        paused = demo.services.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK, at=now)
        assert isinstance(paused, Accepted)
        # Ten minutes of pause at 60x: ten seconds; on wall time it would take ten minutes.
        qtbot.waitUntil(lambda: bool(raised), timeout=60000)
        assert timedelta(minutes=10) <= raised[0] - now <= timedelta(minutes=11)


def test_run_follows_a_simulator_s_clock_only_in_training_and_says_when_it_cannot(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    normal = f"sqlite:///{tmp_path / 'station.sqlite'}"
    assert run_station(normal, ["C1=/dev/null"], training=False,
                       simulator_control=tmp_path / "control.sock") == 2
    assert "--simulator-control is for a training station" in capsys.readouterr().err
    training = f"sqlite:///{tmp_path / 'training.sqlite'}"
    engine = open_for(training, DatabasePurpose.TRAINING)
    sessions = make_sessionmaker(engine)
    add_chairs(Records(sessions), [("C1", "SN0001")], datetime.now(UTC))  # the nurse
    add_training_users(sessions, now=datetime.now(UTC))
    engine.dispose()
    assert run_station(training, ["C1=/dev/null"], training=True,
                       simulator_control=tmp_path / "no-simulator.sock") == 1
    err = capsys.readouterr().err
    assert err.startswith("infusion-station run: the simulator's clock cannot be read: ")
    assert "Traceback" not in err
