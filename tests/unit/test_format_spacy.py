"""spaCy DocBin: checked by spaCy itself (the real consumer), alignment report, lossless round trip."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import FormatError
from reader.formats import ImportItem, ImportProblem, get_format
from reader.formats.base import ExportContext
from reader.formats.spacy import write_docbin
from reader.model import Annotation, Document
from reader.text import sha256_bytes

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402

SPACY = get_format("spacy")

PIECES = [
    "👨‍👩‍👧‍👦", "🇮🇹", "👍🏽", "e\u0301", "مَرْحَبًا", "السَّلَامُ", "漢字", "𠮷", "\n", "\n\n", " ", "  ", "\u00a0",
    "\t", "salary", "$300,000", "«quote»", "l’uso", "we’ll", "🙂", "a", "-", ",", ".", "don't", "\u200d",
]


def doc_of(text: str, doc_id: str = "d1", **kw) -> Document:
    return Document(id=doc_id, text=text, sha256=sha256_bytes(text.encode()), title=kw.pop("title", "Title"), lang=kw.pop("lang", "en"), **kw)


def ann(doc: Document, start: int, end: int, label: str = "salary", note: str = "", annotator: str = "alice", status: str = "accepted", aid: str | None = None) -> Annotation:
    return Annotation(id=aid or f"{doc.id}-{start}-{end}-{label}", doc_id=doc.id, start=start, end=end, label=label,
                      text=doc.text[start:end], note=note, annotator=annotator, status=status)


def find(doc: Document, needle: str, label: str = "salary", **kw) -> Annotation:
    s = doc.text.index(needle)
    return ann(doc, s, s + len(needle), label, **kw)


def load_with_spacy(path: Path):
    nlp = spacy.blank("xx")
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def read(path: Path):
    out = list(SPACY.read(path))
    return [x for x in out if isinstance(x, ImportItem)], [x for x in out if isinstance(x, ImportProblem)]


def keys(spans):
    return sorted((s.start, s.end, s.label, s.note, s.annotator, s.status, s.id) for s in spans)


def keys_of(anns):
    return sorted((a.start, a.end, a.label, a.note, a.annotator, a.status, a.id) for a in anns)


def test_docbin_loads_with_spacy_and_every_span_text_matches(tmp_path):
    text = "👨‍👩‍👧 Il guadagna dai 300mila ai 900mila dollari.\n«Citazione» di l’uso, مَرْحَبًا بكم."
    d = doc_of(text, lang="it")
    anns = [
        find(d, "300mila ai 900mila dollari"),
        find(d, "«Citazione»", "quote", note="a note"),
        find(d, "Citazione", "claim"),  # nested in the quote: spans only, not ents
        find(d, "مَرْحَبًا", "opinion"),
    ]
    path = tmp_path / "out.spacy"
    ctx = ExportContext()
    assert SPACY.write([(d, anns)], path, ctx) == 4
    assert ctx.notes == [] and write_docbin([(d, anns)], path).misaligned == []
    (loaded,) = load_with_spacy(path)
    assert loaded.text == text
    got = sorted((sp.start_char, sp.end_char, sp.label_, sp.text) for sp in loaded.spans["sc"])
    assert got == sorted((a.start, a.end, a.label, a.text) for a in anns)
    for sp in loaded.spans["sc"]:
        assert sp.text == text[sp.start_char:sp.end_char]
    ents = sorted((e.start_char, e.end_char, e.label_) for e in loaded.ents)
    assert ents == sorted((a.start, a.end, a.label) for a in (anns[0], anns[3]))
    info = loaded.user_data["reader"]
    assert info["doc_id"] == "d1" and info["lang"] == "it"


def test_misaligned_spans_are_expanded_and_reported(tmp_path):
    text = "Pay:$300,000 per year, and x y."
    d = doc_of(text)
    inside = ann(d, text.index("300"), text.index("300") + 3)  # inside the token "$300,000"
    blank = ann(d, text.index("x ") + 1, text.index("x ") + 2, "claim")  # the space after a token: no token holds it
    good = find(d, "year", "quote")
    path = tmp_path / "out.spacy"
    ctx = ExportContext()
    written = SPACY.write([(d, [inside, blank, good])], path, ctx)
    report = write_docbin([(d, [inside, blank, good])], path)
    assert report.spans == 3 and report.strict == 1
    assert [(m.start, m.label) for m in report.expanded] == [(inside.start, "salary")]
    exp = report.expanded[0].placed
    assert exp[0] <= inside.start and inside.end <= exp[1]
    assert [(m.start, m.label) for m in report.unplaced] == [(blank.start, "claim")]
    assert written == 2
    notes = ctx.notes
    assert ("2 of 3 span(s) do not fit spaCy's tokens as they are: 1 placed on other offsets "
            "(1 by alignment_mode='expand', 0 with whitespace trimmed at an edge), 1 could not be placed") in notes[0]
    assert any(f"placed at {exp[0]}-{exp[1]} on the tokens it touches" in n and "(start extended by 5, end extended by 4)" in n
               for n in notes)
    assert any("' ': only whitespace on spaCy's tokens; not placed" in n for n in notes[1:])
    (loaded,) = load_with_spacy(path)
    # the expanded span is on tokens and covers the original; the strict one is exact
    by_label = {sp.label_: sp for sp in loaded.spans["sc"]}
    assert set(by_label) == {"salary", "quote"}
    assert by_label["quote"].text == "year"
    assert by_label["salary"].start_char == exp[0] and by_label["salary"].end_char == exp[1]
    # import restores the exact offsets of all three, also the unplaced one
    items, problems = read(path)
    assert not problems
    assert keys(items[0].spans) == keys_of([inside, blank, good])


def test_whitespace_at_entity_edges_is_trimmed_and_the_report_says_shortened(tmp_path):
    """spaCy's `debug data` counts an entity that starts or ends on a whitespace token as invalid
    ("invalid whitespace entity spans"): a span that ends on its line break goes in trimmed."""
    text = "The CEO earns $900,000 a year.\nWorkers say it is too much. \nEnd.\n\n  Last one\n"
    d = doc_of(text)
    line = find(d, "The CEO earns $900,000 a year.\n", "claim")  # ends on the "\n" token: strict places it
    tail = find(d, "Workers say it is too much. ", "quote")  # ends in the trailing space of "."
    lead = find(d, "\n\n  Last one", "opinion")  # starts on whitespace tokens
    only = find(d, "\n\n", "salary")  # nothing but a whitespace token
    path = tmp_path / "out.spacy"
    ctx = ExportContext()
    assert SPACY.write([(d, [line, tail, lead, only])], path, ctx) == 3
    (loaded,) = load_with_spacy(path)
    for group in (loaded.ents, loaded.spans["sc"]):
        for sp in group:
            assert not sp[0].is_space and not sp[-1].is_space, sp.text
    assert sorted((e.text, e.label_) for e in loaded.ents) == [
        ("Last one", "opinion"), ("The CEO earns $900,000 a year.", "claim"), ("Workers say it is too much.", "quote"),
    ]
    report = write_docbin([(d, [line, tail, lead, only])], tmp_path / "again.spacy")
    assert [(m.label, m.placed) for m in report.trimmed] == [
        ("claim", (line.start, line.end - 1)), ("opinion", (lead.start + 4, lead.end)),
    ]
    assert [m.label for m in report.unplaced] == ["salary"]
    notes = "\n".join(ctx.notes)
    assert f"{line.start}-{line.end} 'claim'" in notes and f"placed at {line.start}-{line.end - 1} with whitespace trimmed at its edges (end shortened by 1)" in notes
    assert f"placed at {tail.start}-{tail.end - 1} on the tokens it touches (alignment_mode='expand') (end shortened by 1)" in notes
    assert "expanded to" not in notes  # the old message called a shortened span expanded
    assert "'\\n\\n': only whitespace on spaCy's tokens; not placed" in notes
    items, problems = read(path)  # user_data keeps our exact offsets
    assert not problems and keys(items[0].spans) == keys_of([line, tail, lead, only])


def test_round_trip_keeps_ids_notes_annotators_status_and_metadata(tmp_path):
    d1 = doc_of("First 🙂 doc, salary $5.\nSecond line.", doc_id="news/a", date="2023-07", lang="fr")
    d2 = doc_of("", doc_id="empty")
    anns = [
        find(d1, "$5", note="multi\nline", annotator="maria"),
        find(d1, "$5", "claim", status="suggested", annotator="reader"),
        find(d1, "salary $5.\nSecond", "quote"),
    ]
    path = tmp_path / "out.spacy"
    SPACY.write([(d1, anns), (d2, [])], path)
    items, problems = read(path)
    assert not problems
    a, b = items
    assert (a.doc_id, a.sha256, a.title, a.lang, a.meta, a.text) == ("news/a", d1.sha256, "Title", "fr", {"date": "2023-07"}, d1.text)
    assert keys(a.spans) == keys_of(anns)
    assert b.doc_id == "empty" and b.text == "" and b.spans == []


def test_foreign_docbin_is_read_from_spans_and_ents(tmp_path):
    nlp = spacy.blank("en")
    d = nlp("Acme pays Alice 5 dollars")
    d.ents = [d.char_span(0, 4, "ORG")]
    d.spans["other"] = [d.char_span(10, 15, "PERSON"), d.char_span(0, 4, "ORG")]
    path = tmp_path / "foreign.spacy"
    db = DocBin()
    db.add(d)
    db.to_disk(path)
    items, problems = read(path)
    assert not problems
    assert items[0].doc_id is None
    assert sorted((s.start, s.end, s.label, s.text) for s in items[0].spans) == [(0, 4, "ORG", "Acme"), (10, 15, "PERSON", "Alice")]


def test_not_a_docbin_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"not a docbin at all")
    with pytest.raises(FormatError, match="not a spaCy DocBin"):
        list(SPACY.read(path))


def test_missing_spacy_gives_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy -> ImportError
    with pytest.raises(FormatError, match=r"install the spacy extra: pip install \.\[spacy\]"):
        SPACY.write([], tmp_path / "x.spacy")
    with pytest.raises(FormatError, match="pip install"):
        list(SPACY.read(tmp_path / "x.spacy"))


def test_format_module_does_not_import_spacy_at_import_time():
    import subprocess

    code = "import sys, reader.formats, reader.formats.spacy; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@st.composite
def documents_with_spans(draw):
    text = "".join(draw(st.lists(st.sampled_from(PIECES) | st.text(min_size=1, max_size=4), min_size=1, max_size=25)))
    d = doc_of(text, doc_id=draw(st.sampled_from(["d1", "a/b/c", "ümlaut doc"])))
    anns = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        anns.append(ann(
            d, start, end,
            label=draw(st.sampled_from(["salary", "quote", "pay range", "ラベル"])),
            note=draw(st.text(max_size=12)),
            annotator=draw(st.sampled_from(["alice", "bob smith", "ゆき"])),
            status=draw(st.sampled_from(["accepted", "suggested"])),
            aid=f"id{i}",
        ))
    return d, anns


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents_with_spans())
def test_hypothesis_spacy_agrees_and_round_trip_is_lossless(tmp_path_factory, case):
    d, anns = case
    path = tmp_path_factory.mktemp("spacy") / "out.spacy"
    report = write_docbin([(d, anns)], path)
    (loaded,) = load_with_spacy(path)
    assert loaded.text == d.text
    strict = {(a.start, a.end, a.label) for a in anns} - {(m.start, m.end, m.label) for m in report.misaligned}
    placed = {(sp.start_char, sp.end_char, sp.label_) for sp in loaded.spans["sc"]}
    assert strict <= placed  # every strict span is there, with exactly its characters
    for sp in loaded.spans["sc"]:
        assert sp.text == d.text[sp.start_char:sp.end_char]
    for m in report.placed:
        # "expand" covers every token the span touches (a token's trailing space is not part of it),
        # and whitespace tokens at the edges are trimmed: what is left still covers the span's core
        s, e = m.placed
        core_start = m.start + len(m.text) - len(m.text.lstrip())
        core_end = m.end - (len(m.text) - len(m.text.rstrip()))
        assert (s, e, m.label) in placed
        assert s <= core_start and core_end <= e or not m.text.strip()
    ents = list(loaded.ents)
    for sp in [*ents, *loaded.spans["sc"]]:
        assert not sp[0].is_space and not sp[-1].is_space  # spaCy's debug data: no whitespace at entity edges
    for i, e in enumerate(ents[1:], 1):
        assert ents[i - 1].end <= e.start
    items, problems = read(path)
    assert not problems
    assert keys(items[0].spans) == keys_of(anns)
    for s in items[0].spans:
        assert d.text[s.start:s.end] == s.text


# --- end to end with the real store -------------------------------------------------------

def test_export_corpus_reports_alignment_and_import_file_restores(tmp_path):
    from reader.corpus import load_corpus
    from reader.formats.pipeline import export_corpus, import_file
    from reader.store import AnnotationStore

    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    text = "Offerta: $450.000-650.000 all'anno 🙂.\n«Bene», disse.\n"
    (corpus_dir / "it.txt").write_text(text, encoding="utf-8")
    corpus = load_corpus(corpus_dir, detect=False)
    with AnnotationStore(tmp_path / "a", corpus=corpus) as store:
        s = text.index("450.000")
        store.add("it", s, s + 3, "salary", note="lower bound", annotator="maria")  # "450" is inside the token "450.000"
        store.add("it", text.index("«"), text.index("»") + 1, "quote", annotator="luca")
        result = export_corpus("spacy", corpus, store, tmp_path / "out.spacy")
        before = sorted((a.id, a.start, a.end, a.label, a.note, a.annotator) for a in store.all())
    assert result.spans == 2
    assert result.notes and "(1 by alignment_mode='expand', 0 with whitespace trimmed at an edge)" in result.notes[0]
    assert "do not fit spaCy's tokens" in result.summary()
    (loaded,) = load_with_spacy(tmp_path / "out.spacy")
    assert {sp.label_ for sp in loaded.spans["sc"]} == {"salary", "quote"}
    with AnnotationStore(tmp_path / "b", corpus=corpus) as store:
        report = import_file("spacy", tmp_path / "out.spacy", corpus, store)
        assert report.problems == [] and report.imported == 2 and report.matched_documents == 1
        after = sorted((a.id, a.start, a.end, a.label, a.note, a.annotator) for a in store.all())
    assert after == before
