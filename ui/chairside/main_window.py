"""The chairside workstation window: 1-4 chair panels, the unit alarm list, status line.

Chairs sit in a grid when the screen is tall enough for a readable plot per chair
(1920x1080), else in tabs whose titles carry each chair's state (1366x768), with the
unit's alarm list always beside them. One `RedrawClock` refreshes everything ~10 times
a second, whatever the sample rate; the alarm sound follows the most urgent chair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station.alarms import ChairAlarms, station_sound
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.alarm_banner import TOUCH_PX
from ui.alarms.alarm_list_model import Column
from ui.alarms.alarm_list_panel import AlarmListPanel
from ui.alarms.alarm_sound import AlarmSound
from ui.chairside.chair_panel import ChairPanel
from ui.chairside.storage_strip import StorageStrip
from ui.widgets.redraw_clock import RedrawClock

GRID_MIN_HEIGHT_PX = 1000  # below this, one chair at a time (tabs) keeps the plot readable
ALARM_LIST_MIN_WIDTH_PX = 460  # its three touch controls side by side, sized to their text
# Below this window width (1366x768) the unit list is narrow: the chair needs the width
# for its numerics on one line each.
NARROW_BELOW_PX = 1600
ALARM_LIST_NARROW_PX = 320
GRID_MAX_CHAIRS = 2  # four full chair panels do not fit 1080 px with a readable plot
TRAINING_TEXT = "TRAINING: simulated pumps and made-up patients, not for patient care"


def wants_grid(chairs: int, screen_height_px: int) -> bool:
    """All chairs at once when they fit with a readable plot, else one tab per chair."""
    return chairs == 1 or (chairs <= GRID_MAX_CHAIRS and screen_height_px >= GRID_MIN_HEIGHT_PX)


class MainWindow(QMainWindow):
    """The workstation; `closed` is emitted once its views and timers are stopped."""

    closed = Signal()

    def __init__(self, panels: Sequence[ChairPanel], station_actions: AlarmActions, *,
                 training: bool, sound: AlarmSound | None = None, grid: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not 1 <= len(panels) <= 4:
            raise ValueError("the workstation shows 1 to 4 chairs")
        self.panels = list(panels)
        self.training = training
        self.sound = sound
        self.setWindowTitle(("TRAINING - " if training else "") + "Infusion chairside station")
        actions: dict[str, AlarmActions] = {p.chair_id: p.parts.actions for p in self.panels}
        actions["Station"] = station_actions
        self.alarm_list = AlarmListPanel(actions)
        self.alarm_list.setMinimumWidth(ALARM_LIST_MIN_WIDTH_PX)
        # The chair's banner says what to do; the unit list stays narrow enough to read.
        self.alarm_list.view.setColumnHidden(Column.WHAT_TO_DO, True)
        for control in (self.alarm_list.ack_button, self.alarm_list.reset_button):
            control.setMinimumWidth(TOUCH_PX)  # still 44 px high; as wide as the words
        self.training_mark = self._training_mark()
        self.tabs: QTabWidget | None = None
        self.clock = RedrawClock(plot_budget=2, parent=self)
        self._grid = grid
        self._built = False
        # Sign-in (ui/signin): what covers the chairs while nobody is signed in, and
        # who is signed in, above the alarm list.
        self.stack = QStackedWidget()
        self._cover: QWidget | None = None
        self._cover_shown = False
        self._user_bar: QWidget | None = None
        self.storage_strip: StorageStrip | None = None
        self._hidden_workflows: list[QWidget] = []
        self._all_alarms: list[ChairAlarms] = [
            *(p.parts.alarms for p in self.panels), station_actions.chair]
        self.statusBar().setSizeGripEnabled(False)
        for index, panel in enumerate(self.panels, start=1):
            focus = QShortcut(QKeySequence(f"Alt+{index}"), self)
            focus.activated.connect(self._focuser(index - 1))
            self.clock.add(panel)
            self.clock.add_plot(panel.plot)
        self.clock.add(self.alarm_list)
        self.clock.ticked.connect(self._on_tick)
        if sound is not None:
            sound.device_missing.connect(self._on_sound_missing)
            sound.device_restored.connect(self.statusBar().clearMessage)

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Lay out for the current size, start the redraw clock and the sound."""
        self._build()
        self.clock.start()
        if self.sound is not None:
            self.sound.start()

    def set_cover(self, cover: QWidget) -> None:
        """The screen shown instead of the chairs by `show_cover(True)` (sign-in, lock)."""
        self._cover = cover
        self.stack.addWidget(cover)

    def set_storage_strip(self, strip: StorageStrip) -> None:
        """The strip saying the unit overview cannot see this station, above the chairs."""
        self.storage_strip = strip
        self.clock.add(strip)

    def set_user_bar(self, bar: QWidget) -> None:
        """Who is signed in (and sign-out), placed above the unit's alarm list."""
        self._user_bar = bar

    def show_cover(self, shown: bool) -> None:
        """Show the cover instead of the chairs (True), or the chairs again (False).

        The chairs' workflow windows (a check-in, a running break) float over the
        window: they are hidden with the chairs and shown again after.
        """
        self._cover_shown = shown and self._cover is not None
        if self._cover_shown:
            for panel in self.panels:
                for window in (panel.workflow, panel.break_window):
                    if window is not None and window.isVisible():
                        window.hide()
                        self._hidden_workflows.append(window)
        else:
            for hidden in self._hidden_workflows:
                hidden.show()
            self._hidden_workflows.clear()
        if self._built and self._cover is not None:
            self.stack.setCurrentIndex(self.stack.indexOf(self._cover) if self._cover_shown
                                       else 0)

    @property
    def covered(self) -> bool:
        return self._cover_shown

    def show_technical_problem(self, text: str) -> None:
        """A problem of the station itself (no sound device, storage waiting ...)."""
        self.statusBar().showMessage(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_alarm_list(event.size().width() < NARROW_BELOW_PX)

    def _fit_alarm_list(self, narrow: bool) -> None:
        if narrow == self.alarm_list.narrow:
            return
        self.alarm_list.set_narrow(narrow)
        if narrow:
            self.alarm_list.setMinimumWidth(ALARM_LIST_NARROW_PX)
            self.alarm_list.setMaximumWidth(ALARM_LIST_NARROW_PX)
        else:
            self.alarm_list.setMinimumWidth(ALARM_LIST_MIN_WIDTH_PX)
            self.alarm_list.setMaximumWidth(16777215)  # QWIDGETSIZE_MAX: no limit

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.clock.stop()
        if self.sound is not None:
            self.sound.stop()
        for panel in self.panels:
            panel.close_workflow()
            panel.alarm_banner.close()
        super().closeEvent(event)
        self.closed.emit()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        grid = self._grid
        if grid is None:
            screen = self.screen()
            height = screen.availableGeometry().height() if screen else 768
            grid = wants_grid(len(self.panels), height)
        chairs = self._chair_grid() if grid else self._chair_tabs()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(chairs)
        splitter.addWidget(self._side())
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        if self.training:
            layout.addWidget(self.training_mark)
        if self.storage_strip is not None:
            layout.addWidget(self.storage_strip)
        layout.addWidget(splitter, 1)
        self.stack.insertWidget(0, central)
        self.setCentralWidget(self.stack)
        self.show_cover(self._cover_shown)

    def _side(self) -> QWidget:
        if self._user_bar is None:
            return self.alarm_list
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._user_bar)
        column.addWidget(self.alarm_list, 1)
        return side

    def _chair_grid(self) -> QWidget:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        columns = 1 if len(self.panels) == 1 else 2
        for index, panel in enumerate(self.panels):
            grid.addWidget(panel, index // columns, index % columns)
        return holder

    def _chair_tabs(self) -> QWidget:
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Chairs")
        self.tabs.setStyleSheet("QTabBar::tab { min-height: 44px; min-width: 180px;"
                                " font-size: 12pt; padding: 2px 8px; }")
        for panel in self.panels:
            self.tabs.addTab(panel, panel.chair_id)
        return self.tabs

    def _training_mark(self) -> QLabel:
        mark = QLabel(TRAINING_TEXT)
        mark.setAccessibleName("Training mode")
        mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mark.setStyleSheet("background: #f0e442; color: #000000; font-size: 12pt;"
                           " font-weight: bold; padding: 2px; border: 3px dashed #000000;")
        return mark

    # -- on the redraw clock --------------------------------------------------------------

    def _on_tick(self) -> None:
        if self.sound is not None:
            self.sound.play(station_sound(self._all_alarms))
        if self.tabs is not None:
            for index, panel in enumerate(self.panels):
                state = panel.state()
                text = f"{panel.chair_id}: {state.text}"
                if self.tabs.tabText(index) != text:  # a change re-lays out the tab bar
                    self.tabs.setTabText(index, text)

    def _on_sound_missing(self, reason: str) -> None:
        self.show_technical_problem(
            f"No sound device: alarms are shown on screen but cannot be heard ({reason}). "
            "Tell technical support.")

    def _focuser(self, index: int) -> object:
        def focus() -> None:
            if self.tabs is not None:
                self.tabs.setCurrentIndex(index)
            self.panels[index].setFocus()
        return focus

    def chair(self, chair_id: str) -> ChairPanel:
        return next(p for p in self.panels if p.chair_id == chair_id)

    @property
    def actions_by_chair(self) -> Mapping[str, AlarmActions]:
        return self.alarm_list.actions_by_chair
