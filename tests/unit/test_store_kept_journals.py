"""The journals kept for recovery (reader.store.archive) and `reader store recover` with them: a damaged
file is rebuilt from its .bak and the journal of its last rewrite, whatever compactions came after; when
that journal is gone, recovery says so in one line and leaves the file as it is."""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import StoreError
from reader.model import Document
from reader.store import AnnotationStore, check_store, recover_store, shard_name
from reader.store.archive import load_archives

TEXT = "The salary is 40,000 euros. Ci vuole coraggio, disse. More text here."
DOCS = ("a", "b", "c")


class _Corpus:
    def __init__(self) -> None:
        self.documents = [Document(id=d, text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest()) for d in DOCS]

    def get(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)


def _imported(n: int) -> Document:
    text = f"imported text number {n}"
    return Document(id=f"imp{n}", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), imported=True)


def _session(path: Path, docs: tuple[str, ...] = (), *, state: str | None = None, imports: int = 0,
             delete: bool = False) -> None:
    """One session of the app: a few changes, then close (a compaction)."""
    store = AnnotationStore(path, corpus=_Corpus(), annotator="a")
    for doc in docs:
        anns = store.for_document(doc)
        if delete and anns:
            store.delete(anns[0].id)
        else:
            n = max((a.start for a in anns), default=-1) + 1
            store.add(doc, n, n + 1, "claim")
    if state is not None:
        store.set_state("last", state)
    if imports:
        store.add_documents([_imported(imports)])
    store.close()


def _content(path: Path) -> tuple[set[tuple[str, int, int]], list[tuple[str, str]], object, set[str]]:
    store = AnnotationStore(path, corpus=_Corpus(), readonly=True)
    try:
        return ({(a.doc_id, a.start, a.end) for a in store.all()},
                sorted((d.id, d.text) for d in store.imported_documents()), store.get_state("last"),
                {a.id for a in store.all()})
    finally:
        store.close()


def _damage(path: Path) -> None:
    path.write_bytes(b"\x00" * 64)  # nothing to salvage


def _kept(path: Path) -> dict[int, list[str]]:
    return {a.number: sorted(a.files or ()) for a in load_archives(path)}


def test_a_kept_journal_goes_once_every_file_it_rewrote_was_rewritten_later(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _session(path, ("a",))
    _session(path, ("b",), state="x")
    # a file written for the first time is added to meta.json's list of the store's files: meta.json too
    assert _kept(path) == {1: [f"docs/{shard_name('a')}", "meta.json"], 2: [f"docs/{shard_name('b')}", "meta.json"]}
    _session(path, ("a",))  # a rewritten: the first journal is not needed any more
    assert _kept(path) == {2: [f"docs/{shard_name('b')}", "meta.json"], 3: [f"docs/{shard_name('a')}"]}
    _session(path, ("a", "b"), state="y")
    assert _kept(path) == {4: sorted([f"docs/{shard_name('a')}", f"docs/{shard_name('b')}", "meta.json"])}
    # the newest is kept alone, and journal.prev.jsonl is the same file
    assert os.path.samefile(path / "journals" / "4.jsonl", path / "journal.prev.jsonl")
    assert check_store(path) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=st.lists(st.tuples(st.sets(st.sampled_from(DOCS)), st.booleans(), st.booleans(), st.booleans()),
                         min_size=1, max_size=6),
       victim=st.sampled_from(("meta.json", "text") + DOCS))
def test_any_file_damaged_after_any_sessions_is_rebuilt_whole(tmp_path_factory: pytest.TempPathFactory,
                                                               sessions: list[tuple[set[str], bool, bool, bool]],
                                                               victim: str) -> None:
    path = tmp_path_factory.mktemp("k") / "s"
    for n, (docs, state, imports, delete) in enumerate(sessions, 1):
        _session(path, tuple(sorted(docs)), state=f"s{n}" if state else None, imports=n if imports else 0,
                 delete=delete)
    before = _content(path)
    texts = sorted((path / "texts").glob("*.json"))
    if victim == "text" and not texts:
        return
    target = (path / "meta.json" if victim == "meta.json" else texts[0] if victim == "text"
              else path / "docs" / shard_name(victim))
    if not target.exists():
        return
    for _again in range(2):  # a file rebuilt once is rebuilt again: recovery leaves the store recoverable
        _damage(target)
        summary = recover_store(path)
        assert "recovered" in summary and target.name in summary
        assert _content(path) == before
        assert check_store(path) == []
    _session(path, ("a",))  # and sessions after it still keep what they must
    before = _content(path)
    _damage(target)
    recover_store(path)
    assert _content(path) == before


def test_an_older_kept_journal_does_not_bring_back_what_was_deleted_since(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _session(path, ("a", "b"))  # kept while b is not rewritten: it also holds a's first span
    _session(path, ("a",), delete=True)  # a's span deleted: a.bak after the next session
    _session(path, ("a",))
    assert sorted(_kept(path)) == [1, 3]
    before = _content(path)
    assert before[0] == {("a", 0, 1), ("b", 0, 1)}
    _damage(path / "docs" / shard_name("a"))
    recover_store(path)
    assert _content(path) == before


def test_a_crash_between_keeping_the_journal_and_resetting_it_loses_nothing(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.store.journal import Journal

    path = tmp_path / "s"
    _session(path, ("a",), imports=1)
    store = AnnotationStore(path, corpus=_Corpus(), annotator="a")
    store.add("b", 0, 2, "quote")

    def crash(self: Journal, keep_previous: Path | None = None) -> None:
        raise KeyboardInterrupt  # the process dies here: files renamed, journal kept, not reset

    monkeypatch.setattr(Journal, "reset", crash)
    with pytest.raises(KeyboardInterrupt):
        store.close()
    monkeypatch.undo()
    store._engine.close()  # what the death of the process does: the lock goes
    _session(path, ("b",))  # the journal is replayed and compacted again
    _session(path, ("c",))
    before = _content(path)
    assert {("b", 0, 2), ("b", 1, 2)} <= before[0] and before[1] == [("imp1", "imported text number 1")]
    for victim in (path / "meta.json", path / "docs" / shard_name("b"), path / "docs" / shard_name("a"),
                   path / "texts" / shard_name("imp1")):
        _damage(victim)
        recover_store(path)
        assert _content(path) == before


def test_a_compaction_that_cannot_keep_its_journal_keeps_the_journal_instead(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.store import archive

    path = tmp_path / "s"
    _session(path, ("a",))
    store = AnnotationStore(path, corpus=_Corpus(), annotator="a")
    store.add("a", 5, 6, "quote")

    def full(self: archive.JournalArchive, journal: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.JournalArchive, "keep", full)
    with pytest.raises(StoreError):
        store.compact()
    monkeypatch.undo()
    assert (path / "journal.jsonl").stat().st_size > 0  # not reset: the change is still in the journal
    store.close()
    _session(path, ("b",))
    before = _content(path)
    _damage(path / "docs" / shard_name("a"))
    recover_store(path)
    assert _content(path) == before and ("a", 5, 6) in before[0]


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file() and p.name != ".lock"}


def test_a_file_whose_journal_is_gone_is_left_as_it_is_and_recovery_says_so(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _session(path, state="one")
    _session(path, state="two")  # meta.json.bak: the first state only
    _session(path, ("a",))
    for kept in path.glob("journals/*"):  # a store written before journals/ (or the folder lost)
        kept.unlink()
    (path / "journals").rmdir()
    _damage(path / "meta.json")
    before = _snapshot(path)
    with pytest.raises(StoreError) as info:
        recover_store(path)
    message = str(info.value)
    assert "\n" not in message and "recovery is incomplete" in message and "meta.json: " in message
    assert "cannot be rebuilt" in message and "meta.json.bak" in message
    assert _snapshot(path) == before  # nothing renamed, nothing written
    assert not list(path.glob("meta.json.corrupt-*"))


def test_a_store_from_before_kept_journals_uses_journal_prev_when_it_holds_the_last_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _session(path, ("a",))
    _session(path, ("a", "b"))
    before = _content(path)
    for kept in path.glob("journals/*"):
        kept.unlink()
    (path / "journals").rmdir()
    _damage(path / "docs" / shard_name("a"))  # its .bak and journal.prev.jsonl (its last rewrite) add up
    assert "recovered" in recover_store(path)
    assert _content(path) == before
    _session(path, ("c",))
    shutil_rmtree_journals(path)
    _damage(path / "docs" / shard_name("b"))  # journal.prev.jsonl now only holds c's session: a gap
    with pytest.raises(StoreError, match="cannot be rebuilt"):
        recover_store(path)


def shutil_rmtree_journals(path: Path) -> None:
    for kept in path.glob("journals/*"):
        kept.unlink()
    (path / "journals").rmdir()


def test_an_unreadable_list_of_a_kept_journal_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _session(path, ("a",))
    (path / "journals" / "1.files.json").write_text("{not json", encoding="utf-8")
    _session(path, ("a",))
    _session(path, ("b",))
    assert sorted(_kept(path)) == [1, 2, 3]  # 1 is never pruned: what it rewrote is unknown
    before = _content(path)
    _damage(path / "docs" / shard_name("a"))
    recover_store(path)
    assert _content(path) == before
    assert _kept(path)[3] == [f"docs/{shard_name('b')}", "meta.json"]  # b is new: added to meta.json's list


def test_the_cli_says_which_file_it_could_not_rebuild_in_one_line_and_exits_1(tmp_path: Path,
                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from reader.cli.commands import main

    path = tmp_path / "s"
    _session(path, state="one")
    _session(path, state="two")
    _session(path, ("a",))
    shutil_rmtree_journals(path)
    _damage(path / "meta.json")
    code = main(["store", "recover", "--store", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "meta.json" in lines[0] and "cannot be rebuilt" in lines[0]
    assert "Traceback" not in err and "recovered (" not in err


KILLED_CHILD = textwrap.dedent(
    """
    import hashlib, random, sys
    import reader.store.engine as engine_mod
    from reader.model import Document
    engine_mod.COMPACT_RECORDS = int(sys.argv[3])
    from reader.store import AnnotationStore
    path, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    store = AnnotationStore(path)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        # a few documents often, most rarely: later compactions rewrite some files and not others
        doc = f"doc{min(int(rng.expovariate(0.4)), 11)}"
        start = seed * 100000 + i * 3
        a = store.add(doc, start, start + 2, "salary", text="ab")
        if i % 5 == 0:
            store.delete(a.id)
        if i % 9 == 0:
            store.set_state("last", f"{seed}-{i}")
        if i % 7 == 0:  # an import, now and then again with a new text (its texts/ file gets a .bak)
            text = f"imported {seed}-{i}"
            store.add_documents([Document(id=f"imp{i % 4}", text=text, imported=True,
                                          sha256=hashlib.sha256(text.encode()).hexdigest())])
    """
)


@pytest.mark.slow
def test_sigkill_at_random_moments_then_any_damaged_file_is_rebuilt_whole(tmp_path: Path) -> None:
    """Writers killed at any point of a save or a compaction (between the renames, the kept journal and
    the reset); after each, a copy of the store with one file zeroed is recovered to the same content."""
    script = tmp_path / "child.py"
    script.write_text(KILLED_CHILD, encoding="utf-8")
    store_path = tmp_path / "store"
    rng = random.Random(20261206)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2]) + os.pathsep + env.get("PYTHONPATH", "")
    rebuilt = 0
    for r in range(12):
        proc = subprocess.Popen([sys.executable, str(script), str(store_path), str(r), str(rng.choice([5, 15, 40]))],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        assert first, proc.stderr.read().decode()
        time.sleep(rng.uniform(0.05, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        expected = _everything(store_path)
        files = ([store_path / "meta.json"] + sorted((store_path / "docs").glob("*.json"))
                 + sorted((store_path / "texts").glob("*.json")))
        for victim in rng.sample(files, min(2, len(files))):
            copy = tmp_path / f"copy-{r}-{victim.name}"
            shutil.copytree(store_path, copy)
            _damage(copy / victim.relative_to(store_path))
            assert "recovered" in recover_store(copy), victim
            assert _everything(copy) == expected, f"round {r}: {victim.name} not rebuilt whole"
            shutil.rmtree(copy)
            rebuilt += 1
    assert rebuilt >= 12


def _everything(path: Path) -> tuple[set[tuple[str, str, int, int]], object, dict[str, str]]:
    store = AnnotationStore(path, readonly=True)
    try:
        return ({(a.id, a.doc_id, a.start, a.end) for a in store.all()}, store.get_state("last"),
                {d.id: d.text for d in store.imported_documents()})
    finally:
        store.close()


@pytest.mark.parametrize("victim", ["meta.json", "shard"])
def test_a_file_whose_backup_is_damaged_too_is_left_as_it_is(tmp_path: Path, victim: str) -> None:
    path = tmp_path / "s"
    _session(path, ("a",), state="one", imports=1)
    _session(path, ("a",), state="two", imports=2)  # both have a .bak now
    target = path / "meta.json" if victim == "meta.json" else path / "docs" / shard_name("a")
    _damage(target)
    _damage(target.with_name(target.name + ".bak"))
    before = _snapshot(path)
    with pytest.raises(StoreError) as info:
        recover_store(path)
    message = str(info.value)
    assert "cannot be rebuilt" in message and f"its backup {target.name}.bak is damaged too" in message
    assert "\n" not in message
    assert _snapshot(path) == before


def test_the_first_compaction_of_a_store_from_before_keeps_its_journal_prev(tmp_path: Path) -> None:
    from reader.store import archive, engine

    assert (archive.PREV_JOURNAL, archive.META_KEY, archive.SHARDS_DIR, archive.TEXTS_DIR) == (
        engine.JOURNAL_PREV_FILE, engine.META_FILE, engine.DOCS_DIR, engine.TEXTS_DIR)
    path = tmp_path / "s"
    _session(path, ("a",), state="one", imports=1)
    _session(path, ("a", "b"), state="two", imports=2)
    shutil_rmtree_journals(path)  # as a store written by the version before: journal.prev.jsonl only
    _session(path, ("c",))  # replaces journal.prev.jsonl; it is kept as journals/0.jsonl first
    assert _kept(path) == {0: sorted(["meta.json", f"docs/{shard_name('a')}", f"docs/{shard_name('b')}",
                                      f"texts/{shard_name('imp2')}"]),
                           1: [f"docs/{shard_name('c')}", "meta.json"]}  # c is new: added to meta.json's list
    before = _content(path)
    for victim in (path / "meta.json", path / "docs" / shard_name("a"), path / "docs" / shard_name("b"),
                   path / "texts" / shard_name("imp2")):
        _damage(victim)
        assert "recovered" in recover_store(path)
        assert _content(path) == before
    _session(path, ("a", "b"), state="three", imports=2)  # every file 0 names is rewritten: it goes
    assert sorted(_kept(path)) == [1, 2]
