"""Words that carry across languages, from CLDR (through Babel): month and weekday names,
and the names of units ("months", "mesi", "mois", "أشهر"), so that "25 aprile", "25 avril",
"April 25" and "25 أبريل" are one date and "five months" / "5 أشهر" one quantity.

Also the transliterated *sound* of a name (anyascii), so that "ميتا" meets "Meta" and
"بريت تايلور" meets "Bret Taylor": a consonant skeleton, with the letters that Arabic
and Latin spellings render differently merged. Tables are built once, lazily.
This module never imports textual.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import regex
from anyascii import anyascii

from reader.align.narrow import narrow_characters, narrow_class

#: the CLDR locales whose month, weekday and unit names are read (Levantine, Iraqi and
#: Maghrebi Arabic name the months differently from Egyptian and Gulf Arabic)
LOCALES = ("en", "en_GB", "it", "fr", "es", "de", "pt", "pt_PT", "nl", "da",
           "ar", "ar_SY", "ar_LB", "ar_IQ", "ar_JO", "ar_MA", "ar_DZ", "ar_TN")
#: CLDR units read as quantity words (the number before them and the unit make one fact)
UNITS = ("duration-year", "duration-month", "duration-week", "duration-day", "duration-hour",
         "duration-minute", "length-kilometer", "length-meter", "length-mile", "mass-kilogram",
         "mass-ton", "volume-liter", "area-hectare", "area-square-kilometer", "temperature-celsius")

_HARAKAT = regex.compile(r"[\u064B-\u0652\u0640]")
_DIGITS_AND_SPACE = regex.compile(r"[\d\s\u00A0\u202F.,{}]+")
_ARABIC = regex.compile(r"\p{Arabic}")


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """Lookup form of a word: lower case, no harakat; Arabic without a final alef of
    tanween ("شهرًا" -> "شهر") or one clitic "و"/"ب"/"ل"/"ف" before a long word."""
    w: str = _HARAKAT.sub("", word).casefold()
    if _ARABIC.match(w):
        if len(w) > 3 and w.endswith("ا"):
            w = w[:-1]
    return w


def _arabic_forms(w: str) -> list[str]:
    out = [w]
    if _ARABIC.match(w):
        for pre in ("وال", "بال", "لل", "ال", "و"):
            if w.startswith(pre) and len(w) - len(pre) >= 3:
                out.append(w[len(pre):])
    return out


@lru_cache(maxsize=1)
def calendar() -> tuple[dict[str, int], dict[str, int]]:
    """(month word -> 1..12, weekday word -> 0..6 Monday first) from CLDR; keys are
    ``word_key`` forms. Multi-word month names ("كانون الثاني") are kept whole."""
    from babel.dates import get_day_names, get_month_names

    months: dict[str, int] = {}
    days: dict[str, int] = {}
    for loc in LOCALES:
        for context in ("format", "stand-alone"):
            for n, name in get_month_names("wide", context=context, locale=loc).items():
                months.setdefault(word_key(name), int(n))
            for n, name in get_day_names("wide", context=context, locale=loc).items():
                days.setdefault(word_key(name), int(n))
    return months, days


_NOTHING = "(?!)"  # a branch of the trie that can match nothing (_trie)


@lru_cache(maxsize=1)
def calendar_pattern_narrow() -> re.Pattern[str] | None:
    """``calendar_pattern()`` for a passage of the narrow range (``reader.align.narrow.is_narrow``),
    in the stdlib engine: each letter is the class of the characters of that range it matches
    ignoring case (a name of another script, and the clitic "و", can match nothing there and go), and
    the word's edges are the letters and marks of that range. The pattern starts with the class of
    every name's first letter, which lets the engine skip to the next such letter; the character before
    it is then read (no letter or mark), and the trie of the names starting with that letter follows
    it. The same matches in such a passage, about twice as fast (``tests/unit/test_align_narrow.py``).
    None when two names branch on one letter ignoring case (no trie: ``calendar_pattern`` is then read,
    as it reads its plain list)."""
    months, days = calendar()
    by_first: dict[str, list[str]] = {}
    for name in sorted(set(months) | set(days), key=len, reverse=True):
        by_first.setdefault(name[0], []).append(name[1:])
    firsts, branches = [], []
    for ch in sorted(by_first):  # the order of the trie's own branches
        first, rest = _narrow_letter(ch), _trie(by_first[ch], _narrow_letter)
        if rest is None:
            return None
        if first is not None and rest != _NOTHING:
            firsts.append(first[1:-1])
            branches.append(f"(?<={first})(?:{rest})")
    edge = narrow_class(r"\p{L}\p{M}")
    return re.compile(rf"[{''.join(firsts)}](?<![{edge}].)(?:{'|'.join(branches)})(?![{edge}])")


def _narrow_letter(ch: str) -> str | None:
    """The stdlib class of the characters of the narrow range that ``ch`` matches ignoring case (as
    the ``regex`` module matches it); None when there is none."""
    found = sorted(set(regex.findall(f"(?i){regex.escape(ch)}", narrow_characters())))
    return "[" + "".join(f"\\u{ord(c):04x}" for c in found) + "]" if found else None


@lru_cache(maxsize=1)
def calendar_pattern() -> regex.Pattern[str]:
    """One pattern for every month and weekday name of ``calendar()`` (a clitic "و" allowed),
    longest first, whole words, any case."""
    months, days = calendar()
    names = sorted(set(months) | set(days), key=len, reverse=True)
    alt = _trie(names)
    if alt is None:
        alt = "|".join(regex.escape(n).replace("\\ ", "[ \u00A0]+") for n in names)
    return regex.compile(rf"(?<![\p{{L}}\p{{M}}])و?(?:{alt})(?![\p{{L}}\p{{M}}])", regex.IGNORECASE)


_Trie = dict[str, "_Trie"]


def _trie(words: list[str], letter: Callable[[str], str | None] = regex.escape) -> str | None:
    """The alternation of ``words`` (longest first) as a trie: the same matches, found about twice
    as fast, since a word start no longer tries every name in turn. At each letter the branches
    are different letters even ignoring case, so at most one can go on: trying the longer
    branches before ending there finds the longest name, as the longest-first list does.
    None if two branches are one letter ignoring case (then the plain list is used).
    ``letter(ch)``: the pattern of one letter; None when it can match nothing (its branch goes)."""
    root: _Trie = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str | None:
        chars = sorted(k for k in node if k)
        for i, a in enumerate(chars):
            if any(regex.fullmatch(regex.escape(a), b, regex.IGNORECASE) for b in chars[i + 1:]):
                return None
        branches = []
        for ch in chars:
            rest = emit(node[ch])
            if rest is None:
                return None
            first = "[ \u00A0]+" if ch == " " else letter(ch)
            if first is not None and rest != _NOTHING:
                branches.append(first + rest)
        if not branches and "" not in node:
            return _NOTHING
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


@lru_cache(maxsize=1)
def units() -> dict[str, str]:
    """Unit word (``word_key`` form, every plural CLDR gives) -> unit id ("month", "kilometer")."""
    from babel.units import format_unit

    out: dict[str, str] = {}
    for loc in LOCALES:
        for unit in UNITS:
            short = unit.split("-", 1)[1]
            for n in (1, 2, 3, 5, 11, 21, 100, 101):
                try:
                    text = format_unit(n, unit, locale=loc)
                except Exception:  # noqa: BLE001 - a unit CLDR lacks for a locale: skip it
                    continue
                word = _DIGITS_AND_SPACE.sub(" ", text).strip()
                if word and " " not in word:
                    out.setdefault(word_key(word), short)
    return out


# --- the sound of a name across scripts -------------------------------------------------

MIN_SKELETON = 2  # a name whose skeleton is shorter ("Ida" -> "d") has no sound to match
_DIGRAPHS = (("ph", "f"), ("th", "t"), ("dh", "d"), ("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "s"),
             ("ck", "k"), ("qu", "k"))
_MERGE = str.maketrans({"c": "k", "q": "k", "g": "j", "p": "b", "v": "f", "z": "s", "x": "ks"})
_SOFT_C = regex.compile(r"c(?=[eiy])")
_VOWELS = regex.compile(r"[aeiouyhw'`^]+")
_REPEAT = regex.compile(r"(.)\1+")
_NOT_LETTER = regex.compile(r"[^a-z]+")


def skeleton(word: str) -> str:
    """The consonant skeleton of a name in any script: anyascii, then the letters that
    Arabic and Latin spellings render differently merged and the vowels dropped
    ("Meta" and "ميتا" -> "mt"; "Taylor" and "تايلور" -> "tlr"; "Lorca" and "لورقة" -> "lrk")."""
    w = word_key(word)
    if _ARABIC.match(w) and w.endswith("ة"):
        w = w[:-1]
    s = anyascii(w).lower()
    s = _SOFT_C.sub("s", s)
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = _NOT_LETTER.sub("", s.translate(_MERGE))
    s = _VOWELS.sub("", s)
    out: str = _REPEAT.sub(r"\1", s)
    return out


@lru_cache(maxsize=65536)
def sound_keys(word: str) -> tuple[str, ...]:
    """Skeletons of a word as a name: for Arabic also without a clitic prefix ("وميتا")."""
    keys = (skeleton(f) for f in _arabic_forms(word_key(word)))
    return tuple(dict.fromkeys(k for k in keys if len(k) >= MIN_SKELETON))
