"""Building IHE PCD messages with hl7apy (HL7 v2.6, strict validation).

hl7apy 1.3.5 knows the ORU_R01 structure of v2.6 but not ORU_R40 (no version it ships
has it). PCD-01 (ORU^R01^ORU_R01) and PCD-10 (ORU^R42^ORU_R01) are therefore whole
ORU_R01 messages validated by the library; PCD-04 (ORU^R40^ORU_R40) is laid out in the
same groups (ORU_R40 of v2.8 has the ORU_R01 layout), so the library validates every
segment, field and data type and the group order, while MSH-9 says ORU_R40.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Group, Message

from station.interop.mdc import Term, Unit
from station.records.training import TRAINING_NOTICE
from station.records.visit_record import VisitRecord

VERSION = "2.6"
STRICT = VALIDATION_LEVEL.STRICT
# HL7 table 0103 processing id: P production, T training.
PRODUCTION, TRAINING = "P", "T"


@dataclass(frozen=True)
class Sender:
    """MSH-3/4/5/6: who sends and who receives (from the station's configuration)."""

    application: str = "INFUSION_STATION"
    facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""


def hl7_time(at: datetime) -> str:
    """A DTM in UTC with milliseconds: ``YYYYMMDDHHMMSS.sss+0000``."""
    utc = at.astimezone(UTC)
    return utc.strftime("%Y%m%d%H%M%S.") + f"{utc.microsecond // 1000:03d}+0000"


def hl7_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def escape(text: str) -> str:
    """Free text for an ST/TX field: the delimiters escaped, line breaks as spaces."""
    out = text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
    out = out.replace("&", "\\T\\").replace("~", "\\R\\")
    return " ".join(out.split())


DEFAULT_SENDER = Sender()
# (MSH-10 control id, ER7 text) of each message built, in sending order.
Outgoing = list[tuple[str, str]]


@dataclass(frozen=True)
class Header:
    """MSH-9 trigger and structure, MSH-10 control id, MSH-7 time, MSH-21 profile."""

    trigger: str
    structure: str
    control_id: str
    at: datetime
    profile: str


def message_id(base: str, *, training: bool) -> str:
    """MSH-10: training messages get their own ids (``T`` first), so the outbox never
    takes a training message for the real one already queued, or the other way round."""
    return f"T{base}" if training else base


def new_message(header: Header, sender: Sender, *, training: bool) -> Message:
    """An ORU_R01-shaped message with its MSH filled; MSH-11 is T when training."""
    trigger, structure, control_id, at, profile = (
        header.trigger, header.structure, header.control_id, header.at, header.profile)
    msg = Message("ORU_R01", version=VERSION, validation_level=STRICT)
    msh = msg.msh
    msh.msh_3 = sender.application
    if sender.facility:
        msh.msh_4 = sender.facility
    if sender.receiving_application:
        msh.msh_5 = sender.receiving_application
    if sender.receiving_facility:
        msh.msh_6 = sender.receiving_facility
    msh.msh_7 = hl7_time(at)
    msh.msh_9 = f"ORU^{trigger}^{structure}"
    msh.msh_10 = control_id
    msh.msh_11 = TRAINING if training else PRODUCTION
    msh.msh_15 = "AL"
    msh.msh_16 = "NE"
    if profile:
        msh.msh_21 = profile
    return msg


def add_patient(msg: Message, record: VisitRecord) -> Group:
    """The PATIENT_RESULT group with PID (MRN, name, date of birth) and PV1 (the chair)."""
    result = msg.add_group("ORU_R01_PATIENT_RESULT")
    patient = result.add_group("ORU_R01_PATIENT")
    p = record.patient
    patient.pid.pid_3 = f"{escape(p.mrn)}^^^^MR"
    patient.pid.pid_5 = f"{escape(p.family_name)}^{escape(p.given_name)}"
    patient.pid.pid_7 = hl7_date(p.date_of_birth)
    visit = patient.add_group("ORU_R01_VISIT")
    visit.pv1.pv1_2 = "O"
    if record.infusion.chair:
        visit.pv1.pv1_3 = f"^^{escape(record.infusion.chair)}"
    return result


class Observations:
    """One ORDER_OBSERVATION group: the OBR, then numbered OBX rows and notes."""

    def __init__(self, result: Group, service: Term, at: datetime, *, placer: str,
                 filler: str, training: bool) -> None:
        self._group = result.add_group("ORU_R01_ORDER_OBSERVATION")
        obr = self._group.obr
        obr.obr_1 = "1"
        obr.obr_2 = placer
        obr.obr_3 = filler
        obr.obr_4 = service.cwe
        obr.obr_7 = hl7_time(at)
        if training:
            self._group.add_segment("NTE").nte_3 = TRAINING_NOTICE
        self._at = at
        self._count = 0
        self._last: Group | None = None

    def add(self, term: Term, sub_id: str, value: str = "", *, value_type: str = "",
            unit: Unit | None = None, equipment: str = "") -> None:
        """One OBX: code, containment sub-id, value (``value_type`` NM, ST or CWE)."""
        self._count += 1
        group = self._group.add_group("ORU_R01_OBSERVATION")
        obx = group.obx
        obx.obx_1 = str(self._count)
        if value:
            obx.obx_2 = value_type
        obx.obx_3 = term.cwe
        obx.obx_4 = sub_id
        if value:
            obx.obx_5 = value
        if unit is not None:
            obx.obx_6 = unit.cwe
        obx.obx_11 = "R"
        obx.obx_14 = hl7_time(self._at)
        if equipment:
            obx.obx_18 = escape(equipment)
        self._last = group

    def number(self, term: Term, sub_id: str, value: float, unit: Unit) -> None:
        self.add(term, sub_id, number(value), value_type="NM", unit=unit)

    def note(self, text: str) -> None:
        """An NTE after the latest OBX (or after the OBR when there is none yet)."""
        target = self._last if self._last is not None else self._group
        target.add_segment("NTE").nte_3 = escape(text)


def number(value: float) -> str:
    """An NM value: at most 3 decimals, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def finish(msg: Message) -> str:
    """Validate with the library (raises on a missing or malformed field) and encode."""
    msg.validate()
    text: str = msg.to_er7()
    return text
