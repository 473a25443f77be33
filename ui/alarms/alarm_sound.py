"""Alarm sounds per priority, and a technical alarm when the station cannot make them.

One WAV holds one burst of a priority (resources/sounds, generated from
`station.alarms.sound_patterns`); a timer repeats it every `interburst_s` of that
pattern while the priority should sound. When no sound can be made (QtMultimedia does
not load, no audio output exists, a WAV is missing or cannot be played) the controller
says so through `device_missing`, and `report_to` hands that to the monitoring
service, which raises (and later ends) the station's `sound_device_missing` alarm and
stores its transitions like any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from station.alarms import Priority
from station.alarms.sound_patterns import PATTERNS
from station.monitoring.station_monitor import SOUND_DEVICE_MISSING
from ui.alarms.sound_output import Playable, SoundOutput, open_sound_output

SOUND_DIR = Path(__file__).resolve().parents[2] / "resources" / "sounds"
__all__ = ["SOUND_DEVICE_MISSING", "SOUND_DIR", "AlarmSound", "SoundOutputReport", "report_to"]


class AlarmSound(QObject):
    """Plays the burst of the priority that should sound now, repeated per IEC timing.

    Signals:
        device_missing(str): no sound can be made; the text says why.
        device_restored(): sound works: at the first look (so a `sound_device_missing`
            an earlier run left open, taken up at start, ends) and again after a
            device_missing.
    """

    device_missing = Signal(str)
    device_restored = Signal()

    def __init__(self, sound_dir: Path = SOUND_DIR, output: SoundOutput | str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sound_dir = sound_dir
        self._output = output if output is not None else open_sound_output(self)
        self._effects: dict[Priority, Playable] = {}
        self._playing: Priority | None = None
        self.missing_reason: str | None = None
        self._told_working = False  # device_restored not emitted yet
        self.repeat_timer = QTimer(self)
        self.repeat_timer.timeout.connect(self._burst)

    @property
    def available(self) -> bool:
        return self.missing_reason is None and bool(self._effects)

    @property
    def playing(self) -> Priority | None:
        """The priority that should sound now (kept while the device is missing)."""
        return self._playing

    def start(self) -> None:
        """Find the audio output and load the sounds; reports device_missing if it cannot."""
        if isinstance(self._output, str):
            self._report_missing(self._output)
            return
        self._output.watch(self._check_device)
        self._check_device()

    def play(self, priority: Priority | None) -> None:
        """Sound `priority` from now on (None or ADVISORY: silence)."""
        wanted = priority if priority is not None and priority.sounds else None
        if wanted is self._playing:
            return
        self.stop()
        self._playing = wanted
        if wanted is not None:
            self.repeat_timer.start(round(PATTERNS[wanted].interburst_s * 1000))
            self._burst()

    def stop(self) -> None:
        self.repeat_timer.stop()
        for effect in self._effects.values():
            effect.stop()
        self._playing = None

    def _burst(self) -> None:
        effect = self._effects.get(self._playing) if self._playing else None
        if effect is not None and self.missing_reason is None:
            effect.play()

    def _check_device(self) -> None:
        assert not isinstance(self._output, str)
        if not self._output.outputs():
            self._effects.clear()
            self._report_missing("no audio output device found")
            return
        # Devices changed (or first look): load afresh for the output present now.
        was_missing = self.missing_reason is not None or not self._told_working
        for effect in self._effects.values():
            effect.stop()
        self._effects.clear()
        self.missing_reason = None
        self._load_effects(self._output)
        if was_missing and self.missing_reason is None:
            self._told_working = True
            self.device_restored.emit()

    def _load_effects(self, output: SoundOutput) -> None:
        for priority in PATTERNS:
            path = self._sound_dir / f"alarm_{priority.value}.wav"
            if not path.is_file():
                self._effects.clear()
                self._report_missing(f"alarm sound file missing: {path}")
                return
            self._effects[priority] = output.load(path, self._report_missing)

    def _report_missing(self, reason: str) -> None:
        if reason == self.missing_reason:
            return
        self.missing_reason = reason
        self.device_missing.emit(reason)


class SoundOutputReport(Protocol):
    """Who raises `sound_device_missing`: `MonitoringService.sound_output`."""

    def sound_output(self, missing_reason: str | None) -> object: ...


def report_to(sound: AlarmSound, station: SoundOutputReport) -> None:
    """Tell `station` when no sound can be made (and why) and when it can again; the
    alarm it raises comes back to the screen with the station's snapshot."""
    sound.device_missing.connect(station.sound_output)
    sound.device_restored.connect(lambda: station.sound_output(None))
