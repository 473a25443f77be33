"""The Qt-free heart of the station: domain, persistence, alarms, detection, services."""
