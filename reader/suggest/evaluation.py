"""Evaluation helpers for the recognisers: the marked-up money corpus and P/R.

The money corpus (``tests/data/money/<lang>.txt``) is plain text with inline
marks, one passage per paragraph: ``[[...]]`` is pay (gold ``salary``),
``{{...}}`` is money that is not pay (gold ``money``). Lines starting with
``#`` are comments. :func:`load_marked` removes the marks and returns
documents with code-point offsets into the clean text.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import regex

_MARK = regex.compile(r"\[\[(.+?)\]\]|\{\{(.+?)\}\}")


@dataclass
class GoldDoc:
    id: str
    lang: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, label): "salary" | "money" | ...

    def of(self, label: str) -> set[tuple[int, int]]:
        return {(s, e) for s, e, lab in self.spans if lab == label}


def parse_marked(passage: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Clean text and spans of one marked-up passage."""
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = n = 0
    for m in _MARK.finditer(passage):
        out.append(passage[pos:m.start()])
        n += m.start() - pos
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        spans.append((n, n + len(inner), "salary" if m.group(1) is not None else "money"))
        out.append(inner)
        n += len(inner)
        pos = m.end()
    out.append(passage[pos:])
    return "".join(out), spans


def _load(folder: Path, parse: Callable[[str], tuple[str, list[tuple[int, int, str]]]]) -> list[GoldDoc]:
    """Every passage of every ``<lang>.txt`` in ``folder`` (``#`` lines are comments), parsed by
    ``parse``, in file then passage order."""
    docs: list[GoldDoc] = []
    for path in sorted(Path(folder).glob("*.txt")):
        lang = path.stem
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
        passages = [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]
        for k, passage in enumerate(passages):
            text, spans = parse(passage)
            docs.append(GoldDoc(f"{lang}-{k:02d}", lang, text, spans))
    return docs


def load_marked(folder: Path) -> list[GoldDoc]:
    """Every passage of every ``<lang>.txt`` in ``folder``, marked with :func:`parse_marked`."""
    return _load(folder, parse_marked)


@dataclass
class PR:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    o_pred: int = 0
    o_pred_hit: int = 0
    o_gold: int = 0
    o_gold_hit: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @staticmethod
    def _r(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def exact_p(self) -> float:
        return self._r(self.tp, self.tp + self.fp)

    @property
    def exact_r(self) -> float:
        return self._r(self.tp, self.tp + self.fn)

    @property
    def overlap_p(self) -> float:
        return self._r(self.o_pred_hit, self.o_pred)

    @property
    def overlap_r(self) -> float:
        return self._r(self.o_gold_hit, self.o_gold)

    def add(self, text: str, gold: set[tuple[int, int]], pred: set[tuple[int, int]]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        self.o_pred += len(pred)
        self.o_pred_hit += sum(1 for p in pred if any(_overlaps(p, g) for g in gold))
        self.o_gold += len(gold)
        self.o_gold_hit += sum(1 for g in gold if any(_overlaps(p, g) for p in pred))
        self.misses += [text[s:e] for s, e in sorted(gold - pred)]
        self.false_alarms += [text[s:e] for s, e in sorted(pred - gold)]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Do the spans ``a`` and ``b`` (start, end; end-exclusive) share a character?"""
    return a[0] < b[1] and b[0] < a[1]


def evaluate(docs: Iterable[GoldDoc], predict: Callable[[GoldDoc], Iterable[tuple[int, int]]],
             label: str = "salary") -> dict[str, PR]:
    """P/R per language and overall (key ``"all"``) of ``predict`` against the gold ``label`` spans."""
    out: dict[str, PR] = {}
    for doc in docs:
        pred = set(predict(doc))
        gold = doc.of(label)
        for key in (doc.lang, "all"):
            out.setdefault(key, PR()).add(doc.text, gold, pred)
    return out


_LABELLED_OPEN = regex.compile(r"\{(\w+)\|")


def parse_labelled(passage: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Clean text and spans of a passage marked ``{label|text}`` (marks may nest).

    A ``}`` closes the innermost open mark; one with no open mark is text.
    """
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    stack: list[tuple[int, str]] = []
    n = pos = 0
    while pos < len(passage):
        m = _LABELLED_OPEN.match(passage, pos)
        if m is not None:
            stack.append((n, m.group(1)))
            pos = m.end()
            continue
        ch = passage[pos]
        if ch == "}" and stack:
            start, label = stack.pop()
            spans.append((start, n, label))
        else:
            out.append(ch)
            n += 1
        pos += 1
    if stack:
        raise ValueError(f"unclosed mark {{{stack[-1][1]}|… in passage starting {passage[:40]!r}")
    spans.sort()
    return "".join(out), spans


def load_labelled(folder: Path) -> list[GoldDoc]:
    """Every paragraph of every ``<lang>.txt`` in ``folder`` marked with :func:`parse_labelled`."""
    return _load(folder, parse_labelled)
