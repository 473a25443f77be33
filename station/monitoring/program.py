"""The stored program of the infusion a pump runs: what its samples are checked against."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import Records
from station.persistence.delivery import Infusion, TitrationStep


@dataclass(frozen=True)
class InfusionProgram:
    """Volume to be infused and the rate expected now (the latest titration change, or
    the infusion's own rate); None where the infusion does not state it."""

    infusion_id: int
    vtbi_ml: float | None
    expected_rate_ml_h: float | None


def load_program(sessions: sessionmaker[Session], infusion_id: int) -> InfusionProgram | None:
    """The program of one infusion as stored now; None if the row is gone."""
    records = Records(sessions)
    found = records.select_all(sa.select(Infusion).where(Infusion.id == infusion_id))
    if not found:
        return None
    infusion = found[0]
    latest = records.select_all(
        sa.select(TitrationStep).where(TitrationStep.infusion_id == infusion_id)
        .order_by(TitrationStep.at.desc(), TitrationStep.id.desc()).limit(1))
    rate = latest[0].rate_ml_h if latest else infusion.rate_ml_h
    return InfusionProgram(infusion_id, infusion.vtbi_ml, rate)
