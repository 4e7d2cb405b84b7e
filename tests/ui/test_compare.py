"""Compare screen: panes, focus with tab, tagging/search/copy per pane, RTL header, sync scroll."""
from __future__ import annotations

from reader.tui.widgets.pane import DocumentPane
from reader.tui.screens.compare import CompareScreen
from tests.reading_harness import HostApp, copy_seeds

EN = "001_228d26dd8dd40e62"
AR = "003_744b85a45d014b40"
IT = "000_9d99caadc18c77c5"
FR = "002_26ccd676af571225"


async def wait_aligned(pilot, screen=None):
    screen = screen or pilot.app.screen
    for _ in range(600):
        if screen.parallel is not None:
            return
        await pilot.pause(0.05)
    raise AssertionError("the documents were never aligned")


def rows_of(view, needle):
    """(row on screen of ``needle``'s first character, visible height) in ``view``."""
    at = view.text.index(needle)
    return view.row_of_offset(at) - int(view.scroll_offset.y), view.scrollable_content_region.height


def in_view(view, needle):
    row, height = rows_of(view, needle)
    return 0 <= row < height


def make_app(tmp_path, ids):
    seeds = copy_seeds(tmp_path)
    return HostApp(seeds, tmp_path / "annotations", lambda: CompareScreen(ids))


async def test_two_panes_tab_and_tag_in_each(tmp_path):
    app = make_app(tmp_path, [EN, AR])
    async with app.run_test(size=(120, 36)) as pilot:
        panes = app.screen.query(DocumentPane)
        assert [p.doc_id for p in panes] == [EN, AR]
        assert app.focused is panes[0].view
        await pilot.press("ctrl+right", "ctrl+shift+right", "1")
        await pilot.pause()
        [a] = app.store.for_document(EN)
        assert a.label == "salary" and app.corpus.get(EN).text[a.start:a.end] == a.text
        await pilot.press("tab")
        assert app.focused is panes[1].view
        await pilot.press("ctrl+shift+right", "ctrl+shift+right", "2")
        await pilot.pause()
        [b] = app.store.for_document(AR)
        assert b.label == "quote" and app.corpus.get(AR).text[b.start:b.end] == b.text
        await pilot.press("tab")
        assert app.focused is panes[0].view
        # undo in one pane refreshes the others
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.store.for_document(AR) == []
        assert panes[1].view.spans == []


async def test_search_and_copy_in_a_pane(tmp_path):
    app = make_app(tmp_path, [IT, EN, AR])
    async with app.run_test(size=(150, 36)) as pilot:
        await pilot.press("tab", "slash", *"$300,000 to $900,000", "enter")
        view = app.screen.query(DocumentPane)[1].view
        assert view.selected_text == "$300,000 to $900,000"
        await pilot.press("y", "1")
        await pilot.pause()
        assert app.copied[-1][0] == "$300,000 to $900,000"
        assert [a.text for a in app.store.for_document(EN)] == ["$300,000 to $900,000"]


async def test_rtl_header_and_sync_toggle(tmp_path):
    app = make_app(tmp_path, [EN, AR])
    async with app.run_test(size=(120, 20)) as pilot:
        panes = app.screen.query(DocumentPane)
        doc = app.corpus.get(AR)
        doc.lang = "ar"
        panes[1].update_header()
        assert "RTL" in str(panes[1].query_one(".pane-header").render())
        assert "RTL" not in str(panes[0].query_one(".pane-header").render())
        status = app.screen.query_one("#compare-status")
        assert "sync on" in str(status.render())  # on by default, and said so
        await wait_aligned(pilot)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        left, right = panes[0].view, panes[1].view
        assert left.scroll_offset.y > 0 and right.scroll_offset.y > 0
        await pilot.press("S")
        assert "sync off" in str(status.render())
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert left.scroll_offset.y == 0 and right.scroll_offset.y > 0


SALARY = {IT: "300mila ai 900mila", EN: "$300,000 to $900,000", FR: "300 000 et 900 000 $", AR: "300 و900 ألف"}


async def _go_to_salary(pilot, view, needle):
    """Move the cursor down with the arrow key to the row that states ``needle``."""
    row = view.row_of_offset(view.text.index(needle))
    for _ in range(200):
        if view.row_of_offset(view.cursor) >= row:
            return
        await pilot.press("down")
    raise AssertionError("never reached the figure")


async def test_moving_to_the_salary_paragraph_brings_the_same_figures_into_view(tmp_path):
    ids = [IT, EN, FR, AR]
    app = make_app(tmp_path, ids)
    async with app.run_test(size=(200, 30)) as pilot:
        await wait_aligned(pilot)
        panes = list(app.screen.query(DocumentPane))
        for i, doc_id in enumerate(ids):
            await pilot.press("ctrl+home")
            await _go_to_salary(pilot, panes[i].view, SALARY[doc_id])
            await pilot.pause()
            src_row = panes[i].view.row_of_offset(panes[i].view.cursor) - int(panes[i].view.scroll_offset.y)
            for k, other in enumerate(ids):
                view = panes[k].view
                assert in_view(view, SALARY[other]), (doc_id, other, rows_of(view, SALARY[other]))
                # the same figures on the same screen row, unless the pane cannot scroll that far
                row, _ = rows_of(view, SALARY[other])
                assert row == src_row or view.scroll_offset.y in (0, view.max_scroll_y), (doc_id, other, row, src_row)
            await pilot.press("tab")


async def test_wheel_in_another_pane_keeps_the_panes_in_step(tmp_path):
    from textual import events

    app = make_app(tmp_path, [IT, EN])
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_aligned(pilot)
        panes = list(app.screen.query(DocumentPane))
        en = panes[1].view
        assert app.focused is panes[0].view  # the wheel goes to the pane that does not have the focus
        for _ in range(30):
            en.post_message(events.MouseScrollDown(en, 5, 5, 0, 0, 0, False, False, False, screen_x=80, screen_y=10))
            await pilot.pause()
            if in_view(en, SALARY[EN]) and rows_of(en, SALARY[EN])[0] < 12:
                break
        await pilot.pause()
        assert in_view(en, SALARY[EN])
        assert in_view(panes[0].view, SALARY[IT])


async def test_g_jumps_to_the_best_counterpart_and_G_lists_them(tmp_path):
    app = make_app(tmp_path, [EN, FR])
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_aligned(pilot)
        panes = list(app.screen.query(DocumentPane))
        await pilot.press("slash", *"The Intercept reports", "enter", "escape")
        await pilot.press("S")  # sync off: g must work out of order too
        await pilot.press("g")
        await pilot.pause()
        fr = panes[1].view
        assert in_view(fr, "650 000 $")
        assert fr.text[fr.cursor:].startswith("Netflix cherche aussi")
        await pilot.press("G")
        await pilot.pause()
        from reader.tui.dialogs.pick import PickDialog
        assert isinstance(app.screen, PickDialog)
        text = str(app.screen.query_one("#pick-list").get_option_at_index(0).prompt)
        assert "both state 650,000 USD" in text and "both name The Intercept" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, PickDialog)


async def test_pane_highlight_follows_focus(tmp_path):
    """#9 defect 4: tab, shift+tab and a click move the highlighted header with the focus."""
    app = make_app(tmp_path, [IT, EN, FR])
    async with app.run_test(size=(150, 30)) as pilot:
        panes = list(app.screen.query(DocumentPane))

        def active():
            return [p.has_class("-active") for p in panes]

        def header_bg(p):
            return p.query_one(".pane-header").styles.background

        assert active() == [True, False, False]
        await pilot.press("tab")
        assert app.focused is panes[1].view and active() == [False, True, False]
        assert header_bg(panes[1]) != header_bg(panes[0])
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is panes[2].view and active() == [False, False, True]
        await pilot.click(panes[0].view, offset=(10, 3))
        await pilot.pause()
        assert app.focused is panes[0].view and active() == [True, False, False]
        assert header_bg(panes[0]) != header_bg(panes[2])
        before = len(app.store.for_document(panes[0].doc_id))
        await pilot.press("shift+ctrl+right", "1")  # typing goes to the highlighted pane: a claim there
        await pilot.pause()
        assert len(app.store.for_document(panes[0].doc_id)) == before + 1
        assert all(not app.store.for_document(p.doc_id) for p in panes[1:])


async def test_escape_never_leaves_compare(tmp_path):
    """#9 friction 2: escape ends the search, then clears the selection, and never drops to the library."""
    from reader.tui.screens.compare import CompareScreen

    app = make_app(tmp_path, [EN, FR])
    async with app.run_test(size=(150, 30)) as pilot:
        await pilot.press("slash", *"Netflix", "enter", "shift+right")
        await pilot.pause()
        for _ in range(4):
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)


async def test_link_the_four_salary_spans_with_a_few_keys_and_export_parallel(tmp_path):
    import json

    from reader.formats import export_corpus
    from reader.tui.dialogs.pick import PickDialog

    ids = [IT, EN, FR, AR]
    app = make_app(tmp_path, ids)
    async with app.run_test(size=(200, 30)) as pilot:
        await wait_aligned(pilot)
        for doc_id, lang in zip(ids, ("it", "en", "fr", "ar")):
            app.corpus.get(doc_id).lang = lang
        # select the range in the Italian pane and tag it salary
        await pilot.press("slash", *"300mila ai 900mila dollari", "enter", "1")
        await pilot.pause()
        [it_ann] = app.store.for_document(IT)
        # k proposes the counterparts; enter links the best one of each other pane
        await pilot.press("k")
        for _ in range(100):
            if isinstance(app.screen, PickDialog):
                break
            await pilot.pause(0.02)
        assert "best counterpart in each other pane (3)" in str(
            app.screen.query_one("#pick-list").get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        [group] = app.store.link_groups()
        assert sorted(a.doc_id for a in group) == sorted(ids)
        assert {a.text for a in group} == {"300mila ai 900mila dollari", "$300,000 to $900,000",
                                           "300 000 et 900 000 $", "300 و900 ألف دولار"}
        out = tmp_path / "parallel.jsonl"
        export_corpus("parallel", app.corpus, app.store, out)
        [record] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        assert sorted(s["lang"] for s in record["spans"]) == ["ar", "en", "fr", "it"]
        assert record["value"]["min"] == 300000 and record["value"]["max"] == 900000
        # K lists the span's links; unlinking one and undoing it
        await pilot.press("K")
        await pilot.pause()
        assert isinstance(app.screen, PickDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.store.links()) == 2
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert len(app.store.links()) == 3


async def test_passage_under_the_cursor_and_its_counterparts_are_shaded(tmp_path):
    app = make_app(tmp_path, [IT, EN, AR])
    async with app.run_test(size=(180, 30)) as pilot:
        await wait_aligned(pilot)
        panes = list(app.screen.query(DocumentPane))
        await pilot.press("slash", *"300mila", "enter", "escape")
        await pilot.pause()
        it, en, ar = (p.view for p in panes)
        [(s, e)] = it.shade
        assert s <= it.text.index("300mila") < e
        assert any(a <= en.text.index("$300,000") < b for a, b in en.shade)
        assert any(a <= ar.text.index("300 و900") < b for a, b in ar.shade)
        # a passage with no counterpart: only itself is shaded
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert all(e2 <= en.text.index("$300,000") or a2 > en.text.index("$300,000") for a2, e2 in en.shade)


SEED_004 = "004_d4ef5430cbf9b3bd"


async def test_g_puts_the_matching_figure_on_the_cursor_row_in_every_language(tmp_path):
    # issue 20.8: g lines up the fact, not the passage start; seed 004 states only "$ 900.000"
    for ids, wanted in (([EN, IT, FR, AR], SALARY), ([EN, SEED_004], {SEED_004: "900.000"})):
        app = with_languages(make_app(tmp_path / ids[-1], ids))
        async with app.run_test(size=(200, 30)) as pilot:
            await wait_aligned(pilot)
            panes = list(app.screen.query(DocumentPane))
            await pilot.press("S")  # sync off: only g moves the other panes
            await pilot.press("slash", *SALARY[EN], "enter", "escape")
            await pilot.press("g")
            await pilot.pause()
            src = panes[0].view
            src_row = src.row_of_offset(src.cursor) - int(src.scroll_offset.y)
            for pane in panes[1:]:
                view = pane.view
                row = view.row_of_offset(view.cursor) - int(view.scroll_offset.y)
                assert row == src_row or view.scroll_offset.y in (0, view.max_scroll_y), (pane.doc_id, row, src_row)
                # the cursor is on the figure itself, not on the start of its passage
                assert wanted[pane.doc_id] in view.text[view.cursor:view.cursor + 25], pane.doc_id


LANGS = {EN: "en", IT: "it", FR: "fr", AR: "ar", "004_d4ef5430cbf9b3bd": "it"}


def with_languages(app):
    """The harness opens the corpus without detection: give the seeds their languages."""
    for doc_id, lang in LANGS.items():
        app.corpus.get(doc_id).lang = lang
    return app


async def test_G_names_language_and_title_and_the_shared_facts(tmp_path):
    app = with_languages(make_app(tmp_path, [EN, FR]))
    async with app.run_test(size=(200, 30)) as pilot:
        await wait_aligned(pilot)
        await pilot.press("slash", *"The Intercept reports", "enter", "escape", "G")
        await pilot.pause()
        from reader.tui.dialogs.pick import PickDialog
        assert isinstance(app.screen, PickDialog)
        text = str(app.screen.query_one("#pick-list").get_option_at_index(0).prompt)
        fr = app.corpus.get(FR)
        assert text.startswith(f"FR · {' '.join(fr.title.split())[:20]}")
        assert "shares " in text and "650" in text
        assert "␤" not in text and FR not in text  # no newline glyph, no hash id


async def test_s_selects_the_arabic_sentence_not_the_comma_clause(tmp_path):
    # issue 20.7: in Arabic, "،" is a comma; s selects the sentence the splitter cuts
    from reader.lang.sentences import sentence_bounds

    app = with_languages(make_app(tmp_path, [AR, EN]))
    async with app.run_test(size=(160, 30)) as pilot:
        view = app.screen.query(DocumentPane)[0].view
        assert view.language_at(0) == "ar"
        text = view.text
        at = text.index("،", text.index("،") + 1)  # a comma inside a sentence
        view.move_to(at - 3)
        await pilot.press("s")
        await pilot.pause()
        start, end = sentence_bounds(text, at - 3, "ar")
        assert view.selected_text == text[start:end]
        assert "،" in view.selected_text.rstrip("،")  # more than one comma clause


class _Held:
    """ParallelSet.build held until the test lets it go; then one progress call and 'aligned'."""

    def __init__(self) -> None:
        import threading

        self.release, self.done = threading.Event(), threading.Event()
        self.failed: BaseException | None = None  # what the progress call raised in the worker

    def __call__(self, parallel, progress, cancelled) -> bool:
        try:
            self.release.wait(10)
            try:
                progress(1, 1)
            except Exception as exc:  # noqa: BLE001 - what the tests look at
                self.failed = exc
                raise
            return True
        finally:
            self.done.set()


async def test_leaving_compare_while_it_aligns_drops_the_workers_last_calls(tmp_path, monkeypatch):
    """q while aligning: the worker's progress and 'aligned' calls come after the screen's widgets are gone.

    They are dropped, and the worker ends quietly. Before, its progress call failed in the worker (the
    screen out of the app's tree: NoActiveAppError); the app only missed it because Textual had cancelled
    the worker by then (see the next test for when it has not)."""
    import asyncio

    from reader.align import ParallelSet

    held = _Held()
    monkeypatch.setattr(ParallelSet, "build", lambda self, progress, cancelled: held(self, progress, cancelled))
    app = make_app(tmp_path, [EN, AR])
    async with app.run_test(size=(120, 36)) as pilot:
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is not compare
        held.release.set()
        assert await asyncio.to_thread(held.done.wait, 10)
        await pilot.pause()
        assert held.failed is None
        assert compare.parallel is None  # the 'aligned' call was dropped too
    assert app.return_code in (None, 0)


async def test_quitting_while_compare_aligns_drops_the_workers_last_calls(tmp_path, monkeypatch):
    """The app quits while aligning (the CI failure of stop 35): the worker is let go in the middle of the
    screen's removal, when its children are already gone. Its calls are dropped, not a NoMatches crash."""
    import asyncio

    from reader.align import ParallelSet

    held = _Held()
    monkeypatch.setattr(ParallelSet, "build", lambda self, progress, cancelled: held(self, progress, cancelled))

    async def on_unmount(self) -> None:  # Textual dispatches to it from the class
        held.release.set()
        await asyncio.to_thread(held.done.wait, 10)

    monkeypatch.setattr(CompareScreen, "on_unmount", on_unmount, raising=False)
    app = make_app(tmp_path, [EN, AR])
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
    assert held.done.is_set()
