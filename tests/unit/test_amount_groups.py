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
