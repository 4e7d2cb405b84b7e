"""Screens: LibraryScreen (start), ReadingScreen(doc_id), CompareScreen(doc_ids).

Imported lazily so that a screen module that fails to import cannot stop the app.
"""
from __future__ import annotations

__all__ = ["LibraryScreen", "ReadingScreen", "CompareScreen"]

_WHERE = {
    "LibraryScreen": "reader.tui.screens.library",
    "ReadingScreen": "reader.tui.screens.reading",
    "CompareScreen": "reader.tui.screens.compare",
}


def __getattr__(name: str) -> type:
    if name in _WHERE:
        import importlib

        screen: type = getattr(importlib.import_module(_WHERE[name]), name)
        return screen
    raise AttributeError(name)
