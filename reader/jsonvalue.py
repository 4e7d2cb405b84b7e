"""Reading a decoded JSON value (:data:`reader.protocols.JSON`) as the shape a caller needs.

``JSON`` is the union of what ``json.loads`` gives, so the type checker makes every reader of a
stored or imported value say which shape it expects. These do it in one call, and raise
:class:`ValueError` naming ``what`` (a field, a table) when the value is of another kind: the
callers already turn a ``ValueError`` into their one-line message (a damaged store file, a bad
import record, a model file that is not one). This module never imports textual.
"""
from __future__ import annotations

from reader.protocols import JSON


def kind_of(value: JSON) -> str:
    """The JSON name of ``value``'s kind, for messages: object, array, string, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def as_object(value: JSON, what: str) -> dict[str, JSON]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is {kind_of(value)}, not an object")
    return value


def as_array(value: JSON, what: str) -> list[JSON]:
    if not isinstance(value, list):
        raise ValueError(f"{what} is {kind_of(value)}, not an array")
    return value


def as_str(value: JSON, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is {kind_of(value)}, not a string")
    return value


def as_int(value: JSON, what: str) -> int:
    """An integer (``true`` and ``false`` are not)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what} is {kind_of(value)}, not an integer")
    return value


def as_float(value: JSON, what: str) -> float:
    """A number, integer or not (``true`` and ``false`` are not)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError(f"{what} is {kind_of(value)}, not a number")
    return float(value)
