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


def _ints(values: Sequence[int]) -> list[int]:
    return [int(v) for v in values]


def chart_labels(stats: Stats, plt: PlotAPI) -> None:
    names = [n for n in stats.per_label if stats.per_label[n]]
    plt.title("Annotations per label")
    if not names:  # zero bars would draw an empty axis from -1 to 1
        plt.xlabel("no annotations yet" if stats.per_label else "no labels")
        return
    plt.bar(names, _ints([stats.per_label[n] for n in names]), orientation="horizontal", width=0.3)


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
    plt.multiple_bar(
        langs,
        [_ints([r.annotations for r in rows]), _ints([r.suggested for r in rows])],
        labels=["accepted", "suggested"],
    )


def chart_progress(stats: Stats, plt: PlotAPI) -> None:
    plt.title(f"Progress of {stats.documents} document(s)")
    plt.bar(list(PROGRESS_STATES), _ints([stats.progress.get(s, 0) for s in PROGRESS_STATES]), width=0.4)


def chart_decisions(stats: Stats, plt: PlotAPI) -> None:
    labels = list(stats.decisions)
    plt.title("Suggestions accepted and rejected")
    if not labels:
        plt.xlabel("no suggestion decided yet")
        return
    plt.multiple_bar(
        labels,
        [_ints([stats.decisions[x]["accepted"] for x in labels]), _ints([stats.decisions[x]["rejected"] for x in labels])],
        labels=["accepted", "rejected"],
    )


def chart_annotators(stats: Stats, plt: PlotAPI) -> None:
    days = stats.days
    plt.title("Annotations per annotator per day")
    if not days:
        plt.xlabel("no annotations yet")
        return
    xs = list(range(1, len(days) + 1))
    for who, per_day in stats.per_annotator_day.items():
        plt.plot(xs, _ints([per_day.get(d, 0) for d in days]), label=who, marker="hd")
    plt.xticks(xs, [d[5:] if len(d) == 10 else d for d in days])  # MM-DD
    plt.xlabel("day (UTC)")


CHARTS: dict[str, tuple[str, Callable[[Stats, PlotAPI], None]]] = {
    "labels": ("per label", chart_labels),
    "languages": ("per language", chart_languages),
    "progress": ("progress", chart_progress),
    "decisions": ("suggestions", chart_decisions),
    "annotators": ("annotators", chart_annotators),
}
