"""Side effects: the five the patient was told about as one-tap choices, the others in a
list, the CTCAE grade, and the suggested action applied in one step (pump included).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.domain.refusals import Refused
from station.domain.side_effects import (
    ActionTaken,
    ReactionGrade,
    SideEffect,
    SuggestedAction,
    Symptom,
    suggested_action,
)
from station.services import StationServices
from ui.workflows import pump_commands
from ui.workflows.pump_commands import PumpCommands
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import TOUCH_PX, MessageLine, big_label, refusal_text, touch_button

TOLD_ABOUT = (Symptom.DIZZINESS, Symptom.NAUSEA, Symptom.MUSCLE_STIFFNESS,
              Symptom.INJECTION_SITE_ITCH, Symptom.HEADACHE)
GRADE_WORDS = {ReactionGrade.MILD: "1 mild", ReactionGrade.MODERATE: "2 moderate",
               ReactionGrade.SEVERE: "3 severe",
               ReactionGrade.LIFE_THREATENING: "4 life-threatening"}
ACTION_WORDS = {ActionTaken.CONTINUED: "Carry on", ActionTaken.RATE_HALVED: "Slow to half",
                ActionTaken.INTERRUPTED: "Pause", ActionTaken.STOPPED: "Stop",
                ActionTaken.DISCONTINUED: "Stop for good"}
# The one-step action for each suggestion (grade 2: halving keeps the drug going).
APPLIES = {SuggestedAction.CONTINUE: ActionTaken.CONTINUED,
           SuggestedAction.HALVE_AND_HOLD: ActionTaken.RATE_HALVED,
           SuggestedAction.INTERRUPT_OR_HALVE: ActionTaken.RATE_HALVED,
           SuggestedAction.STOP_RESUME_HALF_AT_GRADE_1: ActionTaken.STOPPED,
           SuggestedAction.STOP_FOR_GOOD: ActionTaken.DISCONTINUED}
_STOPS = (ActionTaken.INTERRUPTED, ActionTaken.STOPPED, ActionTaken.DISCONTINUED)


class SideEffectDialog(QDialog):
    """Record a side effect and carry out the chosen action at the pump."""

    recorded = Signal(object)  # SideEffect, once stored and the pump answered

    def __init__(self, services: StationServices, runner: ServiceRunner, appointment_id: int,
                 *, pump: PumpCommands | None = None, infusion_id: int | None = None,
                 drug_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._runner, self._pump = services, runner, pump
        self._appointment_id, self._infusion_id = appointment_id, infusion_id
        drug = services.context.library.find(drug_id) if drug_id else None
        self._halves_mild = bool(drug and drug.titration and drug.titration.reaction_hold)
        self.setWindowTitle("Side effect")
        self.setAccessibleName("Side effect entry")
        self._message = MessageLine()
        symptoms, grades, actions = (self._build_symptoms(), self._build_grades(),
                                     self._build_actions())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What does the patient feel?"))
        layout.addLayout(symptoms)
        layout.addWidget(self.notes)
        layout.addWidget(QLabel("How bad (CTCAE grade)?"))
        layout.addLayout(grades)
        layout.addWidget(self.suggestion)
        layout.addWidget(self.apply_button)
        layout.addWidget(QLabel("Or record a different action:"))
        layout.addLayout(actions)
        layout.addWidget(self.deviation)
        layout.addWidget(self._message)
        self._update_suggestion()

    def _build_symptoms(self) -> QGridLayout:
        self.symptoms = QButtonGroup(self)
        told = QGridLayout()
        for i, symptom in enumerate(TOLD_ABOUT):
            button = self._choice(symptom.value.capitalize(), f"Symptom: {symptom.value}")
            button.setShortcut(f"Alt+{i + 1}")
            self.symptoms.addButton(button, i)
            told.addWidget(button, i // 3, i % 3)
        self.other = QComboBox()
        self.other.setAccessibleName("Other symptom")
        self.other.setMinimumHeight(TOUCH_PX)
        self.other.addItem("Other symptom…", None)
        for symptom in Symptom:
            if symptom not in TOLD_ABOUT:
                self.other.addItem(symptom.value.capitalize(), symptom)
        self.other.currentIndexChanged.connect(self._on_other_chosen)
        told.addWidget(self.other, 1, 2)
        self.notes = QLineEdit()
        self.notes.setAccessibleName("Describe the symptom (needed for other)")
        self.notes.setPlaceholderText("Describe the symptom (needed for \"other\")")
        self.notes.setMinimumHeight(TOUCH_PX)
        return told

    def _build_grades(self) -> QHBoxLayout:
        self.grades = QButtonGroup(self)
        grades = QHBoxLayout()
        for grade in ReactionGrade:
            button = self._choice(f"Grade {GRADE_WORDS[grade]}", f"Grade {GRADE_WORDS[grade]}")
            self.grades.addButton(button, int(grade))
            grades.addWidget(button)
        self.grades.idToggled.connect(lambda *_: self._update_suggestion())
        self.suggestion = big_label(points=15)
        self.suggestion.setAccessibleName("Suggested action")
        return grades

    def _build_actions(self) -> QHBoxLayout:
        self.deviation = QLineEdit()
        self.deviation.setAccessibleName("Reason for a different action")
        self.deviation.setPlaceholderText("Reason, if you choose a different action")
        self.deviation.setMinimumHeight(TOUCH_PX)
        self.apply_button = touch_button("Apply suggested action  (Ctrl+Return)",
                                         "Record and apply the suggested action",
                                         shortcut="Ctrl+Return")
        self.apply_button.clicked.connect(lambda: self.record(self.suggested_action_taken()))
        self.action_buttons: dict[ActionTaken, QPushButton] = {}
        actions = QHBoxLayout()
        for action in ActionTaken:
            words = ACTION_WORDS[action]
            button = touch_button(words, f"Record and {words.lower()}")
            button.clicked.connect(lambda _=False, a=action: self.record(a))
            self.action_buttons[action] = button
            actions.addWidget(button)
        return actions

    @property
    def message(self) -> str:
        return self._message.text()

    def _choice(self, text: str, accessible: str) -> QPushButton:
        button = touch_button(text, accessible)
        button.setCheckable(True)
        # The choice must be obvious from a step away, not only a slightly darker grey.
        button.setStyleSheet("QPushButton:checked { background: #0072b2; color: white; "
                             "font-weight: bold; border: 3px solid black; }")
        return button

    def symptom(self) -> Symptom | None:
        checked = self.symptoms.checkedId()
        if checked >= 0:
            return TOLD_ABOUT[checked]
        data = self.other.currentData()
        return Symptom(data) if data is not None else None

    def grade(self) -> ReactionGrade | None:
        checked = self.grades.checkedId()
        return ReactionGrade(checked) if checked > 0 else None

    def suggested_action_taken(self) -> ActionTaken | None:
        grade = self.grade()
        if grade is None:
            return None
        return APPLIES[suggested_action(grade, label_halves_mild=self._halves_mild)]

    def record(self, action: ActionTaken | None) -> None:
        """Store the side effect with ``action``, then stop or slow the pump to match."""
        symptom, grade = self.symptom(), self.grade()
        if symptom is None or grade is None or action is None:
            self._message.problem("Choose the symptom and its grade first.")
            return
        services, pump, infusion_id = self._services, self._pump, self._infusion_id
        appointment_id, notes, why = self._appointment_id, self.notes.text(), self.deviation.text()

        def work() -> Any:
            done = services.observations.record_side_effect(
                appointment_id, symptom, grade, action_taken=action,
                observed_at=services.context.now(), other_text=notes if symptom is Symptom.OTHER
                else "", deviation_reason=why)
            if isinstance(done, Refused) or pump is None:
                return done
            if action is ActionTaken.RATE_HALVED:
                view = services.titration.view(infusion_id) if infusion_id else None
                pump_commands.set_rate(pump, view.rate_ml_h if view is not None
                                       else done.value.rate_ml_h / 2)
            elif action in _STOPS:
                pump_commands.stop(pump)
            return done

        self._set_enabled(False)
        self._runner.call(work, self._on_recorded, self._on_error,
                          doing="record the side effect")

    def _on_other_chosen(self, index: int) -> None:
        checked = self.symptoms.checkedButton()
        if index > 0 and checked is not None:
            self.symptoms.setExclusive(False)  # an exclusive group cannot uncheck its last
            checked.setChecked(False)
            self.symptoms.setExclusive(True)

    def _update_suggestion(self) -> None:
        grade = self.grade()
        if grade is None:
            self.suggestion.setText("Suggested action: choose a grade")
            self.apply_button.setEnabled(False)
            return
        suggested = suggested_action(grade, label_halves_mild=self._halves_mild)
        applies = APPLIES[suggested]
        self.suggestion.setText(f"Suggested: {suggested.value}")
        self.apply_button.setText(f"{ACTION_WORDS[applies]} (suggested)  (Ctrl+Return)")
        self.apply_button.setShortcut("Ctrl+Return")
        self.apply_button.setEnabled(True)

    def _on_recorded(self, result: object) -> None:
        self._set_enabled(True)
        if isinstance(result, Refused):
            self._message.problem("Not recorded:\n" + refusal_text(result))
            return
        effect = getattr(result, "value", None)
        if isinstance(effect, SideEffect):
            self._message.done(f"Recorded; {effect.action_taken.value}.")
            self.recorded.emit(effect)
            self.accept()

    def _on_error(self, text: str) -> None:
        self._set_enabled(True)
        self._message.problem(text)

    def _set_enabled(self, enabled: bool) -> None:
        self.apply_button.setEnabled(enabled and self.grade() is not None)
        for button in self.action_buttons.values():
            button.setEnabled(enabled)
