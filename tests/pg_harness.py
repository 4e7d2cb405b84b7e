"""A real PostgreSQL server for the tests and `make bench`, from the `pgserver` wheel.

pgserver bundles PostgreSQL's binaries. Its own ``get_server`` starts a
socket-only server with "trust" logins; the tests need more (a TCP port,
password checks, stopping and restarting the server mid-session), so this
harness drives the bundled ``initdb`` and ``pg_ctl`` itself:

* logins over TCP need a password (scram-sha-256), so a wrong password is
  really refused; the superuser is ``postgres`` / :data:`PASSWORD`;
* ``stop()`` / ``start()`` take the server down and up again on the same port
  and data folder, for the dropped-connection tests;
* the tests run it with ``fsync=off`` (speed; a test never crashes the
  machine), ``make bench`` with ``fsync=on`` (``start_server(fsync=True)``),
  so that its figures are those of a server that keeps what it acknowledged.

Running as root (CI, containers), PostgreSQL refuses to start, so the server
runs as the system user ``pgserver``, as pgserver itself does.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PASSWORD = "reader-secret"


class PgServer:
    def __init__(self, root: Path) -> None:
        from pgserver import _commands
        from pgserver.utils import find_suitable_port

        self._commands = _commands
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.pgdata = self.root / "pgdata"
        self.log = self.root / "server.log"
        self.sockets = Path(tempfile.mkdtemp(prefix="rdpg-"))  # short path: sockets have a length limit
        self.port = find_suitable_port("127.0.0.1")
        self.system_user: str | None = None
        self.fsync = False
        self.extra_options = ""  # more -c settings (TLS tests)
        if os.name == "posix" and os.geteuid() == 0:
            from pgserver.utils import ensure_user_exists

            self.system_user = "pgserver"
            ensure_user_exists(self.system_user)
        self.running = False

    # ----------------------------------------------------------------- life cycle

    def _prepare_permissions(self) -> None:
        if self.system_user is None:
            return
        import pwd
        import stat

        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions

        bin_path = self._commands.POSTGRES_BIN_PATH
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(bin_path.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        entry = pwd.getpwnam(self.system_user)
        for folder in (self.root, self.sockets):
            ensure_prefix_permissions(folder)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
            folder.chmod(0o700)

    def init(self) -> "PgServer":
        self._prepare_permissions()
        pwfile = self.root / "pwfile"
        pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
        if self.system_user is not None:
            import pwd

            entry = pwd.getpwnam(self.system_user)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        self._commands.initdb(
            ["--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C",
             "-U", "postgres", f"--pwfile={pwfile}"],
            pgdata=self.pgdata, user=self.system_user, timeout=120,
        )
        pwfile.unlink()
        return self

    def start(self) -> "PgServer":
        fsync = "on" if self.fsync else "off"
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.sockets} -c fsync={fsync} -c max_connections=60 {self.extra_options}"
        self._commands.pg_ctl(["-w", "-t", "60", "-l", str(self.log), "-o", opts, "start"],
                              pgdata=self.pgdata, user=self.system_user, timeout=90)
        self.running = True
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast`` disconnects every client at once, like a crash for them)."""
        if not self.running:
            return
        try:
            self._commands.pg_ctl(["-w", "-t", "60", "-m", mode, "stop"], pgdata=self.pgdata,
                                  user=self.system_user, timeout=90)
        except subprocess.CalledProcessError:
            pass
        self.running = False

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.sockets, ignore_errors=True)

    # ----------------------------------------------------------------- URLs and databases

    def url(self, database: str = "postgres", *, user: str = "postgres", password: str | None = PASSWORD) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server(root: Path | None = None, *, fsync: bool = False) -> PgServer:
    root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="reader-pg-"))
    server = PgServer(root).init()
    server.fsync = fsync
    return server.start()
