"""The speaker, through QtMultimedia: audio outputs and one QSoundEffect per WAV.

QtMultimedia is imported only here and only when the station opens its sound output:
on a machine without its system libraries (libpulse) the import itself fails, and that
must become a technical alarm ("no working sound device"), never a crash.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QUrl


class Playable(Protocol):
    """One loaded sound."""

    def play(self) -> None: ...

    def stop(self) -> None: ...


class SoundOutput(Protocol):
    """What the alarm sound controller needs from the platform's audio."""

    def outputs(self) -> list[str]:
        """Names of the audio output devices present now."""
        ...

    def load(self, path: Path, on_error: Callable[[str], None]) -> Playable:
        """Prepare `path` for playing; `on_error(reason)` if it cannot be played."""
        ...

    def watch(self, on_change: Callable[[], None]) -> None:
        """Call `on_change` when devices come or go."""
        ...


class QtSoundOutput:
    """`SoundOutput` over QMediaDevices and QSoundEffect; create on the GUI thread."""

    def __init__(self, parent: QObject) -> None:
        # Imported here, not at the top: it may fail (see the module docstring).
        self._mm: Any = importlib.import_module("PySide6.QtMultimedia")
        self._parent = parent
        self._devices = self._mm.QMediaDevices(parent)

    def outputs(self) -> list[str]:
        return [device.description() for device in self._mm.QMediaDevices.audioOutputs()]

    def load(self, path: Path, on_error: Callable[[str], None]) -> Playable:
        effect = self._mm.QSoundEffect(self._parent)
        error = self._mm.QSoundEffect.Status.Error

        def check() -> None:
            if effect.status() == error:
                on_error(f"cannot play {path.name} on this station's audio output")

        effect.statusChanged.connect(check)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setVolume(1.0)
        playable: Playable = effect
        return playable

    def watch(self, on_change: Callable[[], None]) -> None:
        self._devices.audioOutputsChanged.connect(on_change)


def open_sound_output(parent: QObject) -> SoundOutput | str:
    """The real sound output, or the reason (in words) why there is none."""
    try:
        return QtSoundOutput(parent)
    except ImportError as exc:
        return f"the sound system cannot load ({exc})"
