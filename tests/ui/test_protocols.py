"""Every implementation of a protocol has exactly the protocol's public members.

StoreAPI: AnnotationStore and the app's UnavailableStore. CorpusAPI: Corpus.
And the bug that made this test necessary: UnavailableStore lacked
attach_corpus/update_many, so editing an open document's file on disk while
the store was unavailable raised AttributeError in DocumentPane.check_file.
mypy checks the same conformance statically (this file is in its run).
"""
from __future__ import annotations

import asyncio
import inspect
import os
import time
from pathlib import Path
from typing import Protocol

from reader.corpus import Corpus, load_corpus
from reader.protocols import CorpusAPI, StoreAPI
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.widgets.pane import DocumentPane
from reader.tui.screens.reading import ReadingScreen
from reader.store.unavailable import UnavailableStore

from tui_helpers import SIZE, messages, run_test, settle


def _protocols(proto: type) -> list[type]:
    """``proto`` and the role protocols it is made of."""
    return [k for k in proto.__mro__ if getattr(k, "_is_protocol", False) and k is not Protocol]


def protocol_members(proto: type) -> set[str]:
    names: set[str] = set()
    for part in _protocols(proto):
        names |= set(vars(part).get("__annotations__", {}))
        names |= {n for n, v in vars(part).items() if callable(v) or isinstance(v, property)}
    return {n for n in names if not n.startswith("_")}


def public_members(obj: object) -> set[str]:
    names = {n for n in dir(type(obj)) if not n.startswith("_")}
    names |= {n for n in vars(obj) if not n.startswith("_")}
    return names


def test_store_implementations_match_the_protocol(tmp_path):
    wanted = protocol_members(StoreAPI)
    with AnnotationStore(tmp_path / "s") as store:
        assert public_members(store) == wanted
    assert public_members(UnavailableStore(tmp_path / "x", "broken")) == wanted


def _parameters(func: object) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()]  # type: ignore[arg-type]


def test_store_implementations_have_the_protocol_signatures():
    """Names, kinds and defaults of every method's parameters (mypy checks the types)."""
    wanted = [(n, v) for part in _protocols(StoreAPI) for n, v in vars(part).items()]
    assert {"link", "set_state", "cached_language", "retry_unsaved", "refresh", "add"} <= {n for n, _ in wanted}
    for impl in (AnnotationStore, UnavailableStore):
        for name, want in wanted:
            if name.startswith("_") or not callable(want):
                continue
            assert _parameters(getattr(impl, name)) == _parameters(want), (impl.__name__, name)


def test_corpus_matches_the_protocol(seeds_copy):
    corpus = load_corpus(seeds_copy, detect=False)
    assert public_members(corpus) == protocol_members(CorpusAPI)


def _typed(store: AnnotationStore, stand_in: UnavailableStore, corpus: Corpus) -> tuple[StoreAPI, StoreAPI, CorpusAPI]:
    """Never called: mypy checks that each implementation is assignable to its protocol."""
    return store, stand_in, corpus


async def test_edited_document_with_an_unavailable_store(seeds_copy, tmp_path):
    """meta.json corrupt -> UnavailableStore; open a document; edit its file: reloaded, no AttributeError."""
    store_path = tmp_path / "annotations"
    with AnnotationStore(store_path) as store:
        store.set_state("x", 1)
    (store_path / "meta.json").write_text("{ not json", encoding="utf-8")
    app = ReaderApp(seeds_copy, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.store, UnavailableStore)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        pane = app.screen.query_one(DocumentPane)
        path = Path(app.corpus.get(pane.doc_id).path)
        edited = "A NEW FIRST LINE\n" + path.read_text(encoding="utf-8")
        path.write_text(edited, encoding="utf-8")
        os.utime(path, ns=(1, 1))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the pane's file watcher notices, reloads, then says so
            if pane.view.text == edited and any("changed on disk" in m for m in messages(app)):
                break
            await asyncio.sleep(0.05)
        assert pane.view.text == edited
        assert any("changed on disk" in m for m in messages(app))
        assert app.is_running
