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

from reader.align.core import Alignment, DocumentFacts, align, counterparts, document_facts
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
    """Precision and recall of the predicted counterpart pairs against ``gold``, over every document pair:
    the pairs of ``align`` (what ``g`` and ``G`` offer), or with ``min_score`` those of ``counterparts``."""
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
        if min_score is None:  # the counterparts the alignment offers (g, G), hints on its chain included
            got = {(c.a.index, c.b.index) for c in align(facts[a], facts[b]).pairs}
        else:
            got = {(c.a.index, c.b.index) for c in counterparts(facts[a], facts[b], min_score=min_score)}
        gold_pairs = want.get((a, b), set())
        total = total + Score(len(got & gold_pairs), len(got), len(gold_pairs))
    return total


# --- the evaluation of issue 20: ours beside two baselines ------------------------------

METHODS = ("ours", "position-proportional", "gale-church")


@dataclass(frozen=True)
class Report:
    """One method on one gold set: counterpart pairs, and the top-1 counterpart of each passage
    that has one (in both directions); ``jump``: top-1 where the method offers a counterpart
    (what ``g`` does; for a baseline every passage gets one)."""

    pairs: Score
    top1: int
    top1_of: int
    jump: int
    jump_of: int

    def __add__(self, other: "Report") -> "Report":
        return Report(self.pairs + other.pairs, self.top1 + other.top1, self.top1_of + other.top1_of,
                      self.jump + other.jump, self.jump_of + other.jump_of)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.top1_of if self.top1_of else 1.0

    @property
    def jump_rate(self) -> float:
        return self.jump / self.jump_of if self.jump_of else 1.0


def _mid_passage(facts: DocumentFacts, offset: int) -> int:
    p = facts.passage_at(offset)
    return p.index if p is not None else 0


def _proportional(fa: DocumentFacts, fb: DocumentFacts) -> dict[int, list[int]]:
    out = {}
    for p in fa.passages:
        mid = (p.start + p.end) / 2 / max(fa.length, 1)
        out[p.index] = [_mid_passage(fb, round(mid * fb.length))]
    return out


def _gale_church(fa: DocumentFacts, fb: DocumentFacts) -> dict[int, list[int]]:
    from nltk.translate.gale_church import align_blocks

    scale = fa.length / max(fb.length, 1)
    la = [max(1, p.end - p.start) for p in fa.passages]
    lb = [max(1, round((p.end - p.start) * scale)) for p in fb.passages]
    out: dict[int, list[int]] = {}
    try:
        links = align_blocks(la, lb) if la and lb else []
    except (ValueError, IndexError, ZeroDivisionError):
        links = []
    for x, y in links:
        out.setdefault(x, []).append(y)
    return out


def _ours(al: Alignment) -> tuple[set[tuple[int, int]], dict[int, int], dict[int, int]]:
    """Predicted pairs, the best counterpart of each passage that has one (what ``g`` jumps
    to), and the best guess for every passage (``Alignment.best_guess``)."""
    pairs = {(c.a.index, c.b.index) for c in al.pairs}
    best: dict[int, int] = {}
    for c in al.pairs:  # sorted by passage of a, best first
        best.setdefault(c.a.index, c.b.index)
    guess = {}
    for p in al.a.passages:
        q = al.best_guess(p.start)
        guess[p.index] = q.index if q is not None else 0
    return pairs, best, guess


def _top1(want: set[tuple[int, int]], best: dict[int, int], shown: dict[int, int]) -> tuple[int, int, int, int]:
    sources = {i for i, _ in want}
    top1 = sum(1 for i in sources if (i, best.get(i, shown.get(i, -1))) in want)
    jumps = [i for i in sources if i in best]
    return top1, len(sources), sum(1 for i in jumps if (i, best[i]) in want), len(jumps)


def _want(gold: Gold, facts: dict[str, DocumentFacts], texts: dict[str, str]) -> dict[tuple[str, str], set[tuple[int, int]]]:
    want: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for n, p in enumerate(gold["pairs"]):
        a, b = sorted((p["a"], p["b"]))
        ta, tb = (p["a_text"], p["b_text"]) if a == p["a"] else (p["b_text"], p["a_text"])
        where = f"gold pair {n + 1}"
        want.setdefault((a, b), set()).add(
            (_passage_index(facts[a], texts[a], ta, where), _passage_index(facts[b], texts[b], tb, where)))
    return want


def compare_methods(gold: Gold, texts: dict[str, str], langs: dict[str, str | None]) -> dict[str, Report]:
    """Each of ``METHODS`` on one gold set, over every document pair and both directions."""
    facts = {k: document_facts(texts[k], langs.get(k), k) for k in texts}
    want = _want(gold, facts, texts)
    out = {m: Report(Score(0, 0, 0), 0, 0, 0, 0) for m in METHODS}
    for a, b in combinations(sorted(texts), 2):
        w = want.get((a, b), set())
        w_back = {(j, i) for i, j in w}
        al = align(facts[a], facts[b])
        pairs, best, shown = _ours(al)
        _, best_back, shown_back = _ours(al.flipped())
        t = _top1(w, best, shown)
        u = _top1(w_back, best_back, shown_back)
        out["ours"] += Report(Score(len(pairs & w), len(pairs), len(w)), t[0] + u[0], t[1] + u[1],
                              t[2] + u[2], t[3] + u[3])
        for name, method in (("position-proportional", _proportional), ("gale-church", _gale_church)):
            fwd, back = method(facts[a], facts[b]), method(facts[b], facts[a])
            pairs = {(i, j) for i, js in fwd.items() for j in js}
            t = _top1(w, {i: js[0] for i, js in fwd.items()}, {})
            u = _top1(w_back, {i: js[0] for i, js in back.items()}, {})
            out[name] += Report(Score(len(pairs & w), len(pairs), len(w)), t[0] + u[0], t[1] + u[1],
                                t[2] + u[2], t[3] + u[3])
    return out
