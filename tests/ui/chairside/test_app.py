"""The entry points the command line calls: `run_demo` and `run_station`."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.chairside.conftest import NO_SOUND_MESSAGES
from ui.chairside.app import run_demo, run_station


@pytest.mark.qt_log_ignore(*NO_SOUND_MESSAGES)
def test_run_demo_runs_for_its_duration_and_exits_zero(qtbot: QtBot) -> None:
    before = set(threading.enumerate())
    assert run_demo(pumps=2, speed=10.0, seed=2, duration_s=2.0, size=(1366, 768)) == 0
    assert set(threading.enumerate()) <= before


def test_run_demo_refuses_more_chairs_than_the_window_shows(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo(pumps=5, duration_s=0.1) == 2
    assert "--pumps must be 1-4" in capsys.readouterr().err


@pytest.mark.parametrize("ports", [[], ["a", "b", "c", "d", "e"], ["C1=x", "C1=y"]])
def test_run_station_refuses_bad_ports_without_a_traceback(
        ports: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_station("sqlite:///unused.sqlite", ports, training=False) == 2
    assert capsys.readouterr().err.startswith("infusion-station run: ")


def test_run_station_says_what_is_wrong_with_the_database(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_station("nosuchdriver://x", ["C1=/dev/null"], training=False) == 1
    assert capsys.readouterr().err.startswith("infusion-station run: ")
