"""Quote recogniser: quoted speech and quoted writing.

Recognised pairs: “…” (and “…“ as typed by some Italian and English
sources), „…“ / „…” (German, Polish...), «…» and »…« (with or without inner
spaces), ‹…› / ›…‹, "…", and single quotes ‘…’, ‚…‘ and '…' when they are
clearly quote-shaped.

Conventions (shared with ``tests/data/gold.jsonl``):

* **Marks included.** A span runs from the opening mark to the closing mark,
  both included: ``“créer de bons contenus”``. Punctuation inside the marks
  stays inside; punctuation after the closing mark stays outside.
* **Within a paragraph.** A quote may cross single line breaks but never a
  blank line. An opening mark still open at the end of its paragraph is
  dropped, so an unbalanced quote never runs to the end of the document.
* **Apostrophes are not quotes.** ``’`` and ``'`` between two letters or
  digits (l’uso, we’ll, l'IA, s’engage, dell’intelligenza) is an apostrophe.
  A single quote only opens where it is opening-shaped (after a space or an
  opening bracket, before a letter) and only closes an open single quote where
  it is closing-shaped (after a non-space, before a space, punctuation or the
  end). Straight double quotes pair by the same shape rules, so 5'10" and
  stray marks are left alone.
* **Nesting.** Marks are matched with a stack, so “he said ‘no’ twice” is one
  span. By default only the outermost complete quotes are reported (the inner
  quote is part of the outer quoted speech); ``find(..., nested=True)`` also
  reports the inner ones. If an outer mark is never closed, the complete
  quotes inside it are reported as outermost.
* **Glyph direction.** ” always closes and “ glued between letters opens
  (Arabic ``بـ“غير واقعية”``); straight quotes and ’/' rely on shape only.
* **Known limits.** Straight single quotes are ambiguous with elisions:
  ``'em all, said the boys' mother`` is taken for a quote. A quote with no
  closing mark in its paragraph is never reported, even if it is real.
* **Scare quotes.** A quote with fewer than ``min_words`` words (default 2) is
  not reported: single quoted words are usually names, titles or terms
  (“Netflix”), not speech. Pass ``min_words=1`` to keep them.
"""
from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterator

import regex

from reader.suggest.base import Suggestion

LABEL = "quote"

# opening mark -> the marks that can close it
PAIRS: dict[str, str] = {
    "“": "”“",  # English/Italian; “…“ is a common typo of ”
    "„": "“”",  # German, Polish, Czech...
    "«": "»",
    "»": "«",  # Danish/German »…«
    "‹": "›",
    "›": "‹",
    '"': '"',
    "‘": "’",
    "‚": "‘’",
    "'": "'’",
}
SINGLE = {"‘", "‚", "'"}
MARKS = set(PAIRS) | {"”", "’"}
_SINGLE_RE = regex.compile("[’'‘]")
_STOP_RE = regex.compile("[‘“«„\n]")
_MARK_RE = regex.compile("[" + regex.escape("".join(sorted(MARKS))) + "]")
_BLANK_LINE = regex.compile(r"\n[ \t\u00A0\u3000]*\n")
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’\-][\p{L}\p{M}\p{N}]+)*")
MAX_DEPTH = 16  # open marks kept per paragraph; older ones count as unclosed
MAX_SINGLE_CHARS = 400  # a single-quoted stretch longer than this is not a quote


def _alnum(ch: str | None) -> bool:
    return ch is not None and (ch.isalnum() or unicodedata.category(ch)[0] == "M")


def _space(ch: str | None) -> bool:
    return ch is None or ch.isspace()


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph of ``text`` (blank lines separate them)."""
    start = 0
    for m in _BLANK_LINE.finditer(text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _quotes_in(text: str, ps: int, pe: int) -> list[tuple[int, int]]:
    """Complete quotes (start, end) in text[ps:pe], any depth."""
    stack: list[tuple[str, int]] = []  # (opening mark, position)
    closers: list[int] | None = None  # closing-shaped single marks, computed when needed
    found: list[tuple[int, int]] = []
    for m in _MARK_RE.finditer(text, ps, pe):
        i = m.start()
        ch = text[i]
        prev = text[i - 1] if i > ps else None
        nxt = text[i + 1] if i + 1 < pe else None
        # shapes: an opening mark sits before a non-space and after a non-letter;
        # a closing mark sits after a non-space and before a non-letter
        opening = not _space(nxt) and not _alnum(prev)
        closing = not _space(prev) and not _alnum(nxt)
        if ch in "’'" and _alnum(prev) and _alnum(nxt):
            continue  # apostrophe inside a word: l’uso, we’ll, l'IA
        if ch in "«‹»›":
            # guillemets carry their direction in the glyph; spaces inside are normal (« texte »)
            closed = _close(stack, ch, i, found, text)
            if not closed and ch in PAIRS and not (ch in "»›" and closing and not opening):
                _push(stack, ch, i)
            continue
        if ch == "’" and prev in ("s", "S") and _space(nxt):
            if closers is None:
                closers = _single_closers(text, ps, pe)
            if _later_single_closer(text, i, pe, closers):
                continue  # a plural possessive (the actors’ union) inside a single quote
        if ch == "”":
            _close(stack, ch, i, found, text)  # a closing glyph, whatever its spacing: said,“we are done,”and
            continue
        if ch == "’":
            if closing or not opening:
                _close(stack, ch, i, found, text)
            continue
        if ch == "„":
            _push(stack, ch, i)  # always opens
            continue
        # “ " ‚ ' ‘ : direction from the shape, then from what is open
        if closing and not opening:
            _close(stack, ch, i, found, text)
        elif opening and not closing:
            if ch in SINGLE:
                if closers is None:
                    closers = _single_closers(text, ps, pe)
                if not _single_plausible(text, i, pe, closers):
                    continue
            _push(stack, ch, i)
        elif opening and closing:  # e.g. a mark between two punctuation signs
            if not _close(stack, ch, i, found, text):
                _push(stack, ch, i)
        elif ch == "“" and not any(o == "„" for o, _ in stack):
            # between two letters: “ is an opening glyph (Arabic بـ“غير واقعية”)
            _push(stack, ch, i)
        else:  # between two letters ("word"word): close if something is open
            _close(stack, ch, i, found, text)
    return found


def _push(stack: list[tuple[str, int]], ch: str, i: int) -> None:
    stack.append((ch, i))
    if len(stack) > MAX_DEPTH:
        del stack[0]  # real quotes do not nest this deep: the oldest mark was never closed


def _later_single_closer(text: str, i: int, pe: int, closers: list[int], window: int = 120) -> bool:
    """Is there another closing-shaped ’ soon after ``i``, before any new opening mark?"""
    k = bisect.bisect_right(closers, i)
    if k >= len(closers) or closers[k] >= min(pe, i + window):
        return False
    return _STOP_RE.search(text, i + 1, closers[k]) is None


def _single_plausible(text: str, i: int, pe: int, closers: list[int]) -> bool:
    """A single opening quote needs a closing-shaped single quote not too far away."""
    k = bisect.bisect_left(closers, i + 2)
    return k < len(closers) and closers[k] < min(pe, i + MAX_SINGLE_CHARS)


def _single_closers(text: str, ps: int, pe: int) -> list[int]:
    """Positions of closing-shaped single marks in text[ps:pe], sorted."""
    out: list[int] = []
    for m in _SINGLE_RE.finditer(text, ps, pe):
        j = m.start()
        if j > ps and not text[j - 1].isspace() and (j + 1 >= pe or not _alnum(text[j + 1])):
            out.append(j)
    return out


def _close(stack: list[tuple[str, int]], ch: str, i: int, found: list[tuple[int, int]], text: str) -> bool:
    """Close the nearest open mark that ``ch`` can close; True if one was closed."""
    for depth in range(len(stack) - 1, -1, -1):
        opener, pos = stack[depth]
        if ch in PAIRS.get(opener, ""):
            if opener in SINGLE and i - pos > MAX_SINGLE_CHARS:
                return False
            del stack[depth:]  # marks opened inside and never closed are dropped
            found.append((pos, i + 1))
            return True
    return False


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda x: (x[0], -x[1])):
        if out and s >= out[-1][0] and e <= out[-1][1]:
            continue
        out.append((s, e))
    return out


def find(text: str, lang: str | None = None, *, nested: bool = False, min_words: int = 2) -> list[Suggestion]:
    """Quoted spans in ``text``, marks included; see the module docstring.

    ``lang`` is accepted for the common recogniser interface: the quote marks
    of every supported language are recognised in every document, because
    articles quote sources with foreign typography.
    """
    spans: list[tuple[int, int]] = []
    for ps, pe in _paragraphs(text):
        spans.extend(_quotes_in(text, ps, pe))
    spans = sorted(set(spans)) if nested else _outermost(spans)
    out: list[Suggestion] = []
    for s, e in spans:
        inner = text[s + 1:e - 1]
        if len(_WORD.findall(inner)) < max(1, min_words):
            continue
        mark = text[s] + text[e - 1]
        out.append(Suggestion(s, e, LABEL, text[s:e], f"quote:{mark}", score=1.0, reason=f"between quote marks {mark}"))
    out.sort(key=lambda x: (x.start, x.end))
    return out
