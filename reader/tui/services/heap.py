"""HeapSettler: what a screen keeps for as long as it is open, out of the collector's full walks.

A document of 10,000 annotations leaves about 120k long-lived objects behind its reading
screen (the store's tables, the view's spans, the line and strip caches). CPython's cyclic
collector walks every one of them in each full collection, and tagging makes enough new
objects that one ran every few tags: 45-70 ms each, so one tag in three or four waited that
long (``bench_edit``: the median tag at 10,000 spans 1.7-2.6x the tag at 10, goal 1.2x).

So, once a new full screen (the library, a document, a comparison) has been painted, or a
screen has built what it keeps (the comparison's facts and alignments), the app settles the
heap: it collects once (the cycles the previous screen left) and freezes what is left
(``gc.freeze()``: the permanent generation, which no collection walks; an object there is
still freed as usual when nothing refers to it). The next settle thaws them first
(``gc.unfreeze()``), so a closed document's cycles are collected then, and the app thaws
everything when it ends. Dialogs and pickers (modal screens) do not settle: the tag's label
picker would otherwise cost a full collection per tag, the very thing this avoids.

Nothing else in reader keeps objects frozen: ``reader.align.core._GCPause`` freezes and
thaws at once (to age what it made in one step), which also thaws these; the next settle
freezes them again.
"""
from __future__ import annotations

import gc
import weakref

from textual.screen import ModalScreen, Screen


class HeapSettler:
    """When to collect once and freeze the long-lived objects (see the module docstring)."""

    def __init__(self) -> None:
        self._settled: weakref.ref[Screen[object]] | None = None
        self.settles = 0  # how many times the heap was settled (for tests)

    def wants(self, screen: Screen[object]) -> bool:
        """Should the heap be settled now that ``screen`` is shown? A full screen other than the
        last one settled: not a dialog, nor the same screen again after a dialog closed."""
        if isinstance(screen, ModalScreen):
            return False
        last = self._settled() if self._settled is not None else None
        return last is not screen

    def settle(self, screen: Screen[object] | None = None) -> None:
        """Collect once, then freeze every object left (the previous settle's thawed first)."""
        if screen is not None:
            self._settled = weakref.ref(screen)
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.settles += 1

    def release(self) -> None:
        """The app is ending: thaw everything (a later collection may then reclaim it)."""
        self._settled = None
        gc.unfreeze()


__all__ = ["HeapSettler"]
