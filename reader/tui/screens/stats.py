"""StatsScreen: charts of the annotation work (the same as `reader stats --plot`).

The figures come from :func:`reader.stats.compute_stats`, computed in a thread
worker so a large store does not block the screen; the charts are drawn by
:mod:`reader.charts` on textual-plotext widgets.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from reader.charts import CHARTS
from reader.stats import Stats, compute_stats
from reader.text import one_line
from reader.tui.host import reader_app

if TYPE_CHECKING:
    from reader.charts import PlotAPI


class StatsChart(PlotextPlot):
    """One chart of :data:`reader.charts.CHARTS`, redrawn when the figures change."""

    def __init__(self, name: str) -> None:
        super().__init__(id=f"chart-{name}", classes="stats-chart")
        self.chart_name = name
        self.stats: Stats | None = None

    def show(self, stats: Stats) -> None:
        self.stats = stats
        plt = self.plt
        plt.clear_figure()
        CHARTS[self.chart_name][1](stats, cast("PlotAPI", plt))  # plotext's Plot: its own, narrower signatures
        self.refresh()


class StatsScreen(Screen[None]):
    """Annotations per label and language, progress, suggestion decisions, annotators over time."""

    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("q", "back", "Back", tooltip="Back to the library", id="stats.back"),
        Binding("escape", "back", "Back", show=False, id="stats.back_escape"),
        Binding("R", "refresh_stats", "Refresh", id="stats.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("computing…", id="stats-summary")
        with Grid(id="stats-grid"):
            for name in CHARTS:
                yield StatsChart(name)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Statistics"
        self.action_refresh_stats()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_refresh_stats(self) -> None:
        self.query_one("#stats-summary", Static).update("computing…")
        self._compute()

    @work(thread=True, exclusive=True, group="stats")
    def _compute(self) -> None:
        app = reader_app(self)
        corpus, store = app.corpus, app.store
        if corpus is None:
            return
        stats = compute_stats(corpus, store, app.labels.names)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, stats)

    def _show(self, stats: Stats) -> None:
        progress = ", ".join(f"{n} {state}" for state, n in stats.progress.items())
        summary = (
            f"{stats.annotations} annotation(s) in {stats.documents} document(s)"
            + (f", {stats.suggested} suggested" if stats.suggested else "")
            + f" · {progress}"
        )
        self.query_one("#stats-summary", Static).update(one_line(summary, 300))
        for chart in self.query(StatsChart):
            chart.show(stats)
