"""VisualRows: the opt-in visual order of right-to-left rows (no Textual).

Off by default: some terminals (Konsole, mlterm, Terminal.app) reorder
right-to-left text themselves, and reordering it here too would reverse it
twice. When it is on, each display row of a right-to-left line (its first
strong character is right-to-left, as the bidi algorithm's rule P2 says) is
drawn in visual order (:func:`reader.lang.bidi.visual_clusters`) and right-aligned.
Wrapping is unchanged (done on the logical text), and every offset stays
logical: this class only maps a row's cells to offsets and back.
"""
from __future__ import annotations


from reader.lang.bidi import has_rtl, visual_clusters
from reader.view.wrap import WrapLayout, cell_width, display

BASE_SCAN = 400  # characters of a line read to find its first strong character
#: The moves that swap on a line drawn in visual order: → goes visually right, back in the text.
MIRRORED = {"left": "right", "right": "left", "wordleft": "wordright", "wordright": "wordleft"}


def _base_level(text: str) -> int:
    from bidi.algorithm import get_base_level  # on first use: only right-to-left lines in visual mode ask (issue 22)

    return int(get_base_level(text))


class VisualRows:
    def __init__(self, layout: WrapLayout) -> None:
        self.layout = layout
        self.enabled = False
        self._rtl: dict[int, bool] = {}

    def reset(self, layout: WrapLayout) -> None:
        self.layout = layout
        self._rtl.clear()

    def line_is_rtl(self, line: int) -> bool:
        rtl = self._rtl.get(line)
        if rtl is None:
            ls, le = self.layout.line_bounds(line)
            head = self.layout.text[ls:min(le, ls + BASE_SCAN)]
            rtl = self._rtl[line] = has_rtl(head) and _base_level(head) == 1
        return rtl

    def applies(self, line: int) -> bool:
        """True when ``line`` is drawn in visual order."""
        return self.enabled and self.line_is_rtl(line)

    def direction(self, where: str, line: int) -> str:
        """The logical move (``Navigator.target``) for the key ``where`` pressed on ``line``."""
        return MIRRORED.get(where, where) if where in MIRRORED and self.applies(line) else where

    def cells(self, line: int, sub: int) -> tuple[int, list[tuple[int, int, str, int]]]:
        """(left padding, [(start, end, shown, width)...] left to right) of a row; offsets are
        the document's. On the last row of a line a one-cell end mark (start == end == line end)
        comes first: the end of a right-to-left line is on its left."""
        start, end, last = self.layout.row_range(line, sub)
        d = display(self.layout.text[start:end])
        out: list[tuple[int, int, str, int]] = []
        if last:
            out.append((end, end, " ", 1))
        for s, e in visual_clusters(d, True):
            g = d[s:e]
            if g == "\t":
                g = " " * cell_width("\t", 0)
            out.append((start + s, start + e, g, cell_width(g, 0)))
        used = sum(c[3] for c in out)
        return max(0, self.layout.width + 1 - used), out

    def offset_at(self, line: int, sub: int, col: int) -> int:
        """The offset under column ``col`` (after the gutter) of a visual-order row."""
        pad, cells = self.cells(line, sub)
        if col < pad and cells:
            return cells[0][0]  # left of the text: the row's logical end
        x = pad
        for s, _e, _g, w in cells:
            if col < x + w:
                return s
            x += w
        start, _end, _last = self.layout.row_range(line, sub)
        return start  # right of the text: the row's logical start
