"""Visual order of right-to-left display rows, for the opt-in visual mode.

Terminals without bidi support draw every row left to right in logical
order, so Arabic reads backwards. In visual mode the text view reorders each
display row of a right-to-left paragraph with the Unicode Bidirectional
Algorithm (python-bidi's reference implementation) and right-aligns it;
offsets stay logical: this module only says in which order to draw the
row's grapheme clusters.

Reordering is per display row (rule L2 applies to lines), so wrapping is
done first, on the logical text, exactly as without visual mode. A cluster
(a letter with its combining marks) moves as one piece. This module never
imports textual.
"""
from __future__ import annotations

from functools import lru_cache

import regex

_GRAPHEME = regex.compile(r"\X")
_STRONG_RTL = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}]")


def has_rtl(text: str) -> bool:
    return _STRONG_RTL.search(text) is not None


def _visual_positions(row: str, rtl: bool) -> list[int]:
    """For each code point of ``row`` (logical index), its position in visual order (-1: removed)."""
    from bidi import algorithm as uba  # on first use: visual order is opt-in (issue 22)

    storage = uba.get_empty_storage()
    level = 1 if rtl else 0
    storage["base_level"] = level
    storage["base_dir"] = ("L", "R")[level]
    uba.get_embedding_levels(row, storage, False, False)
    for i, ch in enumerate(storage["chars"]):
        ch["index"] = i
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    pos = [-1] * len(row)
    for p, ch in enumerate(storage["chars"]):
        pos[ch["index"]] = p
    return pos


@lru_cache(maxsize=4096)
def visual_clusters(row: str, rtl: bool = True) -> tuple[tuple[int, int], ...]:
    """The grapheme clusters of ``row`` as (start, end) offsets into ``row``, in the order they are
    drawn from left to right, for a paragraph of base direction right-to-left (``rtl``) or not.

    Trailing whitespace stays at the end of the row in logical terms (rule L1), so a right-aligned
    row keeps its hanging space on the left.
    """
    if not row:
        return ()
    clusters = [(m.start(), m.end()) for m in _GRAPHEME.finditer(row)]
    if not rtl and not has_rtl(row):
        return tuple(clusters)
    pos = _visual_positions(row, rtl)
    n = len(row)

    def key(c: tuple[int, int]) -> int:
        seen = [pos[i] for i in range(c[0], c[1]) if pos[i] >= 0]
        return min(seen) if seen else n + c[0]  # a removed control stays in logical place at the end

    return tuple(sorted(clusters, key=key))
