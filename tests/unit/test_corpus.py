"""reader.corpus: loading, metadata, languages through a store, reload."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from reader import corpus as corpus_mod
from reader.lang import language
from reader.corpus import Corpus, Problem, derive_metadata, load_corpus, load_document
from reader.errors import NotTextError, ReaderError
from reader.model import Document, Paragraph

import conftest
from conftest import SEEDS

SEED_IDS = [
    "000_9d99caadc18c77c5",
    "001_228d26dd8dd40e62",
    "002_26ccd676af571225",
    "003_744b85a45d014b40",
    "004_d4ef5430cbf9b3bd",
]


class FakeStore:
    """Just the store-contract methods the corpus uses (duck typing)."""

    def __init__(self, cache=None, overrides=None, imported=None):
        self.cache = dict(cache or {})
        self.overrides = dict(overrides or {})
        self.imported = list(imported or [])
        self.cache_calls: list[dict] = []
        self.lookups = 0

    def cached_language(self, sha):
        self.lookups += 1
        return self.cache.get(sha)

    def cache_languages(self, entries):
        self.cache_calls.append(dict(entries))
        self.cache.update(entries)

    def language_overrides(self):
        return dict(self.overrides)

    def set_language_override(self, doc_id, lang):
        if lang:
            self.overrides[doc_id] = lang
        else:
            self.overrides.pop(doc_id, None)

    def imported_documents(self):
        return [Document(id=d.id, text=d.text, sha256=d.sha256, title=d.title, lang=d.lang,
                         lang_source=d.lang_source, imported=True) for d in self.imported]


@pytest.fixture(scope="module")
def seeds():
    return load_corpus(SEEDS)


# --- seeds -------------------------------------------------------------------

def test_seeds_load_in_path_order_with_ids(seeds):
    assert [d.id for d in seeds] == SEED_IDS
    assert seeds.problems == []
    assert len(seeds) == 5
    assert SEED_IDS[1] in seeds and "nope" not in seeds
    assert seeds.get(SEED_IDS[2]).path == SEEDS / f"{SEED_IDS[2]}.txt"


def test_seeds_sha_text_and_size(seeds):
    for doc in seeds:
        raw = doc.path.read_bytes()
        assert doc.sha256 == hashlib.sha256(raw).hexdigest()
        assert doc.size == len(raw)
        assert doc.text == raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        assert "\r" not in doc.text
        assert seeds.by_sha256(doc.sha256) is doc
        assert doc.chars == len(doc.text) and doc.words > 100


def test_seeds_languages(seeds):
    assert [d.lang for d in seeds] == ["it", "en", "fr", "ar", "it"]
    for doc in seeds:
        assert doc.lang_source == "detected"
        assert doc.lang_confidence > 0.99
        assert doc.paragraphs and all(p.lang == doc.lang for p in doc.paragraphs)
        assert all(p.lang not in {"ro", "ca", "af"} for p in doc.paragraphs)
        for p in doc.paragraphs:
            assert doc.paragraph_at(p.start) == p


def test_seeds_titles_and_dates(seeds):
    by_id = {d.id: d for d in seeds}
    got = {i: (by_id[i].title, by_id[i].date) for i in SEED_IDS}
    assert got[SEED_IDS[0]] == (
        "Netflix amplia l’uso dell’intelligenza artificiale, la piattaforma cerca persone specializzate",
        "2023-07",
    )
    assert got[SEED_IDS[1]][1] == "2023-08-01"
    assert got[SEED_IDS[1]][0].startswith("We have written in who knows how many articles")
    assert got[SEED_IDS[1]][0].endswith("…")
    assert got[SEED_IDS[2]] == (
        "Face à la grève des acteurs et scénaristes, Netflix propose un job dans l'IA à 900 000 $ annuel.",
        "2023-07",
    )
    assert got[SEED_IDS[3]][1] is None
    assert got[SEED_IDS[3]][0].startswith("براتب 900 ألف دولار سنوياً")
    assert got[SEED_IDS[4]] == (
        "Non sono solo i lavori di intelligenza artificiale da $ 900.000 di Netflix, è l'ipocrisia",
        None,
    )
    for doc in seeds:
        assert 10 < len(doc.title) <= corpus_mod.TITLE_MAX
        assert "date 20" not in doc.title and "fbpx" not in doc.title


# --- metadata ----------------------------------------------------------------

@pytest.mark.parametrize(
    "text,title,date",
    [
        ("", "", None),
        ("   \n\n", "", None),
        (" date 2023-07 Short headline here", "Short headline here", "2023-07"),
        ("Date: 2024-02-29\nLeap day news story arrives", "Leap day news story arrives", "2024-02-29"),
        ("date 2023-13 Not a month at all here", "date 2023-13 Not a month at all here", None),
        ("fbpx\nhttps://example.com/x\n\nA real headline about things\nbody", "A real headline about things", None),
        ("Section\nA real headline about things", "A real headline about things", None),
        ("Only Two\n\n", "Only Two", None),
        ("Advertisement\n\n12345\n\nThe story begins here today", "The story begins here today", None),
        ("Title [bold red]x[/] \x1b[2J", "Title [bold red]x[/] \u241b[2J", None),
        ("a\tb  c\u00a0 d", "a b c d", None),
    ],
)
def test_derive_metadata(text, title, date):
    assert derive_metadata(text) == (title, date)


def test_long_title_cut_at_word_boundary_with_ellipsis():
    line = "word " * 60
    title, _ = derive_metadata(line)
    assert title.endswith("…") and len(title) <= corpus_mod.TITLE_MAX
    assert title[:-1].split() == ["word"] * len(title[:-1].split())


def test_long_title_prefers_first_sentence():
    text = "Markets fell sharply on Monday. " + "Analysts said many things about it " * 10
    assert derive_metadata(text)[0] == "Markets fell sharply on Monday."


def test_title_reads_only_the_head():
    text = "\n" * (corpus_mod.HEAD_CHARS + 10) + "A headline far below the head"
    assert derive_metadata(text)[0] == ""


def test_single_unbroken_line_title():
    title, _ = derive_metadata("x" * 5000 + " and more words follow")
    assert title == ""  # one "word" lines are junk
    title, _ = derive_metadata("Start " + "y" * 5000)
    assert len(title) <= corpus_mod.TITLE_MAX and title.endswith("…")


# --- walking -------------------------------------------------------------------

def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_recursive_sorted_suffixes_and_hidden(tmp_path):
    write(tmp_path / "b.txt", "Bee text here")
    write(tmp_path / "a" / "z.md", "Zed text in markdown")
    write(tmp_path / "a" / "b" / "c.TXT", "Upper case suffix")
    write(tmp_path / "a.txt", "Ay")
    write(tmp_path / "notes.rst", "ignored")
    write(tmp_path / "data.json", "{}")
    write(tmp_path / ".hidden.txt", "ignored")
    write(tmp_path / ".git" / "x.txt", "ignored")
    c = load_corpus(tmp_path, detect=False)
    assert [d.id for d in c] == ["a/b/c", "a/z", "a", "b"]
    assert c.problems == []
    assert all(d.lang_source == "pending" and d.paragraphs is None for d in c)


def test_id_collision_keeps_suffix(tmp_path):
    write(tmp_path / "a.md", "markdown")
    write(tmp_path / "a.txt", "text")
    c = load_corpus(tmp_path, detect=False)
    assert sorted(d.id for d in c) == ["a", "a.txt"]
    assert c.get("a").path.name == "a.md"


def test_missing_or_file_root_raises(tmp_path):
    with pytest.raises(ReaderError, match="not found"):
        load_corpus(tmp_path / "nope")
    f = write(tmp_path / "f.txt", "x")
    with pytest.raises(ReaderError, match="not a folder") as info:
        load_corpus(f)
    assert str(f) in str(info.value)


def test_empty_folder(tmp_path):
    c = load_corpus(tmp_path)
    assert len(c) == 0 and c.problems == [] and list(c) == []


def test_progress_called_per_file(tmp_path):
    for i in range(3):
        write(tmp_path / f"{i}.txt", f"Document number {i}")
    calls = []
    load_corpus(tmp_path, detect=False, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_problem_str_and_dict():
    p = Problem("x/y.txt", "binary file")
    assert str(p) == "x/y.txt: binary file"
    assert p.to_dict() == {"path": "x/y.txt", "reason": "binary file"}


def test_load_document_raises_not_text(tmp_path):
    bad = write(tmp_path / "bad.txt", b"ok\x00no")
    with pytest.raises(NotTextError) as info:
        load_document(bad, tmp_path)
    assert str(bad) in str(info.value) and "NUL" in str(info.value)
    doc = load_document(write(tmp_path / "sub" / "ok.txt", "fine text"), tmp_path)
    assert doc.id == "sub/ok"


# --- languages and the store ------------------------------------------------------

def copy_seeds(tmp_path: Path) -> Path:
    return conftest.copy_seeds(tmp_path, "corpus")


def test_detect_false_then_detect_with_progress_and_stop(tmp_path):
    root = copy_seeds(tmp_path)
    c = load_corpus(root, detect=False)
    assert all(d.lang_source == "pending" for d in c)
    calls = []
    stop_after = 2
    n = c.detect_languages(progress=lambda d, t: calls.append((d, t)), should_stop=lambda: len(calls) >= stop_after)
    assert n == 2 and calls == [(1, 5), (2, 5)]
    assert [d.lang_source for d in c] == ["detected", "detected", "pending", "pending", "pending"]
    assert len(c.pending) == 3
    calls.clear()
    assert c.detect_languages(progress=lambda d, t: calls.append((d, t))) == 3
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert [d.lang for d in c] == ["it", "en", "fr", "ar", "it"]
    assert c.detect_languages() == 0


def test_store_cache_written_in_one_batch_then_used(tmp_path, monkeypatch):
    root = copy_seeds(tmp_path)
    store = FakeStore()
    first = load_corpus(root, store=store)
    assert len(store.cache_calls) == 1
    assert set(store.cache_calls[0]) == {d.sha256 for d in first}
    entry = store.cache[first.documents[0].sha256]
    assert entry["lang"] == "it" and entry["paragraphs"][0][2] == "it"
    assert all(len(p) == 4 for p in entry["paragraphs"])

    def boom(*a, **k):
        raise AssertionError("detection ran on a cached corpus")

    monkeypatch.setattr(language, "detect_language", boom)
    monkeypatch.setattr(language, "paragraph_languages", boom)
    second = load_corpus(root, store=store)
    assert [d.lang for d in second] == ["it", "en", "fr", "ar", "it"]
    assert all(d.lang_source == "cache" for d in second)
    assert [d.paragraphs for d in second] == [d.paragraphs for d in first]
    assert len(store.cache_calls) == 1  # nothing new written
    # detect=False still takes cached results: looking up is not detecting
    third = load_corpus(root, store=store, detect=False)
    assert all(d.lang_source == "cache" for d in third)


def test_bad_cache_entries_are_ignored(tmp_path):
    root = tmp_path / "c"
    write(root / "a.txt", "Questo è un testo italiano abbastanza lungo per essere riconosciuto bene.")
    sha = hashlib.sha256((root / "a.txt").read_bytes()).hexdigest()
    for bad in [{"lang": "xx"}, {"lang": 3, "confidence": 1, "paragraphs": []},
                {"lang": "de", "confidence": 1.0, "paragraphs": [[0, 10_000, "de", 1.0]]}, "junk"]:
        store = FakeStore(cache={sha: bad})
        c = load_corpus(root, store=store)
        assert c.get("a").lang == "it" and c.get("a").lang_source == "detected"


def test_cache_write_failure_is_kept_not_raised(tmp_path):
    class Failing(FakeStore):
        def cache_languages(self, entries):
            raise ReaderError("annotations: could not save (disk full)")

    c = load_corpus(copy_seeds(tmp_path), store=Failing())
    assert [d.lang for d in c] == ["it", "en", "fr", "ar", "it"]
    assert "disk full" in c.cache_error


def test_override_wins_and_remaps_paragraphs(tmp_path):
    root = copy_seeds(tmp_path)
    store = FakeStore(overrides={SEED_IDS[1]: "de"})
    c = load_corpus(root, store=store, detect=False)
    doc = c.get(SEED_IDS[1])
    assert (doc.lang, doc.lang_source, doc.paragraphs) == ("de", "override", None)
    c.detect_languages(store=store)
    doc = c.get(SEED_IDS[1])
    assert (doc.lang, doc.lang_source, doc.lang_confidence) == ("de", "override", 1.0)
    assert {p.lang for p in doc.paragraphs} == {"de"}
    # cached result is the detector's, not the override
    assert store.cache[doc.sha256]["lang"] == "en"
    # clearing the override goes back to the detected language
    c.set_language_override(SEED_IDS[1], None, store=store)
    assert (doc.lang, doc.lang_source) == ("en", "detected")
    assert doc.lang_confidence > 0.99
    assert {p.lang for p in doc.paragraphs} == {"en"}
    assert store.overrides == {}
    c.set_language_override(SEED_IDS[1], "es", store=store)
    assert (doc.lang, doc.lang_source) == ("es", "override")
    assert store.overrides == {SEED_IDS[1]: "es"}
    with pytest.raises(ReaderError, match="no such document"):
        c.set_language_override("missing", "en")


def test_imported_documents_appended(tmp_path):
    root = copy_seeds(tmp_path)
    text = "Un document importé depuis doccano, écrit en français pour le test."
    imp = Document(id="doccano/1", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                   title="Un document importé")
    clash = Document(id=SEED_IDS[0], text="x", sha256="0" * 64)
    store = FakeStore(imported=[imp, clash])
    c = load_corpus(root, store=store)
    assert [d.id for d in c][-1] == "doccano/1"
    assert len(c) == 6
    doc = c.get("doccano/1")
    assert doc.imported and doc.lang == "fr" and doc.path is None
    assert c.by_sha256(imp.sha256) is doc
    assert any("same id as a corpus file" in p.reason for p in c.problems)
    assert c.reload("doccano/1") is doc


def test_imported_document_language_from_import_is_kept(tmp_path):
    text = "This text is English but the importer said it is German, so it stays German."
    imp = Document(id="imp", text=text, sha256="1" * 64, lang="de", lang_source="import")
    c = load_corpus(tmp_path, store=FakeStore(imported=[imp]))
    doc = c.get("imp")
    assert (doc.lang, doc.lang_source) == ("de", "import")
    assert doc.paragraphs and doc.paragraphs[0].lang == "de"


def test_add_documents_directly():
    c = Corpus("somewhere")
    added = c.add_documents([Document(id="x", text="hello there", sha256="a" * 64)])
    assert [d.id for d in added] == ["x"] and c.get("x").imported
    assert c.add_documents([Document(id="x", text="hello there", sha256="a" * 64)]) == []


# --- reload -------------------------------------------------------------------

def test_reload_edited_and_vanished_file(tmp_path):
    root = tmp_path / "c"
    f = write(root / "story.txt", "Il gatto dorme sul divano tutto il giorno e non si muove mai da lì.")
    c = load_corpus(root)
    old = c.get("story")
    assert old.lang == "it"
    same = c.reload("story")
    assert same.text == old.text and same.lang == "it" and same.lang_source == "detected"
    write(f, "The cat sleeps on the sofa all day long and never moves from there at all.\r\n")
    new = c.reload("story")
    assert new is c.get("story") and new is not old
    assert new.text.endswith("there at all.\n")
    assert new.sha256 != old.sha256
    assert new.lang == "en" and new.lang_source == "detected"
    assert c.by_sha256(new.sha256) is new and c.by_sha256(old.sha256) is None
    f.unlink()
    with pytest.raises(ReaderError) as info:
        c.reload("story")
    assert str(f) in str(info.value) and "deleted" in str(info.value)
    with pytest.raises(ReaderError, match="no such document"):
        c.reload("nothing")


def test_reload_uses_store_cache(tmp_path):
    root = tmp_path / "c"
    f = write(root / "a.txt", "Bonjour tout le monde, ceci est un texte en français assez long.")
    store = FakeStore()
    c = load_corpus(root, store=store)
    write(f, "Hola a todos, este es un texto en español bastante largo para detectar.")
    new = c.reload("a", store=store)
    assert new.lang == "es"
    assert new.sha256 in store.cache


def test_reload_bad_content_raises_not_text(tmp_path):
    root = tmp_path / "c"
    f = write(root / "a.txt", "fine")
    c = load_corpus(root, detect=False)
    write(f, b"\xff\xfe\x00\x00\x00")
    with pytest.raises(ReaderError):
        c.reload("a")
    write(f, b"caf\xe9 latin-1")
    with pytest.raises(NotTextError) as info:
        c.reload("a")
    assert "not valid UTF-8" in str(info.value) and str(f) in str(info.value)


def test_reload_pending_document_stays_pending(tmp_path):
    root = tmp_path / "c"
    f = write(root / "a.txt", "first version of the text")
    c = load_corpus(root, detect=False)
    write(f, "second version of the text")
    assert c.reload("a").lang_source == "pending"


def test_paragraph_type_in_documents(seeds):
    for doc in seeds:
        assert all(isinstance(p, Paragraph) for p in doc.paragraphs)
        assert all(doc.text[p.start:p.end].strip() == doc.text[p.start:p.end] for p in doc.paragraphs)


def test_unknown_for_empty_docs(tmp_path):
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "space.txt", " \n\t\r\n ")
    c = load_corpus(tmp_path)
    for doc in c:
        assert (doc.lang, doc.lang_confidence, doc.paragraphs) == (language.UNKNOWN, 0.0, [])
        assert doc.title == ""


# --- with the real AnnotationStore ---------------------------------------------------

def test_real_store_second_load_runs_no_detection(tmp_path, monkeypatch):
    from reader.store import AnnotationStore

    root = copy_seeds(tmp_path)
    store_path = tmp_path / "annotations"
    with AnnotationStore(store_path) as store:
        first = load_corpus(root, store=store)
        assert [d.lang for d in first] == ["it", "en", "fr", "ar", "it"]
        store.set_language_override(SEED_IDS[4], "es")
        text = "Ein importiertes Dokument, das auf Deutsch geschrieben ist und lang genug ist."
        store.add_documents([Document(id="imported/de", text=text,
                                      sha256=hashlib.sha256(text.encode()).hexdigest())])

    def boom(*a, **k):
        raise AssertionError("langdetect ran although the store has every result")

    monkeypatch.setattr(language, "_probabilities", boom)
    with AnnotationStore(store_path) as store:
        # the imported document has never been detected: give it a cached result too
        monkeypatch.undo()
        warm = load_corpus(root, store=store)
        monkeypatch.setattr(language, "_probabilities", boom)
        assert warm.get("imported/de").lang == "de"
    with AnnotationStore(store_path) as store:
        second = load_corpus(root, store=store)
        assert second.detect_languages(store=store) == 0
    assert [d.id for d in second] == SEED_IDS + ["imported/de"]
    assert [d.lang for d in second] == ["it", "en", "fr", "ar", "es", "de"]
    assert [d.lang_source for d in second] == ["cache"] * 4 + ["override", "cache"]
    assert second.get("imported/de").imported
    assert [d.paragraphs for d in second][:4] == [d.paragraphs for d in first][:4]
    assert {p.lang for p in second.get(SEED_IDS[4]).paragraphs} == {"es"}


def test_real_store_readonly_skips_cache_quietly(tmp_path):
    from reader.store import AnnotationStore

    root = copy_seeds(tmp_path)
    store_path = tmp_path / "annotations"
    AnnotationStore(store_path).close()
    with AnnotationStore(store_path, readonly=True) as store:
        c = load_corpus(root, store=store)
        assert [d.lang for d in c] == ["it", "en", "fr", "ar", "it"]
        assert c.cache_error is None


def test_reload_and_detect_default_to_the_load_store(tmp_path):
    root = tmp_path / "c"
    f = write(root / "a.txt", "Bonjour tout le monde, ceci est un texte en français assez long.")
    store = FakeStore()
    c = load_corpus(root, store=store, detect=False)
    assert c.detect_languages() == 1 and len(store.cache_calls) == 1
    write(f, "Hola a todos, este es un texto en español bastante largo para detectar.")
    new = c.reload("a")
    assert new.lang == "es" and new.sha256 in store.cache


@pytest.mark.parametrize(
    "text,title,date",
    [
        ("---\ntitle: \"My Post\"\ndate: 2024-05-06T10:00\ntags: [a]\n---\n# Other\nbody", "My Post", "2024-05-06"),
        ("---\nauthor: me\n---\n\n# Short\n\nA much longer first paragraph line here", "Short", None),
        ("# Heading with hashes ##\ntext", "Heading with hashes", None),
        ("#hashtag line without space is text\nmore", "#hashtag line without space is text", None),
        # unclosed front matter is ordinary text: the first strong line wins
        ("---\nnot closed\n\nLine with enough words here", "Line with enough words here", None),
    ],
)
def test_markdown_titles(text, title, date):
    assert derive_metadata(text) == (title, date)


def test_store_imported_documents_error_becomes_problem(tmp_path):
    class Broken(FakeStore):
        path = "annotations"

        def imported_documents(self):
            raise ReaderError("annotations/meta.json: cannot read the store: bad JSON")

    write(tmp_path / "a.txt", "some text here")
    c = load_corpus(tmp_path, store=Broken(), detect=False)
    assert [d.id for d in c] == ["a"]
    assert any("bad JSON" in p.reason and p.path == "annotations" for p in c.problems)
