"""The serial link's faults: a pulled cable, garbled bytes and slow replies.

These act on the bytes a pump sends, not on the pump: the server asks `LinkFaults`
what to do with each outgoing packet. Delays are real seconds (they exist to test a
host's time-outs, which run on real time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LinkFaults:
    """The link faults currently present on one pump's port."""

    pulled: str | None = None  # None, "silent" (no answers) or "close" (port closed)
    garble_probability: float = 0.0
    delay_s: float = 0.0

    @property
    def answering(self) -> bool:
        return self.pulled is None

    def shape(self, packet: bytes, rng: np.random.Generator) -> bytes | None:
        """What actually leaves the port for `packet`: None when the cable is pulled."""
        if not self.answering:
            return None
        if self.garble_probability > 0 and rng.random() < self.garble_probability:
            return garble(packet, rng)
        return packet


def garble(packet: bytes, rng: np.random.Generator) -> bytes:
    """Flip one to three random bits-worth of bytes: what line noise does to a packet."""
    data = bytearray(packet)
    for _ in range(int(rng.integers(1, 4))):
        position = int(rng.integers(0, len(data)))
        data[position] ^= int(rng.integers(1, 256))
    return bytes(data)
