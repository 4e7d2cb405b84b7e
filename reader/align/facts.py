"""Cross-language anchors: the facts a passage states, comparable across languages.

A *fact* is something two passages in different languages can share verbatim
once normalised:

* ``amount``: a sum of money or a pay range, normalised by the salary
  recogniser's normaliser (``reader.suggest``), so ``$300,000``, ``300mila``,
  ``300 000 $``, ``٣٠٠ ألف`` and ``300 ألف`` are one value; a range also states
  each of its ends;
* ``number``: any other number (years, counts, percentages), digits of any script;
* ``name``: a word in Latin script (Netflix, Engadget, The Intercept, SAG-AFTRA),
  a capitalised one or a longer lower-case loanword (deepfake, streaming);
* ``quote``: quoted text (found by the quote recogniser), compared normalised.

Each fact has a ``key`` (what must be equal) and a ``shown`` form for reasons.
This module never imports textual.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from reader.suggest import quote as quote_recogniser
from reader.amounts import find_amounts
from reader.suggest.base import base_lang

#: What two facts must share to be the same: the kind of value, then the value itself
#: (``("value", 300000.0)``, ``("range", 300000.0, 900000.0)``, ``("name", "netflix")``,
#: ``("quote", word, word, ...)``).
FactKey = tuple[str | float, ...]

# weight of one shared fact (before dividing by how often it recurs)
WEIGHTS = {"range": 4.0, "amount": 2.5, "number": 1.2, "name": 1.6, "word": 0.6, "quote": 3.0}


@dataclass(frozen=True)
class Fact:
    kind: str  # range | amount | number | name | word | quote
    key: FactKey
    shown: str  # for reasons: "900,000 USD", "Engadget"
    start: int  # where it is stated (document offsets)
    end: int

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


# --- amounts and numbers (the one normaliser: reader.amounts) ---------------


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def amount_facts(text: str, start: int, end: int, lang: str | None) -> list[Fact]:
    """Amounts of money, ranges and other numbers in ``text[start:end]`` (document offsets).

    A range states its two ends too, so "300 000 et 900 000 $" also shares
    "900,000" with "900 ألف دولار". Bare numbers below 10 are left out: they
    are everywhere (list items, "five positions").
    """
    out: list[Fact] = []
    for am in find_amounts(text[start:end], lang, numbers=True):
        if am.min is None:
            continue
        lo, hi = am.min, am.max if am.max is not None else am.min
        a, b = start + am.start, start + am.end
        if am.kind != "money":
            if am.is_range or lo < 10:
                continue
            out.append(Fact("number", ("value", lo), am.text, a, b))
            continue
        cur = f" {am.currency}" if am.currency else ""
        if am.is_range and hi != lo:
            out.append(Fact("range", ("range", lo, hi), f"{_fmt(lo)}–{_fmt(hi)}{cur}", a, b))
            out.append(Fact("amount", ("value", hi), f"{_fmt(hi)}{cur}", a, b))
        out.append(Fact("amount", ("value", lo), f"{_fmt(lo)}{cur}", a, b))
    return out


# --- Latin-script names and words ----------------------------------------------

_LATIN_WORD = regex.compile(r"(?<![\p{L}\p{M}\p{N}])\p{Latin}[\p{Latin}\p{M}]*(?:[-'’]\p{Latin}+)*(?![\p{L}\p{M}\p{N}])")
_NAME_GAP = regex.compile(r"[ \u00A0]+")
# capitalised words that say nothing on their own (sentence starts, articles)
_STOP = frozenset("""
a an and as at but by for from he her his i if in is it its of on or our she so that the their
then there these they this those to we what when where which while who will with you
il lo la le les l gli un una uno une des del della dei di da e ed che per con su ma non si come
de du et en au aux ce ces cette qui que dans pour par sur pas plus est sont ne se son sa ses
el los las y o para por con sin es lo al der die das und den dem ein eine ist im zu mit von
""".split())
MIN_WORD = 5  # lower-case words shorter than this are function words in some language


def name_facts(text: str, start: int, end: int) -> list[Fact]:
    """Words in Latin script: capitalised names (with the whole name as ``shown``) and longer words."""
    out: list[Fact] = []
    words = list(_LATIN_WORD.finditer(text, start, end))
    i = 0
    while i < len(words):
        j = i
        # a name: capitalised words separated by single spaces (The Intercept, Deep Fake Love)
        while (words[j].group(0)[0].isupper() and j + 1 < len(words) and words[j + 1].group(0)[0].isupper()
               and _NAME_GAP.fullmatch(text, words[j].end(), words[j + 1].start())):
            j += 1
        group = words[i:j + 1]
        phrase = text[group[0].start():group[-1].end()]
        for m in group:
            w = m.group(0)
            key = w.casefold()
            if key in _STOP or len(key) < 2:
                continue
            if w[0].isupper() or w.isupper():
                out.append(Fact("name", ("name", key), phrase if len(group) > 1 else w, m.start(), m.end()))
            elif len(key) >= MIN_WORD:
                out.append(Fact("word", ("word", key), w, m.start(), m.end()))
        i = j + 1
    return out


# --- quotes ------------------------------------------------------------------------

_QUOTE_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*")


def quote_facts(text: str, start: int, end: int, lang: str | None) -> list[Fact]:
    out: list[Fact] = []
    for q in quote_recogniser.find(text[start:end], lang):
        words = tuple(w.casefold() for w in _QUOTE_WORD.findall(q.text))
        if len(words) >= 2:
            shown = q.text if len(q.text) <= 40 else q.text[:39] + "…"
            out.append(Fact("quote", ("quote",) + words, shown, start + q.start, start + q.end))
    return out


def passage_facts(text: str, start: int, end: int, lang: str | None) -> list[Fact]:
    """Every fact stated in ``text[start:end]``, in document offsets."""
    lang = base_lang(lang)
    return amount_facts(text, start, end, lang) + name_facts(text, start, end) + quote_facts(text, start, end, lang)


def reason(kind: str, shown: str) -> str:
    if kind in ("range", "amount", "number"):
        return f"both state {shown}"
    if kind == "quote":
        return f"both quote {shown}"
    if kind == "word":
        return f"both use {shown}"
    return f"both name {shown}"
