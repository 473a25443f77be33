"""A unit of several stations on one database, and the charge nurse's overview feed.

Qt-free. Chair leases (`leases`), change notification (`changes`, `pg_changes`,
`sqlite_changes`), the per-chair tiles the overview shows (`tiles`, `feed`), remote
acknowledgements (`acks`) and the station's side of it all (`station_agent`).
See docs/unit.md.
"""
