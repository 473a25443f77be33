"""Properties of the schedule for any volume and weight (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from station.domain.drug_library_loader import load_drug_library
from station.domain.titration import plan_titration
from station.domain.titration_state import expected_end, start_titration
from tests.domain.helpers import NOW

LIB = load_drug_library()
TITRATED = [d.id for d in LIB.drugs if d.titration is not None]


@settings(max_examples=200, deadline=None)
@given(
    drug_id=st.sampled_from(TITRATED),
    volume=st.floats(min_value=1, max_value=2000),
    weight=st.floats(min_value=3, max_value=200),
)
def test_plan_delivers_exactly_the_volume_and_matches_the_live_state(
    drug_id: str, volume: float, weight: float
) -> None:
    protocol = LIB.drug(drug_id).titration
    assert protocol is not None
    plan = plan_titration(protocol, start=NOW, volume_ml=volume, weight_kg=weight)
    delivered = sum(s.volume_ml for s in plan.steps)
    assert abs(delivered - volume) < 1e-6 * volume
    assert plan.steps[0].starts_at == NOW and plan.steps[-1].ends_at == plan.expected_end
    assert all(a.ends_at == b.starts_at for a, b in zip(plan.steps, plan.steps[1:], strict=False))
    assert [s.index for s in plan.steps] == list(range(len(plan.steps)))
    state = start_titration(protocol, weight_kg=weight, volume_ml=volume, started_at=NOW,
                            started_by="rn1")
    assert expected_end(state, now=NOW, delivered_ml=0) == plan.expected_end


@settings(max_examples=100, deadline=None)
@given(
    drug_id=st.sampled_from(TITRATED),
    small=st.floats(min_value=1, max_value=1000),
    extra=st.floats(min_value=0.5, max_value=1000),
)
def test_more_volume_never_ends_sooner(drug_id: str, small: float, extra: float) -> None:
    protocol = LIB.drug(drug_id).titration
    assert protocol is not None
    first = plan_titration(protocol, start=NOW, volume_ml=small, weight_kg=70)
    second = plan_titration(protocol, start=NOW, volume_ml=small + extra, weight_kg=70)
    assert second.expected_end > first.expected_end
