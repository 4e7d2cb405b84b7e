"""Issue 19 item 9: the word and calendar patterns in the stdlib engine for passages of the narrow
range (``reader.align.narrow``) find what the ``regex`` patterns find, character for character."""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.align import facts
from reader.align.lexicon import _narrow_letter, calendar, calendar_pattern, calendar_pattern_narrow
from reader.align.narrow import RANGE, is_narrow, narrow_characters, narrow_class, narrow_spans


def test_each_class_holds_the_characters_of_the_range_its_properties_hold():
    import re

    every = narrow_characters()
    assert len(every) == sum(b - a + 1 for a, b in RANGE)
    for members in (r"\p{L}\p{M}\p{N}", r"\p{Latin}", r"\p{Latin}\p{M}", r"\p{L}\p{M}"):
        ours, theirs = re.compile(f"[{narrow_class(members)}]"), regex.compile(f"[{members}]")
        for ch in every:
            assert bool(ours.fullmatch(ch)) == bool(theirs.fullmatch(ch)), (members, hex(ord(ch)))


def test_each_letter_of_a_calendar_name_matches_what_it_matches_ignoring_case():
    import re

    every = narrow_characters()
    months, days = calendar()
    for ch in sorted({ch for name in [*months, *days] for ch in name if ch != " "}):
        cls = _narrow_letter(ch)
        theirs = regex.compile(regex.escape(ch), regex.IGNORECASE)
        hits = {c for c in every if theirs.fullmatch(c)}
        if cls is None:
            assert not hits, ch
        else:
            assert {c for c in every if re.fullmatch(cls, c)} == hits, ch


def test_the_narrow_range_is_what_is_narrow():
    assert is_narrow("Zoë paid €5 — “à la” ²", 0, 22)
    assert not is_narrow("مايو", 0, 4) and not is_narrow("Ω", 0, 1) and not is_narrow("日", 0, 1)
    assert not is_narrow("ب May", 1, 5)  # the character before the passage is read too


_NAMES = sorted({n for n in [*calendar()[0], *calendar()[1]] if is_narrow(n, 0, len(n))})
_PIECES = (st.sampled_from(_NAMES)
           | st.sampled_from(_NAMES).map(str.upper)
           | st.sampled_from(_NAMES).map(str.title)
           | st.sampled_from(_NAMES).map(lambda n: n[:-1])
           | st.sampled_from(["May", "mayo", "Mayx", "xMay", "5", "25", "²", "’", "'", "-", " ", "\u00A0", "  ", ",", ".",
                              "3 ", "3rd ", "12. ", "25 de ", "5 of ", "7º ", ", 4", " 31st", "2:", "1,5", "Ⅻ ", "¹",
                              "May 123", "¹5 May", "May 5²", "Ⅻ3 May", "May 1:2", "4 May", "May 4", "4º de May",
                              "\n", "L’Oréal", "d'Arc", "x-ray", "abcd", "abcde", "Nord17", "İ", "ß", "\u212A", "ſ",
                              "e\u0301", "\u0301", "Ǆ", "ǅ", "ª", "µ", "Ⅻ", "ℂ", "ӧ", "ب", "Ω", "fi", "The", "the"])
           | st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x36F), max_size=4))


@settings(max_examples=600, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=14), cuts=st.lists(st.integers(0, 80), max_size=5))
def test_the_narrow_patterns_find_what_the_regex_patterns_find(pieces, cuts):
    text = " ".join(pieces) if len(pieces) % 2 else "".join(pieces)
    marks = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    spans = [(a, b) for a, b in zip(marks, marks[1:])]
    assert narrow_spans(text, spans) == [is_narrow(text, a, b) for a, b in spans]
    assert narrow_spans(text, spans[::-1]) == [is_narrow(text, a, b) for a, b in spans[::-1]]  # in any order
    calendar_narrow = calendar_pattern_narrow()
    assert calendar_narrow is not None  # today's calendar names make a trie
    for a, b in spans:  # spans cut anywhere: a passage may start right after a letter
        if not is_narrow(text, a, b):
            continue
        for ours, theirs in ((facts._FACT_WORD_NARROW, facts._FACT_WORD), (facts._LATIN_WORD_NARROW, facts._LATIN_WORD),
                             (calendar_narrow, calendar_pattern())):
            assert [m.span() for m in ours.finditer(text, a, b)] == [m.span() for m in theirs.finditer(text, a, b)]
        for p in range(a, b + 1):  # the day before and after a month, wherever the month is
            for ours, theirs, lo, hi in ((facts._DAY_BEFORE_NARROW, facts._DAY_BEFORE, max(a, p - 16), p),
                                         (facts._DAY_AFTER_NARROW, facts._DAY_AFTER, p, min(b, p + 8))):
                got, want = ours.search(text, lo, hi), theirs.search(text, lo, hi)
                assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))
        for lang in ("en", "de", "it"):
            assert facts.name_facts(text, a, b, lang, True) == facts.name_facts(text, a, b, lang, False)
            assert facts.date_facts(text, a, b, lang, True) == facts.date_facts(text, a, b, lang, False)


_UNITS = st.sampled_from(["5", "24", "180", " ", "-", "\u00A0", "km", "enne", "months", "mesi", "litros", "Jahre", "ans",
                          "é", "\u0301", "x", "5km", "3 months", "cinque mesi", "24enne", ",", "."])


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_UNITS, min_size=1, max_size=12), lang=st.sampled_from(["en", "it", "es", "de", "fr"]))
def test_quantities_by_the_narrow_pattern_are_the_quantities(pieces, lang):
    text = "".join(pieces)
    if not is_narrow(text, 0, len(text)):
        return
    numbers = facts.amounts_facts(text, [(0, len(text))], lang)[0]
    assert facts.quantity_facts(text, numbers, len(text), True) == facts.quantity_facts(text, numbers, len(text), False)


class _Refused:
    """A pattern that must not be asked."""

    def finditer(self, *args: object) -> None:
        raise AssertionError("the regex pattern was asked for a narrow passage")

    match = search = finditer


def test_a_narrow_passage_is_read_by_the_stdlib_patterns_and_a_wide_one_by_the_regex_ones(monkeypatch):
    """The short way is taken (not only equal when taken): with the ``regex`` patterns refused, the facts
    of a narrow passage are found; a passage of Arabic still asks them."""
    import pytest

    latin = "1. The council approved plan 1 for the Nord17 district on 5 May, costing €262,120 (5 km)."
    want = facts.passages_facts(latin, [(0, len(latin))], "en")
    for name in ("_FACT_WORD", "_LATIN_WORD", "_LETTERS", "_DAY_BEFORE", "_DAY_AFTER"):
        monkeypatch.setattr(facts, name, _Refused())
    monkeypatch.setattr(facts, "calendar_pattern", lambda: _Refused())
    assert facts.passages_facts(latin, [(0, len(latin))], "en") == want
    arabic = "وافق المجلس على الخطة في 5 مايو"
    with pytest.raises(AssertionError, match="regex pattern was asked"):
        facts.passages_facts(arabic, [(0, len(arabic))], "ar")


def test_calendar_names_that_make_no_narrow_trie_are_read_by_the_regex_pattern(monkeypatch):
    """Two names branching on one letter ignoring case make no trie: the narrow calendar pattern is then
    None, and a narrow passage's dates are read by ``calendar_pattern`` (as its plain list), not a crash."""
    import reader.align.lexicon as lexicon

    text = "On 14 May, Monday, the plan was approved; il 19 maggio."
    want = facts.date_facts(text, 0, len(text), "en", False)
    calendar_pattern_narrow.cache_clear()
    monkeypatch.setattr(lexicon, "_trie", lambda words, letter=None: None)
    try:
        assert calendar_pattern_narrow() is None
        assert facts.date_facts(text, 0, len(text), "en", True) == want
        assert {f.kind for f in want} >= {"date", "weekday"}
    finally:
        calendar_pattern_narrow.cache_clear()
