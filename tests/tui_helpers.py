"""Shared helpers for the app-shell tests (not a test module)."""
from __future__ import annotations

import shutil
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SIZE = (120, 36)


def copy_seeds(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


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


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]
