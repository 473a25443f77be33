"""Reading an IHE PCD message back with hl7apy: the header, the OBX rows and the notes.

Used by the tests (a message must parse back and carry the stored values), by the
MLLP sender to read an ACK, and by anyone checking what a receiver got. Any text that
is not a valid HL7 v2.6 message is a ``Hl7FormatError`` with the library's reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_segments

from station.interop.hl7_segments import STRICT, VERSION


class Hl7FormatError(ValueError):
    """Text that is not an HL7 v2.6 message this station can read."""


@dataclass(frozen=True)
class Obx:
    """One OBX: code name (e.g. MDC_FLOW_FLUID_PUMP), sub-id, value and unit name."""

    code: str
    name: str
    sub_id: str
    value: str
    unit: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ReadMessage:
    """The parts of a message the station checks."""

    message_type: str  # MSH-9, e.g. "ORU^R42^ORU_R01"
    control_id: str
    processing_id: str
    segments: tuple[str, ...]  # segment names in order
    fields: dict[str, str]  # "PID.3", "OBR.4", "MSA.1"... of the first such segment
    observations: tuple[Obx, ...]
    notes: tuple[str, ...]  # every NTE-3

    def values(self, name: str) -> list[str]:
        """OBX-5 of every OBX whose OBX-3 name is ``name``."""
        return [o.value for o in self.observations if o.name == name]


def read_message(text: str) -> ReadMessage:
    """Parse ER7 text (segments ending in CR) strictly with hl7apy."""
    if not text.startswith("MSH|"):
        raise Hl7FormatError("an HL7 message starts with MSH|")
    try:
        segments = parse_segments(text.replace("\n", "\r").strip("\r"), version=VERSION,
                                  validation_level=STRICT)
        for segment in segments:
            segment.validate()
        return _read(segments)
    except (HL7apyException, ValueError, IndexError, KeyError, AttributeError,
            TypeError) as exc:
        raise Hl7FormatError(f"not a valid HL7 v2.6 message: {exc}") from exc


def _read(segments: list[object]) -> ReadMessage:
    fields: dict[str, str] = {}
    observations: list[Obx] = []
    notes: list[str] = []
    names: list[str] = []
    for seg in segments:
        name = getattr(seg, "name")  # noqa: B009 - hl7apy elements are untyped
        names.append(name)
        for child in getattr(seg, "children"):  # noqa: B009
            key = f"{name}.{int(child.name.split('_')[1])}"
            fields.setdefault(key, child.to_er7())
        if name == "OBX":
            observations.append(_obx(seg))
        elif name == "NTE":
            note = _field(seg, "nte_3")
            notes.append(note)
            if observations:
                last = observations[-1]
                observations[-1] = Obx(last.code, last.name, last.sub_id, last.value,
                                       last.unit, (*last.notes, note))
    if not names or names[0] != "MSH":
        raise Hl7FormatError("the first segment must be MSH")
    return ReadMessage(fields.get("MSH.9", ""), fields.get("MSH.10", ""),
                       fields.get("MSH.11", ""), tuple(names), fields, tuple(observations),
                       tuple(notes))


def _field(seg: object, name: str) -> str:
    value: str = getattr(seg, name).to_er7()
    return value


def _obx(seg: object) -> Obx:
    code = _field(seg, "obx_3").split("^")
    unit = _field(seg, "obx_6").split("^")
    return Obx(code[0], code[1] if len(code) > 1 else "", _field(seg, "obx_4"),
               _field(seg, "obx_5"), unit[1] if len(unit) > 1 else "", ())
