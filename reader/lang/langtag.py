"""Language tags: the syntax of BCP 47 (RFC 5646), whose primary subtags are ISO 639 codes.

Every way a language code enters the program (an import record, ``reader lang``,
the language dialog, a stored override) goes through :func:`normalise_tag`, so a
value such as ``"\\x1b]2;title\\x1b\\\\"`` is refused where it arrives instead of
reaching a terminal later. Only the syntax is checked (``xx-yyyy`` is accepted
although no such language is registered): langdetect's ``zh-cn`` and a user's
``sr-Latn-RS`` or ``x-private`` are all well-formed tags.

Tags are stored lower-case with ``-`` separators (``zh_CN`` -> ``zh-cn``), the
form langdetect produces and the library filters on.
"""
from __future__ import annotations

import re

MAX_TAG_CHARS = 35  # RFC 5646 section 4.4.1: enough for any real tag

_ALNUM = "[a-z0-9]"
_LANGUAGE = r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{5,8})"  # ISO 639 code (+ extlang) or a registered long subtag
_SCRIPT = r"(?:-[a-z]{4})"
_REGION = r"(?:-(?:[a-z]{2}|[0-9]{3}))"
_VARIANT = rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))"
_EXTENSION = rf"(?:-[0-9a-wyz](?:-{_ALNUM}{{2,8}})+)"
_PRIVATE = rf"(?:x(?:-{_ALNUM}{{1,8}})+)"
_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu|"
    "sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_TAG = re.compile(
    rf"(?:{_LANGUAGE}{_SCRIPT}?{_REGION}?{_VARIANT}*{_EXTENSION}*(?:-{_PRIVATE})?|{_PRIVATE}|{_GRANDFATHERED})",
    re.ASCII,
)

HINT = "use a BCP 47 / ISO 639 language tag such as en, fr, ar, zh-cn or sr-latn"


def normalise_tag(value: object) -> str | None:
    """The tag in canonical form (lower case, ``-``), or ``None`` when ``value`` is not a well-formed tag."""
    if not isinstance(value, str):
        return None
    tag = value.strip()
    if not tag or len(tag) > MAX_TAG_CHARS or not tag.isascii():  # before lower(): "\u212a".lower() == "k"
        return None
    tag = tag.replace("_", "-").lower()
    return tag if _TAG.fullmatch(tag) else None


def is_tag(value: object) -> bool:
    return normalise_tag(value) is not None


def tag_problem(value: object, what: str = "language") -> str | None:
    """``None`` for a well-formed tag, else one line saying what is wrong (the value shown escaped)."""
    if normalise_tag(value) is not None:
        return None
    if not isinstance(value, str):
        return f"{what} must be a string, got {type(value).__name__}"
    shown = value if len(value) <= 40 else value[:39] + "…"
    if len(value.strip()) > MAX_TAG_CHARS:
        return f"{what} {shown!r} is longer than {MAX_TAG_CHARS} characters; {HINT}"
    return f"{what} {shown!r} is not a language code; {HINT}"
