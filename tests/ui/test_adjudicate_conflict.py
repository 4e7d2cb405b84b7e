"""Issue 18, item 3 in the review screen: the reviewer who decides second is told, and sees the first decision."""
from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.teams.adjudication import accept, build_review
from reader.tui import ReaderApp

from tui_helpers import SIZE, copy_seeds, notifications, run_test, settle

DOC = "001_228d26dd8dd40e62"  # the English seed


async def _wait_for(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
        await pilot.pause()


async def test_the_loser_presses_accept_and_sees_the_winners_decision(tmp_path: Path, pg_url):
    from reader.tui.screens.adjudicate import AdjudicationScreen

    corpus = copy_seeds(tmp_path)
    c = load_corpus(corpus, detect=False)
    w = [m.span() for m in re.finditer(r"\w{6,}", c.get(DOC).text)][:3]
    with AnnotationStore(pg_url, corpus=c, annotator="alice") as s:
        s.add(DOC, *w[2], "quote")
    with AnnotationStore(pg_url, corpus=c, annotator="bob") as s:
        s.add(DOC, *w[2], "opinion")
    app = ReaderApp(corpus, pg_url, annotator="judy", detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(AdjudicationScreen(DOC))
        await _wait_for(pilot, lambda: isinstance(app.screen, AdjudicationScreen))
        screen = app.screen
        await _wait_for(pilot, lambda: screen.review is not None)
        assert screen.review.progress == "0/1"
        with AnnotationStore(pg_url, corpus=c, annotator="carol") as carol:  # another reviewer, first
            review = build_review(carol, DOC)
            accept(carol, review, review.clusters[0], "alice")
        await pilot.press("2")  # judy takes bob's version, on a review built before carol's decision
        await _wait_for(pilot, lambda: any("decided this cluster" in str(n.message) for n in notifications(app)))
        [note] = [n for n in notifications(app) if "decided this cluster" in str(n.message)]
        assert str(note.message).startswith("carol decided this cluster") and "reloaded" in str(note.message)
        assert "\n" not in str(note.message)
        await _wait_for(pilot, lambda: screen.review.clusters[0].resolved)
        assert [(g.label, g.source) for g in screen.review.clusters[0].gold] == [("quote", "adjudicated:alice")]
        assert screen.review.progress == "1/1"
        assert "1/1 decided" in str(screen.query_one("#adjudicate-summary").render())
    with AnnotationStore(pg_url, readonly=True) as store:
        gold = [(a.start, a.end, a.label) for a in store.all() if a.annotator == "gold"]
    assert gold == [(*w[2], "quote")]  # one decision: carol's; judy's was refused, not written
