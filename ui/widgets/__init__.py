"""Widgets of the chair view: the large numerics."""
