"""The overview window on a real SQLite file with the in-process notifier: painted tiles,
the unit alarm list, filters, acknowledgement, the read-only chair view."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import Priority
from station.persistence import Records, make_sessionmaker
from station.persistence.unit import AckRequest
from station.unit.feed import UnitFeed
from station.unit.leases import LeaseBook
from station.unit.sqlite_changes import sqlite_changes
from station.unit.tiles import TileAlarm, TileState
from tests.monitoring.conftest import migrated
from tests.unit.world import Unit, raise_alarm, seed_unit, write_telemetry
from ui.alarms.palette import BLUISH_GREEN, VERMILLION
from ui.cli import build_parser
from ui.overview.alarm_model import UnitAlarmModel
from ui.overview.window import OverviewWindow


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Shown:
    window: OverviewWindow
    sessions: sessionmaker[Session]
    unit: Unit


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = migrated(f"sqlite:///{tmp_path / 'unit.sqlite'}")
    yield eng
    eng.dispose()


@pytest.fixture
def shown(qtbot: QtBot, engine: Engine) -> Iterator[Shown]:
    sessions = make_sessionmaker(engine)
    unit = seed_unit(sessions, utc_now())
    write_telemetry(sessions, unit.infusion_id, utc_now(), 120)
    station = LeaseBook(sessions, "ws-1", utc_now=utc_now)
    station.register()
    station.acquire(["C1", "C2", "C3"])
    feed = UnitFeed(sessions, sqlite_changes(engine), utc_now=utc_now)
    window = OverviewWindow(feed, sessions, user="charge.nurse", user_id=unit.nurse_id)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    feed.start()
    qtbot.waitUntil(lambda: len(window.grid.tiles) == 3, timeout=10_000)
    yield Shown(window, sessions, unit)
    window.close()
    feed.stop()


def band_pixel(window: OverviewWindow, index: int) -> QColor:
    rect = window.grid.tile_rect(index)
    image = window.grid.grab().toImage()
    return image.pixelColor(int(rect.left() + 3), int(rect.top() + 5))


def test_tiles_show_state_in_colour_symbol_and_words(shown: Shown) -> None:
    c1, c2, _ = shown.window.grid.tiles
    assert (c1.state, c1.words) == (TileState.INFUSING, "infusing 100 mL/h")
    assert c2.state is TileState.EMPTY
    assert band_pixel(shown.window, 0) == QColor(BLUISH_GREEN)
    assert shown.window.grid.paints > 0


def test_an_alarm_appears_in_the_tile_and_the_unit_list(qtbot: QtBot, shown: Shown) -> None:
    raise_alarm(shown.sessions, "occlusion", "high", utc_now(),
                chair_id=shown.unit.chair_ids["C1"])
    raise_alarm(shown.sessions, "volume_near_end", "low", utc_now() - timedelta(minutes=1),
                chair_id=shown.unit.chair_ids["C3"])
    qtbot.waitUntil(lambda: len(shown.window.alarms.alarms) == 2, timeout=10_000)
    model = shown.window.alarms
    assert model.data(model.index(0, 0)) == "*** HIGH"
    assert model.data(model.index(0, 1)) == "C1"
    assert model.data(model.index(1, 2)) == "volume near end (technical)"
    qtbot.waitUntil(lambda: band_pixel(shown.window, 0) == QColor(VERMILLION), timeout=5_000)


def test_filter_by_pod_and_by_nurse(qtbot: QtBot, shown: Shown) -> None:
    window = shown.window
    assert [window.filter.itemText(i) for i in range(window.filter.count())] == [
        "All chairs", "Nurse: Nurse A", "Pod: A", "Pod: B"]
    window.filter.setCurrentText("Pod: B")
    qtbot.waitUntil(lambda: [t.label for t in window.grid.tiles] == ["C3"], timeout=5_000)
    window.filter.setCurrentText("Nurse: Nurse A")
    qtbot.waitUntil(lambda: [t.label for t in window.grid.tiles] == ["C1", "C2"], timeout=5_000)


def test_acknowledge_stores_a_request_for_the_chairs_station(qtbot: QtBot,
                                                             shown: Shown) -> None:
    raise_alarm(shown.sessions, "occlusion", "high", utc_now(),
                chair_id=shown.unit.chair_ids["C1"])
    qtbot.waitUntil(lambda: len(shown.window.alarms.alarms) == 1, timeout=10_000)
    shown.window.alarm_table.selectRow(0)
    QTest.mouseClick(shown.window.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "acknowledgement asked" in str(
        shown.window.alarms.data(shown.window.alarms.index(0, 3))), timeout=10_000)
    [request] = Records(shown.sessions).select_all(sa.select(AckRequest))
    assert (request.chair_label, request.condition, request.requested_by_id,
            request.handled_at) == ("C1", "occlusion", shown.unit.nurse_id, None)


def test_acknowledge_without_a_selection_says_so(shown: Shown) -> None:
    QTest.mouseClick(shown.window.ack_button, Qt.MouseButton.LeftButton)
    assert shown.window.status.text() == "Pick an alarm in the list first."


def test_a_click_on_a_tile_opens_the_read_only_chair_view(qtbot: QtBot, shown: Shown) -> None:
    rect = shown.window.grid.tile_rect(0)
    QTest.mouseClick(shown.window.grid, Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier,
                     QPoint(int(rect.center().x()), int(rect.center().y())))
    qtbot.waitUntil(lambda: len(shown.window.chair_view.buffer) == 120, timeout=10_000)
    assert shown.window.chair_view.title.text().startswith("C1 J.D. ocrelizumab (read-only")


def test_the_alarm_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = UnitAlarmModel()
    now = utc_now()
    model.set_alarms([
        TileAlarm(7, "C1", "occlusion", Priority.HIGH, "active", False, now),
        TileAlarm(None, "C2", "station_silent", Priority.MEDIUM, "active", True, now),
    ])
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) is not None


def test_the_shift_counters_are_shown(qtbot: QtBot, shown: Shown) -> None:
    qtbot.waitUntil(lambda: shown.window.counters.text().startswith("Shift: 1 running"),
                    timeout=10_000)
    assert "0 completed" in shown.window.counters.text()


def test_todays_schedule_shows_each_chair_and_when_it_is_free(qtbot: QtBot,
                                                              shown: Shown) -> None:
    window = shown.window
    qtbot.waitUntil(lambda: len(window.timeline.days) == 3, timeout=10_000)
    window.views.setCurrentIndex(1)
    c1, _, c3 = window.timeline.days
    [slot] = c1.slots
    assert slot.delay == timedelta(minutes=10) and slot.actual_start is not None
    assert c3.free_from(window.timeline.now) == window.timeline.now
    image = window.timeline.grab().toImage()
    actual_x = int(window.timeline.x_of(slot.actual_start + timedelta(minutes=5)))
    assert image.pixelColor(actual_x, 18 + 10) == QColor(BLUISH_GREEN)  # C1 infusing
    window.filter.setCurrentText("Pod: B")
    qtbot.waitUntil(lambda: [d.label for d in window.timeline.days] == ["C3"], timeout=5_000)


def test_the_command_line_has_an_overview() -> None:
    args = build_parser().parse_args(["overview", "--db", "sqlite:///x.sqlite"])
    assert (args.db, args.duration) == ("sqlite:///x.sqlite", None)


def test_the_shift_report_is_exported_from_the_overview(
        qtbot: QtBot, engine: Engine, tmp_path: Path) -> None:
    sessions = make_sessionmaker(engine)
    seed_unit(sessions, utc_now())
    feed = UnitFeed(sessions, sqlite_changes(engine), utc_now=utc_now)
    window = OverviewWindow(feed, sessions, export_dir=tmp_path / "exports")
    qtbot.addWidget(window)
    try:
        window.shift_button.click()
        qtbot.waitUntil(lambda: window.export_status.text().startswith("Shift report saved"),
                        timeout=30_000)
        [pdf] = (tmp_path / "exports").glob("shift-*.pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        assert pdf.name in window.export_status.text()
        assert window.export_status.toolTip() == str(pdf)
    finally:
        window.close()
