"""Snapshot tests of the key screens (pytest-textual-snapshot).

Deterministic: fixed size, relative paths (the sub-title shows the store path),
a pre-populated store, and language detection finished before the picture.
Regenerate with `pytest tests/ui/test_snapshots.py --snapshot-update`.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.tui import ReaderApp

from tui_helpers import SEEDS, SIZE

ITALIAN = "000_9d99caadc18c77c5"
ENGLISH = "001_228d26dd8dd40e62"
FRENCH = "002_26ccd676af571225"
ARABIC = "003_744b85a45d014b40"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _populate(with_done: bool = True) -> None:
    with AnnotationStore("annotations", annotator="snapshot") as store:
        corpus = load_corpus("seeds", detect=False)
        store.attach_corpus(corpus)

        def tag(doc_id: str, needle: str, label: str, note: str = "") -> None:
            text = corpus.get(doc_id).text
            i = text.index(needle)
            store.add(doc_id, i, i + len(needle), label, note)

        tag(ENGLISH, "artificial intelligence", "claim")
        tag(ENGLISH, "generative artificial intelligence, fascinates and frightens", "opinion", "strong wording")
        tag(ENGLISH, "Midjourney", "quote")
        tag(ENGLISH, "$900,000", "salary") if "$900,000" in corpus.get(ENGLISH).text else None
        tag(ITALIAN, "Netflix", "claim")
        tag(ARABIC, "900 ألف دولار", "salary")
        tag(FRENCH, "900 000 $", "salary")
        if with_done:
            store.set_done(FRENCH, True)


async def _ready(pilot) -> None:
    from tui_helpers import settle

    await settle(pilot.app, pilot)


async def _stable(pilot, timeout: float = 15.0) -> None:
    """Wait until the screen stops changing: workers done and two pictures
    in a row alike (alignment, sync scrolling and the background wrap finish
    at their own pace; a picture taken mid-way is not reproducible)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    before = None
    while time.monotonic() < deadline:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await asyncio.sleep(0.3)
        now = pilot.app.export_screenshot()
        if now == before:
            return
        before = now
    raise AssertionError(f"the screen kept changing for {timeout} s: no stable picture to compare")


def test_library_snapshot(workdir, snap_compare):
    _populate()
    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=_ready)


def test_help_snapshot(workdir, snap_compare):
    async def run_before(pilot) -> None:
        await _ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=run_before)


def test_reading_snapshot_with_highlighted_spans(workdir, snap_compare):
    _populate()

    async def run_before(pilot) -> None:
        await _ready(pilot)
        pilot.app.open_document(ENGLISH)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=run_before)


def test_compare_snapshot_arabic_and_english(workdir, snap_compare):
    _populate()

    async def run_before(pilot) -> None:
        await _ready(pilot)
        pilot.app.open_compare([ARABIC, ENGLISH])
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=run_before)


def test_library_snapshot_hostile_titles(workdir, snap_compare):
    (workdir / "seeds" / "zz_markup.txt").write_text("[bold red]x[/] [@click=app.quit]q[/]\n\nbody.\n", encoding="utf-8")
    (workdir / "seeds" / "zz_escape.txt").write_text("\x1b[2J\x1b]52;c;SGVsbG8=\x07 title\n\nbody.\n", encoding="utf-8")
    (workdir / "seeds" / "zz_binary.txt").write_bytes(b"\x00\x01binary")
    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=_ready)


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark"])
def test_reading_snapshot_in_light_and_dark_themes(workdir, snap_compare, theme):
    """Cursor, selection, search matches, suggestions and gutter take their colours from the theme."""
    _populate()
    with AnnotationStore("annotations", annotator="snapshot") as store:
        corpus = load_corpus("seeds", detect=False)
        store.attach_corpus(corpus)
        text = corpus.get(ENGLISH).text
        i = text.index("Netflix")
        store.add(ENGLISH, i, i + len("Netflix"), "claim", status="suggested", source="snapshot")

    async def run_before(pilot) -> None:
        await _ready(pilot)
        pilot.app.theme = theme
        pilot.app.open_document(ENGLISH)
        await pilot.pause()
        await pilot.press("slash", *"the", "enter")  # every match highlighted, the first selected
        await pilot.press("shift+right", "shift+right")
        await pilot.app.workers.wait_for_complete()
        from reader.tui.widgets.textview import AnnotatedTextView

        view = pilot.app.screen.query_one(AnnotatedTextView)
        for _ in range(200):  # the background wrap (the scrollbar's size) resumes once keys stop
            if view.height_is_exact:
                break
            await pilot.pause(0.05)
        await _stable(pilot)

    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=run_before)


def test_reading_snapshot_arabic_visual_order(workdir, snap_compare):
    """#10: the Arabic seed with the right-to-left visual order on (B): reordered and right-aligned."""
    _populate()

    async def run_before(pilot) -> None:
        await _ready(pilot)
        pilot.app.open_document(ARABIC)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press("B")
        await _stable(pilot)

    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=run_before)


def test_compare_snapshot_arabic_visual_order_with_shading(workdir, snap_compare):
    """#10: compare in visual order, the passage under the cursor and its counterparts shaded."""
    _populate()

    async def run_before(pilot) -> None:
        await _ready(pilot)
        pilot.app.open_compare([ENGLISH, ARABIC])
        await _stable(pilot)  # the alignment is built in a worker after the first paint
        await pilot.press("B")
        await _stable(pilot)
        await pilot.press("slash", *"$300,000", "enter")
        await _stable(pilot)
        await pilot.press("escape")
        await _stable(pilot)
        from reader.tui.widgets.textview import AnnotatedTextView

        shades = [v.shade for v in pilot.app.screen.query(AnnotatedTextView)]
        assert len(shades) == 2 and all(shades), f"the passage and its counterpart are shaded: {shades}"

    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=run_before)
