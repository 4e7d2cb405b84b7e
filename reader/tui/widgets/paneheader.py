"""PaneHeader: the two header lines of a document pane, drawn from reactives.

Line 1: language (and RTL), title, the language of the paragraph under the
cursor when it differs. Line 2: per-label counts, suggestions, orphans and
the modes (mark, word snap, suggestion jumps, search, file gone).
:meth:`PaneHeader.show` sets them from a document and its view;
:func:`position_text` is the pane's position line (line, offset, percent, language).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from reader.labels import LabelSet
from reader.model import Document
from reader.text import inert, one_line

if TYPE_CHECKING:  # pragma: no cover
    from reader.controller import Counts
    from reader.tui.widgets.textview import AnnotatedTextView

RTL_LANGS = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku", "ckb", "iw"}


def is_rtl_lang(lang: str | None) -> bool:
    return bool(lang) and str(lang).split("-")[0].lower() in RTL_LANGS


#: labels always shown in the header (the others when used in the document)
HEADER_LABELS = 9


class PaneHeader(Static):
    DEFAULT_CSS = """
    PaneHeader > .pane-header--lang { text-style: bold reverse; }
    PaneHeader > .pane-header--rtl { background: $warning; color: $background; text-style: bold; }
    PaneHeader > .pane-header--flags { text-style: bold; }
    PaneHeader > .pane-header--orphaned { color: $error; text-style: bold; }
    """
    COMPONENT_CLASSES = {"pane-header--lang", "pane-header--rtl", "pane-header--flags", "pane-header--orphaned"}

    lang: reactive[str] = reactive("unknown")
    title: reactive[str] = reactive("")
    para_lang: reactive[str] = reactive("")
    counts: reactive[tuple[tuple[str, int], ...]] = reactive(())
    suggested: reactive[int] = reactive(0)
    orphaned: reactive[int] = reactive(0)
    flags: reactive[tuple[str, ...]] = reactive(())

    def __init__(self, labels: LabelSet, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.labels = labels

    def show(self, doc: Document, view: AnnotatedTextView, counts: Counts, *, suggestions_only: bool = False,
             query: str = "", vanished: bool = False) -> str:
        """Show ``doc`` with the cursor of ``view``; returns the language at the cursor
        (the paragraph's, else the document's, else "unknown")."""
        self.lang = doc.lang or "unknown"
        self.title = doc.title or doc.id
        para = doc.paragraph_at(view.cursor) if doc.paragraphs else None
        self.para_lang = para.lang if para is not None and para.lang else ""
        self.counts = tuple(counts.accepted.items())
        self.suggested = counts.total_suggested
        self.orphaned = counts.orphaned
        flags = []
        if view.mark_mode:
            flags.append("MARK")
        if view.word_snap:
            flags.append("WORDS")
        if suggestions_only:
            flags.append("JUMP:SUGG")
        if query:
            flags.append(f"/{one_line(query, 30)} {match_position(view)}")
        if vanished:
            flags.append("FILE GONE")
        self.flags = tuple(flags)
        return self.para_lang or self.lang

    def render(self) -> Text:
        style = self.get_component_rich_style
        header = Text(no_wrap=True, overflow="ellipsis")
        lang = self.lang or "unknown"
        header.append(f" {inert(lang).upper()} ", style=style("pane-header--lang"))
        if is_rtl_lang(lang):
            header.append(" RTL ", style=style("pane-header--rtl"))
        header.append(" ")
        header.append(one_line(self.title, 80), style="bold")
        if self.para_lang and self.para_lang != lang:
            header.append(f"  ¶ {inert(self.para_lang)}", style="italic")
        header.append("\n")
        counts = dict(self.counts)
        # bounded work per render (it follows the cursor): the first labels and those
        # used in this document, never a loop over a set of 1,000 labels
        for label in self.labels.labels[:HEADER_LABELS]:
            header.append(f" {inert(label.name)} {counts.pop(label.name, 0)} ", style=f"on {label.color}")
            header.append(" ")
        for name, n in counts.items():
            known = self.labels.get(name)
            header.append(f" {inert(name)} {n} ", style=f"on {known.color}" if known else "")
            header.append(" ")
        if len(self.labels) > HEADER_LABELS:
            header.append(f" +{len(self.labels) - HEADER_LABELS} labels (T) ", style="dim")
        if self.suggested:
            header.append(f" {self.suggested} suggested ", style="italic underline")
        if self.orphaned:
            header.append(f" {self.orphaned} orphaned ", style=style("pane-header--orphaned"))
        if self.flags:
            header.append("  " + " ".join(self.flags), style=style("pane-header--flags"))
        return header


def match_position(view: AnnotatedTextView) -> str:
    """"i/n" when the selection is the i-th of n search matches, else "n"."""
    total = len(view.search_matches)
    sel = view.selection
    index = view.search_matches.index_of(*sel) if sel else None
    return f"{index + 1}/{total}" if index is not None else f"{total}"


def position_text(view: AnnotatedTextView, para_lang: str, width: int | None = None) -> Text:
    """The pane's position line: line, offset, percent through, the language at the cursor.

    In ``width`` cells (a narrow compare pane) the longest form that fits, dropping the line and
    then the offset, so the language is never cut ("¶ i")."""
    text = view.text
    line = view.line_of(view.cursor) + 1
    pct = 100 * view.cursor // len(text) if text else 100
    lang = f"¶ {one_line(para_lang, 12)}"
    forms = (
        f"ln {line}/{view.line_count} · {view.cursor} · {pct}% · {lang}",
        f"{view.cursor} · {pct}% · {lang}",
        f"{pct}% · {lang}",
        lang,
    )
    chosen = forms[0] if width is None else next((f for f in forms if len(f) <= width), forms[-1])
    return Text(chosen, no_wrap=True)
