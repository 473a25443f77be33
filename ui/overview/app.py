"""`infusion-station overview [--db URL]`, and the overview as a window of the chairside
app (Ctrl+U) on the station's own database."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import StorageError, make_sessionmaker, open_database
from station.unit.feed import UnitFeed
from station.unit.sources import change_source
from ui.overview.window import OverviewWindow


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Closed(QObject):
    closed = Signal()


class OwnedOverview(OverviewWindow):
    """The window with its feed: closing it stops the feed."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session],
                 open_settings: Callable[[], object] | None = None) -> None:
        url = engine.url.render_as_string(hide_password=False)
        feed = UnitFeed(sessions, change_source(engine, url), utc_now=_utc_now)
        super().__init__(feed, sessions, utc_now=_utc_now, open_settings=open_settings)
        self.closed = _Closed(self)
        feed.start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        super().closeEvent(event)
        self.feed.stop()
        self.closed.closed.emit()


def add_overview_entry(window: QMainWindow, sessions: sessionmaker[Session],
                       open_settings: Callable[[], object] | None = None) -> QAction:
    """Ctrl+U in the chairside window opens the overview on the station's database (a
    window action, no menu bar: the chairside layout keeps its height); with
    `open_settings`, its Settings button opens the station's settings screen."""
    engine = sessions.kw["bind"]
    opened: list[OwnedOverview] = []
    action = QAction("&Overview of the unit", window)
    action.setShortcut(QKeySequence("Ctrl+U"))

    def show() -> None:
        if not opened:
            overview = OwnedOverview(engine, sessions, open_settings)
            overview.closed.closed.connect(opened.clear)
            opened.append(overview)
        opened[0].show()
        opened[0].raise_()

    action.triggered.connect(show)
    window.addAction(action)
    return action


def run_overview(db_url: str | None, duration_s: float | None = None) -> int:
    """The overview on its own (any workstation of the unit); exit status."""
    try:
        engine = open_database(db_url)
    except StorageError as exc:
        print(f"infusion-station overview: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    del app
    try:
        window = OwnedOverview(engine, make_sessionmaker(engine))
        loop = QEventLoop()
        window.closed.closed.connect(loop.quit)
        stopper = QTimer(window)
        stopper.setSingleShot(True)
        stopper.timeout.connect(window.close)
        window.resize(1900, 1000)
        window.show()
        if duration_s is not None:
            stopper.start(int(duration_s * 1000))
        loop.exec()
        stopper.stop()
    finally:
        engine.dispose()
    return 0
