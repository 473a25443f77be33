"""The live titration state of an infusion, rebuilt from what is stored.

No table holds the titration state: it is derived by replaying the domain's own
transitions over the stored records, in the order they happened: the start (the
infusion row), each confirmed step and halving (``titration_steps``) and each resumed
pause (``pauses``: its time does not count; a resumption at half rate halves). The same rules
that accepted a change rebuild it, so the state never disagrees with the record.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.pauses import ResumeRate
from station.domain.refusals import Refused
from station.domain.titration_state import (
    TitrationState,
    account_pause,
    confirm_next_step,
    halve_rate,
    start_titration,
)
from station.persistence.delivery import Infusion, Pause, TitrationChangeKind, TitrationStep
from station.services.context import ServiceContext
from station.services.errors import InvalidStateError
from station.services.lookups import drug_of, user_name

STEP_CONFIRMED = "titration.step_confirmed"
RATE_HALVED = "infusion.rate_halved"
RESUMED = "infusion.resumed"


def _changes(session: Session, infusion: Infusion) -> list[Pause | TitrationStep]:
    """Resumptions and titration steps/halvings in the order they happened.

    Times never go back between them (a step or halving happens while the segment the
    last resumption opened runs); at one instant a resumption came first.
    """
    resumed = session.scalars(sa.select(Pause).where(Pause.infusion_id == infusion.id,
                                                     Pause.resume_mode.is_not(None))).all()
    steps = session.scalars(sa.select(TitrationStep)
                            .where(TitrationStep.infusion_id == infusion.id)).all()

    def key(change: Pause | TitrationStep) -> tuple[datetime, int, int]:
        if isinstance(change, Pause):
            assert change.ended_at is not None  # resumed
            return change.ended_at, 0, change.id
        return change.at, 1, change.id

    return sorted([*resumed, *steps], key=key)


def titration_state(
    session: Session, ctx: ServiceContext, infusion: Infusion
) -> TitrationState | None:
    """The state now, or None when the infusion is not titrated (or not started).

    Titrated means: the drug has a protocol and no fixed rate was ordered or given.
    """
    drug = drug_of(ctx, infusion)
    if drug is None or drug.titration is None or infusion.started_at is None \
            or not infusion.titrated:
        return None
    state = start_titration(drug.titration, weight_kg=infusion.patient_weight_kg,
                            volume_ml=infusion.order.volume_ml, started_at=infusion.started_at,
                            started_by=user_name(session, infusion.started_by_id))
    for change in _changes(session, infusion):
        if isinstance(change, Pause):
            assert change.ended_at is not None
            state = account_pause(state, change.ended_at - change.started_at)
            if change.resume_mode == ResumeRate.HALF.value:
                state = halve_rate(state, now=change.ended_at,
                                   after_reaction=change.resumed_after_reaction)
        elif change.kind is TitrationChangeKind.STEP_CONFIRMED:
            confirmed = confirm_next_step(state, now=change.at,
                                          by=user_name(session, change.by_id),
                                          vitals_taken_at=change.vitals_taken_at)
            if isinstance(confirmed, Refused):  # only if someone rewrote the rules or the log
                raise InvalidStateError(f"stored step of infusion {infusion.id} no longer "
                                        f"replays: {confirmed.codes}")
            state = confirmed.value
        else:
            state = halve_rate(state, now=change.at, after_reaction=True)
    return state
