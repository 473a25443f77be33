"""What a nurse does to an alarm from the screen, applied to one chair's alarm engine.

The alarm engine (`ChairAlarms`) lives on the GUI thread and is quick and Qt-free; this
object adds who is acting and turns a refusal (reset while the cause persists, ...)
into a sentence on screen instead of an exception.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from station.alarms import AlarmError, Cause, ChairAlarms


class AlarmActions(QObject):
    """Acknowledge, pause audio, reset with a cause, at one chair, as the signed-in user.

    Signals:
        changed(): an action succeeded; views refresh.
        refused(str): an action was not allowed; the text says why and what to do.
    """

    changed = Signal()
    refused = Signal(str)

    def __init__(self, chair: ChairAlarms, current_user: Callable[[], str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.chair = chair
        self._current_user = current_user

    def acknowledge(self, condition: str) -> bool:
        return self._apply(lambda who: self.chair.acknowledge(condition, who))

    def pause_audio(self) -> bool:
        return self._apply(self.chair.pause_audio)

    def reset(self, condition: str, cause: Cause) -> bool:
        return self._apply(lambda who: self.chair.reset(condition, who, cause))

    def _apply(self, action: Callable[[str], object]) -> bool:
        who = self._current_user()
        if not who:
            self.refused.emit("Sign in first: every alarm action is recorded with your name.")
            return False
        try:
            action(who)
        except AlarmError as exc:
            self.refused.emit(f"Not done: {exc}.")
            return False
        self.changed.emit()
        return True
