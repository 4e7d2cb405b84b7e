"""Warm-up: compile the amount tables off the keypress (issue 22).

The first ``salary`` tag of a process parsed its amount with tables that
compile on first use (about half a second for the table of every language,
then once per language). The app compiles them in a thread worker after the
first paint instead, and the reading pane asks for its document's language when
it opens, so the tag itself costs what any later tag does.
"""
from __future__ import annotations

from typing import Any, Iterable

from textual.app import App
from textual.worker import Worker

GROUP = "warm"
_warmed: set[str | None] = set()


def _compile(langs: tuple[str | None, ...]) -> None:
    from reader.amounts import parse_amount

    for lang in langs:
        parse_amount("1 USD", lang)  # compiles (and caches) the tables the store's parse uses
        _warmed.add(lang)


def warm_amounts(app: App[Any], langs: Iterable[str | None] = (None,)) -> Worker[None] | None:
    """Compile the amount tables of ``langs`` (None: every language's, what a tag uses) in a thread worker."""
    todo = tuple(dict.fromkeys(lang for lang in langs if lang not in _warmed))
    if not todo:
        return None
    return app.run_worker(lambda: _compile(todo), thread=True, group=GROUP, exit_on_error=False,
                          name=f"warm amount tables {', '.join(str(lang) for lang in todo)}")


__all__ = ["warm_amounts"]
