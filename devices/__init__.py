"""Pumps: the wire protocol, the driver and the pump simulator. Qt-free."""
