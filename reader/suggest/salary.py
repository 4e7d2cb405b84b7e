"""Salary recogniser: amounts paid for work, told from other money by context.

1. **Candidates** come from the one amount normaliser,
   :func:`reader.amounts.find_amounts`: every amount with a currency
   (symbols, ISO codes, currency words, number words before a currency),
   every bare amount with a scale word (``mezzo milione``), and bare numbers
   right after a pay cue (``paid 150 a day``, ``salary of 45,000``).
2. **Pay or other money?** :mod:`reader.suggest.paycues` weighs the cue
   words of the clause around each candidate (``salary``, ``stipendio``,
   ``rémunéré``, ``راتب``, ``sueldo``, ``Gehalt``... against ``fine``,
   ``fatturato``, ``loyer``, ``ميزانية``, ``presupuesto``, ``Umsatz``...)
   and the pay period, giving a score in [0, 1] and the reason of the
   strongest signal (``cue 'salary' 3 words before``).
3. Every candidate is returned with its ``score``, ``reason`` and normalised
   ``value``; callers keep those with ``score >= min_score`` (default
   :data:`DEFAULT_MIN_SCORE`).

Span convention (README, ``tests/data/README.md``): the span is the amount
with its currency and scale words; a range is one span; a leading
*between/from* word, gross/net words and the pay period are outside it. The
period is data: ``value["period"]``.
"""
from __future__ import annotations

from reader.amounts import Amount, find_amounts, parse_number
from reader.suggest import paycues
from reader.suggest.base import Suggestion, base_lang

__all__ = ["DEFAULT_MIN_SCORE", "LABEL", "candidates", "find", "parse_number"]

LABEL = "salary"
DEFAULT_MIN_SCORE = 0.5
NO_CURRENCY = -1.0  # a bare amount needs more evidence than one in a currency
BARE_CUE_MIN = 2.0  # a bare number is a candidate only right after a cue this strong
BARE_CUE_WORDS = 4


def _bare_ok(text: str, a: Amount, lang: str | None, prev_end: int) -> bool:
    """A bare amount (no currency): pay only right after a pay cue, and with a period
    after it, a scale word, or a number that looks like an amount (>= 100, not a year)."""
    if a.min is None or a.min < 1:
        return False
    if a.period_end is None and not a.has_scale and (a.min < 100 or (1900 <= a.min <= 2100 and a.text.isdigit())):
        return False
    need = BARE_CUE_MIN if a.period_end is None else BARE_CUE_MIN - 0.5
    sigs = paycues.signals(text, a.start, a.end, lang, lo=prev_end)
    return any(s.side == "before" and s.weight >= need and s.distance < BARE_CUE_WORDS for s in sigs)


def candidates(text: str, lang: str | None = None) -> list[tuple[Amount, float, str]]:
    """Every salary candidate with its score and reason, in text order."""
    base = base_lang(lang)
    found = find_amounts(text, base, numbers=True)
    out: list[tuple[Amount, float, str]] = []
    prev: tuple[Amount, list[paycues.Signal]] | None = None
    for k, a in enumerate(found):
        prev_end = found[k - 1].period_end or found[k - 1].end if k else 0
        nxt = found[k + 1].start if k + 1 < len(found) else None
        if a.kind != "money" and not (a.words and a.has_scale) and not _bare_ok(text, a, base, prev_end) \
                and not _compared(text, out[-1] if out else None, a):
            continue  # "mezzo milione" is a candidate; "4K", "2023", "300 attori" are not
        sigs = paycues.signals(text, a.start, a.end, base, period=a.period, lo=prev_end, hi=nxt,
                               after_from=a.period_end)
        own = list(sigs)
        if prev is not None:
            sigs += _inherited(text, prev, a)
        score, reason = paycues.pay_score(sigs, paycues.BIAS + (0 if a.kind == "money" else NO_CURRENCY))
        out.append((a, score, reason))
        prev = (a, own)
    return out


COMPARED_WORDS = 4


def _compared(text: str, prev: tuple[Amount, float, str] | None, a: Amount) -> bool:
    """A bare number set against the pay just before it, in the same clause and of the same
    magnitude: "1.700 euro al mese, contro i 3.000 della Germania", "$18.50, up from 16"."""
    if prev is None or a.min is None:
        return False
    p, score, _ = prev
    if score < DEFAULT_MIN_SCORE or p.min is None or p.max is None:
        return False
    gap = text[p.period_end or p.end:a.start]
    if len(paycues._words(gap)) > COMPARED_WORDS or paycues.clause_break(gap):
        return False
    return p.min / 10 <= a.min <= p.max * 10


SIBLING_WORDS = 8
SIBLING_WEIGHT = 0.7


def _inherited(text: str, prev: tuple[Amount, list[paycues.Signal]], a: Amount) -> list[paycues.Signal]:
    """An amount close after another in the same clause shares its cues: "earn $18.50 an
    hour, up from $16"; "made $90 to $120 on a good day, and as little as $40"."""
    p, sigs = prev
    gap = text[p.period_end or p.end:a.start]
    n = len(paycues._words(gap))
    if n > SIBLING_WORDS or paycues.clause_break(gap):
        return []
    return [paycues.Signal(s.word, s.weight * SIBLING_WEIGHT, s.distance + n, "before")
            for s in sigs if s.side == "before"]


def find(text: str, lang: str | None = None, *, min_score: float = 0.0) -> list[Suggestion]:
    """Salary candidates in ``text`` scored as pay; those below ``min_score`` left out."""
    return [
        Suggestion(a.start, a.end, LABEL, a.text, f"salary:{'range' if a.is_range else 'amount'}"
                   + ("" if a.kind == "money" else ":bare"), score=score, reason=reason, value=a.value)
        for a, score, reason in candidates(text, lang)
        if score >= min_score
    ]
