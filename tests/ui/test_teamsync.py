"""StoreSync: taking in other writers' changes, and stopping when a newer reader migrated the store."""
from __future__ import annotations

import asyncio

from textual.app import App

from reader.errors import StoreError, StoreVersionError
from reader.tui.services import teamsync
from reader.tui.services.teamsync import StoreSync
from tui_helpers import notifications, run_test, wait_for_workers


class _Store:
    shared = True
    offline_since = None

    def __init__(self, problem: Exception | None) -> None:
        self.problem = problem
        self.polls = 0

    def refresh(self) -> int:
        self.polls += 1
        if self.problem is not None:
            raise self.problem
        return 0


class _Host(App[None]):
    def __init__(self, store: _Store) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.sync = StoreSync(self, self.store)
        self.sync.start()


async def _run(store: _Store, monkeypatch, seconds: float = 0.5) -> _Host:
    monkeypatch.setattr(teamsync, "REFRESH_SECONDS", 0.05)
    app = _Host(store)
    async with run_test(app) as pilot:
        await asyncio.sleep(seconds)
        await wait_for_workers(app)
        await pilot.pause()
    return app


async def test_a_newer_schema_stops_the_sync_and_says_so_once(monkeypatch):
    store = _Store(StoreVersionError("postgresql://db/reader", 99, 2))
    app = await _run(store, monkeypatch)
    errors = [n for n in notifications(app) if n.severity == "error"]
    assert len(errors) == 1 and "99" in errors[0].message and "newer" in errors[0].message
    assert store.polls == 1  # stopped at once, not polled every tick


async def test_a_lost_connection_keeps_polling_quietly(monkeypatch):
    store = _Store(StoreError("postgresql://db/reader: not connected"))
    app = await _run(store, monkeypatch)
    assert notifications(app) == []
    assert store.polls >= 3


class _HeldStore(_Store):
    """A store whose poll the network holds until ``released`` is set (the real case: a silent network,
    tests/unit/test_store_silent_network.py)."""

    def __init__(self) -> None:
        super().__init__(None)
        import threading

        self.released = threading.Event()
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def refresh(self) -> int:
        with self._lock:
            self.polls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.released.wait(10)
        with self._lock:
            self.running -= 1
        return 0


async def test_a_held_poll_is_waited_for_not_doubled_every_tick(monkeypatch):
    """A poll still running was cancelled by the next tick and a new one started (20 ticks a second here):
    cancelled thread workers run on, so the threads piled up, each queued on the store's lock."""
    monkeypatch.setattr(teamsync, "REFRESH_SECONDS", 0.05)
    store = _HeldStore()
    app = _Host(store)
    async with run_test(app) as pilot:
        await asyncio.sleep(0.6)  # 12 ticks while the first poll is held
        assert store.polls == 1 and store.most_at_once == 1
        store.released.set()
        await asyncio.sleep(0.4)
        assert store.polls >= 3 and store.most_at_once == 1  # polling goes on, one at a time
        await wait_for_workers(app)
        await pilot.pause()
