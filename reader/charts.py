"""The stats charts, drawn with plotext's API.

One function per chart draws on any object with plotext's plotting API: the
`plotext` module itself (``reader stats --plot``) or the ``plt`` of a
textual-plotext ``PlotextPlot`` widget (the stats screen). So the terminal
command and the screen draw exactly the same charts. No Textual here.
"""
from __future__ import annotations

from typing import Callable, Protocol, Sequence

from reader.stats import PROGRESS_STATES, Stats


class PlotAPI(Protocol):
    """The part of plotext's API the charts use."""

    def clear_figure(self) -> None: ...

    def clear_data(self) -> None: ...

    def title(self, label: str) -> None: ...

    def xlabel(self, label: str) -> None: ...

    def ylabel(self, label: str) -> None: ...

    def bar(self, *args: object, **kwargs: object) -> None: ...

    def multiple_bar(self, *args: object, **kwargs: object) -> None: ...

    def plot(self, *args: object, **kwargs: object) -> None: ...

    def xticks(self, ticks: Sequence[float], labels: Sequence[str] | None = None) -> None: ...

    def yticks(self, ticks: Sequence[float], labels: Sequence[str] | None = None) -> None: ...

    def xlim(self, lower: float | None = None, upper: float | None = None) -> None: ...

    def ylim(self, lower: float | None = None, upper: float | None = None) -> None: ...


def _ints(values: Sequence[int]) -> list[int]:
    return [int(v) for v in values]


MAX_TICKS = 6
"""At most this many steps on a count axis (plus the zero tick)."""


def count_ticks(highest: int, max_ticks: int = MAX_TICKS) -> list[int]:
    """Whole-number ticks from 0 to at least ``highest``: 0, 1, 2, ... or a nice step (2, 5, 10, 20, 50, ...).

    Counts are never fractional, so their axis never shows 0.33 or 1.67; the last tick is
    the axis' upper limit, so a bar of n reaches exactly the row of tick n.
    """
    highest = max(1, int(highest))
    step, magnitude = 1, 1
    while True:
        for m in (1, 2, 5):
            step = m * magnitude
            if -(-highest // step) <= max_ticks:
                top = -(-highest // step) * step
                return list(range(0, top + 1, step))
        magnitude *= 10


def _count_axis(plt: PlotAPI, values: Sequence[int], *, horizontal: bool = False) -> None:
    ticks = count_ticks(max(values, default=0))
    if horizontal:
        plt.xticks(ticks, [str(t) for t in ticks])
        plt.xlim(0, ticks[-1])
    else:
        plt.yticks(ticks, [str(t) for t in ticks])
        plt.ylim(0, ticks[-1])


def _grouped(plt: PlotAPI, names: Sequence[str], series: dict[str, list[int]], what: str) -> None:
    """Bars side by side per name, one per series; the legend is the x label, never over a bar."""
    plt.multiple_bar(list(names), list(series.values()))
    _count_axis(plt, [v for values in series.values() for v in values])
    parts = list(series)
    legend = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    order = " (bars left to right)" if len(parts) > 1 else ""
    plt.xlabel(f"{what}: {legend}{order}")


def chart_labels(stats: Stats, plt: PlotAPI) -> None:
    names = list(stats.per_label)  # every label of the set, the ones with 0 too
    plt.title("Annotations per label")
    if not names:  # zero bars would draw an empty axis from -1 to 1
        plt.xlabel("no labels")
        return
    counts = _ints([stats.per_label[n] for n in names])
    # plotext draws the first horizontal bar at the bottom: reversed, the list reads top-down
    plt.bar(names[::-1], counts[::-1], orientation="horizontal", width=0.3)
    _count_axis(plt, counts, horizontal=True)
    if not any(counts):
        plt.xlabel("no annotations yet")


def chart_languages(stats: Stats, plt: PlotAPI) -> None:
    langs = list(stats.per_language)
    plt.title("Annotations per language")
    if not langs:
        plt.xlabel("no documents")
        return
    rows = [stats.per_language[lang] for lang in langs]
    if not any(r.annotations or r.suggested for r in rows):
        plt.xlabel(f"no annotations yet in {len(langs)} language(s)")
        return
    _grouped(plt, langs, {"accepted": _ints([r.annotations for r in rows]),
                          "suggested": _ints([r.suggested for r in rows])}, "language")


def chart_progress(stats: Stats, plt: PlotAPI) -> None:
    plt.title(f"Progress of {stats.documents} document(s)")
    counts = _ints([stats.progress.get(s, 0) for s in PROGRESS_STATES])
    plt.bar(list(PROGRESS_STATES), counts, width=0.4)
    _count_axis(plt, counts)


def chart_decisions(stats: Stats, plt: PlotAPI) -> None:
    labels = list(stats.decisions)
    plt.title("Suggestions accepted and rejected")
    if not labels:
        plt.xlabel("no suggestion decided yet")
        return
    _grouped(plt, labels, {"accepted": _ints([stats.decisions[x]["accepted"] for x in labels]),
                           "rejected": _ints([stats.decisions[x]["rejected"] for x in labels])}, "label")


def chart_annotators(stats: Stats, plt: PlotAPI) -> None:
    """Bars per day (UTC, MM-DD), one per annotator: a single day is a bar, not a dot of a line."""
    days = stats.days
    plt.title("Annotations per annotator per day")
    if not days:
        plt.xlabel("no annotations yet")
        return
    series = {who: _ints([per_day.get(d, 0) for d in days]) for who, per_day in stats.per_annotator_day.items()}
    _grouped(plt, [d[5:] if len(d) == 10 else d for d in days], series, "day (UTC)")


CHARTS: dict[str, tuple[str, Callable[[Stats, PlotAPI], None]]] = {
    "labels": ("per label", chart_labels),
    "languages": ("per language", chart_languages),
    "progress": ("progress", chart_progress),
    "decisions": ("suggestions", chart_decisions),
    "annotators": ("annotators", chart_annotators),
}
