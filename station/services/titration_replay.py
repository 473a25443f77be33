"""The live titration state of an infusion, rebuilt from what is stored.

No table holds the titration state: it is derived by replaying the domain's own
transitions over the stored facts, in the order they were written: the start, each
confirmed step, each pause (its time does not count) and each halving. The same rules
that accepted a change rebuild it, so the state never disagrees with the record.
"""

from __future__ import annotations

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
from station.persistence.delivery import Infusion
from station.services.context import ServiceContext
from station.services.errors import InvalidStateError
from station.services.infusions import STARTED, stored_program
from station.services.lookups import drug_of, user_name
from station.services.store import facts, from_iso

STEP_CONFIRMED = "titration.step_confirmed"
RATE_HALVED = "infusion.rate_halved"
RESUMED = "infusion.resumed"


def titration_state(
    session: Session, ctx: ServiceContext, infusion: Infusion
) -> TitrationState | None:
    """The state now, or None when the infusion is not titrated (or not started).

    Titrated means: the drug has a protocol and the order gave no fixed rate.
    """
    drug = drug_of(ctx, infusion)
    if drug is None or drug.titration is None or infusion.started_at is None:
        return None
    program = stored_program(session, infusion)
    if program.get("ordered_rate") is not None:  # the order's rate replaces the protocol
        return None
    started = facts(session, infusion, STARTED)
    by = user_name(session, started[-1][0].actor_user_id) if started else ""
    weight = program.get("weight_kg")
    state = start_titration(drug.titration, weight_kg=weight, volume_ml=infusion.order.volume_ml,
                            started_at=infusion.started_at, started_by=by)
    for entry, detail in facts(session, infusion, STEP_CONFIRMED, RATE_HALVED, RESUMED):
        at = from_iso(detail["at"])
        if entry.action == STEP_CONFIRMED:
            vitals = detail.get("vitals_taken_at")
            confirmed = confirm_next_step(state, now=at, by=user_name(session, entry.actor_user_id),
                                          vitals_taken_at=from_iso(vitals) if vitals else None)
            if isinstance(confirmed, Refused):  # only if someone rewrote the rules or the log
                raise InvalidStateError(f"stored step of infusion {infusion.id} no longer "
                                        f"replays: {confirmed.codes}")
            state = confirmed.value
        elif entry.action == RATE_HALVED:
            state = halve_rate(state, now=at, after_reaction=True)
        else:
            state = account_pause(state, at - from_iso(detail["paused_at"]))
            if detail["mode"] == ResumeRate.HALF.value:
                state = halve_rate(state, now=at, after_reaction=bool(detail["after_reaction"]))
    return state
