"""Issue 18 item 11: a session that only reads is told of an outage (a real PostgreSQL)."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.services import teamsync

from tui_helpers import SIZE, copy_seeds, settle

DOC = "001_228d26dd8dd40e62"  # the English seed


async def _wait_for(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
        await pilot.pause()


def test_the_engine_knows_since_when_it_is_offline(own_pg_server):
    url = own_pg_server.create_database("offline_engine")
    store = AnnotationStore(url, annotator="carol")
    try:
        assert store.offline_since is None
        before = time.time()
        own_pg_server.stop()
        assert store.refresh() == 0
        since = store.offline_since
        assert since is not None and before <= since <= time.time()
        store.refresh()
        assert store.offline_since == since  # since the first failure, not the last one
        own_pg_server.start()
        store.refresh()
        assert store.offline_since is None
    finally:
        if not own_pg_server.running:
            own_pg_server.start()
        store.close()


async def test_a_reading_session_shows_the_outage_until_it_reconnects(tmp_path: Path, own_pg_server, monkeypatch):
    from reader.tui.widgets.pane import DocumentPane

    monkeypatch.setattr(teamsync, "REFRESH_SECONDS", 0.2)
    corpus = copy_seeds(tmp_path)
    url = own_pg_server.create_database("offline_ui")
    app = ReaderApp(corpus, url, annotator="carol", detect=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.open_document(DOC)
            await _wait_for(pilot, lambda: bool(app.screen.query(DocumentPane)))
            offline = app.screen.query_one(".pane-offline")
            assert not offline.display
            own_pg_server.stop()  # carol only reads: no save of hers would notice
            await _wait_for(pilot, lambda: offline.display and "offline since" in str(offline.render()))
            line = str(offline.render())
            assert "teammates' changes not arriving" in line
            assert time.strftime("%H:", time.localtime(app.store.offline_since)) in line
            own_pg_server.start()
            await _wait_for(pilot, lambda: not offline.display, timeout=30)
            with AnnotationStore(url, annotator="bob") as bob:  # and teammates' changes arrive again
                bob.add(DOC, 0, 4, "claim")
            pane = app.screen.query_one(DocumentPane)
            await pilot.press("ctrl+l")
            await _wait_for(pilot, lambda: any(a.annotator == "bob" for a in pane.controller.annotations))
    finally:
        if not own_pg_server.running:
            own_pg_server.start()
