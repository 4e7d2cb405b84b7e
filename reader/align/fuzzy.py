"""Names that sound nearly alike across spellings and scripts: fuzzy matching (rapidfuzz)
of the transliterated skeletons of ``reader.align.lexicon.skeleton``.

Exact skeletons already meet "ميتا" and "Meta"; a transliteration or an inflection often
differs by one letter more: "Цукерберг" is "tskrbrj" where "Zuckerberg" is "skrbrj",
"Lewandowskiego" is "lndskj" where "Lewandowski" is "lndsk", "Шварценеггер" is "sfrtsnjr"
where "Schwarzenegger" is "srsnjr". Such a skeleton of one document is read as the nearest
skeleton of the other, when it is near enough (normalised Levenshtein similarity, rapidfuzz)
and no other is as near. Short skeletons ("mt", "brt") match exactly or not at all: one
letter is too much of them. This module never imports textual.
"""
from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MIN_FUZZY = 5  # a skeleton shorter than this matches only an equal one
NEAR = 0.8  # normalised Levenshtein similarity two skeletons need to be one name
PREFIX = 2  # and the first letters must agree (up to a transliterated "ts"/"s" start)


def _start(s: str) -> str:
    return s[1:] if s.startswith("ts") else s


def near_sounds(ours: Iterable[str], theirs: Iterable[str]) -> dict[str, str]:
    """Each skeleton of ``theirs`` with no equal in ``ours`` -> the one skeleton of ``ours``
    nearest to it, when both have at least ``MIN_FUZZY`` letters, their similarity is at least
    ``NEAR``, they start alike, and no other skeleton of ``ours`` is as near."""
    pool = sorted({s for s in ours if len(s) >= MIN_FUZZY})
    have = set(pool)
    out: dict[str, str] = {}
    if not pool:
        return out
    for s in sorted(set(theirs)):
        if s in have or len(s) < MIN_FUZZY:
            continue
        found = process.extract(s, pool, scorer=Levenshtein.normalized_similarity,
                                score_cutoff=NEAR, limit=2)
        if not found:
            continue
        best, score, _ = found[0]
        if len(found) > 1 and found[1][1] >= score:
            continue  # two names as near: neither
        if _start(best)[:PREFIX] != _start(s)[:PREFIX]:
            continue
        out[s] = best
    return out
