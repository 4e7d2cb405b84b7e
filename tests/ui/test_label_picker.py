"""Large label sets (issue #13, item 15): 1,000 labels load (the limit is documented
and enforced elsewhere, tests/ui/test_hostile_input.py), the reading screen shows a
bounded header, and the label picker (T, type to filter) tags with any label."""
from __future__ import annotations

from reader.controller import trim_span

import asyncio
import time

from reader.labels import MAX_LABELS, LabelSet
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.dialogs.labelpicker import LabelPicker, matching
from reader.tui.widgets.paneheader import PaneHeader

from tui_helpers import SIZE, copy_seeds, run_test, settle

ENGLISH = "001_228d26dd8dd40e62"


def big_labels(folder, n=MAX_LABELS):
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f'[lab{i:04d}]\n{f"key = {str(i)!r}" if 1 <= i <= 9 else ""}\ncolor = "#{(i * 7919) % 0xFFFFFF:06x}"\n'
        f'description = "label number {i}"\n'
        for i in range(n)
    )
    (folder / "labels.toml").write_text(body, encoding="utf-8")


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await asyncio.sleep(0)


def test_matching_prefix_first_and_bounded(tmp_path):
    big_labels(tmp_path)
    labels = LabelSet.load(tmp_path)
    names, total = matching(labels, "lab05")
    assert total == 100 and len(names) == 50 and names[0] == "lab0500"
    names, total = matching(labels, "number 999")
    assert names == ["lab0999"] and total == 1


async def test_pick_any_of_a_thousand_labels_with_typing(tmp_path):
    corpus = copy_seeds(tmp_path)
    store = tmp_path / "store"
    big_labels(store)
    app = ReaderApp(corpus, store, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document(ENGLISH, 0)
        await until(pilot, lambda: app.screen.query("PaneHeader"))
        header = str(app.screen.query_one(PaneHeader).render())
        assert "lab0008" in header and "lab0500" not in header and "+991 labels" in header
        text = app.corpus.get(ENGLISH).text
        for _ in range(4):
            await pilot.press("shift+right")
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, LabelPicker))
        await pilot.press(*"lab0777", "enter")
        await until(pilot, lambda: not isinstance(app.screen, LabelPicker))
        await pilot.pause()
    with AnnotationStore(store, readonly=True) as s:
        (ann,) = s.all()
        # four shift+right from the start, less the white space at the selection's edges (trimmed)
        assert ann.label == "lab0777" and ann.text == ann.text.strip() and (ann.start, ann.end) == trim_span(text, 0, 4)
