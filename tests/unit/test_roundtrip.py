"""Round trips: store -> export -> import into an empty store -> export is identical.

Example tests on the seeds, and hypothesis property tests over hard Unicode
(ZWJ emoji, flags, skin tones, combining marks, Arabic with vowel marks,
CJK, CRLF in the source file) with random valid spans.
"""
from __future__ import annotations

import io
import os
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.formats.doccano import DoccanoFormat
from reader.formats.pipeline import export_corpus, import_file
from reader.text import snap_span
from reader.workspace import Workspace

from conftest import copy_seeds

ROUND_TRIP = ["jsonl", "doccano", "prodigy"]
LABELS = ["salary", "quote", "claim", "opinion"]


def key(a):
    return (a.doc_id, a.start, a.end, a.label, a.text, a.note, a.annotator, a.status, a.id, a.created, a.updated)


def annotations(store, statuses=("accepted", "suggested")):
    return sorted(key(a) for a in store.all(statuses=statuses))


def export_text(fmt, ws, **kw) -> str:
    buf = io.StringIO()
    export_corpus(fmt, ws.corpus, ws.store, buf, **kw)
    return buf.getvalue()


@pytest.fixture
def seeds(tmp_path):
    return copy_seeds(tmp_path)


def annotate_seeds(ws):
    for doc in ws.corpus:
        text = doc.text
        for k, label in enumerate(LABELS):
            s = (len(text) // 5) * (k + 1)
            s, e = snap_span(text, s, s + 17 + k)
            ws.store.add(doc.id, s, e, label, note=f"note {k} “é” [b]x[/b]" if k % 2 else "")
        s, e = snap_span(text, 10, 40)
        ws.store.add(doc.id, s, e, "quote", status="suggested")


@pytest.mark.parametrize("fmt", ROUND_TRIP)
def test_seeds_round_trip_same_corpus(fmt, seeds, tmp_path):
    with Workspace.open(seeds, tmp_path / "s1", detect=False) as ws:
        annotate_seeds(ws)
        first = export_text(fmt, ws, include_suggested=True)
        want = annotations(ws.store)
    path = tmp_path / f"export.{fmt}"
    path.write_text(first, encoding="utf-8")
    with Workspace.open(seeds, tmp_path / "s2", detect=False) as ws:
        rep = import_file(fmt, path, ws.corpus, ws.store)
        assert rep.problems == [] and rep.new_documents == 0 and rep.imported == len(want)
        assert annotations(ws.store) == want
        assert export_text(fmt, ws, include_suggested=True) == first


@pytest.mark.parametrize("fmt", ROUND_TRIP)
def test_seeds_round_trip_without_the_corpus(fmt, seeds, tmp_path):
    """Importing on a machine without the text files keeps every annotation and its document."""
    with Workspace.open(seeds, tmp_path / "s1", detect=False) as ws:
        annotate_seeds(ws)
        first = [json.loads(x) for x in export_text(fmt, ws).splitlines()]
        want = annotations(ws.store, ("accepted",))
    path = tmp_path / f"export.{fmt}"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in first), encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    with Workspace.open(empty, tmp_path / "s2", detect=False) as ws:
        rep = import_file(fmt, path, ws.corpus, ws.store)
        assert rep.problems == [] and rep.new_documents == 5
        assert [k[1:] for k in annotations(ws.store)] == [k[1:] for k in want]
        assert sorted({k[0] for k in annotations(ws.store)}) == sorted({k[0] for k in want})
        again = [json.loads(x) for x in export_text(fmt, ws).splitlines()]
    spans_key = {"jsonl": "spans", "doccano": "span_info", "prodigy": "spans"}[fmt]
    assert sorted(json.dumps(r[spans_key]) for r in again) == sorted(json.dumps(r[spans_key]) for r in first)
    assert sorted(r["text"] for r in again) == sorted(r["text"] for r in first)


# --- property tests --------------------------------------------------------------------

PIECES = [
    "👨‍👩‍👧‍👦", "👍🏽", "🇮🇹", "🇫🇷", "❤️", "e\u0301", "n\u0303", "a\u0308\u0304",
    "مُحَمَّد", "الرَّاتِب", "\u200f", "\u200e", "漢字", "ｶﾀｶﾅ", "한국어", "\t", "\r\n", "\n", "\r",
    " ", "$300,000", "«", "»", "“", "”", "z", "ß", "İ", "\u2028", "\x0c", "\x85",
]

# any character a text file can hold (NUL makes it a binary file; lone surrogates are not UTF-8)
chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
texts = st.lists(st.sampled_from(PIECES) | st.text(chars, min_size=1, max_size=3), min_size=1, max_size=25).map("".join)


@st.composite
def documents_with_spans(draw):
    raw = draw(texts)
    from reader.text import normalise_newlines

    text = normalise_newlines(raw)
    spans = []
    if text:
        n = draw(st.integers(0, 6))
        for _ in range(n):
            a = draw(st.integers(0, len(text)))
            b = draw(st.integers(0, len(text)))
            s, e = snap_span(text, min(a, b), max(a, b))
            if s == e:
                continue
            spans.append((s, e, draw(st.sampled_from(LABELS)), draw(st.text(max_size=12)),
                          draw(st.sampled_from(["alice", "bob", "zoë", "محمد"])),
                          draw(st.sampled_from(["accepted", "accepted", "suggested"]))))
    return raw, spans


def _store_spans(ws, doc_id, spans):
    from reader.errors import DuplicateAnnotationError

    text = ws.corpus.get(doc_id).text
    for s, e, label, note, annotator, status in spans:
        # spans were drawn on the raw text; the corpus may have dropped a BOM
        s, e = snap_span(text, min(s, len(text)), min(e, len(text)))
        if s == e:
            continue
        try:
            a = ws.store.add(doc_id, s, e, label, note=note, annotator=annotator, status=status)
        except DuplicateAnnotationError:
            continue
        assert text[a.start:a.end] == a.text


@pytest.mark.parametrize("fmt", ROUND_TRIP + ["doccano-utf16"])
def test_property_round_trip(fmt):
    fmt_obj = DoccanoFormat(offsets="utf16") if fmt == "doccano-utf16" else fmt

    @settings(max_examples=int(os.environ.get('ROUNDTRIP_EXAMPLES', 25)), deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(documents_with_spans(), min_size=1, max_size=3))
    def inner(docs):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            corpus = tmp / "corpus"
            corpus.mkdir()
            for k, (raw, _spans) in enumerate(docs):
                (corpus / f"d{k}.txt").write_bytes(raw.encode("utf-8", "surrogatepass"))
            with Workspace.open(corpus, tmp / "s1", detect=False) as ws:
                for k, (_raw, spans) in enumerate(docs):
                    assert "\r" not in ws.corpus.get(f"d{k}").text
                    _store_spans(ws, f"d{k}", spans)
                want = annotations(ws.store)
                out = tmp / "export.jsonl"
                export_corpus(fmt_obj, ws.corpus, ws.store, out, include_suggested=True)
                first = out.read_text(encoding="utf-8")
            # every exported span satisfies text[start:end] == span text
            for line in first.splitlines():
                rec = json.loads(line)
                for s in rec.get("spans", []):
                    assert rec["text"][s["start"]:s["end"]] == s["text"]
            # into an empty store with the same corpus
            with Workspace.open(corpus, tmp / "s2", detect=False) as ws:
                rep = import_file(fmt_obj, out, ws.corpus, ws.store)
                assert rep.problems == [], rep.problems
                assert annotations(ws.store) == want
                out2 = tmp / "export2.jsonl"
                export_corpus(fmt_obj, ws.corpus, ws.store, out2, include_suggested=True)
                assert out2.read_text(encoding="utf-8") == first
            # into an empty store with no corpus at all: same spans on imported documents
            empty = tmp / "empty"
            empty.mkdir()
            with Workspace.open(empty, tmp / "s3", detect=False) as ws:
                rep = import_file(fmt_obj, out, ws.corpus, ws.store)
                assert rep.problems == [], rep.problems
                got = annotations(ws.store)
                assert [k[1:] for k in got] == [k[1:] for k in want] or sorted(k[1:] for k in got) == sorted(k[1:] for k in want)
                for a in ws.store.all(statuses=("accepted", "suggested")):
                    assert ws.corpus.get(a.doc_id).text[a.start:a.end] == a.text

    inner()


def test_property_crlf_records_from_other_tools():
    """A doccano record with CRLF text and offsets on that raw text (UTF-16 units, as doccano counts) lands on the same characters."""

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts, st.data())
    def inner(raw, data):
        if not raw:
            return
        # spans on the raw text whose edges do not split a CRLF pair
        a = data.draw(st.integers(0, len(raw)))
        b = data.draw(st.integers(0, len(raw)))
        s, e = min(a, b), max(a, b)
        if s == e or (0 < s < len(raw) and raw[s - 1:s + 1] == "\r\n") or (0 < e < len(raw) and raw[e - 1:e + 1] == "\r\n"):
            return
        from reader.text import normalise_newlines

        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "c").mkdir()
            p = tmp / "in.jsonl"
            s16, e16 = (len(raw[:x].encode("utf-16-le")) // 2 for x in (s, e))
            p.write_text(json.dumps({"text": raw, "label": [[s16, e16, "claim"]]}) + "\n", encoding="utf-8")
            with Workspace.open(tmp / "c", tmp / "s", detect=False) as ws:
                rep = import_file("doccano", p, ws.corpus, ws.store)
                assert rep.problems == [] and rep.imported == 1
                (ann,) = ws.store.all()
                doc = ws.corpus.get(ann.doc_id)
                assert doc.text == normalise_newlines(raw)
                assert ann.text == normalise_newlines(raw[s:e]) == doc.text[ann.start:ann.end]

    inner()
