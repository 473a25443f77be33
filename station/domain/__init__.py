"""Pure clinical rules of the station core: plain values in, results or refusals out.

Nothing here touches Qt, a database, a clock or the network. Every rule takes the
current time as an aware UTC ``datetime`` so that services and tests decide what
"now" is. Modules: ``refusals`` (result types), ``units``, ``drug_library`` (+ loader),
``checkin``, ``checklist``, ``programming``, ``titration``, ``pauses``,
``side_effects``, ``vital_signs``, ``site_assessment``, ``completion``.
"""
