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
