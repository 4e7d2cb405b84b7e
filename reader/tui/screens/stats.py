"""StatsScreen: charts of the annotation work (the same as `reader stats --plot`) and the
measured quality of each recommender (the same figures as `reader suggest --report`).

The figures come from :func:`reader.stats.compute_stats` and
:func:`reader.suggest.engine.quality_report`, computed in a thread worker so a large
store does not block the screen; the charts are drawn by :mod:`reader.charts` on
textual-plotext widgets. ``computing`` is True until both are shown, and
:class:`StatsScreen.Computed` is posted then (tests and snapshots wait for it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from reader.charts import CHARTS
from reader.errors import ReaderError
from reader.stats import Stats, compute_stats
from reader.suggest.engine import quality_report
from reader.suggest.recommender import PRECISION_FLOOR, Quality
from reader.text import one_line
from reader.tui.host import reader_app
from reader.tui.threads import to_ui

if TYPE_CHECKING:
    from reader.charts import PlotAPI

NOT_MEASURED = "not measured yet"
QUALITY_COLUMNS = ("label", "recommender", "precision", "recall", "annotations", "documents", "suggestions", "note")


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


def quality_row(q: Quality) -> tuple[str, ...]:
    """One recommender as a row of the Suggestions table."""
    shown = f"hidden: P < {PRECISION_FLOOR:g}" if q.hidden else "shown"
    if q.precision is None or q.recall is None:
        return (q.label, q.kind, NOT_MEASURED, "—", str(q.annotations), str(q.documents), shown, q.note)
    return (q.label, q.kind, f"{q.precision:.2f}", f"{q.recall:.2f}", str(q.annotations), str(q.documents), shown,
            q.note)


class StatsScreen(Screen[None]):
    """Annotations per label and language, progress, suggestion decisions, annotators over time, recommenders."""

    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("q", "back", "Back", tooltip="Back to the library", id="stats.back"),
        Binding("escape", "back", "Back", show=False, id="stats.back_escape"),
        Binding("R", "refresh_stats", "Refresh", id="stats.refresh"),
    ]

    class Computed(Message):
        """The charts and the Suggestions table show the figures."""

    def __init__(self) -> None:
        super().__init__()
        self.computing = True
        self._stats: Stats | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("computing…", id="stats-summary")
        with VerticalScroll(id="stats-body"):
            with Grid(id="stats-grid"):
                for name in CHARTS:
                    yield StatsChart(name)
            yield Static("Suggestions: each recommender by leave-documents-out cross-validation on this store's "
                         "annotations", id="stats-suggestions-title", classes="stats-heading")
            table: DataTable[str] = DataTable(id="stats-suggestions", cursor_type="row", zebra_stripes=True)
            table.add_columns(*QUALITY_COLUMNS)
            yield table
            yield Static("", id="stats-suggestions-notes")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Statistics"
        self.action_refresh_stats()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_refresh_stats(self) -> None:
        self.computing = True
        self.query_one("#stats-summary", Static).update("computing…")
        self.query_one("#stats-suggestions", DataTable).loading = True
        self._compute()

    @work(thread=True, exclusive=True, group="stats")
    def _compute(self) -> None:
        app = reader_app(self)
        corpus, store = app.corpus, app.store
        worker = get_current_worker()
        if corpus is None:
            to_ui(self, self._done)
            return
        stats = compute_stats(corpus, store, app.labels.names)
        if worker.is_cancelled:
            return
        to_ui(self, self._show, stats)
        try:
            quality, notes = quality_report(list(corpus), store)  # what `reader suggest --report` measures
        except ReaderError as exc:  # one clear line in the notes; the charts stay
            quality, notes = [], [f"recommenders not measured: {exc}"]
        if not worker.is_cancelled:
            to_ui(self, self._show_quality, quality, notes)

    def _show(self, stats: Stats) -> None:
        self.query_one("#stats-summary", Static).update(one_line(self._summary(stats) + " · measuring recommenders…", 300))
        self._stats = stats
        for chart in self.query(StatsChart):
            chart.show(stats)

    @staticmethod
    def _summary(stats: Stats) -> str:
        progress = ", ".join(f"{n} {state}" for state, n in stats.progress.items())
        return (f"{stats.annotations} annotation(s) in {stats.documents} document(s)"
                + (f", {stats.suggested} suggested" if stats.suggested else "") + f" · {progress}")

    def _show_quality(self, quality: list[Quality], notes: list[str]) -> None:
        table = self.query_one("#stats-suggestions", DataTable)
        table.clear()
        for q in quality:
            table.add_row(*quality_row(q))
        if not quality:
            table.add_row("—", "—", NOT_MEASURED, "—", "0", "0", "—", "no label to suggest")
        self.query_one("#stats-suggestions-notes", Static).update("\n".join(one_line(n, 300) for n in notes))
        if self._stats is not None:
            self.query_one("#stats-summary", Static).update(one_line(self._summary(self._stats), 300))
        self._done()

    def _done(self) -> None:
        self.query_one("#stats-suggestions", DataTable).loading = False
        self.computing = False
        self.post_message(self.Computed())
