"""Refusal codes the services add to the domain's (states and bookings, not clinical rules)."""

from __future__ import annotations

from enum import StrEnum


class ServiceRefusal(StrEnum):
    APPOINTMENT_TRANSITION = "appointment.transition_not_allowed"
    CHAIR_UNKNOWN = "schedule.chair_unknown"
    CHAIR_INACTIVE = "schedule.chair_inactive"
    CHAIR_BUSY = "schedule.chair_busy"
    PATIENT_UNKNOWN = "schedule.patient_unknown"
    DURATION_INVALID = "schedule.duration_invalid"
    PUMP_IN_USE = "start.pump_in_use"
    NOT_PREPARED = "start.not_prepared"
    ORDER_MISSING = "start.order_missing"
    DRUG_NOT_IN_LIBRARY = "start.drug_not_in_library"
    NOT_RUNNING = "infusion.not_running"
    NOT_PAUSED = "infusion.not_paused"
    NO_TITRATION = "titration.not_titrated"
    NOT_COMPLETED = "discharge.infusion_not_completed"
    PREMEDICATION_NAME = "checklist.premedication_name_missing"
    TIME_IN_FUTURE = "service.time_in_future"
    BEFORE_SEGMENT = "infusion.time_before_segment_start"
    REPORTED_VOLUME_INVALID = "infusion.reported_volume_invalid"
