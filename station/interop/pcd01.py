"""IHE PCD-01 (DEC) periodic pump data: ORU^R01^ORU_R01 from the stored telemetry.

One message per reporting interval (the first sample of each interval), with the
IEEE 11073 containment MDS 1 / VMD 1.1 / delivery channel 1.1.1 / source channel 1.1.2.
Line pressure is not sent: clinical-research.md names no MDC term for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from station.interop import hl7_segments as hl7
from station.interop import mdc
from station.records.visit_record import VisitRecord

PROFILE = "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO"


def sample_indexes(times_us: npt.NDArray[np.int64], interval_s: float) -> list[int]:
    """The index of the first sample in each reporting interval."""
    if interval_s <= 0:
        raise ValueError("the reporting interval must be positive")
    if times_us.size == 0:
        return []
    buckets = (times_us - times_us[0]) // int(interval_s * 1_000_000)
    _, first = np.unique(buckets, return_index=True)
    return [int(i) for i in first]


def pcd01_messages(record: VisitRecord, *, interval_s: float = 60.0,
                   sender: hl7.Sender = hl7.DEFAULT_SENDER, training: bool = False) -> hl7.Outgoing:
    """(control id, message) per reporting interval of the infusion's telemetry."""
    series, inf = record.telemetry, record.infusion
    out = []
    for i in sample_indexes(series.times_us, interval_s):
        t_us = int(series.times_us[i])
        at = datetime.fromtimestamp(t_us / 1e6, UTC)
        rate, volume = float(series.rate_ml_h[i]), float(series.volume_ml[i])
        cid = hl7.message_id(f"IS{inf.infusion_id}P{t_us // 1_000_000}", training=training)
        msg = hl7.new_message(hl7.Header("R01", "ORU_R01", cid, at, PROFILE), sender,
                              training=training)
        obs = hl7.Observations(hl7.add_patient(msg, record), mdc.PUMP_MDS, at,
                               placer=f"ORD{record.order.order_id}",
                               filler=f"IS{inf.infusion_id}", training=training)
        obs.add(mdc.PUMP_MDS, "1", equipment=inf.pump_serial)
        obs.add(mdc.PUMP_VMD, "1.1")
        obs.add(mdc.CHAN_DELIVERY, "1.1.1")
        obs.number(mdc.FLOW_FLUID_PUMP, "1.1.1.1", rate, mdc.ML_PER_H)
        obs.number(mdc.VOL_INFUS_ACTUAL_TOTAL, "1.1.1.2", volume, mdc.ML)
        obs.add(mdc.PUMP_STAT, "1.1.1.3", "infusing" if rate > 0 else "not-infusing",
                value_type="ST")
        obs.add(mdc.CHAN_SOURCE, "1.1.2")
        obs.number(mdc.FLOW_FLUID_PUMP, "1.1.2.1", rate, mdc.ML_PER_H)
        obs.number(mdc.VOL_FLUID_DELIV, "1.1.2.2", volume, mdc.ML)
        if inf.vtbi_ml is not None:
            remaining = max(0.0, inf.vtbi_ml - volume)
            obs.number(mdc.VOL_FLUID_TBI_REMAIN, "1.1.2.3", remaining, mdc.ML)
            if rate > 0:
                obs.number(mdc.TIME_PD_REMAIN, "1.1.2.4", round(remaining / rate * 60),
                           mdc.MIN)
        obs.add(mdc.DRUG_NAME_TYPE, "1.1.2.5", hl7.escape(record.order.drug), value_type="ST")
        out.append((cid, hl7.finish(msg)))
    return out
