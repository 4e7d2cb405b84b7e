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
