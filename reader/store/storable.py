"""Values the store can keep: text that UTF-8 can carry.

Python strings may hold a *lone surrogate* (``"\\udcff"``: ``os.fsdecode`` of a byte that is
not UTF-8, JSON's ``"\\ud800"``); no UTF-8 file or database column can carry one. Such a value
is refused where it enters the store (:func:`check_storable`), in one line that names the
field, before anything changes in memory or is queued for saving: otherwise its journal line
could not be encoded, it would stay first among the unsaved changes and every later save of
the session would fail behind it.
"""
from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from reader.errors import UnstorableValueError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None (an ASCII string is answered without a scan)."""
    if value.isascii():
        return None
    m = _LONE_SURROGATE.search(value)
    if m is None:
        return None
    return (f"holds a lone surrogate \\u{ord(m.group()):04x} at character {m.start()} "
            "(not valid Unicode text, it cannot be saved as UTF-8)")


def _problem(value: object, where: str) -> tuple[str, str] | None:
    """(where in ``value``, why) for the first string of ``value`` that cannot be stored."""
    if isinstance(value, str):
        problem = text_problem(value)
        return (where, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (problem := text_problem(key)):
                return (f"{where}: a key", problem)
            found = _problem(item, f"{where}[{_short_key(key)}]")
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _problem(item, f"{where}[{i}]")
            if found:
                return found
    return None


def _short_key(key: object) -> str:
    text = key if isinstance(key, str) else str(key)
    if text_problem(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return repr(text if len(text) <= 40 else text[:39] + "…")


def check_storable(field: str, value: object) -> None:
    """Raise :class:`~reader.errors.UnstorableValueError` naming ``field`` (and where inside it) when
    ``value`` (a string, or JSON: lists, dicts and their keys) holds text that cannot be stored."""
    found = _problem(value, field)
    if found:
        raise UnstorableValueError(*found)


_SCALARS = (int, float, bool, type(None))


def check_fields(obj: DataclassInstance, what: str = "") -> None:
    """:func:`check_storable` on every field of a dataclass (an annotation, a document, a link).
    Quick on the usual case (ASCII strings and numbers: no scan): it runs for each of 100k annotations
    of an import."""
    d = getattr(obj, "__dict__", None)
    items = d.items() if d is not None else ((f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj))
    for name, value in items:
        if value.__class__ is str:
            if value.isascii():
                continue
        elif value.__class__ in _SCALARS:
            continue
        check_storable(f"{what}: {name}" if what else name, value)


__all__ = ["check_fields", "check_storable", "text_problem"]
