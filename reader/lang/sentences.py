"""Sentence bounds with a real segmenter (pysbd), per language.

pysbd (Python Sentence Boundary Disambiguation) is rule-based, pure Python
and knows the languages we read (it, en, fr, ar, es, de, and more), with
their abbreviations, ellipses ("but also his… young age" is one sentence),
numbers and quotes. Other languages fall back to English rules. With
``clean=False`` its segments put together give back the text exactly, so
offsets come from their lengths.
"""
from __future__ import annotations

from functools import lru_cache

import pysbd
from pysbd.languages import LANGUAGE_CODES

from reader.text import paragraph_bounds, snap_span

#: a paragraph longer than this is segmented in a window around the index
WINDOW = 4000
#: marks that pysbd ends a sentence at but that are commas: the Arabic comma "،" (U+060C)
#: is in pysbd's Arabic sentence enders; a segment ending with one runs on into the next
COMMAS = ("\u060C",)


@lru_cache(maxsize=16)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang, clean=False)


def segmenter_language(lang: str | None) -> str:
    """The pysbd language used for ``lang`` (its primary subtag; English when pysbd lacks it)."""
    code = (lang or "").split("-")[0].lower()
    return code if code in LANGUAGE_CODES else "en"


def sentence_spans(text: str, start: int, end: int, lang: str | None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as (start, end) offsets, trimmed of edge whitespace.

    A segment that ends with a comma (the Arabic "،") is not a sentence: it is joined to the
    one after it, so passages and the ``s`` key cut Arabic at sentence ends only."""
    chunk = text[start:end]
    out: list[tuple[int, int]] = []
    pos = start
    run_on = False
    for seg in _segmenter(segmenter_language(lang)).segment(chunk):
        i = pos if text.startswith(seg, pos) else text.find(seg, pos, end)
        if i < 0:  # never expected with clean=False; keep going from where we are
            continue
        s, e = i, i + len(seg)
        pos = e
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            if run_on and out:
                out[-1] = (out[-1][0], e)
            else:
                out.append((s, e))
            run_on = text[e - 1] in COMMAS
    return out


def sentence_bounds(text: str, index: int, lang: str | None = None) -> tuple[int, int]:
    """The sentence around ``index`` within its paragraph; ``(index, index)`` on a blank line."""
    ps, pe = paragraph_bounds(text, index)
    if pe <= ps:
        return ps, pe
    if pe - ps > WINDOW:  # a huge paragraph: segment a window around the index, cut at spaces
        ws = max(ps, index - WINDOW // 2)
        we = min(pe, index + WINDOW // 2)
        ws = text.rfind(" ", ps, ws) + 1 if ws > ps else ps
        k = text.find(" ", we, pe)
        we = pe if k < 0 else k
        ps, pe = max(ps, ws), we
    spans = sentence_spans(text, ps, pe, lang)
    for s, e in spans:  # the sentence holding the index (or the next one, from the space between two)
        if index < e:
            return snap_span(text, s, e)
    return snap_span(text, *spans[-1]) if spans else (ps, pe)
