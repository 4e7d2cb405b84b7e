"""ParallelSet: the facts of 2-4 documents read side by side and the alignment of every pair.

Built once (in a worker, by the compare screen), then asked for the alignment
from any document to any other; each unordered pair is aligned once and
flipped for the other direction. Never imports textual.
"""
from __future__ import annotations

from itertools import combinations
from typing import Callable, Iterable, Protocol

from reader.align.core import Alignment, DocumentFacts, align, documents_facts


class _HasLang(Protocol):
    id: str
    lang: str


def pick_per_language(docs: Iterable[_HasLang], langs: Iterable[str] | None = None, limit: int = 4) -> list[str]:
    """One document per language, for compare: the first of each language in ``docs`` order
    (documents of an unknown language are skipped); with ``langs``, only those, in that order."""
    first: dict[str, str] = {}
    for d in docs:
        lang = (d.lang or "").lower()
        if lang and lang not in ("unknown", "und") and lang not in first:
            first[lang] = d.id
    order = [lang.lower() for lang in langs] if langs is not None else list(first)
    return [first[lang] for lang in order if lang in first][:limit]


class ParallelSet:
    def __init__(self, documents: Iterable[tuple[str, str, str | None]]) -> None:
        """``documents``: (doc_id, canonical text, language) of each document."""
        self._docs = list(documents)
        self.facts: dict[str, DocumentFacts] = {}
        self._alignments: dict[tuple[str, str], Alignment] = {}
        self._flipped: dict[tuple[str, str], Alignment] = {}
        self._chosen: int | None = None  # how many pairs build() aligned (None before)

    @property
    def doc_ids(self) -> list[str]:
        return [d[0] for d in self._docs]

    def text(self, doc_id: str) -> str:
        return next(t for d, t, _ in self._docs if d == doc_id)

    def build(self, progress: Callable[[int, int], None] | None = None,
              should_stop: Callable[[], bool] | None = None,
              pairs: Callable[["ParallelSet"], Iterable[tuple[str, str]]] | None = None) -> bool:
        """Compute every document's facts and the alignment of every pair (or of the pairs that
        ``pairs`` picks once the facts are known); False if stopped early."""
        total = len(self._docs) * 2

        def passages_done(n: int, of: int) -> None:  # the facts are found passage by passage, in one piece of work
            if progress:
                progress(n * len(self._docs) // max(of, 1), total)

        found = documents_facts([(text, lang, doc_id) for doc_id, text, lang in self._docs], passages_done, should_stop)
        if found is None:
            return False
        self.facts = {doc_id: facts for (doc_id, _, _), facts in zip(self._docs, found, strict=True)}
        done = len(self._docs)
        if progress:
            progress(done, total)
        order = {d: n for n, d in enumerate(self.doc_ids)}
        chosen = combinations(self.doc_ids, 2) if pairs is None else pairs(self)
        todo = sorted({(a, b) if order[a] < order[b] else (b, a) for a, b in chosen if a != b},
                      key=lambda ab: (order[ab[0]], order[ab[1]]))
        self._chosen = len(todo)
        total = len(self._docs) + len(todo)
        for a, b in todo:
            if should_stop and should_stop():
                return False
            self._alignments[(a, b)] = align(self.facts[a], self.facts[b])
            done += 1
            if progress:
                progress(done, total)
        return True

    @property
    def ready(self) -> bool:
        n = len(self._docs)
        want = n * (n - 1) // 2 if self._chosen is None else self._chosen
        return len(self._alignments) == want and len(self.facts) == n

    def alignment(self, src: str, dst: str) -> Alignment | None:
        """The alignment of ``src`` to ``dst`` (``to_b`` maps offsets of ``src`` to ``dst``)."""
        if (src, dst) in self._alignments:
            return self._alignments[(src, dst)]
        if (src, dst) not in self._flipped and (dst, src) in self._alignments:
            self._flipped[(src, dst)] = self._alignments[(dst, src)].flipped()
        return self._flipped.get((src, dst))
