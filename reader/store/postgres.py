"""The PostgreSQL engine: many annotators writing one store at once (psycopg 3).

Opened by ``--store postgresql://user@host[:port]/db`` (or ``READER_STORE``).
It implements :class:`~reader.store.base.StorageEngine`, so the store API
(undo per session, validation, caches) is the same as on the file engine.

Tables (created and upgraded by versioned migrations, :data:`MIGRATIONS`)::

    reader_schema       one row per applied migration (version, applied)
    reader_annotations  id (primary key), doc_id, annotator, record (jsonb:
                        every field of reader.model.Annotation, as the file
                        engine stores it)
    reader_meta         (tbl, key) -> value (jsonb): the workspace tables of
                        reader.store.base.META_TABLES
    reader_info         key -> value (jsonb): created, labels.toml text
    reader_changes      seq (bigserial), session, op (jsonb): every committed
                        operation, in commit order, for the other sessions

How it works:

* :meth:`commit` runs one transaction: it applies the operations to the
  tables (idempotent upserts and deletes by id) and appends them to
  ``reader_changes``. The transaction first takes a transaction-level advisory
  lock, held for the few milliseconds until it commits, so that change numbers
  follow commit order (a reader that has seen change *n* has seen every change
  before it). ``commit`` returns after the transaction has committed.
* :meth:`poll` reads the changes after the last one seen that other sessions
  made: about a millisecond, so the app can call it every second.
* A lost connection (server restarted, network gone) makes :meth:`commit`
  raise :class:`~reader.store.base.CommitError` ("connection lost"); the store
  keeps the change as unsaved and retries, and the next attempt reconnects.
  Operations are idempotent, so a retry after a commit whose acknowledgement
  was lost does no harm.
* Strings are stored escaped, because PostgreSQL refuses U+0000 (NUL) in
  text and jsonb values: with the noncharacter U+FDD0 as escape, U+FDD0 is
  stored as U+FDD0 "e" and NUL as U+FDD0 "0", in every jsonb value (keys too)
  and in the text columns (ids, doc_id, annotator, keys). Values are decoded
  when read, so any string the file engine keeps round-trips exactly.
* Opening errors (bad URL, unreachable server, wrong credentials, missing
  database) raise :class:`~reader.errors.StoreError` with one line that says
  which and what to do.

Limits: ``reader_changes`` grows with every change (about 0.5 KB each; it can
be truncated while nobody is connected); every session keeps the whole image
in memory, like the file engine.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterator, Protocol, Sequence, runtime_checkable
from urllib.parse import urlsplit

from reader.errors import StoreError, StoreVersionError
from reader.redact import redact
from reader.labels import LABELS_FILE, LabelSet
from reader.model import now_iso
from reader.store.base import JSON, META_TABLES, CommitError, Op, StoreImage, ann_from_record
from reader.store.base import SCHEMA_VERSION as RECORD_VERSION

URL_SCHEMES = ("postgresql://", "postgres://")
#: arbitrary constant naming the advisory lock that orders commits
COMMIT_LOCK = 0x72656164  # "read"
CONNECT_TIMEOUT = 5  # seconds


def _reescape(table: str, column: str, *, jsonb: bool = False) -> str:
    """SQL (in PL/pgSQL, with ``esc`` = U+FDD0) that replaces ESC by ESC "e" in a column
    (jsonb: in its text, which keeps the character raw)."""
    value = f"{column}::text" if jsonb else column
    cast = "::jsonb" if jsonb else ""
    return f"UPDATE {table} SET {column} = replace({value}, esc, esc || 'e'){cast} WHERE strpos({value}, esc) > 0;"


#: Versioned schema migrations: MIGRATIONS[i] brings a database to version i + 1.
MIGRATIONS: list[list[str]] = [
    [  # 1: the first schema
        """CREATE TABLE IF NOT EXISTS reader_annotations (
               id text PRIMARY KEY,
               doc_id text NOT NULL,
               annotator text NOT NULL,
               record jsonb NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS reader_annotations_doc ON reader_annotations (doc_id)",
        """CREATE TABLE IF NOT EXISTS reader_meta (
               tbl text NOT NULL,
               key text NOT NULL,
               value jsonb NOT NULL,
               PRIMARY KEY (tbl, key))""",
        """CREATE TABLE IF NOT EXISTS reader_info (key text PRIMARY KEY, value jsonb NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS reader_changes (
               seq bigserial PRIMARY KEY,
               session text NOT NULL,
               op jsonb NOT NULL,
               at timestamptz NOT NULL DEFAULT now())""",
    ],
    [  # 2: strings are stored escaped (see _encode_str): re-escape the escape character already stored.
        # Only a UTF8 database can hold U+FDD0 (in others chr(64976) fails, and there is nothing to do).
        "DO $$ DECLARE esc text; BEGIN IF current_setting('server_encoding') = 'UTF8' THEN esc := chr(64976); "
        + " ".join([
            _reescape("reader_annotations", "id"), _reescape("reader_annotations", "doc_id"),
            _reescape("reader_annotations", "annotator"), _reescape("reader_annotations", "record", jsonb=True),
            _reescape("reader_meta", "tbl"), _reescape("reader_meta", "key"),
            _reescape("reader_meta", "value", jsonb=True),
            _reescape("reader_info", "key"), _reescape("reader_info", "value", jsonb=True),
            _reescape("reader_changes", "session"), _reescape("reader_changes", "op", jsonb=True),
        ])
        + " END IF; END $$",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
_SCHEMA_SQL = "SELECT coalesce(max(version), 0) FROM reader_schema"

#: PostgreSQL refuses U+0000 in text and jsonb values, so every string is stored escaped, reversibly,
#: with a Unicode noncharacter (reserved for internal use) as the escape: ESC -> ESC "e", NUL -> ESC "0".
ESC = "\ufdd0"
_ESC_BYTES = ESC.encode("utf-8")
_TO_ESCAPE = re.compile("[\x00\ufdd0]")
_ESCAPED = re.compile("\ufdd0([0e])")


def _encode_str(text: str) -> str:
    """A string as stored (no NUL): ESC -> ESC "e", NUL -> ESC "0", in one pass."""
    if "\x00" not in text and ESC not in text:
        return text
    return _TO_ESCAPE.sub(lambda m: ESC + ("0" if m.group() == "\x00" else "e"), text)


def _decode_str(text: str) -> str:
    """The inverse of :func:`_encode_str` (ESC "0" -> NUL, ESC "e" -> ESC, in one pass)."""
    if ESC not in text:
        return text
    return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "0" else ESC, text)


def _walk(obj: Any, fn: Any) -> Any:
    """``obj`` with ``fn`` applied to every string in it, dict keys too."""
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, dict):
        return {fn(k) if isinstance(k, str) else k: _walk(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_walk(v, fn) for v in obj]
    return obj


def _dumps(obj: Any) -> bytes:
    """JSON for a jsonb column, strings encoded (walks the object only when NUL or ESC occurs)."""
    text = json.dumps(obj, ensure_ascii=False)
    if "\\u0000" in text or ESC in text:
        text = json.dumps(_walk(obj, _encode_str), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: as a \\u escape, which the server refuses with a clear error
        return json.dumps(_walk(obj, _encode_str)).encode("utf-8")


def _loads(data: bytes | str) -> Any:
    """A jsonb value as read, strings decoded (walks the result only when ESC occurs)."""
    obj = json.loads(data)
    escaped = ESC in data if isinstance(data, str) else _ESC_BYTES in data
    return _walk(obj, _decode_str) if escaped else obj


def _jsonb(obj: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(obj, dumps=_dumps)


@runtime_checkable
class LabelSource(Protocol):
    """An engine that keeps the label set itself (a database has no store folder for labels.toml)."""

    def label_set(self) -> LabelSet: ...


def is_database_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def safe_location(url: str) -> str:
    """The URL without its password and query (for messages and headers); see :func:`reader.redact.redact`."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}@{host}"
        return redact(f"{parts.scheme}://{netloc}{parts.path}")
    except ValueError:
        return redact(url)


def describe_connect_error(location: str, exc: BaseException) -> str:
    """One line for a failed connection: which of the usual problems, and what to do."""
    raw = str(exc).strip()
    text = " ".join(raw.split())
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low or (
        "role" in low and "does not exist" in low
    ):
        user = re.search(r'(?:user|role) "([^"]+)"', text)
        who = f" for user {user.group(1)!r}" if user else ""
        return f"{location}: the server refused the login{who} (wrong user name or password); check the URL or ~/.pgpass"
    if "database" in low and "does not exist" in low:
        name = re.search(r'database "([^"]+)"', text)
        db = name.group(1) if name else "the database"
        return f"{location}: database {db!r} does not exist on the server; create it first (createdb {db})"
    if "connection refused" in low or "no such file or directory" in low or "could not connect" in low:
        return f"{location}: cannot reach the PostgreSQL server (connection refused); is it running, and are host and port right?"
    if "timeout" in low or "timed out" in low:
        return f"{location}: the PostgreSQL server did not answer within {CONNECT_TIMEOUT} s; check the host name and the network"
    if "translate host name" in low or "name or service not known" in low or "nodename nor servname" in low:
        return f"{location}: unknown host name; check the URL"
    if "invalid" in low or "missing" in low or "syntax" in low:
        return f"{location}: not a valid PostgreSQL URL ({text[:160]}); expected postgresql://user@host[:port]/database"
    return f"{location}: cannot connect to PostgreSQL: {text[:200]}"


def _lost(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"connection to the database lost ({text})" if text else "connection to the database lost"


class PostgresEngine:
    """:class:`~reader.store.base.StorageEngine` on a PostgreSQL database (many writers)."""

    def __init__(self, url: str, *, readonly: bool = False, annotator: str = "") -> None:
        self.url = url
        self.location = safe_location(url)
        self.readonly = readonly
        self.readonly_reason: str | None = "opened read-only" if readonly else None
        self.last_error: str | None = None
        self.annotator = annotator
        self.session = f"{annotator or 'reader'}:{os.getpid()}:{os.urandom(4).hex()}"
        self.connected = False
        self._conn: Any = None
        self._last_seq = 0
        self.created = ""

    # ----------------------------------------------------------------- connecting

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                f"{self.location}: the PostgreSQL engine needs psycopg 3 (pip install 'reader[postgres]')"
            ) from None
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   application_name="reader")
        except psycopg.Error as exc:
            raise StoreError(describe_connect_error(self.location, exc)) from None
        except (ValueError, UnicodeError) as exc:  # conninfo that libpq cannot even parse
            raise StoreError(describe_connect_error(self.location, exc)) from None
        from psycopg.types.json import set_json_loads

        set_json_loads(_loads, context=conn)  # jsonb values come back decoded (see _encode_str)
        self._conn = conn
        self.connected = True
        return conn

    def _ensure(self) -> Any:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._drop()
            return self._connect()
        return self._conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self.connected = False
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    # ----------------------------------------------------------------- schema

    def _migrate(self, conn: Any) -> int:
        """Bring the schema up to :data:`SCHEMA_VERSION`; returns the version found."""
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS reader_schema (version integer PRIMARY KEY, applied text NOT NULL)"
            )
            row = conn.execute("SELECT coalesce(max(version), 0) FROM reader_schema").fetchone()
            found = int(row[0])
            if found > SCHEMA_VERSION:
                raise StoreVersionError(self.location, found, SCHEMA_VERSION)
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    conn.execute(statement)
                conn.execute("INSERT INTO reader_schema (version, applied) VALUES (%s, %s)", (version, now_iso()))
            conn.execute(
                "INSERT INTO reader_info (key, value) VALUES ('created', %s) ON CONFLICT (key) DO NOTHING",
                (json.dumps(now_iso()),),
            )
        return found

    # ----------------------------------------------------------------- StorageEngine

    def load(self) -> StoreImage:
        import psycopg

        conn = self._ensure()
        try:
            if self.readonly:
                row = conn.execute("SELECT to_regclass('reader_schema')").fetchone()
                if row[0] is None:
                    raise StoreError(f"{self.location}: no reader store in this database yet (open it once for writing)")
                found = int(conn.execute("SELECT coalesce(max(version), 0) FROM reader_schema").fetchone()[0])
                if found > SCHEMA_VERSION:
                    raise StoreVersionError(self.location, found, SCHEMA_VERSION)
            else:
                self._migrate(conn)
            image = StoreImage()
            image.schema_version = RECORD_VERSION  # the records' format, as in the file engine
            with conn.transaction():
                # one snapshot: the tables and the last change number agree
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                self._last_seq = int(conn.execute("SELECT coalesce(max(seq), 0) FROM reader_changes").fetchone()[0])
                with conn.cursor() as cur:
                    cur.execute("SELECT record FROM reader_annotations")
                    for (record,) in cur:
                        image.put(ann_from_record(record))
                    cur.execute("SELECT tbl, key, value FROM reader_meta")
                    for tbl, key, value in cur:
                        image.meta.setdefault(_decode_str(tbl), {})[_decode_str(key)] = value
                    cur.execute("SELECT value FROM reader_info WHERE key = 'created'")
                    row = cur.fetchone()
            image.created = self.created = row[0] if row else ""
            return image
        except psycopg.Error as exc:
            self._drop()
            raise StoreError(f"{self.location}: cannot read the store ({' '.join(str(exc).split())[:200]})") from None
        except ValueError as exc:
            self._drop()
            raise StoreError(f"{self.location}: a stored annotation is not valid ({exc})") from None
        except BaseException:
            self._drop()
            raise

    def commit(self, ops: Sequence[Op]) -> None:
        import psycopg

        if self.readonly:
            raise CommitError(self.location, self.readonly_reason or "the store is open read-only")
        for op in ops:
            if not op or op[0] not in ("put", "del", "meta", "unmeta"):
                raise CommitError(self.location, f"unknown operation {op!r:.60}")
        fresh = self._conn is None or self._conn.closed or self._conn.broken
        for attempt in (1, 2):
            try:
                conn = self._ensure()
            except StoreError as exc:
                self.last_error = f"not connected ({exc})"
                raise CommitError(self.location, self.last_error) from None
            try:
                self._write(conn, ops)
            except _NewerSchema as exc:
                self.last_error = exc.reason
                raise CommitError(self.location, self.last_error) from None
            except psycopg.OperationalError as exc:
                self._drop()
                if attempt == 1 and not fresh:
                    # the connection was stale (the server restarted since it was last used):
                    # one more try on a new one; operations are idempotent
                    fresh = True
                    continue
                self.last_error = _lost(exc)
                raise CommitError(self.location, self.last_error) from None
            except psycopg.Error as exc:
                if conn.broken:
                    self._drop()
                    self.last_error = _lost(exc)
                    raise CommitError(self.location, self.last_error) from None
                raise CommitError(self.location, f"the database refused the change ({' '.join(str(exc).split())[:200]})") from None
            self.last_error = None
            return

    def _write(self, conn: Any, ops: Sequence[Op]) -> None:
        """One transaction: the operations in order, then their log entries (strings encoded, see _encode_str)."""
        enc = _encode_str
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_LOCK,))
            with conn.cursor() as cur:
                # runs of one kind, in operation order: a put then a del of the same id ends deleted
                for kind, group in _runs(ops):
                    if kind == "put":
                        cur.executemany(
                            "INSERT INTO reader_annotations (id, doc_id, annotator, record) VALUES (%s, %s, %s, %s) "
                            "ON CONFLICT (id) DO UPDATE SET doc_id = excluded.doc_id, "
                            "annotator = excluded.annotator, record = excluded.record",
                            [(enc(op[1]["id"]), enc(op[1]["doc_id"]), enc(op[1].get("annotator") or ""), _jsonb(op[1]))
                             for op in group],
                        )
                    elif kind == "del":
                        cur.executemany("DELETE FROM reader_annotations WHERE id = %s", [(enc(op[2]),) for op in group])
                    elif kind == "meta":
                        cur.executemany(
                            "INSERT INTO reader_meta (tbl, key, value) VALUES (%s, %s, %s) "
                            "ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value",
                            [(enc(op[1]), enc(str(op[2])), _jsonb(op[3])) for op in group],
                        )
                    else:
                        cur.executemany("DELETE FROM reader_meta WHERE tbl = %s AND key = %s",
                                        [(enc(op[1]), enc(str(op[2]))) for op in group])
                # The log entries are written only on the schema this session writes: a newer reader may
                # have migrated since this session opened (migrations take the same lock, and this
                # statement's snapshot is taken after it was granted). Checked here, not in a statement
                # of its own, to keep the commit lock's critical section at its three round trips.
                cur.executemany(
                    "INSERT INTO reader_changes (session, op) SELECT %s, %s FROM reader_schema HAVING max(version) <= %s",
                    [(enc(self.session), _jsonb(list(op)), SCHEMA_VERSION) for op in ops],
                )
                if ops and cur.rowcount != len(ops):
                    raise _NewerSchema(int(conn.execute(_SCHEMA_SQL).fetchone()[0]))  # rolls it all back

    @staticmethod
    def _check_schema(conn: Any) -> None:
        """Raise :class:`_NewerSchema` when a newer reader has migrated the database since this
        session opened. Before a write it is called under the commit lock, which migrations
        also take, so the schema cannot change between the check and the write (a commit
        checks inside its log statement instead, see :meth:`_write`)."""
        found = int(conn.execute(_SCHEMA_SQL).fetchone()[0])
        if found > SCHEMA_VERSION:
            raise _NewerSchema(found)

    def poll(self) -> list[Op]:
        """Operations other sessions committed since the last load or poll (commit order).

        Raises :class:`StoreVersionError` when a newer reader has migrated the database
        and written since: those changes are in a form this session does not read."""
        import psycopg

        try:
            conn = self._ensure()
            rows = conn.execute(
                "SELECT seq, session, op FROM reader_changes WHERE seq > %s ORDER BY seq", (self._last_seq,)
            ).fetchall()
        except (psycopg.Error, StoreError) as exc:
            self._drop()
            self.last_error = _lost(exc)
            return []
        if rows:  # others wrote: in this session's form, unless a newer reader migrated meanwhile
            try:
                self._check_schema(conn)
            except _NewerSchema as exc:
                # their changes are not read in the old form (nor skipped: _last_seq stays)
                self.last_error = exc.reason
                raise StoreVersionError(self.location, exc.found, SCHEMA_VERSION) from None
            except psycopg.Error as exc:
                self._drop()
                self.last_error = _lost(exc)
                return []
        self.last_error = None
        ops: list[Op] = []
        for seq, session, op in rows:
            self._last_seq = max(self._last_seq, int(seq))
            if _decode_str(session) != self.session:
                ops.append(op)
        return ops

    def compact(self) -> None:
        return None  # the database keeps its own compact form

    def close(self) -> None:
        self._drop()

    # ----------------------------------------------------------------- labels (LabelSource)

    def label_set(self) -> LabelSet:
        """The label set kept in the database (``labels.toml`` text, set by ``reader store copy``
        or :meth:`set_labels_toml`), or the defaults."""
        text = self.get_info(LABELS_FILE)
        if not isinstance(text, str):
            return LabelSet()
        with tempfile.TemporaryDirectory(prefix="reader-labels-") as folder:
            path = Path(folder) / LABELS_FILE
            path.write_text(text, encoding="utf-8")
            labels = LabelSet.from_file(path)
        labels.source = f"{LABELS_FILE} in {self.location}"
        return labels

    def set_labels_toml(self, text: str | None) -> None:
        if text is None:
            with self._guarded() as conn:
                conn.execute("DELETE FROM reader_info WHERE key = %s", (_encode_str(LABELS_FILE),))
        else:
            self.set_info(LABELS_FILE, text)

    # ----------------------------------------------------------------- extras

    def get_info(self, key: str) -> JSON:
        conn = self._ensure()
        row = conn.execute("SELECT value FROM reader_info WHERE key = %s", (_encode_str(key),)).fetchone()
        return row[0] if row else None

    def set_info(self, key: str, value: JSON) -> None:
        with self._guarded() as conn:
            conn.execute(
                "INSERT INTO reader_info (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_encode_str(key), _jsonb(value)),
            )

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[Any]:
        """A transaction under the commit lock, on the schema this session writes
        (else :class:`StoreVersionError`, nothing written)."""
        conn = self._ensure()
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_LOCK,))
                self._check_schema(conn)
                yield conn
        except _NewerSchema as exc:
            raise StoreVersionError(self.location, exc.found, SCHEMA_VERSION) from None


class _NewerSchema(Exception):
    """The database's schema is newer than this engine writes (found inside a transaction)."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found
        #: one short line (it ends up in the status line, after "could not save (...)")
        self.reason = f"a newer reader upgraded the store to schema {found}; this one writes {SCHEMA_VERSION}: restart with it"


def _runs(ops: Sequence[Op]) -> list[tuple[str, list[Op]]]:
    """Consecutive operations of the same kind, grouped (kept in order)."""
    runs: list[tuple[str, list[Op]]] = []
    for op in ops:
        if runs and runs[-1][0] == op[0]:
            runs[-1][1].append(op)
        else:
            runs.append((op[0], [op]))
    return runs


__all__ = ["PostgresEngine", "MIGRATIONS", "SCHEMA_VERSION", "is_database_url", "safe_location", "META_TABLES"]
