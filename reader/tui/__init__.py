"""The Textual UI. The only package allowed to import textual."""
from __future__ import annotations

__all__ = ["ReaderApp"]


def __getattr__(name: str) -> type:
    if name == "ReaderApp":
        from reader.tui.app import ReaderApp

        return ReaderApp
    raise AttributeError(name)
