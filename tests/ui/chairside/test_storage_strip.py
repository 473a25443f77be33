"""The chairside window says, for as long as it is true, that the unit overview cannot see
the station: a real SQLite file held by another program, then let go."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from station.monitoring import StorageState
from tests.monitoring.world import stored_alarms, stored_kinds
from ui.chairside.app import local_tz, no_sound, open_demo
from ui.chairside.storage_strip import storage_words

WAIT_MS = 60000


def test_the_strip_shows_while_records_wait_and_goes_once_they_are_written(
        qtbot: QtBot) -> None:
    with open_demo(1, 10.0, 11, running=1, sound=no_sound, grid=False) as demo:
        window = demo.station.window
        window.show()
        window.start()
        strip = window.storage_strip
        assert strip is not None
        c1 = window.chair("C1")
        qtbot.waitUntil(lambda: c1.buffer.last_sample is not None, timeout=20000)
        assert not strip.isVisible()
        other = sqlite3.connect(demo.sessions.kw["bind"].url.database, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")  # another program holds the file
            qtbot.waitUntil(strip.isVisible, timeout=WAIT_MS)
            since = demo.monitoring.storage_state().waiting_since
            assert since is not None
            assert strip.text().startswith(
                f"Unit overview cannot see this station since "
                f"{since.astimezone(local_tz()):%H:%M} - events kept, will be sent (")
            # Persistent: another message on the status line does not replace it, and
            # it stays while more records come to wait (and says how many).
            window.show_technical_problem("No sound device")
            waiting = demo.monitoring.storage_state().records_waiting
            qtbot.waitUntil(lambda: demo.monitoring.storage_state().records_waiting > waiting,
                            timeout=WAIT_MS)
            qtbot.waitUntil(lambda: strip.text() == storage_words(
                demo.monitoring.storage_state(), local_tz()), timeout=WAIT_MS)
            assert strip.isVisible() and window.statusBar().currentMessage() == (
                "No sound device")
            other.execute("ROLLBACK")
            qtbot.waitUntil(lambda: not strip.isVisible(), timeout=WAIT_MS)
        finally:
            other.close()
        # Hidden only once what waited was written: the outage's alarm, start and end.
        [alarm] = stored_alarms(demo.sessions, "storage_unavailable")
        assert stored_kinds(demo.sessions, alarm.id) == ["raised", "condition_ended"]


def test_the_words_name_the_local_time_and_what_waits() -> None:
    at = datetime(2026, 12, 7, 13, 2, tzinfo=UTC)
    assert storage_words(StorageState(), UTC) == ""
    assert storage_words(StorageState(at, 3, 40), UTC) == (
        "Unit overview cannot see this station since 13:02 - events kept, will be sent "
        "(3 records, 40 samples waiting)")
