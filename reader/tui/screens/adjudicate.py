"""Adjudication: review the annotators' layers and build the gold layer, from the keyboard.

Two screens, on the model of Prodigy's ``review`` and INCEpTION's curation:

* :class:`ReviewScreen` lists the documents that at least two annotators
  worked on, with their review progress (clusters decided / clusters) and
  disagreements; enter opens one.
* :class:`AdjudicationScreen` shows one document as a list of *clusters*
  (overlapping spans, whoever made them). Each cluster shows its text, then
  one lane per annotator with their version, then the gold lane; a
  disagreement is marked ≠. Keys: 1-9 accept that annotator's version into the
  gold layer, ``a`` accepts every agreed cluster at once, ``x`` decides "no
  span here", ``e`` changes the gold span's label, ``[``/``]`` move its start
  and ``{``/``}`` its end by a word, ``s``/``n`` skip to the next undecided
  disagreement, ``u`` undoes.

Everything goes through :mod:`reader.teams.adjudication` and the store API.
"""
from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from reader.teams.adjudication import GOLD, Cluster, Review, accept, accept_agreed, build_review, move_edge, reviews
from reader.errors import ReaderError, StoreConflictError
from reader.labels import LabelSet
from reader.model import Annotation, Document
from reader.text import inert, one_line
from reader.tui.dialogs.labelpicker import LabelPicker
from reader.tui.host import reader_app

CONTEXT = 30  # characters of text shown around a cluster


def _document(node: Screen[Any], doc_id: str) -> Document | None:
    corpus = reader_app(node).corpus
    return corpus.get(doc_id) if corpus is not None else None


class AdjudicationScreen(Screen[None]):
    """One document's clusters, each annotator in a lane, and the gold lane."""

    CSS_PATH = "adjudicate.tcss"
    BINDINGS = [
        Binding("q", "back", "Back", tooltip="Back to the review list", id="adjudicate.back"),
        Binding("escape", "back", "Back", show=False, id="adjudicate.back_escape"),
        *[Binding(str(i), f"accept_lane({i})", f"Accept annotator {i}", show=i <= 2, key_display=str(i),
                  id=f"adjudicate.accept{i}") for i in range(1, 10)],
        Binding("a", "accept_agreed", "Accept all agreed", id="adjudicate.agreed"),
        Binding("x", "no_span", "No span here", id="adjudicate.no_span"),
        Binding("e", "edit_label", "Edit gold label", id="adjudicate.edit"),
        Binding("left_square_bracket", "move_edge('start-')", "Gold span: start a word earlier", key_display="[",
                show=False, id="adjudicate.start_earlier"),
        Binding("right_square_bracket", "move_edge('start+')", "Gold span: start a word later", key_display="]",
                show=False, id="adjudicate.start_later"),
        Binding("left_curly_bracket", "move_edge('end-')", "Gold span: end a word earlier", key_display="{",
                show=False, id="adjudicate.end_earlier"),
        Binding("right_curly_bracket", "move_edge('end+')", "Gold span: end a word later", key_display="}",
                show=False, id="adjudicate.end_later"),
        Binding("s", "skip", "Skip", tooltip="Next undecided disagreement", id="adjudicate.skip"),
        Binding("n", "skip", "Next disagreement", show=False, id="adjudicate.next"),
        Binding("u", "undo", "Undo", id="adjudicate.undo"),
    ]

    def __init__(self, doc_id: str, *, annotators: list[str] | None = None, gold: str = GOLD) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.annotators = annotators
        self.gold = gold
        self.review: Review | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="adjudicate-summary")
        yield OptionList(id="clusters")
        yield Footer()

    def on_mount(self) -> None:
        doc = _document(self, self.doc_id)
        self.title = one_line(f"Adjudicate: {doc.title if doc is not None and doc.title else self.doc_id}", 80)
        self.reload()
        self.query_one(OptionList).focus()

    # ----------------------------------------------------------------- drawing

    def reload(self, keep: int | None = None) -> None:
        store = reader_app(self).store
        self.review = build_review(store, self.doc_id, annotators=self.annotators, gold=self.gold)
        options = self.query_one(OptionList)
        current = options.highlighted if keep is None else keep
        options.clear_options()
        options.add_options([Option(self._cluster_text(i, c), id=str(i)) for i, c in enumerate(self.review.clusters)])
        if self.review.clusters:
            options.highlighted = min(current or 0, len(self.review.clusters) - 1)
        self._summary()

    def _summary(self) -> None:
        review = self.review
        assert review is not None
        lanes = ", ".join(f"{i} {w}" for i, w in enumerate(review.annotators, 1))
        text = (f"{review.progress} decided · {review.disagreements} disagreement(s) · "
                f"lanes: {lanes or 'none'} · gold layer: {review.gold}")
        self.query_one("#adjudicate-summary", Static).update(Text(one_line(text, 300)))

    def _cluster_text(self, index: int, cluster: Cluster) -> Text:
        review = self.review
        assert review is not None
        doc = _document(self, self.doc_id)
        text = doc.text if doc is not None else ""
        out = Text()
        mark = "=" if cluster.agreed else "≠"
        state = "decided" if cluster.resolved else ("agreed" if cluster.agreed else "DISAGREEMENT")
        out.append(f"{mark} {index + 1}. {cluster.start}–{cluster.end} {state}\n", style="bold" if not cluster.agreed else "")
        before = inert(text[max(0, cluster.start - CONTEXT):cluster.start]).replace("\n", " ")
        inside = inert(text[cluster.start:cluster.end]).replace("\n", " ")
        after = inert(text[cluster.end:cluster.end + CONTEXT]).replace("\n", " ")
        out.append("   …" + before, style="dim")
        out.append(inside, style="reverse")
        out.append(after + "…\n", style="dim")
        labels = reader_app(self).labels
        width = max([len(w) for w in review.annotators] + [len(review.gold)])
        for n, who in enumerate(review.annotators, 1):
            out.append(f"   {n} {who.ljust(width)}  ")
            self._lane(out, cluster.spans.get(who, []), text, labels)
        out.append(f"   ★ {review.gold.ljust(width)}  ", style="bold")
        if cluster.gold:
            self._lane(out, cluster.gold, text, labels)
        else:
            out.append("no span (decided)\n" if cluster.decided_empty else "— undecided\n", style="italic")
        return out

    @staticmethod
    def _lane(out: Text, spans: list[Annotation], text: str, labels: LabelSet) -> None:
        if not spans:
            out.append("—\n", style="dim")
            return
        for i, a in enumerate(spans):
            if i:
                out.append("  ")
            out.append(f"[{a.label}]", style=f"bold {labels.color(a.label)}")
            out.append(f" {a.start}–{a.end} «{one_line(inert(text[a.start:a.end]), 40)}»")
        out.append("\n")

    # ----------------------------------------------------------------- actions

    def _current(self) -> Cluster | None:
        index = self.query_one(OptionList).highlighted
        if self.review is None or index is None or not (0 <= index < len(self.review.clusters)):
            return None
        return self.review.clusters[index]

    def _do(self, what: Callable[..., object], *args: object, **kwargs: object) -> bool:
        """Run one change and show the review again; False when it was refused. A decision
        another reviewer made first: their one line ("carol decided this cluster 4 s ago;
        reloaded"), and the store polls at once so the review shows their decision."""
        ok = False
        try:
            what(*args, **kwargs)
            ok = True
        except StoreConflictError as exc:
            self.notify(one_line(exc.line, 300), title="Conflict", severity="warning", markup=False, timeout=10)
            try:
                reader_app(self).store.refresh()
            except ReaderError as again:  # offline: the next poll brings it
                reader_app(self).report_error(again)
        except ReaderError as exc:
            reader_app(self).report_error(exc)
        self.reload()
        return ok

    def action_back(self) -> None:
        self.dismiss(None)

    def action_accept_lane(self, n: int) -> None:
        cluster = self._current()
        if cluster is None or self.review is None:
            return
        if not (1 <= n <= len(self.review.annotators)):
            self.notify(f"there is no annotator {n} here", severity="warning")
            return
        if self._do(accept, reader_app(self).store, self.review, cluster, self.review.annotators[n - 1]):
            self.action_skip()

    def action_no_span(self) -> None:
        cluster = self._current()
        if cluster is not None and self.review is not None:
            if self._do(accept, reader_app(self).store, self.review, cluster, ""):
                self.action_skip()

    def action_accept_agreed(self) -> None:
        review = self.review
        if review is None:
            return
        added: list[int] = []
        if self._do(lambda: added.append(accept_agreed(reader_app(self).store, review))):
            self.notify(f"{added[0] if added else 0} agreed span(s) accepted into {self.gold}")

    def action_skip(self) -> None:
        """Move to the next undecided disagreement (wrapping around)."""
        if self.review is None or not self.review.clusters:
            return
        options = self.query_one(OptionList)
        start = options.highlighted or 0
        count = len(self.review.clusters)
        for step in range(1, count + 1):
            i = (start + step) % count
            c = self.review.clusters[i]
            if not c.resolved and not c.agreed:
                options.highlighted = i
                return
        self.notify("no undecided disagreement left" + ("; press a to accept the agreed spans" if
                    any(not c.resolved for c in self.review.clusters) else ""))

    def _gold_here(self, then: str) -> Annotation | None:
        """The gold span of the cluster under the cursor; without one, say to accept a version first."""
        cluster = self._current()
        if cluster is None:
            return None
        if not cluster.gold:
            self.notify(f"accept a version first (1-9), then {then}", severity="warning")
            return None
        return cluster.gold[0]

    def action_edit_label(self) -> None:
        target = self._gold_here("edit its label")
        if target is None:
            return

        def done(label: str | None) -> None:
            if label and label != target.label:
                self._do(reader_app(self).store.update, target.id, label=label)

        self.app.push_screen(LabelPicker(reader_app(self).labels, target.label), done)

    def action_move_edge(self, edge: str) -> None:
        """Move one edge of the gold span by a word (the annotators' spans stay as they are)."""
        target = self._gold_here("adjust its edges")
        if target is None:
            return
        doc = _document(self, self.doc_id)
        moved = move_edge(doc.text, target.start, target.end, edge) if doc is not None else None
        if moved is None:
            self.notify("the gold span cannot move that way", severity="warning")
            return
        start, end = moved
        self._do(reader_app(self).store.update, target.id, start=start, end=end)
        self.notify(f"gold span {start}–{end} «{one_line(inert(doc.text[start:end]) if doc else '', 50)}»", timeout=3)

    def action_undo(self) -> None:
        self._do(reader_app(self).store.undo)


class ReviewScreen(Screen[None]):
    """Documents worked on by two or more annotators, with their review progress."""

    CSS_PATH = "adjudicate.tcss"
    BINDINGS = [
        Binding("q", "back", "Back", tooltip="Back to the library", id="review.back"),
        Binding("escape", "back", "Back", show=False, id="review.back_escape"),
    ]

    def __init__(self, *, gold: str = GOLD) -> None:
        super().__init__()
        self.gold = gold
        self.doc_ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Documents to adjudicate (enter opens one)", id="review-summary")
        yield OptionList(id="review-docs")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Review"
        self.reload()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = reader_app(self)
        corpus = app.corpus
        found = reviews(app.store, gold=self.gold)
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        self.doc_ids = [d.id for d in corpus.documents if d.id in found] if corpus is not None else []
        for doc_id in self.doc_ids:
            review = found[doc_id]
            doc = _document(self, doc_id)
            state = "done" if review.done else f"{review.progress} decided"
            line = Text(f"{state:>14}  {review.disagreements:>3} ≠  ")
            line.append(one_line(inert(doc.title if doc is not None and doc.title else doc_id), 60))
            line.append(f"  ({', '.join(review.annotators)})", style="dim")
            options.add_option(Option(line, id=doc_id))
        if not self.doc_ids:
            self.query_one("#review-summary", Static).update(
                "No document has been annotated by two annotators yet (merge their stores, or share a PostgreSQL store)")
        else:
            options.highlighted = min(keep or 0, len(self.doc_ids) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(AdjudicationScreen(event.option.id, gold=self.gold))

    def action_back(self) -> None:
        self.dismiss(None)
