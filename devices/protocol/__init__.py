"""The New Era RS-232 pump protocol and our extension: pure functions, no I/O.

Decisions the manuals leave open are in docs/protocol-notes.md.
"""

from devices.protocol.commands import (
    KNOWN_NAMES,
    Command,
    RateUnit,
    VolumeUnit,
    format_dispensed,
    format_rate,
    normalise,
    parse_command,
    parse_dispensed,
    parse_rate,
    parse_volume,
)
from devices.protocol.errors import ProtocolError, ProtocolErrorKind
from devices.protocol.extension import (
    CONDITIONS_QUERY,
    IDENTITY_QUERY,
    PRESSURE_QUERY,
    ExtendedConditions,
    Identity,
    IdentityKind,
    format_pressure,
    parse_conditions,
    parse_identity,
    parse_pressure,
)
from devices.protocol.framing import (
    CR,
    ETX,
    STX,
    crc16,
    decode_safe,
    encode_basic_command,
    encode_basic_reply,
    encode_safe,
)
from devices.protocol.numbers import format_float, parse_float
from devices.protocol.replies import AlarmCode, Prompt, Reply, ReplyError, parse_reply
from devices.protocol.stream import (
    INTERBYTE_TIMEOUT_S,
    Frame,
    FrameMode,
    ParseResult,
    StreamParser,
    StreamRole,
)

__all__ = [
    "CONDITIONS_QUERY",
    "CR",
    "ETX",
    "IDENTITY_QUERY",
    "INTERBYTE_TIMEOUT_S",
    "KNOWN_NAMES",
    "PRESSURE_QUERY",
    "STX",
    "AlarmCode",
    "Command",
    "ExtendedConditions",
    "Frame",
    "FrameMode",
    "Identity",
    "IdentityKind",
    "ParseResult",
    "Prompt",
    "ProtocolError",
    "ProtocolErrorKind",
    "RateUnit",
    "Reply",
    "ReplyError",
    "StreamParser",
    "StreamRole",
    "VolumeUnit",
    "crc16",
    "decode_safe",
    "encode_basic_command",
    "encode_basic_reply",
    "encode_safe",
    "format_dispensed",
    "format_float",
    "format_pressure",
    "format_rate",
    "normalise",
    "parse_command",
    "parse_conditions",
    "parse_dispensed",
    "parse_float",
    "parse_identity",
    "parse_pressure",
    "parse_rate",
    "parse_reply",
    "parse_volume",
]
