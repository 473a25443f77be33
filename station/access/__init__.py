"""Access control of the station core: users' credentials, roles and permissions, sign-in.

Qt-free. Modules are imported by name (this package imports none of them itself), so
``station.services.context`` can use :mod:`station.access.roles` without a cycle.
See docs/security.md.
"""
