"""Quote recogniser: sentences written for these tests (not the seeds)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.suggest.quote import find


def spans(text: str, **kw) -> list[str]:
    out = find(text, **kw)
    for s in out:
        assert text[s.start:s.end] == s.text
        assert s.label == "quote"
    return [s.text for s in out]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("She said “we will not sign” and left.", ["“we will not sign”"]),
        ('He said "we will not sign" and left.', ['"we will not sign"']),
        ("Il a dit « nous ne signerons pas » hier.", ["« nous ne signerons pas »"]),
        ("Il a dit «nous ne signerons pas» hier.", ["«nous ne signerons pas»"]),
        ("Er sagte „wir unterschreiben nicht“ gestern.", ["„wir unterschreiben nicht“"]),
        ("Er sagte „wir unterschreiben nicht” gestern.", ["„wir unterschreiben nicht”"]),
        ("Er sagte »wir unterschreiben nicht« gestern.", ["»wir unterschreiben nicht«"]),
        ("Il dit ‹ pas question › encore.", ["‹ pas question ›"]),
        ("She wrote ‘not today, thanks’ in the margin.", ["‘not today, thanks’"]),
        ("قال المتحدث “لن نوقع على الاتفاق” أمس.", ["“لن نوقع على الاتفاق”"]),
        ("وقال «لن نوقع على الاتفاق» أمس.", ["«لن نوقع على الاتفاق»"]),
        ("Ha detto “non firmeremo“, poi è uscito.", ["“non firmeremo“"]),  # closed with U+201C
    ],
)
def test_quote_styles(text, expected):
    assert spans(text) == expected


def test_marks_are_included_and_trailing_punctuation_is_not():
    text = "He said: “It is over.” Then he left."
    (s,) = find(text)
    assert s.text == "“It is over.”"
    assert text[s.end] == " "


def test_two_quotes_in_a_sentence():
    text = "“Yes,” she said, “of course we will.”"
    assert spans(text, min_words=1) == ["“Yes,”", "“of course we will.”"]
    assert spans(text) == ["“of course we will.”"]  # one-word quotes are skipped by default


@pytest.mark.parametrize(
    "text",
    [
        "Netflix amplia l’uso dell’intelligenza artificiale e l’obiettivo è chiaro.",
        "We’ll see, and let’s hope we’re not wrong about Netflix’s plans.",
        "Un job dans l'IA: l'entreprise s’engage et c'est l’heure.",
        "The students’ books and the actors’ union.",
        "Rock ’n’ roll in the ’90s, said O’Brien.",
        "He is 5'10\" tall and the board is 2' wide.",
        "Don't, can't, won't, it's l'IA.",
    ],
)
def test_apostrophes_are_not_quotes(text):
    assert spans(text, min_words=1) == []


def test_apostrophes_inside_a_quote_are_kept():
    text = "Lei ha detto “l’uso dell’intelligenza artificiale non va” e basta."
    assert spans(text) == ["“l’uso dell’intelligenza artificiale non va”"]
    text = 'Il a dit "l\'IA s\'engage pour nous" hier.'
    assert spans(text) == ['"l\'IA s\'engage pour nous"']


def test_single_quotes_around_a_possessive():
    text = "He called it ‘the actors’ last stand’ yesterday."
    assert spans(text) == ["‘the actors’ last stand’"]
    # a possessive with no later closing quote closes the quote, as usual
    assert spans("He called it ‘the best of the actors’ and left.") == ["‘the best of the actors’"]


def test_across_line_breaks_within_a_paragraph():
    text = "He said “we will\nnot sign this\ncontract” and left."
    assert spans(text) == ["“we will\nnot sign this\ncontract”"]


def test_not_across_blank_lines():
    text = "He said “we will not sign\n\nthis contract” and left."
    assert spans(text) == []
    text = "He said “we will not sign\n   \nthis contract” and left."
    assert spans(text) == []


def test_unbalanced_quote_does_not_run_away():
    text = "He said “we will not sign and left.\n\nLater “the union agreed” to talk.\n\nEnd “of story."
    assert spans(text) == ["“the union agreed”"]


def test_unclosed_opener_before_a_complete_quote_in_the_same_paragraph():
    text = "A stray “ mark here. Then she said “we are done” and left."
    assert spans(text) == ["“we are done”"]
    text = "A stray “mark here. Then she said “we are done” and left."
    assert spans(text) == ["“we are done”"]


def test_unclosed_straight_quote():
    text = 'He said "we will not sign and left. Nothing else happened.'
    assert spans(text) == []


def test_nested_quotes_outer_only_by_default():
    text = "She said “he told me ‘never again’ last night” and cried."
    assert spans(text) == ["“he told me ‘never again’ last night”"]
    assert spans(text, nested=True) == ["“he told me ‘never again’ last night”", "‘never again’"]


def test_nested_guillemets_and_double_quotes():
    text = "Il a dit « elle a répondu “jamais de la vie” hier » puis rien."
    assert spans(text) == ["« elle a répondu “jamais de la vie” hier »"]
    assert spans(text, nested=True)[1] == "“jamais de la vie”"


def test_nested_same_mark_straight_quotes_are_not_nested():
    # straight quotes cannot nest: the second mark closes the first
    text = 'He said "first part" and "second part" today.'
    assert spans(text) == ['"first part"', '"second part"']


def test_scare_quotes_of_one_word_are_skipped_by_default():
    text = "La piattaforma “Netflix” ha pubblicato l'annuncio."
    assert spans(text) == []
    assert spans(text, min_words=1) == ["“Netflix”"]


def test_empty_and_punctuation_only_quotes_are_skipped():
    assert spans("He said “” and “...” then left.", min_words=1) == []


def test_lang_is_accepted_and_does_not_change_marks():
    text = "Il a dit « nous ne signerons pas » hier."
    assert spans(text) == [s.text for s in find(text, lang="fr")] == [s.text for s in find(text, lang="en")]


def test_rule_names_the_marks():
    (s,) = find("He said “we will not sign” and left.")
    assert s.rule == "quote:“”"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab “”„«»‹›\"'‘’‚.,\n") + ["\n\n", "l’", "we’ll", " said "]), max_size=50).map("".join))
def test_offsets_always_index_the_text_and_never_cross_blank_lines(text):
    prev_end = -1
    for s in find(text, nested=False, min_words=1):
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == s.text
        assert "\n\n" not in s.text
        assert s.start >= prev_end
        prev_end = s.end
    for s in find(text, nested=True, min_words=1):
        assert text[s.start:s.end] == s.text


def test_quote_glued_to_an_arabic_prefix():
    text = "ووصفها بـ“غير واقعية” أمس"
    assert spans(text) == ["“غير واقعية”"]


def test_quote_glued_to_punctuation_and_letters():
    text = "She said,“we are done,”and left."
    assert spans(text) == ["“we are done,”"]


def test_paragraph_that_reopens_a_quote_without_closing_it():
    # multi-paragraph quotes open each paragraph and close only the last: the
    # unclosed paragraphs are dropped, the last one is reported
    text = "“Para one is open.\n\n“Para two is here.”"
    assert spans(text) == ["“Para two is here.”"]


def test_guillemets_across_a_line_break_and_nested_chevrons():
    assert spans("«Texte sur\nplusieurs lignes»") == ["«Texte sur\nplusieurs lignes»"]
    text = "Il a dit : « Je l’ai vu ‹ partir vite › hier »"
    assert spans(text) == ["« Je l’ai vu ‹ partir vite › hier »"]
    assert spans(text, nested=True) == ["« Je l’ai vu ‹ partir vite › hier »", "‹ partir vite ›"]


def test_deep_nesting_is_bounded_but_complete_quotes_survive():
    text = "“a " * 40 + "“the real quote here”"
    assert spans(text) == ["“the real quote here”"]
