"""Issue 19 item 9: the amount parser reads an atom's groups by number (6x faster than by name);
the numbers stand for the names in every language's pattern."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.amounts import parser as P
from reader.amounts.tables import TABLES

_PIECES = st.sampled_from(["$", "€", "USD ", "300", "300,000", "1.234,5", "٣٠٠", " ", "\u00A0", "mila", "million",
                           "k", "%", " per cento", "euro", "dollars", "dollari", "deux mille", "zwölf", "mezzo milione",
                           "ألف", "و", "-", " to ", " e ", "a", "\n"])


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=12), lang=st.sampled_from([*TABLES, None]))
def test_atom_groups_by_number_are_the_groups_by_name(pieces, lang):
    c = P._compiled(lang)
    text = "".join(pieces)
    for pos in range(len(text)):
        m = c.atom.match(text, pos)
        if m is not None:
            assert m.group(*c.atom_groups) == m.group(*P._ATOM_GROUPS)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES | st.sampled_from(list("aZ9_.,$x")) | st.text(max_size=3), min_size=1, max_size=14),
       lang=st.sampled_from([*TABLES, None]))
def test_no_atom_starts_after_the_characters_skipped(pieces, lang):
    """``_atoms`` does not try a start after a character of ``_NO_ATOM_AFTER``: the atom pattern
    would not match there (its first lookbehind refuses it)."""
    c = P._compiled(lang)
    text = "".join(pieces)
    for pos in range(1, len(text) + 1):
        if text[pos - 1] in P._NO_ATOM_AFTER:
            assert c.atom.match(text, pos) is None


_EDGES = st.sampled_from(["Σ", "ΣΑ ", "İ", "ب", "ل", "وال", "us", "US", "u.s.", "mila", "eurox", "xeuro", "ё", "\u0301"])


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES | _EDGES | st.text(max_size=3), min_size=1, max_size=16),
       cuts=st.lists(st.integers(0, 60), max_size=6), lang=st.sampled_from([*TABLES, None]))
def test_amounts_of_spans_found_together_are_the_amounts_of_each_span(pieces, cuts, lang):
    """``find_amounts_in`` (the heads looked for once over every span, issue 19 item 9) gives what
    ``find_amounts`` gives on each span's own text: a head across a span's edge, a letter whose lower case
    is longer (İ) or depends on its neighbours (a final Σ) in another span, Arabic prefixes at an edge."""
    text = "".join(pieces)
    marks = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    spans = [(a, b) for a, b in zip(marks, marks[1:])]  # spans next to each other, none empty
    c = P._compiled(lang)
    assert P._heads_of_spans(text, spans, c) == [P._head_positions(text[a:b], c) for a, b in spans]
    together = P.find_amounts_in(text, spans, lang, numbers=True, periods=False)
    assert together == [P.find_amounts(text[a:b], lang, numbers=True, periods=False) for a, b in spans]
    assert P.find_amounts_in(text, spans, lang) == [P.find_amounts(text[a:b], lang) for a, b in spans]


def test_the_anchors_first_characters_are_the_first_characters_of_its_branches():
    """The anchor pattern's lookahead (issue 19 item 9) admits exactly the characters its branches start with."""
    import re

    first = re.compile(P._ANCHOR_FIRST)
    branches = re.compile(f"{P.D}|{P._ANCHOR_SYMBOL}|[A-Z]")
    for cp in range(0x110000):
        ch = chr(cp)
        assert bool(first.fullmatch(ch)) == bool(branches.fullmatch(ch)), hex(cp)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES | _EDGES | st.sampled_from(["USD ", "CHF\u00A0", "ABCD ", "Ab ", "٣", "۳", "₪", "﷼"])
                       | st.text(max_size=3), min_size=1, max_size=16))
def test_the_anchors_are_the_anchors_without_the_lookahead(pieces):
    import re

    text = "".join(pieces)
    plain = re.compile(rf"(?P<d>{P.D}+)|(?P<s>{P._ANCHOR_SYMBOL})|(?P<iso>[A-Z]{{3}}{P.SP})")
    got = [(m.start(), m.end(), m.lastgroup) for m in P._compiled(None).anchor.finditer(text)]
    assert got == [(m.start(), m.end(), m.lastgroup) for m in plain.finditer(text)]


# what may follow a number: every word that can join one (or start a word that does), the same
# words changed a little, ASCII words, letters that are ASCII ignoring case (the Kelvin sign, a long
# s), separators and spaces of every kind, symbols, signs
_AFTER_WORDS = sorted({w for t in TABLES.values() for w in [*t.percent, *t.scales, *t.currency_links, *t.currency_words]}
                      | set(P.SYMBOLS) | set(P.ISO_CODES) | set(P.ATTACHED_SCALES))
_NUMBERISH = st.sampled_from(["1", "12", "300", "1,234", "1.234", "1,5", "1.234,56", "300 000", "2'500", "٣٠٠", "0", "19"])
_AFTER = (st.sampled_from(_AFTER_WORDS)
          | st.sampled_from(_AFTER_WORDS).map(lambda w: w + "x")
          | st.sampled_from(_AFTER_WORDS).map(lambda w: w[:-1] if len(w) > 1 else w)
          | st.sampled_from(_AFTER_WORDS).map(str.upper)
          | st.sampled_from(["for", "May", "maggio", "plan", "on", "x", "Nord", "per", "di", "sk", "ſ", "\u212A", "İ", "é",
                             "of the", "u.s.", "a", "ab"])
          | st.sampled_from([" ", "  ", "\u00A0", "\u202F", "\u2009", ".", ",", ";", "-", "/", "(", ")", "\n", "\t", "%",
                             "٪", "'", "’", "$", "€", "£", "_", "·", "—", "\u0301", "ب", "و"]))


#: a number, what comes between, what comes after (the cases the short way decides on), or anything
_NUMBER_THEN = st.tuples(_NUMBERISH, st.sampled_from(["", " ", " ", "  ", "\u00A0"]), _AFTER,
                         st.sampled_from(["", "", " ", ".", "x", "é", "\u212A", "%"])).map("".join)


#: number words, the words that glue them and the words after them, phrases, any word: a phrase of them
#: ends with a currency word often enough that its words are walked back to as starts
_WORDS = sorted({w for t in TABLES.values() for w in [*t.morphemes, *t.glue, *t.phrases, *t.currency_words, *t.scales]}
                | {"di", "de", "of", "und", "the", "il", "plan", "Mezzo", "DUE", "zwei", "vingt-et-un", "ab", "x"})
_WORD_PHRASE = st.lists(st.sampled_from(_WORDS) | st.sampled_from(_WORDS).map(str.title), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=1000, deadline=None)
@given(pieces=st.lists(_NUMBER_THEN | _NUMBERISH | _AFTER | _PIECES | _WORD_PHRASE, min_size=1, max_size=12),
       lang=st.sampled_from([*TABLES, None]))
def test_plain_numbers_by_the_short_way_are_the_atoms_of_the_pattern(pieces, lang):
    """A number nothing joins, and a word no atom starts with, take the short way through ``_atoms``
    (``_Compiled.plain`` and ``no_atom_word``, issue 19 item 9): the same atoms as the atom pattern gives,
    whatever follows the number and whatever the word."""
    text = "".join(pieces)
    c = P._compiled(lang)
    short = P._atoms(text, c)
    P._PLAIN_ATOMS = False
    try:
        general = P._atoms(text, c)
    finally:
        P._PLAIN_ATOMS = True
    assert short == general


def test_a_plain_number_is_what_the_pattern_matches():
    """Each case the short way takes is the pattern's match, and each case it leaves is left to it."""
    c = P._compiled("en")
    for text, plain in [("1.", True), ("plan 1 for", True), ("5 May,", True), ("5 million", False), ("5 %", False),
                        ("5 $", False), ("5 dollars", False), ("5 usd", False), ("5k", False), ("5 sk\u212A", False),
                        ("5  x", False), ("5\n", True), ("5 of", False), ("5 offered", False), ("5", True),
                        ("1,234x", False), ("5 ", True), ("5 .", True), ("5 x2", False)]:
        at = 0 if text[0].isdigit() else text.index(" ") + 1
        got = c.plain.match(text, at)
        assert (got is not None) == plain, text
        m = c.atom.match(text, at)
        if got is not None:
            assert m is not None and got.span() == m.span(), text
    assert " " not in c.plain_safe and "%" not in c.plain_safe and "$" not in c.plain_safe
    assert c.plain.match("1 per il", 0) is not None and c.plain.match("1 per cento", 0) is None
    it = P._compiled("it")  # "di" starts no atom; "dieci", "due", "mezzo" may
    assert it.no_atom_word.match("di 868 euro", 0) and not it.no_atom_word.match("dieci euro", 0)
    assert not it.no_atom_word.match("mezzo milione", 0) and not it.no_atom_word.match("diè", 0)
    pt = P._compiled("pt")  # a phrase's first word starts one too ("meio milhão" is no number word)
    assert not pt.no_atom_word.match("meio milhão", 0) and P.find_amounts("meio milhão de euros", "pt")
    # a word of the tables starting with a letter that is ASCII ignoring case blocks that letter
    assert P._ascii_prefixes("\u212Aelvin") == ["k"] and P._ascii_prefixes("Euro") == ["euro"]
    assert P._ascii_prefixes("U.S. dollars") == ["u"] and P._ascii_prefixes("€") == []


def test_the_short_ways_are_taken():
    """The short ways are taken (not only equal when taken): a plain number and a word no atom starts with
    never ask the atom pattern; a number followed by a currency word does."""

    class Counted:
        def __init__(self, pattern):
            self.pattern, self.asked = pattern, []

        def match(self, text, pos):
            self.asked.append(text[pos:pos + 5])
            return self.pattern.match(text, pos)

    c = P._compiled("it")
    counted = Counted(c.atom)
    text = "1. Il piano 1 per il quartiere il 19 maggio, con una spesa di 868.821 euro."
    want = P._atoms(text, c)
    c.atom = counted
    try:
        assert P._atoms(text, c) == want
    finally:
        c.atom = counted.pattern
    assert counted.asked == ["868.8"]  # not "1. Il", "1 per", "19 ma", nor "di 86"


@settings(max_examples=300, deadline=None)
@given(word=st.text(st.characters(max_codepoint=0x7F), min_size=1, max_size=12)
       | st.sampled_from(["euro", "EUR", "Dollari", "mila", "milioni", "a b", "ab\t", " x", "dell’"]))
def test_the_key_of_an_ascii_word_is_its_lower_case_as_the_general_way(word):
    """``_key``'s short way (one ASCII word: its lower case) gives what the harakat, space and
    apostrophe rules give."""
    general = P._SPACES_RE.sub(" ", P._HARAKAT_RE.sub("", word).replace("’", "'")).strip().lower()
    assert P._key(word) == general


def test_no_character_before_a_head_reads_differently_in_lower_case():
    """``_starts`` reads the character before a head as it is, not lower-cased: for every code point
    whose lower case is one character (``_lowered`` keeps the others), being a letter, a mark, or one
    of the Arabic prefixes is the same in both cases."""
    import sys
    import unicodedata

    def reading(ch: str) -> tuple[bool, bool, bool]:
        return ch.isalpha(), unicodedata.category(ch)[0] == "M", ch in "وبل"

    differ = [hex(i) for i in range(sys.maxunicode + 1)
              if len(chr(i).lower()) == 1 and reading(chr(i)) != reading(chr(i).lower())]
    assert differ == []
