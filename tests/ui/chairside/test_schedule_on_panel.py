"""The chair panel counts down from the monitoring's schedule: time left by the titration
plan, and the observation period from the completion to its end."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from station.domain.refusals import Accepted
from tests.services.world import NORMAL_VITALS
from tests.ui.chairside.test_break_overrun import WAIT_MS, SettableClock
from ui.chairside.app import no_sound, open_demo
from ui.models.numerics_text import say_duration


def test_time_left_follows_the_plan_and_the_observation_counts_down(qtbot: QtBot) -> None:
    clock = SettableClock()
    with open_demo(1, 10.0, 8, running=1, sound=no_sound, grid=False, clock=clock) as demo:
        window = demo.station.window
        window.show()
        window.start()
        c1 = window.chair("C1")
        qtbot.waitUntil(lambda: c1.numerics.planned_end is not None
                        and c1.buffer.last_sample is not None
                        and c1.buffer.last_sample.rate_ml_h == 40.0, timeout=WAIT_MS)
        end = c1.numerics.planned_end
        assert end is not None and end == demo.monitoring.snapshot("C1").schedule.expected_end
        # Ocrelizumab: four 30-min steps to 200 mL/h, then the rest: 3 h 30 min in all,
        # not the 12 h 30 min that 500 mL at the 40 mL/h running now would take.
        started = end - timedelta(hours=3, minutes=30)
        assert abs((started - demo.services.context.now()).total_seconds()) < 60
        c1.numerics.refresh()
        left = end - demo.services.context.now()
        assert c1.numerics.values["remaining"].text() in {
            say_duration(left), say_duration(left - timedelta(minutes=1))}
        assert c1.numerics.values["expected_end"].text() == (
            f"ends {end.astimezone(c1.parts.tz):%H:%M}")

        # The due row shows the monitoring's due times, the ones its alarms rise at.
        vitals_at = demo.monitoring.snapshot("C1").schedule.vitals_due_at
        assert vitals_at is not None
        qtbot.waitUntil(lambda: c1.due is not None and c1.due.vitals.text().startswith(
            f"Vital signs due {vitals_at.astimezone(c1.parts.tz):%H:%M}"), timeout=WAIT_MS)
        patient = c1.patient
        assert patient is not None and patient.infusion_id is not None
        clock.shift += timedelta(minutes=10)  # vitals taken 10 min later: due 30 min after
        taken = demo.services.context.now()
        recorded = demo.services.observations.record_vitals(
            patient.appointment_id, NORMAL_VITALS, taken_at=taken)
        assert isinstance(recorded, Accepted)
        next_at = recorded.value.next_due.due_at
        assert next_at == taken + timedelta(minutes=30)
        qtbot.waitUntil(lambda: c1.due is not None and c1.due.vitals.text().startswith(
            f"Vital signs due {next_at.astimezone(c1.parts.tz):%H:%M}"), timeout=WAIT_MS)
        done = demo.services.completion.complete(
            patient.infusion_id, at=demo.services.context.now(),
            shortfall_reason="test: stopped early on the patient's request")
        assert isinstance(done, Accepted)
        ends = done.value.observation_ends_at
        qtbot.waitUntil(lambda: c1.state().text.startswith("Observation ")
                        and " left (until " in c1.state().text, timeout=WAIT_MS)
        assert c1.state().text.endswith(f"(until {ends.astimezone(c1.parts.tz):%H:%M})")
        # The banner shows it (redrawn on the clock; its seconds move on meanwhile).
        qtbot.waitUntil(lambda: " left (until " in c1.banner.state.text(), timeout=WAIT_MS)

        clock.shift += ends - demo.services.context.now()
        qtbot.waitUntil(lambda: c1.state().text == "Observation over: check, then discharge",
                        timeout=WAIT_MS)
        qtbot.waitUntil(lambda: c1.parts.alarms.alarm("observation_over") is not None,
                        timeout=WAIT_MS)
