"""RowPainter: one visual row of the annotated text as Rich segments (Rich only, no Textual).

The widget gives it a :class:`Palette` built from its theme (component
classes) and the label colours from ``labels.toml``; the painter decides which
style each run of text gets: spans (one label, or a mix where they overlap),
search matches, the selection and the cursor, in that order of precedence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.color import blend_rgb
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style

from reader.labels import LabelSet
from reader.model import STATUS_SUGGESTED
from reader.view.navigator import Navigator
from reader.view.search import SearchMatches
from reader.view.spans import Span, SpanIndex
from reader.view.visual import VisualRows
from reader.view.wrap import GUTTER, WrapLayout, cell_width, clusters, display, is_simple


@dataclass
class Palette:
    """Styles from the theme; ``background`` is the view's background (RGB triplet)."""

    background: tuple[int, int, int]
    cursor: Style
    cursor_blurred: Style
    selection: Style
    match: Style
    suggestion: Style
    overlap: Style
    gutter: Style
    shade: Style = field(default_factory=Style)  # passages shaded by the compare screen
    _cache: dict[tuple[str, ...], Style] = field(default_factory=dict)


def _blend(bg: tuple[int, int, int], colour: str, amount: float) -> Style:
    rgb = RichColor.parse(colour).get_truecolor()
    mixed = blend_rgb(ColorTriplet(*bg), rgb, amount)
    return Style(bgcolor=RichColor.from_triplet(mixed))


class RowPainter:
    def __init__(self, layout: WrapLayout, navigator: Navigator, spans: SpanIndex, search: SearchMatches, labels: LabelSet,
                 *, shade: Sequence[tuple[int, int]] = (), visual: VisualRows | None = None) -> None:
        self.layout = layout
        self.navigator = navigator
        self.spans = spans
        self.search = search
        self.labels = labels
        self.shade = shade
        self.visual = visual

    def span_style(self, palette: Palette, label: str, suggested: bool, low: bool = False) -> Style:
        key = ("span", label, "l" if low else "s" if suggested else "a")
        style = palette._cache.get(key)
        if style is None:
            if low:  # a suggestion the recogniser (or the learned model) scores low: faint
                style = _blend(palette.background, self.labels.color(label), 0.10) + palette.suggestion + Style(dim=True)
            elif suggested:
                style = _blend(palette.background, self.labels.color(label), 0.22) + palette.suggestion
            else:
                style = _blend(palette.background, self.labels.color(label), 0.45)
            palette._cache[key] = style
        return style

    def overlap_style(self, palette: Palette, labels: tuple[str, ...]) -> Style:
        key = ("overlap",) + labels
        style = palette._cache.get(key)
        if style is None:
            mix = RichColor.parse(self.labels.color(labels[0])).get_truecolor()
            for i, name in enumerate(labels[1:], 2):
                mix = blend_rgb(mix, RichColor.parse(self.labels.color(name)).get_truecolor(), 1 / i)
            mixed = blend_rgb(ColorTriplet(*palette.background), mix, 0.6)
            style = Style(bgcolor=RichColor.from_triplet(mixed)) + palette.overlap
            palette._cache[key] = style
        return style

    def row(self, line: int, sub: int, palette: Palette, *, focused: bool) -> list[Segment]:
        """The segments of visual row ``sub`` of ``line`` (gutter included, not padded)."""
        text = self.layout.text
        start, end, last = self.layout.row_range(line, sub)
        spans = self.spans.spans_in(start, end + 1)
        nav = self.navigator
        sel = nav.selection
        cursor, cursor_end = nav.cursor, nav.cursor_end()
        cursor_style = palette.cursor if focused else palette.cursor_blurred
        matches = self.search.in_range(start, end)
        points = {start, end, cursor, cursor_end}
        for sp in spans:
            points.add(sp.start)
            points.add(sp.end)
        if sel:
            points.update(sel)
        for s, e in matches:
            points.add(s)
            points.add(e)

        shade = [(a, b) for a, b in self.shade if a < max(end, start + 1) and start < b]
        for a, b in shade:
            points.add(a)
            points.add(b)
        cuts = sorted(p for p in points if start <= p <= end)

        def style_at(p: int) -> Style | None:
            style: Style | None = palette.shade if any(a <= p < b for a, b in shade) else None
            covering = [sp for sp in spans if sp.start <= p < sp.end]
            if len(covering) == 1:
                style = self.span_style(palette, covering[0].label, covering[0].status == STATUS_SUGGESTED, covering[0].low)
            elif len(covering) > 1:
                style = self.overlap_style(palette, tuple(sorted({sp.label for sp in covering})))
            if any(s <= p < e for s, e in matches):
                style = palette.match if style is None else style + palette.match
            if sel and sel[0] <= p < sel[1]:
                style = palette.selection if style is None else style + palette.selection
            if cursor <= p < cursor_end:
                style = cursor_style if style is None else style + cursor_style
            return style

        segments: list[Segment] = [self.gutter(spans, start, end, palette)]
        if self.visual is not None and self.visual.applies(line):
            return segments + self._visual_row(line, sub, style_at, sel, cursor, cursor_style, palette)
        d = display(text[start:end])
        if is_simple(d):
            for a, b in zip(cuts, cuts[1:]):
                if b > a:
                    segments.append(Segment(d[a - start : b - start], style_at(a)))
        else:
            cl = clusters(d)
            ci = 0
            col = 0
            for a, b in zip(cuts, cuts[1:]):
                if b <= a:
                    continue
                parts: list[str] = []
                # a run takes every grapheme that starts in [a, b): graphemes are never split
                while ci < len(cl) and cl[ci][0] + start < b:
                    g = cl[ci][2]
                    if g == "\t":
                        w = cell_width(g, col)
                        parts.append(" " * w)
                    else:
                        w = cell_len(g)
                        parts.append(g)
                    col += w
                    ci += 1
                if parts:
                    segments.append(Segment("".join(parts), style_at(a)))
        if last:
            # the newline (or the end of the text): show the cursor and a selected newline as one cell
            tail: Style | None = None
            if sel and sel[0] <= end < sel[1] and end < len(text):
                tail = palette.selection
            if cursor == end:
                tail = cursor_style if tail is None else tail + cursor_style
            if tail is not None:
                segments.append(Segment(" ", tail))
        return segments

    def _visual_row(self, line: int, sub: int, style_at: Callable[[int], Style | None], sel: tuple[int, int] | None,
                    cursor: int, cursor_style: Style, palette: Palette) -> list[Segment]:
        """A right-to-left row in visual order, right-aligned (see :mod:`reader.view.visual`)."""
        assert self.visual is not None
        text = self.layout.text
        pad, cells = self.visual.cells(line, sub)
        out: list[Segment] = [Segment(" " * pad)] if pad else []
        run: list[str] = []
        run_style: Style | None = None
        for s, e, g, _w in cells:
            if s == e:  # the end of the line
                tail: Style | None = None
                if sel and sel[0] <= s < sel[1] and s < len(text):
                    tail = palette.selection
                if cursor == s:
                    tail = cursor_style if tail is None else tail + cursor_style
                style, g = tail, " "
            else:
                style = style_at(s)
            if run and style != run_style:
                out.append(Segment("".join(run), run_style))
                run = []
            run.append(g)
            run_style = style
        if run:
            out.append(Segment("".join(run), run_style))
        return out

    def gutter(self, spans: list[Span], start: int, end: int, palette: Palette) -> Segment:
        visible = [sp for sp in spans if sp.start < max(end, start + 1) and start < sp.end]
        if not visible:
            return Segment(" " * GUTTER)
        if SpanIndex.overlapping(visible):
            return Segment("≡ ", palette.gutter)
        first = min(visible, key=lambda sp: sp.start)
        mark = "┆ " if all(s.status == STATUS_SUGGESTED for s in visible) else "▌ "
        return Segment(mark, Style(color=self.labels.color(first.label)))
