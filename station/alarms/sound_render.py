"""Turn a `BurstPattern` into samples (numpy), and into 16-bit mono WAV bytes."""

from __future__ import annotations

import io
import wave

import numpy as np
import numpy.typing as npt

from station.alarms.sound_patterns import BurstPattern, Pulse

SAMPLE_RATE_HZ = 16_000  # Nyquist 8 kHz: room for every harmonic up to 4 kHz
PEAK = 0.7  # headroom below full scale


def render(pattern: BurstPattern, sample_rate: int = SAMPLE_RATE_HZ) -> npt.NDArray[np.float64]:
    """One burst as floats in [-PEAK, PEAK], starting at the first pulse's rise."""
    total = int(np.ceil(pattern.burst_s * sample_rate)) + 1
    out = np.zeros(total)
    for pulse in pattern.pulses:
        start = round(pulse.start_s * sample_rate)
        samples = _pulse(pulse, pattern, sample_rate)
        out[start:start + samples.size] += samples[: total - start]
    return out


def wav_bytes(pattern: BurstPattern, sample_rate: int = SAMPLE_RATE_HZ) -> bytes:
    """A complete WAV file (16-bit PCM, mono) holding one burst."""
    pcm = np.round(render(pattern, sample_rate) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def _pulse(pulse: Pulse, pattern: BurstPattern, sample_rate: int) -> npt.NDArray[np.float64]:
    # Linear rise and fall of `rise` seconds each: the half-amplitude points are then
    # exactly `duration_s` apart, the standard's effective pulse duration.
    rise = pattern.rise_fraction * pulse.duration_s
    length = pulse.duration_s + rise
    t = np.arange(round(length * sample_rate)) / sample_rate
    envelope = np.clip(np.minimum(t, length - t) / rise, 0.0, 1.0)
    tone = sum(amp * np.sin(2 * np.pi * n * pulse.f0_hz * t)
               for n, amp in enumerate(pattern.harmonics, start=1))
    tone = np.asarray(tone, dtype=np.float64)
    return PEAK * envelope * tone / float(np.max(np.abs(tone)))
