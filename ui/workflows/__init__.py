"""Chairside workflows: check-in and start, titration, breaks, observations, completion.

Views over `station.services`; every service call runs on `ServiceRunner`'s worker
thread and every pump command returns a Future, so the GUI thread never waits.
"""
