"""Which pumps a station accepts: simulated ones in training, real ones otherwise.

A pump says what it is through our protocol extension (`XID`: `SIM` or `DEV`,
docs/protocol-notes.md); the driver reports it as `PumpInfo.is_simulator` (None for a
stock pump without the extension). Training accepts only a pump that says `SIM`, so a
real pump on a training station is never driven by a trainer's scenario. A normal
station refuses a simulated pump unless the engineering setting allows it (bench work),
and then the window says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.driver import PumpInfo


@dataclass(frozen=True)
class PumpAdmission:
    """The rule of one station: `training`, and the engineering setting for normal mode."""

    training: bool
    allow_simulated: bool = False  # engineering only; ignored in training

    def __post_init__(self) -> None:
        if self.training and self.allow_simulated:
            raise ValueError("allow_simulated is an engineering setting of a normal station")

    def refusal(self, info: PumpInfo, chair: str) -> str | None:
        """None when the pump may be used at `chair`; else the sentence saying why not."""
        who = f"{chair}: the pump {info.serial_number or info.model}"
        if self.training:
            if info.is_simulator is True:
                return None
            kind = ("does not say what it is (no protocol extension)"
                    if info.is_simulator is None else "is a real device")
            return (f"{who} {kind}; a training station uses simulated pumps only. "
                    "It is not monitored.")
        if info.is_simulator is True and not self.allow_simulated:
            return (f"{who} is a simulated pump; this station is for real patients. "
                    "It is not monitored. Start with --training to train on it.")
        return None

    @property
    def banner(self) -> str | None:
        """What the window must say while the engineering setting is on."""
        if self.allow_simulated:
            return "ENGINEERING: simulated pumps accepted - not for patient care"
        return None
