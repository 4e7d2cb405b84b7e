"""The app on a store folder that lost its meta.json: it keeps running read-only with the reason
on screen, and never writes a new, empty meta.json over the loss."""
from __future__ import annotations

from pathlib import Path

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.app import UnavailableStore
from reader.tui.screens.library import LibraryScreen

from tui_helpers import SIZE, copy_seeds, messages, run_test, settle


async def test_a_store_that_lost_meta_json_opens_unavailable_and_is_not_recreated(tmp_path: Path) -> None:
    corpus, store_path = copy_seeds(tmp_path), tmp_path / "annotations"
    with AnnotationStore(store_path, annotator="a") as store:
        loaded = load_corpus(corpus, detect=False)
        store.attach_corpus(loaded)
        doc = loaded.documents[0]
        store.add(doc.id, 0, 3, "claim")
        store.set_done(doc.id, True)
    (store_path / "meta.json").unlink()
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.store, UnavailableStore)
        assert app.is_running and isinstance(app.screen, LibraryScreen)
        assert any("meta.json" in m and "missing" in m and "reader store recover" in m for m in messages(app))
        await pilot.press("q")
        await pilot.pause()
    assert not (store_path / "meta.json").exists()


async def test_a_store_whose_listed_shards_are_gone_says_so_when_the_app_opens(tmp_path: Path) -> None:
    """docs/ deleted together with journals/ (a copy or a sync that left them out): nothing can rebuild the
    shards, and the app opened on a library without those annotations, saying nothing."""
    import shutil

    corpus, store_path = copy_seeds(tmp_path), tmp_path / "annotations"
    with AnnotationStore(store_path, annotator="a") as store:
        loaded = load_corpus(corpus, detect=False)
        store.attach_corpus(loaded)
        store.add(loaded.documents[0].id, 0, 3, "claim")
    shutil.rmtree(store_path / "docs")
    shutil.rmtree(store_path / "journals")
    (store_path / "journal.prev.jsonl").unlink(missing_ok=True)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, LibraryScreen)
        lost = [m for m in messages(app) if "gone" in m and "reader store check" in m]
        assert len(lost) == 1 and "docs/" in lost[0] and "annotations" in lost[0], messages(app)
        await pilot.press("q")
        await pilot.pause()
