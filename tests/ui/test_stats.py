"""The stats figures (reader.stats), `reader stats --plot`, and the stats screen."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.text import Text

from reader.cli import main
from reader.corpus import load_corpus
from reader.stats import compute_stats
from reader.store import AnnotationStore
from reader.tui import ReaderApp

from conftest import copy_seeds
from tui_helpers import SIZE, settle

ITALIAN = "000_9d99caadc18c77c5"
ENGLISH = "001_228d26dd8dd40e62"
FRENCH = "002_26ccd676af571225"
ARABIC = "003_744b85a45d014b40"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    copy_seeds(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _span(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return i, i + len(needle)


def populate() -> None:
    """Two annotators over three days, suggestions accepted and rejected, one document done."""
    corpus = load_corpus("seeds", detect=False)
    with AnnotationStore("annotations", annotator="ana") as store:
        store.attach_corpus(corpus)
        en = corpus.get(ENGLISH).text
        it = corpus.get(ITALIAN).text
        fr = corpus.get(FRENCH).text
        items = []

        def add(doc_id, text, needle, label, who, day, **extra):
            start, end = _span(text, needle)
            items.append({"doc_id": doc_id, "start": start, "end": end, "label": label, "annotator": who,
                          "created": f"2026-11-{day:02d}T10:00:00.000+00:00", **extra})

        add(ENGLISH, en, "artificial intelligence", "claim", "ana", 1)
        add(ENGLISH, en, "Midjourney", "quote", "ana", 1)
        add(ITALIAN, it, "Netflix", "claim", "ana", 2)
        add(FRENCH, fr, "900 000 $", "salary", "bo", 2, source="suggest:salary")
        add(ITALIAN, it, "Netflix", "opinion", "bo", 3)
        add(ENGLISH, en, "Engadget", "claim", "bo", 3, status="suggested", source="suggest:claim")
        add(ENGLISH, en, "The Intercept", "quote", "bo", 3, status="rejected", source="suggest:quote")
        store.add_many(items)
        store.set_done(FRENCH, True)


def test_compute_stats_counts_every_series(workdir):
    populate()
    corpus = load_corpus("seeds", detect=True)
    with AnnotationStore("annotations", readonly=True) as store:
        stats = compute_stats(corpus, store, store.labels.names)
    assert stats.per_label == {"salary": 1, "quote": 1, "claim": 2, "opinion": 1}
    assert stats.annotations == 5 and stats.suggested == 1
    assert stats.progress == {"new": 2, "in progress": 2, "done": 1}
    assert stats.decisions == {"quote": {"accepted": 0, "rejected": 1}, "salary": {"accepted": 1, "rejected": 0}}
    assert stats.per_annotator_day == {
        "ana": {"2026-11-01": 2, "2026-11-02": 1},
        "bo": {"2026-11-02": 1, "2026-11-03": 1},
    }
    assert stats.days == ["2026-11-01", "2026-11-02", "2026-11-03"]
    by_lang = {lang: (r.documents, r.annotations) for lang, r in stats.per_language.items()}
    assert by_lang["en"] == (1, 2) and by_lang["it"][1] == 2 and by_lang["fr"] == (1, 1)


def test_compute_stats_counts_a_deleted_suggestion_as_rejected(workdir):
    corpus = load_corpus("seeds", detect=False)
    with AnnotationStore("annotations") as store:
        store.attach_corpus(corpus)
        start, end = _span(corpus.get(ENGLISH).text, "Midjourney")
        [ann] = store.add_many([{"doc_id": ENGLISH, "start": start, "end": end, "label": "quote",
                                 "status": "suggested", "source": "suggest:quote"}])
        store.delete(ann.id)
        stats = compute_stats(corpus, store, store.labels.names)
    assert stats.decisions == {"quote": {"accepted": 0, "rejected": 1}}


def test_stats_json_has_progress_and_decisions(workdir, capsys):
    populate()
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["progress"] == {"new": 2, "in progress": 2, "done": 1}
    assert data["labels"]["claim"] == 2
    assert data["per_annotator_day"]["bo"] == {"2026-11-02": 1, "2026-11-03": 1}


def test_stats_plot_draws_every_chart_without_colour_codes_into_a_pipe(workdir, capsys):
    populate()
    assert main(["stats", "--plot"]) == 0
    out = capsys.readouterr().out
    for title in ("Annotations per label", "Annotations per language", "Progress of 5 document(s)",
                  "Suggestions accepted and rejected", "Annotations per annotator per day"):
        assert title in out
    assert "\x1b" not in out  # not a terminal: plain text
    assert "11-01" in out and "11-03" in out  # the days on the annotators' axis
    assert re.search(r"\bana\b", out) and re.search(r"\bbo\b", out)  # the legend


async def test_stats_screen_opens_from_the_library_with_i_and_closes_with_q(workdir):
    from reader.tui.screens.stats import StatsChart, StatsScreen

    populate()
    app = ReaderApp("seeds", "annotations")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await _wait_computed(pilot)
        summary = str(app.screen.query_one("#stats-summary").render())
        assert "5 annotation(s) in 5 document(s), 1 suggested" in summary
        assert "2 new, 2 in progress, 1 done" in summary
        charts = list(app.screen.query(StatsChart))
        assert [c.chart_name for c in charts] == ["labels", "languages", "progress", "decisions", "annotators"]
        assert all(c.stats is not None for c in charts)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


async def _open_stats(pilot) -> None:
    """Press i on the library and wait until the stats screen shows every figure (its ``computing`` flag)."""
    from reader.tui.screens.stats import StatsScreen

    await settle(pilot.app, pilot)
    await pilot.press("i")
    await pilot.pause()
    await _wait_computed(pilot)
    assert isinstance(pilot.app.screen, StatsScreen)


async def _wait_computed(pilot, timeout: float = 120.0) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while getattr(pilot.app.screen, "computing", True):
        assert loop.time() < end, "the stats screen never finished computing"
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_stats_screen_snapshot(workdir, snap_compare):
    populate()
    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=_open_stats)


def test_stats_screen_snapshot_of_an_empty_store_at_80_columns(workdir, snap_compare):
    """No annotation yet, in a small terminal: each chart says so instead of drawing empty axes."""
    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=(80, 24), run_before=_open_stats)


# --- reading the charts as text (issue 22: ticks, labels, legend, single day; issue 24 item 3: the table) ---

SIZE_120_35 = (120, 35)
DOTS = set("▘▝▀▖▌▞▛▗▚▐▜▄▙▟⠁⠂⠄⡀⢀•·")  # quadrant / braille / dot markers: a line plot, not a bar


def parse_chart(text: str) -> dict:
    """A plotext chart's text: its rows inside the box, the y tick labels by row, and the x tick labels.

    Returns ``{"rows": [line...], "yticks": {row: label}, "xticks": [label...], "box": (top, bottom),
    "left": column of the left border, "below": the lines under the box}``.
    """
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line and i > top)
    left = lines[bottom].index("└")
    yticks = {}
    for i in range(top + 1, bottom):
        line = lines[i]
        if len(line) > left and line[left] == "┤":
            yticks[i] = line[:left].strip()
    xticks = lines[bottom + 1].split() if bottom + 1 < len(lines) else []
    return {"lines": lines, "yticks": yticks, "xticks": xticks, "box": (top, bottom), "left": left,
            "below": lines[bottom + 1:]}


def _charts_of_plot(out: str) -> list[str]:
    """`reader stats --plot` output split into its charts (each starts with its title line)."""
    parts, current = [], []
    for line in out.splitlines():
        if current and line.strip() and "┌" not in line and not current[-1].strip() and "│" not in line:
            parts.append("\n".join(current))
            current = []
        current.append(line)
    parts.append("\n".join(current))
    return [p for p in parts if "┌" in p]


def _bar_top(chart: dict, label: str) -> int:
    """The row of the highest bar cell under x tick ``label`` (a vertical bar chart)."""
    lines, (top, bottom) = chart["lines"], chart["box"]
    tick_line = lines[bottom + 1]
    col = tick_line.index(label) + len(label) // 2
    rows = [i for i in range(top + 1, bottom) if col < len(lines[i]) and lines[i][col] == "█"]
    assert rows, f"no bar under {label}"
    return min(rows)


def _row_of_tick(chart: dict, value: int) -> int:
    return next(row for row, text in chart["yticks"].items() if text == str(value))


def _assert_counts_axis(ticks: list[str]) -> None:
    assert ticks, "no ticks"
    for t in ticks:
        assert re.fullmatch(r"\d+", t), f"fractional or odd tick {t!r} in {ticks}"
    assert [int(t) for t in ticks] == sorted(int(t) for t in ticks) or [int(t) for t in ticks] == sorted(
        (int(t) for t in ticks), reverse=True)


def _inside_box(chart: dict) -> str:
    top, bottom = chart["box"]
    return "\n".join(line[chart["left"] + 1:] for line in chart["lines"][top + 1:bottom])


def populate_one_day() -> None:
    """Two claims and one quote, all on one day: opinion and salary have none."""
    corpus = load_corpus("seeds", detect=False)
    with AnnotationStore("annotations", annotator="ana") as store:
        store.attach_corpus(corpus)
        en = corpus.get(ENGLISH).text
        items = []
        for needle, label in (("artificial intelligence", "claim"), ("Engadget", "claim"), ("Midjourney", "quote")):
            start, end = _span(en, needle)
            items.append({"doc_id": ENGLISH, "start": start, "end": end, "label": label,
                          "created": "2026-11-04T10:00:00.000+00:00"})
        store.add_many(items)


def test_count_ticks_are_whole_numbers_covering_the_highest_count():
    from hypothesis import given
    from hypothesis import strategies as st

    from reader.charts import MAX_TICKS, count_ticks

    assert count_ticks(0) == [0, 1]
    assert count_ticks(2) == [0, 1, 2]
    assert count_ticks(6) == [0, 1, 2, 3, 4, 5, 6]
    assert count_ticks(7) == [0, 2, 4, 6, 8]
    assert count_ticks(23) == [0, 5, 10, 15, 20, 25]

    @given(st.integers(min_value=0, max_value=10**7))
    def check(n):
        ticks = count_ticks(n)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and ticks[-1] >= n and ticks[-1] - step < max(n, 1)
        assert len(ticks) - 1 <= MAX_TICKS
        assert all(b - a == step for a, b in zip(ticks, ticks[1:]))
        assert str(step).strip("0") in ("1", "2", "5")

    check()


def test_stats_plot_into_a_pipe_has_whole_ticks_every_label_and_bars_at_their_ticks(workdir, capsys):
    populate()
    assert main(["stats", "--plot"]) == 0
    charts = {c.splitlines()[0].strip(): parse_chart(c) for c in _charts_of_plot(capsys.readouterr().out)}
    assert len(charts) == 5, list(charts)
    labels = charts["Annotations per label"]
    assert sorted(labels["yticks"].values()) == ["claim", "opinion", "quote", "salary"]
    assert list(labels["yticks"].values())[0] == "salary"  # the label set's order, top-down
    _assert_counts_axis(labels["xticks"])
    assert labels["xticks"] == ["0", "1", "2"]
    for title, chart in charts.items():
        if title != "Annotations per label":
            _assert_counts_axis(list(chart["yticks"].values()))
    progress = charts["Progress of 5 document(s)"]  # 2 new, 2 in progress, 1 done
    assert list(progress["yticks"].values()) == ["2", "1", "0"]
    assert _bar_top(progress, "done") == _row_of_tick(progress, 1)
    assert _bar_top(progress, "new") == _row_of_tick(progress, 2)
    for title in ("Annotations per language", "Suggestions accepted and rejected", "Annotations per annotator per day"):
        chart = charts[title]
        inside = _inside_box(chart)
        for word in ("accepted", "suggested", "rejected", "ana", "bo"):
            assert word not in inside, f"the legend is drawn over the bars of {title!r}"
        assert not DOTS & set(inside), f"{title!r} is not drawn with bars"
    legend = " ".join(charts["Annotations per annotator per day"]["below"])
    assert "ana and bo" in legend and "day (UTC)" in legend
    assert "accepted and suggested" in " ".join(charts["Annotations per language"]["below"])


def test_stats_plot_shows_a_zero_label_and_a_single_day_as_a_bar(workdir, capsys):
    populate_one_day()
    assert main(["stats", "--plot"]) == 0
    charts = {c.splitlines()[0].strip(): parse_chart(c) for c in _charts_of_plot(capsys.readouterr().out)}
    labels = charts["Annotations per label"]
    assert sorted(labels["yticks"].values()) == ["claim", "opinion", "quote", "salary"]  # opinion 0, salary 0
    assert labels["xticks"] == ["0", "1", "2"]
    # each label's bar ends at the tick of its count; opinion and salary (0) have no bar at all
    bottom_line = labels["lines"][labels["box"][1]]
    tick_cols = {t: col for t, col in zip(labels["xticks"], [i for i, ch in enumerate(bottom_line) if ch == "┬"])}
    ends = {name: max((i for i, ch in enumerate(labels["lines"][row]) if ch == "█"), default=None)
            for row, name in labels["yticks"].items()}
    assert ends == {"claim": tick_cols["2"], "quote": tick_cols["1"], "opinion": None, "salary": None}
    days = charts["Annotations per annotator per day"]
    assert days["xticks"] == ["11-04"]
    assert list(days["yticks"].values()) == ["3", "2", "1", "0"]
    inside = _inside_box(days)
    assert "█" in inside and not DOTS & set(inside)
    assert _bar_top(days, "11-04") == _row_of_tick(days, 3)


async def test_stats_screen_charts_at_120x35_have_whole_ticks_every_label_and_scroll(workdir):
    from reader.tui.screens.stats import StatsChart

    populate()
    app = ReaderApp("seeds", "annotations")
    async with app.run_test(size=SIZE_120_35) as pilot:
        await _open_stats(pilot)
        charts = {c.chart_name: c for c in app.screen.query(StatsChart)}
        for name, widget in charts.items():
            assert widget.content_region.height >= 14, f"{name} is {widget.content_region.height} rows tall"
            rendered = widget.render()
            assert isinstance(rendered, Text)
            chart = parse_chart(rendered.plain)
            if name == "labels":
                assert sorted(chart["yticks"].values()) == ["claim", "opinion", "quote", "salary"]
                _assert_counts_axis(chart["xticks"])
            else:
                _assert_counts_axis(list(chart["yticks"].values()))
                assert not DOTS & set(_inside_box(chart))
            if name == "progress":
                assert _bar_top(chart, "done") == _row_of_tick(chart, 1)
        body = app.screen.query_one("#stats-body")
        assert body.max_scroll_y > 0  # taller than the screen: it scrolls
        table = app.screen.query_one("#stats-suggestions")
        body.scroll_end(animate=False)
        await pilot.pause()
        assert table.region.height > 0 and table.region.y < SIZE_120_35[1]


def _annotated_store(tmp_path: Path) -> tuple[Path, Path]:
    """The learning corpus (tests/data/annotator) with 30 documents annotated: enough to train and measure."""
    import random

    from reader.suggest.evaluation import load_labelled

    docs = load_labelled(Path(__file__).resolve().parent.parent / "data" / "annotator")
    random.Random(3).shuffle(docs)
    root = tmp_path / "learn"
    root.mkdir()
    for d in docs:
        (root / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    corpus = load_corpus(root, detect=False)
    with AnnotationStore(tmp_path / "learn-store", corpus=corpus, annotator="ann") as store:
        for d in docs:
            corpus.set_language_override(d.id, d.lang, store)
        store.add_many([{"doc_id": d.id, "start": s, "end": e, "label": lab}
                        for d in docs[:30] for s, e, lab in d.spans])
    return root, tmp_path / "learn-store"


async def test_stats_screen_lists_each_recommender_with_its_measured_quality(workdir):
    pytest.importorskip("sklearn")
    from textual.widgets import DataTable

    from reader.suggest.engine import quality_report
    from reader.tui.screens.stats import QUALITY_COLUMNS

    root, store_path = _annotated_store(workdir)
    with AnnotationStore(store_path) as store:
        expected, _ = quality_report(list(load_corpus(root, detect=False)), store)
    assert any(q.kind == "sentence model" and q.precision is not None for q in expected)
    app = ReaderApp(str(root), str(store_path))
    async with app.run_test(size=SIZE_120_35) as pilot:
        await _open_stats(pilot)
        table = app.screen.query_one("#stats-suggestions", DataTable)
        assert [str(c.label) for c in table.columns.values()] == list(QUALITY_COLUMNS)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert len(rows) == len(expected)
        by_key = {(r[0], r[1]): r for r in rows}
        for q in expected:
            row = by_key[(q.label, q.kind)]
            assert row[2] == (f"{q.precision:.2f}" if q.precision is not None else "not measured yet")
            assert row[3] == (f"{q.recall:.2f}" if q.recall is not None else "—")
            assert row[4:6] == [str(q.annotations), str(q.documents)]
            assert row[6] == ("hidden: P < 0.5" if q.hidden else "shown")
            assert row[7] == q.note
        claim = by_key[("claim", "sentence model")]
        assert re.fullmatch(r"[01]\.\d\d", claim[2]) and re.fullmatch(r"[01]\.\d\d", claim[3])
        assert "measuring" not in str(app.screen.query_one("#stats-summary").render())


async def test_stats_screen_says_not_measured_yet_without_annotations(workdir):
    from textual.widgets import DataTable

    app = ReaderApp("seeds", "annotations")
    async with app.run_test(size=SIZE_120_35) as pilot:
        await _open_stats(pilot)
        table = app.screen.query_one("#stats-suggestions", DataTable)
        cells = [str(cell) for i in range(table.row_count) for cell in table.get_row_at(i)]
        assert cells and "not measured yet" in cells
        assert not any(re.fullmatch(r"[01]\.\d\d", c) for c in cells)


def test_stats_json_includes_the_recommenders_quality(workdir, capsys):
    pytest.importorskip("sklearn")
    root, store_path = _annotated_store(workdir)
    assert main(["stats", str(root), "--store", str(store_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main(["suggest", str(root), "--store", str(store_path), "--report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert data["suggestions"] == report  # the same figures as `reader suggest --report`
    assert any(r["kind"] == "sentence model" and r["precision"] is not None for r in data["suggestions"])
    assert all({"label", "kind", "precision", "recall", "annotations", "documents", "hidden"} <= set(r)
               for r in data["suggestions"])


def test_stats_screen_snapshot_of_the_suggestions_table(workdir, snap_compare):
    """The bottom of the screen: the Suggestions table (figures from populate(): none trained, fixed)."""
    populate()

    async def scrolled(pilot) -> None:
        await _open_stats(pilot)
        pilot.app.screen.query_one("#stats-body").scroll_end(animate=False)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE_120_35, run_before=scrolled)


async def test_stats_screen_refresh_recomputes_after_new_work(workdir):
    """R on the stats screen: the charts and the table show an annotation made since it opened."""
    from reader.tui.screens.stats import StatsChart

    populate()
    app = ReaderApp("seeds", "annotations")
    async with app.run_test(size=SIZE_120_35) as pilot:
        await _open_stats(pilot)
        labels = app.screen.query_one("#chart-labels", StatsChart)
        assert labels.stats is not None and labels.stats.per_label["quote"] == 1
        en = app.corpus.get(ENGLISH).text
        start, end = _span(en, "The Intercept")
        app.store.add_many([{"doc_id": ENGLISH, "start": start, "end": end, "label": "quote"}])
        await pilot.press("R")
        await pilot.pause()
        await _wait_computed(pilot)
        assert labels.stats.per_label["quote"] == 2
        assert "6 annotation(s)" in str(app.screen.query_one("#stats-summary").render())
