"""Issue 18: TLS to PostgreSQL, tested: a server with ssl=on and a certificate made here (openssl
CLI), connected with sslmode=verify-full (a wrong CA is refused)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reader.errors import StoreError
from reader.store import AnnotationStore

pytest.importorskip("pgserver", reason="the postgres extra is not installed (pip install -e '.[postgres]')")
OPENSSL = shutil.which("openssl")


def _ca_and_cert(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA, and a server certificate it signs for host 127.0.0.1 (SAN IP)."""
    run = lambda *args: subprocess.run([OPENSSL, *args], cwd=folder, check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name} CA",
        "-keyout", f"{name}-ca.key", "-out", f"{name}-ca.crt")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", f"{name}.key", "-out", f"{name}.csr")
    (folder / f"{name}.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")
    run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{name}-ca.crt", "-CAkey", f"{name}-ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.crt")
    return folder / f"{name}-ca.crt", folder / f"{name}.crt", folder / f"{name}.key"


def _ssl_binaries() -> Path | None:
    """A PostgreSQL bin folder built with OpenSSL: pgserver's own build has none, so a system one."""
    from pgserver import _commands

    candidates = [_commands.POSTGRES_BIN_PATH, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
    for folder in candidates:
        try:
            configure = subprocess.run([str(folder / "pg_config"), "--configure"], capture_output=True, text=True).stdout
        except OSError:
            continue
        if "with-openssl" in configure or "with-ssl=openssl" in configure:
            return folder
    return None


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command")
def test_verify_full_over_tls(monkeypatch):
    import tempfile

    from pgserver import _commands

    from pg_harness import PgServer

    binaries = _ssl_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL build with OpenSSL here (pgserver's has none; apt install postgresql)")
    monkeypatch.setattr(_commands, "POSTGRES_BIN_PATH", binaries)

    # in its own /tmp folder: pytest keeps its tmp folders private (0700), and the server may run as another user
    server = PgServer(Path(tempfile.mkdtemp(prefix="reader-pg-tls-"))).init()
    ca, cert, key = _ca_and_cert(server.root, "server")
    _other_ca, _c, _k = _ca_and_cert(server.root, "other")
    if server.system_user is not None:  # the server runs as its own user: it must read its key
        import pwd

        entry = pwd.getpwnam(server.system_user)
        for path in (ca, cert, key):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    key.chmod(0o600)
    server.extra_options = f"-c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}"
    server.start()
    try:
        url = server.create_database("tls")
        secure = f"{url}?sslmode=verify-full&sslrootcert={ca}"
        with AnnotationStore(secure, annotator="alice") as store:
            store.add("d1", 0, 5, "quote", text="Alice")
            assert store.inspect()["tls"] is True  # the live connection: encrypted
        with AnnotationStore(secure, readonly=True) as r:
            assert [a.text for a in r.all()] == ["Alice"]
        with pytest.raises(StoreError):  # a certificate signed by another CA is refused
            AnnotationStore(f"{url}?sslmode=verify-full&sslrootcert={server.root / 'other-ca.crt'}", annotator="alice")
    finally:
        server.destroy()
