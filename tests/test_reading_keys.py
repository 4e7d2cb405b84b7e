"""The reading screen through real keys (issues #8 and #9): each test presses keys, then checks the store or the screen."""
from __future__ import annotations

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.pane import DocumentPane
from reader.tui.paneheader import PaneHeader
from reader.tui.textview import AnnotatedTextView

from tui_helpers import SIZE, copy_seeds, settle

EN = "001_228d26dd8dd40e62"


async def until(pilot, condition, seconds: float = 20.0) -> bool:
    """Poll (the machine may be loaded)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def open_doc(tmp_path, pilot, app, doc_id=EN, size=SIZE):
    await settle(app, pilot)
    app.open_document(doc_id)
    assert await until(pilot, lambda: isinstance(app.screen.focused, AnnotatedTextView))
    pane = app.screen.query_one(DocumentPane)
    return pane, pane.view


def make_app(tmp_path):
    return ReaderApp(copy_seeds(tmp_path), tmp_path / "annotations", signals=False)


def fresh_lang(tmp_path, doc_id):
    """The language `reader export` would write: a fresh corpus with the store's overrides."""
    with AnnotationStore(tmp_path / "annotations", readonly=True) as store:
        corpus = load_corpus(tmp_path / "seeds", store=store, detect=True)
        return corpus.get(doc_id).lang


async def test_language_key_takes_one_path_with_the_library_and_export(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        doc = app.corpus.get(EN)
        detected = doc.lang
        before = [p.lang for p in doc.paragraphs]
        await pilot.press("L")
        assert await until(pilot, lambda: type(app.screen).__name__ == "LanguageDialog")
        await pilot.press("e", "s", "enter")
        assert await until(pilot, lambda: doc.lang == "es")
        # the paragraphs that had the document's language follow the override
        assert [p.lang for p in doc.paragraphs] == ["es" if lang == detected else lang for lang in before]
        header = app.screen.query_one(PaneHeader)
        assert header.lang == "es"
        assert "¶ es" in str(app.screen.query_one(".pane-position").render())
        await pilot.press("L")
        assert await until(pilot, lambda: type(app.screen).__name__ == "LanguageDialog")
        await pilot.press("enter")  # empty + enter clears the override
        assert await until(pilot, lambda: doc.lang == detected)
        assert header.lang == detected and app.store.language_overrides() == {}
        await pilot.press("q")
        assert await until(pilot, lambda: type(app.screen).__name__ == "LibraryScreen")
        assert app.corpus.get(EN).lang == detected  # what the library and an in-app export read
    assert fresh_lang(tmp_path, EN) == detected  # what `reader export` writes
