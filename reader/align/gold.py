"""Gold counterpart pairs and their precision/recall (used by tests and ``make bench``).

A gold file is JSON: ``{"documents": {key: doc}, "pairs": [{"a", "a_text", "b", "b_text"}]}``.
A pair says that the passage of document ``a`` containing ``a_text`` and the
passage of ``b`` containing ``b_text`` are counterparts. Snippets, not offsets,
name the passages, so the gold survives a change in how passages are cut.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import NotRequired, TypedDict, cast

from reader.align.core import DocumentFacts, counterparts, document_facts
from reader.errors import ReaderError


class GoldPair(TypedDict):
    """Passage of ``a`` containing ``a_text`` and passage of ``b`` containing ``b_text`` are counterparts."""

    a: str
    a_text: str
    b: str
    b_text: str
    fact: NotRequired[str]  # what they share, for the reader of the file


class Gold(TypedDict):
    """A gold file (see the module docstring)."""

    documents: dict[str, str]  # key -> document (how the caller finds its text)
    pairs: list[GoldPair]
    about: NotRequired[str]


@dataclass(frozen=True)
class Score:
    true_positive: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.true_positive + other.true_positive, self.predicted + other.predicted,
                     self.gold + other.gold)


def load_gold(path: Path) -> Gold:
    try:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
        gold["documents"], gold["pairs"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReaderError(f"{path}: not a gold alignment file ({exc})") from None
    return cast(Gold, gold)  # decoded JSON: only the two top-level keys are checked here


def _passage_index(facts: DocumentFacts, text: str, snippet: str, where: str) -> int:
    at = text.find(snippet)
    if at < 0:
        raise ReaderError(f"{where}: snippet {snippet!r} is not in the document")
    p = facts.passage_at(at)
    assert p is not None
    return p.index


def evaluate(gold: Gold, texts: dict[str, str], langs: dict[str, str | None], min_score: float | None = None) -> Score:
    """Precision and recall of the predicted counterpart pairs against ``gold``, over every document pair."""
    facts = {k: document_facts(texts[k], langs.get(k), k) for k in texts}
    want: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for n, p in enumerate(gold["pairs"]):
        a, b = sorted((p["a"], p["b"]))
        ta, tb = (p["a_text"], p["b_text"]) if a == p["a"] else (p["b_text"], p["a_text"])
        where = f"gold pair {n + 1}"
        want.setdefault((a, b), set()).add(
            (_passage_index(facts[a], texts[a], ta, where), _passage_index(facts[b], texts[b], tb, where)))
    total = Score(0, 0, 0)
    for a, b in combinations(sorted(texts), 2):
        kw = {} if min_score is None else {"min_score": min_score}
        got = {(c.a.index, c.b.index) for c in counterparts(facts[a], facts[b], **kw)}
        gold_pairs = want.get((a, b), set())
        total = total + Score(len(got & gold_pairs), len(got), len(gold_pairs))
    return total
