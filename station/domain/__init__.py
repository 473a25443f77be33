"""Pure clinical rules of the station core: plain values in, results or refusals out.

Nothing here touches Qt, a database, a clock or the network. Every rule takes the
current time as an aware UTC ``datetime`` so that services and tests decide what
"now" is. See docs/domain-rules.md.

Modules: ``refusals`` (Accepted / Refused / Refusal), ``timers`` (countdowns, clock
skew), ``units``; ``drug_library`` (values) with ``drug_library_loader``,
``library_checker`` and ``toml_positions`` (loading, validation, line numbers);
``checkin``, ``checklist``, ``programming``, ``start``, ``titration`` (plans, rate
check), ``titration_state`` (live steps), ``pauses``, ``side_effects``,
``vital_signs``, ``site_assessment``, ``completion``.
"""
