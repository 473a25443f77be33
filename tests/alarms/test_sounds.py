"""The shipped alarm sounds follow the IEC 60601-1-8 burst patterns (recalled ranges)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from station.alarms import Priority
from station.alarms.sound_patterns import PATTERNS, BurstPattern, Pulse, problems
from station.alarms.sound_render import wav_bytes

SOUNDS = Path(__file__).resolve().parents[2] / "resources" / "sounds"


def _read(priority: Priority) -> tuple[npt.NDArray[np.float64], int]:
    with wave.open(str(SOUNDS / f"alarm_{priority.value}.wav"), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return data.astype(np.float64) / 32767, rate


def _pulses(samples: npt.NDArray[np.float64], rate: int) -> list[tuple[float, float]]:
    """(start, effective duration) of each pulse, from the half-amplitude crossings."""
    window = int(rate * 0.010)  # several periods of the lowest f0
    envelope = np.convolve(np.abs(samples), np.ones(window) / window, mode="same")
    above = np.concatenate(([0], (envelope > envelope.max() / 2).astype(int), [0]))
    edges = np.flatnonzero(np.diff(above))
    runs = [(r / rate, (f - r) / rate) for r, f in zip(edges[::2], edges[1::2], strict=True)]
    return [run for run in runs if run[1] > 0.02]  # flicker at a crossing is no pulse


@pytest.mark.parametrize("priority", [Priority.HIGH, Priority.MEDIUM, Priority.LOW])
def test_committed_wav_is_what_the_generator_writes(priority: Priority) -> None:
    assert (SOUNDS / f"alarm_{priority.value}.wav").read_bytes() == wav_bytes(PATTERNS[priority])


@pytest.mark.parametrize("priority", [Priority.HIGH, Priority.MEDIUM, Priority.LOW])
def test_pulse_count_and_effective_duration_measured_from_the_sound(priority: Priority) -> None:
    samples, rate = _read(priority)
    pulses = _pulses(samples, rate)
    expected = PATTERNS[priority].pulses
    assert len(pulses) == len(expected)
    for (start, duration), pulse in zip(pulses, expected, strict=True):
        assert duration == pytest.approx(pulse.duration_s, abs=0.01)
        assert start == pytest.approx(pulse.start_s + 0.5 * 0.15 * pulse.duration_s, abs=0.01)


def test_high_burst_is_three_plus_two_twice() -> None:
    samples, rate = _read(Priority.HIGH)
    starts = [s for s, _ in _pulses(samples, rate)]
    gaps = np.diff(starts)
    short = gaps[0]
    # long gaps after pulse 3 and 8 (the 3 + 2 split), the longest after pulse 5
    assert gaps[2] > 1.5 * short and gaps[7] > 1.5 * short
    assert np.argmax(gaps) == 4
    assert all(g == pytest.approx(short, abs=0.01) for g in np.delete(gaps, [2, 4, 7]))


def test_each_pulse_has_four_harmonics_in_band() -> None:
    samples, rate = _read(Priority.MEDIUM)
    pulse = PATTERNS[Priority.MEDIUM].pulses[0]
    chunk = samples[: int(rate * pulse.duration_s)]
    spectrum = np.abs(np.fft.rfft(chunk * np.hanning(chunk.size)))
    freqs = np.fft.rfftfreq(chunk.size, 1 / rate)
    floor = spectrum.max() / 30
    peaks = [n for n in range(1, 9) if 300 <= n * pulse.f0_hz <= 4000
             and spectrum[np.argmin(abs(freqs - n * pulse.f0_hz))] > floor]
    assert len(peaks) >= 4


def test_every_shipped_pattern_conforms_and_a_bad_one_is_reported() -> None:
    assert all(problems(p) == [] for p in PATTERNS.values())
    bad = BurstPattern(Priority.HIGH, (Pulse(0.0, 0.5, 2000.0),), interburst_s=1.0)
    found = problems(bad)
    assert any("pulses per burst" in f for f in found)
    assert any("f0" in f for f in found)
    assert any("interburst" in f for f in found)
