"""The amount parser: numbers in every locale's separators, number words, currencies,
scales, ranges and periods (see ``reader.amounts`` for what parses and the span convention)."""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypedDict, TypeVar

import regex

from reader.amounts.tables import (
    ATTACHED_SCALES,
    ISO_CODES,
    SYMBOLS,
    TABLES,
    LangTable,
    Morphemes,
)


class AmountValue(TypedDict):
    """The normalised value of an amount: ``{"min", "max", "currency", "period"}`` (JSON-ready).

    ``min``/``max`` are ints when whole (``300000``), else floats rounded to 2 places;
    ``currency`` is an ISO 4217 code or None; ``period`` one of :data:`PERIODS` or None.
    """

    min: int | float | None
    max: int | float | None
    currency: str | None
    period: str | None


#: A normalised value as an annotation keeps it (``Annotation.value``: a plain JSON
#: object); what :func:`parse_amount`, :func:`check_value` and :func:`annotation_value` return.
JSONValue = dict[str, Any]


def base_lang(lang: str | None) -> str | None:
    """'it-IT' / 'pt_BR' / 'IT' -> 'it'; None, '' and 'unknown' -> None."""
    if not lang:
        return None
    lang = lang.strip().lower().replace("_", "-").split("-")[0]
    return None if lang in ("", "unknown", "und") else lang


# --- the normaliser ---------------------------------------------------------------

PERIODS = ("hour", "day", "week", "month", "year")

D = r"[0-9\u0660-\u0669\u06F0-\u06F9]"
SP = r"[ \u00A0\u202F\u2009]"
GROUP_SEP = r"(?:[,.'’\u066C]|" + SP + r")"
DEC_SEP = r"[.,\u066B]"
NUMBER = (
    rf"{D}{{1,3}}(?:{GROUP_SEP}{D}{{3}})+(?:{DEC_SEP}{D}{{1,2}})?(?!{D})"
    rf"|{D}+(?:{DEC_SEP}{D}+)?"
)
END_WORD = r"(?![\p{L}\p{M}\p{N}])"
ARABIC_PREFIX = "[وبل]?"
HARAKAT = "[\u064B-\u0652\u0640]*"  # tanween, harakat, tatweel: optional after any Arabic letter
_HARAKAT_RE = regex.compile(HARAKAT[:-1])


def _alt(words: Iterable[str], *, sort: bool = True) -> str:
    words = sorted(set(words), key=len, reverse=True) if sort else list(words)
    parts = []
    for w in words:
        pieces = []
        for ch in w:
            if ch == " ":
                pieces.append(SP + "+")
            elif ch in "'’":
                pieces.append("['’]")
            elif "\u0621" <= ch <= "\u064A":
                pieces.append(regex.escape(ch) + HARAKAT)
            else:
                pieces.append(regex.escape(ch))
        parts.append("".join(pieces))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


_SPACES_RE = regex.compile(r"\s+")
_SPLIT_RE = regex.compile(r"[\s\-]+")


def _key(s: str) -> str:
    """Lookup form of a matched word: no harakat, one space, straight apostrophe, lower case."""
    if s.isascii() and s.isalpha():
        return s.lower()  # one ASCII word ("euro", "EUR"): no harakat, space or apostrophe to change
    s = _HARAKAT_RE.sub("", s).replace("’", "'")
    s = _SPACES_RE.sub(" ", s)
    return s.strip().lower()


SYMBOL = _alt(SYMBOLS)
ISO = "(?-i:" + _alt(ISO_CODES) + ")"
PRE = rf"(?:{SYMBOL}{SP}?|{ISO}{SP})"


_V = TypeVar("_V")


def _merge(tables: list[LangTable]) -> LangTable:
    def cat(words: Callable[[LangTable], tuple[str, ...]]) -> tuple[str, ...]:
        out: list[str] = []
        for t in tables:
            out.extend(words(t))
        return tuple(dict.fromkeys(out))

    def dcat(table: Callable[[LangTable], dict[str, _V]]) -> dict[str, _V]:
        out: dict[str, _V] = {}
        for t in tables:
            for k, v in table(t).items():
                out.setdefault(k, v)
        return out

    return LangTable(
        currency_words=dcat(lambda t: t.currency_words), currency_links=cat(lambda t: t.currency_links),
        scales=dcat(lambda t: t.scales), phrases=dcat(lambda t: t.phrases), morphemes=dcat(lambda t: t.morphemes),
        glue=cat(lambda t: t.glue), connectors=cat(lambda t: t.connectors), or_words=cat(lambda t: t.or_words),
        between_words=cat(lambda t: t.between_words), and_words=cat(lambda t: t.and_words),
        range_articles=cat(lambda t: t.range_articles), periods=dcat(lambda t: t.periods),
        period_cues=dcat(lambda t: t.period_cues), qualifiers=cat(lambda t: t.qualifiers),
        percent=cat(lambda t: t.percent),
        glue_pattern="|".join(f"(?:{t.glue_pattern})" for t in tables if t.glue_pattern),
    )


_ATOM_GROUPS = ("pre", "postsym", "postword", "num", "pct", "att", "scale", "phrase", "words")


class _Compiled:
    """The patterns of one language (or of all of them, for ``lang=None``)."""

    def __init__(self, t: LangTable):
        self.t = t
        self.currency = {_key(k): v for k, v in t.currency_words.items()}
        self.scales = {_key(k): v for k, v in t.scales.items()}
        self.phrases = {_key(k): v for k, v in t.phrases.items()}
        self.morphemes = {k.lower(): v for k, v in t.morphemes.items()}
        self.periods = {_key(k): v for k, v in t.periods.items()}
        self.cues = {_key(k): v for k, v in t.period_cues.items()}
        self.glue = {g.lower() for g in t.glue}
        self._number_words: dict[str, bool] = {}
        self.plain_words = set(self.glue) | {_key(x).rstrip("'") for x in t.currency_links}
        for phrase in t.phrases:
            self.plain_words.update(_SPLIT_RE.split(_key(phrase)))
        cur_word = _alt(t.currency_words)
        link = _alt(t.currency_links)
        scale = _alt(t.scales)
        attached = "(?-i:" + _alt(ATTACHED_SCALES) + ")"
        morph = _alt(self.morphemes) if self.morphemes else "(?!)"
        starts = _alt([k for k in self.morphemes if k not in ("und",)]) if self.morphemes else "(?!)"
        token = rf"(?:{starts})(?:{morph})*"  # "und" only inside a word: fünfundzwanzig
        glue = rf"(?:{t.glue_pattern})(?:{SP}+|-)" if t.glue_pattern else "(?!)"
        words = rf"{token}(?:{glue}{token}|(?:{SP}+|-){token})*"
        phrase = _alt(t.phrases)
        pct_words = _alt(t.percent)
        self.atom = regex.compile(
            rf"""
            (?<![\p{{N}}_.,\p{{Latin}}\p{{Greek}}\p{{Cyrillic}}$€£¥₹])
            (?P<pre>{PRE})?
            (?:
                (?P<num>{NUMBER})
                (?:
                    (?P<pct>{SP}?[%٪]|{SP}+{ARABIC_PREFIX}{pct_words}{END_WORD})
                  | (?P<att>{attached}){END_WORD}
                  | {SP}?{ARABIC_PREFIX}(?P<scale>{scale}){END_WORD}
                )?
              | (?<![\p{{L}}\p{{M}}]){ARABIC_PREFIX}(?P<phrase>{phrase}){END_WORD}
              | (?<![\p{{L}}\p{{M}}])(?P<words>{words}){END_WORD}
            )
            (?!{SP}?%|{D}|\p{{Latin}})
            (?:
                {SP}?(?P<postsym>{SYMBOL}|{ISO}{END_WORD})
              | {SP}+(?:{link}{SP}*)?{ARABIC_PREFIX}(?P<postword>{cur_word}){END_WORD}
            )?
            """,
            regex.VERBOSE | regex.IGNORECASE | regex.V0,
        )
        # the atom's groups by number: m.group(*numbers) is 6x faster than m.group(*names)
        self.atom_groups = tuple(self.atom.groupindex[name] for name in _ATOM_GROUPS)
        sym_conn = [c for c in t.connectors if not c[0].isalpha()]
        word_conn = [c for c in t.connectors if c[0].isalpha()] + list(t.or_words)
        arts = _alt(t.range_articles)
        self.connector = regex.compile(
            rf"(?:{SP}*(?:{_alt(sym_conn)}){SP}*|{SP}+(?:{_alt(word_conn)}){SP}*(?:{arts}{SP}+)?)\Z",
            regex.IGNORECASE,
        )
        self.and_connector = regex.compile(rf"{SP}+{_alt(t.and_words)}{SP}*(?:{arts}{SP}+)?\Z", regex.IGNORECASE)
        self.between = regex.compile(
            rf"(?<![\p{{L}}\p{{M}}]){_alt(t.between_words)}{SP}+(?:(?:the|i|gli|les|los|las)\s+)?\Z",
            regex.IGNORECASE,
        )
        slash = [p for p in t.periods if p.startswith("/")]
        plain = [p for p in t.periods if not p.startswith("/")]
        self.period = regex.compile(
            rf"(?:{SP}?(?P<p>{_alt(slash)})|{SP}+(?P<p2>{_alt(plain)}))(?![\p{{L}}\p{{M}}\p{{N}}])",
            regex.IGNORECASE,
        )
        self.slash_period = regex.compile(rf"{SP}?/{SP}?(?P<p>hour|hr|h|day|week|wk|month|mo|year|yr|an|mois|jour|Jahr|Monat|Tag|Stunde|mese|anno|ora|giorno|año|mes|día|hora){END_WORD}", regex.IGNORECASE)
        self.qualifier = regex.compile(rf"{SP}+{_alt(t.qualifiers)}{END_WORD}", regex.IGNORECASE)
        self.cue = regex.compile(rf"(?<![\p{{L}}\p{{M}}])(?:{_alt(t.period_cues)})", regex.IGNORECASE)
        # anchors: where an amount can be. Digits and symbols start one; a currency,
        # scale or number-phrase word (found by its first three letters, a fast named
        # list) may end one that starts with number words a few words earlier.
        # first words of currency words, number phrases and long scale words ("milioni"):
        # searched for with str.find in the lower-cased text (short scales follow digits)
        heads = {_key(w).split(" ")[0] for w in list(t.currency_words) + list(t.phrases)}
        heads |= {_key(w) for w in t.scales if len(w) >= 4}
        self.heads = sorted(h for h in heads if len(h) >= 2)
        # the stdlib engine: no Unicode property here, and it scans a passage in about 3/4 of the
        # regex module's time (the same matches: tests/unit/test_facts_frozen.py). The lookahead of
        # every first character an anchor can have lets it skip to the next such character instead
        # of trying each branch at every position: half the time (7.9 -> 3.9 us a bench passage);
        # each branch starts with one of those characters, so it changes no match
        self.anchor = re.compile(rf"(?={_ANCHOR_FIRST})(?:(?P<d>{D}+)|(?P<s>{_ANCHOR_SYMBOL})|(?P<iso>[A-Z]{{3}}{SP}))")
        assert self.anchor.groupindex == {"d": 1, "s": 2, "iso": 3}  # _starts reads the groups by number
        # what may follow a number and join its atom (a percent, scale, symbol, code or currency word,
        # or a word linking one): a number followed by none of it is a plain atom (``plain``)
        after_space = [*t.percent, *t.scales, *SYMBOLS, *ISO_CODES, *t.currency_links, *t.currency_words]
        self.plain_blocked = tuple(sorted({p for w in after_space if (p := _ascii_start(w)) is not None}))
        self.plain_safe = _PLAIN_SAFE - {w[0] for w in [*after_space, *ATTACHED_SCALES] if w}
        # a symbol or code written before a number that starts with a digit: then no start at a
        # digit is plain (none does today)
        self.plain_ok = not any(w[:1].isdigit() for w in [*SYMBOLS, *ISO_CODES])
        # a plain atom, in the stdlib engine: the number as the atom pattern's first try takes it (an
        # atomic group: never a shorter one), then the end of the text, a safe sign, or one space and
        # then the end, a safe sign, or an ASCII word that starts with nothing blocked and goes on with
        # no other letter (ignoring case, the Kelvin sign is a "k": a word going on with a character
        # that is not ASCII is left to the atom pattern)
        safe = "".join(re.escape(ch) for ch in sorted(self.plain_safe))
        blocked = "|".join(self.plain_blocked) or "(?!)"
        self.plain = re.compile(rf"(?>{NUMBER})(?=\Z|[{safe}]| (?:\Z|[{safe}]|(?!(?i:{blocked}))[A-Za-z]+"
                                r"(?:\Z|(?=[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]))))")
        # an ASCII word where no atom can start: no symbol or code before a number, number phrase or
        # number word starts with it (their first ASCII letters, ignoring case), and no other letter goes
        # on with it (the atom pattern would then be asked)
        firsts = sorted({p for w in [*SYMBOLS, *ISO_CODES, *t.phrases, *self.morphemes] for p in _ascii_prefixes(w)})
        self.no_atom_word = re.compile(rf"(?!(?i:{'|'.join(firsts) or '(?!)'}))[A-Za-z]+"
                                       r"(?:\Z|(?=[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]))")


    def is_number_word(self, word: str) -> bool:
        """Can ``word`` be part of a number written in words (or join one to its currency)?"""
        hit = self._number_words.get(word)
        if hit is None:
            k = _key(word)
            hit = k in self.plain_words or _split_morphemes(k, self.morphemes) is not None
            if len(self._number_words) < 100_000:
                self._number_words[word] = hit
        return hit


@cache
def _compiled(lang: str | None) -> _Compiled:
    if lang in TABLES:
        return _Compiled(TABLES[lang])
    return _Compiled(_merge(list(TABLES.values())))


def _compiled_for(lang: str | None) -> _Compiled:
    base = base_lang(lang)
    return _compiled(base if base in TABLES else None)


# --- numbers ------------------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_GROUP_CHARS = regex.compile(r"[ \u00A0\u202F\u2009'’\u066C]")


def parse_number(raw: str) -> float | None:
    """The value of a number as written: '300,000', '450.000', '300 000', '1,5', '١٢٬٥٠٠'."""
    if raw.isascii():
        if raw.isdigit():
            return float(raw)  # the common case: what the general path below gives for it
        # ASCII without a space or an apostrophe ("613,042", "1.5"): the translation (Arabic digits),
        # the group characters and the Arabic decimal sign are not in it, only the strip does anything
        s = raw.strip() if " " not in raw and "'" not in raw else _GROUP_CHARS.sub("", raw.strip())
    else:
        s = _GROUP_CHARS.sub("", raw.translate(_DIGITS).strip()).replace("\u066B", ".")
    return _separated_value(s)


def _separated_value(s: str) -> float | None:
    """The value of a number whose only separators left are ',' and '.' (groups or a decimal)."""
    if not s:
        return None
    seps = [c for c in s if c in ",."]
    try:
        if not seps:
            return float(s)
        last = max(s.rfind(","), s.rfind("."))
        tail = s[last + 1:]
        if len(set(seps)) == 1 and (len(seps) > 1 or len(tail) == 3):
            return float(s.replace(",", "").replace(".", ""))  # thousands separators only
        head = s[:last].replace(",", "").replace(".", "")
        return float(f"{head}.{tail}")
    except ValueError:
        return None


def _split_morphemes(token: str, morphemes: Morphemes) -> list[tuple[float, str]] | None:
    """Split a glued number word ('zweitausendfünfhundert') into morphemes, longest first."""
    if not token:
        return []
    for n in range(len(token), 0, -1):
        head = token[:n]
        if head in morphemes:
            rest = _split_morphemes(token[n:], morphemes)
            if rest is not None:
                return [morphemes[head], *rest]
    return None


def number_words_value(words: str, lang: str | None = None) -> float | None:
    """Value of number words: 'zwölf' 12, 'duemilacinquecento' 2500, 'trois cents' 300,
    'veintidós mil' 22000, 'mezzo milione' 500000; None when they do not parse."""
    c = _compiled_for(lang)
    return _words_value(words, c)


def _words_value(words: str, c: _Compiled) -> float | None:
    key = _key(words)
    if key in c.phrases:
        return c.phrases[key]
    key = key.replace("quatre-vingt", "quatrevingt")
    parts: list[tuple[float, str]] = []
    for token in _SPLIT_RE.split(key):
        if not token or token in c.glue:
            continue
        split = _split_morphemes(token, c.morphemes)
        if split is None:
            return None
        parts.extend(split)
    total = current = 0.0
    seen = False
    for value, kind in parts:
        if kind == "unit":
            current += value
            seen = seen or value > 0
        elif kind == "hundred":
            current = (current or 1) * value
            seen = True
        else:  # scale
            if current == 0 and 0 < total < value:
                total *= value  # "mil millones"
            else:
                total += (current or 1) * value
            current = 0
            seen = True
    return total + current if seen else None


# --- amounts ------------------------------------------------------------------

@dataclass(frozen=True, init=False)
class Amount:
    """An amount (or a range) found in text, with its normalised value.

    ``kind`` is ``"money"`` (a currency is written), ``"number"`` (a bare
    number, only with ``numbers=True`` or a scale word) or ``"percent"`` (``38%``,
    ``4,5 Prozent``, ``50,83 per cento``: only with ``numbers=True``; ``min`` = ``max`` =
    the number before the percent sign or word). ``period_end`` is the
    end of a period expression right after the amount (outside the span), or
    ``None``.
    """

    start: int
    end: int
    text: str
    min: float | None
    max: float | None
    currency: str | None
    period: str | None
    kind: str = "money"
    is_range: bool = False
    has_scale: bool = False
    words: bool = False  # written (partly) in number words
    period_end: int | None = None

    def __init__(self, start: int, end: int, text: str, min: float | None, max: float | None,  # noqa: A002
                 currency: str | None, period: str | None, kind: str = "money", is_range: bool = False,
                 has_scale: bool = False, words: bool = False, period_end: int | None = None) -> None:
        # what the generated __init__ does, without its object.__setattr__ per field (frozen):
        # every number of a text is an Amount for the facts of reader.align (issue 19 item 9)
        d = self.__dict__
        d["start"], d["end"], d["text"], d["min"], d["max"], d["currency"], d["period"] = \
            start, end, text, min, max, currency, period
        d["kind"], d["is_range"], d["has_scale"], d["words"], d["period_end"] = \
            kind, is_range, has_scale, words, period_end

    @property
    def has_currency(self) -> bool:
        return self.kind == "money"

    @property
    def value(self) -> AmountValue:
        """The normalised value: ``{"min", "max", "currency", "period"}`` (JSON-ready)."""
        return {"min": _num(self.min), "max": _num(self.max), "currency": self.currency, "period": self.period}


def _num(v: float | None) -> int | float | None:
    if v is None:
        return None
    r = round(v, 2)
    return int(r) if r == int(r) else r


@dataclass(slots=True)
class _Atom:
    start: int
    end: int
    value: float | None
    currency: str | None  # ISO code, "?" when written but unknown, None when absent
    has_scale: bool
    words: bool
    factor: float = 1.0  # the scale written on this atom (1 when none)
    percent: bool = False  # "38%", "4,5 Prozent", "50,83 per cento"

    @property
    def has_currency(self) -> bool:
        return self.currency is not None


# a plural scale word alone is a vague quantity, not an amount: "miliardi di dollari"
VAGUE = {"milioni", "miliardi", "millions", "milliards", "millones", "millionen", "milliarden", "billions",
         "thousands", "mila", "ملايين", "مليارات", "آلاف", "tausende", "milhões", "bilhões"}

ANCHOR_BEFORE = 60


_ANCHOR_SYMBOL = "[$€£¥₹₽₺₪﷼]"
_ANCHOR_FIRST = "[0-9\u0660-\u0669\u06F0-\u06F9$€£¥₹₽₺₪﷼A-Z]"  # D, the symbols, and A-Z
_PREFIX_NEAR = re.compile(r"[$€£¥₹₽₺₪﷼]|[A-Z]{3}")  # the stdlib engine, as the anchors
_WORD_START = regex.compile(r"(?<![\p{L}\p{M}\p{N}])[\p{L}\p{M}]+")
WORDS_BEFORE = 6  # number words before a currency word: "zweitausendfünfhundert", "deux mille cinq cents"


def _is_head(w: str, heads: set[str]) -> bool:
    """Is ``w`` the first word of a currency, scale or number phrase?"""
    if w in heads or w.rstrip(".") in heads:
        return True
    if "\u0600" <= w[0] <= "\u06ff":
        k = _key(w)
        return k in heads or (k[:1] in "وبل" and k[1:] in heads)
    return False


def _walk_back(text: str, p: int, c: _Compiled, out: set[int]) -> None:
    """Add ``p`` and the starts of the number words just before it
    ("deux mille cinq cents euros", "mezzo milione", "zwölf Euro")."""
    lo = max(0, p - ANCHOR_BEFORE)
    nl = text.rfind("\n", lo, p)
    lo = nl + 1 if nl >= 0 else lo
    words = list(_WORD_START.finditer(text, lo, p))[-WORDS_BEFORE:]
    for w in reversed(words):
        if not c.is_number_word(w.group()):
            break
        out.add(w.start())
    out.add(p if text[p - 1:p] not in ("و", "ب", "ل") else p - 1)


def _lowered(text: str) -> str:
    """``text`` in lower case, offset for offset (a rare letter whose lower case is longer, İ, is kept)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    return low


def _head_hits(low: str, c: _Compiled) -> list[tuple[int, int]]:
    """(start, end) of every head of ``c`` (a currency, scale or number-phrase word's first word) in
    ``low`` (a lower-cased text), in order."""
    hits: list[tuple[int, int]] = []
    for head in c.heads:
        p = low.find(head)
        while p >= 0:
            hits.append((p, p + len(head)))
            p = low.find(head, p + 1)
    hits.sort()
    return hits


def _head_positions(text: str, c: _Compiled) -> list[int]:
    """Where a head of ``c`` starts in the lower case of ``text``, in order, each position once."""
    return sorted({a for a, _ in _head_hits(_lowered(text), c)})


def _heads_of_spans(text: str, spans: list[tuple[int, int]], c: _Compiled) -> list[list[int]]:
    """``_head_positions(text[s:e], c)`` for each span, found once over the text the spans cover (a
    passage of a long document costs 28 ``str.find`` calls a head list otherwise, most finding
    nothing). A head found across a span's edge is no head of that span, as in its own text; the lower
    case of a span is the lower case of the same characters in the larger text (the one letter whose
    lower case depends on its neighbours, a final Greek sigma, is in no head and changes no test of
    the character before one: ``tests/unit/test_amount_groups.py``)."""
    if not spans:
        return []
    lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
    hits = _head_hits(_lowered(text[lo:hi]), c)
    starts = [lo + a for a, _ in hits]
    out: list[list[int]] = []
    for s, e in spans:
        k = bisect.bisect_left(starts, s)
        mine: list[int] = []
        while k < len(hits) and starts[k] < e:
            a = starts[k]
            if lo + hits[k][1] <= e and (not mine or mine[-1] != a - s):
                mine.append(a - s)
            k += 1
        out.append(mine)
    return out


def _starts(text: str, c: _Compiled, heads: list[int] | None = None) -> set[int]:
    """Positions where an amount may start (``heads``: ``_head_positions(text, c)`` when known)."""
    out: set[int] = set()
    add = out.add
    for m in c.anchor.finditer(text):
        p = m.start()
        kind = m.lastindex  # the group that matched, by number (1 d, 2 s, 3 iso): no name looked up
        if kind == 1:
            if p and _PREFIX_NEAR.search(text, max(0, p - 4), p):
                out.update(range(max(0, p - 4), p))  # "US$ 5", "€5", "CHF 5": the prefix starts it
            add(p)
        elif kind == 2:
            out.update(range(max(0, p - 3), p + 1))  # "US$", "HK$", "CA$"
        else:
            add(p)
    if heads is None:
        heads = _head_positions(text, c)
    # the characters before a head, read as they are: no character's lower case differs from it in
    # being a letter, a mark or one of "وبل" (every code point checked, tests/unit/test_amount_groups.py)
    for p in heads:
        prev = text[p - 1] if p else " "
        if not (prev.isalpha() or unicodedata.category(prev)[0] == "M") or (
                prev in "وبل" and (p < 2 or not text[p - 2].isalpha())):
            _walk_back(text, p, c, out)
    return out


#: characters after which no atom starts: ASCII ones of the atom pattern's first lookbehind
#: ``(?<![\p{N}_.,\p{Latin}...$€...])``; the match it would fail is not tried (a start before a
#: symbol or a digit is often a letter: "costing €5" tries "ng €" for "US$"-like prefixes)
_NO_ATOM_AFTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.,$")


def _atoms(text: str, c: _Compiled, heads: list[int] | None = None) -> list[_Atom]:
    out: list[_Atom] = []
    last_end = 0
    plain = _PLAIN_ATOMS and c.plain_ok
    for pos in sorted(_starts(text, c, heads)):  # each start once: they come from a set
        if pos < last_end or (pos and text[pos - 1] in _NO_ATOM_AFTER):
            continue
        if plain and "0" <= text[pos] <= "9" and (pos == 0 or text[pos - 1] < "\x80"):
            # a number nothing joins (c.plain): what the atom pattern gives there, found without it
            p = c.plain.match(text, pos)
            if p is not None:
                last_end = p.end()
                out.append(_Atom(pos, last_end, parse_number(p.group()), None, False, False))
                continue
        elif plain and text[pos] < "\x80" and text[pos].isalpha() and c.no_atom_word.match(text, pos):
            continue  # a word no atom starts with (a glue word walked back to, "di" in "di 868 euro")
        m = c.atom.match(text, pos)
        if m is None or m.end() == pos:
            continue
        atom = _atom(m, c)
        if atom is not None:
            out.append(atom)
            last_end = m.end()
    return out


#: numbers that nothing joins, and ASCII words no atom starts with, take the short way through ``_atoms``
#: (``_Compiled.plain``, ``_Compiled.no_atom_word``; the same atoms as the pattern: a hypothesis test in
#: ``tests/unit/test_amount_groups.py`` turns this off and compares)
_PLAIN_ATOMS = True
#: ASCII characters after which a number ends its atom, unless a symbol starts with one
#: (``_Compiled.plain_safe``): no letter, digit, space (a word may follow) or percent sign
_PLAIN_SAFE = frozenset(chr(i) for i in range(128) if not chr(i).isalnum() and chr(i) not in " %")


def _ascii_prefixes(word: str) -> list[str]:
    """What an ASCII word must start with (lower case) for ``word`` to match at its start, ignoring
    case: the ASCII letters ``word`` starts with, up to its first other character. A word starting
    with another character gives the ASCII letters that character matches ignoring case (the Kelvin
    sign matches "k"), or nothing; so an ASCII word that starts with none of them never matches."""
    lead = []
    for ch in word:
        if not (ch.isascii() and ch.isalpha()):
            break
        lead.append(ch.lower())
    if lead:
        return ["".join(lead)]
    return [a for a in "abcdefghijklmnopqrstuvwxyz" if word and regex.fullmatch(regex.escape(word[0]), a, regex.IGNORECASE)]


def _ascii_start(word: str) -> str | None:
    """A stdlib pattern, to be matched ignoring case, that every text ``word`` (an alternative of the atom
    pattern) matches at its start begins with: its characters up to the first one that is not ASCII
    (spaces as the pattern's spaces, either apostrophe), or the ASCII letters a first character that is
    not ASCII matches ignoring case (the Kelvin sign, "k"); None when it can match no ASCII letter there.
    Ignoring case, the stdlib engine matches at least what the ``regex`` module matches for an ASCII
    letter (and "ı" for "i"): a text it finds no start of is no match of ``word``."""
    out: list[str] = []
    for ch in word:
        if not ch.isascii():
            break
        out.append(f"{SP}+" if ch == " " else "['’]" if ch == "'" else ch.lower() if ch.isalpha() else re.escape(ch))
    if out:
        return "".join(out)
    letters = _ascii_prefixes(word)
    return f"[{''.join(letters)}]" if letters else None


def _currency(pre: str | None, postsym: str | None, postword: str | None, c: _Compiled) -> str | None:
    for raw in (pre, postsym):
        if raw:
            raw = _SPACES_RE.sub("", raw)
            return SYMBOLS.get(raw) or (raw.upper() if raw.upper() in ISO_CODES else "?")
    if postword:
        iso = c.currency.get(_key(postword), "?")
        return iso if iso is not None else "?"
    return None


def _atom(m: regex.Match[str], c: _Compiled) -> _Atom | None:
    # one call for every group: a match is read once (this runs for every number of a text)
    pre, postsym, postword, num, pct, att, scale, phrase, words_ = m.group(*c.atom_groups)
    # most numbers of a text have no currency: what _currency gives for three Nones, without the call
    currency = _currency(pre, postsym, postword, c) if pre or postsym or postword else None
    factor = 1.0
    if num is not None:
        value = parse_number(num)
        has_scale = False
        if pct:
            return _Atom(m.start(), m.end(), value, None, False, False, percent=True)
        if att:
            has_scale = True
            factor = ATTACHED_SCALES.get(att) or ATTACHED_SCALES.get(att.lower(), 1)
            value = value * factor if value is not None else None
        elif scale:
            has_scale = True
            factor = c.scales.get(_key(scale), 1)
            value = value * factor if value is not None else None
        words = False
    elif phrase is not None:
        value = c.phrases.get(_key(phrase))
        has_scale, words = True, True
    elif words_ is not None:
        value = _words_value(words_, c)
        if value is None or _key(words_) in VAGUE:
            return None
        has_scale = value >= 1000 and any(
            c.morphemes.get(t, (0, ""))[1] == "scale" for t in _SPLIT_RE.split(_key(words_))
        )
        words = True
    else:
        return None
    return _Atom(m.start(), m.end(), value, currency, has_scale, words, factor)


def _range_values(left: _Atom, right: _Atom) -> tuple[float, float] | None:
    """(min, max) of a two-atom range, a shared scale applied; None if it is no range."""
    if left.value is None or right.value is None:
        return None
    lv = left.value
    if not left.has_scale and right.has_scale and right.factor > 1 and lv * right.factor <= right.value:
        lv *= right.factor  # "300 و900 ألف", "30-40k", "300 to 900 thousand"
    if not (0 < lv <= right.value):
        return None
    return lv, right.value


def _period_after(text: str, pos: int, c: _Compiled) -> tuple[int, str | None] | None:
    """(end, period) of a per-period expression right after ``pos``, with an optional
    gross/net word before or after it; None when there is neither."""
    if text[pos:pos + 1] not in _PERIOD_FIRST:
        return None  # every period and qualifier pattern starts with a space or "/"
    end = pos
    period = None
    seen_q = False
    while True:
        if period is None and (m := c.period.match(text, end)):
            period = c.periods.get(_key(m.group("p") or m.group("p2")))
            end = m.end()
        elif period is None and (m := c.slash_period.match(text, end)):
            period = _SLASH.get(m.group("p").lower())
            end = m.end()
        elif not seen_q and (m := c.qualifier.match(text, end)):
            end, seen_q = m.end(), True
        else:
            break
    return (end, period) if period is not None else None


_PERIOD_FIRST = frozenset(" \u00A0\u202F\u2009/")  # the first characters of SP and of "/"

_SLASH = {"hour": "hour", "hr": "hour", "h": "hour", "stunde": "hour", "ora": "hour", "hora": "hour",
          "day": "day", "jour": "day", "tag": "day", "giorno": "day", "día": "day", "week": "week", "wk": "week",
          "month": "month", "mo": "month", "mois": "month", "monat": "month", "mese": "month", "mes": "month",
          "year": "year", "yr": "year", "an": "year", "jahr": "year", "anno": "year", "año": "year"}

_CLAUSE_END = regex.compile(r"[.;!?\n؛]\s")


def _period_before(text: str, start: int, c: _Compiled, window: int = 45) -> str | None:
    """A period cue shortly before the amount, in the same clause: 'monthly salary of'."""
    lo = max(0, start - window)
    seg = text[lo:start]
    if c.cue.search(seg) is None:
        return None  # a cue after the clause's start would be found in the whole window too
    cut = None
    for cut in _CLAUSE_END.finditer(seg):
        pass
    if cut is not None:
        seg = seg[cut.end():]
    best = None
    for m in c.cue.finditer(seg):
        best = c.cues.get(_key(m.group()))
    return best


def find_amounts(text: str, lang: str | None = None, *, numbers: bool = False, whole: bool = False,
                 periods: bool = True) -> list[Amount]:
    """Amounts in ``text``, sorted, never overlapping; see the module docstring.

    By default only amounts with a currency and bare amounts with a scale word
    (``mezzo milione``, ``2 million``) are returned; ``numbers=True`` returns
    every number too (``kind="number"``) and percentages (``kind="percent"``, never money).
    ``whole=True`` treats ``text`` as a single amount phrase (an annotation's
    text): ``and`` joins a range without a *between* word. ``periods=False`` leaves
    ``period`` and ``period_end`` None (faster, for callers that never read them: the
    amounts, their values and kinds are the same).
    """
    return _find_amounts(text, _compiled_for(lang), None, numbers, whole, periods)


def find_amounts_in(text: str, spans: list[tuple[int, int]], lang: str | None = None, *, numbers: bool = False,
                    periods: bool = True) -> list[list[Amount]]:
    """``find_amounts(text[s:e], lang, ...)`` for each ``(s, e)`` of ``spans`` (in order, not
    overlapping: the passages of a document), the same amounts with offsets in each span's text;
    the words that may end an amount are looked for once over all the spans."""
    c = _compiled_for(lang)
    heads = _heads_of_spans(text, spans, c)
    return [_find_amounts(text[s:e], c, h, numbers, False, periods) for (s, e), h in zip(spans, heads, strict=True)]


def _find_amounts(text: str, c: _Compiled, heads: list[int] | None, numbers: bool, whole: bool,
                  periods: bool) -> list[Amount]:
    atoms = _atoms(text, c, heads)
    out: list[Amount] = []
    i, n = 0, len(atoms)
    while i < n:
        first = atoms[i]
        last = first
        lo = hi = first.value
        if i + 1 < n:
            b = atoms[i + 1]
            if (first.currency is not None or b.currency is not None or (first.has_scale and b.has_scale)) \
                    and not (first.percent or b.percent) and b.start - first.end <= 20:
                gap = text[first.end:b.start]
                if "\n" not in gap:
                    joined = bool(c.connector.match(gap))
                    if not joined and c.and_connector.match(gap):
                        joined = whole or bool(c.between.search(text[max(0, first.start - 40):first.start]))
                    if joined and (rv := _range_values(first, b)) is not None:
                        last = b
                        lo, hi = rv
        is_range = last is not first
        i += 2 if is_range else 1
        start, end = first.start, last.end
        if is_range:
            has_currency = first.currency is not None or last.currency is not None
            has_scale = first.has_scale or last.has_scale
            words = first.words or last.words
            all_words = first.words and last.words
        else:
            has_currency = first.currency is not None
            has_scale = first.has_scale
            words = all_words = first.words
        if not has_currency and not has_scale and (not numbers or all_words):
            continue  # a bare "dodici" is a count, not an amount
        if first.percent:
            out.append(Amount(start, end, text[start:end], first.value, first.value, None, None, kind="percent"))
            continue
        # the first currency written and known ("?": written, unknown)
        iso = first.currency if first.currency not in (None, "?") else (
            last.currency if last.currency not in (None, "?") else None)
        after = _period_after(text, end, c) if periods else None
        period = after[1] if after else (_period_before(text, start, c) if periods else None)
        out.append(Amount(
            start, end, text[start:end], lo, hi, iso, period,
            kind="money" if has_currency else "number", is_range=is_range, has_scale=has_scale,
            words=words, period_end=after[0] if after else None,
        ))
    return out


def parse_amount(s: str, lang: str | None = None) -> JSONValue | None:
    """The normalised value of one amount phrase (an annotation's text), or None.

    ``parse_amount("200 $ par jour")`` -> ``{"min": 200, "max": 200, "currency":
    "USD", "period": "day"}``. A phrase with two separate amounts, or none, is
    None. Bare numbers parse (``"200 a day"``: currency None).
    """
    if not s or not s.strip():
        return None
    found = [a for a in find_amounts(s, lang, numbers=True, whole=True)]
    money = [a for a in found if a.kind == "money"]
    pick = money if money else [a for a in found if a.kind == "number"]
    if len(pick) != 1:
        return None
    return value_json(pick[0].value)


def value_json(value: AmountValue) -> JSONValue:
    """``value`` as the plain JSON object an annotation keeps."""
    return dict(value)


def normalise_text(s: str) -> str:
    """NFC form used before matching (exposed for callers that compare amounts' texts)."""
    return unicodedata.normalize("NFC", s)



def check_value(obj: object) -> AmountValue | None:
    """``obj`` as a normalised value if it is one (``{"min", "max", "currency",
    "period"}`` with numbers, an ISO-like code or None, a known period or None),
    else None. Used on values that come from outside (imports, old stores)."""
    if not isinstance(obj, Mapping) or set(obj) != {"min", "max", "currency", "period"}:
        return None
    lo, hi, cur, period = obj["min"], obj["max"], obj["currency"], obj["period"]
    for v in (lo, hi):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v != v):  # noqa: PLR0124 - NaN
            return None
    if lo is not None and hi is not None and lo > hi:
        return None
    if cur is not None and not (isinstance(cur, str) and len(cur) == 3 and cur.isalpha() and cur.isupper()):
        return None
    if period is not None and period not in PERIODS:
        return None
    return {"min": _num(lo), "max": _num(hi), "currency": cur, "period": period}
