"""reader.lang.bidi: the visual order of right-to-left rows (python-bidi)."""
from __future__ import annotations

from bidi import get_display
from hypothesis import given
from hypothesis import strategies as st

from reader.lang.bidi import visual_clusters


def visual(row: str, rtl: bool = True) -> str:
    return "".join(row[s:e] for s, e in visual_clusters(row, rtl))


def test_arabic_reads_right_to_left_and_latin_and_numbers_keep_their_order():
    row = "براتب 900 ألف دولار من Netflix"
    v = visual(row)
    assert v.startswith("Netflix")  # the last logical word is drawn leftmost
    assert "900" in v and "Netflix" in v  # numbers and Latin words are not reversed
    assert v.endswith("براتب"[::-1])  # the first Arabic word is drawn rightmost, its letters right to left


def test_agrees_with_the_library_display_for_plain_rows():
    for row in ("نشرت منصة “نتفليكس” إعلاناً عن وظيفة", "بين 300 و900 ألف دولار سنوياً", "مجلة The Intercept البريطانية"):
        # python-bidi mirrors brackets and quotes as well; compare letters and digits only
        assert [c for c in visual(row) if c.isalnum()] == [c for c in get_display(row, base_dir="R") if c.isalnum()]


def test_combining_marks_stay_with_their_letter():
    row = "إنَّ الشركة"
    for s, e in visual_clusters(row):
        assert e - s >= 1
    assert "نَّ" in visual(row)


@given(st.text(st.sampled_from("ab 12ابت،.()َ\u200f"), max_size=40), st.booleans())
def test_every_cluster_is_drawn_once(row, rtl):
    order = visual_clusters(row, rtl)
    assert sorted(order) == sorted(set(order))
    assert "".join(row[s:e] for s, e in sorted(order)) == row
