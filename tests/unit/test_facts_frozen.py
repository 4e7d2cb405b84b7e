"""Issue 19 item 9: fact extraction was made faster without changing any fact.

``tests/data/facts_frozen/facts.json.gz`` holds the facts (and amounts) that ``reader.align``
extracted *before* the speed-up, for varied text: the seeds, the held-out alignment stories,
the money, learning and annotator sets, the bench's generated paragraphs and scrambled text,
each in its language and with none (``tests/data/facts_frozen/build.py``). Every passage must
give exactly the same facts, in the same order, with the same offsets and groups.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1] / "data" / "facts_frozen"


def _build():
    spec = importlib.util.spec_from_file_location("facts_frozen_build", HERE / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _build()
INPUTS = BUILD.inputs()


@pytest.fixture(scope="module")
def frozen():
    with gzip.open(HERE / "facts.json.gz", "rt", encoding="utf-8") as fh:
        return json.load(fh)


def test_the_frozen_inputs_are_all_there(frozen):
    assert sorted(frozen) == sorted(name for name, _, _ in INPUTS)
    assert sum(len(v["passages"]) for v in frozen.values()) > 3000


@pytest.mark.parametrize("case", range(len(INPUTS)), ids=[name for name, _, _ in INPUTS])
def test_same_facts_as_before(frozen, case):
    name, text, lang = INPUTS[case]
    got = json.loads(json.dumps(BUILD.extract(text, lang), ensure_ascii=False))
    want = frozen[name]
    assert got["passages"] == want["passages"]
    for what in ("raw", "kept", "numbers"):
        for i, (g, w) in enumerate(zip(got[what], want[what], strict=True)):
            assert g == w, f"{name}: passage {i} {text[got['passages'][i][0]:got['passages'][i][1]][:80]!r} ({what})"
    assert got["amounts"] == want["amounts"]


def test_the_calendar_trie_matches_as_the_list_of_names_did():
    """The month and weekday pattern is a trie; it finds what the longest-first list found:
    every name in every case, with a clitic, several spaces, glued to a longer word."""
    import regex

    from reader.align.lexicon import calendar, calendar_pattern

    months, days = calendar()
    names = sorted(set(months) | set(days), key=len, reverse=True)
    flat = "|".join(regex.escape(n).replace("\\ ", "[ \u00A0]+") for n in names)
    listed = regex.compile(r"(?<![\p{L}\p{M}])و?(?:" + flat + r")(?![\p{L}\p{M}])", regex.IGNORECASE)
    probes = [f"{n}, {n.upper()} {n.title()}x و{n} {n.replace(' ', '  ')}. {n[:-1]} {n}s {n}{n}" for n in names]
    for text in [t for _, t, _ in INPUTS] + probes:
        assert [(m.span(), m.group()) for m in calendar_pattern().finditer(text)] == \
            [(m.span(), m.group()) for m in listed.finditer(text)]


# --- the shortcuts, against the general code they stand for ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_GAPS = st.text(alphabet=" \u00A0\u202F\tab,\n", max_size=6)


@settings(max_examples=300, deadline=None)
@given(left=_GAPS, gap=_GAPS, right=_GAPS, a=st.integers(-12, 20), b=st.integers(0, 20))
def test_name_gap_is_the_pattern(left, gap, right, a, b):
    from reader.align.facts import _NAME_GAP, _is_name_gap

    text = left + gap + right
    assert _is_name_gap(text, a, b) == bool(_NAME_GAP.fullmatch(text, a, b))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=12))
def test_plain_digits_parse_as_the_separator_rules_do(raw):
    from reader.amounts.parser import _DIGITS, _GROUP_CHARS, parse_number

    s = _GROUP_CHARS.sub("", raw.translate(_DIGITS).strip())
    assert parse_number(raw) == float(s)  # the general path for a string without separators


def _parse_number_as_it_was(raw):
    P = parser_module()  # every character normalised, then the separator rules
    return P._separated_value(P._GROUP_CHARS.sub("", raw.translate(P._DIGITS).strip()).replace("\u066B", "."))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789,.' \t\n-+e_٣۴\u066b\u066c\u00a0’", max_size=14))
def test_numbers_parse_as_the_general_path_did(raw):
    assert parser_module().parse_number(raw) == _parse_number_as_it_was(raw)


def _period_before_as_it_was(text, start, c, window=45):
    lo = max(0, start - window)
    seg = text[lo:start]
    cut = None
    for cut in parser_module()._CLAUSE_END.finditer(seg):
        pass
    if cut is not None:
        seg = seg[cut.end():]
    best = None
    for m in c.cue.finditer(seg):
        best = c.cues.get(parser_module()._key(m.group()))
    return best


def _period_after_as_it_was(text, pos, c):
    P = parser_module()
    end, period, seen_q = pos, None, False
    while True:
        if period is None and (m := c.period.match(text, end)):
            period = c.periods.get(P._key(m.group("p") or m.group("p2")))
            end = m.end()
        elif period is None and (m := c.slash_period.match(text, end)):
            period = P._SLASH.get(m.group("p").lower())
            end = m.end()
        elif not seen_q and (m := c.qualifier.match(text, end)):
            end, seen_q = m.end(), True
        else:
            break
    return (end, period) if period is not None else None


def parser_module():
    from reader.amounts import parser

    return parser


_PERIOD_WORDS = st.sampled_from([" ", "\u00A0", "/", ".", ", ", "; ", "\n", "a year", "per month", "monthly",
                                 "all'anno", "al mese", "annuo", "mensile", "par an", "par mois", "brut",
                                 "gross", "lordi", "im Monat", "pro Jahr", "brutto", "al año", "mensual",
                                 "سنويا", "شهريا", "hour", "yr", "salary of", "€", "$", "5", "300"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PERIOD_WORDS, max_size=10), st.sampled_from(["en", "it", "fr", "de", "es", "ar", None]))
def test_period_shortcuts_change_nothing(pieces, lang):
    """A period is looked for after an amount only when a space or '/' follows it, and before
    it only when the window holds a cue: the same results as the full lookups."""
    P = parser_module()
    c = P._compiled_for(lang)
    text = "".join(pieces)
    for pos in range(len(text) + 1):
        assert P._period_after(text, pos, c) == _period_after_as_it_was(text, pos, c)
        assert P._period_before(text, pos, c) == _period_before_as_it_was(text, pos, c)


def test_the_collector_is_paused_only_while_facts_are_extracted():
    import gc
    import threading

    from reader.align.core import _document_facts

    text = "Netflix pays $300,000.\n\nIl 25 aprile Netflix paga 300mila euro."
    assert gc.isenabled()
    _document_facts(text, "en", "")
    assert gc.isenabled()
    gc.disable()
    try:
        _document_facts(text, "it", "")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
    threads = [threading.Thread(target=_document_facts, args=(text * 50, lang, "")) for lang in ("en", "it", "fr")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled()


_NAME_TEXT = st.lists(st.sampled_from(
    ["a", "of", "the", "plan", "costs", "council", "Netflix", "The", "THE", "May", "L'Odel", "dell'Eni", "l'ab",
     "e-mail", "ab-cd", "its", "I", "Deep", "Fake", "Love", "straß", "Straße", "café", "ǅemal", "naïve", "über",
     "den", "Plan", "im", "Jahr", "and", "und", "e", "o", "ميتا", "بريت", "تايلور", "Ωmega", " ", "  ", "\u00A0",
     ", ", ". ", "\n", "'", "’", "-", "3", "x3", "Nord3", "ab\u0301", "\u0301", "_", "«", "»"]),
    max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_NAME_TEXT, cut=st.tuples(st.integers(0, 12), st.integers(0, 12)),
       lang=st.sampled_from(["en", "it", "fr", "de", "es", "ar", None]))
def test_short_lower_case_words_are_skipped_as_the_general_code_would(text, cut, lang):
    """Names and words read only the words that can give a fact (no lower-case ASCII word
    shorter than MIN_WORD outside German): the same facts as reading every Latin word."""
    import pytest

    from reader.align import facts

    start, end = min(cut[0], len(text)), max(min(cut[0], len(text)), len(text) - cut[1])
    fast = facts.name_facts(text, start, end, lang)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(facts, "_FACT_WORD", facts._LATIN_WORD)  # every Latin word: the general code
        general = facts.name_facts(text, start, end, lang)
    assert fast == general


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \u00A0\tabcما\u202F", max_size=12))
def test_one_space_is_the_pattern(k):
    from reader.align.facts import _SPACES, _one_space

    assert _one_space(k) == _SPACES.sub(" ", k)


def test_no_other_script_outside_the_prefilter():
    """Every character the prefilter lets through (Latin, common punctuation, symbols) is of none
    of the scripts _OTHER_WORD starts with: checked on every code point it lets through."""
    import regex

    from reader.align.facts import _OTHER_SCRIPT_MAYBE

    other = regex.compile(r"[\p{Arabic}\p{Cyrillic}\p{Greek}\p{Hebrew}]")
    passed = [chr(c) for c in range(0x110000) if not _OTHER_SCRIPT_MAYBE.match(chr(c))]
    assert len(passed) > 3000  # Latin, its marks, punctuation, currency signs, arrows...
    assert not [ch for ch in passed if other.match(ch)]
    assert _OTHER_SCRIPT_MAYBE.match("€") is None and _OTHER_SCRIPT_MAYBE.match("“") is None
    assert all(_OTHER_SCRIPT_MAYBE.match(ch) for ch in "ميΩЖש\u2126")


_ANCHOR_TEXT = st.text(alphabet="0123456789٣۴٠abcUSDEURxyz $€£¥₹₽₺₪﷼\u00A0\u202F\u2009\n.,-ÄÉİ", max_size=30)


@settings(max_examples=400, deadline=None)
@given(_ANCHOR_TEXT, st.integers(0, 30))
def test_anchor_patterns_find_what_the_regex_module_found(text, p):
    """The anchors and the prefix lookup run on the stdlib engine (no Unicode property in them):
    the same matches and groups as the regex module's."""
    import regex

    from reader.amounts import parser as P

    anchor = regex.compile(rf"(?P<d>{P.D}+)|(?P<s>[$€£¥₹₽₺₪﷼])|(?P<iso>(?-i:[A-Z]{{3}}){P.SP})")
    prefix = regex.compile(r"[$€£¥₹₽₺₪﷼]|[A-Z]{3}")
    for lang in ("en", "it", None):
        c = P._compiled_for(lang)
        assert [(m.span(), m.lastgroup) for m in c.anchor.finditer(text)] == \
            [(m.span(), m.lastgroup) for m in anchor.finditer(text)]
    lo = max(0, p - 4)
    got, want = P._PREFIX_NEAR.search(text, lo, p), prefix.search(text, lo, p)
    assert (got and got.span()) == (want and want.span())
