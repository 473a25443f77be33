"""The overview window: the chairs' grid, the unit alarm list, a read-only chair view.

Thin: the feed (database reads on its own thread) and the sessions come in through the
constructor. The feed's notifications only mark the view dirty; a timer redraws
(at most four times a second, at least once a second for the minutes in the words).
An acknowledgement is stored off the GUI thread, and the station that owns the chair
carries it out.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import StorageError
from station.training import is_training
from station.unit.acks import request_acknowledgement
from station.unit.feed import UnitFeed, local_day
from station.unit.shift import ShiftCounters
from station.unit.tiles import ChairTile
from ui.overview.alarm_model import UnitAlarmModel
from ui.overview.chair_view import ChairView
from ui.overview.db_worker import DbWorker
from ui.overview.tile_grid import TileGrid
from ui.overview.timeline_view import TimelineView
from ui.reports.export_action import default_export_dir
from ui.reports.export_jobs import ExportRequest, run_export

TICK_MS = 250
WORDS_REFRESH_S = 1.0
ALL = "All chairs"


class _FeedSignal(QObject):
    changed = Signal()


class OverviewWindow(QMainWindow):
    """Every chair of the unit at once, for the charge nurse."""

    def __init__(self, feed: UnitFeed, sessions: sessionmaker[Session], *,
                 user: str = "charge nurse", user_id: int | None = None,
                 utc_now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 export_dir: Path | None = None,
                 open_settings: Callable[[], object] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._export_dir = export_dir or default_export_dir()
        self.setWindowTitle("Unit overview")
        self.feed = feed
        self._sessions = sessions
        self._user, self._user_id = user, user_id
        self._utc_now = utc_now
        self._dirty = True
        self._last_redraw = 0.0
        self.redraws = 0
        self.worker = DbWorker(self)
        self.worker.failed.connect(self._show_failure)
        self.grid = TileGrid()
        self.timeline = TimelineView()
        self.grid.chair_activated.connect(self._open_chair)
        self.filter = QComboBox()
        self.filter.setAccessibleName("Show chairs of")
        self.filter.addItem(ALL)
        self.filter.currentTextChanged.connect(lambda _text: self._mark_dirty())
        self.status = QLabel()
        self.counters = QLabel()
        self.counters.setAccessibleName("Shift counters")
        self.alarms = UnitAlarmModel()
        self.alarm_table = QTableView()
        self.alarm_table.setModel(self.alarms)
        self.alarm_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.alarm_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.alarm_table.horizontalHeader().setStretchLastSection(True)
        self.ack_button = QPushButton("Acknowledge at its station")
        self.ack_button.setToolTip("Asks the chair's station to acknowledge the alarm; "
                                   "nothing is reset and nothing is sent to the pump.")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.shift_button = QPushButton("Shift report (PDF)")
        self.shift_button.setAccessibleName("Export today's shift report")
        self.shift_button.setMinimumHeight(44)
        self.shift_button.clicked.connect(self.export_shift_report)
        self.export_status = QLabel()
        self.export_status.setAccessibleName("Shift report export")
        self.settings_button = settings_button(open_settings)
        self.chair_view = ChairView(sessions, self.worker)
        self._lay_out()
        self._signal = _FeedSignal()
        self._signal.changed.connect(self._mark_dirty)
        self._unsubscribe = feed.subscribe(lambda _labels: self._signal.changed.emit())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(TICK_MS)

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.filter)
        bar.addStretch(1)
        bar.addWidget(self.counters)
        bar.addStretch(1)
        bar.addWidget(self.status)
        bar.addWidget(self.shift_button)
        bar.addWidget(self.export_status)
        bar.addWidget(self.settings_button)
        scroll = QScrollArea()
        scroll.setWidget(self.grid)
        scroll.setWidgetResizable(True)
        day = QScrollArea()
        day.setWidget(self.timeline)
        day.setWidgetResizable(True)
        self.views = QTabWidget()
        self.views.addTab(scroll, "Chairs")
        self.views.addTab(day, "Today's schedule")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(QLabel("Unit alarms (highest priority, then oldest, first)"))
        side_layout.addWidget(self.alarm_table, 1)
        side_layout.addWidget(self.ack_button)
        side_layout.addWidget(self.chair_view, 2)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.views)
        split.addWidget(side)
        split.setSizes([7 * 186, 480])  # seven columns of tiles: 48 chairs on 1920x1080
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)

    # -- redraw on a timer ----------------------------------------------------------------

    def _mark_dirty(self) -> None:
        self._dirty = True

    def _tick(self) -> None:
        if self._dirty or time.monotonic() - self._last_redraw >= WORDS_REFRESH_S:
            self.redraw()

    def redraw(self) -> None:
        """Take the feed's tiles now (no database work: the feed has read them)."""
        now = self._utc_now()
        self._dirty = False
        self._last_redraw = time.monotonic()
        tiles = self.feed.tiles(now)
        self._update_filter(tiles)
        shown = tuple(t for t in tiles if self._passes(t))
        self.grid.set_tiles(shown, now)
        self.alarms.set_alarms(sorted((a for t in shown for a in t.alarms),
                                      key=lambda a: a.sort_key()))
        health = self.feed.health()
        self.status.setText(
            f"{sum(1 for t in tiles if t.facts.infusion_status == 'running')} infusing, "
            f"{len(self.alarms.alarms)} alarms"
            + ("" if health.listening and not health.read_failed
               else "  |  the overview cannot reach the database: chairs are stale"))
        self.counters.setText(counters_text(self.feed.counters()))
        labels = {t.label for t in shown}
        self.timeline.set_days(tuple(d for d in self.feed.timeline() if d.label in labels), now)
        self.redraws += 1

    def _update_filter(self, tiles: tuple[ChairTile, ...]) -> None:
        wanted = [ALL, *sorted({f"Nurse: {t.facts.nurse}" for t in tiles if t.facts.nurse}),
                  *sorted({f"Pod: {t.facts.pod}" for t in tiles if t.facts.pod})]
        have = [self.filter.itemText(i) for i in range(self.filter.count())]
        if wanted != have:
            current = self.filter.currentText()
            self.filter.blockSignals(True)
            self.filter.clear()
            self.filter.addItems(wanted)
            self.filter.setCurrentText(current if current in wanted else ALL)
            self.filter.blockSignals(False)

    def _passes(self, tile: ChairTile) -> bool:
        choice = self.filter.currentText()
        if choice.startswith("Nurse: "):
            return tile.facts.nurse == choice.removeprefix("Nurse: ")
        if choice.startswith("Pod: "):
            return tile.facts.pod == choice.removeprefix("Pod: ")
        return True

    # -- what the charge nurse does -------------------------------------------------------

    def acknowledge_selected(self) -> None:
        rows = self.alarm_table.selectionModel().selectedRows()
        alarm = self.alarms.alarm_at(rows[0].row()) if rows else None
        if alarm is None:
            self.status.setText("Pick an alarm in the list first.")
            return
        origin = f"overview@{socket.gethostname()}"
        self.worker.run(lambda: request_acknowledgement(
            self._sessions, alarm, who=self._user, user_id=self._user_id, origin=origin,
            utc_now=self._utc_now), lambda _id: self.status.setText(
                f"Acknowledgement of {alarm.condition.replace('_', ' ')} at "
                f"{alarm.chair_label} sent to its station."))

    def _open_chair(self, label: str) -> None:
        self.chair_view.show_chair(self.feed.facts(label))

    def export_shift_report(self) -> None:
        """Today's shift report (local midnight to now) as a PDF, written off the GUI
        thread; the line beside the button says where it went, or why it could not (the
        status line is rewritten every tick, so it would not stay there)."""
        end = self._utc_now()
        local = end.astimezone()
        start, _ = local_day(end)  # the shift counters' day too
        path = self._export_dir / f"shift-{local:%Y%m%d-%H%M}.pdf"
        sessions, folder = self._sessions, self._export_dir

        def job() -> tuple[str, str]:
            try:
                training = is_training(sessions)
                target = path.with_name("TRAINING-" + path.name) if training else path
                folder.mkdir(parents=True, exist_ok=True)
                run_export(sessions, ExportRequest("shift", target, start=start, end=end,
                                                   tz=local.tzinfo or UTC, training=training))
            except (OSError, StorageError, ValueError) as exc:
                return "Shift report not written", f"Could not write the shift report: {exc}"
            return f"Shift report saved: {target.name}", str(target)
        self.worker.run(job, self._show_export)

    def _show_export(self, said: tuple[str, str]) -> None:
        # The words stay short so the bar never widens the window; the tooltip has the rest.
        self.export_status.setText(said[0])
        self.export_status.setToolTip(said[1])

    def _show_failure(self, message: str) -> None:
        self.status.setText(message)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.timer.stop()
        self._unsubscribe()
        self.worker.shutdown()
        super().closeEvent(event)


def settings_button(open_settings: Callable[[], object] | None) -> QPushButton:
    """The station's settings screen (ui/settings), when the overview is opened from a
    station whose sign-in says who may change them; the stand-alone overview has no
    sign-in, so no button."""
    button = QPushButton("Settings")
    button.setAccessibleName("Alarm settings and drug library")
    button.setMinimumHeight(44)
    button.setVisible(open_settings is not None)
    if open_settings is not None:
        button.clicked.connect(open_settings)
    return button


def counters_text(counters: ShiftCounters | None) -> str:
    """The shift so far, in one line."""
    if counters is None:
        return "Shift: counting..."
    rate = counters.alarms_per_chair_hour
    ack = counters.median_ack_s
    return (f"Shift: {counters.running} running, {counters.completed} completed, "
            f"{'-' if rate is None else f'{rate:.1f}'} alarms per chair-hour, "
            f"median acknowledgement {'-' if ack is None else f'{ack:.0f} s'}, "
            f"{counters.pause_minutes:.0f} pause min, {counters.reactions} reactions")
