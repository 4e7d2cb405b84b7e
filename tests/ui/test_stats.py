"""The stats figures (reader.stats), `reader stats --plot`, and the stats screen."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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
        await app.workers.wait_for_complete()
        await pilot.pause()
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
    """Press i on the library and wait for the stats screen's charts."""
    await settle(pilot.app, pilot)
    await pilot.press("i")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_stats_screen_snapshot(workdir, snap_compare):
    populate()
    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=SIZE, run_before=_open_stats)


def test_stats_screen_snapshot_of_an_empty_store_at_80_columns(workdir, snap_compare):
    """No annotation yet, in a small terminal: each chart says so instead of drawing empty axes."""
    assert snap_compare(ReaderApp("seeds", "annotations"), terminal_size=(80, 24), run_before=_open_stats)
