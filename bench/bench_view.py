"""Text view benchmark: open a 5 MB document, page down on 5 KB vs 5 MB, render with 10k annotations.

Everything runs inside a headless Textual app (``App.run_test``) at 120x36.
"Open" is ``load()`` plus rendering the first screen; "page down" is the key's
action plus rendering every visible row of the new page with an empty strip
cache (the worst case; the cache only makes it cheaper).

Run alone with ``python -m bench.bench_view [--quick]``.
"""
from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

from textual.app import App, ComposeResult

from reader.model import Annotation
from reader.tui.widgets.textview import AnnotatedTextView

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SIZE = (120, 36)


def _text(target_chars: int) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    base = "\n\n".join(parts) if parts else ("lorem ipsum dolor sit amet " * 20 + "\n")
    reps = target_chars // len(base) + 1
    return (base * reps)[:target_chars]


class _ViewApp(App):
    def compose(self) -> ComposeResult:
        yield AnnotatedTextView("")


def _render_screen(view: AnnotatedTextView) -> None:
    for y in range(view.scrollable_content_region.height):
        view.render_line(y)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


async def _measure(quick: bool) -> dict[str, float]:
    big = _text(5_000_000)
    small = _text(5_000)
    out: dict[str, float] = {}
    app = _ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(AnnotatedTextView)
        view.focus()
        await pilot.pause()

        # open: load + first screen
        opens = []
        for _ in range(1 if quick else 3):
            view.load("")
            await pilot.pause()
            t0 = time.perf_counter()
            view.load(big)
            _render_screen(view)
            opens.append(time.perf_counter() - t0)
        out["open"] = min(opens)
        t0 = time.perf_counter()
        await pilot.pause()  # the app's own refresh of the new document
        out["open_refresh"] = out["open"] + (time.perf_counter() - t0)

        async def page_down(text: str, start: int, n: int) -> float:
            view.load(text)
            await pilot.pause()
            times = []
            for _ in range(n):
                view.move_to(start)
                view.scroll_to_offset(start, top=True)
                view._cache.clear()
                t0 = time.perf_counter()
                view.action_move("pagedown")
                _render_screen(view)
                times.append(time.perf_counter() - t0)
            return statistics.median(times)

        n = 10 if quick else 40
        out["pd_small"] = await page_down(small, 0, n)
        out["pd_big"] = await page_down(big, len(big) // 2, n)

        # 10k annotations in one document: set_spans, then a full-screen render and a page down
        text = _text(1_000_000 if quick else 5_000_000)
        view.load(text)
        await pilot.pause()
        rng = random.Random(7)
        labels = ("salary", "quote", "claim", "opinion")
        anns = []
        # dense near the middle so that they are on screen (and overlapping), the rest spread out
        mid = len(text) // 2
        for i in range(10_000):
            if i < 2_000:
                s = mid + rng.randrange(0, 20_000)
            else:
                s = rng.randrange(0, len(text) - 200)
            e = s + rng.randrange(3, 120)
            anns.append(Annotation(str(i), "d", s, e, labels[i % 4], "", status="suggested" if i % 7 == 0 else "accepted"))
        t0 = time.perf_counter()
        view.set_spans(anns)
        out["set_spans"] = time.perf_counter() - t0
        renders = []
        for _ in range(5 if quick else 20):
            view.move_to(mid)
            view.scroll_to_offset(mid, top=True)
            view._cache.clear()
            t0 = time.perf_counter()
            _render_screen(view)
            renders.append(time.perf_counter() - t0)
        out["render_10k"] = statistics.median(renders)
        view.set_spans([])
        renders = []
        for _ in range(5 if quick else 20):
            view._cache.clear()
            t0 = time.perf_counter()
            _render_screen(view)
            renders.append(time.perf_counter() - t0)
        out["render_0"] = statistics.median(renders)
        view.set_spans(anns)
        times = []
        for _ in range(n):
            view.move_to(mid)
            view.scroll_to_offset(mid, top=True)
            view._cache.clear()
            t0 = time.perf_counter()
            view.action_move("pagedown")
            _render_screen(view)
            times.append(time.perf_counter() - t0)
        out["pd_10k"] = statistics.median(times)
    return out


async def _measure_screen(quick: bool) -> float:
    """Open a 5 MB document in the real app's reading screen (store, side panel, header)."""
    import shutil
    import tempfile

    from reader.tui import ReaderApp

    tmp = Path(tempfile.mkdtemp(prefix="bench_view_"))
    try:
        corpus = tmp / "corpus"
        corpus.mkdir()
        (corpus / "big.txt").write_text(_text(1_000_000 if quick else 5_000_000), encoding="utf-8")
        app = ReaderApp(corpus, tmp / "annotations", detect=False, signals=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            t0 = time.perf_counter()
            app.open_document("big")
            await pilot.pause()
            while type(app.screen).__name__ != "ReadingScreen":  # pragma: no cover - defensive
                await pilot.pause()
            return time.perf_counter() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def _pagedown_after_open(chars: int, presses: int) -> float:
    """Median time of page down/up pressed through the Pilot right after ReaderApp opens a document.

    Alternates page down and page up (so a 5 KB document never sits at its end),
    starting as soon as the reading screen has the focus: while the background
    wrap of a large document is still running.
    """
    import shutil
    import tempfile

    from reader.tui import ReaderApp

    tmp = Path(tempfile.mkdtemp(prefix="bench_view_pd_"))
    try:
        corpus = tmp / "corpus"
        corpus.mkdir()
        (corpus / "doc.txt").write_text(_text(chars), encoding="utf-8")
        app = ReaderApp(corpus, tmp / "annotations", detect=False, signals=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.open_document("doc")
            while not isinstance(app.screen.focused, AnnotatedTextView):
                await pilot.pause()
            view = app.screen.focused
            times = []
            for i in range(presses):
                t0 = time.perf_counter()
                await pilot.press("pagedown" if i % 4 < 2 else "pageup")
                times.append(time.perf_counter() - t0)
            exact = view.height_is_exact
        if exact and chars > 100_000:
            print("bench_view: the background wrap finished before the presses ended", file=sys.stderr)
        return statistics.median(times)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def _measure_after_open(quick: bool) -> tuple[float, float]:
    presses = 8 if quick else 16
    small = await _pagedown_after_open(5_000, presses)
    big = await _pagedown_after_open(5_000_000, presses)
    return small, big


def run(quick: bool = False) -> list[dict]:
    r = asyncio.run(_measure(quick))
    try:
        r["screen"] = asyncio.run(_measure_screen(quick))
    except Exception as exc:  # the app shell is another module; report, do not crash the table
        r["screen"] = float("nan")
        print(f"bench_view: reading screen not measured: {exc}", file=sys.stderr)
    try:
        r["open_pd_small"], r["open_pd_big"] = asyncio.run(_measure_after_open(quick))
    except Exception as exc:
        r["open_pd_small"] = r["open_pd_big"] = float("nan")
        print(f"bench_view: page down right after opening not measured: {exc}", file=sys.stderr)
    section = "text view (120x36)"
    ratio = r["pd_big"] / r["pd_small"] if r["pd_small"] else float("nan")
    open_ratio = r["open_pd_big"] / r["open_pd_small"] if r["open_pd_small"] else float("nan")
    return [
        {"section": section, "metric": "open 5 MB document (load + first screen)", "value": _ms(r["open"]), "goal": "< 1 s"},
        {"section": section, "metric": "open 5 MB incl. the app's refresh", "value": _ms(r["open_refresh"]), "goal": "< 1 s"},
        {"section": section, "metric": "open 5 MB in ReaderApp's reading screen" + (" (1 MB, quick)" if quick else ""), "value": _ms(r["screen"]), "goal": "< 1 s"},
        {"section": section, "metric": "page down + render, 5 KB document", "value": _ms(r["pd_small"]), "goal": "same as 5 MB"},
        {"section": section, "metric": "page down + render, 5 MB document", "value": _ms(r["pd_big"]), "goal": "same as 5 KB"},
        {"section": section, "metric": "page down ratio 5 MB / 5 KB", "value": f"{ratio:.2f}x", "goal": "≈ 1x (< 1.5x)"},
        {"section": section, "metric": "ReaderApp: page down right after opening, 5 KB (Pilot)", "value": _ms(r["open_pd_small"]), "goal": "reference"},
        {"section": section, "metric": "ReaderApp: page down right after opening, 5 MB (Pilot)", "value": _ms(r["open_pd_big"]), "goal": "same as 5 KB"},
        {"section": section, "metric": "ReaderApp: page down ratio right after opening 5 MB / 5 KB", "value": f"{open_ratio:.2f}x", "goal": "≤ 1.5x"},
        {"section": section, "metric": "set_spans(10k annotations)", "value": _ms(r["set_spans"]), "goal": "< 100 ms"},
        {"section": section, "metric": "render a screen, 10k annotations (dense on screen)", "value": _ms(r["render_10k"]), "goal": "< 50 ms"},
        {"section": section, "metric": "render a screen, no annotations", "value": _ms(r["render_0"]), "goal": "reference"},
        {"section": section, "metric": "page down + render, 10k annotations", "value": _ms(r["pd_10k"]), "goal": "< 50 ms"},
    ]


if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    for row in run(quick):
        print(f"{row['metric']:<55} {row['value']:>12}   goal {row['goal']}")
