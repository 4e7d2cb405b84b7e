"""Normalised values, scores and reasons travel through every format and come back."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reader.formats.pipeline import export_corpus, import_file
from reader.suggest import suggest_corpus
from reader.workspace import Workspace

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FR_DOC = "002_26ccd676af571225"
FORMATS = ["jsonl", "doccano", "prodigy", "labelstudio", "brat", "spacy"]


def fields(store):
    return sorted((a.doc_id, a.start, a.end, a.label, json.dumps(a.value, sort_keys=True), a.score, a.reason)
                  for a in store.all(statuses=("accepted", "suggested")))


@pytest.fixture
def seeds(tmp_path):
    root = tmp_path / "seeds"
    shutil.copytree(SEEDS, root)
    return root


def _annotate(ws):
    suggest_corpus(ws.corpus, ws.store, labels=["salary"])
    doc = ws.corpus.get(FR_DOC)
    start = doc.text.index("200 $ par jour")
    ws.store.add(FR_DOC, start - 4, start - 1, "claim")  # a label with no value
    hand = [a for a in ws.store.for_document(FR_DOC) if a.start == start]
    ws.store.delete(hand[0].id)
    ws.store.add(FR_DOC, start, start + len("200 $ par jour"), "salary")  # hand-made: value, no score


@pytest.mark.parametrize("fmt", FORMATS)
def test_values_round_trip(fmt, seeds, tmp_path):
    pytest.importorskip("spacy") if fmt == "spacy" else None
    with Workspace.open(seeds, tmp_path / "s1", detect=True) as ws:
        _annotate(ws)
        want = fields(ws.store)
        assert any(v != "null" and s is None for *_, v, s, _r in want)  # the hand-made one
        assert any(s is not None and r for *_, s, r in want)  # the suggestions
        out = tmp_path / ("export" if fmt == "brat" else f"export.{fmt}")
        export_corpus(fmt, ws.corpus, ws.store, out, include_suggested=True)
    with Workspace.open(seeds, tmp_path / "s2", detect=True) as ws:
        rep = import_file(fmt, out, ws.corpus, ws.store)
        assert rep.problems == []
        assert fields(ws.store) == want


def test_jsonl_spans_and_prodigy_show_the_value(seeds, tmp_path):
    with Workspace.open(seeds, tmp_path / "s1", detect=True) as ws:
        _annotate(ws)
        for fmt in ("jsonl", "spans", "prodigy"):
            export_corpus(fmt, ws.corpus, ws.store, tmp_path / f"{fmt}.jsonl", include_suggested=True)
    day = {"min": 200, "max": 200, "currency": "USD", "period": "day"}
    fr = [json.loads(x) for x in (tmp_path / "jsonl.jsonl").read_text(encoding="utf-8").splitlines()]
    (doc,) = [d for d in fr if d["id"] == FR_DOC]
    assert day in [s.get("value") for s in doc["spans"]]
    assert all("value" not in s for s in doc["spans"] if s["label"] == "claim")
    spans = [json.loads(x) for x in (tmp_path / "spans.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(s.get("value") == day and "score" not in s for s in spans)
    assert any(s.get("score") and s.get("reason") for s in spans)
    prodigy = [json.loads(x) for x in (tmp_path / "prodigy.jsonl").read_text(encoding="utf-8").splitlines()]
    (task,) = [t for t in prodigy if t["meta"]["id"] == FR_DOC]
    assert day in [a["value"] for a in task["meta"]["amounts"]]
