"""Team features in the UI: the annotator in the header, recorded on every change."""
from __future__ import annotations

from pathlib import Path

from reader.store import AnnotationStore
from reader.tui import ReaderApp

from tui_helpers import SIZE, copy_seeds, settle


async def test_header_shows_the_annotator_and_changes_record_it(tmp_path: Path):
    corpus = copy_seeds(tmp_path)
    store_path = tmp_path / "annotations"
    app = ReaderApp(corpus, store_path, annotator="zoe", detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "annotator: zoe" in app.sub_title
        doc = app.corpus.documents[0]
        app.store.add(doc.id, 0, 5, "claim")
    with AnnotationStore(store_path, readonly=True) as store:
        assert [a.annotator for a in store.all()] == ["zoe"]


DOC = "001_228d26dd8dd40e62"  # the English seed


def _two_layers(corpus: Path, store_path: Path) -> dict[str, tuple[int, int]]:
    """alice and bob agree on one span and disagree on another (same place, other label)."""
    import re

    from reader.corpus import load_corpus

    c = load_corpus(corpus, detect=False)
    text = c.get(DOC).text
    w = [m.span() for m in re.finditer(r"\w{6,}", text)][:3]
    with AnnotationStore(store_path, corpus=c, annotator="alice") as s:
        s.add(DOC, *w[0], "claim")
        s.add(DOC, *w[2], "quote")
    with AnnotationStore(store_path, corpus=c, annotator="bob") as s:
        s.add(DOC, *w[0], "claim")
        s.add(DOC, *w[2], "opinion")
    return {"agreed": w[0], "disputed": w[2]}


async def _wait_for(pilot, condition, timeout: float = 30.0) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
        await pilot.pause()


async def test_adjudication_builds_a_gold_layer_with_keys(store_location, tmp_path: Path, capsys):
    """On both engines: review list, accept agreed, pick a version, edit its label and edges, export gold."""
    import json

    from textual.widgets import OptionList

    from reader.cli import main
    from reader.tui.dialogs.labelpicker import LabelPicker
    from reader.tui.screens.adjudicate import AdjudicationScreen, ReviewScreen
    from reader.tui.screens.library import LibraryScreen

    corpus = copy_seeds(tmp_path)
    store_path = store_location
    spans = _two_layers(corpus, store_path)
    app = ReaderApp(corpus, store_path, annotator="judge", detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        assert library.model.review(DOC) == (0, 2)  # the library's Review column: nothing decided yet
        assert str(library.model.cells(app.corpus.get(DOC), app.labels)["review"]) == "0/2"
        await pilot.press("f6")
        await _wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert app.screen.doc_ids == [DOC]
        await pilot.press("enter")
        await _wait_for(pilot, lambda: isinstance(app.screen, AdjudicationScreen))
        screen = app.screen
        assert screen.review.annotators == ["alice", "bob"]
        assert [c.agreed for c in screen.review.clusters] == [True, False]
        await pilot.press("a")  # accept the agreed span
        await _wait_for(pilot, lambda: screen.review.clusters[0].resolved)
        await pilot.press("s")  # to the disagreement
        await pilot.press("2")  # bob's version
        await _wait_for(pilot, lambda: screen.review.done)
        screen.query_one(OptionList).highlighted = 1  # back on the disputed cluster
        await pilot.press("e")  # edit the gold span's label: the picker, then claim
        await _wait_for(pilot, lambda: isinstance(app.screen, LabelPicker))
        picker = app.screen
        picker.query_one(OptionList).highlighted = picker.labels.names.index("claim")
        await pilot.press("enter")
        await _wait_for(pilot, lambda: app.screen is screen and screen.review.clusters[1].gold[0].label == "claim")
        await pilot.press("right_curly_bracket")  # the end a word later
        await _wait_for(pilot, lambda: screen.review.clusters[-1].gold[0].end > spans["disputed"][1])
        await pilot.press("left_square_bracket")  # the start a word earlier
        await _wait_for(pilot, lambda: any(g.start < spans["disputed"][0] for c in screen.review.clusters for g in c.gold))
        await pilot.press("q")
        await _wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("q")
        await _wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await _wait_for(pilot, lambda: library.model.review(DOC) == (2, 2))  # the Review column: done
        assert str(library.model.cells(app.corpus.get(DOC), app.labels)["review"]) == "✓ 2/2"
    text = app.corpus.get(DOC).text
    with AnnotationStore(store_path, readonly=True) as store:
        gold = sorted((a.start, a.end, a.label, a.source) for a in store.all() if a.annotator == "gold")
    edited = gold[1]
    assert gold[0] == (*spans["agreed"], "claim", "adjudicated:agreed")
    assert edited[2:] == ("claim", "adjudicated:bob")
    assert edited[0] < spans["disputed"][0] and edited[1] > spans["disputed"][1]
    assert text[edited[0]:edited[1]].strip() == text[edited[0]:edited[1]]  # whole words, no edge spaces
    code = main(["export", str(corpus), "--store", str(store_path), "--format", "jsonl", "--annotator", "gold"])
    out = capsys.readouterr().out
    exported = [(s["label"], s["annotator"], s["start"], s["end"]) for line in out.splitlines() for s in json.loads(line)["spans"]]
    assert code == 0 and sorted(exported) == sorted((label, "gold", s, e) for s, e, label, _ in gold)


def test_adjudication_snapshot(tmp_path: Path, snap_compare, monkeypatch):
    corpus = copy_seeds(tmp_path)
    store_path = tmp_path / "annotations"
    _two_layers(corpus, store_path)
    monkeypatch.chdir(tmp_path)

    async def run_before(pilot) -> None:
        from reader.tui.screens.adjudicate import AdjudicationScreen

        await settle(pilot.app, pilot)
        pilot.app.push_screen(AdjudicationScreen(DOC))
        await _wait_for(pilot, lambda: isinstance(pilot.app.screen, AdjudicationScreen))
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(ReaderApp("seeds", "annotations", annotator="judge", detect=False), terminal_size=SIZE, run_before=run_before)


async def test_another_annotators_spans_appear_without_moving_the_cursor(tmp_path: Path, pg_url):
    from reader.corpus import load_corpus
    from reader.tui.widgets.pane import DocumentPane

    corpus = copy_seeds(tmp_path)
    app = ReaderApp(corpus, pg_url, annotator="alice", detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "annotator: alice" in app.sub_title and "reader-secret" not in app.sub_title
        app.open_document(DOC)
        await _wait_for(pilot, lambda: bool(app.screen.query(DocumentPane)))
        pane = app.screen.query_one(DocumentPane)
        await pilot.press("ctrl+l")  # own layer -> all layers (nobody else has spans here yet)
        await _wait_for(pilot, lambda: pane.controller.layer is None)
        await pilot.press("ctrl+right", "ctrl+right", "ctrl+right")
        cursor = pane.view.cursor
        c = load_corpus(corpus, detect=False)
        with AnnotationStore(pg_url, corpus=c, annotator="bob") as bob:
            bob.add(DOC, 0, 4, "claim")
        await _wait_for(pilot, lambda: any(a.annotator == "bob" for a in pane.controller.annotations), timeout=20)
        assert pane.view.cursor == cursor


async def test_dropped_connection_shows_unsaved_and_saves_when_back(tmp_path: Path, own_pg_server):
    from reader.tui.widgets.pane import DocumentPane

    corpus = copy_seeds(tmp_path)
    url = own_pg_server.create_database("ui_drop")
    app = ReaderApp(corpus, url, annotator="alice", detect=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.open_document(DOC)
            await _wait_for(pilot, lambda: bool(app.screen.query(DocumentPane)))
            pane = app.screen.query_one(DocumentPane)
            own_pg_server.stop()
            await pilot.press("ctrl+right", "shift+ctrl+right", "1")  # tag a word while the server is down
            status = app.screen.query_one(".pane-status")
            await _wait_for(pilot, lambda: "UNSAVED" in str(status.render()))
            assert app.store.unsaved == 1
            own_pg_server.start()
            await _wait_for(pilot, lambda: app.store.unsaved == 0, timeout=30)
    finally:
        if not own_pg_server.running:
            own_pg_server.start()
    with AnnotationStore(url, readonly=True) as store:
        assert [a.annotator for a in store.all()] == ["alice"]


async def test_reading_shows_own_layer_and_cycles_to_others_read_only(tmp_path: Path, pg_url):
    from reader.corpus import load_corpus
    from reader.tui.widgets.pane import DocumentPane

    corpus = copy_seeds(tmp_path)
    c = load_corpus(corpus, detect=False)
    with AnnotationStore(pg_url, corpus=c, annotator="alice") as s:
        s.add(DOC, 0, 4, "claim")
    with AnnotationStore(pg_url, corpus=c, annotator="bob") as s:
        s.add(DOC, 0, 4, "quote")
        s.add(DOC, 10, 14, "opinion")
    app = ReaderApp(corpus, pg_url, annotator="alice", detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document(DOC)
        await _wait_for(pilot, lambda: bool(app.screen.query(DocumentPane)))
        pane = app.screen.query_one(DocumentPane)
        ctl = pane.controller
        assert [(a.annotator, a.label) for a in ctl.annotations] == [("alice", "claim")]  # own layer first
        await pilot.press("ctrl+l")
        await _wait_for(pilot, lambda: ctl.layer == "bob")
        assert sorted(a.label for a in ctl.annotations) == ["opinion", "quote"] and not ctl.editable
        await pilot.press("ctrl+right", "shift+ctrl+right", "3")  # refused: bob's layer is read-only
        await pilot.pause()
        await pilot.press("ctrl+l")
        await _wait_for(pilot, lambda: ctl.layer is None)
        assert len(ctl.annotations) == 3 and pane.panel.ann_list.show_annotator
        assert "alice" in pane.panel.ann_list.row_text(0) or "bob" in pane.panel.ann_list.row_text(0)
        await pilot.press("ctrl+l")
        await _wait_for(pilot, lambda: ctl.layer == "alice")
        assert ctl.editable
    with AnnotationStore(pg_url, readonly=True) as s:
        assert sorted((a.annotator, a.label) for a in s.all()) == [("alice", "claim"), ("bob", "opinion"), ("bob", "quote")]


async def test_each_annotator_resumes_their_own_position_on_a_shared_store(tmp_path: Path, pg_url):
    corpus = copy_seeds(tmp_path)
    alice = ReaderApp(corpus, pg_url, annotator="alice", detect=False)
    async with alice.run_test(size=SIZE) as pilot:
        await settle(alice, pilot)
        alice.remember_position(DOC, 42)
        assert alice.last_position() == (DOC, 42)
    bob = ReaderApp(corpus, pg_url, annotator="bob", detect=False)
    async with bob.run_test(size=SIZE) as pilot:
        await settle(bob, pilot)
        assert bob.last_position() is None


async def test_a_named_gold_layer(tmp_path: Path):
    """`reader --gold NAME`: adjudication writes that layer instead of `gold`."""
    from reader.cli import parse_args
    from reader.tui.screens.adjudicate import AdjudicationScreen, ReviewScreen

    args = parse_args([str(tmp_path / "seeds"), "--gold", "curated", "--annotator", "judge"])
    assert args.gold == "curated" and args.annotator == "judge"
    corpus = copy_seeds(tmp_path)
    store_path = tmp_path / "annotations"
    spans = _two_layers(corpus, store_path)
    app = ReaderApp(corpus, store_path, annotator="judge", detect=False, gold="curated")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")
        await _wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert app.screen.gold == "curated"
        await pilot.press("enter")
        await _wait_for(pilot, lambda: isinstance(app.screen, AdjudicationScreen))
        assert "gold layer: curated" in str(app.screen.query_one("#adjudicate-summary").render())
        await pilot.press("a")
        await _wait_for(pilot, lambda: app.screen.review.clusters[0].resolved)
    with AnnotationStore(store_path, readonly=True) as store:
        layers = {(a.annotator, a.start, a.end) for a in store.all()}
    assert ("curated", *spans["agreed"]) in layers and not any(who == "gold" for who, *_ in layers)


async def test_a_teammates_language_override_reaches_the_open_pane_and_the_library(tmp_path: Path, pg_url):
    """issue 18 #1: after a poll a session's view equals the database, the language too (it kept its
    own corpus language until a restart)."""
    from reader.corpus import load_corpus
    from reader.tui.widgets.paneheader import PaneHeader
    from reader.tui.widgets.pane import DocumentPane

    corpus = copy_seeds(tmp_path)
    app = ReaderApp(corpus, pg_url, annotator="alice", detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document(DOC)
        await _wait_for(pilot, lambda: bool(app.screen.query(DocumentPane)))
        header = app.screen.query_one(DocumentPane).query_one(PaneHeader)
        before = header.lang
        new = "de" if before != "de" else "es"
        c = load_corpus(corpus, detect=False)
        with AnnotationStore(pg_url, corpus=c, annotator="bob") as bob:
            bob.set_language_override(DOC, new)
        await _wait_for(pilot, lambda: header.lang == new, timeout=20)
        assert app.corpus is not None and app.corpus.get(DOC).lang == new  # the library's column reads this
        await pilot.press("q")
        await _wait_for(pilot, lambda: not app.screen.query(DocumentPane))
        with AnnotationStore(pg_url, corpus=c, annotator="bob") as bob:
            bob.set_language_override(DOC, None)  # cleared: back to the detected language
        await _wait_for(pilot, lambda: app.corpus.get(DOC).lang != new, timeout=20)
