"""``reader store check`` and ``reader store recover`` for the file engine.

:func:`check_store` only reads. :func:`recover_store` rebuilds what cannot be
read from the backups and the journals, moving each bad file aside as
``<name>.corrupt-<timestamp>`` (never deleting it), then opens the store
normally (which replays the journal) and compacts it. A file is rebuilt from its
``.bak`` and the kept journals (:mod:`reader.store.archive`) from the newest that
rewrote it on; when none did, the changes since its ``.bak`` are gone, and the
file is left as it is and recovery fails in one line (never "recovered").
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path


from reader import fsutil
from reader.errors import ReaderError, StoreCorruptError, StoreError, StoreLockedError, StoreVersionError
from reader.labels import LabelSet
from reader.model import now_iso
from reader.store import safety
from reader.protocols import JSON
from reader.model import STATUS_REJECTED
from reader.store.base import TEXTS_TABLE, LayerKey, StoreImage, layer_key
from reader.store.location import is_database_url
from reader.store.lockfile import WriterLock, in_the_way
from reader.store.salvage import Salvage, salvage_shard, split_records
from reader.store.archive import (ARCHIVE_DIR, MISSING_LISTED, MissingShard, cut_new_files, load_archives,
                                  lost_journal_problems, lost_journals, missing_shards, not_a_folder)
from reader.store.engine import (
    DOCS_DIR,
    JOURNAL_FILE,
    JOURNAL_PREV_FILE,
    LOCK_FILE,
    META_FILE,
    TEXTS_DIR,
    ShardRead,
    apply_records,
    iter_shards,
    meta_tables,
    read_meta,
    read_shard,
    read_text,
    refuse_missing_meta,
    refuse_partial_copy,
    shard_tables,
    shard_name,
    text_key,
    text_tables,
)
from reader.store.journal import dumps, dumps_tables, encode_record, read_journal, record_ops

Record = dict[str, JSON]


def _corrupt_name(path: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    base = path.with_name(f"{path.name}.corrupt-{stamp}")
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _keep_damaged(path: Path) -> Path:
    """The name the damaged ``path`` is kept under (it is, when there: one deleted by hand is not)."""
    aside = _corrupt_name(path)
    if path.is_dir() and not path.is_symlink():
        # a folder where the file must be (made by hand): nothing of the store is in it to keep in place,
        # and it can be neither linked nor copied as a file; it is moved aside whole (recover failed on it
        # with a bare "Is a directory")
        os.rename(path, aside)
        fsutil.fsync_dir(aside.parent)
    elif path.exists():
        _set_aside(path, aside)
    return aside


def _set_aside(path: Path, aside: Path) -> None:
    """Keep ``path`` as ``aside`` and leave it in place until its rebuilt copy replaces it (atomically):
    a recovery interrupted in between leaves the damaged file to recover again, never no file."""
    if fsutil.link_or_copy(path, aside):  # a copy (no hard links): its name on disk before the file is replaced
        fsutil.fsync_dir(aside.parent)


# --------------------------------------------------------------------------- check


def _shard_problems(shard: ShardRead, seen: dict[str, str], image: StoreImage) -> list[str]:
    if not shard.ok:
        return [str(shard.error())]
    problems = []
    path = shard.path
    if shard.doc_id in seen:
        problems.append(f"{path}: document {shard.doc_id!r} is also stored in {seen[shard.doc_id]}")
    seen[shard.doc_id] = path.name
    for ann in shard.anns:
        if not (0 <= ann.start < ann.end):
            problems.append(f"{path}: annotation {ann.id} has a bad span {ann.start}..{ann.end}")
        elif ann.text and len(ann.text) != ann.end - ann.start:
            problems.append(f"{path}: annotation {ann.id}: its text does not have {ann.end - ann.start} characters")
        if ann.id in image.anns:
            problems.append(f"{path}: annotation id {ann.id} appears twice")
        image.put(ann)
    return problems


def _texts_problems(path: Path) -> list[str]:
    """What is wrong with the imported documents' files (``texts/``): one that cannot be read, two that hold
    one document, one that holds a document other than its name says (a file copied over another by hand:
    the document it was named for has lost its text, and ``check`` said ok), a file where the folder must be."""
    problems: list[str] = []
    for name in (DOCS_DIR, TEXTS_DIR):
        folder = path / name
        if os.path.lexists(folder) and not folder.is_dir():
            problems.append(f"{folder}: not a folder (a file is in the way): its documents cannot be read or saved; "
                            f"move it away, then run `reader store recover --store {path}`")
    seen: dict[str, str] = {}
    for text in iter_shards(path / TEXTS_DIR, texts=True):
        if not text.ok:
            problems.append(str(text.error()))
            continue
        if text.doc_id in seen:
            problems.append(f"{text.path}: imported document {text.doc_id!r} is also stored in {seen[text.doc_id]}")
        seen.setdefault(text.doc_id, text.path.name)
        if text.path.name != shard_name(text.doc_id):
            problems.append(f"{text.path}: holds imported document {text.doc_id!r}, whose file is {shard_name(text.doc_id)} "
                            "(copied or renamed by hand?): the document this file is named for may have lost its text; "
                            f"move the file away, then run `reader store recover --store {path}` (it rebuilds that file from the kept "
                            "journals) or import that document's file again")
    return problems


def check_store(path: str | os.PathLike[str]) -> list[str]:
    """Problems of the store at ``path`` (empty list when it is fine). Reads only."""
    return check_store_report(path)[0]


def check_store_report(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """``(problems, notes)`` of the store at ``path``. Reads only.

    Notes are what is not damage but must be seen: torn journal tails (saves a
    crash cut short, never confirmed), kept aside or still at the journal's end.
    """
    if is_database_url(path):
        return _check_database(str(path))
    path = Path(path)
    problems: list[str] = []
    notes: list[str] = []
    if path.is_dir():
        refuse_partial_copy(path)
    if not path.exists():
        return [f"{path}: no such store folder"], notes
    if not path.is_dir():
        return [f"{path}: not a folder"], notes
    try:
        safety.refuse_symlinks(path)
    except StoreError as exc:
        problems.append(str(exc))
    problems.extend(_check(path, notes))
    kept = safety.torn_tails(path)
    if kept:
        notes.append(
            f"{path}: {len(kept)} torn journal tail(s) kept aside (saves cut short by a crash, never confirmed): "
            + ", ".join(p.name for p in kept[:5]) + (" …" if len(kept) > 5 else "")
        )
    return problems, notes


def _check(path: Path, notes: list[str]) -> list[str]:
    problems: list[str] = []
    image = StoreImage()
    try:
        if not read_meta(path / META_FILE, image):
            refuse_missing_meta(path)
    except (StoreCorruptError, StoreVersionError) as exc:
        problems.append(str(exc))
    seen: dict[str, str] = {}
    for shard in iter_shards(path / DOCS_DIR):
        problems.extend(_shard_problems(shard, seen, image))
    problems.extend(_texts_problems(path))
    problems.extend(f"{m.path}: {m.reason}" for m in missing_shards(path))
    if (path / LOCK_FILE).is_dir() and not (path / LOCK_FILE).is_symlink():  # a symlink: refuse_symlinks said it
        problems.append(in_the_way(path / LOCK_FILE, "a folder"))
    kept = path / ARCHIVE_DIR
    if os.path.lexists(kept) and not kept.is_dir():
        problems.append(not_a_folder(kept))
    problems.extend(lost_journal_problems(path))
    problems.extend(_unrebuildable(path))
    journal = path / JOURNAL_FILE
    if journal.exists():
        try:
            raw = journal.read_bytes()
            records, good, bad = read_journal(raw, strict=False)
            problems.extend(f"{journal}: {p}" for p in bad)
            tail = safety.torn_tail(raw, good)
            if tail:
                notes.append(
                    f"{journal}: the last line is torn ({len(tail)} byte(s) of a save a crash cut short, never "
                    "confirmed); the next writable open keeps it in a journal.torn-*.jsonl file"
                )
            try:
                apply_records(records, image, journal)
            except (StoreCorruptError, StoreVersionError) as exc:
                problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{journal}: cannot read ({fsutil.os_reason(exc)})")
    try:
        LabelSet.load(path)
    except ReaderError as exc:
        problems.append(str(exc))
    return problems


def _unrebuildable(path: Path) -> list[str]:
    """One line per file `reader store recover` could not rebuild (a dry run of it: nothing written)."""
    recovery = _Recovery(path, dry=True)
    try:
        recovery.run()
    except (StoreError, OSError):  # a file of a newer version, an unreadable journal: reported on their own
        pass
    return [f"{path}{os.sep}{gap}" for gap in recovery.gaps]


# --------------------------------------------------------------------------- recover


def recover_store(path: str | os.PathLike[str]) -> str:
    """Rebuild a damaged store from its backups and journals. Returns a summary.

    Each file that cannot be read is moved aside as ``<name>.corrupt-<timestamp>``
    (never deleted); a shard or meta.json is rebuilt from its ``.bak`` plus the
    kept journals since and the current journal; a journal keeps its readable lines. Raises
    :class:`StoreLockedError` when another writer has the store open, and
    :class:`StoreError` (after rebuilding what it could) when a damaged file cannot be
    rebuilt: that file is left as it is.
    """
    from reader.store.annotations import AnnotationStore

    if is_database_url(path):
        return _recover_database(str(path))
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"{path}: no such store folder")
    refuse_partial_copy(path)
    lock = WriterLock(path / LOCK_FILE)
    if not lock.acquire():
        raise StoreLockedError(path / LOCK_FILE)
    try:
        recovery = _Recovery(path)
        actions = recovery.run()
    finally:
        lock.release()
    if recovery.gaps:
        raise StoreError(f"{path}: recovery is incomplete: " + " ".join(recovery.gaps + actions))
    # open normally (replays the journal) and compact, so the store is consistent again
    store = AnnotationStore(path)
    try:
        count = len(store)
        deleted = recovery.deleted_later()
        missing = sorted(i for i in recovery.expected - deleted if store.get(i) is None)
        if not store.readonly:
            store.compact()
    finally:
        store.close()
    if missing:
        raise StoreError(
            f"{path}: recovery is incomplete: {len(missing)} readable annotation(s) did not make it into the "
            f"store ({', '.join(missing[:5])}). " + " ".join(actions)
        )
    if not actions:
        return f"{path}: nothing to recover; the store is fine ({count} annotations)"
    return f"{path}: recovered ({count} annotations). " + " ".join(actions)


def _check_database(url: str) -> tuple[list[str], list[str]]:
    """``(problems, notes)`` of a PostgreSQL store: rows that are not annotations (skipped, never
    written by a check), duplicates within a layer, and what ``reader_quarantine`` already holds."""
    from reader.store.postgres import PostgresEngine

    engine = PostgresEngine(url, readonly=True, annotator="check")
    try:
        image = engine.load()
        problems = list(engine.quarantined)
        seen: dict[LayerKey, str] = {}
        for ann in sorted(image.anns.values(), key=lambda a: a.id):
            if ann.status == STATUS_REJECTED:
                continue
            first = seen.setdefault(layer_key(ann), ann.id)
            if first != ann.id:
                problems.append(f"{engine.location}: annotations {first} and {ann.id} are the same span "
                                f"{ann.start}-{ann.end} {ann.label!r} in {ann.annotator}'s layer of {ann.doc_id}")
        return problems, engine.quarantine_rows()
    except StoreError as exc:
        return [str(exc)], []
    finally:
        engine.close()


def _recover_database(url: str) -> str:
    """Open a PostgreSQL store for writing, which moves every row that is not an annotation to
    ``reader_quarantine`` (kept, never deleted). Returns a summary."""
    from reader.store.postgres import PostgresEngine

    engine = PostgresEngine(url, readonly=False, annotator="recover")
    try:
        image = engine.load()
        if engine.readonly:
            raise StoreError(f"{engine.location}: cannot recover: {engine.readonly_reason}")
        moved = engine.quarantined
    finally:
        engine.close()
    if not moved:
        return f"{engine.location}: nothing to recover; the store is fine ({len(image.anns)} annotations)"
    return (f"{engine.location}: recovered ({len(image.anns)} annotations); {len(moved)} unreadable row(s) moved to "
            "the table reader_quarantine: " + "; ".join(line.split(": ", 1)[1] for line in moved[:5]))


def _ops_for(records: list[Record], *, doc_id: str | None = None, meta: bool = False,
             text: str | None = None) -> list[Record]:
    """The records' operations on one file: a document's shard (``doc_id``), meta.json (``meta``) or an
    imported document's ``texts/`` file (``text``, its id)."""
    picked: list[Record] = []
    for rec in records:
        ops: list[JSON] = []
        for op in record_ops(rec):
            if not isinstance(op, list) or not op:
                continue
            if meta and op[0] in ("meta", "unmeta"):
                ops.append(op)
            elif text is not None and len(op) >= 3 and text_key(op) == text:
                ops.append(op)
            elif doc_id is not None and (
                (op[0] == "put" and isinstance(op[1], dict) and op[1].get("doc_id") == doc_id)
                or (op[0] == "del" and len(op) == 3 and op[1] == doc_id)
            ):
                ops.append(op)
        if ops:
            picked.append({"ops": ops})
    return picked


class _Recovery:
    """One recovery run over a locked store folder; ``run`` returns what it did. A ``dry`` run (``reader
    store check``) writes nothing and takes no lock: it only finds the files it could not rebuild (``gaps``)."""

    def __init__(self, path: Path, *, dry: bool = False) -> None:
        self.path = path
        self.dry = dry
        self.actions: list[str] = []
        self.gaps: list[str] = []  # files that cannot be rebuilt: left as they are
        self.records: list[Record] = []
        # the kept journals, oldest first: (path, names of the files its compaction rewrote or None
        # when unknown, records); journal.prev.jsonl alone for a store from before journals/
        self.kept: list[tuple[Path, frozenset[str] | None, list[Record]]] = []
        self.expected: set[str] = set()  # annotation ids salvaged: each must be in the recovered store
        self.numbers: list[int] = []  # the number of each of ``kept`` (empty: journal.prev.jsonl alone)
        self.lost: dict[int, frozenset[str] | None] = {}  # kept journals deleted since (their list is left)
        self.cut_new: frozenset[str] = frozenset()  # first written by a compaction cut before its link

    def run(self) -> list[str]:
        self.records = self._journal_records(self.path / JOURNAL_FILE)
        archives = load_archives(self.path)
        self.lost = lost_journals(self.path)
        self.cut_new = cut_new_files(self.path)
        if archives:
            self.kept = [(a.path, a.files, self._journal_records(a.path)) for a in archives]
            self.numbers = [a.number for a in archives]
        elif (self.path / JOURNAL_PREV_FILE).exists():
            prev = self.path / JOURNAL_PREV_FILE
            self.kept = [(prev, None, self._journal_records(prev))]
        self._recover_meta()
        for shard in iter_shards(self.path / DOCS_DIR):
            if shard.version_error is not None:
                raise shard.version_error
            if shard.reason is not None:
                self._recover_shard(shard.path, shard.reason)
        for text in iter_shards(self.path / TEXTS_DIR, texts=True):
            if text.version_error is not None:
                raise text.version_error
            if text.reason is not None:
                self._recover_text(text.path, text.reason)
        for missing in missing_shards(self.path):
            if not self.dry:
                missing.path.parent.mkdir(exist_ok=True)  # docs/ (or texts/) deleted whole
            if missing.path.parent.name == TEXTS_DIR:
                self._recover_text(missing.path, missing.reason, missing)
            else:
                self._recover_shard(missing.path, missing.reason, missing)
        return self.actions

    def _since_backup(self, key: str, *, doc_id: str | None = None, text: str | None = None,
                      has_backup: bool) -> list[tuple[Path, list[Record]]] | None:
        """The kept journals that take the file ``key``'s ``.bak`` (or nothing, without one) to the
        file as the last compaction wrote it: from the newest that rewrote it on, each with only
        the records of that file. None when no kept journal rewrote it: the changes are gone."""
        meta = key == META_FILE
        start = None
        for i, (_path, files, records) in enumerate(self.kept):
            if (key in files) if files is not None else bool(_ops_for(records, doc_id=doc_id, meta=meta, text=text)):
                start = i
        after = self.numbers[start] if start is not None and self.numbers else -1
        if any(n > after and (files is None or key in files) for n, files in self.lost.items()):
            return None  # a later rewrite's journal was deleted: its changes are gone
        if start is None:
            # meta.json without a backup was never rewritten since it was made empty on the first open; every
            # change of a file the newest list, of a compaction cut before its link, marks new is in
            # journal.jsonl (replayed on open) since its .bak if any (the version that compaction renamed)
            return [] if key in self.cut_new or (meta and not has_backup) else None
        return [(path, _ops_for(records, doc_id=doc_id, meta=meta, text=text))
                for path, _files, records in self.kept[start:]]

    def _gap(self, key: str, reason: str, backup: Path | None, *, present: bool = True) -> None:
        self.gaps.append(
            f"{key}: {reason}; it cannot be rebuilt: none of the kept journals ({ARCHIVE_DIR}/, {JOURNAL_PREV_FILE}) "
            f"holds its changes since {'its backup ' + backup.name if backup else 'it was made (it has no backup)'}, "
            + ("so it is left as it is" if present else "so it is left missing")
            + (f" (to go back to {backup.name}, losing those changes, copy it over the file)" if backup else "")
        )

    def _journal_records(self, journal: Path) -> list[Record]:
        """Readable, applicable records of a journal. A journal with damaged lines, or with
        records whose checksum is right but whose content cannot be applied, is moved aside
        whole and rewritten with the good records; the bad records are also kept in a
        ``<name>.rejected-<time>`` file of their own."""
        if not journal.exists():
            return []
        raw = journal.read_bytes()
        records, good_len, bad = read_journal(raw, strict=False)
        records, rejected = split_records(records)
        if (not bad and not rejected) or self.dry:
            return records
        aside = _corrupt_name(journal)
        _set_aside(journal, aside)
        fsutil.atomic_write(journal, b"".join(encode_record(r) for r in records))
        if bad:
            self.actions.append(
                f"{journal.name}: {len(bad)} unreadable line(s) skipped ({', '.join(str(p) for p in bad[:3])}); "
                f"{len(records)} change(s) kept; the damaged file is {aside.name}."
            )
        if rejected:
            kept = journal.with_name(_corrupt_name(journal).name.replace(".corrupt-", ".rejected-"))
            fsutil.atomic_write(kept, b"".join(encode_record(r) for _n, r, _why in rejected))
            first = "; ".join(f"record {n}: {why}" for n, _r, why in rejected[:3])
            self.actions.append(
                f"{journal.name}: {len(rejected)} record(s) with a valid checksum but content that cannot be "
                f"applied were skipped ({first}); they are kept in {kept.name} (and the original journal in {aside.name})."
            )
        return records

    def _recover_meta(self) -> None:
        meta = self.path / META_FILE
        try:
            if not read_meta(meta, StoreImage()):
                refuse_missing_meta(self.path)  # absent from a new store: fine; from a written one: rebuilt
            return
        except StoreCorruptError as exc:
            reason = exc.reason
        bak = meta.with_name(meta.name + ".bak")
        journals = self._since_backup(META_FILE, has_backup=bak.exists())
        if journals is None:
            self._gap(META_FILE, reason, bak if bak.exists() else None)
            return
        rebuilt = StoreImage()
        source = "an empty one"
        changes = 0
        try:
            if bak.exists():
                try:
                    read_meta(bak, rebuilt)
                except StoreCorruptError as exc:
                    raise StoreError(f"its backup {bak.name} is damaged too ({exc.reason})") from None
                source = bak.name
            for path, ops in journals:
                apply_records(ops, rebuilt, path)
                changes += len(ops)
        except StoreError as exc:  # also a backup or a journal record of a newer version: never downgraded
            self.gaps.append(f"{META_FILE}: {reason}; it cannot be rebuilt: {exc}, so it is left as it is")
            return
        if self.dry:
            return
        aside = _corrupt_name(meta)
        if meta.exists():  # a meta.json that is missing (StoreMetaMissingError) has nothing to set aside
            _set_aside(meta, aside)
        rebuilt.created = rebuilt.created or now_iso()
        # as the schema of its backup wrote it (before 3, with the imported texts): never upgraded here
        fsutil.atomic_write(meta, dumps_tables(meta_tables(rebuilt, rebuilt.schema_version)))
        kept = f"; the damaged file is {aside.name}" if aside.exists() else ""
        self.actions.append(f"{META_FILE}: {reason}; rebuilt from {source} and {changes} change(s) of the kept "
                            f"journals{kept}")

    def deleted_later(self) -> set[str]:
        """Annotation ids that the current journal deletes (a salvaged one may rightly be gone)."""
        return {ann_id for rec in self.records for op in record_ops(rec)
                if isinstance(op, list) and len(op) == 3 and op[0] == "del" and isinstance(ann_id := op[2], str)}

    def _doc_id_from_journals(self, shard: Path) -> str | None:
        """The document id whose shard name is ``shard``'s, as the journals name it."""
        doc_id = None
        for rec in [r for _path, _files, records in self.kept for r in records] + self.records:
            for op in record_ops(rec):
                if not isinstance(op, list) or len(op) < 2:
                    continue
                cand = op[1].get("doc_id") if op[0] == "put" and isinstance(op[1], dict) else (
                    op[1] if op[0] == "del" and len(op) == 3 else None)
                if isinstance(cand, str) and shard_name(cand) == shard.name:
                    doc_id = cand
        return doc_id

    def _journals_to_rebuild(self, key: str, reason: str, path: Path, doc_id: str, *,
                             text: bool = False) -> list[tuple[Path, list[Record]]] | None:
        """The kept journals that take ``path``'s ``.bak`` (or nothing) to the file (a shard, or ``text``
        a texts/ file, of ``doc_id``); None when there is nothing to write: a gap (noted) or a dry run."""
        bak = path.with_name(path.name + ".bak")
        journals = self._since_backup(key, doc_id=None if text else doc_id, text=doc_id if text else None,
                                      has_backup=bak.exists())
        if journals is None:
            self._gap(f"{key} ({doc_id})", reason, bak if bak.exists() else None, present=path.exists())
        return None if self.dry else journals

    def _backup_lost(self, key: str, reason: str, missing: MissingShard | None) -> bool:
        """True (a gap noted) when the ``missing`` file had a ``.bak`` that is gone too, or may have had one."""
        if missing is None or missing.backup or missing.first_write is True:
            return False
        if missing.reason == MISSING_LISTED:
            lost = ("the imported document's text is lost (`reader import` of the document again brings it back)"
                    if key.startswith(f"{TEXTS_DIR}/") else "the annotations of its document are lost")
            self.gaps.append(f"{key}: {reason}; it cannot be rebuilt: no backup, and no kept journal holds it, so it "
                             f"is left missing: unless a copy of the file is put back from a backup of the store, {lost}")
            return True
        name = key.rsplit("/", 1)[-1]
        why = (f"it was rewritten since it was made, so it had a backup {name}.bak, which is gone too (the "
               "changes before its last rewrite are lost)" if missing.first_write is False else
               "its backup is gone and the kept journal naming it does not say whether it had one (a list "
               "written by an older reader)")
        self.gaps.append(f"{key}: {reason}; it cannot be rebuilt: {why}, so it is left missing")
        return True

    def _text_id_from_journals(self, path: Path) -> str | None:
        """The imported document whose ``texts/`` file name is ``path``'s, as the journals name it."""
        for rec in [r for _path, _files, records in self.kept for r in records] + self.records:
            for op in record_ops(rec):
                key = text_key(op) if isinstance(op, list) and len(op) >= 3 else None
                if key is not None and shard_name(key) == path.name:
                    return key
        return None

    def _recover_text(self, path: Path, reason: str, missing: MissingShard | None = None) -> None:
        """Rebuild an imported document's ``texts/`` file from its ``.bak`` and the kept journals since
        (a file written once, without a ``.bak``: from the journal of that compaction alone)."""
        key = f"{TEXTS_DIR}/{path.name}"
        if self._rebuild_whole_text(path, key, reason):
            return
        if self._backup_lost(key, reason, missing):
            return
        bak = path.with_name(path.name + ".bak")
        rebuilt = StoreImage()
        doc_id: str | None = None
        if bak.exists():
            try:
                doc_id, value = read_text(bak)
            except (ValueError, OSError, StoreVersionError) as exc:
                why = fsutil.os_reason(exc) if isinstance(exc, OSError) else str(exc)
                self.gaps.append(f"{key}: {reason}; it cannot be rebuilt: its backup {bak.name} is damaged too "
                                 f"({why}), so it is left as it is")
                return
            if value is not None:
                rebuilt.meta[TEXTS_TABLE][doc_id] = value
        doc_id = doc_id or self._text_id_from_journals(path)
        if doc_id is None:
            self.gaps.append(f"{key}: {reason}; it cannot be rebuilt: no backup and no kept journal names its "
                             "document, so it is left " + ("as it is" if path.exists() else "missing"))
            return
        journals = self._journals_to_rebuild(key, reason, path, doc_id, text=True)
        if journals is None:
            return
        self._write_text(path, f"{key} ({doc_id}): {reason}; rebuilt from {bak.name + ' and ' if bak.exists() else ''}",
                         doc_id, rebuilt, journals)

    def _write_text(self, path: Path, told: str, doc_id: str, rebuilt: StoreImage,
                    journals: list[tuple[Path, list[Record]]], why: str = "") -> None:
        """``journals`` applied to ``rebuilt``, written to ``path`` (the damaged file kept aside), and told:
        ``told`` then the number of changes, then ``why``."""
        aside = _keep_damaged(path)
        changes = 0
        for journal, ops in journals:
            apply_records(ops, rebuilt, journal)
            changes += len(ops)
        value = rebuilt.meta[TEXTS_TABLE].get(doc_id)
        fsutil.atomic_write(path, dumps_tables(text_tables(doc_id, value)))
        self.actions.append(
            f"{told}{changes} change(s) of the kept journals{why}"
            + ("" if value is not None else " (the document is no longer in the store)")
            + (f"; the damaged file is {aside.name}." if aside.exists() else ".")
        )

    def _rebuild_whole_text(self, path: Path, key: str, reason: str) -> bool:
        """Rebuild a ``texts/`` file from the kept journals alone when they hold its whole content: every
        change of an imported document's text writes (or removes) its whole record, so the records of the
        newest kept journal that rewrote the file, and of those after it, give the file whatever became
        of its ``.bak`` (deleted or damaged too: recover named the text lost while a journal held all of
        it). False when they do not (no kept journal rewrote it, or a later one was deleted)."""
        doc_id = self._text_id_from_journals(path)
        if doc_id is None:
            return False
        journals = self._since_backup(key, text=doc_id, has_backup=True)
        if not journals or not journals[0][1]:
            return False  # no kept journal rewrote it (the .bak and the current journal say the rest)
        if not self.dry:
            self._write_text(path, f"{key} ({doc_id}): {reason}; rebuilt from ", doc_id, StoreImage(), journals,
                             ", which hold its whole record")
        return True

    def _recover_shard(self, shard: Path, reason: str, missing: MissingShard | None = None) -> None:
        """Rebuild a shard from its ``.bak``, every record still readable in the damaged
        file (newer than the backup, so they win) and the kept journals since the backup.
        A ``missing`` one (deleted) without a ``.bak`` is rebuilt from the journal of its only rewrite."""
        key = f"{DOCS_DIR}/{shard.name}"
        if self._backup_lost(key, reason, missing):
            return
        try:
            salvaged = salvage_shard(shard.read_bytes())
        except OSError:
            salvaged = Salvage()
        bak = shard.with_name(shard.name + ".bak")
        rebuilt = StoreImage()
        doc_id: str | None = None
        from_bak = 0
        if bak.exists():
            try:
                doc_id, anns = read_shard(bak)
            except (ValueError, OSError) as exc:
                why = fsutil.os_reason(exc) if isinstance(exc, OSError) else str(exc)
                self.gaps.append(f"{key}: {reason}; it cannot be rebuilt: its backup {bak.name} is damaged too "
                                 f"({why}), so it is left as it is")
                return
            for ann in anns:
                rebuilt.put(ann)
            from_bak = len(anns)
        doc_id = doc_id or salvaged.doc_id or self._doc_id_from_journals(shard)
        if doc_id is None:  # not even which document it was
            left = ("so it is left as it is (move it aside to open the store without it)" if shard.exists()
                    else "so its annotations are lost")
            self.gaps.append(f"{key}: {reason}; it cannot be rebuilt: no backup, no readable record and no kept "
                             f"journal names its document, {left}")
            return
        journals = self._journals_to_rebuild(key, reason, shard, doc_id)
        if journals is None:
            return
        aside = _keep_damaged(shard)
        only_in_bak = {a.id for a in rebuilt.anns.values()} - {a.id for a in salvaged.anns}
        for ann in salvaged.anns:
            if ann.doc_id == doc_id:
                rebuilt.put(ann)
                self.expected.add(ann.id)
        changes = 0
        for path, ops in journals:
            apply_records(ops, rebuilt, path)
            changes += len(ops)
        anns = list(rebuilt.by_doc.get(doc_id, {}).values())
        fsutil.atomic_write(shard, dumps_tables(shard_tables(doc_id, anns)))
        parts = [f"{len(salvaged.anns)} salvaged from the damaged file"]
        if from_bak:
            parts.append(f"{from_bak} from {bak.name}" + (f" ({len(only_in_bak)} of them not in the damaged file: kept, they may have been deleted since)" if only_in_bak and salvaged.anns else ""))
        if changes:
            parts.append(f"{changes} change(s) from the kept journals")
        if salvaged.skipped:
            parts.append(f"{salvaged.skipped} damaged record(s) could not be read")
        self.actions.append(
            f"{key} ({doc_id}): {reason}; rebuilt with {len(anns)} annotation(s): "
            f"{', '.join(parts)} (the current journal is replayed on open)"
            + (f"; the damaged file is {aside.name}." if aside.exists() else ".")
        )
