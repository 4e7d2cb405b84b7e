"""RowPainter: one visual row of the annotated text as Rich segments (Rich only, no Textual).

The widget gives it a :class:`Palette` built from its theme (component
classes) and the label colours from ``labels.toml``; the painter decides which
style each run of text gets: spans (one label, or a mix where they overlap),
search matches, the selection and the cursor, in that order of precedence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.color import blend_rgb
from rich.segment import Segment
from rich.style import Style

from reader.labels import LabelSet
from reader.model import STATUS_SUGGESTED
from reader.view.navigator import Navigator
from reader.view.search import SearchMatches
from reader.view.spans import Span, SpanIndex
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
    _cache: dict[tuple[str, ...], Style] = field(default_factory=dict)


def _blend(bg: tuple[int, int, int], colour: str, amount: float) -> Style:
    rgb = RichColor.parse(colour).get_truecolor()
    mixed = blend_rgb(bg, rgb, amount)  # type: ignore[arg-type]
    return Style(bgcolor=RichColor.from_triplet(mixed))


class RowPainter:
    def __init__(self, layout: WrapLayout, navigator: Navigator, spans: SpanIndex, search: SearchMatches, labels: LabelSet) -> None:
        self.layout = layout
        self.navigator = navigator
        self.spans = spans
        self.search = search
        self.labels = labels

    def span_style(self, palette: Palette, label: str, suggested: bool) -> Style:
        key = ("span", label, "s" if suggested else "a")
        style = palette._cache.get(key)
        if style is None:
            if suggested:
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
            mixed = blend_rgb(palette.background, mix, 0.6)  # type: ignore[arg-type]
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
        cuts = sorted(p for p in points if start <= p <= end)

        def style_at(p: int) -> Style | None:
            style: Style | None = None
            covering = [sp for sp in spans if sp.start <= p < sp.end]
            if len(covering) == 1:
                style = self.span_style(palette, covering[0].label, covering[0].status == STATUS_SUGGESTED)
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

    def gutter(self, spans: list[Span], start: int, end: int, palette: Palette) -> Segment:
        visible = [sp for sp in spans if sp.start < max(end, start + 1) and start < sp.end]
        if not visible:
            return Segment(" " * GUTTER)
        if SpanIndex.overlapping(visible):
            return Segment("≡ ", palette.gutter)
        first = min(visible, key=lambda sp: sp.start)
        mark = "┆ " if all(s.status == STATUS_SUGGESTED for s in visible) else "▌ "
        return Segment(mark, Style(color=self.labels.color(first.label)))
