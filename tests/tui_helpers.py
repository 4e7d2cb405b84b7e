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


async def settle(app, pilot) -> None:
    """Wait for the language-detection worker (and any other) and a refresh."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]
