"""The auditory alarm signals per priority, after IEC 60601-1-8 Tables 3 and 4.

Pure description: pulse times, lengths, pitches, harmonics, burst repetition. Figures
are the recalled ranges of clinical-research.md section 1.2 (unverified against a
purchased copy), chosen near the middle of each range:
- high: 10 pulses as 3 + 2, pause, 3 + 2; pulse 150 ms; burst every 5 s (2.5-15 s);
- medium: 3 pulses of 200 ms; burst every 7.5 s (2.5-30 s);
- low: 2 pulses of 200 ms; burst every 20 s (over 15 s).
Each pulse has a fundamental in 150-1000 Hz with at least 4 harmonics in 300-4000 Hz
and a rise and fall of 10-20 % of the pulse. A WAV holds one burst; the player repeats
it every `interburst_s` (start to start).
"""

from __future__ import annotations

from dataclasses import dataclass

from station.alarms.priority import Priority

# Recalled IEC 60601-1-8 ranges, to check every pattern against.
F0_RANGE_HZ = (150.0, 1000.0)
HARMONIC_BAND_HZ = (300.0, 4000.0)
MIN_HARMONICS_IN_BAND = 4
RISE_FRACTION_RANGE = (0.10, 0.20)
PULSE_RANGE_S = {Priority.HIGH: (0.075, 0.200), Priority.MEDIUM: (0.125, 0.250),
                 Priority.LOW: (0.125, 0.250)}
INTERBURST_RANGE_S = {Priority.HIGH: (2.5, 15.0), Priority.MEDIUM: (2.5, 30.0),
                      Priority.LOW: (15.0, float("inf"))}
PULSES_PER_BURST = {Priority.HIGH: (10,), Priority.MEDIUM: (3,), Priority.LOW: (1, 2)}


@dataclass(frozen=True)
class Pulse:
    start_s: float  # from the start of the burst
    duration_s: float  # effective duration (between the half-amplitude points)
    f0_hz: float


@dataclass(frozen=True)
class BurstPattern:
    """One burst of one priority and how often it repeats."""

    priority: Priority
    pulses: tuple[Pulse, ...]
    interburst_s: float
    harmonics: tuple[float, ...] = (1.0, 0.6, 0.45, 0.35, 0.25)  # amplitude of f0, 2f0, ...
    rise_fraction: float = 0.15

    @property
    def burst_s(self) -> float:
        """Time from the first pulse's start to the last pulse's end."""
        last = self.pulses[-1]
        return last.start_s + last.duration_s * (1.0 + self.rise_fraction)


def _group(start_s: float, count: int, duration_s: float, gap_s: float,
           pitches: list[float]) -> list[Pulse]:
    step = duration_s + gap_s
    return [Pulse(start_s + i * step, duration_s, pitches[i]) for i in range(count)]


def _high() -> BurstPattern:
    td, gap = 0.150, 0.100
    first = _group(0.0, 3, td, gap, [523.25, 659.25, 783.99])
    second_start = first[-1].start_s + td + 2 * gap + td  # the 3 + 2 gap
    second = _group(second_start, 2, td, gap, [783.99, 523.25])
    five = first + second
    offset = five[-1].start_s + td + 0.6  # pause between the halves (0.35-1.3 s)
    repeat = [Pulse(p.start_s + offset, p.duration_s, p.f0_hz) for p in five]
    return BurstPattern(Priority.HIGH, tuple(five + repeat), interburst_s=5.0)


def _medium() -> BurstPattern:
    pulses = _group(0.0, 3, 0.200, 0.150, [523.25, 659.25, 783.99])
    return BurstPattern(Priority.MEDIUM, tuple(pulses), interburst_s=7.5)


def _low() -> BurstPattern:
    pulses = _group(0.0, 2, 0.200, 0.200, [659.25, 523.25])
    return BurstPattern(Priority.LOW, tuple(pulses), interburst_s=20.0)


PATTERNS: dict[Priority, BurstPattern] = {
    Priority.HIGH: _high(), Priority.MEDIUM: _medium(), Priority.LOW: _low()}


def problems(pattern: BurstPattern) -> list[str]:
    """Where a pattern leaves the recalled IEC ranges; empty when it conforms."""
    found: list[str] = []
    p = pattern.priority
    if len(pattern.pulses) not in PULSES_PER_BURST[p]:
        found.append(f"{len(pattern.pulses)} pulses per burst")
    low_s, high_s = PULSE_RANGE_S[p]
    for pulse in pattern.pulses:
        if not low_s <= pulse.duration_s <= high_s:
            found.append(f"pulse of {pulse.duration_s * 1000:.0f} ms")
        if not F0_RANGE_HZ[0] <= pulse.f0_hz <= F0_RANGE_HZ[1]:
            found.append(f"f0 {pulse.f0_hz} Hz")
        in_band = [n for n, amp in enumerate(pattern.harmonics, start=1)
                   if amp > 0 and HARMONIC_BAND_HZ[0] <= n * pulse.f0_hz <= HARMONIC_BAND_HZ[1]]
        if len(in_band) < MIN_HARMONICS_IN_BAND:
            found.append(f"only {len(in_band)} components in band at f0 {pulse.f0_hz} Hz")
    lo_ib, hi_ib = INTERBURST_RANGE_S[p]
    if not lo_ib <= pattern.interburst_s <= hi_ib:
        found.append(f"interburst {pattern.interburst_s} s")
    if not RISE_FRACTION_RANGE[0] <= pattern.rise_fraction <= RISE_FRACTION_RANGE[1]:
        found.append(f"rise fraction {pattern.rise_fraction}")
    if pattern.burst_s >= pattern.interburst_s:
        found.append("burst longer than its repetition interval")
    return found
