"""The pump's reply grammar: address, prompt or alarm, then data or an error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from devices.protocol.errors import ProtocolError, ProtocolErrorKind


class Prompt(StrEnum):
    """What the pump is doing, the letter after the address."""

    INFUSING = "I"
    WITHDRAWING = "W"
    STOPPED = "S"
    PAUSED = "P"
    TIMED_PAUSE = "T"
    USER_WAIT = "U"
    PURGING = "X"


class AlarmCode(StrEnum):
    """The latched alarm after `A?`."""

    RESET = "R"  # power was interrupted
    STALL = "S"  # motor stalled: the pump's own occlusion alarm
    SAFE_TIMEOUT = "T"
    PROGRAM_ERROR = "E"
    PHASE_OUT_OF_RANGE = "O"


class ReplyError(StrEnum):
    """The error that follows the status when a command is refused."""

    UNKNOWN = "?"
    NOT_APPLICABLE = "?NA"
    OUT_OF_RANGE = "?OOR"
    COMMUNICATION = "?COM"
    IGNORED = "?IGN"


@dataclass(frozen=True)
class Reply:
    """One parsed reply. Exactly one of `prompt` and `alarm` is set."""

    address: int
    prompt: Prompt | None = None
    alarm: AlarmCode | None = None
    data: str = ""
    error: ReplyError | None = None

    def __post_init__(self) -> None:
        if (self.prompt is None) == (self.alarm is None):
            raise ValueError("a reply has either a prompt or an alarm")
        if not 0 <= self.address <= 99:
            raise ValueError(f"address 0-99, got {self.address}")
        if self.data and self.error is not None:
            raise ValueError("a reply carries data or an error, not both")

    @property
    def status(self) -> str:
        """The status field as sent: `I`, `S`, `A?S`..."""
        return self.prompt.value if self.prompt is not None else f"A?{self.alarm}"

    def to_text(self) -> str:
        """The reply text between the framing bytes, e.g. `00S500.0UM`."""
        tail = self.error.value if self.error is not None else self.data
        return f"{self.address:02d}{self.status}{tail}"


_REPLY = re.compile(
    r"^(?P<address>\d{2})(?:(?P<prompt>[IWSPTUX])|A\?(?P<alarm>[RSTEO]))"
    r"(?P<error>\?(?:NA|OOR|COM|IGN)?$)?(?P<data>.*)$",
    re.DOTALL,
)
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")


def parse_reply(text: str | bytes) -> Reply:
    """Parse reply text (without framing). A ProtocolError of kind GRAMMAR if it is not one."""
    raw = text if isinstance(text, bytes) else text.encode("ascii", "replace")
    try:
        decoded = raw.decode("ascii")
    except UnicodeDecodeError:
        raise ProtocolError(ProtocolErrorKind.GRAMMAR, raw, "not ASCII") from None
    match = _REPLY.match(decoded)
    if match is None or not _PRINTABLE.match(decoded) or match["data"].startswith("?"):
        raise ProtocolError(ProtocolErrorKind.GRAMMAR, raw, "not a pump reply")
    return Reply(
        address=int(match["address"]),
        prompt=Prompt(match["prompt"]) if match["prompt"] else None,
        alarm=AlarmCode(match["alarm"]) if match["alarm"] else None,
        data=match["data"],
        error=ReplyError(match["error"]) if match["error"] else None,
    )
