"""The journals kept for recovery: for every store file, the journal of its last rewrite.

A compaction rewrites only the files its journal changed, each keeping its
previous version as ``<file>.bak``. So a file's ``.bak`` plus *the journal of
the compaction that last rewrote that file* give the file back, whichever
compactions came after (they did not touch it). One ``journal.prev.jsonl`` is
not enough: a later compaction that rewrites only other files replaces it.

Each compaction ``n`` therefore keeps its journal as ``journals/<n>.jsonl``
(a hard link of the journal being reset: no copy) and the names of the files
it rewrote in ``journals/<n>.files.json`` (``["meta.json", "docs/x.json"]``), the list written before
any file is renamed (:meth:`JournalArchive.announce`: a full disk stops the compaction before any file or
``.bak`` changed), the journal linked after (:meth:`JournalArchive.keep`).
An archived journal is deleted once every file it names has been rewritten by
a later compaction; the newest is always kept. There is at most one archive per
store file (plus the newest), each no bigger than one journal. A store from
before ``journals/`` has its ``journal.prev.jsonl`` (the last compaction's
journal) kept as number 0 by its first compaction, naming the files its records
touch, so they stay recoverable too.

:func:`load_archives` reads them for ``reader store recover``
(:mod:`reader.store.recovery`), which rebuilds a damaged file from its ``.bak``
and the journals from the newest archive naming it on, and says so when no
archive names it (a gap: the file cannot be rebuilt).
"""
from __future__ import annotations

import errno
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from reader import fsutil
from reader.jsonvalue import as_array
from reader.protocols import JSON
from reader.store.base import TEXTS_SCHEMA, TEXTS_TABLE
from reader.store.journal import read_journal, read_json_file, record_ops

ARCHIVE_DIR = "journals"
PREV_JOURNAL = "journal.prev.jsonl"  # reader.store.engine.JOURNAL_PREV_FILE
JOURNAL_KEY = "journal.jsonl"  # reader.store.engine.JOURNAL_FILE
META_KEY = "meta.json"  # reader.store.engine.META_FILE
SHARDS_DIR = "docs"  # reader.store.engine.DOCS_DIR
TEXTS_DIR = "texts"  # reader.store.engine.TEXTS_DIR: a file per imported document, kept as a shard is
# any number (a cap would hide the journal after it from recover and pruning), written as str(n) does
_NAME = re.compile(r"^(0|[1-9]\d*)\.(jsonl|files\.json)$")


def not_a_folder(folder: Path) -> str:
    """Why no journal can be kept in ``folder``, a file (or a link to one) where a folder must be."""
    return f"{folder} is not a folder, so no journal can be kept there for recovery and every compaction fails: move it away"


def file_key(store: Path, path: Path) -> str:
    """The name of a store file in an archive's list: ``meta.json`` or ``docs/<shard>``."""
    return path.relative_to(store).as_posix()


@dataclass(frozen=True)
class ArchivedJournal:
    """One kept journal: its number (compaction order), path, and the files that compaction rewrote
    (None: unknown, the list is missing or unreadable)."""

    number: int
    path: Path
    files: frozenset[str] | None


@dataclass(frozen=True)
class Listing:
    """``journals/<n>.files.json``: the files compaction ``n`` rewrote, and of them those whose every change
    is in its journal (written for the first time since that journal began: rebuilt from nothing without a
    ``.bak``; None when unknown, a list written before the reader said so)."""

    files: frozenset[str]
    new: frozenset[str] | None = None
    journal: tuple[int, int] | None = None  # (bytes, crc32) of the journal it keeps (None: unknown)


def _read_bytes(path: Path | str) -> bytes:
    """A small file's bytes, with plain system calls (an open of the store reads every list: issue 22)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_listing(path: Path | str) -> Listing | None:
    """The list at ``path`` (``["meta.json", ...]`` as first written, or ``{"files": [...], "new": [...]}``);
    None when it is missing or unreadable."""
    try:
        data = json.loads(_read_bytes(path).decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # a list nested past the recursion limit is garbage too
        return None
    new: frozenset[str] | None = None
    journal: tuple[int, int] | None = None
    if isinstance(data, dict):
        fresh, mark = data.get("new"), data.get("journal")
        if isinstance(fresh, list) and all(isinstance(x, str) for x in fresh):
            new = frozenset(fresh)
        if isinstance(mark, list) and len(mark) == 2 and all(type(x) is int and x >= 0 for x in mark):
            journal = (mark[0], mark[1])
        data = data.get("files")
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        return None
    return Listing(frozenset(data), new, journal)


def journal_mark(journal: Path, size: int | None = None) -> tuple[int, int] | None:
    """``(bytes, crc32)`` of the first ``size`` bytes of ``journal`` (all of it when None), read a
    megabyte at a time; None when it is shorter or cannot be read."""
    crc, done = 0, 0
    try:
        with open(journal, "rb") as fh:
            while size is None or done < size:
                chunk = fh.read(fsutil.WRITE_CHUNK if size is None else min(fsutil.WRITE_CHUNK, size - done))
                if not chunk:
                    break
                crc, done = zlib.crc32(chunk, crc), done + len(chunk)
    except OSError:
        return None
    return (done, crc) if size is None or done == size else None


def _newest_lost(store: Path, journals: set[int], lists: set[int]) -> int | None:
    """The newest number when its list is there and its journal is gone although it was linked: the
    journal of its compaction was reset since (it no longer begins with the bytes the list recorded).
    None when the newest is whole, or is a compaction cut before it linked its journal (that journal
    was not reset: it still begins with those bytes), or when the list is too old to say."""
    newest = max(journals | lists, default=0)
    if newest in journals or newest not in lists:
        return None
    listing = _read_listing(store / ARCHIVE_DIR / f"{newest}.files.json")
    if listing is None or listing.journal is None:
        return None
    size, _crc = listing.journal
    return None if journal_mark(store / JOURNAL_KEY, size) == listing.journal else newest


def _read_files(path: Path) -> frozenset[str] | None:
    listing = _read_listing(path)
    return None if listing is None else listing.files


def _numbers(folder: Path) -> tuple[set[int], set[int]]:
    """(numbers with a journal, numbers with a file list) in ``folder``."""
    journals: set[int] = set()
    lists: set[int] = set()
    if not folder.is_dir():
        return journals, lists
    with os.scandir(folder) as entries:
        for entry in entries:
            m = _NAME.match(entry.name)
            if m:
                (journals if m.group(2) == "jsonl" else lists).add(int(m.group(1)))
    # a list without its journal is looked up again by name: a listing made while a compaction linked the
    # journal may miss it (btrfs gives no entry added after the opendir), which is not a deleted journal
    journals |= {n for n in lists - journals if os.path.lexists(os.path.join(folder, f"{n}.jsonl"))}
    return journals, lists


def load_archives(store: Path) -> list[ArchivedJournal]:
    """The archived journals of the store at ``store``, oldest first (reads only the file lists)."""
    folder = store / ARCHIVE_DIR
    journals, lists = _numbers(folder)
    return [ArchivedJournal(n, folder / f"{n}.jsonl", _read_files(folder / f"{n}.files.json") if n in lists else None)
            for n in sorted(journals)]


def lost_journals(store: Path) -> dict[int, frozenset[str] | None]:
    """Number -> files of the kept journals whose list is there but whose journal is gone (deleted by
    hand or a cleanup tool): the changes they hold are lost. The newest number is left out when its
    journal may never have been linked (a compaction cut between the two: that journal was not reset,
    see :func:`_newest_lost`)."""
    folder = store / ARCHIVE_DIR
    journals, lists = _numbers(folder)
    newest = max(journals | lists, default=0)
    return {n: _read_files(folder / f"{n}.files.json") for n in lists - journals
            if n != newest or _newest_lost(store, journals, lists) == n}


def cut_new_files(store: Path) -> frozenset[str]:
    """The files the newest compaction wrote for the first time when it was cut before it linked its
    journal: that journal was not reset, so ``journal.jsonl`` holds every change of them (recover
    rebuilds them from nothing, the journal replayed on open)."""
    folder = store / ARCHIVE_DIR
    journals, lists = _numbers(folder)
    newest = max(journals | lists, default=0)
    if newest in journals or newest not in lists or _newest_lost(store, journals, lists) is not None:
        return frozenset()
    listing = _read_listing(folder / f"{newest}.files.json")
    return listing.new if listing is not None and listing.new is not None else frozenset()


def lost_journal_problems(store: Path) -> list[str]:
    """One line per kept journal deleted while a file it rewrote was not rewritten since (its changes to
    that file are gone, so recover cannot rebuild it if it is damaged): what ``reader store check`` says."""
    lost = lost_journals(store)
    if not lost:
        return []
    folder = store / ARCHIVE_DIR
    journals, lists = _numbers(folder)
    lines = []
    for n, files in sorted(lost.items()):
        later: set[str] = set()
        for m in journals | lists:
            if m > n:
                later |= _read_files(folder / f"{m}.files.json") or set()
        exposed = sorted(files - later) if files is not None else None
        if exposed == []:
            continue
        names = ", ".join(exposed[:5]) + (" …" if len(exposed) > 5 else "") if exposed else "files it does not say"
        lines.append(f"{folder / f'{n}.jsonl'}: missing (deleted by hand or by a cleanup tool?) while its list "
                     f"{n}.files.json is there: the changes it kept to {names} are gone, so `reader store recover` "
                     "cannot rebuild those files if they are damaged")
    return lines


#: a store file (``docs/<name>.json`` or ``texts/<name>.json``) as the list of meta.json names it
_LISTED_NAME = re.compile(r"(?:docs|texts)/(?![.])[^/\\\x00]+\.json")


def listed_names(value: JSON) -> set[str]:
    """The store files named by meta.json's list (the ``files`` of its ``_meta`` record: the file engine adds
    each file it writes, and never removes one, as it never deletes one). Raises ValueError when it is not a
    list of such names (a name outside ``docs/`` and ``texts/`` is never taken for a path)."""
    names = set()
    for name in as_array(value, '"files" in the _meta table'):
        if not isinstance(name, str) or not _LISTED_NAME.fullmatch(name):
            raise ValueError(f'"files" in the _meta table names {str(name)[:80]!r}, not a file of docs/ or texts/')
        names.add(name)
    return names


def listed_files(store: Path) -> set[str]:
    """The files the list of ``store``'s meta.json names; empty when it has none, or meta.json cannot be read
    (that is reported as what it is, by the check of meta.json)."""
    try:
        data = read_json_file(store / META_KEY)
        rows = data.get("_meta") if data is not None else None
        row = next(iter(rows.values()), None) if isinstance(rows, dict) else None
        return listed_names(row["files"]) if isinstance(row, dict) and "files" in row else set()
    except (ValueError, OSError):
        return set()


def present_files(store: Path) -> set[str]:
    """The store files of ``docs/`` and ``texts/`` that are there, named as meta.json's list names them."""
    found: set[str] = set()
    for folder in (SHARDS_DIR, TEXTS_DIR):
        try:
            with os.scandir(store / folder) as entries:
                found.update(f"{folder}/{e.name}" for e in entries
                             if e.name.endswith(".json") and not e.name.startswith((".", fsutil.TMP_PREFIX)))
        except OSError:  # not there (a new store), not a folder: said where it matters
            continue
    return found


def lost_files_line(location: str, names: list[str]) -> str:
    """The one line said at opening a store whose meta.json lists ``names`` (``docs/x.json``, ``texts/y.json``)
    while they are gone with nothing to rebuild them (``AnnotationStore.lost_files``)."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    lost = " and ".join(what for what, folder in (("annotations", SHARDS_DIR), ("imported texts", TEXTS_DIR))
                        if any(n.startswith(f"{folder}/") for n in names))
    return (f"{location}: {len(names)} file(s) of the store are gone ({shown}) and nothing here can rebuild them: "
            f"their {lost} are missing unless the files are put back from a backup (`reader store check` names each)")


#: a shard whose ``.bak`` is there without it: never so after a compaction (the .bak is linked first)
MISSING_SHARD = "missing, but its backup is there (deleted by hand or by a sync client?)"
#: a shard a kept journal's list names that is gone, with no ``.bak``: never so after a compaction (a shard
#: is rewritten, never deleted: a document without annotations keeps an empty one)
MISSING_KNOWN = "missing, but a kept journal names it as a file of the store (deleted by hand or by a sync client?)"
#: a store file that meta.json's list names, gone with no ``.bak`` and no kept journal naming it (deleted
#: together with ``journals/``): nothing can rebuild it, and nothing but the list says it was there
MISSING_LISTED = ("missing, but meta.json lists it as a file of the store (deleted by hand or by a sync client, with "
                  "the kept journals?)")


@dataclass(frozen=True)
class KnownFile:
    """A store file as the newest kept list naming it says: whether that compaction wrote it for the first
    time (None: unknown) and whether its journal is still there (with both, a lost file is rebuilt)."""

    first_write: bool | None
    journal_kept: bool


def known_files(store: Path) -> dict[str, KnownFile]:
    """The store files the lists of ``journals/`` name (``docs/<shard>``, ``meta.json``). Left out: list 0
    (adopted from ``journal.prev.jsonl``, it names every document its records touch, even one whose
    shard was never written) and the newest list of a compaction cut before it linked its journal (its
    files may not be renamed into place yet)."""
    folder = store / ARCHIVE_DIR
    journals, lists = _numbers(folder)
    newest = max(journals | lists, default=0)
    cut = newest not in journals and _newest_lost(store, journals, lists) is None
    known: dict[str, KnownFile] = {}
    base = str(folder)
    for n in sorted(lists, reverse=True):  # the newest list naming a file says what it is
        if n == 0 or (n == newest and cut):
            continue
        listing = _read_listing(os.path.join(base, f"{n}.files.json"))
        if listing is None:
            continue
        for name in listing.files - known.keys():
            known[name] = KnownFile(None if listing.new is None else name in listing.new, n in journals)
    return known


@dataclass(frozen=True)
class MissingShard:
    """A shard that is gone while the store says it has it."""

    path: Path
    reason: str
    backup: bool  # its .bak is there
    # without a .bak: whether the newest kept list naming it wrote it first (False: it had a .bak, gone too;
    # None: unknown) and whether that list's journal is there
    first_write: bool | None = None
    journal_kept: bool = True

    @property
    def rebuildable(self) -> bool:
        """As far as the files tell, `reader store recover` brings it back whole."""
        return self.backup or (self.journal_kept and self.first_write is True)


def missing_shards(store: Path, *, listed: bool = True) -> list[MissingShard]:
    """The shards (``docs/``) and imported texts (``texts/``) of ``store`` that are gone: their ``.bak`` is
    left, or a kept list names them, or (``listed``) meta.json's list of the store's files does."""
    known = known_files(store)  # before the folder is listed: a shard a compaction adds meanwhile is not named yet
    names = listed_files(store) if listed else set()
    found: list[MissingShard] = []
    for folder in (SHARDS_DIR, TEXTS_DIR):
        found += _missing_in(store / folder, f"{folder}/", known, names)
    # each looked up again by name: a listing made while a compaction renamed the shard over may miss it (btrfs
    # gives a renamed name a new place in the folder, and a readdir returns nothing added after its opendir)
    return sorted((m for m in found if not os.path.lexists(m.path)), key=lambda m: m.path)


def _missing_in(docs: Path, prefix: str, known: dict[str, KnownFile], listed: set[str]) -> list[MissingShard]:
    if os.path.lexists(docs) and not docs.is_dir():
        return []  # not a folder: reported (and refused) as such
    present: set[str] = set()
    if docs.is_dir():  # a folder deleted whole: every file a list names is missing
        with os.scandir(docs) as entries:
            present = {e.name for e in entries}
    found: dict[str, MissingShard] = {}
    for name in present:
        shard = name[:-len(".bak")]
        if name.endswith(".json.bak") and not name.startswith(fsutil.TMP_PREFIX) and shard not in present:
            found[shard] = MissingShard(docs / shard, MISSING_SHARD, True)
    for key, info in known.items():
        name = key[len(prefix):]
        if (not key.startswith(prefix) or "/" in name or not name.endswith(".json") or name.startswith(".")
                or name in present or name in found):
            continue
        found[name] = MissingShard(docs / name, MISSING_KNOWN, False, info.first_write, info.journal_kept)
    for key in listed:  # what only meta.json's list names (journals/ gone too, or pruned)
        name = key[len(prefix):]
        if key.startswith(prefix) and name not in present and name not in found:
            found[name] = MissingShard(docs / name, MISSING_LISTED, False, None, False)
    return list(found.values())


class JournalArchive:
    """Keeps and prunes ``journals/`` for one writer (the engine holds the store's lock)."""

    def __init__(self, store: Path, shard_name: Callable[[str], str]) -> None:
        self.store = store
        self.folder = store / ARCHIVE_DIR
        self.shard_name = shard_name  # reader.store.engine.shard_name (which imports this module)
        # number -> files it rewrote (None: its list is unreadable, so it is never pruned); read on first use
        self._files: dict[int, frozenset[str] | None] | None = None
        self._next = 1
        self._announced: frozenset[str] = frozenset()  # the files of the compaction under way
        # the files first written since the journal was last reset, by a compaction cut before it linked its
        # journal (in this session, or the one before: its list): still "new" to the next compaction
        self._unreset_new: frozenset[str] = frozenset()

    def _load(self) -> dict[int, frozenset[str] | None]:
        if self._files is None:
            if not self.folder.is_dir():
                if os.path.lexists(self.folder):  # mkdir's "File exists" would name nothing, at every compaction
                    raise OSError(errno.ENOTDIR, not_a_folder(self.folder))
                self.folder.mkdir()
                self._adopt_previous()
            journals, lists = _numbers(self.folder)
            self._next = max(journals | lists, default=0) + 1
            files: dict[int, frozenset[str] | None] = {}
            for n in sorted(journals):
                # no list: left by a prune cut short (the list goes first), so nothing needs it
                files[n] = _read_files(self.folder / f"{n}.files.json") if n in lists else frozenset()
            self._files = files
            # the newest list of a compaction cut before it linked its journal: that journal was not reset,
            # this compaction keeps it again; a list whose journal was deleted is kept: recover must see the gap
            if self._next - 1 in lists - journals and _newest_lost(self.store, journals, lists) is None:
                cut = _read_listing(self.folder / f"{self._next - 1}.files.json")
                self._unreset_new = cut.new or frozenset() if cut is not None else frozenset()
                fsutil.unlink_quietly(self.folder / f"{self._next - 1}.files.json")
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.name.startswith(fsutil.TMP_PREFIX):
                        fsutil.unlink_quietly(entry.path)
        return self._files

    def _adopt_previous(self) -> None:
        """A store from before ``journals/``: its ``journal.prev.jsonl`` is the journal of the last
        compaction, which rewrote the files its records touch; keep it as number 0, so that those
        files stay recoverable after the compaction that is about to replace it."""
        prev = self.store / PREV_JOURNAL
        try:
            records, _good, _bad = read_journal(prev.read_bytes(), strict=False)
        except OSError:
            return
        names: set[str] = set()
        for record in records:
            version = record.get("v")
            for op in record_ops(record):
                if not isinstance(op, list) or len(op) < 2:
                    continue
                if (op[0] in ("meta", "unmeta") and op[1] == TEXTS_TABLE and len(op) >= 3 and isinstance(version, int)
                        and version >= TEXTS_SCHEMA):  # an imported document in its own file (schema 3)
                    names.add(f"{TEXTS_DIR}/{self.shard_name(str(op[2]))}")
                elif op[0] in ("meta", "unmeta"):
                    names.add(META_KEY)
                elif op[0] == "put" and isinstance(op[1], dict) and isinstance(doc_id := op[1].get("doc_id"), str):
                    names.add(f"{SHARDS_DIR}/{self.shard_name(doc_id)}")
                elif op[0] == "del" and isinstance(op[1], str):
                    names.add(f"{SHARDS_DIR}/{self.shard_name(op[1])}")
        if names:
            self._link(0, prev, names)

    def announce(self, rewritten: Iterable[Path], journal: Path) -> None:
        """Before a compaction renames anything: the list of the files it is about to rewrite, as the next
        number, with the size and CRC of ``journal`` (the one :meth:`keep` will take: while it still begins
        with those bytes it was not reset, so a list without its journal is a cut, not a loss). A full
        disk fails here, before any file or ``.bak`` changed. Raises OSError."""
        self._load()
        paths = list(rewritten)
        self._announced = frozenset(file_key(self.store, p) for p in paths)
        # every change of these is in ``journal``: absent until now; meta.json never rewritten since the first
        # open made it empty (no .bak); or first written by a compaction cut before its link
        new = frozenset(file_key(self.store, p) for p in paths if not os.path.lexists(p) or (
            file_key(self.store, p) == META_KEY and not os.path.lexists(p.with_name(p.name + ".bak")))) | (
            self._unreset_new & self._announced)
        self._write_list(self._next, self._announced, new, journal_mark(journal))
        self._unreset_new |= new  # until keep() links the journal (which is then reset)

    def keep(self, journal: Path) -> None:
        """After the renames: archive ``journal`` (about to be reset) under the number :meth:`announce` gave.

        Durable when it returns; raises OSError (the caller must then not reset the journal)."""
        files = self._load()
        number = self._next
        self._link_journal(number, journal)
        files[number] = self._announced
        self._next = number + 1
        self._unreset_new = frozenset()

    def _link(self, number: int, journal: Path, names: Iterable[str]) -> None:
        self._write_list(number, names)
        self._link_journal(number, journal)

    def _write_list(self, number: int, names: Iterable[str], new: Iterable[str] | None = None,
                    mark: tuple[int, int] | None = None) -> None:
        # the list first, then the journal, then one fsync of the folder: a crash in between leaves a
        # journal that is not reset, so the next compaction keeps it again with every file it rewrites
        listing = self.folder / f"{number}.files.json"
        data: dict[str, list[str] | list[int]] = {"files": sorted(names)}
        if new is not None:  # the files written for the first time: a lost one without a .bak is rebuilt
            data["new"] = sorted(new)
        if mark is not None:
            data["journal"] = list(mark)
        fsutil.commit_temp(fsutil.write_temp(listing, json.dumps(data, ensure_ascii=False).encode("utf-8")), listing)

    def _link_journal(self, number: int, journal: Path) -> None:
        target = self.folder / f"{number}.jsonl"
        tmp = fsutil.temp_path(target)
        try:
            fsutil.link_or_copy(journal, tmp)  # a durable copy on a file system without hard links
            os.replace(tmp, target)
        except BaseException:
            fsutil.unlink_quietly(tmp)
            raise
        fsutil.fsync_dir(self.folder)

    def prune(self) -> None:
        """Delete the archives no file needs any more (every file they name was rewritten later)."""
        files = self._load()
        newest = max(files, default=0)
        later: set[str] = set()
        for number in sorted(files, reverse=True):
            names = files[number]
            if names is None:
                continue
            needed = names - later
            later |= names
            if number != newest and not needed:
                fsutil.unlink_quietly(self.folder / f"{number}.files.json")  # the list first (see _load)
                fsutil.unlink_quietly(self.folder / f"{number}.jsonl")
                del files[number]
