"""Why a connection to PostgreSQL failed, told by exception class and by asking, never by message text.

libpq reports a failed connection as one ``psycopg.OperationalError`` whose
``sqlstate`` is ``None`` (the server's SQLSTATE in its startup ErrorResponse
does not reach the client API: psycopg/psycopg#1188), and its message is
localised and changes between versions. Matching words in it misreads
errors: a database named ``controle`` was reported as a wrong password
because "role" is in the name. So :func:`describe_connect_error` finds out
instead, step by step, each step judged by an exception class or a protocol
byte:

1. ``psycopg.ProgrammingError`` / ``ValueError`` from the connection string:
   not a valid URL (libpq could not even parse it).
2. The host name is resolved (``socket.gaierror``: unknown host).
3. A TCP connection is opened (``ConnectionRefusedError``: nothing listens;
   ``TimeoutError``: no answer).
4. PostgreSQL's SSLRequest is sent: a PostgreSQL server answers one byte,
   ``S`` or ``N``; anything else is some other server.
5. The same login is tried on the maintenance database (``postgres``, or
   ``template1``). If it works, the credentials are good: the catalogue says
   whether the wanted database is missing or the role lacks CONNECT on it.
   If it fails too, the server refused the login (user, password or
   ``pg_hba.conf``).
"""
from __future__ import annotations

import socket
import struct
from typing import Any

CONNECT_TIMEOUT = 5  # seconds
#: libpq settings that bound how long a silent network (a VPN or Wi-Fi dropped, a NAT that forgot the
#: connection, a laptop woken up) can hold a call on an open connection: sent data still unacknowledged
#: fails after ``tcp_user_timeout`` ms, a connection waiting for an answer whose peer is gone after the
#: keepalive probes (3 s idle, then 3 probes 1 s apart). Without them a poll or a save waited for the
#: kernel's retransmissions, about 15 minutes, holding the store: the app froze on the next tag
#: (tests/unit/test_store_silent_network.py). A live but slow server is not cut: its kernel answers the
#: probes and acknowledges what is sent. A setting the URL gives is kept.
NETWORK_DEFAULTS = {"keepalives": "1", "keepalives_idle": "3", "keepalives_interval": "1", "keepalives_count": "3",
                    "tcp_user_timeout": "6000"}


def network_defaults(url: str) -> dict[str, Any]:
    """The :data:`NETWORK_DEFAULTS` that ``url`` (a libpq URL or conninfo) does not set itself."""
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url)
    return {k: v for k, v in NETWORK_DEFAULTS.items() if k not in given}


#: PostgreSQL's SSLRequest: length 8, code 80877103
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def _params(url: str) -> dict[str, Any] | None:
    try:
        from psycopg.conninfo import conninfo_to_dict

        return dict(conninfo_to_dict(url))
    except Exception:  # psycopg.ProgrammingError, ValueError: libpq cannot parse it
        return None


def _probe_endpoint(host: str, port: int) -> str | None:
    """None when a PostgreSQL server answers at host:port, else the reason (one phrase)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return "unknown host name; check the URL"
    except (OSError, UnicodeError):
        return "unknown host name; check the URL"
    last: str = "cannot reach the PostgreSQL server"
    for family, kind, proto, _name, addr in infos:
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(CONNECT_TIMEOUT)
                sock.connect(addr)
                sock.sendall(_SSL_REQUEST)
                answer = sock.recv(1)
        except ConnectionRefusedError:
            last = "cannot reach the PostgreSQL server (connection refused); is it running, and are host and port right?"
            continue
        except (TimeoutError, socket.timeout):
            last = f"the PostgreSQL server did not answer within {CONNECT_TIMEOUT} s; check the host name and the network"
            continue
        except OSError:
            last = "cannot reach the PostgreSQL server; check host, port and the network"
            continue
        if answer == b"":  # accepted, then closed: a tunnel, a proxy or a port mapping whose server is gone
            last = (f"the connection to {host}:{port} was closed before a server answered (a tunnel, proxy or port "
                    "mapping whose server is down?); check the server and the network")
            continue
        if answer not in (b"S", b"N"):
            return f"the server at {host}:{port} is not a PostgreSQL server (it does not speak its protocol); check the port"
        return None
    return last


def _login_works_elsewhere(params: dict[str, Any], database: str) -> tuple[bool, bool | None]:
    """(the same login works on a maintenance database, ``database`` exists there (None: unknown))."""
    import psycopg

    for other in ("postgres", "template1"):
        if other == database:
            continue
        try:
            with psycopg.connect(**{**params, "dbname": other, "connect_timeout": CONNECT_TIMEOUT}) as conn:
                row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
                return True, row is not None
        except psycopg.Error:
            continue
    return False, None


def describe_connect_error(location: str, exc: BaseException, url: str | None = None) -> str:
    """One line for a failed connection to ``url``: which of the usual problems, and what to do."""
    import psycopg

    params = _params(url) if url is not None else None
    if isinstance(exc, (psycopg.ProgrammingError, ValueError, UnicodeError)) or (url is not None and params is None):
        return f"{location}: not a valid PostgreSQL URL; expected postgresql://user@host[:port]/database"
    if params is None or not isinstance(exc, psycopg.OperationalError):
        return f"{location}: cannot connect to PostgreSQL ({type(exc).__name__})"
    host = str(params.get("host") or params.get("hostaddr") or "localhost").split(",")[0]
    try:
        port = int(str(params.get("port") or 5432).split(",")[0])
    except ValueError:
        return f"{location}: not a valid PostgreSQL URL (bad port); expected postgresql://user@host[:port]/database"
    if isinstance(exc, psycopg.errors.ConnectionTimeout):
        # nothing answered within CONNECT_TIMEOUT: probing would wait as long again (the app waits on a save)
        return f"{location}: the PostgreSQL server did not answer within {CONNECT_TIMEOUT} s; check the host name and the network"
    if not host.startswith("/"):  # a Unix socket folder has no host name or port to probe
        reason = _probe_endpoint(host, port)
        if reason is not None:
            return f"{location}: {reason}"
    user = str(params.get("user") or "")
    database = str(params.get("dbname") or user)
    login_ok, exists = _login_works_elsewhere(params, database)
    who = f" for user {user!r}" if user else ""
    if login_ok and exists is False:
        return f"{location}: database {database!r} does not exist on the server; create it first (createdb {database})"
    if login_ok:
        return f"{location}: the server refused{who} the database {database!r} (no CONNECT privilege, or pg_hba.conf); ask the team lead"
    return f"{location}: the server refused the login{who} (wrong user name or password, or pg_hba.conf); check the URL or ~/.pgpass"
