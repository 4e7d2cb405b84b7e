"""What the first screen imports (issue 22: the first screen ≤ 1.3x an empty Textual app).

The library is the first screen; alignment, suggestions, the amount tables,
sentence splitting, numpy/nltk, bidi, psycopg, the formats, the other screens
Textual's TextArea and (with every file loaded) the problems panel's
DataTable are not needed to show it, so they are imported when
first used (the amount tables and language detection are loaded in workers
*after* the first paint). A fresh interpreter starts the app as ``reader``
does (``reader.entry``), headless, and lists ``sys.modules`` at the moment the
first screen has been painted: when the app schedules its after-paint work.
A behaviour test of what is loaded, not a timing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import asyncio, json, sys
from pathlib import Path

import reader.entry  # what the console script imports
from reader.tui import ReaderApp
import reader.tui.services.warmup as warmup

seen = {}
original = warmup.warm_amounts


def at_first_paint(app, *args, **kwargs):  # the app calls it after the first refresh
    seen.setdefault("modules", sorted(sys.modules))
    seen.setdefault("rows", app.screen.table.row_count)  # the library's DocumentList
    return original(app, *args, **kwargs)


warmup.warm_amounts = at_first_paint


async def main():
    app = ReaderApp(sys.argv[1], sys.argv[2], signals=False)
    async with app.run_test(size=(120, 36)) as pilot:
        while "modules" not in seen:
            await pilot.pause()
        await app.workers.wait_for_complete()


asyncio.run(main())
print(json.dumps(seen))
"""

# modules (and packages) the first screen must not load
HEAVY = [
    "numpy", "nltk", "pysbd", "bidi", "psycopg", "langdetect", "babel", "anyascii", "text2num",
    "plotext", "textual_plotext", "sklearn", "spacy",
    "reader.align", "reader.suggest", "reader.amounts", "reader.formats", "reader.lang.sentences",
    "reader.lang.bidi", "reader.teams.agreement", "reader.stats", "reader.charts", "reader.cli.teams",
    "reader.tui.screens.reading", "reader.tui.screens.compare", "reader.tui.screens.stats",
    "reader.tui.screens.adjudicate", "reader.tui.dialogs", "reader.tui.serve",
    "textual.widgets._text_area", "textual.document",
    "textual.widgets._data_table", "textual.widgets._collapsible",  # the problems panel: only when a file failed
    "textual.widgets._progress_bar",  # language detection mounts its bar when it starts, after the first paint
    "filelock",  # the store lock is one flock(2) call (reader/store/lockfile.py)
    "regex",  # titles and dates use `re`; grapheme and word navigation compile `regex` patterns when first used
    "reader.store.postgres", "reader.store.pgwrite", "reader.store.pgerrors", "reader.store.pgsecurity",  # a folder store
]


def _first_screen(tmp_path: Path) -> dict:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "en.txt").write_text("The pay of the new manager rose to 900,000 dollars a year.\n", encoding="utf-8")
    (corpus / "ar.txt").write_text("ارتفع راتب المدير الجديد إلى تسعمائة ألف دولار في السنة.\n", encoding="utf-8")
    (corpus / "fr.txt").write_text("Le salaire du directeur est de 4 500 euros par mois.\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(corpus), str(tmp_path / "store")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_first_screen_leaves_the_heavy_modules_for_later(tmp_path: Path) -> None:
    seen = _first_screen(tmp_path)
    assert seen["rows"] == 3  # the library is on screen, every document listed
    modules = set(seen["modules"])
    assert "reader.tui.screens.library" in modules and "reader.store" in modules  # it did start the app
    loaded = sorted(m for m in modules for heavy in HEAVY if m == heavy or m.startswith(heavy + "."))
    assert not loaded, f"the first screen imports what it does not need: {loaded}"
