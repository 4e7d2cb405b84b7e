"""Canonical text, grapheme snapping, word/sentence/paragraph bounds, inert display."""
import codecs

import pytest
import regex
from hypothesis import given, settings, strategies as st

from reader.errors import NotTextError
from reader.text import (
    decode,
    grapheme_bounds,
    inert,
    next_grapheme,
    next_word,
    one_line,
    paragraph_bounds,
    prev_grapheme,
    prev_word,
    sentence_bounds,
    snap_span,
    snap_to_words,
    word_bounds,
)

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"
FLAG_IT = "\U0001F1EE\U0001F1F9"
THUMB = "\U0001F44D\U0001F3FD"
HEART_VS16 = "\u2764\ufe0f"
E_ACUTE = "e\u0301"
ARABIC = "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f"  # with harakat


def boundaries(text: str) -> set[int]:
    out = {0}
    for m in regex.finditer(r"\X", text):
        out.add(m.end())
    return out


def test_decode_utf8_bom_and_newlines():
    text, enc = decode(codecs.BOM_UTF8 + b"a\r\nb\rc\nd")
    assert text == "a\nb\nc\nd"
    assert enc == "utf-8-sig"


def test_decode_utf16_with_bom():
    raw = codecs.BOM_UTF16_LE + "caf\u00e9\r\n\U0001F600".encode("utf-16-le")
    assert decode(raw) == ("caf\u00e9\n\U0001F600", "utf-16")


def test_decode_keeps_other_separators_as_characters():
    raw = "a\u2028b\u2029c\x0cd\x0be\x1cf\x85g".encode()
    text, _ = decode(raw)
    assert text == "a\u2028b\u2029c\x0cd\x0be\x1cf\x85g"


def test_decode_rejects_nul_with_offset():
    with pytest.raises(NotTextError, match="NUL byte at offset 3") as err:
        decode(b"abc\x00def", "bin.txt")
    assert err.value.path == "bin.txt"


def test_decode_reports_bad_byte_position():
    with pytest.raises(NotTextError, match=r"byte 0xff at offset 6 \(line 2, column 3\)"):
        decode(b"abc\nde\xffgh", "one-bad.txt")


def test_decode_names_latin1():
    with pytest.raises(NotTextError, match="Latin-1/Windows-1252"):
        decode("d\u00e9j\u00e0 vu, na\u00efve".encode("cp1252"), "latin.txt")


@pytest.mark.parametrize("cluster", [FAMILY, FLAG_IT, THUMB, HEART_VS16, E_ACUTE, "\u0651\u064e"[0:0] + ARABIC[0:2]])
def test_snap_never_splits_a_cluster(cluster):
    text = "ab " + cluster + " cd"
    start = 3
    for inner in range(start + 1, start + len(cluster)):
        s, e = snap_span(text, inner, inner)
        assert (s, e) == (start, start + len(cluster)) or (s, e) == (start, start) or s == e == start + len(cluster)
        s, e = snap_span(text, 0, inner)
        assert e == start + len(cluster)
        s, e = snap_span(text, inner, len(text))
        assert s == start


def test_grapheme_steps_over_family_emoji():
    text = "x" + FAMILY + "y"
    assert next_grapheme(text, 1) == 1 + len(FAMILY)
    assert prev_grapheme(text, 1 + len(FAMILY)) == 1
    assert grapheme_bounds(text, 3) == (1, 1 + len(FAMILY))


unicode_text = st.lists(
    st.one_of(
        st.sampled_from([FAMILY, FLAG_IT, THUMB, HEART_VS16, E_ACUTE, ARABIC, "\u4e2d\u6587", "\t", "\n", " ", "\u200f", "\u200e"]),
        st.text(min_size=0, max_size=5),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(unicode_text, st.data())
def test_snap_span_lands_on_boundaries(text, data):
    n = len(text)
    a = data.draw(st.integers(0, n))
    b = data.draw(st.integers(0, n))
    s, e = snap_span(text, a, b)
    bounds = boundaries(text)
    assert s in bounds and e in bounds
    assert s <= min(a, b) and e >= max(a, b)
    assert text[s:e] == text[s:e]  # slicing by code points is the canonical offset


@settings(max_examples=200, deadline=None)
@given(unicode_text)
def test_next_prev_grapheme_walk_matches_regex(text):
    bounds = sorted(boundaries(text))
    walked = [0]
    i = 0
    while i < len(text):
        i = next_grapheme(text, i)
        walked.append(i)
    assert walked == bounds if text else walked == [0]


def test_word_and_sentence_bounds():
    text = "Netflix amplia l\u2019uso dell\u2019intelligenza. Where will we end up? Fine."
    i = text.index("uso")
    assert text[slice(*word_bounds(text, i))] == "l\u2019uso"
    assert text[slice(*sentence_bounds(text, text.index("will")))] == "Where will we end up?"
    assert text[slice(*sentence_bounds(text, 2))] == "Netflix amplia l\u2019uso dell\u2019intelligenza."
    assert next_word(text, 0) == text.index("amplia")
    assert prev_word(text, text.index("amplia")) == 0


def test_snap_to_words_grows_partial_words():
    text = "the salary range"
    s, e = snap_to_words(text, 6, 9)
    assert text[s:e] == "salary"


def test_paragraph_bounds():
    text = "First para\nline two.\n\nSecond para.\n\n\nThird"
    assert text[slice(*paragraph_bounds(text, 3))] == "First para\nline two."
    assert text[slice(*paragraph_bounds(text, text.index("Second") + 2))] == "Second para."
    assert text[slice(*paragraph_bounds(text, len(text)))] == "Third"


def test_inert_replaces_controls_one_to_one():
    hostile = "a\x1b[2J\x1b]52;c;SGVsbG8=\x07b\x9bc\u2028d\x85\x7f"
    out = inert(hostile)
    assert len(out) == len(hostile)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in out)
    assert "\u241b" in out  # visible ESC symbol


def test_inert_keeps_tabs_when_asked():
    assert inert("a\tb", keep_tabs=True) == "a\tb"
    assert inert("a\tb") == "a\u2409b"


def test_one_line_truncates():
    assert one_line("abc\ndef", 5) == "abc \u2026"
