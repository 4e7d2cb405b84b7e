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

* :meth:`commit` writes each operation with one statement that applies it
  to its row (only at the version the session had seen, see
  :mod:`reader.store.pgwrite`) and appends it to ``reader_changes``: one
  operation is that statement alone (autocommit: one round trip), several
  are one transaction. No store-wide lock: writers wait only for the rows
  they both change. ``commit`` returns after the transaction has committed
  (durable: ``synchronous_commit`` is left on).
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
* Opening errors (bad URL, unreachable server, not a PostgreSQL server, wrong
  credentials, missing database) raise :class:`~reader.errors.StoreError`
  with one line that says which and what to do; they are told apart by
  exception class and by asking the server (:mod:`reader.store.pgerrors`),
  never by the words of libpq's message.

Limits: ``reader_changes`` grows with every change (about 0.5 KB each; it can
be truncated while nobody is connected); every session keeps the whole image
in memory, like the file engine.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, Protocol, Sequence, runtime_checkable
from urllib.parse import urlsplit

from reader.errors import StoreError, StoreVersionError
from reader.redact import redact
from reader.labels import LABELS_FILE, LabelSet
from reader.model import now_iso
from reader.store.base import JSON, META_TABLES, CommitError, Op, StoreImage, ann_from_record
from reader.store.pgerrors import CONNECT_TIMEOUT, describe_connect_error, network_defaults
from reader.store.pgsecurity import LOGINS_KEY, PER_PERSON
from reader.store.base import op_key, put_record
from reader.store.location import URL_SCHEMES, LabelSource, is_database_url, safe_location
from reader.store.pgwrite import (MIGRATION_3, written_with, Conflict, ConflictError, Versions, WriteContext, absent_op, current,
                                  run_ops, same)
from reader.store.base import SCHEMA_VERSION as RECORD_VERSION

#: arbitrary constant naming the advisory lock that serialises migrations (and quarantine, info writes);
#: commits do not take it
COMMIT_LOCK = 0x72656164  # "read"
log = logging.getLogger("reader.store")


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
    MIGRATION_3,  # 3: versioned rows (optimistic concurrency), no duplicate within a layer (reader.store.pgwrite)
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


def _lost(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"connection to the database lost ({text})" if text else "connection to the database lost"


class PostgresEngine:
    """:class:`~reader.store.base.StorageEngine` on a PostgreSQL database (many writers)."""

    def __init__(self, url: str, *, readonly: bool = False, annotator: str = "", login_default: bool = False) -> None:
        self.url = url
        self.location = safe_location(url)
        self.readonly = readonly
        self.readonly_reason: str | None = "opened read-only" if readonly else None
        self.last_error: str | None = None
        self.annotator = annotator
        #: no annotator was given: on a store with one login per person (reader.store.pgsecurity) it is the login role
        self.login_default = login_default
        self.session = f"{annotator or 'reader'}:{os.getpid()}:{os.urandom(4).hex()}"
        self.connected = False
        #: time.time() of the first failure to reach the database since it was last reached (None: online)
        self.offline_since: float | None = None
        self._conn: Any = None
        self._versions = Versions()
        self._horizon = "0"  # xid8 (as text): the changes of every transaction before it have been read
        self.created = ""
        #: one line per annotation row that :meth:`load` found unreadable (moved to reader_quarantine)
        self.quarantined: list[str] = []

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
                                   application_name="reader", **network_defaults(self.url))
        except psycopg.Error as exc:
            raise StoreError(describe_connect_error(self.location, exc, self.url)) from None
        except (ValueError, UnicodeError) as exc:  # conninfo that libpq cannot even parse
            raise StoreError(describe_connect_error(self.location, exc, self.url)) from None
        from psycopg.types.json import set_json_loads

        set_json_loads(_loads, context=conn)  # jsonb values come back decoded (see _encode_str)
        self._conn = conn
        self.connected = True
        return conn

    def _offline(self, reason: str) -> str:
        """Remember that the database cannot be reached (since when), and why."""
        if self.offline_since is None:
            self.offline_since = time.time()
        self.last_error = reason
        return reason

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
        # up to date: no lock (opening does not wait for other sessions). Asked of pg_class itself, not
        # with to_regclass, whose "absent" the backend would cache past another session's CREATE TABLE
        if conn.execute("SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'reader_schema' "
                        "AND pg_catalog.pg_table_is_visible(oid)").fetchone()[0]:
            found = int(conn.execute(_SCHEMA_SQL).fetchone()[0])
            if found == SCHEMA_VERSION:
                return found
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_LOCK,))
            if conn.execute("SELECT to_regclass('reader_schema')").fetchone()[0] is None:
                # only then: a role without CREATE on the schema (one login per person) opens an existing store
                conn.execute("CREATE TABLE reader_schema (version integer PRIMARY KEY, applied text NOT NULL)")
            row = conn.execute("SELECT coalesce(max(version), 0) FROM reader_schema").fetchone()
            found = int(row[0])
            if found > SCHEMA_VERSION:
                raise StoreVersionError(self.location, found, SCHEMA_VERSION)
            if found == SCHEMA_VERSION:
                return found
            # writes read reader_schema in the statement that writes (pgwrite): they wait for the
            # migration's end and then see the new version, or the migration waits for them
            conn.execute("LOCK TABLE reader_schema IN ACCESS EXCLUSIVE MODE")
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
            if self.login_default:
                self._login_annotator(conn)
            image = StoreImage()
            image.schema_version = RECORD_VERSION  # the records' format, as in the file engine
            versions = Versions()
            with conn.transaction():
                # one snapshot: the tables, their revs and the horizon of the changes agree
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                self._horizon = str(conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()[0])
                with conn.cursor() as cur:
                    cur.execute("SELECT id, record, rev FROM reader_annotations")
                    bad = _read_annotations(cur, image, versions)  # a row that is not an annotation blocks no one
                    cur.execute("SELECT tbl, key, value, rev FROM reader_meta")
                    for tbl, key, value, rev in cur:
                        table, k = _decode_str(tbl), _decode_str(key)
                        image.meta.setdefault(table, {})[k] = value
                        versions.set(("m", table, k), int(rev), True)
                    cur.execute("SELECT value FROM reader_info WHERE key = 'created'")
                    row = cur.fetchone()
            self._versions = versions
            image.created = self.created = row[0] if row else ""
            self.quarantined = self._quarantine(conn, bad)
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

    def _login_annotator(self, conn: Any) -> None:
        """On a store set up with one login per person, the annotator is the login role."""
        row = conn.execute("SELECT value, current_user FROM reader_info WHERE key = %s", (LOGINS_KEY,)).fetchone()
        if row is not None and row[0] == PER_PERSON:
            self.annotator = str(row[1])
            self.session = f"{self.annotator}:{os.getpid()}:{os.urandom(4).hex()}"

    def based_on(self, ops: Sequence[Op]) -> list[int]:
        """The rev each operation is based on: what this session has seen of its row (see pgwrite)."""
        return self._versions.bases(ops)

    def commit(self, ops: Sequence[Op]) -> None:
        self.commit_based(ops, self.based_on(ops))

    def commit_based(self, ops: Sequence[Op], bases: Sequence[int]) -> None:
        """Commit ``ops``, each only if its row is still at the rev in ``bases`` (else
        :class:`~reader.store.pgwrite.ConflictError`, nothing written)."""
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
                raise CommitError(self.location, self._offline(f"not connected ({exc})")) from None
            try:
                self._write(conn, ops, bases)
            except (_Refused, psycopg.errors.UniqueViolation, psycopg.errors.InsufficientPrivilege) as exc:
                if isinstance(exc, _Refused):
                    conflicts = exc.conflicts
                elif isinstance(exc, psycopg.errors.InsufficientPrivilege):  # SQLSTATE 42501: not this login's layer
                    first = ops[0]
                    owner = _decode_str(str(put_record(first).get("annotator") or "")) if first[0] == "put" else ""
                    conflicts = [Conflict(op_key(first), "forbidden", owner, None, None)]
                else:  # the layer already has this span (the database's own index)
                    dup = next((op for op in ops if op[0] == "put"), None)
                    who = _decode_str(str(put_record(dup).get("annotator") or "")) if dup is not None else ""
                    conflicts = [Conflict(op_key(dup) if dup else ("a", ""), "duplicate", who, None, None)]
                try:
                    refusal = self._conflict(conn, ops, conflicts)
                except psycopg.Error as lost:  # cut off while reading the records back: kept, retried
                    self._drop()
                    raise CommitError(self.location, self._offline(_lost(lost))) from None
                raise refusal from None
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
                raise CommitError(self.location, self._offline(_lost(exc))) from None
            except psycopg.Error as exc:
                if conn.broken:
                    self._drop()
                    raise CommitError(self.location, self._offline(_lost(exc))) from None
                raise CommitError(self.location, f"the database refused the change ({' '.join(str(exc).split())[:200]})") from None
            self.last_error = None
            self.offline_since = None
            return

    def _write(self, conn: Any, ops: Sequence[Op], bases: Sequence[int]) -> None:
        """Each operation only on the row version it was based on, with its log entry (strings
        encoded, see _encode_str). One operation is one statement in autocommit mode (one round
        trip); several run in one transaction. Raises :class:`_Refused` (nothing written)."""
        ctx = WriteContext(_encode_str, _jsonb, _encode_str(self.annotator), _encode_str(self.session), SCHEMA_VERSION)
        done: list[tuple[Op, int]] = []
        with contextlib.ExitStack() as tx:
            if len(ops) > 1:
                tx.enter_context(conn.transaction())
            with conn.cursor() as cur:
                schema, revs = run_ops(cur, ops, bases, ctx)
                if schema > SCHEMA_VERSION:
                    raise _NewerSchema(schema)  # nothing was written (rolled back)
                conflicts: list[Conflict] = []
                for op, rev, base in zip(ops, revs, bases):
                    if rev is None:
                        key = op_key(op)
                        now, now_rev, writer, written = current(cur, key, ctx.enc, _decode_str)
                        if not same(op, now):
                            if now is not None and now_rev == base and base > 0:
                                kind = "forbidden"  # unchanged, yet not written: row-level security kept it
                            elif now is None:
                                kind = "deleted"
                            else:
                                kind = "exists" if op[0] in ("put", "meta") and not self._versions.exists.get(key) else "changed"
                            conflicts.append(Conflict(key, kind, writer, written, now))
                            continue
                        rev = now_rev  # already so: a retry of a commit whose acknowledgement was lost
                    done.append((op, rev))
                if conflicts:
                    raise _Refused(conflicts)  # rolls it all back
        for op, rev in done:  # committed: this session has seen these versions
            self._versions.set(op_key(op), rev, op[0] in ("put", "meta"))

    def _conflict(self, conn: Any, ops: Sequence[Op], conflicts: list[Conflict]) -> ConflictError:
        """The refusal, with the current state of every row the transaction touched."""
        fresh: list[Op] = []
        seen: set[tuple[str, ...]] = set()
        with conn.cursor() as cur:
            for op in ops:
                key = op_key(op)
                if key in seen:
                    continue
                seen.add(key)
                now, rev, _writer, _written = current(cur, key, _encode_str, _decode_str)
                self._versions.set(key, rev, now is not None)
                fresh.append(now if now is not None else absent_op(key, op))
            # the rest of the transactions that wrote those rows (a decision row and the gold spans it
            # names): without them the image would hold a row whose companions it has not polled yet
            for key, logged in written_with(cur, sorted(seen), self._horizon, _encode_str):
                if key in seen:
                    continue
                seen.add(key)
                now, rev, _writer, _written = current(cur, key, _encode_str, _decode_str)
                if now is None:
                    fresh.append(absent_op(key, logged))  # gone (its delete's rev comes with the next poll)
                elif self._versions.newer(key, rev):
                    self._versions.set(key, rev, True)
                    fresh.append(now)
        self.last_error = None
        self.offline_since = None
        return ConflictError(self.location, conflicts, fresh)

    @staticmethod
    def _check_schema(conn: Any) -> None:
        """Raise :class:`_NewerSchema` when a newer reader has migrated the database since this
        session opened. Before a write it is called under the advisory lock, which migrations
        also take, so the schema cannot change between the check and the write (a commit
        checks inside its write statements instead, see :meth:`_write`)."""
        found = int(conn.execute(_SCHEMA_SQL).fetchone()[0])
        if found > SCHEMA_VERSION:
            raise _NewerSchema(found)

    def poll(self) -> list[Op]:
        """Operations other sessions committed since the last load or poll (commit order).

        Raises :class:`StoreVersionError` when a newer reader has migrated the database
        and written since: those changes are in a form this session does not read."""
        import psycopg

        fresh = self._conn is None or self._conn.closed or self._conn.broken
        while True:
            try:
                conn = self._ensure()
                # only the changes of finished transactions (older than the oldest one still running):
                # no store-wide lock orders the commits, so a later change number may commit first
                rows = conn.execute(
                    "WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS x) "
                    "SELECT h.x::text, c.session, c.op, c.rev FROM h LEFT JOIN reader_changes c "
                    "ON c.xid >= %s::xid8 AND c.xid < h.x ORDER BY c.rev NULLS FIRST, c.seq",
                    (self._horizon,),
                ).fetchall()
                break
            except (psycopg.Error, StoreError) as exc:
                self._drop()
                if not fresh and isinstance(exc, psycopg.OperationalError):
                    fresh = True  # the connection went stale (server restarted, backend ended): once more
                    continue
                self._offline(_lost(exc))
                return []
        if rows[0][1] is not None:  # others wrote: in this session's form, unless a newer reader migrated meanwhile
            try:
                self._check_schema(conn)
            except _NewerSchema as exc:
                # their changes are not read in the old form (nor skipped: the horizon stays)
                self.last_error = exc.reason
                raise StoreVersionError(self.location, exc.found, SCHEMA_VERSION) from None
            except psycopg.Error as exc:
                self._drop()
                self._offline(_lost(exc))
                return []
        self.last_error = None
        self.offline_since = None
        self._horizon = str(rows[0][0])
        ops: list[Op] = []
        for _h, session, op, rev in rows:
            if session is None or _decode_str(session) == self.session:
                continue
            key = op_key(op)
            if self._versions.newer(key, rev):  # a change seen before (or superseded) is not applied again
                ops.append(op)
                if rev is not None:
                    self._versions.set(key, int(rev), op[0] in ("put", "meta"))
        return ops

    def compact(self) -> None:
        return None  # the database keeps its own compact form

    def close(self) -> None:
        self._drop()

    # ----------------------------------------------------------------- quarantine (issue 18)

    def _quarantine(self, conn: Any, bad: list[tuple[str, str]]) -> list[str]:
        """Move the unreadable annotation rows ``bad`` ((id, why)) to ``reader_quarantine``, one
        transaction, and name each in one line (logged as a warning). A read-only session (or
        one the database refuses) leaves them where they are and only skips them."""
        import psycopg

        if not bad:
            return []
        where = "skipped (run `reader store recover` to move it to reader_quarantine)"
        if not self.readonly:
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_LOCK,))
                    conn.execute(QUARANTINE_SQL)
                    with conn.cursor() as cur:
                        cur.executemany(
                            "WITH gone AS (DELETE FROM reader_annotations WHERE id = %s RETURNING id, record) "
                            "INSERT INTO reader_quarantine (id, record, reason, moved) "
                            "SELECT id, record, %s, %s FROM gone",
                            [(row_id, why, now_iso()) for row_id, why in bad],
                        )
                where = "moved to the table reader_quarantine; the store opens without it"
            except psycopg.Error as exc:
                where = f"skipped (could not move it to reader_quarantine: {' '.join(str(exc).split())[:120]})"
        lines = [f"{self.location}: annotation row {_decode_str(row_id)!r}: {why}; {where}" for row_id, why in bad]
        for line in lines:
            log.warning(line)
        return lines

    def quarantine_rows(self) -> list[str]:
        """One line per row kept in ``reader_quarantine`` (none when the table does not exist)."""
        conn = self._ensure()
        if conn.execute("SELECT to_regclass('reader_quarantine')").fetchone()[0] is None:
            return []
        rows = conn.execute("SELECT id, reason, moved FROM reader_quarantine ORDER BY qid").fetchall()
        return [f"{self.location}: reader_quarantine holds row {_decode_str(i)!r} ({why}; moved {when})"
                for i, why, when in rows]

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

    def inspect(self, key: tuple[str, ...] | None = None) -> dict[str, JSON]:
        """This session for diagnostics and tests (see :mod:`reader.store.inspect`)."""
        conn = self._conn
        out: dict[str, JSON] = {"session": self.session, "horizon": self._horizon,
                                "tls": bool(conn is not None and not conn.closed and conn.pgconn.ssl_in_use)}
        if key is not None:
            out["seen"] = self._versions.revs.get(key)
        return out

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


class _Refused(Exception):
    """Rows changed since this session read them: the transaction is rolled back (see pgwrite)."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(len(conflicts))
        self.conflicts = conflicts


def _read_annotations(rows: Iterator[tuple[str, Any, int]], image: StoreImage, versions: Versions) -> list[tuple[str, str]]:
    """Put the readable annotation rows into ``image`` (their revs into ``versions``); the others as (row id, why)."""
    bad: list[tuple[str, str]] = []
    for row_id, record, rev in rows:
        try:
            ann = ann_from_record(record)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            bad.append((row_id, f"not a valid annotation ({' '.join(str(exc).split())[:160]})"))
            continue
        image.put(ann)
        versions.set(("a", ann.id), int(rev), True)
    return bad


QUARANTINE_SQL = """CREATE TABLE IF NOT EXISTS reader_quarantine (
    qid bigserial PRIMARY KEY, id text NOT NULL, record jsonb, reason text NOT NULL, moved text NOT NULL)"""


class _NewerSchema(Exception):
    """The database's schema is newer than this engine writes (found inside a transaction)."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found
        #: one short line (it ends up in the status line, after "could not save (...)")
        self.reason = f"a newer reader upgraded the store to schema {found}; this one writes {SCHEMA_VERSION}: restart with it"


__all__ = ["PostgresEngine", "MIGRATIONS", "SCHEMA_VERSION", "is_database_url", "safe_location", "META_TABLES"]
