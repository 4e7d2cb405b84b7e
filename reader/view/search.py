"""SearchMatches: the matches of a search query in a text (no Textual)."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from reader.text import snap_span

MAX_MATCHES = 100_000


class Found(NamedTuple):
    """A match found by :meth:`SearchMatches.find`."""

    start: int
    end: int
    index: int  # type: ignore[assignment]  # shadows tuple.index on purpose: 0-based position among the matches ("index+1 / count")
    wrapped: bool  # the search went past the end (or the start, backwards) to find it


class SearchMatches:
    """Every match of one query, in order; smart case (a capital letter makes it case-sensitive)."""

    def __init__(self) -> None:
        self.query = ""
        self._matches: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self.truncated = False

    def set(self, text: str, query: str) -> list[tuple[int, int]]:
        """Find ``query`` in ``text``; returns the previous matches (for redraws)."""
        old = self._matches
        self.query = query
        self._matches, self.truncated = [], False
        if query:
            flags = 0 if any(ch.isupper() for ch in query) else re.IGNORECASE
            for m in re.finditer(re.escape(query), text, flags):
                s, e = snap_span(text, m.start(), m.end())
                if e > s:
                    self._matches.append((s, e))
                if len(self._matches) >= MAX_MATCHES:
                    self.truncated = True
                    break
        self._starts = [s for s, _ in self._matches]
        return old

    def clear(self) -> list[tuple[int, int]]:
        old = self._matches
        self.query, self._matches, self._starts = "", [], []
        return old

    def __len__(self) -> int:
        return len(self._matches)

    @property
    def matches(self) -> list[tuple[int, int]]:
        return list(self._matches)

    def in_range(self, start: int, end: int) -> list[tuple[int, int]]:
        """Matches intersecting ``[start, end)``."""
        i = bisect_left(self._starts, start)
        while i > 0 and self._matches[i - 1][1] > start:
            i -= 1
        out = []
        while i < len(self._matches) and self._matches[i][0] < end:
            out.append(self._matches[i])
            i += 1
        return out

    def index_of(self, start: int, end: int) -> int | None:
        """0-based index of the match ``[start, end)``, or None."""
        i = bisect_left(self._starts, start)
        if i < len(self._matches) and self._matches[i] == (start, end):
            return i
        return None

    def find(self, offset: int, *, backwards: bool = False, wrap: bool = True) -> Found | None:
        """The first match starting at/after ``offset`` (strictly before it, backwards)."""
        n = len(self._matches)
        if not n:
            return None
        if backwards:
            i = bisect_left(self._starts, offset) - 1
            wrapped = i < 0
            if wrapped:
                if not wrap:
                    return None
                i = n - 1
        else:
            i = bisect_left(self._starts, offset)
            wrapped = i >= n
            if wrapped:
                if not wrap:
                    return None
                i = 0
        s, e = self._matches[i]
        return Found(s, e, i, wrapped)

    def count_before(self, offset: int) -> int:
        return bisect_right(self._starts, offset)
