"""CompareScreen: two to four documents side by side, each a full DocumentPane, scrolled by alignment.

Synchronised scrolling is on by default (``S`` toggles it; the status bar at
the top says which). The documents are aligned in a worker by
:class:`reader.align.ParallelSet` (counterpart passages from shared facts,
gaps filled by the length model); until then, and where nothing aligns, the
panes follow proportionally. Moving the cursor or scrolling (key or mouse
wheel) in any pane brings the aligned place of every other pane to the same
screen row. ``g`` jumps the other panes to the best counterpart of the passage
under the cursor, even out of order; ``G`` lists every counterpart with its reasons.
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from reader.align import Alignment, Counterpart, ParallelSet
from reader.align.facts import STRONG
from reader.align.links import Proposal, counterpart_spans
from reader.errors import ReaderError
from reader.model import Annotation
from reader.tui.host import reader_app
from reader.tui.threads import to_ui
from reader.tui.widgets.keybar import COMPARE_CURATED, KeyBar
from reader.tui.widgets.pane import DocumentPane
from reader.tui.dialogs.pick import PickDialog
from reader.tui.widgets.textview import AnnotatedTextView


class CompareScreen(Screen[None]):
    """Read and tag 2-4 documents side by side, scrolled together by their alignment."""

    CSS_PATH = ["reading.tcss", "compare.tcss"]
    BINDINGS = [
        Binding("tab", "focus_pane(1)", "Next pane", priority=True),
        Binding("shift+tab", "focus_pane(-1)", "Previous pane", show=False, priority=True),
        Binding("S", "toggle_sync", "Sync", tooltip="Scroll the panes together by their alignment (on by default)"),
        Binding("g", "goto_counterpart", "Counterpart",
                tooltip="Bring each other pane to the best counterpart of the passage under the cursor"),
        Binding("G", "list_counterparts", "All counterparts", show=False,
                tooltip="List every counterpart of the passage under the cursor, with the reasons"),
        Binding("k", "link", "Link",
                tooltip="Propose counterparts of the span under the cursor in the other panes and link the one you pick"),
        Binding("K", "links", "Span links", show=False,
                tooltip="List the links of the span under the cursor: accept or reject suggested ones, unlink others"),
        Binding("q", "back", "Back"),
    ]

    def __init__(self, doc_ids: list[str] | tuple[str, ...]) -> None:
        super().__init__()
        self.doc_ids = list(doc_ids)[:4]
        self.sync = True
        self.parallel: ParallelSet | None = None
        self._expected: dict[str, int] = {}  # pane id -> scroll row we set (not the user's scroll)
        self._active = 0

    @property
    def panes(self) -> list[DocumentPane]:
        return list(self.query(DocumentPane))

    def compose(self) -> ComposeResult:
        yield Static(id="compare-status")
        with Horizontal(id="panes"):
            for i, doc_id in enumerate(self.doc_ids):
                yield DocumentPane(doc_id, show_panel=False, id=f"pane-{i}", classes="compare-pane")
        # the curated bar, not Textual's Footer (which never reached 1-4, tab, S, g or k: issue 22)
        yield KeyBar(reader_app(self).labels, curated=COMPARE_CURATED)

    def on_mount(self) -> None:
        if len(self.doc_ids) < 2:
            self.app.notify("Compare needs two to four documents; showing what there is", severity="warning", markup=False)
        panes = self.panes
        if panes:
            panes[0].view.focus()
            panes[0].add_class("-active")
        self.title = "Compare: " + " | ".join(self.doc_ids)
        self._show_status("aligning…")
        self._align()

    # ------------------------------------------------------------ alignment
    @work(thread=True, exclusive=True, group="align")
    def _align(self) -> None:
        docs = []
        corpus = reader_app(self).corpus
        for doc_id in self.doc_ids:
            doc = corpus.get(doc_id) if corpus is not None else None
            if doc is not None:
                docs.append((doc_id, doc.text, doc.known_lang))
        parallel = ParallelSet(docs)
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            to_ui(self, self._show_status, f"aligning… {done}/{total}")

        if parallel.build(progress, lambda: worker.is_cancelled):
            to_ui(self, self._aligned, parallel)

    def _aligned(self, parallel: ParallelSet) -> None:
        self.parallel = parallel
        reader_app(self).settle_heap()  # the facts and alignments stay while the screen is open
        self._show_status()
        self._shade()
        if self.sync:
            self._follow(self._active_view())

    def _show_status(self, work: str = "") -> None:
        parts = [f"sync {'on' if self.sync else 'off'} (S)"]
        if work:
            parts.append(work)
        elif (parallel := self.parallel) is not None:
            anchors = sum(len(al.anchors) for i, a in enumerate(parallel.doc_ids) for b in parallel.doc_ids[i + 1:]
                          if (al := parallel.alignment(a, b)) is not None)
            parts.append(f"aligned by shared facts: {anchors} anchor passage pairs · g counterpart · G list")
        self.query_one("#compare-status", Static).update(" · ".join(parts))

    def alignment(self, src: DocumentPane, dst: DocumentPane) -> Alignment | None:
        return self.parallel.alignment(src.doc_id, dst.doc_id) if self.parallel else None

    # ------------------------------------------------------------ focus
    def _pane_of(self, view: AnnotatedTextView) -> DocumentPane | None:
        for pane in self.panes:
            if pane.view is view:
                return pane
        return None

    def _focused_index(self) -> int:
        focused = self.focused
        for i, pane in enumerate(self.panes):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return i
        return self._active

    def _active_view(self) -> AnnotatedTextView:
        return self.panes[self._focused_index()].view

    def on_descendant_focus(self) -> None:
        """The highlighted header follows the focus, however it moved (tab, shift+tab, click)."""
        i = self._focused_index()
        for k, pane in enumerate(self.panes):
            pane.set_class(k == i, "-active")
        self._active = i
        # the highlight shows at once; the passage shading (it may align the documents) after it
        self.call_after_refresh(self._shade)

    def action_focus_pane(self, step: int) -> None:
        panes = self.panes
        if not panes:
            return
        i = (self._focused_index() + step) % len(panes)
        panes[i].view.focus()

    # ------------------------------------------------------------ sync
    def action_toggle_sync(self) -> None:
        self.sync = not self.sync
        self._show_status()
        self.notify(f"Synchronised scrolling {'on' if self.sync else 'off'}", timeout=2)
        if self.sync and self.panes:
            self._follow(self._active_view())

    @staticmethod
    def _reference(view: AnnotatedTextView) -> int:
        """The offset the other panes line up with: the cursor when it shows, else the middle row."""
        top = int(view.scroll_offset.y)
        height = max(1, view.scrollable_content_region.height)
        if top <= view.row_of_offset(view.cursor) < top + height:
            return view.cursor
        return view.offset_at(0, height // 2)

    def _scroll(self, pane: DocumentPane, y: int) -> None:
        view = pane.view
        before = int(view.scroll_offset.y)
        view.scroll_to(y=max(0, y), animate=False, immediate=True)
        if int(view.scroll_offset.y) != before:
            self._expected[pane.id or ""] = int(view.scroll_offset.y)

    def _follow(self, source: AnnotatedTextView, offset: int | None = None) -> None:
        """Bring every other pane's aligned place to the screen row of ``offset`` in ``source``."""
        src = self._pane_of(source)
        if src is None:
            return
        ref = self._reference(source) if offset is None else offset
        row = source.row_of_offset(ref) - int(source.scroll_offset.y)
        row_start, row_end = source.offset_at(0, row), source.offset_at(0, row + 1)
        for pane in self.panes:
            if pane is src:
                continue
            al = self.alignment(src, pane)
            if al is None:  # not aligned yet: proportional
                target = round(ref / max(1, len(source.text)) * len(pane.view.text))
            else:
                # a figure or passage edge on the reference row lines up exactly; else interpolate
                anchor = al.anchor_in(row_start, max(row_end, row_start + 1))
                target = al.to_b(ref if anchor is None else anchor)
            self._scroll(pane, pane.view.row_of_offset(target) - row)

    @on(AnnotatedTextView.CursorMoved)
    def _cursor_moved(self, event: AnnotatedTextView.CursorMoved) -> None:
        if self.focused is event.view:  # has_focus turns true only once the Focus event is handled
            self._shade()
            if self.sync:
                self._follow(event.view, event.offset)

    def _shade(self) -> None:
        """Shade the passage under the cursor and its counterparts in the other panes."""
        panes = self.panes
        if self.parallel is None or not panes:
            return
        src = panes[self._focused_index()]
        facts = self.parallel.facts.get(src.doc_id)
        here = facts.passage_at(src.view.cursor) if facts else None
        if here is None or not here.start <= src.view.cursor <= here.end:
            for pane in panes:
                pane.view.set_shade([])
            return
        src.view.set_shade([(here.start, here.end)])
        for pane in panes:
            al = self.alignment(src, pane) if pane is not src else None
            if al is not None:
                pane.view.set_shade([(c.b.start, c.b.end) for c in al.counterparts_of(src.view.cursor)])

    @on(AnnotatedTextView.Scrolled)
    def _scrolled(self, event: AnnotatedTextView.Scrolled) -> None:
        pane = self._pane_of(event.view)
        if pane is None:
            return
        if self._expected.pop(pane.id or "", None) is not None:
            return  # our own scroll, not the user's
        if self.sync:
            self._follow(event.view)

    # ------------------------------------------------------------ counterparts
    def counterparts_here(self) -> list[tuple[DocumentPane, Counterpart]]:
        """Every counterpart of the passage under the cursor in the other panes, best first per
        pane; a counterpart that shares the fact under the cursor comes first."""
        panes = self.panes
        if not panes or self.parallel is None:
            return []
        src = panes[self._focused_index()]
        cursor = src.view.cursor
        out = []
        for pane in panes:
            al = self.alignment(src, pane) if pane is not src else None
            if al is not None:
                found = al.counterparts_of(cursor)
                found.sort(key=lambda c: not any(x.start <= cursor < max(x.end, x.start + 1) for x, _ in c.shared))
                out += [(pane, c) for c in found]
        return out

    @staticmethod
    def matching_fact(c: Counterpart, cursor: int) -> int:
        """Where, in the counterpart, the fact nearest the cursor is stated (the fact under the
        cursor when there is one); the counterpart's start when they share none."""
        if not c.shared:
            return c.b.start
        x, y = min(c.shared, key=lambda xy: (not xy[0].start <= cursor < max(xy[0].end, xy[0].start + 1),
                                             abs(xy[0].start - cursor)))
        return y.start

    def _same_fact(self, src: DocumentPane, pane: DocumentPane) -> tuple[int, str] | None:
        """No counterpart passage in ``pane``: the same money, date or percentage as the one under
        (or nearest) the cursor, stated anywhere in ``pane`` (the nearest to where sync would go)."""
        assert self.parallel is not None
        al = self.alignment(src, pane)
        facts = self.parallel.facts.get(src.doc_id)
        if al is None or facts is None:
            return None
        cursor = src.view.cursor
        here = facts.passage_at(cursor)
        if here is None:
            return None
        strong = [f for f in facts.facts[here.index].values() if f.kind in STRONG]
        if not strong:
            return None
        gap = min(max(f.start - cursor, cursor - f.end, 0) for f in strong)
        keys = [f for f in strong if max(f.start - cursor, cursor - f.end, 0) == gap]  # under or nearest the cursor
        near = al.to_b(cursor)
        best: tuple[int, int, str] | None = None
        for fact in keys:
            for found in al.b.facts:
                y = found.get(fact.key)
                if y is not None and (best is None or abs(y.start - near) < best[0]):
                    best = (abs(y.start - near), y.start, f"states {fact.shown} too")
        return None if best is None else (best[1], best[2])

    def action_goto_counterpart(self) -> None:
        if self.parallel is None:
            self.notify("Still aligning the documents…", timeout=2, markup=False)
            return
        panes = self.panes
        src = panes[self._focused_index()]
        source = src.view
        row = source.row_of_offset(source.cursor) - int(source.scroll_offset.y)
        best: dict[str, tuple[int, str]] = {}
        for pane, c in self.counterparts_here():
            best.setdefault(pane.id or "", (self.matching_fact(c, source.cursor), c.why))
        for pane in panes:
            if pane is not src and (pane.id or "") not in best and (same := self._same_fact(src, pane)):
                best[pane.id or ""] = same
        if not best:
            self.notify("No counterpart shares a figure, name or quote with this passage.", timeout=3, markup=False)
            return
        for pane in panes:  # the matching fact on the cursor's row
            if (pane.id or "") in best:
                target = best[pane.id or ""][0]
                self._scroll(pane, pane.view.row_of_offset(target) - row)
                pane.view.move_to(target)
        self.notify("; ".join(dict.fromkeys(why for _, why in best.values())), timeout=4, markup=False)

    def _describe(self, pane: DocumentPane) -> str:
        """A document as people name it: its language and title."""
        doc = pane.doc
        title = " ".join((doc.title or doc.id).split())
        title = title if len(title) <= 40 else title[:39] + "…"
        return f"{(doc.lang or '?').upper()} · {title}"

    def action_list_counterparts(self) -> None:
        if self.parallel is None:
            self.notify("Still aligning the documents…", timeout=2, markup=False)
            return
        source = self._active_view()
        row = source.row_of_offset(source.cursor) - int(source.scroll_offset.y)
        rows = []
        for pane, c in self.counterparts_here():
            snippet = " ".join(pane.view.text[c.b.start:c.b.end].split())
            snippet = snippet if len(snippet) <= 60 else snippet[:59] + "…"
            facts = ", ".join(dict.fromkeys(" ".join(y.shown.split()) for _, y in c.shared[:4]))
            rows.append((f"{self._describe(pane)} — {c.why} — shares {facts} — “{snippet}”",
                         (pane, self.matching_fact(c, source.cursor))))

        def chosen(choice: tuple[DocumentPane, int] | None) -> None:
            if choice is not None:
                pane, offset = choice
                self._scroll(pane, pane.view.row_of_offset(offset) - row)
                pane.view.move_to(offset)

        self.app.push_screen(PickDialog("Counterparts of this passage: language · title — why — shared facts", rows,
                                        empty="No passage of the other documents shares a figure, name or quote with this one."),
                             chosen)

    # ------------------------------------------------------------ links
    def _span_here(self) -> tuple[DocumentPane, Annotation] | None:
        panes = self.panes
        if not panes:
            return None
        src = panes[self._focused_index()]
        ann = src.annotation_at(src.view.cursor)
        if ann is None:
            self.notify("Put the cursor on a tagged span first (select text, then 1-4).", timeout=3, markup=False)
            return None
        return src, ann

    def _lang(self, doc_id: str) -> str | None:
        corpus = reader_app(self).corpus
        doc = corpus.get(doc_id) if corpus is not None else None
        return doc.known_lang if doc is not None else None

    def link_proposals(self, src: DocumentPane, ann: Annotation) -> list[tuple[DocumentPane, Proposal]]:
        """Counterpart spans of ``ann`` in every other pane, best first per pane, not yet linked to it."""
        store = reader_app(self).store
        linked = {ln.other(ann.id) for ln in store.links_of(ann.id, statuses=("accepted",))}
        out = []
        for pane in self.panes:
            al = self.alignment(src, pane) if pane is not src else None
            if al is None:
                continue
            for p in counterpart_spans(al, pane.view.text, self._lang(pane.doc_id), ann,
                                       store.for_document(pane.doc_id), self._lang(src.doc_id)):
                if p.ann_id not in linked:
                    out.append((pane, p))
        return out

    def action_link(self) -> None:
        if self.parallel is None:
            self.notify("Still aligning the documents…", timeout=2, markup=False)
            return
        here = self._span_here()
        if here is None:
            return
        src, ann = here
        found = self.link_proposals(src, ann)
        best: dict[str, tuple[DocumentPane, Proposal]] = {}
        for pane, p in found:
            best.setdefault(pane.id or "", (pane, p))
        rows: list[tuple[str, list[tuple[DocumentPane, Proposal]]]] = []
        if len(best) > 1:
            rows.append((f"Link the best counterpart in each other pane ({len(best)})", list(best.values())))
        store = reader_app(self).store
        for pane, p in found:
            other = store.get(p.ann_id) if p.ann_id else None
            kind = "new span" if other is None else ("suggested, accepted on linking" if other.status == "suggested" else "annotated")
            rows.append((f"{pane.doc_id}  {kind}: {' '.join(p.text.split())[:50]}  — {p.reason}", [(pane, p)]))
        self.app.push_screen(
            PickDialog(f"Link {ann.label} “{' '.join(ann.text.split())[:40]}” to…", rows,
                       empty="No counterpart found: no span with the same value, label or quote in the aligned passages."),
            lambda chosen: self._link(ann, chosen) if chosen else None)

    def _link(self, ann: Annotation, chosen: list[tuple[DocumentPane, Proposal]]) -> None:
        store = reader_app(self).store
        done = []
        try:
            for pane, p in chosen:
                target_id = p.ann_id
                if target_id is None:
                    target_id = store.add(pane.doc_id, p.start, p.end, ann.label).id
                # linking a suggestion accepts it: a link is a decision about both of its ends
                for end_id in (ann.id, target_id):
                    end = store.get(end_id)
                    if end is not None and end.status == "suggested":
                        store.update(end_id, status="accepted")
                store.link(ann.id, target_id)
                done.append(pane.doc_id)
        except ReaderError as exc:
            self.app.notify(str(exc), severity="error", markup=False)
        for pane in self.panes:
            pane.reload_annotations()
        if done:
            self.notify(f"linked {ann.label} with {len(done)} span(s) in {', '.join(done)} (ctrl+z undoes)",
                        timeout=4, markup=False)

    def action_links(self) -> None:
        here = self._span_here()
        if here is None:
            return
        _src, ann = here
        store = reader_app(self).store
        rows: list[tuple[str, tuple[str, str]]] = []
        for ln in store.links_of(ann.id):
            other = store.get(ln.other(ann.id))
            what = f"{other.doc_id}: {' '.join(other.text.split())[:50]}" if other else ln.other(ann.id)
            if ln.status == "suggested":
                rows.append((f"accept suggested link to {what}", ("accept", ln.id)))
                rows.append((f"reject suggested link to {what}", ("reject", ln.id)))
            else:
                rows.append((f"unlink {what}  (by {ln.annotator})", ("unlink", ln.id)))

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            verb, link_id = choice
            try:
                if verb == "accept":
                    store.update_link(link_id, status="accepted")
                else:
                    store.unlink(link_id)
            except ReaderError as exc:
                self.app.notify(str(exc), severity="error", markup=False)
                return
            self.notify(f"{verb}ed link (ctrl+z undoes)" if verb != "unlink" else "unlinked (ctrl+z undoes)",
                        timeout=3, markup=False)

        self.app.push_screen(PickDialog(f"Links of {ann.label} “{' '.join(ann.text.split())[:40]}”", rows,
                                        empty="This span has no links yet (k proposes counterparts)."), chosen)

    # ------------------------------------------------------------ housekeeping
    @on(DocumentPane.Changed)
    def _pane_changed(self, event: DocumentPane.Changed) -> None:
        for pane in self.panes:
            if pane is not event.pane:
                pane.reload_annotations()

    def on_screen_resume(self) -> None:
        for pane in self.panes:
            try:
                pane.check_file()
                pane.reload_annotations()
            except Exception:
                pass

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
