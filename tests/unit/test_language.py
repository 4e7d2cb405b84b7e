"""reader.lang.language: deterministic document and paragraph languages on real text."""
from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.lang import language
from reader.lang.language import detect_language, paragraph_languages, sample_text, split_paragraphs
from reader.model import Paragraph
from reader.text import decode

from conftest import SEEDS


def seed_texts() -> list[tuple[str, str]]:
    return [(p.name, decode(p.read_bytes(), p)[0]) for p in sorted(SEEDS.glob("*.txt"))]


def test_seeds_document_languages_in_file_order():
    langs = [detect_language(text)[0] for _, text in seed_texts()]
    assert langs == ["it", "en", "fr", "ar", "it"]


def test_seed_confidence_is_high_and_deterministic():
    for _, text in seed_texts():
        first = detect_language(text)
        assert first[1] > 0.99
        assert detect_language(text) == first


@pytest.mark.parametrize("text", ["", "   \n\t ", "12345 678", "!!! ??? ...", "https://example.com/1/2", "\x00\x01\x07\x1b[2;3", "😀👍🏽🇮🇹"])
def test_no_letters_is_unknown(text):
    assert detect_language(text) == ("unknown", 0.0)


def test_letters_that_langdetect_rejects_never_raise():
    # all-caps words are skipped by langdetect ("No features in text")
    lang, conf = detect_language("NASA ESA")
    assert isinstance(lang, str) and 0.0 <= conf <= 1.0


def test_seed_paragraphs_never_ro_ca_af_and_match_document():
    for name, text in seed_texts():
        doc_lang, conf = detect_language(text)
        paras = paragraph_languages(text, doc_lang, conf)
        assert paras, name
        for p in paras:
            assert isinstance(p, Paragraph)
            assert p.lang not in {"ro", "ca", "af"}, (name, text[p.start:p.end])
            assert p.lang == doc_lang, (name, text[p.start:p.end])


def test_known_short_lines_inherit_document_language():
    texts = dict(seed_texts())
    en = texts["001_228d26dd8dd40e62.txt"]
    paras = {en[p.start:p.end]: p.lang for p in paragraph_languages(en, "en", 0.99)}
    assert paras["Where will we end up?"] == "en"
    assert paras["Netflix hires AI experts"] == "en"  # langdetect alone says ca
    assert paras["And let’s hope we’re not wrong."] == "en"  # langdetect alone says af
    it4 = texts["004_d4ef5430cbf9b3bd.txt"]
    first = paragraph_languages(it4, "it", 0.99)[0]
    assert it4[first.start:first.end].startswith("fbpx")
    assert first.lang == "it"


def test_raw_detector_really_gets_short_lines_wrong():
    # the reason for the inheritance rule: check it still holds
    assert language._probabilities("Netflix hires AI experts", 2000)[0][0] != "en"


def test_paragraph_offsets_index_the_text():
    text = "  First paragraph here.\n\n\n  Second one\r\n\n\t\nThird\u2028still third\n"
    text = text.replace("\r\n", "\n")
    bounds = split_paragraphs(text)
    assert [text[s:e] for s, e in bounds] == ["First paragraph here.", "Second one", "Third\u2028still third"]
    paras = paragraph_languages(text, "en", 0.9)
    assert [(p.start, p.end) for p in paras] == bounds
    assert all(p.lang == "en" and p.confidence == 0.9 for p in paras)


def test_other_script_paragraph_is_detected_even_when_short():
    en = (
        "The streaming company said on Tuesday that it would hire a product manager for machine "
        "learning, paying up to nine hundred thousand dollars a year, during the strike.\n\n"
        "نتفليكس تقتحم الذكاء الاصطناعي\n\n"
        "Where will we end up?"
    )
    paras = paragraph_languages(en, "en", 0.99)
    assert [p.lang for p in paras] == ["en", "ar", "en"]


def test_long_paragraph_in_another_latin_language_is_detected():
    text = (
        "The streaming company said on Tuesday that it would hire a product manager for machine "
        "learning, paying up to nine hundred thousand dollars a year, during the strike.\n\n"
        "Face à la grève des acteurs et scénaristes, Netflix propose un emploi dans l'intelligence "
        "artificielle, payé jusqu'à neuf cent mille dollars par an, ce qui choque beaucoup de monde."
    )
    assert [p.lang for p in paragraph_languages(text, "en", 0.99)] == ["en", "fr"]


def test_no_letter_paragraphs_inherit():
    paras = paragraph_languages("Bonjour à tous, voici le texte.\n\n***\n\n2023-07-01", "fr", 0.8)
    assert [p.lang for p in paras] == ["fr", "fr", "fr"]


def test_empty_and_unknown():
    assert paragraph_languages("", "unknown") == []
    assert paragraph_languages("\n\n  \n", "unknown") == []
    paras = paragraph_languages("123\n\n456", "unknown")
    assert [p.lang for p in paras] == ["unknown", "unknown"]
    assert all(p.confidence == 0.0 for p in paras)


def test_long_text_is_sampled_and_cheap():
    texts = dict(seed_texts())
    big = (texts["002_26ccd676af571225.txt"] + "\n\n") * 2000  # ~5 MB
    sample = sample_text(big)
    assert len(sample) <= language.SAMPLE_CHARS + language.SAMPLE_CHUNKS
    assert detect_language(big)[0] == "fr"


def test_paragraph_count_is_bounded():
    text = "\n\n".join(["Un paragraphe court."] * (language.MAX_PARAGRAPHS + 50))
    paras = paragraph_languages(text, "fr", 0.9)
    assert len(paras) == language.MAX_PARAGRAPHS


def test_languages_list():
    langs = language.languages()
    assert {"it", "en", "fr", "ar", "unknown"} <= set(langs)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_any_text(text):
    lang, conf = detect_language(text)
    assert isinstance(lang, str) and lang
    assert 0.0 <= conf <= 1.0
    if not any(ch.isalpha() for ch in text):
        assert lang == "unknown"
    paras = paragraph_languages(text, lang, conf)
    for p in paras:
        assert 0 <= p.start < p.end <= len(text)
        assert not text[p.start].isspace() and not text[p.end - 1].isspace()


def test_letters_outside_the_sample_are_still_found():
    text = "1234567890 " * 20_000 + "Questo è un paragrafo scritto in italiano per la prova. " * 3 + "0 " * 50_000
    assert detect_language(text)[0] == "it"
