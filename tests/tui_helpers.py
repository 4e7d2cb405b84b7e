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
    await app.workers.wait_for_complete()
    await pilot.pause()


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
