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

from reader.store.base import CommitConflict, Op

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


def op_key(op: Op) -> Key:
    if op[0] == "put":
        return ("a", op[1]["id"])
    if op[0] == "del":
        return ("a", op[2])
    return ("m", op[1], str(op[2]))


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

_PUT_NEW = ("INSERT INTO reader_annotations (id, doc_id, annotator, record, rev, writer, written) "
            "VALUES (%s, %s, %s, %s, nextval('reader_rev'), %s, now()) ON CONFLICT (id) DO NOTHING RETURNING rev")
_PUT_AT = ("UPDATE reader_annotations SET doc_id = %s, annotator = %s, record = %s, rev = nextval('reader_rev'), "
           "writer = %s, written = now() WHERE id = %s AND rev = %s RETURNING rev")
_PUT_ANY = ("INSERT INTO reader_annotations (id, doc_id, annotator, record, rev, writer, written) "
            "VALUES (%s, %s, %s, %s, nextval('reader_rev'), %s, now()) ON CONFLICT (id) DO UPDATE SET "
            "doc_id = excluded.doc_id, annotator = excluded.annotator, record = excluded.record, "
            "rev = excluded.rev, writer = excluded.writer, written = excluded.written RETURNING rev")
_DEL_AT = "DELETE FROM reader_annotations WHERE id = %s AND (rev = %s OR %s < 0) RETURNING nextval('reader_rev')"
_META_NEW = ("INSERT INTO reader_meta (tbl, key, value, rev, writer, written) VALUES (%s, %s, %s, nextval('reader_rev'), %s, now()) "
             "ON CONFLICT (tbl, key) DO NOTHING RETURNING rev")
_META_AT = ("UPDATE reader_meta SET value = %s, rev = nextval('reader_rev'), writer = %s, written = now() "
            "WHERE tbl = %s AND key = %s AND rev = %s RETURNING rev")
_META_ANY = ("INSERT INTO reader_meta (tbl, key, value, rev, writer, written) VALUES (%s, %s, %s, nextval('reader_rev'), %s, now()) "
             "ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value, rev = excluded.rev, "
             "writer = excluded.writer, written = excluded.written RETURNING rev")
_UNMETA_AT = "DELETE FROM reader_meta WHERE tbl = %s AND key = %s AND (rev = %s OR %s < 0) RETURNING nextval('reader_rev')"


def _statement(op: Op, base: int, enc: Callable[[str], str], jsonb: Callable[[Any], Any], writer: str) -> tuple[str, tuple[Any, ...]]:
    kind = op[0]
    if kind == "put":
        rec = op[1]
        ids = (enc(rec["id"]), enc(rec["doc_id"]), enc(rec.get("annotator") or ""))
        if base == 0:
            return _PUT_NEW, (*ids, jsonb(rec), writer)
        if base == NEW_IN_TX:
            return _PUT_ANY, (*ids, jsonb(rec), writer)
        return _PUT_AT, (ids[1], ids[2], jsonb(rec), writer, ids[0], base)
    if kind == "del":
        return _DEL_AT, (enc(op[2]), base, base)
    tbl, key = enc(op[1]), enc(str(op[2]))
    if kind == "meta":
        if base == 0:
            return _META_NEW, (tbl, key, jsonb(op[3]), writer)
        if base == NEW_IN_TX:
            return _META_ANY, (tbl, key, jsonb(op[3]), writer)
        return _META_AT, (jsonb(op[3]), writer, tbl, key, base)
    return _UNMETA_AT, (tbl, key, base, base)


def run_ops(cur: Any, ops: Sequence[Op], bases: Sequence[int], enc: Callable[[str], str],
            jsonb: Callable[[Any], Any], writer: str) -> list[int | None]:
    """Execute the operations in order (runs of one statement together); for each, the rev it wrote
    (a delete: its own rev), or None when its row was not as the session had seen it."""
    out: list[int | None] = []
    i = 0
    while i < len(ops):
        sql, params = _statement(ops[i], bases[i], enc, jsonb, writer)
        batch = [params]
        j = i + 1
        while j < len(ops):
            sql2, params2 = _statement(ops[j], bases[j], enc, jsonb, writer)
            if sql2 != sql:
                break
            batch.append(params2)
            j += 1
        if len(batch) == 1:
            cur.execute(sql, batch[0])
            row = cur.fetchone()
            out.append(int(row[0]) if row else None)
        else:
            cur.executemany(sql, batch, returning=True)
            while True:
                row = cur.fetchone()
                out.append(int(row[0]) if row else None)
                if not cur.nextset():
                    break
        i = j
    return out


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
        doc_id = op[1]["doc_id"] if op[0] == "put" else op[1]
        return ["del", doc_id, key[1]]
    return ["unmeta", key[1], key[2]]
