"""Suggestions inside the app (issue 22 items 1 and 2, issue 24): ctrl+g suggests for this
document or the corpus in a worker while the app runs; tagging a selected suggestion accepts it;
t without suggestions points at ctrl+g; the accept-all question reads right; the library sorts
by uncertainty. Real keys, then the store."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.suggest.evaluation import load_labelled
from reader.tui import ReaderApp
from reader.tui.dialogs.confirm import ConfirmDialog
from reader.tui.dialogs.pick import PickDialog
from reader.tui.widgets.pane import DocumentPane
from reader.tui.widgets.textview import AnnotatedTextView

from textual.widgets import Static

from tui_helpers import SIZE, copy_seeds, run_test, settle

DATA = Path(__file__).resolve().parent.parent / "data" / "annotator"
EN = "001_228d26dd8dd40e62"


async def until(pilot, condition, seconds: float = 60.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def open_doc(app, pilot, doc_id):
    await settle(app, pilot)
    app.open_document(doc_id)
    assert await until(pilot, lambda: isinstance(app.screen.focused, AnnotatedTextView))
    return app.screen.query_one(DocumentPane)


def status(pane: DocumentPane) -> str:
    return str(pane.query_one(".pane-status", Static).render())


def _annotated(tmp_path: Path) -> tuple[Path, Path, list]:
    docs = load_labelled(DATA)
    random.Random(3).shuffle(docs)
    root = tmp_path / "corpus"
    root.mkdir()
    for d in docs:
        (root / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    corpus = load_corpus(root, detect=False)
    with AnnotationStore(tmp_path / "store", corpus=corpus, annotator="ann") as store:
        for d in docs:
            corpus.set_language_override(d.id, d.lang, store)
        store.add_many([{"doc_id": d.id, "start": s, "end": e, "label": lab} for d in docs[:30] for s, e, lab in d.spans])
    return root, tmp_path / "store", docs


async def test_ctrl_g_suggests_this_document_in_a_worker(tmp_path):
    pytest.importorskip("sklearn")
    root, store_path, docs = _annotated(tmp_path)
    target = docs[35].id
    app = ReaderApp(root, store_path, signals=False)
    async with run_test(app, size=SIZE) as pilot:
        pane = await open_doc(app, pilot, target)
        await pilot.press("t")  # no suggestions yet: say how to get some
        assert "ctrl+g" in status(pane)
        await pilot.press("t", "ctrl+g")
        assert await until(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("enter")  # "This document"
        store = app.store
        assert await until(pilot, lambda: "suggestion(s) added" in status(pane), 120)
        mine = store.for_document(target, statuses=("suggested",))
        assert mine, status(pane)
        assert any(a.source in ("suggest:model", "suggest:match") for a in mine)
        assert {a.doc_id for a in store.all(statuses=("suggested",))} == {target}  # this document only
        # the pane shows them: t and ] go to the best one
        await pilot.press("t", "right_square_bracket")
        assert "(suggested" in status(pane)


async def test_ctrl_g_whole_corpus(tmp_path):
    pytest.importorskip("sklearn")
    root, store_path, docs = _annotated(tmp_path)
    app = ReaderApp(root, store_path, signals=False)
    async with run_test(app, size=SIZE) as pilot:
        pane = await open_doc(app, pilot, docs[31].id)
        await pilot.press("ctrl+g")
        assert await until(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("down", "enter")  # "The whole corpus"
        assert await until(pilot, lambda: "suggestion(s) added" in status(pane), 180)
        assert len({a.doc_id for a in app.store.all(statuses=("suggested",))}) > 5


async def test_tagging_a_selected_suggestion_accepts_it(tmp_path):
    seeds = copy_seeds(tmp_path)
    corpus = load_corpus(seeds, detect=False)
    text = corpus.get(EN).text
    start = text.index(next(w for w in text.split() if w.isalpha() and len(w) > 5))
    end = start + len(next(w for w in text.split() if w.isalpha() and len(w) > 5))
    with AnnotationStore(tmp_path / "annotations", corpus=corpus) as store:
        store.add_many([{"doc_id": EN, "start": start, "end": end, "label": "salary", "status": "suggested",
                         "source": "suggest:salary", "score": 0.7, "reason": "test"}])
    app = ReaderApp(seeds, tmp_path / "annotations", signals=False)
    async with run_test(app, size=SIZE) as pilot:
        pane = await open_doc(app, pilot, EN)
        pane.view.move_to(start)
        await pilot.press(*["shift+right"] * (end - start))
        assert pane.view.selection == (start, end)
        await pilot.press("1")
        anns = app.store.for_document(EN, statuses=("accepted", "suggested"))
        assert [(a.start, a.end, a.label, a.status) for a in anns] == [(start, end, "salary", "accepted")]
        assert "accepted salary" in status(pane)


async def test_accept_all_question_names_the_label_once(tmp_path):
    seeds = copy_seeds(tmp_path)
    corpus = load_corpus(seeds, detect=False)
    text = corpus.get(EN).text
    words = [i for i in range(1, len(text) - 4) if text[i - 1] == " " and text[i:i + 4].isalpha()][:2]
    with AnnotationStore(tmp_path / "annotations", corpus=corpus) as store:
        store.add_many([{"doc_id": EN, "start": i, "end": i + 4, "label": "salary", "status": "suggested",
                         "source": "suggest:salary", "score": 0.7} for i in words])
    app = ReaderApp(seeds, tmp_path / "annotations", signals=False)
    async with run_test(app, size=SIZE) as pilot:
        await open_doc(app, pilot, EN)
        await pilot.press("A")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        message = str(app.screen.query_one("#confirm-message", Static).render())
        assert "Accept the 2 salary suggestions in this document?" in message
        await pilot.press("y")
        assert await until(pilot, lambda: not app.store.all(statuses=("suggested",)))


async def test_library_sorts_by_uncertainty(tmp_path):
    seeds = copy_seeds(tmp_path)
    corpus = load_corpus(seeds, detect=False)
    ids = [d.id for d in corpus]
    sure, unsure = ids[0], ids[1]
    with AnnotationStore(tmp_path / "annotations", corpus=corpus) as store:
        for doc_id, score in ((sure, 0.98), (unsure, 0.52)):
            text = corpus.get(doc_id).text
            i = next(k for k in range(1, len(text) - 4) if text[k - 1] == " " and text[k:k + 4].isalpha())
            store.add_many([{"doc_id": doc_id, "start": i, "end": i + 4, "label": "salary", "status": "suggested",
                             "source": "suggest:salary", "score": score}])
    app = ReaderApp(seeds, tmp_path / "annotations", signals=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        from reader.tui.screens.library_model import SORTS

        for _ in range(len(SORTS) - 1):
            await pilot.press("s")
        assert screen.model.sort == "uncertainty"
        assert list(screen.shown)[:2] == [unsure, sure]


async def test_tagging_and_linking_suggestions_in_compare_accepts_them(tmp_path):
    """Issue 22 item 2: 1 on a selected suggestion, then k: every end of the links is accepted,
    and the parallel export has the spans."""
    import json

    from reader.formats import export_corpus
    from reader.suggest import suggest_corpus
    from reader.tui.screens.compare import CompareScreen
    from reading_harness import HostApp
    from test_compare import AR, EN, FR, IT, wait_aligned

    ids = [IT, EN, FR, AR]
    seeds = copy_seeds(tmp_path)
    corpus = load_corpus(seeds, detect=False)
    with AnnotationStore(tmp_path / "annotations", corpus=corpus) as store:
        suggest_corpus(corpus, store, labels=["salary"])
        assert store.all(statuses=("suggested",)) and not store.all()
    app = HostApp(seeds, tmp_path / "annotations", lambda: CompareScreen(ids))
    async with app.run_test(size=(200, 30)) as pilot:
        await wait_aligned(pilot)
        for doc_id, lang in zip(ids, ("it", "en", "fr", "ar")):
            app.corpus.get(doc_id).lang = lang
        await pilot.press("slash", *"300mila ai 900mila dollari", "enter", "1")
        await pilot.pause()
        it_anns = [a for a in app.store.for_document(IT) if a.text == "300mila ai 900mila dollari"]
        assert [(a.status, a.label) for a in it_anns] == [("accepted", "salary")]  # not "already covers"
        await pilot.press("k")
        assert await until(pilot, lambda: isinstance(app.screen, PickDialog), 10)
        prompts = [str(app.screen.query_one("#pick-list").get_option_at_index(i).prompt)
                   for i in range(app.screen.query_one("#pick-list").option_count)]
        assert any("suggested, accepted on linking" in p for p in prompts)
        await pilot.press("enter")
        await pilot.pause()
        [group] = app.store.link_groups()
        assert len(group) == 4 and {a.status for a in group} == {"accepted"}
        out = tmp_path / "parallel.jsonl"
        export_corpus("parallel", app.corpus, app.store, out)
        [record] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        assert len(record["spans"]) == 4


async def test_a_span_tagged_by_keys_is_suggested_where_its_text_recurs(tmp_path):
    """Issue 24 item 1 through the keys: the user tags a text in one document; ctrl+g in another
    suggests the same text there (whole words, any case and spacing) with that annotation as
    its reason, and not where it is only part of a longer word."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("The port authority said the Harbour Accord would cut fees by a third.\n",
                                encoding="utf-8")
    (root / "b.txt").write_text("Fishermen doubt that the harbour\n accord helps them. Harbour Accordion players "
                                "rehearsed nearby.\n", encoding="utf-8")
    app = ReaderApp(root, tmp_path / "store", signals=False)
    async with run_test(app, size=SIZE) as pilot:
        await open_doc(app, pilot, "a")
        await pilot.press("slash", *"Harbour Accord", "enter", "3")  # select it, tag it claim
        assert await until(pilot, lambda: [a.label for a in app.store.for_document("a")] == ["claim"])
        [source] = app.store.for_document("a")
        app.pop_screen()
        pane = await open_doc(app, pilot, "b")
        await pilot.press("ctrl+g")
        assert await until(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.press("enter")  # "This document"
        assert await until(pilot, lambda: "suggestion(s) added" in status(pane), 120)
        text = app.corpus.get("b").text
        found = [a for a in app.store.for_document("b", statuses=("suggested",)) if a.source == "suggest:match"]
        assert [(text[a.start:a.end], a.label) for a in found] == [("harbour\n accord", "claim")]
        assert "a" in found[0].reason and "claim" in found[0].reason
        await pilot.press("t", "right_square_bracket")  # the status line gives the reason
        assert "(suggested" in status(pane) and "same text" in status(pane)
    assert source.start == 28
