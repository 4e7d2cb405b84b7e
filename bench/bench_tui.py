"""Time to first screen of ReaderApp (library table populated), beside an empty Textual app.

Measured headless (``App.run_test``) from constructing the app to the moment
the library's table holds every document; language detection then continues
in its worker and is not part of the figure. Also reports the corpus load on
its own, so that "empty app + corpus load" can be read off the table.

Also the first screen in a real terminal (a pty: ``bench/terminal.py``), from
the spawn of ``python -m reader`` to the library drawn, imports included, with
compiled bytecode, beside an empty Textual app timed the same way.

Run standalone: ``python -m bench.bench_tui [--quick]``.
"""
from __future__ import annotations

import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SIZE = (120, 36)

_WORDS = {
    "en": "the pay of a machine learning product manager at the streaming company rose while actors and writers went on strike over artificial intelligence".split(),
    "it": "la piattaforma cerca persone specializzate nell uso dell intelligenza artificiale mentre attori e sceneggiatori scioperano a Hollywood".split(),
    "fr": "la grève des acteurs et scénaristes continue pendant que Netflix propose un poste dans l intelligence artificielle très bien payé".split(),
}


def make_corpus(folder: Path, n: int, seed: int = 0) -> Path:
    """``n`` small documents (about 1 KB each) in three languages, in 100 sub-folders."""
    rng = random.Random(seed)
    langs = list(_WORDS)
    for i in range(n):
        words = _WORDS[langs[i % len(langs)]]
        title = " ".join(rng.choice(words) for _ in range(8)).capitalize()
        paragraphs = [" ".join(rng.choice(words) for _ in range(40)) + "." for _ in range(4)]
        sub = folder / f"part{i % 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc{i:05d}.txt").write_text(f"{title} {i}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


async def _empty_app_first_screen() -> float:
    from textual.app import App
    from textual.widgets import Footer, Header

    class Empty(App):
        def compose(self):
            yield Header()
            yield Footer()

    t0 = time.perf_counter()
    app = Empty()
    async with app.run_test(size=SIZE):
        elapsed = await _painted(app, t0)
    return elapsed


async def _painted(app, t0: float) -> float:
    """Seconds from ``t0`` until the screen has been refreshed after this point."""
    done: asyncio.Future = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter() - t0))
    app.screen.refresh()
    return await done


async def _reader_first_screen(corpus: Path, store: Path) -> tuple[float, float | None, int]:
    """(seconds to a populated library, seconds until detection finished or None, rows)."""
    from reader.tui import ReaderApp
    from reader.tui.screens.library import LibraryScreen

    t0 = time.perf_counter()
    app = ReaderApp(corpus, store, signals=False)
    first = None
    rows = 0
    async with app.run_test(size=SIZE) as pilot:
        while first is None:
            screen = app.screen
            if isinstance(screen, LibraryScreen) and screen.is_mounted:
                table = screen.table
                rows = table.row_count
                if rows == len(app.corpus.documents):
                    first = await _painted(app, t0)
                    break
            if time.perf_counter() - t0 > 120:
                raise RuntimeError(f"the library did not show {corpus} within 120 s")
            await asyncio.sleep(0.001)
        detect = None
        if len(app.corpus.documents) <= 100:
            await app.workers.wait_for_complete()
            detect = time.perf_counter() - t0
    return first, detect, rows


def _corpus_load(corpus: Path) -> float:
    from reader.corpus import load_corpus

    t0 = time.perf_counter()
    load_corpus(corpus, detect=False)
    return time.perf_counter() - t0


def _terminal_rows(tmp: Path, seeds: Path, repeats: int) -> list[dict]:
    """The first screen in a real terminal (a pty), imports included, beside an empty Textual app."""
    from bench.terminal import compile_bytecode, empty_app_argv, reader_argv, time_to_screen
    from reader.corpus import load_corpus
    from reader.lang.bidi import has_rtl

    compile_bytecode()
    # the library shows every title (right-to-left ones are not searched for: drawn in another order)
    titles = [d.title[:10] for d in load_corpus(seeds, detect=False).documents if not has_rtl(d.title)]
    empty_argv = empty_app_argv(tmp)
    # interleaved (empty, reader, empty, reader...) so that a change of load on a shared machine
    # weighs on both; medians
    # a fresh store each time (the first start: the store is created, three fsyncs) and one store
    # kept from an earlier start (every later start)
    kept = tmp / "store-pty-kept"
    time_to_screen(reader_argv(seeds, kept), titles)
    empties, readers, again = [], [], []
    for i in range(repeats):
        empties.append(time_to_screen(empty_argv, ["empty app ready"]))
        readers.append(time_to_screen(reader_argv(seeds, tmp / f"store-pty-{i}"), titles))
        again.append(time_to_screen(reader_argv(seeds, kept), titles))
    empty, reader, later = statistics.median(empties), statistics.median(readers), statistics.median(again)
    return [
        {"section": "tui", "metric": "empty Textual app in a terminal (pty), imports included, compiled bytecode",
         "value": f"{_fmt(empty)} (median of {repeats}, interleaved)", "goal": "baseline"},
        {"section": "tui", "metric": "seeds: first screen in a terminal (pty), imports included, compiled bytecode, new store",
         "value": f"{_fmt(reader)} ({reader / empty:.2f}x the empty app)", "goal": "≤ 1.3x the empty app"},
        {"section": "tui", "metric": "seeds: the same with the store of an earlier start",
         "value": f"{_fmt(later)} ({later / empty:.2f}x the empty app)", "goal": "≤ 1.3x the empty app"},
    ]


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def run(quick: bool = False) -> list[dict]:
    repeats = 2 if quick else 5
    big_n = 1_000 if quick else 10_000
    rows: list[dict] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_tui_"))
    import reader.tui.app  # noqa: F401  (imports are not part of the figure; the empty app's are warm too)
    import reader.tui.screens.library  # noqa: F401

    try:
        empty = statistics.median(asyncio.run(_empty_app_first_screen()) for _ in range(repeats))
        rows.append({"section": "tui", "metric": "empty Textual app (header+footer): time to first screen", "value": _fmt(empty), "goal": "baseline"})

        seeds = tmp / "seeds"
        shutil.copytree(SEEDS, seeds)
        firsts, detects = [], []
        for i in range(repeats):
            store = tmp / f"store-seeds-{i}"  # a fresh store each time: no language cache
            first, detect, _ = asyncio.run(_reader_first_screen(seeds, store))
            firsts.append(first)
            if detect is not None:
                detects.append(detect)
        load = statistics.median(_corpus_load(seeds) for _ in range(repeats))
        first = statistics.median(firsts)
        rows.append({"section": "tui", "metric": "seeds (5 docs): corpus load alone", "value": _fmt(load), "goal": ""})
        rows.append({
            "section": "tui",
            "metric": "seeds (5 docs): time to first screen (library populated)",
            "value": f"{_fmt(first)} (+{_fmt(max(0.0, first - empty - load))} over empty app + load)",
            "goal": "≈ empty app + corpus load",
        })
        if detects:
            rows.append({"section": "tui", "metric": "seeds: languages detected (worker, fresh store)", "value": _fmt(statistics.median(detects)), "goal": "off the first screen"})

        rows.extend(_terminal_rows(tmp, seeds, repeats))

        big = make_corpus(tmp / "big", big_n)
        big_load = _corpus_load(big)
        firsts = []
        for i in range(1 if not quick else 1):
            first, _, n_rows = asyncio.run(_reader_first_screen(big, tmp / f"store-big-{i}"))
            firsts.append(first)
        first = statistics.median(firsts)
        rows.append({"section": "tui", "metric": f"{big_n:,} docs: corpus load alone", "value": _fmt(big_load), "goal": ""})
        rows.append({
            "section": "tui",
            "metric": f"{big_n:,} docs: time to first screen (table of {n_rows:,} rows)",
            "value": f"{_fmt(first)} (+{_fmt(max(0.0, first - empty - big_load))} over empty app + load)",
            "goal": "table at once; detection in a worker",
        })
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rows = run(quick="--quick" in argv)
    width = max(len(r["metric"]) for r in rows)
    for r in rows:
        print(f"{r['section']:<5} {r['metric']:<{width}}  {r['value']:<40}  {r['goal']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
