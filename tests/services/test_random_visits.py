"""Random walks through a visit (seeded, reproducible): after every call, accepted or
refused, the stored segments, events and the replayed titration state agree.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest

from station.domain.pauses import PauseReason, ResumeRate
from station.domain.refusals import Refused
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.persistence.delivery import Infusion, InfusionStatus
from station.persistence.event_store import EventStore
from station.persistence.events import InfusionEventKind
from tests.services.world import NORMAL_VITALS, World, snapshot, start_running


def _actions(world: World, infusion_id: int, rng: random.Random
             ) -> list[Callable[[], object]]:
    svc = world.svc

    return [
        lambda: svc.pauses.pause(infusion_id, rng.choice(list(PauseReason)), at=world.clock.now,
                                 note=rng.choice(["", "line flushed"])),
        lambda: svc.pauses.resume(infusion_id, rng.choice(list(ResumeRate)), at=world.clock.now,
                                  current_grade=rng.choice([None, ReactionGrade.MILD])),
        lambda: svc.titration.confirm_step(infusion_id),
        lambda: svc.observations.record_side_effect(
            world.appointment_id, rng.choice([Symptom.HEADACHE, Symptom.NAUSEA]),
            rng.choice([ReactionGrade.MILD, ReactionGrade.MODERATE]),
            action_taken=rng.choice([ActionTaken.RATE_HALVED, ActionTaken.INTERRUPTED]),
            observed_at=world.clock.now),
        lambda: svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                               taken_at=world.clock.now),
    ]


# pause, resume, confirm a step, side effect, vitals: reactions rarer than steps.
WEIGHTS = (3, 4, 5, 1, 2)


def _check_invariants(world: World, infusion_id: int) -> None:
    with world.sessions() as session:
        infusion = session.get_one(Infusion, infusion_id)
        segments = infusion.segments
        open_ = [s for s in segments if s.ended_at is None]
        assert len(open_) == (1 if infusion.status is InfusionStatus.RUNNING else 0)
        assert [s.seq for s in segments] == list(range(1, len(segments) + 1))
        running_total = 0.0
        for earlier, later in itertools.pairwise(segments):
            assert earlier.ended_at is not None and earlier.ended_at <= later.started_at
        for segment in segments:
            if segment.ended_at is not None:
                assert segment.volume_ml is not None and segment.volume_ml >= 0
                running_total += segment.volume_ml
                assert segment.total_volume_ml == pytest.approx(running_total)
        rate = open_[0].rate_ml_h if open_ else 0.0
    events = EventStore(world.sessions).for_infusion(infusion_id)
    starts = [e for e in events if e.kind is InfusionEventKind.DELIVERY_START]
    assert [e.rate_ml_h for e in starts] == [s.rate_ml_h for s in segments]
    # The titration state rebuilt from the audit log expects what the pump was set to.
    assert world.svc.titration.check_rate(infusion_id, rate).ok


@pytest.mark.parametrize("seed", range(6))
def test_random_visits_keep_segments_events_and_titration_consistent(
    world: World, seed: int
) -> None:
    rng = random.Random(seed)
    infusion_id = start_running(world)
    actions = _actions(world, infusion_id, rng)
    outcomes = {"accepted": 0, "refused": 0}
    for _ in range(30):
        world.clock.advance(rng.choice([1, 5, 12, 31]))
        before = snapshot(world.sessions)
        result = rng.choices(actions, weights=WEIGHTS)[0]()
        if isinstance(result, Refused):
            outcomes["refused"] += 1
            assert snapshot(world.sessions) == before
        else:
            outcomes["accepted"] += 1
        _check_invariants(world, infusion_id)
    assert outcomes["accepted"] >= 5 and outcomes["refused"] >= 1  # the walk went somewhere
