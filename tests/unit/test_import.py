"""The import/export pipeline with the real corpus and store."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import FormatError, ReaderError, StoreReadOnlyError
from reader.formats import FORMATS
from reader.formats.pipeline import ExportResult, ImportReport, export_corpus, guess_format, import_file
from reader.store import AnnotationStore
from reader.workspace import Workspace

DOCS = {
    "a": "Netflix pays $900,000 a year.\nShe said “no”.\n",
    "sub/b": "Bonjour 👋 le salaire est de 300 000 $.\n",
    "c": "بين 300 و900 ألف دولار\n",
}


@pytest.fixture
def corpus_dir(tmp_path):
    root = tmp_path / "corpus"
    for doc_id, text in DOCS.items():
        p = root / f"{doc_id}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def ws(corpus_dir, tmp_path):
    w = Workspace.open(corpus_dir, tmp_path / "store", detect=False)
    yield w
    w.close()


def add(ws, doc_id, needle, label, **kw):
    text = ws.corpus.get(doc_id).text
    i = text.index(needle)
    return ws.store.add(doc_id, i, i + len(needle), label, **kw)


def jl(*records) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def write(tmp_path, name, content) -> Path:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return p


# --- workspace ------------------------------------------------------------------

def test_workspace_open_and_close(corpus_dir, tmp_path):
    with Workspace.open(corpus_dir, tmp_path / "s", detect=False) as ws:
        assert len(ws.corpus) == 3 and ws.store.path == tmp_path / "s"
        assert "salary" in ws.labels
        assert not ws.readonly
    with Workspace.open(corpus_dir, tmp_path / "s", readonly=True, detect=False) as ws:
        assert ws.readonly


def test_workspace_second_writer_gets_lock_error(corpus_dir, tmp_path):
    from reader.errors import StoreLockedError

    with Workspace.open(corpus_dir, tmp_path / "s", detect=False):
        with pytest.raises(StoreLockedError):
            Workspace.open(corpus_dir, tmp_path / "s", detect=False)
        with Workspace.open(corpus_dir, tmp_path / "s", readonly=True, detect=False) as ro:
            assert ro.readonly


def test_workspace_missing_corpus_releases_store(tmp_path):
    with pytest.raises(ReaderError):
        Workspace.open(tmp_path / "nope", tmp_path / "s")
    # the lock was released: a writer can open the store now
    AnnotationStore(tmp_path / "s").close()


# --- export -----------------------------------------------------------------------

def test_export_accepted_only_unless_include_suggested(ws):
    add(ws, "a", "$900,000", "salary", note="pay")
    add(ws, "a", "“no”", "quote", status="suggested")
    buf = io.StringIO()
    res = export_corpus("jsonl", ws.corpus, ws.store, buf)
    assert isinstance(res, ExportResult) and res.path is None
    assert res.documents == 3 and res.spans == 1
    recs = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [r["id"] for r in recs] == ["a", "c", "sub/b"] or sorted(r["id"] for r in recs) == ["a", "c", "sub/b"]
    a = next(r for r in recs if r["id"] == "a")
    assert [s["label"] for s in a["spans"]] == ["salary"]
    buf = io.StringIO()
    res = export_corpus("jsonl", ws.corpus, ws.store, buf, include_suggested=True)
    assert res.spans == 2
    a = next(json.loads(x) for x in buf.getvalue().splitlines() if json.loads(x)["id"] == "a")
    assert {s["status"] for s in a["spans"]} == {"accepted", "suggested"}


def test_export_doc_ids(ws):
    add(ws, "a", "$900,000", "salary")
    buf = io.StringIO()
    res = export_corpus("doccano", ws.corpus, ws.store, buf, doc_ids=["a"])
    assert res.documents == 1 and len(buf.getvalue().splitlines()) == 1
    with pytest.raises(FormatError, match="unknown document"):
        export_corpus("doccano", ws.corpus, ws.store, io.StringIO(), doc_ids=["zzz"])


def test_export_to_file_is_atomic_and_refuses_overwrite(ws, tmp_path):
    add(ws, "a", "$900,000", "salary")
    out = tmp_path / "out.jsonl"
    res = export_corpus("jsonl", ws.corpus, ws.store, out)
    assert res.path == out and out.read_text(encoding="utf-8").count("\n") == 3
    before = out.read_bytes()
    with pytest.raises(FormatError, match="already exists; use --force"):
        export_corpus("jsonl", ws.corpus, ws.store, out)
    assert out.read_bytes() == before
    add(ws, "a", "“no”", "quote")
    export_corpus("jsonl", ws.corpus, ws.store, out, force=True)
    assert out.read_bytes() != before
    # no temporary files left behind
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_failure_leaves_old_file(ws, tmp_path, monkeypatch):
    add(ws, "a", "$900,000", "salary")
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    fmt = FORMATS["jsonl"]

    def boom(items, fh, ctx=None):
        fh.write("partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fmt, "write", boom)
    with pytest.raises(FormatError, match="No space left"):
        export_corpus("jsonl", ws.corpus, ws.store, out, force=True)
    assert out.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_export_destination_errors(ws, tmp_path):
    with pytest.raises(FormatError, match="does not exist"):
        export_corpus("jsonl", ws.corpus, ws.store, tmp_path / "nope" / "x.jsonl")
    (tmp_path / "adir").mkdir()
    with pytest.raises(FormatError, match="folder"):
        export_corpus("jsonl", ws.corpus, ws.store, tmp_path / "adir", force=True)


def test_export_leaves_out_orphans_and_reports_them(corpus_dir, tmp_path):
    store = tmp_path / "s"
    with Workspace.open(corpus_dir, store, detect=False) as ws:
        add(ws, "a", "$900,000", "salary")
        add(ws, "a", "Netflix", "claim")
    (corpus_dir / "a.txt").write_text("Completely different now.\n", encoding="utf-8")
    with Workspace.open(corpus_dir, store, detect=False) as ws:
        res = export_corpus("jsonl", ws.corpus, ws.store, io.StringIO())
        assert res.orphaned == 2 and res.spans == 0
        assert "orphaned" in res.summary()


def test_export_includes_imported_documents(ws, tmp_path):
    p = write(tmp_path, "in.jsonl", jl({"id": "ext1", "text": "External pay 5 $", "spans": [{"start": 13, "end": 16, "label": "salary"}]}))
    import_file("jsonl", p, ws.corpus, ws.store)
    buf = io.StringIO()
    export_corpus("jsonl", ws.corpus, ws.store, buf)
    recs = {json.loads(x)["id"]: json.loads(x) for x in buf.getvalue().splitlines()}
    assert recs["ext1"]["spans"][0]["text"] == "5 $" and recs["ext1"]["imported"] is True


# --- import -------------------------------------------------------------------------

def test_import_reports_each_problem_by_line(ws, tmp_path):
    a = ws.corpus.get("a").text
    i = a.index("$900,000")
    p = write(tmp_path, "bad.jsonl", jl(
        {"id": "a", "text": a, "spans": [{"start": i, "end": i + 8, "label": "salary", "text": "$900,000"}]},  # 1 ok
        "{broken json",  # 2
        {"id": "a", "text": 12},  # 3 wrong type
        {"id": "a", "text": a, "spans": [{"start": -1, "end": 3, "label": "claim"}]},  # 4 negative
        {"id": "a", "text": a, "spans": [{"start": 0, "end": 10_000, "label": "claim"}]},  # 5 out of range
        {"id": "a", "text": a, "spans": [{"start": 9, "end": 3, "label": "claim"}]},  # 6 start > end
        {"id": "a", "text": a, "spans": [{"start": 0, "end": 7, "label": "claim", "text": "Netflax"}]},  # 7 mismatch
        {"id": "a", "text": a, "spans": [{"start": 0, "end": 7, "label": "gossip"}]},  # 8 unknown label
        {"id": "a", "text": a, "spans": [{"start": 0, "end": 7, "label": "claim", "text": "Netflix"}]},  # 9 ok
    ))
    rep = import_file("jsonl", p, ws.corpus, ws.store)
    assert isinstance(rep, ImportReport)
    assert rep.imported == 2 and rep.new_documents == 0
    by_line = {pr.line: pr.reason for pr in rep.problems}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 8]
    assert "malformed JSON" in by_line[2]
    assert "must be a string" in by_line[3]
    assert "negative" in by_line[4]
    assert "beyond the end" in by_line[5]
    assert "after end" in by_line[6]
    assert "does not match" in by_line[7] and "Netflax" in by_line[7]
    assert "unknown label 'gossip'" in by_line[8] and "labels.toml" in by_line[8]
    assert rep.unknown_labels == {"gossip": 1}
    assert all(str(pr).startswith("bad.jsonl, line ") for pr in rep.problems)
    labels = sorted(x.label for x in ws.store.for_document("a"))
    assert labels == ["claim", "salary"]


def test_reimport_does_not_duplicate(ws, tmp_path):
    add(ws, "a", "$900,000", "salary", note="n")
    out = tmp_path / "x.jsonl"
    export_corpus("jsonl", ws.corpus, ws.store, out)
    rep = import_file("jsonl", out, ws.corpus, ws.store)
    assert rep.imported == 0 and rep.duplicates == 1 and rep.problems == []
    # a doccano file without ids: duplicates found by (doc, offsets, label)
    out2 = tmp_path / "x.doccano"
    export_corpus("doccano", ws.corpus, ws.store, out2)
    rec = json.loads(out2.read_text().splitlines()[0])
    rec.pop("span_info")
    out2.write_text(json.dumps(rec) + "\n" + json.dumps(rec) + "\n")
    rep = import_file("doccano", out2, ws.corpus, ws.store)
    assert rep.imported == 0 and rep.duplicates == 2
    assert len(ws.store.all()) == 1


def test_match_by_content_when_id_differs(ws, tmp_path):
    text = ws.corpus.get("sub/b").text
    i = text.index("300 000 $")
    p = write(tmp_path, "d.jsonl", jl({"text": text, "label": [[i, i + 9, "salary"]], "id": 99, "offset_unit": "codepoint"}))
    rep = import_file("doccano", p, ws.corpus, ws.store)
    assert rep.imported == 1 and rep.new_documents == 0 and rep.matched_documents == 1
    assert [x.text for x in ws.store.for_document("sub/b")] == ["300 000 $"]


def test_records_with_their_own_ids_and_one_text_stay_apart_and_a_re_run_adds_nothing(ws, tmp_path):
    """Two records with their own ids and the same text are two documents; a record without an id
    joins the first of them; a record of a file's text joins the file's document whatever its id;
    and the whole import run again (in one workspace, or a new one on the same store) adds nothing."""
    same = "Notice of the council: no meeting this week."
    span = [{"start": 0, "end": 6, "label": "claim"}]
    p = write(tmp_path, "same.jsonl", jl(
        {"id": "n1", "text": same, "spans": span}, {"id": "n2", "text": same, "spans": span},
        {"text": same, "spans": [{"start": 7, "end": 9, "label": "claim"}]},
        {"id": 99, "text": DOCS["a"], "spans": [{"start": 0, "end": 7, "label": "claim"}]}))
    first = import_file("jsonl", p, ws.corpus, ws.store, batch_size=1)
    assert (first.new_documents, first.imported, first.duplicates) == (2, 4, 0), first.summary()
    got = sorted((a.doc_id, a.start, a.end) for a in ws.store.all())
    assert got == [("a", 0, 7), ("n1", 0, 6), ("n1", 7, 9), ("n2", 0, 6)]
    again = import_file("jsonl", p, ws.corpus, ws.store, batch_size=1)
    assert (again.new_documents, again.imported, again.duplicates) == (0, 0, 4), again.summary()
    ws.close()
    with Workspace.open(ws.corpus.root, tmp_path / "store", detect=False) as other:
        third = import_file("jsonl", p, other.corpus, other.store)
        assert (third.new_documents, third.imported, third.duplicates) == (0, 0, 4), third.summary()
        assert sorted(d.id for d in other.store.imported_documents()) == ["n1", "n2"]


def test_unknown_documents_become_imported_documents(ws, tmp_path, corpus_dir):
    p = write(tmp_path, "p.jsonl", jl(
        {"text": "Elsewhere: 200 $ par jour.", "spans": [{"start": 11, "end": 16, "label": "salary"}],
         "meta": {"title": "Other", "lang": "fr"}, "answer": "accept"},
    ))
    rep = import_file("prodigy", p, ws.corpus, ws.store)
    assert rep.new_documents == 1 and rep.imported == 1
    docs = ws.store.imported_documents()
    assert len(docs) == 1
    d = docs[0]
    assert d.imported and d.text == "Elsewhere: 200 $ par jour." and d.title == "Other" and d.lang == "fr"
    assert ws.corpus.get(d.id) is not None  # listed with the corpus
    anns = ws.store.for_document(d.id)
    assert [a.text for a in anns] == ["200 $"]
    # it can be annotated through the API like any document
    ws.store.add(d.id, 0, 9, "claim")
    ws.close()
    # and is there after reopening
    with Workspace.open(corpus_dir, tmp_path / "store", detect=False) as w2:
        assert w2.corpus.get(d.id) is not None
        assert len(w2.store.for_document(d.id)) == 2
        again = import_file("prodigy", p, w2.corpus, w2.store)
        assert again.new_documents == 0 and again.duplicates == 1


def test_same_id_changed_text_reanchors_by_span_text(ws, tmp_path):
    old = "Intro line.\n" + ws.corpus.get("a").text
    i = old.index("$900,000")
    p = write(tmp_path, "old.jsonl", jl({"id": "a", "text": old, "spans": [
        {"start": i, "end": i + 8, "label": "salary"},
        {"start": 0, "end": 5, "label": "claim"},  # "Intro" is not in the current text
    ]}))
    rep = import_file("jsonl", p, ws.corpus, ws.store)
    assert rep.imported == 1 and rep.new_documents == 0
    assert [x.text for x in ws.store.for_document("a")] == ["$900,000"]
    assert "no longer in it" in rep.problems[0].reason


def test_crlf_records_are_normalised(ws, tmp_path):
    raw = "Line one\r\nPay: $5\r\nend"
    i = raw.index("$5")
    p = write(tmp_path, "crlf.jsonl", jl({"text": raw, "label": [[i, i + 2, "salary"], [0, 14, "claim"]]}))
    rep = import_file("doccano", p, ws.corpus, ws.store)
    assert rep.imported == 2, rep.problems
    d = ws.store.imported_documents()[0]
    assert "\r" not in d.text
    got = {a.label: a.text for a in ws.store.for_document(d.id)}
    assert got == {"salary": "$5", "claim": "Line one\nPay:"}


def test_import_into_readonly_store_is_refused(corpus_dir, tmp_path):
    p = write(tmp_path, "x.jsonl", jl({"text": "abc"}))
    AnnotationStore(tmp_path / "s").close()
    with Workspace.open(corpus_dir, tmp_path / "s", readonly=True, detect=False) as ws:
        with pytest.raises(StoreReadOnlyError):
            import_file("jsonl", p, ws.corpus, ws.store)


def test_import_file_errors(ws, tmp_path):
    with pytest.raises(FormatError, match="no such file"):
        import_file("jsonl", tmp_path / "missing.jsonl", ws.corpus, ws.store)
    with pytest.raises(FormatError, match="is a folder"):
        import_file("jsonl", tmp_path, ws.corpus, ws.store)
    with pytest.raises(FormatError, match="export only"):
        import_file("spans", write(tmp_path, "s.jsonl", "{}"), ws.corpus, ws.store)


def test_batches(ws, tmp_path):
    lines = [{"id": f"g{k}", "text": f"doc {k} pays $ {k}", "spans": [{"start": 0, "end": 3, "label": "claim"}]} for k in range(25)]
    p = write(tmp_path, "many.jsonl", jl(*lines))
    rep = import_file("jsonl", p, ws.corpus, ws.store, batch_size=7)
    assert rep.imported == 25 and rep.new_documents == 25
    assert len(ws.store.all()) == 25



@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_duplicates_are_found_across_batches(ws, tmp_path, batch_size):
    """The importer keeps only the keys and ids of the batch not yet saved (issue 19's memory bound);
    a span or an id saved by an earlier batch is found in the store, whatever the batch size."""
    text = "the same text, again and again"
    spans = [{"id": "s1", "start": 0, "end": 3, "label": "claim"},
             {"id": "s2", "start": 4, "end": 8, "label": "claim", "status": "rejected"}]
    lines = [
        {"id": "d1", "text": text, "spans": spans},
        {"id": "other", "text": "another text", "spans": [{"id": "o1", "start": 0, "end": 7, "label": "claim"}]},
        # the same document again: both spans (even the rejected one) are duplicates
        {"id": "d1", "text": text, "spans": [{"start": 0, "end": 3, "label": "claim"},
                                             {"start": 4, "end": 8, "label": "claim", "status": "rejected"}]},
        # an id already saved, on another span: a duplicate, not a second annotation under a new id
        {"id": "d1", "text": text, "spans": [{"id": "o1", "start": 9, "end": 13, "label": "claim"},
                                             {"id": "s3", "start": 9, "end": 13, "label": "claim"}]},
    ]
    rep = import_file("jsonl", write(tmp_path, "dups.jsonl", jl(*lines)), ws.corpus, ws.store, batch_size=batch_size)
    assert (rep.imported, rep.duplicates, rep.new_documents) == (4, 3, 2), rep.summary()
    from reader.model import STATUSES

    got = sorted((a.id, a.doc_id, a.start, a.end, a.status) for a in ws.store.all(statuses=STATUSES))
    assert got == [("o1", "other", 0, 7, "accepted"), ("s1", "d1", 0, 3, "accepted"),
                   ("s2", "d1", 4, 8, "rejected"), ("s3", "d1", 9, 13, "accepted")]
    again = import_file("jsonl", write(tmp_path, "dups.jsonl", jl(*lines)), ws.corpus, ws.store, batch_size=batch_size)
    assert (again.imported, again.duplicates) == (0, 7)

def test_guess_format(tmp_path):
    cases = {
        "a.jsonl": {"id": "x", "text": "t", "spans": []},
        "b.jsonl": {"text": "t", "label": []},
        "c.jsonl": {"text": "t", "spans": [], "answer": "accept", "_input_hash": 1},
    }
    want = {"a.jsonl": "jsonl", "b.jsonl": "doccano", "c.jsonl": "prodigy"}
    for name, rec in cases.items():
        assert guess_format(write(tmp_path, name, json.dumps(rec) + "\n")) == want[name]
    with pytest.raises(FormatError, match="cannot tell"):
        guess_format(write(tmp_path, "d.txt", "hello"))


# --- fuzz -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "id", "spans", "label", "labels", "entities", "start", "end", "meta", "answer",
                         "span_info", "offset_unit", "note", "status", "start_offset", "end_offset", "data"]) | st.text(max_size=5),
        children, max_size=5),
    max_leaves=20,
)
records = st.fixed_dictionaries(
    {"text": st.text(max_size=30) | st.integers()},
    optional={
        "id": st.text(max_size=5) | st.integers(),
        "spans": st.lists(st.fixed_dictionaries({"start": st.integers(-3, 40), "end": st.integers(-3, 40),
                                                  "label": st.sampled_from(["salary", "quote", "x", ""])},
                                                 optional={"text": st.text(max_size=5), "status": st.text(max_size=9),
                                                           "id": st.text(max_size=4)}), max_size=3),
        "label": st.lists(st.lists(st.integers(-3, 40) | st.sampled_from(["salary", "claim"]), max_size=4), max_size=3),
        "meta": json_values,
        "answer": st.sampled_from(["accept", "reject", 3]),
        "span_info": json_values,
        "offset_unit": st.sampled_from(["utf16", "codepoint", "bogus"]),
    },
)


def _fuzz_path(base: Path, fmt, data: bytes, n: int) -> Path:
    if fmt.kind == "dir":
        d = base / f"dir{n}"
        d.mkdir()
        (d / "doc.txt").write_bytes(data)
        (d / "doc.ann").write_bytes(data)
        return d
    p = base / f"in{n}{fmt.extension}"
    p.write_bytes(data)
    return p


def _feed(ws, base, data: bytes, counter=[0]):
    from reader.formats import FORMATS

    for fmt in list(FORMATS.values()):
        if not fmt.can_import:
            continue
        counter[0] += 1
        path = _fuzz_path(base, fmt, data, counter[0])
        try:
            rep = import_file(fmt, path, ws.corpus, ws.store)
        except ReaderError:
            continue
        assert isinstance(rep, ImportReport)


def test_fuzz_random_bytes(ws, tmp_path):
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=300))
    def inner(data):
        _feed(ws, tmp_path, data)

    inner()


def test_fuzz_random_json_lines(ws, tmp_path):
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(records | json_values, min_size=1, max_size=4), st.booleans())
    def inner(recs, as_array):
        if as_array:
            data = json.dumps(recs).encode()
        else:
            data = "\n".join(json.dumps(r) for r in recs).encode()
        _feed(ws, tmp_path, data)
        # every stored span still matches its document
        for a in ws.store.all(statuses=("accepted", "suggested")):
            d = ws.corpus.get(a.doc_id)
            assert d is not None and d.text[a.start:a.end] == a.text

    inner()


# --- "dir" and "binary" formats get a temporary path, moved into place atomically ----------

class _DirFormat:
    name = "fakedir"
    description = "test"
    extension = ""
    kind = "dir"
    can_import = False

    def __init__(self, fail=False):
        self.fail = fail
        self.seen = None

    def write(self, items, out, ctx=None):
        self.seen = Path(out)
        assert self.seen.is_dir() and not any(self.seen.iterdir())
        n = 0
        for doc, anns in items:
            (self.seen / f"{doc.id.replace('/', '_')}.txt").write_text(doc.text, encoding="utf-8")
            n += len(anns)
            if self.fail:
                raise OSError(5, "Input/output error")
        return n


class _BinFormat(_DirFormat):
    name = "fakebin"
    extension = ".bin"
    kind = "binary"

    def write(self, items, out, ctx=None):
        self.seen = Path(out)
        assert not self.seen.exists()
        n = sum(len(a) for _d, a in items)
        self.seen.write_bytes(b"\x00" * n)
        return n


def _as_format(obj):
    from reader.formats.base import Format

    class F(Format):
        name, description, extension, kind, can_import = obj.name, obj.description, obj.extension, obj.kind, False

        def write(self, items, out, ctx=None):
            return obj.write(items, out)

    return F()


def test_dir_format_export_is_swapped_into_place(ws, tmp_path):
    add(ws, "a", "$900,000", "salary")
    out = tmp_path / "export_dir"
    fake = _DirFormat()
    res = export_corpus(_as_format(fake), ws.corpus, ws.store, out)
    assert res.spans == 1 and sorted(p.name for p in out.iterdir()) == [".reader-export.json", "a.txt", "c.txt", "sub_b.txt"]
    assert fake.seen.parent == tmp_path and fake.seen != out  # a temporary folder beside the target
    with pytest.raises(FormatError, match="already exists"):
        export_corpus(_as_format(_DirFormat()), ws.corpus, ws.store, out)
    (out / "a.txt").write_text("changed by the user: still an export's file")
    export_corpus(_as_format(_DirFormat()), ws.corpus, ws.store, out, force=True)
    assert (out / "a.txt").read_bytes() != b"changed"
    # a file the export did not write: --force refuses and keeps it (issue #13, item 7)
    (out / "stale.txt").write_text("old")
    with pytest.raises(FormatError, match="would be lost"):
        export_corpus(_as_format(_DirFormat()), ws.corpus, ws.store, out, force=True)
    assert (out / "stale.txt").read_text() == "old"
    (out / "stale.txt").unlink()
    # a failing write leaves the previous export whole and no temporary folders
    previous = (out / "a.txt").read_bytes()
    with pytest.raises(FormatError, match="Input/output error"):
        export_corpus(_as_format(_DirFormat(fail=True)), ws.corpus, ws.store, out, force=True)
    assert (out / "a.txt").read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # a folder format cannot go to standard output
    with pytest.raises(FormatError, match="--out"):
        export_corpus(_as_format(_DirFormat()), ws.corpus, ws.store, io.StringIO())


def test_binary_format_export(ws, tmp_path):
    add(ws, "a", "$900,000", "salary")
    add(ws, "a", "Netflix", "claim")
    out = tmp_path / "x.bin"
    fake = _BinFormat()
    res = export_corpus(_as_format(fake), ws.corpus, ws.store, out)
    assert res.spans == 2 and out.read_bytes() == b"\x00\x00"
    assert fake.seen != out and not fake.seen.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_import_progress(ws, tmp_path):
    lines = [{"id": f"p{k}", "text": f"text {k}"} for k in range(2500)]
    p = write(tmp_path, "many.jsonl", jl(*lines))
    seen = []
    rep = import_file("jsonl", p, ws.corpus, ws.store, progress=lambda r: seen.append(r.records))
    assert seen == [1000, 2000, 2500] and rep.new_documents == 2500


def test_export_keeps_no_state_on_the_shared_format_instances(ws, tmp_path):
    """Per-export state (links, notes) goes in and out of write(), never onto the registry's instances."""
    from reader.formats import FORMATS

    before = {name: dict(vars(f)) for name, f in FORMATS.items()}
    for name in ("jsonl", "parallel", "brat"):
        out = tmp_path / f"out-{name}"
        export_corpus(name, ws.corpus, ws.store, out)
    assert {name: dict(vars(f)) for name, f in FORMATS.items()} == before


def _title_reference(text, limit=80):
    """The title as the importer made it before it read a long line a little at a time."""
    for line in text.split("\n"):
        line = " ".join(line.split())
        if len(line) >= 2:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bc", " ", "  \t", "\n", "\u00a0", "é", "😀", "x" * 90, " " * 300, "\u2028"]),
                max_size=40).map("".join), st.sampled_from([1, 2, 5, 80]))
def test_a_title_is_the_first_line_collapsed_however_long_the_line(text, limit):
    from reader.formats.importer import _title_of

    assert _title_of(text, limit) == _title_reference(text, limit)
