"""Issue 18 item 12: connection errors are told apart by exception class and by asking
the server, never by the words of libpq's message (a real PostgreSQL from pgserver)."""
from __future__ import annotations

import socket
import threading

import pytest

from reader.errors import StoreError
from reader.store import AnnotationStore

pytest.importorskip("psycopg", reason="the postgres extra is not installed (pip install -e '.[postgres]')")


def _open_error(url: str) -> str:
    with pytest.raises(StoreError) as exc:
        AnnotationStore(url, annotator="alice")
    return str(exc.value)


def test_a_missing_database_whose_name_holds_role_is_not_a_wrong_password(pg_server):
    line = _open_error(pg_server.url("controle"))
    assert "'controle' does not exist" in line and "createdb controle" in line
    assert "password" not in line


def test_a_wrong_password_on_an_existing_database(pg_server, pg_url):
    name = pg_url.rsplit("/", 1)[1]
    line = _open_error(pg_server.url(name, password="wrong"))
    assert "refused the login for user 'postgres'" in line and "does not exist" not in line
    assert "wrong" not in line.split("refused")[0]  # the password never reaches a message


def test_a_role_without_connect_is_told_about_the_database_not_the_password(pg_server, pg_url):
    import psycopg

    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS outsider")
        conn.execute("CREATE ROLE outsider LOGIN PASSWORD 'pw'")
        conn.execute(f'REVOKE CONNECT ON DATABASE "{name}" FROM PUBLIC')
    try:
        line = _open_error(pg_server.url(name, user="outsider", password="pw"))
        assert "CONNECT privilege" in line and f"'{name}'" in line
    finally:
        with psycopg.connect(pg_server.url(), autocommit=True) as conn:
            conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO PUBLIC')


@pytest.mark.parametrize("answer, words", [
    (b"HTTP/1.1 400 Bad Request\r\n\r\n", "not a PostgreSQL server"),  # an HTTP server, as a wrong port would find
    # accepted and closed at once: an SSH tunnel, a proxy or a container's port mapping whose server is down.
    # It was called "not a PostgreSQL server; check the port", sending the user after the wrong thing
    (b"", "closed before a server answered"),
])
def test_a_server_that_is_not_postgresql(answer, words):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:  # an HTTP server, as a wrong port would find
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.recv(100)
                    conn.sendall(answer)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        line = _open_error(f"postgresql://alice@127.0.0.1:{port}/team")
        assert words in line and "valid PostgreSQL URL" not in line, line
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.parametrize("url, words", [
    ("postgresql://alice@127.0.0.1:notaport/db", "not a valid PostgreSQL URL"),
    ("postgresql://alice@127.0.0.1:1/db", "connection refused"),
    ("postgresql://alice@no-such-host.invalid/db", "unknown host name"),
])
def test_url_port_and_host_problems(url, words):
    assert words in _open_error(url)
