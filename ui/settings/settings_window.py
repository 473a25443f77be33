"""Alarm settings and drug-library entries, for a charge nurse or an administrator.

Thin: the audited `LibraryAdministration`, the station's signed-in session and the
service runner come in through the constructor. The file is read and changed on the
runner's worker; the window checks each typed value (naming the field) and the
service validates the whole library before anything is written. Anyone else sees the
same values read-only, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station.access.library_admin import LibraryAdministration
from station.access.library_edit import (
    ALARM_FIELDS,
    DRUG_FIELDS,
    STEPS_KEY,
    TIMING_DEFAULTS,
    TIMING_FIELDS,
    TIMING_TABLE,
    FieldRefusedError,
    LibrarySettings,
    TableSettings,
)
from station.access.roles import Permission, allows
from station.domain.drug_library import DrugLibrary
from station.domain.library_checker import DrugLibraryError
from station.services import AccessDeniedError, NotSignedInError
from station.services.context import ActingUser
from ui.settings.fields_form import FieldsForm
from ui.settings.steps_editor import StepsEditor
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import TOUCH_PX, MessageLine, big_label, touch_button

FONT_PT = 12  # read at arm's length, as the chair panels are
APPLIES = ("Alarm settings and drug entries apply as soon as they are saved (running "
           "timers included); the alarm timing applies from the next start of the station.")
APPLIES_NOW = "The station works with it now."
APPLIES_AT_START = "It applies from the next start of the station."
_MAY = (Permission.CHANGE_ALARM_SETTINGS, Permission.CHANGE_DRUG_LIBRARY)
ALARMS_TAB, DRUGS_TAB, TIMING_TAB = range(3)
_TIMING_HINTS = {key: f"default: {minutes:g} min"
                 for key, minutes in TIMING_DEFAULTS.items()}


@dataclass(frozen=True)
class Refusal:
    """A change the service refused (nothing was written), and the field it names."""

    message: str
    key: str | None = None


def edit_permission(who: ActingUser, locked: bool) -> tuple[bool, str]:
    """Whether ``who`` may change the settings now, and the words that say so."""
    if locked:
        return False, "Read only: the station is locked. Sign in at the station first."
    try:
        name, roles = who.name, who.roles
    except NotSignedInError:
        return False, "Read only: nobody is signed in at this station."
    if all(allows(roles, permission) for permission in _MAY):
        return True, f"{name} may change these settings; every change is audited."
    held = " and ".join(sorted(role.value.replace("_", " ") for role in roles)) or "no role"
    return False, (f"Read only: {name} is signed in as {held}. Only a charge nurse or an "
                   "administrator changes alarm settings and the drug library.")


class SettingsWindow(QWidget):
    """Three tabs: alarm settings (defaults, per unit, per drug), drug entries, and the
    unit's alarm timing (audio pause, escalation of unanswered alarms)."""

    def __init__(self, admin: LibraryAdministration, who: ActingUser, runner: ServiceRunner,
                 *, locked: Callable[[], bool] = lambda: False,
                 use_library: Callable[[DrugLibrary], None] = lambda _library: None,
                 parent: QWidget | None = None) -> None:
        """``use_library`` hands a saved library to the running station (on the worker)."""
        super().__init__(parent)
        self.setWindowTitle("Alarm settings and drug library")
        # A style sheet, not setFont: the fields' and tabs' own style sheets would stop
        # a font set on the window from reaching them.
        self.setStyleSheet(f"QWidget {{ font-size: {FONT_PT}pt; }}"
                           f" QLabel#access {{ font-size: {FONT_PT + 1}pt; font-weight: bold; }}")
        self._admin, self._who, self._runner, self._locked = admin, who, runner, locked
        self._use_library = use_library
        self._settings: LibrarySettings | None = None
        self.may_edit = False
        self.access = big_label(points=FONT_PT + 1)
        self.access.setObjectName("access")
        self.access.setAccessibleName("Who may change the settings")
        self.applies = QLabel(APPLIES)
        self.applies.setWordWrap(True)
        self.applies.setStyleSheet("background: #dde8f5; color: #0b2a4a; padding: 4px;")
        self.applies.setAccessibleName("When a change applies")
        self.alarm_table = QComboBox()
        self.alarm_table.setAccessibleName("Alarm settings of")
        self.alarm_form = FieldsForm(ALARM_FIELDS)
        self.drug = QComboBox()
        self.drug.setAccessibleName("Drug")
        self.drug_form = FieldsForm(DRUG_FIELDS)
        self.steps = StepsEditor()
        self.timing_form = FieldsForm(TIMING_FIELDS)
        for combo in (self.alarm_table, self.drug):
            combo.setMinimumHeight(TOUCH_PX)
        self.tabs = QTabWidget()
        self.tabs.setStyleSheet("QTabBar::tab { min-height: 40px; min-width: 180px;"
                                " padding: 2px 8px; }")
        self.tabs.addTab(self._alarm_page(), "Alarm settings")
        self.tabs.addTab(self._drug_page(), "Drug library")
        timing = QScrollArea()
        timing.setWidget(self.timing_form)
        timing.setWidgetResizable(True)
        self.tabs.addTab(timing, "Alarm timing")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the change")
        self.reason.setPlaceholderText("Why (pharmacy review, unit policy ...); it is audited")
        self.reason.setMinimumHeight(TOUCH_PX)
        self.save_button = touch_button("Save", "Save the change")
        self.save_button.clicked.connect(self.save)
        self.message = MessageLine()
        self.alarm_table.currentIndexChanged.connect(lambda _i: self._show_alarm_table())
        self.drug.currentIndexChanged.connect(lambda _i: self._show_drug())
        # A message about another tab's table would read as about this one.
        self.tabs.currentChanged.connect(lambda _i: self.message.clear())
        self._lay_out()

    def _lay_out(self) -> None:
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Reason:"))
        bottom.addWidget(self.reason, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.access)
        layout.addWidget(self.applies)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.message)

    def _alarm_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        pick = QFormLayout()
        pick.addRow("Settings of:", self.alarm_table)
        layout.addLayout(pick)
        layout.addWidget(self.alarm_form)
        layout.addStretch(1)
        return page

    def _drug_page(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        pick = QFormLayout()
        pick.addRow("Drug:", self.drug)
        left.addLayout(pick)
        left.addWidget(self.drug_form)
        left.addStretch(1)
        layout.addLayout(left, 3)
        layout.addWidget(self.steps, 2)
        return page

    # -- reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Who may edit (now), and the library as its file says (read on the worker)."""
        self.may_edit, words = edit_permission(self._who, self._locked())
        self.access.setText(words)
        self.access.setStyleSheet("" if self.may_edit else "color: #5a3d00;")
        for form in self._forms():
            form.set_read_only(not self.may_edit)
        self.steps.set_read_only(not self.may_edit)
        self.reason.setEnabled(self.may_edit)
        self.save_button.setEnabled(self.may_edit)
        self._runner.call(self._admin.current_settings, self._show_settings,
                          self.message.problem, doing="read the drug library")

    def _show_settings(self, settings: object) -> None:
        assert isinstance(settings, LibrarySettings)
        self._settings = settings
        for combo, tables in ((self.alarm_table, [t for t in settings.tables
                                                  if t.table != TIMING_TABLE]),
                              (self.drug, [t for t in settings.tables
                                           if t.table.startswith("drug.")])):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for table in tables:
                title = table.title.removeprefix("Drug ") if combo is self.drug else table.title
                combo.addItem(title, table.table)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        self._show_alarm_table()
        self._show_drug()
        self.timing_form.show_values(settings.table(TIMING_TABLE).values, unset="",
                                     hints=_TIMING_HINTS)

    def _forms(self) -> tuple[FieldsForm, FieldsForm, FieldsForm]:
        """The form of each tab, in tab order."""
        return self.alarm_form, self.drug_form, self.timing_form

    def _shown_table(self) -> TableSettings | None:
        tab = self.tabs.currentIndex()
        if tab == TIMING_TAB:
            return None if self._settings is None else self._settings.table(TIMING_TABLE)
        return self._table(self.drug if tab == DRUGS_TAB else self.alarm_table)

    def _table(self, combo: QComboBox) -> TableSettings | None:
        name = combo.currentData()
        if self._settings is None or not isinstance(name, str):
            return None
        return self._settings.table(name)

    def _show_alarm_table(self) -> None:
        table = self._table(self.alarm_table)
        if table is not None:
            unset = "" if table.table == "defaults" else "not set here: the defaults apply"
            self.alarm_form.show_values(table.values, unset=unset)

    def _show_drug(self) -> None:
        table = self._table(self.drug)
        if table is None:
            return
        self.drug_form.show_values(table.values, unset="not set here: the defaults apply",
                                   rate_unit=table.rate_unit)
        self.steps.setVisible(table.steps is not None)
        self.steps.show_steps(table.steps or (), table.rate_unit)

    # -- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        """Check the fields of the shown tab, then have the service store the change."""
        on_drugs = self.tabs.currentIndex() == DRUGS_TAB
        table = self._shown_table()
        if not self.may_edit or table is None:
            return
        form = self._forms()[self.tabs.currentIndex()]
        try:
            changes = form.values()
            steps = self.steps.steps() if on_drugs and table.steps is not None else None
        except FieldRefusedError as refused:
            self._refused(Refusal(str(refused), refused.key))
            return
        reason, admin, use = self.reason.text(), self._admin, self._use_library
        self.save_button.setEnabled(False)
        self.message.done("Saving ...")

        def change() -> object:
            saved = _attempt(lambda: admin.change_entry(table.table, changes, reason, steps))
            if isinstance(saved, DrugLibrary):
                use(saved)  # on the worker, between two service calls
            return saved
        when = APPLIES_AT_START if table.table == TIMING_TABLE else APPLIES_NOW
        self._runner.call(change, lambda result: self._saved(result, f"{table.title}. {when}"),
                          self._failed, doing="save the settings")

    def _saved(self, result: object, said: str) -> None:
        self.save_button.setEnabled(self.may_edit)
        if isinstance(result, Refusal):
            self._refused(result)
            return
        self.reason.clear()
        self.message.done(f"Saved and audited: {said}")
        self._runner.call(self._admin.current_settings, self._show_settings,
                          self.message.problem, doing="read the drug library")

    def _failed(self, message: str) -> None:
        self.save_button.setEnabled(self.may_edit)
        self.message.problem(f"{message} Nothing was changed.")

    def _refused(self, refusal: Refusal) -> None:
        self.message.problem(f"Not saved: {refusal.message}. The library is unchanged.")
        if refusal.key == STEPS_KEY:
            self.steps.table.setFocus()
        elif refusal.key is not None:
            self._forms()[self.tabs.currentIndex()].mark_wrong(refusal.key)


def _attempt(change: Callable[[], object]) -> object:
    """On the worker: the new library, or a Refusal for what the nurse can correct."""
    try:
        return change()
    except FieldRefusedError as refused:
        return Refusal(str(refused), refused.key)
    except (DrugLibraryError, AccessDeniedError, ValueError) as refused:
        return Refusal(str(refused))

