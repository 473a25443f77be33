"""The station's config file as a person may leave it (hypothesis): the URL it names, or
a `BadDatabaseURLError` with the file's path; never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station.persistence import BadDatabaseURLError
from station.persistence.database import ENV_VAR, parse_url, resolve_url

TOML_VALUES = st.one_of(
    st.sampled_from(['"sqlite:///x.sqlite"', '"postgresql+psycopg://h/db"', '""', "5",
                     "true", "[1]", "{}", '"nonsense://"', '"sqlite://"', "2026-01-01"]),
    st.text(max_size=30).map(lambda t: '"' + t.replace("\\", "/").replace('"', "'") + '"'),
)


@st.composite
def config_bytes(draw: st.DrawFn) -> bytes:
    table = draw(st.sampled_from(["[database]", "database =", "[database.url]", "[other]", ""]))
    value = draw(TOML_VALUES)
    text = f"{table}\nurl = {value}\n" if table.startswith("[") else f"{table} {value}\n"
    junk = draw(st.binary(max_size=20))
    return draw(st.sampled_from([text.encode(), text.encode() + junk, junk]))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # env unset once
@given(content=config_bytes())
def test_any_config_file_gives_a_url_or_a_clear_error(content: bytes,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "station.toml"
        path.write_bytes(content)
        try:
            url = resolve_url(config_path=path)
            parse_url(url)
        except BadDatabaseURLError as exc:
            assert str(exc).strip()
