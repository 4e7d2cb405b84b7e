"""Optimistic concurrency for the PostgreSQL engine: every write names the version it was based on.

Every annotation row and workspace-table row carries ``rev``, a number from
the sequence ``reader_rev`` taken when it was last written, with ``writer``
(the annotator of the session) and ``written`` (the time). A session knows
the ``rev`` of every row it has seen (:class:`Versions`, from loading and
polling). A change is written only if the row is still at that ``rev``:

* a new annotation or table entry (never seen): inserted only if absent;
* an edit: ``UPDATE ... WHERE rev = <seen>``;
* a delete: ``DELETE ... WHERE rev = <seen>``;
* a second operation on the same row in one transaction follows the first;
* the language cache (:data:`LAST_WRITER_WINS`) is written without a check.

A write that finds the row changed (or gone, or already there) is a
**conflict**, unless the row already holds exactly what this write would
put there (a retry of a commit whose acknowledgement was lost): the whole
transaction is rolled back and :class:`ConflictError` carries the rows'
current state (as operations that set the session's image to it) and who
changed them when. The database also refuses two identical spans in one
layer (the unique index ``reader_annotations_layer``): the same conflict.

Each operation is one statement that also appends its own entry to
``reader_changes`` (a CTE); a transaction of one operation (a tag, an edit,
a delete) is that statement alone in autocommit mode: one round trip, no
lock but the row's. Several operations run in one transaction.

Polling needs no store-wide lock: each change row records the transaction
id that wrote it (``xid``), and a poll reads only the rows of transactions
older than the oldest one still running (``pg_snapshot_xmin``), which are
all finished; rows are applied in ``rev`` order, and only when newer than
what the session has (so a row seen twice does no harm).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from reader.store.base import CommitConflict, Op, op_doc, op_key, put_record

#: (kind, ...): ("a", annotation id) or ("m", table, key)
Key = tuple[str, ...]
#: tables whose entries are a cache of a pure function (the language detected for a text's hash):
#: written without a version check, since two sessions can only write the same value
LAST_WRITER_WINS = frozenset({"languages"})
#: the rev a write is based on: 0 = the row must be absent; NEW_IN_TX = it follows an earlier op of its transaction
NEW_IN_TX = -1

MIGRATION_3: list[str] = [
    "CREATE SEQUENCE IF NOT EXISTS reader_rev",
    "ALTER TABLE reader_annotations ADD COLUMN IF NOT EXISTS rev bigint NOT NULL DEFAULT 0",
    "ALTER TABLE reader_annotations ADD COLUMN IF NOT EXISTS writer text NOT NULL DEFAULT ''",
    "ALTER TABLE reader_annotations ADD COLUMN IF NOT EXISTS written timestamptz NOT NULL DEFAULT now()",
    "ALTER TABLE reader_meta ADD COLUMN IF NOT EXISTS rev bigint NOT NULL DEFAULT 0",
    "ALTER TABLE reader_meta ADD COLUMN IF NOT EXISTS writer text NOT NULL DEFAULT ''",
    "ALTER TABLE reader_meta ADD COLUMN IF NOT EXISTS written timestamptz NOT NULL DEFAULT now()",
    "UPDATE reader_annotations SET rev = nextval('reader_rev') WHERE rev = 0",
    "UPDATE reader_meta SET rev = nextval('reader_rev') WHERE rev = 0",
    "ALTER TABLE reader_changes ADD COLUMN IF NOT EXISTS rev bigint",
    "ALTER TABLE reader_changes ADD COLUMN IF NOT EXISTS xid xid8 NOT NULL DEFAULT pg_current_xact_id()",
    "CREATE INDEX IF NOT EXISTS reader_changes_xid ON reader_changes (xid)",
    # duplicates within one layer, from before the database refused them: the newest one stays,
    # the others are moved (not lost) to reader_duplicates
    """CREATE TABLE IF NOT EXISTS reader_duplicates (
           id text PRIMARY KEY, record jsonb NOT NULL, moved timestamptz NOT NULL DEFAULT now())""",
    """WITH ranked AS (
           SELECT id, row_number() OVER (
               PARTITION BY annotator, doc_id, record->>'start', record->>'end', record->>'label'
               ORDER BY record->>'updated' DESC, id) AS n
           FROM reader_annotations WHERE record->>'status' <> 'rejected'),
       moved AS (
           INSERT INTO reader_duplicates (id, record)
           SELECT a.id, a.record FROM reader_annotations a JOIN ranked r USING (id) WHERE r.n > 1
           ON CONFLICT (id) DO NOTHING RETURNING id)
       DELETE FROM reader_annotations WHERE id IN (SELECT id FROM moved)""",
    """CREATE UNIQUE INDEX IF NOT EXISTS reader_annotations_layer ON reader_annotations
           (annotator, doc_id, (record->>'start'), (record->>'end'), (record->>'label'))
           WHERE record->>'status' <> 'rejected'""",
]


class Versions:
    """The rev of every row this session has seen, and whether it exists (a deleted row: its delete's rev)."""

    def __init__(self) -> None:
        self.revs: dict[Key, int] = {}
        self.exists: dict[Key, bool] = {}

    def bases(self, ops: Sequence[Op]) -> list[int]:
        """What each operation of one transaction is based on (see the module docstring)."""
        seen: set[Key] = set()
        out: list[int] = []
        for op in ops:
            key = op_key(op)
            if key in seen:
                out.append(NEW_IN_TX)
                continue
            seen.add(key)
            if key[0] == "m" and key[1] in LAST_WRITER_WINS:
                out.append(NEW_IN_TX)  # a cache: whoever wrote it, the value is the same
            else:
                out.append(self.revs.get(key, 0) if self.exists.get(key, False) else 0)
        return out

    def set(self, key: Key, rev: int, exists: bool) -> None:
        self.revs[key] = rev
        self.exists[key] = exists

    def newer(self, key: Key, rev: int | None) -> bool:
        """Whether a change at ``rev`` is newer than what the session has of ``key``."""
        return rev is None or rev > self.revs.get(key, 0)


@dataclass
class Conflict:
    """One refused write: what the row is now (``op`` sets the image to it) and who made it so."""

    key: Key
    kind: str  # "changed", "deleted", "exists", "duplicate", "forbidden"
    writer: str
    written: float | None  # time.time(), None when unknown
    op: Op | None


class ConflictError(CommitConflict):
    """A transaction refused because a row changed since it was read; nothing was written."""

    def __init__(self, location: str, conflicts: list[Conflict], fresh: list[Op]) -> None:
        self.conflicts = conflicts
        self.fresh = fresh  # the current state of every row the transaction touched
        super().__init__(location, describe(conflicts))


_WHAT = {"languages": "language cache entry", "overrides": "language override", "done": "done flag",
         "documents": "document", "state": "review decision", "rejected": "rejected suggestion", "links": "link"}


def describe(conflicts: list[Conflict], now: float | None = None) -> str:
    """One line for the first conflict: "bob changed this span 3 s ago; reloaded; ctrl+z is unchanged"."""
    if not conflicts:
        return "another session changed this meanwhile; reloaded; ctrl+z is unchanged"
    c = conflicts[0]
    what = "span" if c.key[0] == "a" else _WHAT.get(c.key[1], "entry")
    who = c.writer or "another session"
    ago = ""
    if c.written is not None:
        seconds = max(0, int((now if now is not None else time.time()) - c.written))
        ago = f" {seconds} s ago"
    verb = {"changed": "changed", "deleted": "deleted", "exists": "set", "duplicate": "already has", "forbidden": ""}[c.kind]
    if c.kind == "forbidden":
        line = f"the database lets only {who} change this {what} (one login per person)"
    elif c.kind == "duplicate":
        line = f"{who} already has this span in the layer{ago}"
    else:
        line = f"{who} {verb} this {what}{ago}"
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    return f"{line}{more}; reloaded; ctrl+z is unchanged"


# --------------------------------------------------------------------------- writing

# Each operation is ONE statement that writes its row (only at the rev it is based on) and, in the
# same statement, its entry in reader_changes (only if the row was written): run alone in autocommit
# mode it is a whole transaction of one round trip, with no lock but the row's own. ``s`` gates it on
# the schema: nothing is written when a newer reader has migrated the store (its reader_schema row is
# read under the statement's table lock, which a migration takes exclusively, see postgres._migrate).
# Every statement returns one row: (the schema version found, the rev written or NULL).
_GATE = "WITH s AS (SELECT max(version) AS v FROM reader_schema), w AS ("
_LOG = ("), l AS (INSERT INTO reader_changes (session, op, rev) SELECT %(session)s, %(op)s, w.rev FROM w) "
        "SELECT s.v, w.rev FROM s LEFT JOIN w ON true")
_ANN_VALUES = ("INSERT INTO reader_annotations (id, doc_id, annotator, record, rev, writer, written) "
               "SELECT %(id)s, %(doc)s, %(ann)s, %(rec)s, nextval('reader_rev'), %(writer)s, now() FROM s "
               "WHERE s.v <= %(schema)s ON CONFLICT (id) ")
_PUT_NEW = _GATE + _ANN_VALUES + "DO NOTHING RETURNING rev" + _LOG
_PUT_AT = (_GATE + "UPDATE reader_annotations SET doc_id = %(doc)s, annotator = %(ann)s, record = %(rec)s, "
           "rev = nextval('reader_rev'), writer = %(writer)s, written = now() FROM s "
           "WHERE id = %(id)s AND rev = %(base)s AND s.v <= %(schema)s RETURNING reader_annotations.rev" + _LOG)
# nextval again in DO UPDATE: a value taken before waiting for the row could be older than the row's
_PUT_ANY = (_GATE + _ANN_VALUES + "DO UPDATE SET doc_id = excluded.doc_id, annotator = excluded.annotator, "
            "record = excluded.record, rev = nextval('reader_rev'), writer = excluded.writer, written = excluded.written "
            "RETURNING rev" + _LOG)
_DEL_AT = (_GATE + "DELETE FROM reader_annotations USING s WHERE id = %(id)s AND (rev = %(base)s OR %(base)s < 0) "
           "AND s.v <= %(schema)s RETURNING nextval('reader_rev') AS rev" + _LOG)
_META_VALUES = ("INSERT INTO reader_meta (tbl, key, value, rev, writer, written) "
                "SELECT %(tbl)s, %(key)s, %(value)s, nextval('reader_rev'), %(writer)s, now() FROM s "
                "WHERE s.v <= %(schema)s ON CONFLICT (tbl, key) ")
_META_NEW = _GATE + _META_VALUES + "DO NOTHING RETURNING rev" + _LOG
_META_AT = (_GATE + "UPDATE reader_meta SET value = %(value)s, rev = nextval('reader_rev'), writer = %(writer)s, "
            "written = now() FROM s WHERE tbl = %(tbl)s AND key = %(key)s AND rev = %(base)s AND s.v <= %(schema)s "
            "RETURNING reader_meta.rev" + _LOG)
_META_ANY = (_GATE + _META_VALUES + "DO UPDATE SET value = excluded.value, rev = nextval('reader_rev'), "
             "writer = excluded.writer, written = excluded.written RETURNING rev" + _LOG)
_UNMETA_AT = (_GATE + "DELETE FROM reader_meta USING s WHERE tbl = %(tbl)s AND key = %(key)s "
              "AND (rev = %(base)s OR %(base)s < 0) AND s.v <= %(schema)s RETURNING nextval('reader_rev') AS rev" + _LOG)


@dataclass(frozen=True)
class WriteContext:
    """Who writes, and how values are stored (see postgres._encode_str and _jsonb)."""

    enc: Callable[[str], str]
    jsonb: Callable[[Any], Any]
    writer: str  # encoded
    session: str  # encoded
    schema: int  # the schema version this engine writes


def _statement(op: Op, base: int, ctx: WriteContext) -> tuple[str, dict[str, Any]]:
    enc = ctx.enc
    params: dict[str, Any] = {"writer": ctx.writer, "session": ctx.session, "schema": ctx.schema,
                              "op": ctx.jsonb(list(op)), "base": base}
    kind = op[0]
    if kind == "put":
        rec = put_record(op)
        params.update(id=enc(op_key(op)[1]), doc=enc(op_doc(op)), ann=enc(str(rec.get("annotator") or "")),
                      rec=ctx.jsonb(rec))
        return (_PUT_NEW if base == 0 else _PUT_ANY if base == NEW_IN_TX else _PUT_AT), params
    if kind == "del":
        params["id"] = enc(op_key(op)[1])
        return _DEL_AT, params
    params.update(tbl=enc(op_key(op)[1]), key=enc(str(op[2])))
    if kind == "meta":
        params["value"] = ctx.jsonb(op[3])
        return (_META_NEW if base == 0 else _META_ANY if base == NEW_IN_TX else _META_AT), params
    return _UNMETA_AT, params


def run_ops(cur: Any, ops: Sequence[Op], bases: Sequence[int], ctx: WriteContext) -> tuple[int, list[int | None]]:
    """Execute the operations in order (runs of one statement together, in one round trip): the
    highest schema version found, and for each operation the rev it wrote (a delete: its own rev),
    or None when its row was not as the session had seen it (or the schema is newer: nothing written)."""
    out: list[int | None] = []
    schema = 0
    i = 0
    while i < len(ops):
        sql, params = _statement(ops[i], bases[i], ctx)
        batch = [params]
        j = i + 1
        while j < len(ops):
            sql2, params2 = _statement(ops[j], bases[j], ctx)
            if sql2 != sql:
                break
            batch.append(params2)
            j += 1
        if len(batch) == 1:
            cur.execute(sql, batch[0])
            rows = [cur.fetchone()]
        else:
            cur.executemany(sql, batch, returning=True)
            rows = []
            while True:
                rows.append(cur.fetchone())
                if not cur.nextset():
                    break
        for row in rows:
            schema = max(schema, int(row[0] or 0))
            out.append(int(row[1]) if row[1] is not None else None)
        i = j
    return schema, out


def current(cur: Any, key: Key, enc: Callable[[str], str], dec: Callable[[str], str]) -> tuple[Op | None, int, str, float | None]:
    """The row of ``key`` now: (an operation that sets an image to it, its rev (0: absent), writer, written)."""
    if key[0] == "a":
        cur.execute("SELECT record, rev, writer, extract(epoch FROM written)::float8 FROM reader_annotations WHERE id = %s",
                    (enc(key[1]),))
        row = cur.fetchone()
        if row is None:
            return None, 0, "", None
        return ["put", row[0]], int(row[1]), dec(row[2]), float(row[3])
    cur.execute("SELECT value, rev, writer, extract(epoch FROM written)::float8 FROM reader_meta WHERE tbl = %s AND key = %s",
                (enc(key[1]), enc(key[2])))
    row = cur.fetchone()
    if row is None:
        return None, 0, "", None
    return ["meta", key[1], key[2], row[0]], int(row[1]), dec(row[2]), float(row[3])


def written_with(cur: Any, keys: Sequence[Key], horizon: str, enc: Callable[[str], str]) -> list[tuple[Key, Op]]:
    """Every row written by the transactions that last wrote ``keys``, not yet polled (their
    transaction at or after ``horizon``): (key, the logged operation), in log order.

    A conflict reloads the rows it touched; a row is one of several its writer changed
    together (a decision row and the gold spans it names), so the others are reloaded too."""
    ids = [enc(k[1]) for k in keys if k[0] == "a"]
    tables = [enc(k[1]) for k in keys if k[0] == "m"]
    names = [enc(k[2]) for k in keys if k[0] == "m"]
    cur.execute(
        "WITH w AS (SELECT xmin AS x FROM reader_annotations WHERE id = ANY(%(ids)s) "
        "UNION SELECT m.xmin FROM reader_meta m JOIN unnest(%(tables)s::text[], %(names)s::text[]) AS k(tbl, key) "
        "ON m.tbl = k.tbl AND m.key = k.key) "
        "SELECT c.op FROM reader_changes c WHERE c.xid >= %(h)s::xid8 AND c.xid::xid IN (SELECT x FROM w) ORDER BY c.seq",
        {"ids": ids, "tables": tables, "names": names, "h": horizon})
    return [(op_key(row[0]), row[0]) for row in cur.fetchall()]


def same(op: Op, now: Op | None) -> bool:
    """Whether the row already is what ``op`` would make it (a retried commit already applied)."""
    if op[0] in ("del", "unmeta"):
        return now is None
    if now is None:
        return False
    return bool(now[-1] == op[-1])


def absent_op(key: Key, op: Op) -> Op:
    """The operation that removes ``key`` from an image (it is gone from the store)."""
    if key[0] == "a":
        return ["del", op_doc(op), key[1]]
    return ["unmeta", key[1], key[2]]
