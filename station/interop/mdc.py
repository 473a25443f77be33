"""IEEE 11073 MDC terms used in the IHE PCD messages, as HL7 coded values.

Codes are the HL7 numeric form (partition x 65536 + term code) from
/shared/docs/clinical-research.md §3.3. Where that source gives a term without a number,
the code is ``0``: "code pending", as the IHE PCD-10 sample message writes it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """An MDC term: numeric code and reference id."""

    code: int
    name: str

    @property
    def cwe(self) -> str:
        """As an HL7 CWE: ``code^name^MDC``."""
        return f"{self.code}^{self.name}^MDC"


@dataclass(frozen=True)
class Unit:
    """An MDC unit with its UCUM spelling."""

    term: Term
    ucum: str

    @property
    def cwe(self) -> str:
        """OBX-6: ``code^name^MDC^ucum^ucum^UCUM``."""
        return f"{self.term.cwe}^{self.ucum}^{self.ucum}^UCUM"


# Containment (partition 1: object infrastructure).
PUMP_MDS = Term(69985, "MDC_DEV_PUMP_INFUS_MDS")  # 1::4449
PUMP_VMD = Term(69986, "MDC_DEV_PUMP_INFUS_VMD")  # 1::4450
CHAN_SOURCE = Term(126977, "MDC_DEV_PUMP_INFUS_CHAN_SOURCE")  # 1::61441
CHAN_DELIVERY = Term(126978, "MDC_DEV_PUMP_INFUS_CHAN_DELIVERY")  # 1::61442

# Metrics (partition 2: SCADA).
FLOW_FLUID_PUMP = Term(157784, "MDC_FLOW_FLUID_PUMP")  # 2::26712, rate
VOL_FLUID_TBI = Term(157884, "MDC_VOL_FLUID_TBI")
VOL_FLUID_TBI_REMAIN = Term(157872, "MDC_VOL_FLUID_TBI_REMAIN")  # 2::26800
VOL_FLUID_DELIV = Term(157864, "MDC_VOL_FLUID_DELIV")  # 2::26792, source volume infused
VOL_INFUS_ACTUAL_TOTAL = Term(157948, "MDC_VOL_INFUS_ACTUAL_TOTAL")  # 2::26876
VOL_FLUID_DELIV_TOTAL = Term(157993, "MDC_VOL_FLUID_DELIV_TOTAL")
VOL_FLUID_DELIV_SEGMENT = Term(0, "MDC_VOL_FLUID_DELIV_SEGMENT")
TIME_PD_REMAIN = Term(157916, "MDC_TIME_PD_REMAIN")  # 2::26844
DRUG_NAME_TYPE = Term(184330, "MDC_DRUG_NAME_TYPE")  # 2::53258
PUMP_STAT = Term(184508, "MDC_PUMP_STAT")  # 2::53436
PUMP_INFUSING_STATUS = Term(184519, "MDC_PUMP_INFUSING_STATUS")
DRUG_NAME_LABEL = Term(184514, "MDC_DRUG_NAME_LABEL")
PUMP_DRUG_LIBRARY_VERSION = Term(184517, "MDC_PUMP_DRUG_LIBRARY_VERSION")
ATTR_PT_WEIGHT = Term(68063, "MDC_ATTR_PT_WEIGHT")
CURRENT_DELIVERY_STATUS = Term(0, "MDC_DEV_PUMP_CURRENT_DELIVERY_STATUS")
NOT_DELIVERING_REASON = Term(0, "MDC_DEV_PUMP_NOT_DELIVERING_REASON")

# Events (partition 3) and the attribute that carries them.
ATTR_EVT_COND = Term(0, "MDC_ATTR_EVT_COND")
EVT_PUMP_DELIV_START = Term(197288, "MDC_EVT_PUMP_DELIV_START")
EVT_PUMP_DELIV_STOP = Term(0, "MDC_EVT_PUMP_DELIV_STOP")
EVT_PUMP_DELIV_COMP = Term(0, "MDC_EVT_PUMP_DELIV_COMP")
EVT_COMM_STATUS_CHANGE = Term(0, "MDC_EVT_COMM_STATUS_CHANGE")
EVT_PATIENT_CHANGE = Term(0, "MDC_EVT_PATIENT_CHANGE")
EVT_PUMP_VOL_COUNTERS_CLEARED = Term(0, "MDC_EVT_PUMP_VOL_COUNTERS_CLEARED")
EVT_ALARM = Term(196616, "MDC_EVT_ALARM")
EVT_FLUID_LINE_OCCL = Term(196940, "MDC_EVT_FLUID_LINE_OCCL")

# Alert facets of PCD-04 (OBX-4 sub-id ends in the facet number).
ATTR_ALERT_SOURCE = Term(68480, "MDC_ATTR_ALERT_SOURCE")
ATTR_EVENT_PHASE = Term(68481, "MDC_ATTR_EVENT_PHASE")
ATTR_ALARM_STATE = Term(68482, "MDC_ATTR_ALARM_STATE")
ATTR_ALARM_INACTIVATION_STATE = Term(68483, "MDC_ATTR_ALARM_INACTIVATION_STATE")
ATTR_ALARM_PRIORITY = Term(68484, "MDC_ATTR_ALARM_PRIORITY")
ATTR_ALERT_TYPE = Term(68485, "MDC_ATTR_ALERT_TYPE")

# Units (partition 4).
ML_PER_H = Unit(Term(265266, "MDC_DIM_MILLI_L_PER_HR"), "mL/h")  # 4::3122
ML = Unit(Term(263762, "MDC_DIM_MILLI_L"), "mL")
MIN = Unit(Term(264352, "MDC_DIM_MIN"), "min")
# Not in clinical-research.md: MDC_DIM_KILO_G is 4::1731 in IEEE 11073-10101.
KG = Unit(Term(263875, "MDC_DIM_KILO_G"), "kg")
