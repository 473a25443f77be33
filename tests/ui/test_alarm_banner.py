"""The chair's alarm banner: text, symbol and colour per priority, flashing, actions."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from station.alarms import CauseCode, Priority, TransitionKind
from tests.ui.alarm_fixtures import Chair
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.alarm_banner import TOUCH_PX, AlarmBanner
from ui.alarms.palette import STYLES

# One condition per priority, from the condition table.
BY_PRIORITY = {Priority.HIGH: "pump_stall", Priority.MEDIUM: "occlusion",
               Priority.LOW: "site_check_due", Priority.ADVISORY: "observation_over"}


@pytest.fixture
def chair() -> Chair:
    return Chair()


@pytest.fixture
def banner(qtbot: QtBot, chair: Chair) -> AlarmBanner:
    actions = AlarmActions(chair.alarms, lambda: "rn-042")
    widget = AlarmBanner(actions)
    qtbot.addWidget(widget)
    widget.resize(1000, 200)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize(("priority", "expected"), [
    (Priority.HIGH, ("***", "HIGH", 250)),
    (Priority.MEDIUM, ("**", "MEDIUM", 1000)),
    (Priority.LOW, ("*", "LOW", None)),
    (Priority.ADVISORY, ("i", "ADVISORY", None)),
])
def test_banner_shows_symbol_word_text_and_flash_rate_per_priority(
        banner: AlarmBanner, chair: Chair, priority: Priority,
        expected: tuple[str, str, int | None]) -> None:
    symbol, word, flash_ms = expected
    condition = BY_PRIORITY[priority]
    chair.alarms.raise_condition(condition)
    banner.refresh()
    spec = chair.alarms.alarm(condition).spec  # type: ignore[union-attr]
    assert banner.badge.text() == f"{symbol} {word}"
    assert spec.what_happened in banner.what.text()
    assert banner.todo.text() == f"What to do: {spec.what_to_do}"
    assert banner.colour == STYLES[priority].background
    assert banner.flash_interval_ms == flash_ms


def test_high_flashes_at_two_hertz_between_two_tints(qtbot: QtBot, banner: AlarmBanner,
                                                     chair: Chair) -> None:
    chair.alarms.raise_condition("pump_stall")
    banner.refresh()
    style = STYLES[Priority.HIGH]
    assert style.flash_hz == 2.0
    with qtbot.waitSignal(banner.flash_timer.timeout, timeout=1000):
        pass
    assert banner.colour == style.dim_background
    with qtbot.waitSignal(banner.flash_timer.timeout, timeout=1000):
        pass
    assert banner.colour == style.background


def test_no_alarm_is_steady_and_the_buttons_are_off(banner: AlarmBanner) -> None:
    assert banner.badge.text() == "No alarms"
    assert banner.flash_interval_ms is None
    assert not banner.ack_button.isEnabled() and not banner.reset_button.isEnabled()


def test_flashing_stops_when_the_alarm_ends_and_when_closed(banner: AlarmBanner,
                                                            chair: Chair) -> None:
    chair.alarms.raise_condition("occlusion")
    banner.refresh()
    assert banner.flash_interval_ms == 1000
    chair.alarms.clear_condition("occlusion")
    banner.refresh()
    assert banner.flash_interval_ms is None
    chair.alarms.raise_condition("occlusion")
    banner.refresh()
    banner.close()
    assert not banner.flash_timer.isActive()


def test_acknowledge_is_recorded_with_the_user(banner: AlarmBanner, chair: Chair) -> None:
    chair.alarms.raise_condition("occlusion")
    banner.refresh()
    banner.ack_button.click()
    last = chair.sink.transitions[-1]
    assert (last.kind, last.actor) == (TransitionKind.ACKNOWLEDGED, "rn-042")
    assert banner.state.text() == "Acknowledged"
    assert not banner.ack_button.isEnabled()


def test_audio_pause_shows_its_countdown(banner: AlarmBanner, chair: Chair) -> None:
    chair.alarms.raise_condition("pump_stall")
    banner.refresh()
    banner.pause_button.click()
    assert banner.pause_button.text() == "Audio paused 2:00"
    chair.clock.advance(75)
    banner.refresh()
    assert banner.pause_button.text() == "Audio paused 0:45"
    assert "sounds again in 0:45" in banner.state.text()
    chair.clock.advance(50)
    chair.alarms.tick()
    banner.refresh()
    assert banner.pause_button.text() == "Pause audio"


def test_reset_of_a_latched_alarm_records_the_cause(banner: AlarmBanner, chair: Chair) -> None:
    chair.alarms.raise_condition("pump_stall")
    banner.refresh()
    assert not banner.reset_button.isEnabled()  # the cause is still there
    chair.alarms.clear_condition("pump_stall")
    banner.refresh()
    assert banner.state.text() == "Condition over: reset needed"
    assert banner.reset_button.isEnabled()
    banner.cause_box.setCurrentIndex(banner.cause_box.findData(CauseCode.LINE_CLAMPED))
    banner.reset_button.click()
    reset = chair.sink.transitions[-1]
    assert reset.kind is TransitionKind.RESET
    assert reset.cause is not None and reset.cause.code is CauseCode.LINE_CLAMPED
    assert banner.badge.text() == "No alarms"


def test_a_refused_action_is_a_sentence_not_a_traceback(qtbot: QtBot, chair: Chair) -> None:
    actions = AlarmActions(chair.alarms, lambda: "rn-042")
    chair.alarms.raise_condition("pump_stall")
    with qtbot.waitSignal(actions.refused) as refused:
        assert not actions.reset("pump_stall", cause_of(CauseCode.OTHER))
    assert "cannot be reset while active" in refused.args[0]
    nobody = AlarmActions(chair.alarms, lambda: "")
    with qtbot.waitSignal(nobody.refused) as refused:
        nobody.pause_audio()
    assert refused.args[0].startswith("Sign in first")


def test_controls_are_touch_sized_and_named(banner: AlarmBanner) -> None:
    for control in (banner.ack_button, banner.pause_button, banner.reset_button,
                    banner.cause_box):
        assert control.height() >= TOUCH_PX
        assert control.accessibleName()
    assert banner.accessibleName() == "Alarms of chair chair-1"


def cause_of(code: CauseCode):  # type: ignore[no-untyped-def]
    from station.alarms import Cause
    return Cause(code)


def test_pause_is_offered_while_any_alarm_of_the_chair_sounds(banner: AlarmBanner,
                                                              chair: Chair) -> None:
    chair.alarms.raise_condition("pump_stall")
    banner.refresh()
    chair.alarms.acknowledge("pump_stall", "rn-042")
    banner.refresh()
    assert not banner.pause_button.isEnabled()  # the shown alarm is quiet
    chair.alarms.raise_condition("site_check_due")  # a lower one starts sounding
    banner.refresh()
    assert banner.shown is not None and banner.shown.condition == "pump_stall"
    assert banner.pause_button.isEnabled()
