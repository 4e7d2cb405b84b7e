"""The amount normaliser (reader.amounts): values, ranges, periods, offsets."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.amounts import find_amounts, number_words_value, parse_amount, parse_number

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


def val(lo, hi=None, cur=None, period=None):
    return {"min": lo, "max": lo if hi is None else hi, "currency": cur, "period": period}


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("300mila ai 900mila dollari l'anno", "it", val(300000, 900000, "USD", "year")),
        ("200 $ par jour", "fr", val(200, None, "USD", "day")),
        ("zwölf Euro", "de", val(12, None, "EUR")),
        ("zweitausendfünfhundert Euro brutto im Monat", "de", val(2500, None, "EUR", "month")),
        ("fünfundzwanzig Euro die Stunde", "de", val(25, None, "EUR", "hour")),
        ("trois cents euros", "fr", val(300, None, "EUR")),
        ("vingt et un euros", "fr", val(21, None, "EUR")),
        ("quatre-vingt-dix euros", "fr", val(90, None, "EUR")),
        ("veintidós mil euros al mes", "es", val(22000, None, "EUR", "month")),
        ("treinta y cinco euros la hora", "es", val(35, None, "EUR", "hour")),
        ("duemilacinquecento euro", "it", val(2500, None, "EUR")),
        ("ventuno euro", "it", val(21, None, "EUR")),
        ("mezzo milione", "it", val(500000)),
        ("two hundred and fifty dollars", "en", val(250, None, "USD")),
        ("300 و900 ألف دولار سنوياً", "ar", val(300000, 900000, "USD", "year")),
        ("٣٠٠٠ دولارا شهريا", "ar", val(3000, None, "USD", "month")),  # no tanween
        ("٣٠٠٠ دولاراً شهرياً", "ar", val(3000, None, "USD", "month")),
        ("١٢٬٥٠٠ ريال", "ar", val(12500, None, "SAR")),
        ("5 آلاف جنيه مصري", "ar", val(5000, None, "EGP")),
        ("3.000 o 4.000 euro", "it", val(3000, 4000, "EUR")),
        ("$5 or $10 an hour", "en", val(5, 10, "USD", "hour")),
        ("2.000 ou 2.500 euros", "fr", val(2000, 2500, "EUR")),
        ("3.000 oder 4.000 Euro", "de", val(3000, 4000, "EUR")),
        ("1.500 o 2.000 euros", "es", val(1500, 2000, "EUR")),
        ("500 أو 700 دولار", "ar", val(500, 700, "USD")),
        ("2,5 Mio. Euro", "de", val(2500000, None, "EUR")),
        ("3 Mrd. Euro", "de", val(3000000000, None, "EUR")),
        ("1,2 mdr d'euros", "fr", val(1200000000, None, "EUR")),
        ("5 mln di euro", "it", val(5000000, None, "EUR")),
        ("$100k", "en", val(100000, None, "USD")),
        ("€30k-€40k", None, val(30000, 40000, "EUR")),
        ("US$ 2 million", "en", val(2000000, None, "USD")),
        ("£45,000 a year", "en", val(45000, None, "GBP", "year")),
        ("€20/hour", "en", val(20, None, "EUR", "hour")),
        ("CHF 1'250.50", None, val(1250.5, None, "CHF")),
        (f"1{NNBSP}234,56{NBSP}€", "fr", val(1234.56, None, "EUR")),
        ("1.234,56 €", "de", val(1234.56, None, "EUR")),
        ("$1,234.56", "en", val(1234.56, None, "USD")),
        ("300 000 et 900 000 $", "fr", val(300000, 900000, "USD")),  # whole phrase: "et" joins
        ("50 milioni di dollari", "it", val(50000000, None, "USD")),
        ("medio millón de pesos", "es", val(500000)),  # a peso of which country? currency None
        ("200 a day", "en", val(200, None, None, "day")),
    ],
)
def test_parse_amount(text, lang, expected):
    assert parse_amount(text, lang) == expected
    assert parse_amount(text, None)["min"] == expected["min"]  # every table at once agrees on the value


@pytest.mark.parametrize("text", ["", "   ", "hello", "$5 and then $7 later", "12%"])
def test_unparseable_phrases_are_none(text):
    assert parse_amount(text, "en") is None


def test_period_cue_before_the_amount_is_data_not_span():
    text = "She has a monthly salary of $3,000 and a €500 bonus."
    (a, b) = find_amounts(text, "en")
    assert a.text == "$3,000" and a.period == "month"
    assert b.text == "€500"
    (c,) = find_amounts("راتب شهري قدره 10,000 ريال سعودي.", "ar")
    assert c.text == "10,000 ريال سعودي" and c.value == val(10000, None, "SAR", "month")
    (d,) = find_amounts("Der Stundenlohn liegt bei 14 Euro.", "de")
    assert d.period == "hour"


def test_the_period_is_outside_the_span_and_marked():
    text = "Sie verdient 3.500 € brutto im Monat."
    (a,) = find_amounts(text, "de")
    assert a.text == "3.500 €"
    assert text[a.end:a.period_end] == " brutto im Monat"


def test_ranges_are_one_span_and_between_words_outside():
    text = "Le salaire varie entre 300 000 et 900 000 $ selon le profil."
    (a,) = find_amounts(text, "fr")
    assert a.text == "300 000 et 900 000 $" and a.is_range
    (b,) = find_amounts("entre diez y doce euros", "es")
    assert b.value == val(10, 12, "EUR")
    (c,) = find_amounts("zwischen zehn und zwölf Euro", "de")
    assert c.value == val(10, 12, "EUR")
    # "and" without a between word joins nothing
    assert [x.text for x in find_amounts("It costs $5 and $10 later.", "en")] == ["$5", "$10"]


def test_descending_pair_is_two_amounts():
    assert [a.text for a in find_amounts("$900 to $300", "en")] == ["$900", "$300"]


def test_numbers_mode_finds_bare_numbers_and_percentages_never_money():
    text = "Il paese ha 1.234,56 abitanti nel 2023 e il 5% dice dodici cose."
    got = [(a.text, a.kind, a.min) for a in find_amounts(text, "it", numbers=True)]
    assert got == [("1.234,56", "number", 1234.56), ("2023", "number", 2023), ("5%", "percent", 5)]
    assert find_amounts(text, "it") == []
    assert parse_amount("38%", "en") is None  # a percentage is never an amount's value


@pytest.mark.parametrize("text, lang, span, value", [
    # issue 20.1: "a 38% premium" gave no number; "50,83%" read as 50
    ("paid a 38% premium for the shares", "en", "38%", 38),
    ("ein Aufschlag von 38 Prozent", "de", "38 Prozent", 38),
    ("con il 50,83% dei voti", "it", "50,83%", 50.83),
    ("con il 50,84% dei voti", "it", "50,84%", 50.84),
    ("won 50.9 percent of the vote", "en", "50.9 percent", 50.9),
    ("il 50,83 per cento dei voti", "it", "50,83 per cento", 50.83),
    ("à 4,5 % contre 4,25 %", "fr", "4,5 %", 4.5),
    ("إلى 4.5 في المئة", "ar", "4.5 في المئة", 4.5),
    ("ارتفع إلى ٦٫٧٪ في مايو", "ar", "٦٫٧٪", 6.7),
    ("um 0,25 Prozentpunkte", "de", "0,25 Prozentpunkte", 0.25),
    ("subió un 3,2 por ciento", "es", "3,2 por ciento", 3.2),
    ("caiu 12 por cento", "pt", "12 por cento", 12),
])
def test_percentages_parse_with_their_decimals(text, lang, span, value):
    got = [a for a in find_amounts(text, lang, numbers=True) if a.kind == "percent"]
    assert [(a.text, a.min, a.max) for a in got][:1] == [(span, value, value)]
    assert text[got[0].start:got[0].end] == span


def test_number_words_value():
    assert number_words_value("zweihundertfünfzig", "de") == 250
    assert number_words_value("mil millones", "es") == 1e9
    assert number_words_value("deux mille cinq cents", "fr") == 2500
    assert number_words_value("not a number", "en") is None


# --- properties -----------------------------------------------------------------

def _group(n: int, sep: str) -> str:
    s = f"{n:,}"
    return s.replace(",", sep)


_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@given(
    n=st.integers(min_value=1000, max_value=999_999_999),
    style=st.sampled_from(["en", "de", "fr_sp", "fr_nbsp", "fr_nnbsp", "ch", "plain", "arabic"]),
    cur=st.sampled_from([("$", "", "USD"), ("€", "", "EUR"), ("", " €", "EUR"), ("", " euro", "EUR"),
                         ("", " dollars", "USD"), ("USD ", "", "USD"), ("", " دولار", "USD")]),
)
def test_every_locale_grouping_parses(n, style, cur):
    body = {
        "en": _group(n, ","), "de": _group(n, "."), "fr_sp": _group(n, " "), "fr_nbsp": _group(n, NBSP),
        "fr_nnbsp": _group(n, NNBSP), "ch": _group(n, "'"), "plain": str(n),
        "arabic": _group(n, "\u066c").translate(_ARABIC),
    }[style]
    pre, post, iso = cur
    text = f"{pre}{body}{post}"
    assert parse_number(body) == n
    assert parse_amount(text) == val(n, None, iso)


@given(
    lo=st.integers(min_value=1, max_value=999), step=st.integers(min_value=0, max_value=500),
    scale=st.sampled_from([("mila", 1000, "it"), (" Mio.", 1_000_000, "de"), (" millions", 1_000_000, "fr"),
                           ("k", 1000, "en"), (" ألف", 1000, "ar"), (" mil", 1000, "es")]),
    conn=st.sampled_from(["-", "–", " to ", " or ", " o ", " ou ", " oder ", " أو ", " a ", " bis ", " إلى "]),
)
def test_ranges_with_a_shared_scale(lo, step, scale, conn):
    word, factor, lang = scale
    hi = lo + step
    text = f"{lo}{conn}{hi}{word} €"
    got = parse_amount(text, None)
    assert got == val(lo * factor, hi * factor, "EUR")


@given(st.lists(st.sampled_from(
    list("0123456789 ,.$€£%-–kKM\n'’٣٬a") + ["mila", " dollari", " ألف", " دولار", NBSP, NNBSP, " par an",
                                              " a year", " between ", " entre ", " et ", " o ", " or ",
                                              "zwölf", " Euro", "vingt", " et un", " mil", "Mio.", "سنوياً"]),
    max_size=40).map("".join))
def test_offsets_always_index_the_text(text):
    for lang in (None, "it", "en", "fr", "ar", "es", "de"):
        prev_end = -1
        for a in find_amounts(text, lang, numbers=True):
            assert 0 <= a.start < a.end <= len(text)
            assert text[a.start:a.end] == a.text
            assert a.start >= prev_end
            assert a.min is None or a.max is None or a.min <= a.max
            assert a.period in (None, "hour", "day", "week", "month", "year")
            if a.period_end is not None:
                assert a.end <= a.period_end <= len(text)
            prev_end = a.end


def test_format_value_for_the_side_panel():
    from reader.tui.values import format_value

    assert format_value(parse_amount("300mila ai 900mila dollari l'anno", "it")) == "300,000–900,000 USD / year"
    assert format_value(parse_amount("12,50 € all'ora", "it")) == "12.50 EUR / hour"
    assert format_value(parse_amount("mezzo milione", "it")) == "500,000"
    assert format_value(None) == "" and format_value({"min": "x"}) == ""
