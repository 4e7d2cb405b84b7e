"""What the library shows, without Textual: filter, sort, counts and the cells of a row.

``LibraryModel`` holds the per-document counts (accepted and suggested
annotations), the progress marks and the marked documents; it filters and
sorts the corpus and renders a row's cells as ``rich.text.Text`` for
:class:`reader.tui.widgets.doclist.DocumentList`.

Filter syntax (``Filter.parse``): words of the title or id, ``lang:it``,
``label:salary`` (accepted annotations), ``suggested:quote`` (pending
suggestions), ``status:done`` and ``marked``. Keys and values are
case-insensitive; an unknown status or label is reported, never silently
matched against nothing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from rich.text import Text

from reader.teams.adjudication import AdjudicationStore, build_review, layers_by_document
from reader.lang.language import text_direction
from reader.errors import ReaderError
from reader.labels import LabelSet
from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED, Document
from reader.text import one_line

SORTS: tuple[tuple[str, str], ...] = (
    ("path", "path"),
    ("lang", "language"),
    ("title", "title"),
    ("date", "date"),
    ("size", "size"),
    ("annotations", "annotations"),
    ("status", "progress"),
    ("uncertainty", "suggestion uncertainty, most uncertain first"),
)

STATUS_MARKS = {
    "new": ("○ new", "dim"),
    "in progress": ("◐ in progress", "yellow"),
    "done": ("● done", "green"),
}
STATUS_ALIASES = {"new": "new", "todo": "new", "progress": "in progress", "in-progress": "in progress", "started": "in progress", "done": "done"}
STATUS_RANK = {"new": 0, "in progress": 1, "done": 2}


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 document``, ``2 documents``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


@dataclass
class Filter:
    text: list[str] = field(default_factory=list)
    lang: str | None = None
    label: str | None = None
    suggested: str | None = None
    status: str | None = None
    marked: bool = False
    problems: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, query: str, labels: Iterable[str] = ()) -> "Filter":
        """Parse a filter query. ``labels``: the known label names (matched without case)."""
        known = {name.casefold(): name for name in labels}
        f = cls()
        for token in query.split():
            key, sep, value = token.partition(":")
            key_l = key.lower()
            if sep and key_l in ("lang", "language", "l") and value:
                f.lang = ",".join(v for v in value.lower().split(",") if v)  # lang:it,en,fr,ar
            elif sep and key_l in ("label", "has", "suggested", "sugg") and value:
                name = known.get(value.casefold())
                if known and name is None:
                    f.problems.append(f"unknown label {value!r} ({', '.join(known.values())})")
                elif key_l in ("suggested", "sugg"):
                    f.suggested = name or value
                else:
                    f.label = name or value
            elif sep and key_l in ("status", "is") and value:
                status = STATUS_ALIASES.get(value.lower())
                if status is None:
                    f.problems.append(f"unknown status {value!r} (new, progress, done)")
                else:
                    f.status = status
            elif token.lower() in ("marked", "is:marked"):
                f.marked = True
            else:
                f.text.append(token.lower())
        return f

    @property
    def langs(self) -> list[str]:
        """The languages of ``lang:`` (one, or a comma list)."""
        return self.lang.split(",") if self.lang else []

    @property
    def active(self) -> bool:
        return bool(self.text or self.lang or self.label or self.suggested or self.status or self.marked)


def set_token(query: str, key: str, value: str | None) -> str:
    """Replace (or remove, with ``None``) the ``key:...`` token of a filter query."""
    tokens = [t for t in query.split() if not t.lower().startswith(f"{key}:")]
    if value:
        tokens.append(f"{key}:{value}")
    return " ".join(tokens)


class CountingStore(AdjudicationStore, Protocol):
    """The part of the store the library reads (the review column reads the layers)."""

    @property
    def annotator(self) -> str: ...

    def doc_status(self, doc_id: str) -> str: ...


class LibraryModel:
    """Counts, progress, marks, filter and sort of the library."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.suggested: dict[str, Counter[str]] = {}
        self.statuses: dict[str, str] = {}
        self.layers: dict[str, set[str]] = {}  # doc id: the annotators with accepted spans (not gold)
        self._store: AdjudicationStore | None = None
        self._reviews: dict[str, tuple[int, int] | None] = {}  # review(), per load: only rows drawn pay
        self.marked: list[str] = []
        self.sort_index = 0
        self.sort_reverse = False
        self.filter = Filter()

    # --- data ------------------------------------------------------------------

    def load(self, store: CountingStore, documents: Iterable[Document]) -> ReaderError | OSError | None:
        """Read the counts and progress marks; return the error that left them empty, if any."""
        error: ReaderError | OSError | None = None
        try:
            self.counts = {k: Counter(v) for k, v in (store.count_by_document(statuses=(STATUS_ACCEPTED,)) or {}).items()}
            self.suggested = {k: Counter(v) for k, v in (store.count_by_document(statuses=(STATUS_SUGGESTED,)) or {}).items()}
        except (ReaderError, OSError) as exc:
            self.counts, self.suggested = {}, {}
            error = exc
        statuses: dict[str, str] = {}
        for doc in documents:
            try:
                statuses[doc.id] = store.doc_status(doc.id)
            except (ReaderError, OSError):
                statuses[doc.id] = "new"
        self.statuses = statuses
        self._store, self._reviews = store, {}
        try:
            self.layers = layers_by_document(store)
        except (ReaderError, OSError):
            self.layers = {}
        self._own_layer_counts(store)
        return error

    def _own_layer_counts(self, store: CountingStore) -> None:
        """Where other annotators worked too, count the user's own layer, as the reading screen shows it.

        (Adding every layer together gave "9 ■3 ■1 ■5" for three decisions.) Only
        those documents are read again; the others keep the store's cheap counts.
        """
        own = store.annotator
        for doc_id, who in self.layers.items():
            if len(who) < 2:  # one layer (an import, an old name): counted as is, as the reading screen shows it
                continue
            try:
                anns = store.for_document(doc_id, statuses=(STATUS_ACCEPTED, STATUS_SUGGESTED))
            except (ReaderError, OSError):
                continue
            mine = [a for a in anns if a.annotator == own]
            self.counts[doc_id] = Counter(a.label for a in mine if a.status == STATUS_ACCEPTED)
            self.suggested[doc_id] = Counter(a.label for a in mine if a.status == STATUS_SUGGESTED)

    def review(self, doc_id: str) -> tuple[int, int] | None:
        """(clusters decided, clusters) of a document two or more annotators worked on, else None.
        Built when a row is drawn (not for the whole corpus on every load), once per load."""
        if doc_id not in self._reviews:
            result = None
            if self._store is not None and len(self.layers.get(doc_id, ())) >= 2:
                try:
                    r = build_review(self._store, doc_id)
                    result = (r.resolved, len(r.clusters))
                except (ReaderError, OSError):
                    pass
            self._reviews[doc_id] = result
        return self._reviews[doc_id]

    def known_labels(self, labels: LabelSet) -> list[str]:
        """The label names a filter may name: the label set's and any found in the store."""
        names = list(labels.names)
        seen = set(names)
        for counter in (*self.counts.values(), *self.suggested.values()):
            for name in counter:
                if name not in seen:
                    seen.add(name)
                    names.append(name)
        return names

    def set_filter(self, query: str, labels: LabelSet) -> None:
        self.filter = Filter.parse(query, self.known_labels(labels))

    def total(self, doc_id: str) -> int:
        return sum((self.counts.get(doc_id) or {}).values())

    def total_suggested(self, doc_id: str) -> int:
        return sum((self.suggested.get(doc_id) or {}).values())

    # --- filter and sort ---------------------------------------------------------

    def matches(self, doc: Document) -> bool:
        f = self.filter
        if f.lang and (doc.lang or "").lower() not in f.langs:
            return False
        if f.label and not (self.counts.get(doc.id) or Counter()).get(f.label):
            return False
        if f.suggested and not (self.suggested.get(doc.id) or Counter()).get(f.suggested):
            return False
        if f.status and self.statuses.get(doc.id, "new") != f.status:
            return False
        if f.marked and doc.id not in self.marked:
            return False
        if f.text:
            hay = f"{doc.title}\n{doc.id}\n{doc.date or ''}".lower()
            return all(word in hay for word in f.text)
        return True

    @property
    def sort(self) -> str:
        return SORTS[self.sort_index][0]

    def _uncertainty_key(self) -> Callable[[Document], float]:
        """Most uncertain suggestions first (scores nearest 0.5; the next document teaches the
        most), documents without suggestions last."""
        from reader.suggest.engine import uncertainty

        store = self._store
        cache: dict[str, float] = {}

        def key(d: Document) -> float:
            if d.id not in cache:
                u = None
                if store is not None and self.total_suggested(d.id):
                    try:
                        u = uncertainty(a.score for a in store.for_document(d.id, statuses=(STATUS_SUGGESTED,)))
                    except (ReaderError, OSError):
                        u = None
                cache[d.id] = 1.0 if u is None else -u
            return cache[d.id]

        return key

    def _sort_key(self) -> Callable[[Document], str | int | float] | None:
        column = self.sort
        if column == "uncertainty":
            return self._uncertainty_key()
        keys: dict[str, Callable[[Document], str | int | float]] = {
            "lang": lambda d: d.lang or "",
            "title": lambda d: (d.title or d.id).casefold(),
            "date": lambda d: d.date or "",
            "size": lambda d: d.size,
            "annotations": lambda d: self.total(d.id),
            "status": lambda d: STATUS_RANK.get(self.statuses.get(d.id, "new"), 0),
        }
        return keys.get(column)

    def visible(self, documents: Iterable[Document]) -> list[Document]:
        """The documents that pass the filter, in the chosen order (path order breaks ties)."""
        docs = [d for d in documents if self.matches(d)]
        key = self._sort_key()
        if key is not None:
            docs.sort(key=key, reverse=self.sort_reverse)
        elif self.sort_reverse:
            docs.reverse()
        return docs

    def hidden_suggestions(self, shown: Iterable[str]) -> int:
        """With ``label:X``: how many documents not shown have pending X suggestions."""
        label = self.filter.label
        if not label:
            return 0
        shown_set = set(shown)
        return sum(1 for doc_id, c in self.suggested.items() if c.get(label) and doc_id not in shown_set)

    # --- cells -------------------------------------------------------------------

    def cells(self, doc: Document, labels: LabelSet) -> dict[str, Text]:
        lang, conf = self._lang_cells(doc)
        title = Text(one_line(doc.title or doc.id, 300))
        if doc.imported:
            title.append(" (imported)", style="dim italic")
        return {
            "mark": Text("●", style="bold magenta") if doc.id in self.marked else Text(" "),
            "id": Text(one_line(doc.id, 200), style="dim"),
            "lang": lang,
            "dir": self._direction_cell(doc),
            "conf": conf,
            "title": title,
            "date": Text(one_line(doc.date or "", 10)),
            "size": Text(human_size(doc.size)),
            "annotations": self._counts_cell(doc.id, labels),
            "status": self._status_cell(doc.id),
            "review": self._review_cell(doc.id),
        }

    @staticmethod
    def _direction_cell(doc: Document) -> Text:
        """The script direction: RTL (bold) or LTR; blank while the language is being detected."""
        if doc.lang_source == "pending":
            return Text("")
        if text_direction(doc.lang, doc.text[:2000]) == "rtl":
            return Text("RTL", style="bold")
        return Text("LTR", style="dim")

    @staticmethod
    def _lang_cells(doc: Document) -> tuple[Text, Text]:
        source = doc.lang_source
        if source == "pending":
            return Text("…", style="dim"), Text("")
        lang = doc.lang or "unknown"
        if lang == "unknown":
            return Text("??", style="dim"), Text("")
        badge = Text(one_line(lang.upper(), 4), style="bold")
        if source == "override":
            return badge, Text("set", style="italic dim")
        return badge, Text(f"{round(doc.lang_confidence * 100):d}%", style="dim")

    def _counts_cell(self, doc_id: str, labels: LabelSet) -> Text:
        counts = self.counts.get(doc_id) or Counter()
        total = sum(counts.values())
        pending = self.total_suggested(doc_id)
        if not total and not pending:
            return Text("–", style="dim")
        cell = Text(f"{total:>3}", style="bold")
        # the labels this document uses, in label order: per row, never a loop over all labels
        others = 0
        for name in sorted((name for name, n in counts.items() if n), key=labels.position):
            label = labels.get(name)
            if label is None:
                others += counts[name]
                continue
            cell.append(" ")
            cell.append(f"■{counts[name]}", style=label.color)
        if others > 0:
            cell.append(f" ?{others}", style="dim")
        if pending:
            cell.append(f" + {pending} suggested", style="italic dim")
        return cell

    def _status_cell(self, doc_id: str) -> Text:
        text, style = STATUS_MARKS.get(self.statuses.get(doc_id, "new"), STATUS_MARKS["new"])
        return Text(text, style=style)

    def _review_cell(self, doc_id: str) -> Text:
        """Adjudication progress (clusters decided / clusters) where two or more annotators worked."""
        progress = self.review(doc_id)
        if progress is None:
            return Text("")
        decided, total = progress
        if total and decided == total:
            return Text(f"✓ {decided}/{total}", style="green")
        return Text(f"{decided}/{total}", style="yellow" if decided else "dim")

    # --- status line -------------------------------------------------------------

    def status_line(self, total: int, shown: list[str], not_loaded: int) -> str:
        f = self.filter
        anns = sum(sum(c.values()) for c in self.counts.values())
        pending = sum(sum(c.values()) for c in self.suggested.values())
        parts = [f"{len(shown)} of {plural(total, 'document')}" if f.active else plural(total, "document")]
        parts.append(plural(anns, "annotation") + (f" + {pending} suggested" if pending else ""))
        parts.append(f"sorted by {SORTS[self.sort_index][1]}{' (reversed)' if self.sort_reverse else ''}")
        if self.marked:
            parts.append(f"{len(self.marked)} marked (c compares)")
        if not_loaded:
            parts.append(f"{not_loaded} not loaded")
        hidden = self.hidden_suggestions(shown)
        if hidden:
            parts.append(f"{plural(hidden, 'more document')} with {f.label} suggestions (suggested:{f.label})")
        if f.problems:
            parts.append("filter: " + "; ".join(f.problems))
        return " · ".join(parts)
