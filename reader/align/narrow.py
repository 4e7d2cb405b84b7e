"""Patterns in the stdlib engine for the passages written in the common range of characters.

The facts' patterns name Unicode properties (``\\p{Latin}``, ``\\p{L}``), which only the ``regex``
module knows; its scans cost about 1,300 instructions a character (issue 19 item 9). Most passages
hold only characters of a narrow range (:data:`RANGE`: ASCII, Latin-1, Latin Extended, IPA, combining
marks, Latin Extended Additional, and the punctuation, currency signs and symbols of
U+2000-U+2BFF). For such a passage a property is a set of characters of that range, which the stdlib
engine matches as a plain class in fewer instructions (the bench's words 94k -> 58k a passage, its month
and weekday names about half): :func:`narrow_class` spells the property out
as that class, and :func:`is_narrow` tells a passage that may use it. Both engines take the same
leftmost, first-alternative match of the same pattern, so with the same classes they find the same
matches (``tests/unit/test_align_narrow.py`` checks every character of the range and compares the
scans). This module never imports textual.
"""
from __future__ import annotations

import bisect
import re
from functools import cache

import regex

#: the characters the narrow patterns know (inclusive ranges of code points)
RANGE = ((0x0000, 0x036F), (0x1E00, 0x1EFF), (0x2000, 0x2BFF))

_OUTSIDE = re.compile("[^" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in RANGE) + "]")


def is_narrow(text: str, start: int, end: int) -> bool:
    """Does ``text[start - 1:end]`` (the character before a passage too: a lookbehind reads it) hold
    only characters of :data:`RANGE`?"""
    return _OUTSIDE.search(text, max(0, start - 1), end) is None


@cache
def narrow_characters() -> str:
    """Every character of :data:`RANGE`, in order."""
    return "".join(chr(c) for a, b in RANGE for c in range(a, b + 1))


@cache
def narrow_class(members: str) -> str:
    """The inside of a stdlib class (what goes between ``[`` and ``]``) holding the characters of
    :data:`RANGE` that the ``regex`` class ``[members]`` matches (``members``: ``\\p{Latin}\\p{M}``)."""
    inside = sorted({ord(ch) for ch in regex.findall(f"[{members}]", narrow_characters())})
    parts: list[str] = []
    i = 0
    while i < len(inside):
        j = i
        while j + 1 < len(inside) and inside[j + 1] == inside[j] + 1:
            j += 1
        parts.append(f"\\u{inside[i]:04x}" if i == j else f"\\u{inside[i]:04x}-\\u{inside[j]:04x}")
        i = j + 1
    if not parts:
        raise ValueError(f"no character of the narrow range is in [{members}]")
    return "".join(parts)


def narrow_spans(text: str, spans: list[tuple[int, int]]) -> list[bool]:
    """``is_narrow(text, s, e)`` for each ``(s, e)`` of ``spans``, the characters outside :data:`RANGE`
    looked for once over the text they cover (the passages of a chunk: in order, or not)."""
    if not spans:
        return []
    lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
    wide = [m.start() for m in _OUTSIDE.finditer(text, max(0, lo - 1), hi)]
    if not wide:
        return [True] * len(spans)
    return [bisect.bisect_left(wide, max(0, s - 1)) == bisect.bisect_left(wide, e) for s, e in spans]
