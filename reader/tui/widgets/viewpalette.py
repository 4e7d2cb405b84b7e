"""The text view's colours, read from the theme through its component classes.

``partial_rich_style`` drops a translucent background's alpha (``$accent 18%``
would come out opaque and hide the text's own colours), so translucent
backgrounds are composited here over the view's background.
"""
from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.widget import Widget

from reader.view.paint import Palette


def component_style(widget: Widget, name: str, over: Color) -> Style:
    """A component class's style, with a translucent background blended over ``over``."""
    styles = widget.get_component_styles(name)
    style = styles.partial_rich_style
    if styles.has_rule("background") and 0 < styles.background.a < 1:
        style += Style(bgcolor=(over + styles.background).rich_color)
    return style


def theme_palette(view: Widget) -> Palette:
    """The :class:`Palette` of an ``AnnotatedTextView`` for the current theme and focus."""
    bg = view.background_colors[1]

    def c(name: str) -> Style:
        return component_style(view, "text-view--" + name, bg)

    return Palette(
        background=(bg.r, bg.g, bg.b),
        cursor=c("cursor"),
        cursor_blurred=c("cursor-blurred"),
        selection=c("selection"),
        match=c("match"),
        suggestion=c("suggestion"),
        overlap=c("overlap"),
        gutter=c("gutter"),
        shade=c("shade"),
    )
