"""Moving a gold span's edges by a word (the adjudication screen's [ ] { } keys), without an app."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.teams.adjudication import EDGES, move_edge
from reader.text import snap_span

TEXT = "He said: the big dog barked. Then"


@pytest.mark.parametrize(
    ("edge", "expected"),
    [
        ("start-", "said: the big dog barked"),
        ("start+", "big dog barked"),
        ("end-", "the big dog"),
        ("end+", "the big dog barked. Then"),
    ],
)
def test_each_edge_moves_by_one_word(edge, expected):
    start, end = TEXT.index("the"), TEXT.index("barked") + len("barked")
    moved = move_edge(TEXT, start, end, edge)
    assert moved is not None and TEXT[moved[0]:moved[1]] == expected


def test_an_edge_that_cannot_move_says_so():
    assert move_edge(TEXT, 0, 2, "start-") is None  # at the start of the text
    assert move_edge(TEXT, 0, 2, "end-") is None  # one word: it would become empty
    assert move_edge(TEXT, 0, 2, "start+") is None
    assert move_edge(TEXT, len(TEXT) - 4, len(TEXT), "end+") is None  # at the end of the text
    with pytest.raises(ValueError):
        move_edge(TEXT, 0, 2, "sideways")


def test_arabic_with_marks_and_emoji_keep_grapheme_edges():
    text = "قال الرئيسُ إنّ الراتبَ 👩‍💻 مرتفعٌ جداً"
    start = text.index("الراتبَ")
    end = start + len("الراتبَ")
    grown = move_edge(text, start, end, "end+")
    assert grown is not None and text[grown[0]:grown[1]] == "الراتبَ 👩‍💻 مرتفعٌ"
    earlier = move_edge(text, start, end, "start-")
    assert earlier is not None and text[earlier[0]:earlier[1]] == "إنّ الراتبَ"


WORDS = st.lists(st.sampled_from(["salary", "€", "3,000", "al", "mese", "👩‍💻", "e\u0301t\u00e9", "راتبٌ", ",", "\n"]),
                 min_size=1, max_size=12)


@given(WORDS, st.data())
def test_moved_spans_stay_valid(words, data):
    text = " ".join(words)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(0, len(text)))
    start, end = snap_span(text, min(a, b), max(a, b))
    if start == end:
        return
    for edge in EDGES:
        moved = move_edge(text, start, end, edge)
        if moved is None:
            continue
        s, e = moved
        assert 0 <= s < e <= len(text)
        assert snap_span(text, s, e) == (s, e)  # grapheme boundaries
        if edge.startswith("start"):
            assert e == end and (s < start if edge == "start-" else s > start)
        else:
            assert s == start and (e < end if edge == "end-" else e > end)
