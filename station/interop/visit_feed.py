"""Queue a visit's PCD-10 events and PCD-04 alarm steps in the outbox, once each.

Idempotent and cheap to call again (after each stored event, on a timer, at start-up):
control ids are computed first and only the messages not queued yet are built, since
hl7apy takes about 0.1 s a message (docs/benchmarks/records.md).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from station.interop import pcd04, pcd10
from station.interop.hl7_segments import DEFAULT_SENDER, Outgoing, Sender
from station.interop.outbox import Outbox
from station.records.visit_loader import load_visit_record
from station.records.visit_record import VisitRecord


def new_messages(record: VisitRecord, queued: set[str], *, sender: Sender = DEFAULT_SENDER,
                 training: bool = False) -> Outgoing:
    """The visit's messages whose control ids are not in ``queued``, in sending order."""
    out: Outgoing = []
    for event in record.events:
        cid = pcd10.control_id(record, event, training=training)
        if event.kind in pcd10.EVENT_TERMS and cid not in queued:
            out.append((cid, pcd10.pcd10_message(record, event, sender=sender,
                                                 training=training)))
    for alarm in record.alarms:
        for index, (step, state) in enumerate(pcd04.alert_states(alarm)):
            cid = pcd04.control_id(record, alarm, index, training=training)
            if cid not in queued:
                out.append((cid, pcd04.pcd04_message(record, alarm, index, step, state,
                                                     sender=sender, training=training)))
    return out


def queue_visit(sessions: sessionmaker[Session], outbox: Outbox, infusion_id: int, *,
                sender: Sender = DEFAULT_SENDER, training: bool = False) -> int:
    """Queue what is not queued yet of infusion ``infusion_id``; how many were queued."""
    record = load_visit_record(sessions, infusion_id)
    queued = outbox.control_ids(infusion_id)
    return outbox.enqueue(new_messages(record, queued, sender=sender, training=training),
                          infusion_id=infusion_id)
