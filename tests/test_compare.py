"""Compare screen: panes, focus with tab, tagging/search/copy per pane, RTL header, sync scroll."""
from __future__ import annotations

from reader.tui.pane import DocumentPane
from reader.tui.screens.compare import CompareScreen
from reader.tui.textview import AnnotatedTextView
from tests.reading_harness import HostApp, copy_seeds

EN = "001_228d26dd8dd40e62"
AR = "003_744b85a45d014b40"
IT = "000_9d99caadc18c77c5"


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


async def test_rtl_header_and_sync_scroll(tmp_path):
    app = make_app(tmp_path, [EN, AR])
    async with app.run_test(size=(120, 20)) as pilot:
        panes = app.screen.query(DocumentPane)
        doc = app.corpus.get(AR)
        doc.lang = "ar"
        panes[1].update_header()
        assert "RTL" in str(panes[1].query_one(".pane-header").render())
        assert "RTL" not in str(panes[0].query_one(".pane-header").render())
        await pilot.press("S", "pagedown", "pagedown")
        await pilot.pause()
        left, right = panes[0].view, panes[1].view
        assert left.scroll_offset.y > 0
        assert right.scroll_offset.y > 0
        assert abs(left.scroll_fraction - right.scroll_fraction) < 0.1
        await pilot.press("S", "ctrl+home")
        await pilot.pause()
        assert left.scroll_offset.y == 0 and right.scroll_offset.y > 0
