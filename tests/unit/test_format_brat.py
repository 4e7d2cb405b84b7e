"""brat standoff folder: discontinuous spans across newlines, AnnotatorNotes, escaped types, import checks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import FormatError
from reader.formats import ImportItem, ImportProblem, get_format
from reader.formats.brat import MANIFEST, escape_type, fragments, safe_stem, unescape_type
from reader.formats.pipeline import export_corpus, import_file
from reader.model import Annotation, Document
from reader.text import sha256_bytes

BRAT = get_format("brat")

PIECES = [
    "👨‍👩‍👧‍👦", "🇮🇹", "👍🏽", "e\u0301", "مَرْحَبًا", "漢字", "𠮷", "\n", "\n\n", " ", "\u00a0", "\t",
    "salary", "$300,000", "«quote»", "l’uso", "\u2028", "\x0b", "\x85", "a", "%", ";", "T1",
]


def doc_of(text: str, doc_id: str = "d1", **kw) -> Document:
    return Document(id=doc_id, text=text, sha256=sha256_bytes(text.encode()), title=kw.pop("title", "Title"), lang=kw.pop("lang", "it"), **kw)


def ann(doc: Document, start: int, end: int, label: str = "salary", note: str = "", annotator: str = "alice", status: str = "accepted", aid: str | None = None) -> Annotation:
    return Annotation(id=aid or f"{doc.id}-{start}-{end}-{label}", doc_id=doc.id, start=start, end=end, label=label,
                      text=doc.text[start:end], note=note, annotator=annotator, status=status)


def export(tmp_path: Path, pairs, name: str = "out") -> Path:
    out = tmp_path / name
    n = BRAT.write(pairs, out)
    assert n == sum(len(a) for _, a in pairs)
    return out


def read(path: Path):
    out = list(BRAT.read(path))
    return [x for x in out if isinstance(x, ImportItem)], [x for x in out if isinstance(x, ImportProblem)]


def keys(spans):
    return sorted((s.start, s.end, s.label, s.note, s.annotator, s.status) for s in spans)


def keys_of(anns):
    return sorted((a.start, a.end, a.label, a.note, a.annotator, a.status) for a in anns)


# --- helpers -----------------------------------------------------------------------

@given(st.text())
def test_type_escaping_is_reversible_and_has_no_spaces(label):
    escaped = escape_type(label)
    assert not any(ch.isspace() for ch in escaped)
    assert unescape_type(escaped) == label


def test_safe_stems_are_flat_unique_and_portable():
    taken: set[str] = set()
    assert safe_stem("news/2023/it", taken) == "news__2023__it"
    assert safe_stem("../../etc/passwd", taken) == "etc__passwd"
    assert safe_stem("News/2023/IT", taken) == "News__2023__IT-2"  # case-insensitive clash
    assert safe_stem("annotation", taken) == "annotation-2"  # never annotation.conf's stem
    assert safe_stem("///", taken) == "doc"
    assert all("/" not in s for s in taken)


def test_fragments_split_at_newlines_never_empty():
    text = "ab\ncd\n\nef"
    assert fragments(text, 0, 2) == [(0, 2)]
    assert fragments(text, 0, 5) == [(0, 2), (3, 5)]
    assert fragments(text, 0, len(text)) == [(0, 2), (3, 5), (7, 9)]
    # brat refuses empty fragments: a span starting on the newline starts at the next line in the .ann
    # (the manifest gives the exact start back); a span of line breaks only has no fragment
    assert fragments(text, 2, 5) == [(3, 5)]
    assert fragments(text, 5, 7) == []


# --- export shape ------------------------------------------------------------------

def test_export_writes_txt_ann_conf_and_manifest(tmp_path):
    text = "Titolo 🇮🇹\nIl salario: dai 300mila ai 900mila dollari.\n«Una citazione\nsu due righe»."
    d = doc_of(text, doc_id="news/it/001", date="2023-07")
    s = text.index("dai 300mila")
    q0, q1 = text.index("«"), text.index("»") + 1
    anns = [
        ann(d, s, text.index(" dollari") + 8, "salary", note="lordo\nannuo", annotator="maria rossi"),
        ann(d, q0, q1, "pay range", status="suggested", annotator="reader"),
    ]
    out = export(tmp_path, [(d, anns)])
    assert sorted(p.name for p in out.iterdir()) == ["annotation.conf", "news__it__001.ann", "news__it__001.txt", MANIFEST]
    assert (out / "news__it__001.txt").read_bytes() == text.encode("utf-8")
    lines = (out / "news__it__001.ann").read_text(encoding="utf-8").splitlines()
    q_nl = text.index("\n", q0)
    assert lines == [
        f"T1\tsalary {s} {s + len('dai 300mila ai 900mila dollari')}\tdai 300mila ai 900mila dollari",
        "#1\tAnnotatorNotes T1\tlordo\\nannuo",
        "A1\tAnnotator T1 maria%20rossi",
        "A2\tCurrency T1 USD",  # the salary's normalised value, as brat attributes
        f"T2\tpay%20range {q0} {q_nl};{q_nl + 1} {q1}\t«Una citazione su due righe»",
        "A3\tAnnotator T2 reader",
        "A4\tSuggested T2",
    ]
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\npay%20range\nsalary\n" in conf
    assert "Annotator\tArg:<ENTITY>, Value:maria%20rossi|reader" in conf
    assert "Currency\tArg:<ENTITY>, Value:USD" in conf and "Period" not in conf
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    entry = manifest["documents"]["news__it__001"]
    assert entry["doc_id"] == "news/it/001" and entry["sha256"] == d.sha256 and entry["date"] == "2023-07"
    assert entry["spans"]["T2"]["id"] == anns[1].id


def test_every_fragment_is_newline_free_and_its_text_matches(tmp_path):
    text = "\nx\n\ny z\n"
    d = doc_of(text)
    out = export(tmp_path, [(d, [ann(d, 0, len(text)), ann(d, 1, 4, "quote")])])
    txt = (out / "d1.txt").read_text(encoding="utf-8")
    for line in (out / "d1.ann").read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            _tid, type_offsets, field = line.split("\t")
            frags = [tuple(map(int, f.split())) for f in type_offsets.split(" ", 1)[1].split(";")]
            assert all("\n" not in txt[s:e] for s, e in frags)
            assert field == " ".join(txt[s:e] for s, e in frags)


# --- round trip ----------------------------------------------------------------------

def test_round_trip_folder(tmp_path):
    text = "🇫🇷 Il a dit «300 000 €\n👍🏽 par an».\nمَرْحَبًا 𠮷 $5\n"
    d1 = doc_of(text, doc_id="fr/a b")
    d2 = doc_of("second\tdoc", doc_id="fr/a_b")  # same flat name after sanitising
    anns = [
        ann(d1, 3, text.index("»") + 1, "quote", note="two\nlines\\n and a backslash", annotator="ann e"),
        ann(d1, text.index("300"), text.index("par"), "salary", annotator="bob"),
        ann(d1, text.index("300"), text.index("par"), "claim", annotator="bob", status="suggested"),
        ann(d1, text.index("$5"), len(text), "pay range%", annotator=""),
    ]
    a2 = [ann(d2, 0, 10, "opinion")]
    out = export(tmp_path, [(d1, anns), (d2, a2)])
    items, problems = read(out)
    assert problems == []
    by_id = {i.doc_id: i for i in items}
    assert set(by_id) == {"fr/a b", "fr/a_b"}
    item = by_id["fr/a b"]
    assert item.text == text and item.sha256 == d1.sha256 and item.title == "Title" and item.lang == "it"
    assert keys(item.spans) == [(s, e, l, n, a or None, st) for s, e, l, n, a, st in keys_of(anns)]
    assert sorted(s.id for s in item.spans) == sorted(a.id for a in anns)
    assert keys(by_id["fr/a_b"].spans) == keys_of(a2)


@st.composite
def documents_with_spans(draw):
    text = "".join(draw(st.lists(st.sampled_from(PIECES) | st.text(min_size=1, max_size=4), min_size=1, max_size=25)))
    # the canonical text never holds a carriage return
    text = text.replace("\r", "")
    if not text:
        text = "x"
    d = doc_of(text, doc_id=draw(st.sampled_from(["d1", "a/b/c", "ümlaut doc", "..", "x\\y"])))
    anns = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        anns.append(ann(
            d, start, end,
            label=draw(st.sampled_from(["salary", "quote", "pay range", "a%20b", "x|y", "ラベル"])),
            note=draw(st.text(max_size=12)),
            annotator=draw(st.sampled_from(["alice", "bob smith", "ゆき"])),
            status=draw(st.sampled_from(["accepted", "suggested"])),
            aid=f"id{i}",
        ))
    return d, anns


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents_with_spans())
def test_hypothesis_round_trip_random_unicode(tmp_path_factory, case):
    d, anns = case
    out = export(tmp_path_factory.mktemp("brat"), [(d, anns)])
    items, problems = read(out)
    assert problems == []
    (item,) = items
    assert item.text == d.text and item.doc_id == d.id
    assert keys(item.spans) == keys_of(anns)
    for s in item.spans:
        assert d.text[s.start:s.end] == s.text


# --- import of foreign brat ---------------------------------------------------------

def write_pair(folder: Path, stem: str, text: str | bytes, ann_lines: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.txt").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    (folder / f"{stem}.ann").write_text("".join(line + "\n" for line in ann_lines), encoding="utf-8")


def test_import_foreign_brat_with_problems_reported_by_file_and_line(tmp_path):
    text = "Alpha beta\ngamma delta\n"
    write_pair(tmp_path / "col" / "sub", "doc", text, [
        "T1\tPerson 0 5\tAlpha",
        "T2\tPerson 6 10;11 16\tbeta gamma",          # crosses the newline: rebuilt
        "T3\tPerson 0 5;11 16\tAlpha gamma",         # skips real text: reported
        "T4\tPerson 0 5\tWrong",                     # text mismatch
        "T5\tPerson 0 99\tAlpha",                    # out of range
        "T6\tPerson x y\tAlpha",                     # bad offsets
        "R1\tRel Arg1:T1 Arg2:T2",
        "#1\tAnnotatorNotes T1\tC:\\new folder",     # foreign notes are read literally
        "#2\tAnnotatorNotes T9\tdangling",
        "A1\tNegated T2",
        "garbage",
    ])
    items, problems = read(tmp_path / "col")
    (item,) = items
    assert item.doc_id == "sub/doc"
    assert item.sha256 == sha256_bytes(text.encode())
    assert [(s.start, s.end, s.label, s.note) for s in item.spans] == [(0, 5, "Person", "C:\\new folder"), (6, 16, "Person", "")]
    assert all(p.source == "sub/doc.ann" for p in problems)
    got = {p.line: p.reason for p in problems}
    assert "skips text other than line breaks" in got[3]
    assert "does not match" in got[4] and "'Wrong'" in got[4]
    assert "outside doc.txt" in got[5]
    assert "bad offsets" in got[6]
    assert "relation 'R1' skipped" in got[7]
    assert "note on T9" in got[9]
    assert "attribute 'Negated'" in got[10]
    assert "unknown annotation line" in got[11]
    assert str(problems[0]).startswith("sub/doc.ann, line 3:")


def test_import_single_ann_file_and_crlf_text(tmp_path):
    raw = "one\r\ntwo three\r\n"
    write_pair(tmp_path, "x", raw.encode("utf-8"), ["T1\tquote 5 14\ttwo three", "T2\tquote 0 3;5 8\tone two"])
    items, problems = read(tmp_path / "x.ann")
    assert not problems
    (item,) = items
    # brat counts the CR; the raw text goes to the pipeline, which normalises offsets
    assert item.text == raw
    assert [(s.start, s.end, s.text) for s in item.spans] == [(5, 14, "two three"), (0, 8, "one\r\ntwo")]


def test_import_missing_txt_and_empty_folder(tmp_path):
    (tmp_path / "lonely.ann").write_text("T1\tx 0 1\ta\n", encoding="utf-8")
    items, problems = read(tmp_path)
    assert items == [] and "no lonely.txt beside it" in problems[0].reason
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match="no .ann files"):
        list(BRAT.read(tmp_path / "empty"))


def test_bad_txt_is_reported(tmp_path):
    write_pair(tmp_path, "bad", b"caf\xe9", ["T1\tx 0 1\tc"])
    items, problems = read(tmp_path)
    assert items == [] and "not valid UTF-8" in problems[0].reason


def test_manifest_ids_only_apply_to_unchanged_spans(tmp_path):
    d = doc_of("alpha beta gamma")
    out = export(tmp_path, [(d, [ann(d, 0, 5, aid="keep"), ann(d, 6, 10, aid="moved")])])
    ann_path = out / "d1.ann"
    ann_path.write_text(ann_path.read_text(encoding="utf-8").replace("T2\tsalary 6 10\tbeta", "T2\tsalary 11 16\tgamma"), encoding="utf-8")
    items, problems = read(out)
    assert not problems
    assert sorted((s.start, s.id) for s in items[0].spans) == [(0, "keep"), (11, None)]


# --- end to end with the real store -------------------------------------------------------

LABELS_TOML = """
[salary]
key = "1"
color = "green"

[quote]
key = "2"
color = "blue"

["pay range"]
key = "3"
color = "red"
"""


def test_export_and_import_through_the_pipeline_with_a_real_store(tmp_path):
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore

    corpus_dir = tmp_path / "corpus"
    (corpus_dir / "news").mkdir(parents=True)
    text = "Il salario 🙂 è «alto\ne giusto».\r\nFine 👨‍👩‍👧.\n"
    (corpus_dir / "news" / "it.txt").write_bytes(text.encode("utf-8"))
    store_a = tmp_path / "store_a"
    store_a.mkdir()
    (store_a / "labels.toml").write_text(LABELS_TOML, encoding="utf-8")
    corpus = load_corpus(corpus_dir, detect=False)
    doc = corpus.get("news/it")
    canon = doc.text
    q0, q1 = canon.index("«"), canon.index("»") + 1
    with AnnotationStore(store_a, corpus=corpus) as store:
        store.add("news/it", q0, q1, "quote", note="a quote\nover two lines", annotator="maria")
        store.add("news/it", canon.index("salario"), canon.index("salario") + 7, "pay range", annotator="luca")
        result = export_corpus("brat", corpus, store, tmp_path / "brat_out")
        assert result.spans == 2 and result.documents == 1
        before = sorted((a.start, a.end, a.label, a.note, a.annotator, a.text) for a in store.all())
    out = tmp_path / "brat_out"
    assert (out / "news__it.txt").read_text(encoding="utf-8") == canon
    with pytest.raises(FormatError, match="already exists"):
        with AnnotationStore(store_a, corpus=corpus) as store:
            export_corpus("brat", corpus, store, out)

    store_b = tmp_path / "store_b"
    store_b.mkdir()
    (store_b / "labels.toml").write_text(LABELS_TOML, encoding="utf-8")
    with AnnotationStore(store_b, corpus=corpus) as store:
        report = import_file("brat", out, corpus, store)
        assert report.problems == [] and report.imported == 2 and report.matched_documents == 1
        after = sorted((a.start, a.end, a.label, a.note, a.annotator, a.text) for a in store.all())
        assert after == before
        again = import_file("brat", out / "news__it.ann", corpus, store)  # a single .ann file
        assert again.imported == 0 and again.duplicates == 2


def test_foreign_brat_with_crlf_text_matches_the_corpus_document(tmp_path):
    """brat counts the CR of CRLF; the pipeline maps its offsets onto our canonical (LF) text."""
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore

    raw = "Titolo\r\nIl salario è di 300mila dollari.\r\n«Una\r\ncitazione»\r\n"
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "it.txt").write_bytes(raw.encode("utf-8"))
    brat_dir = tmp_path / "brat"
    s = raw.index("300mila dollari")
    q0, q1 = raw.index("«"), raw.index("»") + 1
    nl = raw.index("\r\n", q0)
    write_pair(brat_dir, "renamed", raw, [
        f"T1\tsalary {s} {s + 15}\t300mila dollari",
        f"T2\tquote {q0} {nl};{nl + 2} {q1}\t«Una citazione»",
        "#1\tAnnotatorNotes T2\tacross a CRLF",
    ])
    corpus = load_corpus(corpus_dir, detect=False)
    canon = corpus.get("it").text
    with AnnotationStore(tmp_path / "store", corpus=corpus) as store:
        report = import_file("brat", brat_dir, corpus, store)
        assert report.problems == [] and report.imported == 2
        assert report.matched_documents == 1 and report.new_documents == 0  # matched by content hash
        got = sorted((a.doc_id, a.start, a.end, a.label, a.text, a.note) for a in store.all())
    assert got == sorted([
        ("it", canon.index("300mila"), canon.index("300mila") + 15, "salary", "300mila dollari", ""),
        ("it", canon.index("«"), canon.index("»") + 1, "quote", "«Una\ncitazione»", "across a CRLF"),
    ])


# --- the .txt read a piece at a time (issue 19: its bytes never held beside its text) ----------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.booleans(), st.integers(1, 9), st.sampled_from([b"", b"\xe9", b"\xf0\x9f", b"\xff"]),
       st.integers(0, 30))
def test_the_txt_read_in_pieces_is_what_decoding_it_whole_gives(tmp_path, monkeypatch, parts, bom, piece, bad, at):
    import reader.formats.brat as brat

    monkeypatch.setattr(brat, "TXT_PIECE", piece)  # pieces cut through characters, the BOM and bad bytes
    body = "".join(parts).encode("utf-8")
    at = min(at, len(body))
    body = body[:at] + bad + body[at:] if bad else body
    raw = (b"\xef\xbb\xbf" if bom else b"") + body
    path = tmp_path / f"t{piece}.txt"
    path.write_bytes(raw)
    try:
        expected = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        with pytest.raises(brat._NotUtf8) as got:
            brat._read_txt(path)
        assert got.value.start == exc.start  # the byte the message names, counted after the BOM
        return
    assert brat._read_txt(path) == (expected, int(bom), sha256_bytes(raw))


def test_a_bad_byte_past_the_first_piece_is_named_at_its_place_in_the_file(tmp_path):
    text = "ü" * 700_000  # 1.4 MB: the bad byte is in a later piece
    write_pair(tmp_path, "bad", b"\xef\xbb\xbf" + text.encode("utf-8") + b"\xff!", ["T1\tx 1 2\t\u00fc"])
    items, problems = read(tmp_path)
    assert items == [] and [p.reason for p in problems] == ["bad.txt is not valid UTF-8 (byte 1400000); document skipped"]


def test_a_txt_with_a_bom_keeps_offsets_that_count_it(tmp_path):
    text = "😀 salary\nnext"
    write_pair(tmp_path, "b", b"\xef\xbb\xbf" + text.encode("utf-8"), ["T1\tx 3 9\tsalary", "T2\tx 0 2\t\ufeff😀", "T3\tx 3 9;10 14\tsalary next"])
    items, problems = read(tmp_path)
    assert [p.reason for p in problems] == []
    (item,) = items
    assert item.text == text and item.sha256 == sha256_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert sorted((s.start, s.end, s.text) for s in item.spans) == [(0, 1, "😀"), (2, 8, "salary"), (2, 13, "salary\nnext")]


def test_the_txt_is_read_once_front_to_back_so_a_pipe_will_do(tmp_path):
    import os
    import threading

    import reader.formats.brat as brat

    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    raw = b"\xef\xbb\xbf" + ("word " * 100_000 + "😀").encode("utf-8") + b"\xff"
    writer = threading.Thread(target=fifo.write_bytes, args=(raw,))
    writer.start()
    try:
        with pytest.raises(brat._NotUtf8) as got:
            brat._read_txt(fifo)
    finally:
        writer.join(timeout=60)
    assert got.value.start == len(raw) - 4  # counted after the BOM, as a decode of the whole file says
