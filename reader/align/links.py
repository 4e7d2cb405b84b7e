"""Proposing counterpart spans and links from the alignment (used by the compare screen and
``reader suggest --links``).

For a span (an annotation) of one document, its counterparts in another are:

* an **annotation** of the other document with the same label: for salaries,
  the same normalised value (``reader.amounts``) anywhere in the
  document; for other labels, one inside a counterpart passage of the span's passage;
* for a salary, an **amount** of money with the same value that is not annotated yet;
* for a quote, a **quote** (``reader.suggest.quote``) inside a counterpart passage.

Proposals are ordered: existing annotations first, then by the score of the
passage pair they are in. This module never imports textual.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Iterable, Protocol

from reader.align.core import Alignment, DocumentFacts
from reader.align.facts import STRONG, WEAK, FactKey
from reader.align.parallel import ParallelSet
from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED, Annotation, Document
from reader.amounts import find_amounts, parse_amount
from reader.protocols import LinkStore

SALARY = "salary"
QUOTE = "quote"


@dataclass(frozen=True)
class Proposal:
    """A counterpart span in ``doc_id``: an existing annotation (``ann_id``) or new text."""

    doc_id: str
    start: int
    end: int
    text: str
    label: str
    reason: str
    score: float
    ann_id: str | None = None


def _lang(lang: str | None) -> str | None:
    return None if lang in (None, "", "unknown") else lang


def span_value(ann: Annotation, lang: str | None = None) -> tuple[float, float] | None:
    """(min, max) of a salary span: its stored value, else what the normaliser reads in its text."""
    value = ann.value or parse_amount(ann.text, _lang(lang))
    if not value or value.get("min") is None:
        return None
    lo = float(value["min"])
    return lo, float(value["max"]) if value.get("max") is not None else lo


def _fmt(v: tuple[float, float]) -> str:
    lo, hi = (f"{int(x):,}" if x == int(x) else f"{x:,}" for x in v)
    return lo if lo == hi else f"{lo}–{hi}"


def counterpart_spans(al: Alignment, text_b: str, lang_b: str | None, ann: Annotation,
                      anns_b: Iterable[Annotation], lang_a: str | None = None, *,
                      aligned: bool = True, annotated_only: bool = False) -> list[Proposal]:
    """Counterparts in document ``b`` of annotation ``ann`` of document ``a`` (see the module
    docstring). With ``aligned`` (compare's proposals), a span in the passage that synchronised
    scrolling shows beside ``ann`` is offered too, last; links suggested in bulk do without.
    ``annotated_only``: only the annotations of ``anns_b`` (links), not new text."""
    doc_b = al.b.doc_id
    pairs = {c.b.index: c for c in al.counterparts_of(ann.start)}
    in_sync = {p.index for p in al.aligned_passages(ann.start)} if aligned else set()

    def passage_score(start: int) -> float | None:
        p = al.b.passage_at(start)
        if p is None:
            return None
        if p.index in pairs:
            return pairs[p.index].score
        return 0.5 if aligned and p.index in in_sync else None

    out: dict[tuple[int, int], Proposal] = {}
    value = span_value(ann, lang_a) if ann.label == SALARY else None
    for other in anns_b:
        if other.label != ann.label or other.orphaned:
            continue
        if ann.label == SALARY:
            v = span_value(other, lang_b)
            if value is None or v != value:
                continue
            score = 10.0 + (passage_score(other.start) or 0.0)
            reason = f"annotated salary, both state {_fmt(value)}"
        else:
            ps = passage_score(other.start)
            if ps is None:
                continue
            score = 10.0 + ps
            reason = f"annotated {other.label} in a counterpart passage"
        out[(other.start, other.end)] = Proposal(doc_b, other.start, other.end, other.text, ann.label, reason,
                                                 score, other.id)
    if annotated_only:
        pass
    elif ann.label == SALARY and value is not None:
        for am in find_amounts(text_b, _lang(lang_b)):
            if am.kind != "money" or am.min is None:
                continue
            v = (float(am.min), float(am.max if am.max is not None else am.min))
            if v == value and (am.start, am.end) not in out:
                out[(am.start, am.end)] = Proposal(doc_b, am.start, am.end, am.text, SALARY,
                                                   f"states {_fmt(value)}", passage_score(am.start) or 0.0)
    elif ann.label == QUOTE:
        from reader.suggest import quote

        for c in pairs.values():
            seg = text_b[c.b.start:c.b.end]
            for q in quote.find(seg, _lang(lang_b)):
                key = (c.b.start + q.start, c.b.start + q.end)
                if key not in out:
                    out[key] = Proposal(doc_b, key[0], key[1], q.text, QUOTE,
                                        f"quote in the counterpart passage ({c.why})", c.score)
    return sorted(out.values(), key=lambda p: (-p.score, p.start))


def propose_links(parallel: ParallelSet, annotations: Callable[[str], list[Annotation]],
                  langs: dict[str, str | None]) -> list[tuple[Annotation, Annotation, str]]:
    """Pairs of existing annotations in different documents that state the same fact: the
    best annotated counterpart of each span in each other document. (a, b, reason).

    Each span is only compared with the annotations that could be its counterpart (``_Candidates``:
    salaries of the same value, others of the same label in a counterpart passage), so two long
    documents with thousands of annotations each take time in proportion to them, not to their
    product."""
    found: dict[frozenset[str], tuple[Annotation, Annotation, str]] = {}
    anns = {d: [a for a in annotations(d) if a.status in (STATUS_ACCEPTED, STATUS_SUGGESTED) and not a.orphaned]
            for d in parallel.doc_ids}
    by_id = {a.id: a for lst in anns.values() for a in lst}
    candidates = {d: _Candidates(anns[d], langs.get(d), parallel.facts[d]) for d in parallel.doc_ids}
    for a_doc, b_doc in combinations(parallel.doc_ids, 2):
        al = parallel.alignment(a_doc, b_doc)
        if al is None:
            continue
        text_b = parallel.text(b_doc)
        ours = candidates[a_doc]
        for ann in anns[a_doc]:
            theirs = candidates[b_doc].of(ann, ours.value(ann), al)
            for p in counterpart_spans(al, text_b, langs.get(b_doc), ann, theirs, langs.get(a_doc),
                                       aligned=False, annotated_only=True):
                if p.ann_id is not None:
                    key = frozenset((ann.id, p.ann_id))
                    found.setdefault(key, (ann, by_id[p.ann_id], p.reason))
                    break
    return list(found.values())


class _Candidates:
    """The annotations of one document by what can make them a counterpart: a salary by its
    value, any other label by its passage; each in the document's order (``counterpart_spans``
    keeps the last of two annotations of one span, as over the whole list)."""

    def __init__(self, anns: list[Annotation], lang: str | None, facts: DocumentFacts) -> None:
        self._lang = lang
        self._order = {a.id: n for n, a in enumerate(anns)}
        self._values: dict[str, tuple[float, float] | None] = {}
        self._by_value: dict[tuple[float, float], list[Annotation]] = {}
        self._by_passage: dict[tuple[str, int], list[Annotation]] = {}
        for ann in anns:
            if ann.label == SALARY:
                v = self.value(ann)
                if v is not None:
                    self._by_value.setdefault(v, []).append(ann)
            else:
                p = facts.passage_at(ann.start)
                if p is not None:
                    self._by_passage.setdefault((ann.label, p.index), []).append(ann)

    def value(self, ann: Annotation) -> tuple[float, float] | None:
        """``span_value`` of a salary of this document, read once."""
        if ann.id not in self._values:
            self._values[ann.id] = span_value(ann, self._lang)
        return self._values[ann.id]

    def of(self, ann: Annotation, value: tuple[float, float] | None, al: Alignment) -> list[Annotation]:
        """The annotations of this document (``al.b``) that may be counterparts of ``ann`` (of ``al.a``)."""
        if ann.label == SALARY:
            return self._by_value.get(value, []) if value is not None else []
        found = [a for c in al.counterparts_of(ann.start) for a in self._by_passage.get((ann.label, c.b.index), ())]
        return sorted(found, key=lambda a: self._order[a.id]) if found else found


#: a fact stated in the annotated passages of more documents than this is the corpus' topic:
#: it finds no candidate pairs on its own (a salary value is always kept)
DOC_CAP = 50


def candidate_pairs(parallel: ParallelSet, annotations: Callable[[str], list[Annotation]]) -> set[tuple[str, str]]:
    """The pairs of documents worth aligning for links, from an index of fact -> documents
    (not every pair): their annotated passages share a salary's value (salaries link by value,
    anywhere in the other document), or two facts, or one strong fact, as a counterpart needs
    (``reader.align.core``). Weak facts (a month, a word) do not count, and a fact found in
    more than ``DOC_CAP`` documents names the corpus' topic: it finds nothing on its own."""
    postings: dict[FactKey, set[str]] = {}
    strong: set[FactKey] = set()
    values: dict[FactKey, set[str]] = {}
    for doc in parallel.doc_ids:
        facts = parallel.facts[doc]
        for ann in annotations(doc):
            if ann.orphaned or ann.status not in (STATUS_ACCEPTED, STATUS_SUGGESTED):
                continue
            p = facts.passage_at(ann.start)
            if p is None:
                continue
            for key, fact in facts.facts[p.index].items():
                if fact.kind not in WEAK:
                    postings.setdefault(key, set()).add(doc)
                    if fact.kind in STRONG:
                        strong.add(key)
        for found in facts.facts:  # every amount of money, annotated or not, for salaries
            for key, fact in found.items():
                if fact.kind in ("amount", "range"):
                    values.setdefault(key, set()).add(doc)
    shared: Counter[tuple[str, str]] = Counter()
    out: set[tuple[str, str]] = set()
    for key, docs in postings.items():
        if key in values:  # a value of money: every document stating it
            out.update((a, b) for a in docs for b in values[key] if a != b)
        if len(docs) > DOC_CAP:
            continue
        pairs = [(a, b) for a in docs for b in docs if a < b]
        if key in strong:
            out.update(pairs)
        shared.update(pairs)
    out.update(pair for pair, n in shared.items() if n >= 2)
    return out


class LinkSuggestStore(LinkStore, Protocol):
    """What :func:`suggest_links` needs of a store: each document's annotations, and links."""

    def for_document(self, doc_id: str, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...


def suggest_links(corpus: Iterable[Document], store: LinkSuggestStore, *, progress: Callable[[int, int], None] | None = None) -> int:
    """``reader suggest --links``: align the pairs of annotated documents that share facts
    (``candidate_pairs``) and store the annotated counterparts as *suggested* links (accept or
    reject them in compare, ``K``). Rejected links are never suggested again. Returns how many
    links were suggested."""
    docs = [d for d in corpus if store.for_document(d.id)]
    langs = {d.id: _lang(d.lang) for d in docs}
    parallel = ParallelSet((d.id, d.text, langs[d.id]) for d in docs)
    parallel.build(progress, pairs=lambda ps: candidate_pairs(ps, store.for_document))
    pairs = propose_links(parallel, store.for_document, langs)
    made = store.link_many(((a.id, b.id) for a, b, _ in pairs), status=STATUS_SUGGESTED, source="suggest:links")
    return len(made)
