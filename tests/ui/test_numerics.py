"""Large numerics: text from the latest sample, time left, pressure absent, link lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from devices.driver.types import Sample, Stamp
from devices.protocol import Prompt
from ui.models.numerics_text import NO_VALUE, numerics_text, say_duration
from ui.models.series_buffer import SeriesBuffer
from ui.widgets.numerics import FIELDS, NumericsPanel

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def sample(rate: float = 120.0, volume: float = 60.0, pressure: float | None = 42.4,
           status: Prompt = Prompt.INFUSING) -> Sample:
    return Sample("chair-1", Stamp(NOW - timedelta(seconds=1), 0.0), status, rate, volume,
                  pressure)


def test_running_infusion_shows_time_left_and_end() -> None:
    text = numerics_text(sample(), vtbi_ml=250.0, now=NOW, tz=UTC)
    assert text.rate == "120.0 mL/h"
    assert text.volume == "60.0 of 250.0 mL"
    assert text.remaining == "1 h 35 min"  # 190 mL at 120 mL/h
    assert text.expected_end == "ends 11:35"
    assert text.pressure == "42 mmHg"
    assert text.status == "Infusing" and not text.stale


def test_a_pump_without_pressure_says_so() -> None:
    assert numerics_text(sample(pressure=None), vtbi_ml=250.0, now=NOW,
                         tz=UTC).pressure == "not reported by this pump"


def test_stopped_pump_has_no_end_and_the_plan_wins_when_given() -> None:
    stopped = numerics_text(sample(status=Prompt.STOPPED), vtbi_ml=250.0, now=NOW, tz=UTC)
    assert (stopped.remaining, stopped.expected_end) == (NO_VALUE, "not running")
    planned = numerics_text(sample(), vtbi_ml=250.0, now=NOW, tz=UTC,
                            planned_end=NOW + timedelta(minutes=150))
    assert (planned.remaining, planned.expected_end) == ("2 h 30 min", "ends 12:30")
    done = numerics_text(sample(volume=250.0), vtbi_ml=250.0, now=NOW, tz=UTC)
    assert done.remaining == "complete"


def test_link_lost_keeps_the_last_values_marked_stale() -> None:
    text = numerics_text(sample(), vtbi_ml=250.0, now=NOW, tz=UTC, link_up=False)
    assert text.stale and text.status == "Link lost: values from 09:59:59"
    assert text.rate == "120.0 mL/h" and text.remaining == NO_VALUE
    assert numerics_text(None, vtbi_ml=250.0, now=NOW, link_up=False).status == (
        "No link to the pump")


@pytest.mark.parametrize(("minutes", "said"), [(0.2, "1 min"), (0.0, "< 1 min"),
                                               (59.5, "1 h 00 min"), (125, "2 h 05 min")])
def test_durations_round_up(minutes: float, said: str) -> None:
    assert say_duration(timedelta(minutes=minutes)) == said


def test_panel_shows_the_buffer_latest_sample(qtbot: QtBot) -> None:
    buffer = SeriesBuffer()
    clock = [NOW]
    panel = NumericsPanel(buffer, vtbi_ml=250.0, now=lambda: clock[0], tz=UTC)
    qtbot.addWidget(panel)
    assert panel.values["rate"].text() == NO_VALUE
    buffer.append_sample(sample())
    panel.refresh()
    assert panel.values["remaining"].text() == "1 h 35 min"
    clock[0] = NOW + timedelta(minutes=5)  # time passes between samples
    panel.refresh()
    assert panel.values["expected_end"].text() == "ends 11:40"
    panel.set_link_up(False)
    assert panel.values["status"].text().startswith("Link lost")
    assert "#777777" in panel.values["rate"].styleSheet()
    assert [panel.values[name].accessibleName() for name, _ in FIELDS] == [
        caption for _, caption in FIELDS]
