"""pytest fixtures for a real PostgreSQL server (see pg_harness.py); imported by conftest.py.

* ``pg_server``: one server for the whole test session (started on first use);
* ``pg_url``: a fresh, empty database on it for one test (dropped afterwards);
* ``store_location``: parametrised over the engines, a JSON store folder or a
  PostgreSQL URL, so that one store test runs on both;
* ``another_store_location``: a second, empty store on the same engine as
  ``store_location`` (a round trip from one store to another);
* ``own_pg_server``: a server of the test module's own, which its tests may
  stop and restart (dropped-connection tests), destroyed afterwards.

No database is mocked. Without the ``postgres`` extra (psycopg, pgserver) the
PostgreSQL cases are skipped with the install hint; ``make test`` installs it.
"""
from __future__ import annotations

import uuid

import pytest


def _need_postgres() -> None:
    pytest.importorskip("psycopg", reason="the postgres extra is not installed (pip install -e '.[postgres]')")
    pytest.importorskip("pgserver", reason="the postgres extra is not installed (pip install -e '.[postgres]')")


@pytest.fixture(scope="session")
def pg_server():
    _need_postgres()
    from pg_harness import start_server

    server = start_server()  # in its own /tmp folder: pytest keeps its tmp folders private (0700)
    yield server
    server.destroy()


@pytest.fixture
def pg_url(pg_server):
    name = "t_" + uuid.uuid4().hex[:12]
    url = pg_server.create_database(name)
    yield url
    try:
        pg_server.drop_database(name)
    except Exception:
        pass  # a test that broke the server; the session's teardown removes everything


@pytest.fixture(scope="module")
def own_pg_server():
    _need_postgres()
    from pg_harness import start_server

    server = start_server()
    yield server
    server.destroy()


@pytest.fixture(params=["json", "postgresql"])
def store_location(request, tmp_path):
    """Where a store lives: a folder (file engine) or a database URL (PostgreSQL engine)."""
    if request.param == "json":
        return tmp_path / "store"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def another_store_location(request, store_location, tmp_path):
    """A second, empty store on the engine of ``store_location``: a folder, or a database of its own."""
    if not isinstance(store_location, str):
        yield tmp_path / "store2"
        return
    server = request.getfixturevalue("pg_server")
    name = "t_" + uuid.uuid4().hex[:12]
    yield server.create_database(name)
    try:
        server.drop_database(name)
    except Exception:
        pass
