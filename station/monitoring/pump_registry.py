"""Pump and chair rows, and the infusion a pump is running, as far as the database knows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import PumpInfo
from station.persistence import Records
from station.persistence.delivery import Infusion, InfusionStatus, Pump
from station.persistence.scheduling import Chair

# An infusion in one of these states is the one a pump's samples belong to.
_ON_PUMP = (InfusionStatus.RUNNING, InfusionStatus.PAUSED)


def serial_of(info: PumpInfo, port_url: str) -> str:
    """The pump's serial number, or its port when the pump cannot tell (stock pumps)."""
    return info.serial_number or f"port:{port_url}"


class PumpRegistry:
    """Finds or adds the `pumps` row of a connected pump; finds its running infusion."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._records = Records(sessions)

    def register(self, info: PumpInfo, port_url: str) -> int:
        """The id of the pump's row, added on first sight; the port kept up to date."""
        serial = serial_of(info, port_url)
        found = self._records.select_all(sa.select(Pump).where(Pump.serial_number == serial))
        if not found:
            pump = Pump(port_url=port_url, model=info.model, serial_number=serial)
            self._records.add(pump)
            return pump.id
        pump = found[0]
        if pump.port_url != port_url:
            pump.port_url = port_url
            pump = self._records.save(pump)
        return pump.id

    def active_infusion(self, pump_id: int) -> int | None:
        """The latest running or paused infusion on this pump, if any."""
        stmt = (sa.select(Infusion).where(Infusion.pump_id == pump_id,
                                          Infusion.status.in_(_ON_PUMP))
                .order_by(Infusion.id.desc()).limit(1))
        found = self._records.select_all(stmt)
        return found[0].id if found else None

    def chair_row(self, label: str) -> int | None:
        """The id of the `chairs` row with this label, if the schedule has one."""
        found = self._records.select_all(sa.select(Chair).where(Chair.label == label))
        return found[0].id if found else None
