"""The entry points the command line calls: `run_demo` and `run_station`."""

from __future__ import annotations

import logging
import sqlite3
import threading

import pytest
from pytestqt.qtbot import QtBot

from station.alarms import Priority
from station.persistence.database import default_sqlite_path
from tests.monitoring.world import stored_alarms, stored_kinds, stored_transitions
from tests.ui.chairside.conftest import NO_SOUND_MESSAGES
from ui.alarms.alarm_sound import AlarmSound
from ui.chairside.app import no_sound, open_demo, run_demo, run_station, training_database_url


@pytest.mark.qt_log_ignore(*NO_SOUND_MESSAGES)
def test_run_demo_runs_for_its_duration_and_exits_zero(qtbot: QtBot) -> None:
    before = set(threading.enumerate())
    assert run_demo(pumps=2, speed=10.0, seed=2, duration_s=2.0, size=(1366, 768)) == 0
    assert set(threading.enumerate()) <= before


def test_run_demo_refuses_more_chairs_than_the_window_shows(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(pumps=5, duration_s=0.1) == 2
    assert "--pumps must be 1-4" in capsys.readouterr().err


@pytest.mark.parametrize("ports", [[], ["a", "b", "c", "d", "e"], ["C1=x", "C1=y"]])
def test_run_station_refuses_bad_ports_without_a_traceback(
        ports: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_station("sqlite:///unused.sqlite", ports, training=False) == 2
    assert capsys.readouterr().err.startswith("infusion-station run: ")


def test_run_station_says_what_is_wrong_with_the_database(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_station("nosuchdriver://x", ["C1=/dev/null"], training=False) == 1
    assert capsys.readouterr().err.startswith("infusion-station run: ")


@pytest.mark.qt_log_ignore(*NO_SOUND_MESSAGES)
def test_a_missing_sound_device_is_said_raised_stored_and_acknowledged(qtbot: QtBot) -> None:
    # The real QtMultimedia: this machine has no audio output (or cannot load it).
    with open_demo(1, 10.0, 7, running=0, sound=AlarmSound) as demo:
        window = demo.station.window
        window.show()
        window.start()
        status = window.statusBar().currentMessage()
        assert status.startswith("No sound device: alarms are shown on screen but cannot be "
                                 "heard (")
        rows = window.alarm_list.view.alarm_model
        qtbot.waitUntil(lambda: rows.rowCount() == 1, timeout=5000)
        row = rows.row_at(0)
        assert (row.chair_id, row.condition, row.priority) == (
            "Station", "sound_device_missing", Priority.HIGH)
        # Shown from the monitoring's station snapshot, so stored before it was shown.
        [alarm] = stored_alarms(demo.sessions, "sound_device_missing")
        assert (alarm.category.value, alarm.chair_id, alarm.pump_id) == ("technical", None,
                                                                         None)
        assert "no audio output" in alarm.cause or "sound system cannot load" in alarm.cause
        # High-priority audio is never off for good: a short pause runs out on the clock.
        station = window.actions_by_chair["Station"].chair
        station.pause_audio("nurse.a", duration_s=1.0)
        qtbot.waitUntil(lambda: station.sound_now() is None, timeout=5000)
        qtbot.waitUntil(lambda: station.sound_now() is Priority.HIGH, timeout=5000)
        nurse = str(demo.services.context.actor.user_id)
        assert window.actions_by_chair["Station"].acknowledge("sound_device_missing")
        qtbot.waitUntil(lambda: stored_kinds(demo.sessions, alarm.id)[-1] == "acknowledged",
                        timeout=5000)
        assert stored_kinds(demo.sessions, alarm.id) == [
            "raised", "audio_paused", "audio_resumed", "acknowledged"]
        [acknowledged] = stored_transitions(demo.sessions, alarm.id)[-1:]
        assert acknowledged.actor_user_id == int(nurse)  # who, as a users.id


def test_run_demo_says_why_it_could_not_start(
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    # A speed the simulator refuses: the real process exits at once with its reason.
    with caplog.at_level(logging.CRITICAL):  # the traceback goes to the log, not the nurse
        assert run_demo(pumps=1, speed=-1.0, duration_s=0.1) == 1
    err = capsys.readouterr().err
    assert err.startswith("infusion-station demo: could not start the training station: ")
    assert "Traceback" not in err and err.count("\n") == 1
    assert "-1.0" in err  # the simulator's own reason


def test_training_never_uses_the_station_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFUSION_STATION_DB", raising=False)
    normal = default_sqlite_path()
    training = training_database_url()
    assert training.startswith("sqlite:///") and "training" in training
    assert str(normal) not in training


def test_a_locked_database_is_one_station_alarm_in_the_unit_list(qtbot: QtBot) -> None:
    with open_demo(2, 10.0, 9, running=1, sound=no_sound, grid=False) as demo:
        window = demo.station.window
        window.show()
        window.start()
        c1 = window.chair("C1")
        qtbot.waitUntil(lambda: c1.buffer.last_sample is not None, timeout=20000)
        path = demo.sessions.kw["bind"].url.database
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")  # another program holds the file
            rows = window.alarm_list.view.alarm_model

            def storage_rows() -> list[str]:
                found = (rows.row_at(i) for i in range(rows.rowCount()))
                return [r.chair_id for r in found if r.condition == "storage_unavailable"]
            qtbot.waitUntil(lambda: storage_rows() == ["Station"], timeout=60000)
            other.execute("ROLLBACK")
            qtbot.waitUntil(lambda: storage_rows() == [], timeout=60000)
        finally:
            other.close()
