"""Chairside window fixtures: the training composition root against real parts.

A real SQLite file, `pump-sim` as its own process at 10x on ptys (with a low occlusion
limit so an injected occlusion stalls the pump), the MonitoringService and the window.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ui.chairside.app import Demo, no_sound, open_demo

SPEED = 10.0
NO_SOUND_MESSAGES = (r"^Couldn't (load|resolve) [\w.()\- ]+ (library|symbols)$",
                     r"^PulseAudioService: pa_context_connect\(\) failed$",
                     r"^QSoundEffect: playback of this format is not supported on the "
                     r"selected audio device$",
                     # tests/ui/conftest.py's own ignore, which a marker here replaces
                     r"^This plugin does not support propagateSizeHints\(\)$")


@pytest.fixture
def demo(qtbot: QtBot) -> Iterator[Demo]:
    """Four chairs, two infusing; the window shown at 1366x768 (tabs)."""
    with open_demo(4, SPEED, 3, running=2, sim_args=("--occlusion-limit", "80"),
                   grid=False, sound=no_sound) as running:
        window = running.station.window
        window.resize(1366, 768)
        window.show()
        window.start()
        yield running
