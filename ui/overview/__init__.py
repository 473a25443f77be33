"""The charge nurse's overview: every chair of the unit at once (docs/unit.md).

A thin view over `station.unit.UnitFeed`: tiles painted with QPainter (`tile_grid`),
the unit alarm list (`alarm_model`), a read-only chair view (`chair_view`), the window
(`window`) and the entry point (`app`).
"""
