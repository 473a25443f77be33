"""The demo's console monitor, against the real simulator on ptys."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from devices.driver import LinkState, LinkStateChanged, PumpAlarm, Sample, Stamp
from devices.driver.types import AlarmSource
from devices.protocol import AlarmCode, Prompt
from ui.cli import main
from ui.console_monitor import PumpView, run_demo

STAMP = Stamp(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), 0.0)


def test_pump_view_folds_driver_events() -> None:
    view = PumpView("pump1", "/dev/pts/9", "infliximab")
    view.apply(LinkStateChanged("pump1", STAMP, LinkState.CONNECTING, LinkState.UP, "ok"))
    view.apply(Sample("pump1", STAMP, Prompt.INFUSING, 120.0, 3.5, 18.25))
    view.apply(PumpAlarm("pump1", STAMP, AlarmCode.STALL, AlarmSource.POLL, True))
    row = view.row()
    assert "up" in row
    assert "infusing" in row
    assert "120.00 mL/h" in row
    assert "3.50 mL" in row
    assert "18.25 mmHg" in row
    assert "A?S" in row


def test_demo_programs_and_shows_every_pump_infusing() -> None:
    out = io.StringIO()
    assert run_demo(pumps=2, speed=20, seed=3, duration=3.0, out=out) == 0
    text = out.getvalue()
    assert text.startswith("TRAINING")
    last_table = text.strip().split("\n\n")[-1].splitlines()
    rows = {line.split()[0]: line for line in last_table[1:]}
    assert set(rows) == {"pump1", "pump2"}
    assert "infusing" in rows["pump1"] and "20.00 mL/h" in rows["pump1"]
    assert "infusing" in rows["pump2"] and "30.00 mL/h" in rows["pump2"]


def test_demo_refuses_an_impossible_pump_count(capsys: object) -> None:
    assert main(["demo", "--pumps", "0"]) == 2
