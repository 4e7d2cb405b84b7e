"""Cross-language anchors: the facts a passage states, comparable across languages.

A *fact* is something two passages in different languages can share once normalised.
Each comes from a well-kept library where one exists:

* ``range``, ``amount``: money and pay ranges from the one amount normaliser
  (``reader.amounts``): ``$300,000``, ``300mila``, ``300 000 $``, ``٣٠٠ ألف`` are one
  value; a range also states each of its ends;
* ``percent``: ``38%``, ``38 Prozent``, ``50,83 per cento`` (the same normaliser), and a
  rounded ``number`` beside a percentage with decimals ("50.9 percent" ~ "50,83 per cento");
* ``number`` (10 and more) and ``count`` (below 10): digits of any script, and number
  words through ``text2num`` (en, fr, es, it, de, pt, nl, da) or our Arabic tables
  (``reader.amounts.tables``); ``quantity``: a number with a CLDR unit after it
  ("five months", "cinque mesi", "5 أشهر");
* ``date`` (a day and a month), ``month`` and ``weekday``: CLDR names through Babel
  (``reader.align.lexicon``), so "25 aprile", "April 25" and "25 أبريل" are one date;
* ``name``: a capitalised word in Latin script (Netflix, The Intercept), and ``sound``: its
  transliterated skeleton (anyascii), which a name written in another script shares
  ("ميتا" ~ "Meta", "بريت تايلور" ~ "Bret Taylor");
* ``word``: a longer lower-case Latin word (deepfake, streaming); ``quote``: the same
  quoted words; ``quoted``: the passage quotes someone.

Every fact has a ``key`` (what must be equal), a ``shown`` form for reasons, where it is
stated, and a ``group``: facts read from one phrase (a range and its ends, a full name's
words, a number and its unit) share a group and count as one piece of evidence.
This module never imports textual.
"""
from __future__ import annotations

import difflib
import re
from typing import NamedTuple

import regex

from reader.align.lexicon import calendar, calendar_pattern, calendar_pattern_narrow, sound_keys, units, word_key
from reader.align.narrow import is_narrow, narrow_class, narrow_spans
from reader.amounts import Amount, find_amounts_in, number_words_value
from reader.suggest import quote as quote_recogniser
from reader.suggest.base import base_lang

#: What two facts must share to be the same: the kind of value, then the value itself
#: (``("value", 300000.0)``, ``("range", 300000.0, 900000.0)``, ``("name", "netflix")``,
#: ``("date", 4, 25)``, ``("quote", word, word, ...)``).
FactKey = tuple[str | float, ...]

# weight of one shared fact (before the rarity of its key, see reader.align.core)
WEIGHTS = {"range": 4.0, "amount": 2.5, "percent": 2.5, "date": 2.5, "quote": 3.0,
           "number": 1.2, "quantity": 1.6, "name": 1.6, "sound": 1.4,
           "count": 0.5, "month": 0.4, "weekday": 0.4, "word": 0.6, "quoted": 0.4}
#: kinds strong enough to anchor on their own when rare (money, a date, a percentage)
STRONG = frozenset({"range", "amount", "percent", "date"})
#: kinds that never count as a piece of evidence on their own
WEAK = frozenset({"count", "month", "weekday", "word", "quoted"})


class Fact(NamedTuple):
    """One fact a passage states. A named tuple (issue 19 item 9): a long document makes hundreds of
    thousands of them, and a tuple is made, read and sent back from a forked worker faster than an
    object with a ``__dict__``, in half the memory (96 bytes against 184)."""

    kind: str
    key: FactKey
    shown: str  # for reasons: "900,000 USD", "Engadget"
    start: int  # where it is stated (document offsets)
    end: int
    group: int = -1  # facts of one phrase share a group (-1: the fact's own start)
    latin: bool = True  # a name or sound written in Latin script

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]

    @property
    def group_id(self) -> int:
        return self.start if self.group < 0 else self.group


# --- amounts, percentages and numbers (the one normaliser: reader.amounts) ---------------


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def amounts_facts(text: str, spans: list[tuple[int, int]], lang: str | None) -> list[list[Fact]]:
    """Amounts of money, ranges, percentages and other numbers in each passage ``text[start:end]`` of
    ``spans``, the amounts found together (``reader.amounts.find_amounts_in``)."""
    found = find_amounts_in(text, spans, lang, numbers=True, periods=False)
    return [_amount_facts(amounts, start) for amounts, (start, _) in zip(found, spans, strict=True)]


def _amount_facts(amounts: list[Amount], start: int) -> list[Fact]:
    """The facts of ``amounts`` found in a passage starting at ``start``."""
    out: list[Fact] = []
    for am in amounts:
        if am.min is None:
            continue
        lo, hi = am.min, am.max if am.max is not None else am.min
        a, b = start + am.start, start + am.end
        if am.kind == "percent":
            out.append(Fact("percent", ("percent", lo), f"{_fmt(lo)}%", a, b))
            if lo != round(lo):
                out.append(Fact("number", ("about", float(round(lo))), f"about {round(lo)}%", a, b, a))
            continue
        if am.kind != "money":
            if am.is_range:
                continue
            out.append(_new(Fact, ("number" if lo >= 10 else "count", ("value", lo), am.text, a, b, -1, True)))
            continue
        cur = f" {am.currency}" if am.currency else ""
        if am.is_range and hi != lo:
            out.append(Fact("range", ("range", lo, hi), f"{_fmt(lo)}–{_fmt(hi)}{cur}", a, b))
            out.append(Fact("amount", ("value", hi), f"{_fmt(hi)}{cur}", a, b, a))
        out.append(_new(Fact, ("amount", ("value", lo), f"{_fmt(lo)}{cur}", a, b, a, True)))
    return out


#: ``_new(Fact, (all seven fields))``: a fact made without the named tuple's ``__new__``, a Python
#: function called per fact (a long document makes hundreds of thousands), where a recogniser makes most
_new = tuple.__new__


_TEXT2NUM = frozenset({"en", "fr", "es", "it", "de", "pt", "nl", "da"})
_TOKEN = regex.compile(r"[\p{L}\p{M}]+|\p{N}+(?:[.,]\p{N}+)*|\S")
_DIGITS = regex.compile(r"\p{Nd}+")
_ARABIC_RUN = regex.compile(r"\p{Arabic}+")
_ANY_LETTER = regex.compile(r"\p{L}")


def number_word_facts(text: str, start: int, end: int, lang: str | None) -> list[Fact]:
    """Numbers written in words: ``text2num`` for the languages it knows (its output is
    lined up with the input token by token, so offsets stay exact); Arabic number words
    from our tables (``reader.amounts.tables``)."""
    out: list[Fact] = []
    chunk = text[start:end]
    if lang == "ar":
        for m in _ARABIC_RUN.finditer(chunk):
            w = word_key(m.group())
            w = w[1:] if w.startswith("و") and len(w) > 3 else w
            value = number_words_value(w, "ar")
            if value is not None and 1 < value < 100 and value == int(value):
                out.append(Fact("number" if value >= 10 else "count", ("value", float(value)), m.group(),
                                start + m.start(), start + m.end()))
        return out
    if lang not in _TEXT2NUM or not _ANY_LETTER.search(chunk):
        return out
    from text_to_num import alpha2digit

    converted = alpha2digit(chunk, lang)
    if converted == chunk:
        return out
    src = list(_TOKEN.finditer(chunk))
    dst = [m.group() for m in _TOKEN.finditer(converted)]
    matcher = difflib.SequenceMatcher(None, [m.group() for m in src], dst, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or j2 - j1 != 1 or not _DIGITS.fullmatch(dst[j1]) or i2 <= i1:
            continue
        if any(_DIGITS.search(m.group()) for m in src[i1:i2]):
            continue  # digits were there already: the normaliser has them
        value = float(dst[j1])
        a, b = start + src[i1].start(), start + src[i2 - 1].end()
        out.append(Fact("number" if value >= 10 else "count", ("value", value), text[a:b], a, b))
    return out


#: between the passages of a batch given to text2num at once: a line holding only a sign that is no
#: number word and no punctuation that joins numbers ("one, two, three" is a group), so a number never
#: runs from one passage into the next and each passage starts and ends as a text of its own
_BATCH_SEP = "\n\n\u00B6\n\n"
#: passages and characters of one batch (text2num's call costs about 9 µs in Italian whatever the text)
_BATCH_PASSAGES, _BATCH_CHARS = 64, 20_000


def number_words_facts(text: str, spans: list[tuple[int, int]], lang: str | None) -> list[list[Fact]]:
    """``number_word_facts`` of each passage ``text[start:end]`` of ``spans``, text2num asked once per
    batch of passages instead of once per passage: its call costs about 9 µs before it reads a word
    (Italian: 0.19 s of the 0.27 s it took for the 20k passages of bench_align_scale), and most
    passages have no number word. A batch is the passages joined by :data:`_BATCH_SEP`; a passage
    that text2num left unchanged there has no number word (a number never crosses the separator,
    which no number word is), and every other passage is read alone, as ``number_word_facts`` does:
    the same facts (a hypothesis test in ``tests/unit/test_align_facts.py``)."""
    if lang not in _TEXT2NUM or len(spans) < 2:
        return [number_word_facts(text, s, e, lang) for s, e in spans]
    from text_to_num import alpha2digit

    out: list[list[Fact]] = []
    i, n = 0, len(spans)
    while i < n:
        j, size = i, 0
        while j < n and j - i < _BATCH_PASSAGES and (j == i or size + spans[j][1] - spans[j][0] <= _BATCH_CHARS):
            size += spans[j][1] - spans[j][0]
            j += 1
        batch = spans[i:j]
        chunks = [text[s:e] for s, e in batch]
        pieces = alpha2digit(_BATCH_SEP.join(chunks), lang).split(_BATCH_SEP)
        if len(pieces) != len(chunks):  # a passage holding the separator itself: each alone
            pieces = [""] * len(chunks)
        out += [[] if piece == chunk else number_word_facts(text, s, e, lang)
                for piece, chunk, (s, e) in zip(pieces, chunks, batch, strict=True)]
        i = j
    return out


_WORD = regex.compile(r"[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*")
_LETTERS = regex.compile(r"[\p{L}\p{M}]+")
_LETTERS_NARROW = re.compile("[" + narrow_class(r"\p{L}\p{M}") + "]+")


def quantity_facts(text: str, numbers: list[Fact], end: int, narrow: bool = False) -> list[Fact]:
    """A number followed by a CLDR unit word ("five months", "180 litros", "5 أشهر"); ``narrow``: the
    passage is of the narrow range (``reader.align.narrow``: its words found by the stdlib engine)."""
    table = units()
    out: list[Fact] = []
    letters: re.Pattern[str] | regex.Pattern[str] = _LETTERS_NARROW if narrow else _LETTERS
    for f in numbers:
        if f.kind not in ("number", "count") or f.key[0] != "value":
            continue
        m = letters.match(text, f.end + 1, end) if text[f.end:f.end + 1] in (" ", "\u00A0", "-") else None
        if m is None:
            m = letters.match(text, f.end, end)  # glued: "24enne" is not a unit, "5km" is
        unit = table.get(word_key(m.group())) if m else None
        if unit is not None and m is not None:
            out.append(Fact("quantity", ("quantity", f.key[1], unit), f"{f.shown} {m.group()}",
                            f.start, m.end(), f.group_id))
    return out


# --- dates, months and weekdays (CLDR through Babel) -----------------------------------------

_DAY_BEFORE = regex.compile(r"(?<!\p{N})(\p{Nd}{1,2})(?:st|nd|rd|th|er|º|°|\.)?[ \u00A0]+(?:(?:de|of|di)[ \u00A0]+)?\Z")
_DAY_AFTER = regex.compile(r",?[ \u00A0]+(\p{Nd}{1,2})(?:st|nd|rd|th)?(?![\p{N}:.,]\p{N}|\p{N})")
# the two in the stdlib engine, for a passage of the narrow range (reader.align.narrow)
_N, _ND = narrow_class(r"\p{N}"), narrow_class(r"\p{Nd}")
_DAY_BEFORE_NARROW = re.compile(rf"(?<![{_N}])([{_ND}]{{1,2}})(?:st|nd|rd|th|er|º|°|\.)?[ \u00A0]+(?:(?:de|of|di)[ \u00A0]+)?\Z")
_DAY_AFTER_NARROW = re.compile(rf",?[ \u00A0]+([{_ND}]{{1,2}})(?:st|nd|rd|th)?(?![{_N}:.,][{_N}]|[{_N}])")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_CAPITALISED_MONTHS = ("en", "de", "nl")  # "May", "march": only the capitalised word is a month
_SPACES = regex.compile(r"[ \u00A0]+")


def _one_space(k: str) -> str:
    """``_SPACES.sub(" ", k)``: the pattern is run only when it can change ``k`` (a no-break space or
    two spaces in a row: a name of one word, nearly all of them, never has one; a regex call saved)."""
    return _SPACES.sub(" ", k) if "\u00A0" in k or "  " in k else k


def date_facts(text: str, start: int, end: int, lang: str | None, narrow: bool | None = None) -> list[Fact]:
    """Dates (a day and a month: "25 aprile", "April 25", "25 أبريل"), months and weekdays,
    found by one pattern of every CLDR name (``reader.align.lexicon.calendar_pattern``; its stdlib
    form for a passage of the narrow range, ``narrow``: ``reader.align.narrow.is_narrow`` when None)."""
    months, days = calendar()
    out: list[Fact] = []
    if narrow is None:
        narrow = is_narrow(text, start, end)
    pattern: re.Pattern[str] | regex.Pattern[str] | None = calendar_pattern_narrow() if narrow else None
    if pattern is None:
        pattern = calendar_pattern()  # the same names in any passage (and where no narrow form can be made)
    day_before: re.Pattern[str] | regex.Pattern[str] = _DAY_BEFORE_NARROW if narrow else _DAY_BEFORE
    day_after: re.Pattern[str] | regex.Pattern[str] = _DAY_AFTER_NARROW if narrow else _DAY_AFTER
    for m in pattern.finditer(text, start, end):
        raw = m.group()
        k = _one_space(word_key(raw))
        if k not in months and k not in days and k.startswith("و"):
            k = k[1:]
        if k in months:
            if lang in _CAPITALISED_MONTHS and raw.isascii() and not raw[0].isupper():
                continue  # "may", "march" in English are no months
            month = months[k]
            before = day_before.search(text, max(start, m.start() - 16), m.start())
            day, s, e = None, m.start(), m.end()
            if before:
                day, s = int(before.group(1).translate(_ARABIC_DIGITS)), before.start()
            elif after := day_after.match(text, m.end(), min(end, m.end() + 8)):  # read only without a day before
                day, e = int(after.group(1).translate(_ARABIC_DIGITS)), after.end()
            if day is not None and 1 <= day <= 31:
                out.append(_new(Fact, ("date", ("date", float(month), float(day)), text[s:e], s, e, -1, True)))
            else:
                out.append(_new(Fact, ("month", ("month", float(month)), raw, m.start(), m.end(), -1, True)))
        elif k in days:
            out.append(_new(Fact, ("weekday", ("weekday", float(days[k])), raw, m.start(), m.end(), -1, True)))
    return out


# --- names in every script, and Latin words -----------------------------------------------

_LATIN_WORD = regex.compile(r"(?<![\p{L}\p{M}\p{N}])\p{Latin}[\p{Latin}\p{M}]*(?:[-'’]\p{Latin}+)*(?![\p{L}\p{M}\p{N}])")
_OTHER_WORD = regex.compile(r"(?<![\p{L}\p{M}\p{N}])[\p{Arabic}\p{Cyrillic}\p{Greek}\p{Hebrew}][\p{L}\p{M}]*")
# a character that may be of one of _OTHER_WORD's scripts: anything but Latin-1, Latin Extended, IPA,
# combining marks (below U+0370) and the punctuation and symbols of U+2000-U+2BFF, the Ohm sign (Greek)
# excepted (tests/unit/test_facts_frozen.py checks every code point). A passage without one has no
# such word: the stdlib engine finds that about 6x faster than a scan of _OTHER_WORD
_OTHER_SCRIPT_MAYBE = re.compile("[^\x00-\u036f\u2000-\u2125\u2127-\u2bff]")
_NAME_GAP = regex.compile(r"[ \u00A0]+")
_LIST_GAP = regex.compile(r",?[ \u00A0]+(?:(?:and|or|e|o|et|ou|y|und|oder|en|og)[ \u00A0]+)?|,[ \u00A0]*")
# capitalised words that say nothing on their own (sentence starts, articles)
_STOP = frozenset("""
a an and as at but by for from he her his i if in is it its of on or our she so that the their
then there these they this those to we what when where which while who will with you
il lo la le les l gli un una uno une des del della dei di da e ed che per con su ma non si come
de du et en au aux ce ces cette qui que dans pour par sur pas plus est sont ne se son sa ses
el los las y o para por con sin es lo al der die das und den dem ein eine ist im zu mit von
""".split())
# Arabic words too common to be names (articles and clitics are stripped before this)
_ARABIC_STOP = frozenset("""
في من على إلى الى عن مع أن إن أنه إنه أنها إنها هذا هذه ذلك تلك كان كانت يكون قد لقد ليس ليست
بعد قبل بين حتى منذ عند كما لكن أو ثم كل بعض غير أي لا لم لن ما هو هي هم نحو قال قالت وقال وقالت
أيضا فقط حيث إذا إذ لدى أمام خلال ضد دون عبر نفس مثل يوم عام
""".split())
_ARABIC_ARTICLE = regex.compile(r"(?:[وفبكل]|وب|فب|ول|فل)?ال|(?:[وف])?لل")
_ELISION = regex.compile(r"^(?:[ldnsjcmt]|qu|dell|dall|nell|sull|all|un|d)['’](?=\p{Lu})", regex.IGNORECASE)
_DE_DETERMINERS = frozenset("""
der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner im am zum zur
vom beim ins ans aufs fürs unser unsere seine seiner ihre ihrer dieser diese dieses diesem diesen
jeder jede jedes alle beiden neue neuen neuer
""".split())
def _is_name_gap(text: str, a: int, b: int) -> bool:
    """``_NAME_GAP.fullmatch(text, a, b)``: ``text[a:b]`` is one or more spaces (no-break too)."""
    if a < 0:
        a = max(0, len(text) + a)  # as the pattern's pos does (prev_end starts at -10)
    gap = text[a:b]
    return gap == " " or (gap != "" and not gap.strip(" \u00A0"))


MIN_WORD = 5  # lower-case words shorter than this are function words in some language
# the Latin words that can give a fact outside German: no lower-case ASCII word of fewer than MIN_WORD
# letters (the lookahead after the word start refuses exactly the words _LATIN_WORD would end there).
# Such a word gives no fact (not capitalised, no article to strip, too short for a word) and is never
# read as a neighbour (a gap holding it is no name gap, and only German looks at the word before a
# name): skipping it gives the same facts, and saves reading about half the words of a passage
_FACT_WORD = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}])(?![a-z]{{1,{MIN_WORD - 1}}}(?![\p{{L}}\p{{M}}\p{{N}}'’-]))"
                           r"\p{Latin}[\p{Latin}\p{M}]*(?:[-'’]\p{Latin}+)*(?![\p{L}\p{M}\p{N}])")

# the two word patterns in the stdlib engine, for a passage of the narrow range (``reader.align.narrow``:
# each property spelled out as the characters of that range it holds; the same words, 94k -> 58k
# instructions a bench passage)
_LMN, _LAT, _LATM = narrow_class(r"\p{L}\p{M}\p{N}"), narrow_class(r"\p{Latin}"), narrow_class(r"\p{Latin}\p{M}")
# Each starts with its first letter's class, which lets the engine skip to the next letter; the two
# lookarounds of the word's start are read after that letter: the character before it is no letter,
# mark or number, and (_FACT_WORD's) the word is no lower-case ASCII word of fewer than MIN_WORD letters
_LATIN_WORD_NARROW = re.compile(rf"[{_LAT}](?<![{_LMN}].)[{_LATM}]*(?:[-'’][{_LAT}]+)*(?![{_LMN}])")
_FACT_WORD_NARROW = re.compile(rf"[{_LAT}](?<![{_LMN}].)(?:(?<![a-z])|(?![a-z]{{0,{MIN_WORD - 2}}}(?![{_LMN}'’-])))"
                               rf"[{_LATM}]*(?:[-'’][{_LAT}]+)*(?![{_LMN}])")


#: lower-case words take the short way through ``name_facts`` (the same facts as the general way: a
#: hypothesis test turns this off and compares, ``tests/unit/test_align_facts.py``)
_LOWER_WORDS_FAST = True


def name_facts(text: str, start: int, end: int, lang: str | None = None, narrow: bool | None = None) -> list[Fact]:
    """Capitalised Latin names (the whole name as ``shown``, one group), their sound, longer
    Latin words, and the sound of words in other scripts (a name there has no capital).
    German capitalises every noun: there a capitalised word after a determiner ("den Plan",
    "im Jahr") is a word, not a name."""
    out: list[Fact] = []
    # (word, start, end) of each Latin word: read once, the loop below looks at each several times
    pattern: re.Pattern[str] | regex.Pattern[str]
    if narrow if narrow is not None else is_narrow(text, start, end):  # the stdlib patterns (reader.align.narrow)
        pattern = _LATIN_WORD_NARROW if lang == "de" else _FACT_WORD_NARROW
    else:
        pattern = _LATIN_WORD if lang == "de" else _FACT_WORD  # German reads the determiner before a noun
    words = [(m[0], m.start(), m.end()) for m in pattern.finditer(text, start, end)]
    n = len(words)
    i, g, last_name = 0, -1, -1
    fast = _LOWER_WORDS_FAST
    while i < n:
        raw, w_start, w_end = words[i]
        if fast and raw.islower() and "'" not in raw and "’" not in raw:
            # a lower-case word (most of a text): no name starts with it, it joins no name, and no
            # article comes off it; it is a word when long enough, what the general path below makes
            # of it (German's noun after a determiner is a word too)
            i += 1
            key = raw if raw.isascii() else raw.casefold()  # one string for both (an ASCII lower-case word is its casefold)
            if len(key) >= MIN_WORD and key not in _STOP:
                out.append(_new(Fact, ("word", ("word", key), raw, w_start, w_end, -1, True)))
            continue
        j = i
        # a name: capitalised words separated by single spaces (The Intercept, Deep Fake Love)
        while (words[j][0][0].isupper() and j + 1 < n and words[j + 1][0][0].isupper()
               and _is_name_gap(text, words[j][2], words[j + 1][1])):
            j += 1
        group = words[i:j + 1]
        phrase = text[group[0][1]:group[-1][2]] if j > i else group[0][0]
        # a list of names ("Instagram and WhatsApp", "Facebook, Instagram e WhatsApp") is one fact
        capital = group[0][0][0].isupper()
        if capital and not (last_name >= 0 and _LIST_GAP.fullmatch(text, last_name, group[0][1])):
            g = group[0][1]
        last_name = group[-1][2] if capital else last_name
        for raw, m_start, m_end in group:
            # "L'Odel", "dell'Eni": the name without the article (only a word with an apostrophe has one)
            w = _ELISION.sub("", raw) if ("'" in raw or "’" in raw) else raw
            key = w.casefold()
            if key in _STOP or len(key) < 2:
                continue
            if lang == "de" and j == i and not w.isupper() and i > 0 \
                    and words[i - 1][0].casefold() in _DE_DETERMINERS \
                    and _is_name_gap(text, words[i - 1][2], m_start):
                if len(key) >= MIN_WORD:
                    out.append(_new(Fact, ("word", ("word", key), w, m_start, m_end, -1, True)))
            elif w[0].isupper() or w.isupper():
                shown = phrase if j > i else w
                out.append(_new(Fact, ("name", ("name", key), shown, m_start, m_end, g, True)))
                if len(key) >= 3:
                    out += [_new(Fact, ("sound", ("sound", s), shown, m_start, m_end, g, True)) for s in sound_keys(w)]
            elif len(key) >= MIN_WORD:
                out.append(_new(Fact, ("word", ("word", key), w, m_start, m_end, -1, True)))
        i = j + 1
    if _OTHER_SCRIPT_MAYBE.search(text, start, end) is None:
        return out  # no letter of another script: no word of one
    prev_end, g = -10, -1
    for m in _OTHER_WORD.finditer(text, start, end):
        w = word_key(m.group())
        # a name written in Arabic never takes the article: "الوحيد" is a word, "هوليوود" may be a name
        if len(w) < 3 or w in _ARABIC_STOP or (w.startswith("و") and w[1:] in _ARABIC_STOP) \
                or _ARABIC_ARTICLE.match(w):
            prev_end = -10
            continue
        if not _is_name_gap(text, prev_end, m.start()):
            g = m.start()  # words next to each other are one name ("بريت تايلور")
        prev_end = m.end()
        out += [Fact("sound", ("sound", s), m.group(), m.start(), m.end(), g, latin=False) for s in sound_keys(w)]
    return out


# --- quotes ------------------------------------------------------------------------

_QUOTE_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*")


#: every quote starts and ends at one of these marks: a passage without one quotes nothing (the stdlib
#: engine finds that in about a tenth of the recogniser's call, which most passages of a long document pay)
_QUOTE_MARK = re.compile("[" + re.escape("".join(sorted(quote_recogniser.MARKS))) + "]")


def quote_facts(text: str, start: int, end: int, lang: str | None) -> list[Fact]:
    out: list[Fact] = []
    if _QUOTE_MARK.search(text, start, end) is None:
        return out
    for q in quote_recogniser.find(text[start:end], lang):
        words = tuple(w.casefold() for w in _QUOTE_WORD.findall(q.text))
        if len(words) >= 2:
            shown = q.text if len(q.text) <= 40 else q.text[:39] + "…"
            out.append(Fact("quote", ("quote",) + words, shown, start + q.start, start + q.end))
        if not any(f.kind == "quoted" for f in out):
            out.append(Fact("quoted", ("quoted",), "a quote", start + q.start, start + q.end))
    return out


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bytearray:
    """A mask of ``text[start:end]``: 1 where one of ``spans`` (document offsets) lies."""
    mask = bytearray(end - start)
    for s, e in spans:
        mask[s - start:e - start] = b"\x01" * (e - s)
    return mask


def passage_facts(text: str, start: int, end: int, lang: str | None) -> list[Fact]:
    """Every fact stated in ``text[start:end]``, in document offsets."""
    return passages_facts(text, [(start, end)], lang)[0]


def passages_facts(text: str, spans: list[tuple[int, int]], lang: str | None) -> list[list[Fact]]:
    """The facts of each passage ``text[start:end]`` of ``spans`` (what ``passage_facts`` gives for
    each), found kind by kind over all the passages: one recogniser at a time runs faster
    than all of them in turn on each passage."""
    lang = base_lang(lang)
    amounts = amounts_facts(text, spans, lang)
    spoken = number_words_facts(text, spans, lang)
    narrow = narrow_spans(text, spans)
    dates = [date_facts(text, s, e, lang, n) for (s, e), n in zip(spans, narrow, strict=True)]
    names = [name_facts(text, s, e, lang, n) for (s, e), n in zip(spans, narrow, strict=True)]
    quotes = [quote_facts(text, s, e, lang) for s, e in spans]
    return [_combine(text, *parts, start, end, n)
            for parts, (start, end), n in zip(zip(amounts, spoken, dates, names, quotes), spans, narrow, strict=True)]


def _combine(text: str, numbers: list[Fact], spoken: list[Fact], dates: list[Fact], names: list[Fact], quotes: list[Fact],
             start: int, end: int, narrow: bool = False) -> list[Fact]:
    """One passage's facts from each recogniser's, in their order, overlaps resolved."""
    if spoken:
        if numbers:
            taken = _overlaps([(f.start, f.end) for f in numbers], start, end)
            spoken = [f for f in spoken if taken.find(1, f.start - start, f.end - start) < 0]
        numbers = numbers + spoken
    if dates and numbers:
        # the day of a date is part of the date, not a second piece of evidence: a number inside a
        # date joins the group of the first date holding it
        days = [(f.start, f.end, f.start if f.group < 0 else f.group) for f in dates if f.kind == "date"]
        if days:
            regrouped = []
            for f in numbers:
                for s, e, g in days:
                    if s <= f.start and f.end <= e:
                        f = _new(Fact, (f.kind, f.key, f.shown, f.start, f.end, g, f.latin))
                        break
                regrouped.append(f)
            numbers = regrouped
    # a month, a weekday or a number word is not also a name or a word ("August", "cinque")
    if names and (numbers or dates):
        taken = _overlaps([(f.start, f.end) for f in numbers] + [(f.start, f.end) for f in dates], start, end)
        names = [f for f in names if taken.find(1, f.start - start, f.end - start) < 0]
    if numbers:
        return numbers + quantity_facts(text, numbers, end, narrow) + dates + names + quotes
    return dates + names + quotes


def reason(kind: str, shown: str) -> str:
    if kind in ("range", "amount", "number", "percent", "count", "quantity"):
        return f"both state {shown}"
    if kind in ("date", "month", "weekday"):
        return f"both date {shown}"
    if kind == "quote":
        return f"both quote {shown}"
    if kind == "quoted":
        return "both quote someone"
    if kind == "word":
        return f"both use {shown}"
    return f"both name {shown}"
