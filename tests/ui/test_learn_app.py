"""In the app: after a batch of accepts/rejects the pending suggestions are re-scored in a
worker (learned from the store's decisions), low-scored ones are dimmed, and t jumps go
highest score first. Real keys, then the store is checked."""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from reader.corpus import load_corpus  # noqa: E402
from reader.store import AnnotationStore  # noqa: E402
from reader.suggest import suggest_corpus  # noqa: E402
from reader.suggest.evaluation import load_marked  # noqa: E402
from reader.tui.widgets import pane as pane_module  # noqa: E402
from reader.tui.widgets.pane import DocumentPane  # noqa: E402
from reader.tui.screens.reading import ReadingScreen  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from bench.learning import MONEY, _split  # noqa: E402
from reading_harness import HostApp  # noqa: E402
from tui_helpers import run_test  # noqa: E402


def _prepare(tmp_path: Path) -> tuple[Path, Path, str]:
    """Corpus + store: decisions on the first half; the document to review has pending suggestions."""
    docs = load_marked(MONEY)
    first, second = _split(docs)
    root = tmp_path / "corpus"
    root.mkdir()
    for d in docs:
        (root / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    corpus = load_corpus(root, detect=False)
    review = max(second, key=lambda d: len(d.spans))  # a passage with several amounts
    with AnnotationStore(tmp_path / "store", corpus=corpus, annotator="tester") as store:
        for d in docs:
            corpus.set_language_override(d.id, d.lang, store)
        suggest_corpus(corpus, store, labels=["salary"], doc_ids=[d.id for d in first], min_score=0.0)
        gold = {d.id: d.of("salary") for d in docs}
        pending = store.all(statuses=("suggested",))
        store.update_many([a.id for a in pending if (a.start, a.end) in gold[a.doc_id]], status="accepted")
        store.update_many([a.id for a in pending if (a.start, a.end) not in gold[a.doc_id]], status="rejected")
        # the suggestions still to review: every candidate of the other half
        suggest_corpus(corpus, store, labels=["salary"], doc_ids=[d.id for d in second], min_score=0.0)
    return root, tmp_path / "store", review.id


async def _wait(pilot, cond, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
    await pilot.pause()


async def test_batch_of_decisions_rescores_dims_and_orders(tmp_path, monkeypatch):
    monkeypatch.setattr(pane_module, "RELEARN_BATCH", 2)
    root, store_path, doc_id = _prepare(tmp_path)
    app = HostApp(root, store_path, lambda: ReadingScreen(doc_id))
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        store = app.store
        pending = [a for a in store.all(statuses=("suggested",))]
        assert pending and not any("learned" in a.reason for a in pending)
        # two decisions with real keys: t (suggestions, best first), ], a; ], r
        await pilot.press("t", "right_square_bracket", "a")
        await pilot.press("right_square_bracket", "r")
        await _wait(pilot, lambda: all("learned" in a.reason for a in store.all(statuses=("suggested",))))
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = store.all(statuses=("suggested",))
        assert all(a.score is not None for a in after)
        # the pane shows the re-scored order: t jumps go highest score first
        pane = app.screen.query_one(DocumentPane)
        mine = sorted((a for a in after if a.doc_id == doc_id), key=lambda a: (-a.score, a.start))
        if mine:
            pane.view.move_to(0)
            await pilot.press("right_square_bracket")
            assert pane.view.cursor == mine[0].start
        # low-scored suggestions are dimmed in the text view's spans
        low = {sp.id for sp in pane.view.span_index.spans if sp.low}
        assert low == {a.id for a in after if a.doc_id == doc_id and a.score < 0.5}
        # the side panel shows each salary's normalised value and each suggestion's score
        rows = [pane.panel.ann_list.row_text(i) for i in range(pane.panel.ann_list.row_count)]
        assert any(" = " in r and ("EUR" in r or "USD" in r or "GBP" in r) for r in rows), rows


def test_status_line_explains_a_suggestion():
    from reader.model import Annotation
    from reader.tui.widgets.pane import describe_annotation

    a = Annotation("i", "d", 3, 10, "salary", "$40,000", status="suggested", score=0.92,
                   reason="cue 'salary' 2 words before",
                   value={"min": 40000, "max": 40000, "currency": "USD", "period": "year"})
    assert describe_annotation(a) == ("salary 3–10 = 40,000 USD / year "
                                      "(suggested, score 0.92: cue 'salary' 2 words before)")
