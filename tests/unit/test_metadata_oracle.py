"""reader.corpus.metadata uses `re` and str/unicodedata tests instead of the `regex` module (so the
first screen does not import `regex`): every title and date must be what the `regex` rules gave.

The oracle is the module as it was (tests/metadata_regex_oracle.py). The characters drawn are assigned
in Unicode 14 (Python 3.11's unicodedata); the `regex` module knows later versions, where the two may
legitimately differ on characters assigned since.
"""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

import metadata_regex_oracle as oracle
from reader.corpus import metadata

LOWER = ["netflix", "cerca", "persone", "specializzate", "la", "piattaforma", "amplia", "l’uso", "dell’ia", "été",
         "straße", "ölçek", "σημερα", "москва", "ǆemal", "a1b", "x", "de"]
UPPER = ["Netflix", "Amazon", "Roma", "Σήμερα", "Москва", "Ǆemal", "İstanbul", "Éric", "A", "AI", "Netflix,", "Roma."]
OTHER = ["تطلق", "نتفليكس", "東京", "900.000", "2023-07", "date", "Date:", "DATE=", "#", "##", "—", "-", "–", ",", ";",
         ":", ".", "!", "?", "。", "؟", "…", "»", "”", "http://x.org/a", "WWW.Example.com", "fbpx", "Advertisement",
         "e\u0301", "\u0663\u0664", "\u00b2", "Ⅻ", "\x1c", "\x1f", "\t", "\u00a0", "\u2003", "---", "title:", "date:"]
WORD = st.sampled_from(LOWER + UPPER + OTHER)
SEP = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", "\x1c", " , ", ": "])


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Lines of words, often a headline that runs into a lede repeating its subject."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 60))):
        parts.append(draw(WORD))
        parts.append(draw(SEP))
    text = "".join(parts)
    if draw(st.booleans()):
        subject = draw(st.sampled_from(UPPER))
        text = f"{subject} {text} {subject} sta cercando, {text}"
    if draw(st.booleans()):
        text = draw(st.sampled_from(["date 2023-07 ", " Date: 2024-01-31\n", "---\ntitle: A title here\ndate: 2022-02-02\n---\n", "# "])) + text
    return text


@settings(max_examples=600, deadline=None)
@given(documents())
def test_titles_and_dates_are_what_the_regex_rules_gave(text: str) -> None:
    assert metadata.derive_metadata(text) == oracle.derive_metadata(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(WORD, min_size=3, max_size=80), st.integers(20, 200))
def test_the_run_in_seam_is_found_where_the_regex_found_it(words: list[str], limit: int) -> None:
    line = " ".join(words)
    assert metadata._run_in_headline(line, limit) == oracle._run_in_headline(line, limit)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=0x2FFF, exclude_categories=("Cn", "Cs")), max_size=300))
def test_any_text_in_the_common_planes(text: str) -> None:
    assert metadata.derive_metadata(text) == oracle.derive_metadata(text)


def test_the_seeds_titles_are_unchanged() -> None:
    from pathlib import Path

    from reader.text import decode

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    for path in sorted(seeds.glob("*.txt")):
        text, _ = decode(path.read_bytes(), path)
        assert metadata.derive_metadata(text) == oracle.derive_metadata(text), path.name
