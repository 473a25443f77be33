"""Training fixtures: the monitoring fixtures (simulator, service, SQLite file)."""

from tests.monitoring.conftest import (  # noqa: F401 - fixtures used here
    pg_schema_url,
    sessions,
    simulator,
    sqlite_file,
    watch,
)
