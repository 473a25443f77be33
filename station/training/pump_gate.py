"""Applies a `PumpAdmission` to every pump a `MonitoringService` identifies.

A subscriber: on each `PumpIdentified` (after every connection, so a pump swapped in
later is checked too) a refused pump's poller is closed, the refusal is written to the
audit log and passed on to `on_refused` (the window's status line). The chair then
hears nothing from its pump, so its link watch raises `link_lost`: the chair is not
monitored, and the unit sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from devices.driver import PumpIdentified
from station.monitoring import ChairUpdate, MonitoringService
from station.persistence.audit_log import AuditLog
from station.persistence.errors import StorageError
from station.persistence.people import ActorKind
from station.training.pump_admission import PumpAdmission

log = logging.getLogger(__name__)
REFUSED_ACTION = "pump_refused"


class PumpGate:
    """Subscribe it with `monitoring.subscribe(gate)`; refusals so far in `refused`."""

    def __init__(self, monitoring: MonitoringService, admission: PumpAdmission,
                 audit: AuditLog | None = None,
                 on_refused: Callable[[str, str], None] | None = None) -> None:
        self._monitoring = monitoring
        self._admission = admission
        self._audit = audit
        self._on_refused = on_refused
        self.refused: dict[str, str] = {}  # chair -> the sentence; written on one thread

    def __call__(self, update: ChairUpdate) -> None:
        event = update.event
        if not isinstance(event, PumpIdentified):
            return
        chair = update.snapshot.chair_id
        reason = self._admission.refusal(event.info, chair)
        if reason is None:
            return
        self._monitoring.pump(chair).request_close()  # first: nothing else may delay it
        self.refused[chair] = reason
        log.warning("%s", reason)
        if self._on_refused is not None:
            self._on_refused(chair, reason)
        if self._audit is not None:
            try:
                self._audit.record(REFUSED_ACTION, actor_kind=ActorKind.STATION,
                                   entity_type="pump", entity_id=event.info.serial_number or "",
                                   detail={"chair": chair, "reason": reason})
            except StorageError:
                log.exception("the refusal of %s's pump could not be stored", chair)
