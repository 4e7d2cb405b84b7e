"""Shared helpers for the app-shell tests (not a test module)."""
from __future__ import annotations

import weakref
from typing import Any

from textual.app import App
from textual.notifications import Notification, Notify

from conftest import SEEDS, copy_seeds  # noqa: F401  (re-exported for the UI tests)

SIZE = (120, 36)


async def settle(app, pilot, timeout: float = 60.0) -> None:
    """Wait for the language-detection worker (it starts after the first paint), other workers, and a refresh."""
    import asyncio
    import time

    await pilot.pause()
    deadline = time.monotonic() + timeout
    while not getattr(app, "detection_done", True) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await wait_for_workers(app)
    await pilot.pause()


async def wait_for_workers(app) -> None:
    """``app.workers.wait_for_complete()``, a worker cancelled meanwhile excepted: the team sync's poll is
    an exclusive worker, so the next poll cancels one still running (a race CI lost once). A worker that
    failed still fails the test."""
    import asyncio

    from textual.worker import WorkerCancelled

    results = await asyncio.gather(*[w.wait() for w in list(app.workers)], return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, WorkerCancelled):
            raise r


_NOTIFICATIONS: "weakref.WeakKeyDictionary[App, list[Notification]]" = weakref.WeakKeyDictionary()


def run_test(app: App, **kwargs: Any):
    """``app.run_test(**kwargs)`` with a message hook that records every notification."""
    seen = _NOTIFICATIONS.setdefault(app, [])

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            seen.append(message.notification)

    return app.run_test(message_hook=hook, **kwargs)


def notifications(app: App) -> list[Notification]:
    """The notifications ``app`` showed (the app must run under :func:`run_test`)."""
    return list(_NOTIFICATIONS.get(app, []))


def messages(app: App) -> list[str]:
    return [n.message for n in notifications(app)]
