"""The one amount normaliser: find amounts of money (and numbers) in text and
normalise them to ``{"min", "max", "currency", "period"}``.

Used by the salary recogniser, by hand-made salary annotations (their value),
and by parallel reading to link the same figure across languages.

```python
parse_amount("300mila ai 900mila dollari l'anno")
# {"min": 300000, "max": 900000, "currency": "USD", "period": "year"}
find_amounts(text, lang=None, numbers=False) -> list[Amount]   # offsets + values
```

What parses
-----------
* numbers in every locale's separators: ``300,000``, ``450.000``, ``1.234,56``,
  ``1,234.56``, ``300 000`` (normal, no-break, narrow no-break or thin
  space), ``1'250``, ``1,5``; Arabic-Indic and Extended Arabic-Indic digits
  with ``٬`` / ``٫`` (``١٢٬٥٠٠``);
* scale words, attached or spaced: ``300k``, ``$2bn``, ``5 mln``, ``3 Mio.``,
  ``2 Mrd.``, ``1,2 mdr``, ``300mila``, ``50 milioni``, ``2 million``,
  ``4 milliards``, ``900 ألف``, ``مليون``;
* number words of it, en, fr, es, de before a currency or a scale word
  (``zwölf Euro``, ``duemila euro``, ``trois cents euros``,
  ``veintidós mil euros``, ``mezzo milione``);
* currencies: symbols before or after (``$``, ``US$``, ``€``...), ISO codes,
  currency words in each language (Arabic with or without tanween/harakat);
* ranges as one amount: ``-``/``–``/``to``/``a``/``à``/``bis``/``إلى``,
  ``or``-words (``or``, ``o``, ``ou``, ``oder``, ``أو``), and ``and``-words
  after a *between* word (``between $1 and $2``, ``entre 300 000 et 900 000 $``);
  a scale or currency written once applies to both ends (``300 و900 ألف``);
* the period, as data: right after the amount (``a year``, ``al mese``,
  ``par jour``, ``سنوياً``, ``brutto im Monat``) or as a cue shortly before it
  (``monthly salary of``, ``Stundenlohn von``, ``راتب شهري``).

Span convention
---------------
``Amount.start/end`` cover the amount with its currency and scale words; a
range is one span; a leading *between/from* word, gross/net words and the
period are outside it (``Amount.period_end`` says where a trailing period
expression ends). ``text[a.start:a.end] == a.text`` always.

Domain core (the level of :mod:`reader.text`): the store, the formats, the
recognisers and parallel reading all use it, so it imports nothing of ``reader``.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypedDict, TypeVar

import regex

__all__ = [
    "PERIODS",
    "Amount",
    "AmountValue",
    "annotation_value",
    "base_lang",
    "check_value",
    "find_amounts",
    "number_words_value",
    "parse_amount",
    "parse_number",
]


class AmountValue(TypedDict):
    """The normalised value of an amount: ``{"min", "max", "currency", "period"}`` (JSON-ready).

    ``min``/``max`` are ints when whole (``300000``), else floats rounded to 2 places;
    ``currency`` is an ISO 4217 code or None; ``period`` one of :data:`PERIODS` or None.
    """

    min: int | float | None
    max: int | float | None
    currency: str | None
    period: str | None


#: A normalised value as an annotation keeps it (``Annotation.value``: a plain JSON
#: object); what :func:`parse_amount`, :func:`check_value` and :func:`annotation_value` return.
JSONValue = dict[str, Any]


def base_lang(lang: str | None) -> str | None:
    """'it-IT' / 'pt_BR' / 'IT' -> 'it'; None, '' and 'unknown' -> None."""
    if not lang:
        return None
    lang = lang.strip().lower().replace("_", "-").split("-")[0]
    return None if lang in ("", "unknown", "und") else lang


# --- word lists -----------------------------------------------------------------
# Word lists for amounts of money, per language (it, en, fr, ar, es, de, pt).
#
# Plain data, compiled below. Every table maps
# what is written to what it means (a currency word to its ISO 4217 code, a
# scale word to its factor, a period phrase to ``hour|day|week|month|year``).
# A currency whose country the word does not settle (``peso``, ``dinar``)
# maps to ``None``.

# symbols and codes usable in every language -----------------------------------

SYMBOLS: dict[str, str] = {
    "US$": "USD", "USD$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD",
    "HK$": "HKD", "R$": "BRL", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB",
    "₺": "TRY", "₪": "ILS", "﷼": "SAR",
}
ISO_CODES = (
    "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "INR", "AED", "SAR", "EGP", "QAR", "KWD", "MAD",
    "TND", "BRL", "MXN", "SEK", "NOK", "DKK", "PLN", "TRY", "RUB", "ARS", "CLP", "COP", "JOD", "LBP", "DZD",
)

# attached scale suffixes, written without a space: 300k, 5m, 2bn, 300mila, 3Mio
ATTACHED_SCALES: dict[str, float] = {
    "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "B": 1e9, "mld": 1e9,
    "Mio": 1e6, "Mrd": 1e9, "mila": 1e3, "Md": 1e9, "mds": 1e9, "Mds": 1e9, "mdr": 1e9,
}

# number words: morphemes a (possibly glued) number word is made of.
# kind: "unit" adds, "hundred" multiplies the current group, "scale" closes it.
Morphemes = dict[str, tuple[float, str]]


def _units(pairs: str) -> Morphemes:
    out: Morphemes = {}
    for item in pairs.split():
        word, value = item.split("=")
        out[word] = (float(value), "unit")
    return out


@dataclass(frozen=True)
class LangTable:
    currency_words: dict[str, str | None] = field(default_factory=dict)  # after the number (or before)
    currency_links: tuple[str, ...] = ()  # "di", "de", "of": 50 milioni di dollari
    scales: dict[str, float] = field(default_factory=dict)  # spaced scale words: 50 milioni, 900 ألف
    phrases: dict[str, float] = field(default_factory=dict)  # fixed number phrases: "mezzo milione"
    morphemes: Morphemes = field(default_factory=dict)  # number words: zwölf, duemila, veintidós
    glue: tuple[str, ...] = ()  # "and" inside number words: vingt et un, treinta y cinco
    # when a spaced glue word joins number words (regex, the glue word included): only
    # before a unit, so that "entre diez y doce euros" stays a range of two amounts
    glue_pattern: str = ""
    connectors: tuple[str, ...] = ()  # range connectors usable anywhere
    or_words: tuple[str, ...] = ()  # "3.000 o 4.000 euro": a range too
    between_words: tuple[str, ...] = ()  # words that open "between X and Y"
    and_words: tuple[str, ...] = ()  # "and" connectors, only after a between word
    range_articles: tuple[str, ...] = ()  # "tra i 300 e i 900": article after the connector
    periods: dict[str, str] = field(default_factory=dict)  # right after the amount
    period_cues: dict[str, str] = field(default_factory=dict)  # before the amount: "monthly salary of"
    qualifiers: tuple[str, ...] = ()  # gross/net: "netti al mese", "bruts annuels"


H, Y, M, W, D = "hour", "year", "month", "week", "day"

TABLES: dict[str, LangTable] = {
    "en": LangTable(
        currency_words={"US dollars": "USD", "U.S. dollars": "USD", "American dollars": "USD",
                        "Canadian dollars": "CAD", "Australian dollars": "AUD", "Hong Kong dollars": "HKD",
                        "dollars": "USD", "dollar": "USD", "bucks": "USD", "euros": "EUR", "euro": "EUR",
                        "pounds sterling": "GBP", "pounds": "GBP", "pound": "GBP", "yen": "JPY",
                        "rupees": "INR", "Swiss francs": "CHF", "francs": "CHF", "dirhams": "AED",
                        "riyals": "SAR", "pence": "GBP", "cents": "USD"},
        currency_links=("of",),
        scales={"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
                "trillion": 1e12},
        phrases={"half a million": 5e5, "a million": 1e6, "half a billion": 5e8, "a billion": 1e9,
                 "a thousand": 1e3},
        morphemes={**_units("one=1 two=2 three=3 four=4 five=5 six=6 seven=7 eight=8 nine=9 ten=10 eleven=11 "
                            "twelve=12 thirteen=13 fourteen=14 fifteen=15 sixteen=16 seventeen=17 eighteen=18 "
                            "nineteen=19 twenty=20 thirty=30 forty=40 fifty=50 sixty=60 seventy=70 eighty=80 "
                            "ninety=90 half=0.5"),
                   "hundred": (100, "hundred"), "thousand": (1e3, "scale"), "million": (1e6, "scale"),
                   "billion": (1e9, "scale")},
        glue=("and",),
        glue_pattern=r"(?<=hundred|thousand|million)[ ]+and",
        connectors=("-", "–", "—", "to", "up to"),
        or_words=("or",),
        between_words=("between", "from"),
        and_words=("and",),
        periods={"a year": Y, "per year": Y, "per annum": Y, "p.a.": Y, "a month": M, "per month": M,
                 "a week": W, "per week": W, "a day": D, "per day": D, "an hour": H, "per hour": H,
                 "annually": Y, "yearly": Y, "monthly": M, "weekly": W, "daily": D, "hourly": H,
                 "each year": Y, "every year": Y, "each month": M, "every month": M},
        period_cues={"annual": Y, "yearly": Y, "a year": Y, "monthly": M, "weekly": W, "daily": D,
                     "day rate": D, "hourly": H, "per hour": H},
        qualifiers=("gross", "net", "before tax", "pre-tax", "after tax"),
    ),
    "it": LangTable(
        currency_words={"dollari americani": "USD", "dollari statunitensi": "USD", "dollari USA": "USD",
                        "dollari canadesi": "CAD", "dollari australiani": "AUD", "dollari": "USD",
                        "dollaro": "USD", "euro": "EUR", "sterline": "GBP", "sterlina": "GBP",
                        "franchi svizzeri": "CHF", "franchi": "CHF", "franco svizzero": "CHF", "yen": "JPY",
                        "rupie": "INR", "dirham": "AED", "centesimi": "EUR"},
        currency_links=("di",),
        scales={"mila": 1e3, "mille": 1e3, "milione": 1e6, "milioni": 1e6, "miliardo": 1e9, "miliardi": 1e9,
                "mln": 1e6, "mld": 1e9, "mln.": 1e6, "mld.": 1e9},
        phrases={"mezzo milione": 5e5, "mezzo miliardo": 5e8},
        morphemes={**_units("uno=1 un=1 una=1 due=2 tre=3 tré=3 quattro=4 cinque=5 sei=6 sette=7 otto=8 "
                            "nove=9 dieci=10 undici=11 dodici=12 tredici=13 quattordici=14 quindici=15 "
                            "sedici=16 diciassette=17 diciotto=18 diciannove=19 venti=20 vent=20 trenta=30 "
                            "trent=30 quaranta=40 quarant=40 cinquanta=50 cinquant=50 sessanta=60 sessant=60 "
                            "settanta=70 settant=70 ottanta=80 ottant=80 novanta=90 novant=90 mezzo=0.5"),
                   "cento": (100, "hundred"), "cent": (100, "hundred"), "mille": (1e3, "scale"),
                   "mila": (1e3, "scale"), "milione": (1e6, "scale"), "milioni": (1e6, "scale"),
                   "miliardo": (1e9, "scale"), "miliardi": (1e9, "scale")},
        glue=("e",),
        glue_pattern=r"(?<=mille|mila|cento|milioni|milione)[ ]+e",
        connectors=("-", "–", "—", "a", "ai", "agli", "al", "fino a", "fino ai"),
        or_words=("o", "oppure"),
        between_words=("tra", "fra", "da", "dai", "dagli", "dal"),
        and_words=("e",),
        range_articles=("i", "gli"),
        periods={"l'anno": Y, "all'anno": Y, "annui": Y, "annuo": Y, "annuali": Y, "annuale": Y,
                 "al mese": M, "mensili": M, "mensile": M, "al giorno": D, "giornalieri": D, "all'ora": H,
                 "l'ora": H, "orari": H, "a settimana": W, "alla settimana": W, "settimanali": W,
                 "ogni mese": M, "ogni anno": Y, "per anno": Y},
        period_cues={"annuo": Y, "annuale": Y, "annua": Y, "all'anno": Y, "mensile": M, "al mese": M,
                     "settimanale": W, "giornaliero": D, "giornaliera": D, "orario": H, "oraria": H,
                     "all'ora": H},
        qualifiers=("lordi", "netti", "lordo", "netto"),
    ),
    "fr": LangTable(
        currency_words={"dollars américains": "USD", "dollars US": "USD", "dollars canadiens": "CAD",
                        "dollars australiens": "AUD", "dollars": "USD", "dollar": "USD", "euros": "EUR",
                        "euro": "EUR", "livres sterling": "GBP", "francs suisses": "CHF", "francs CFA": "XOF",
                        "francs": "CHF", "dirhams": "MAD", "dinars": None, "yens": "JPY", "centimes": "EUR"},
        currency_links=("de", "d'"),
        scales={"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
                "k": 1e3, "M": 1e6, "Md": 1e9, "Mds": 1e9, "mds": 1e9, "mdr": 1e9, "mrd": 1e9},
        phrases={"un demi-million": 5e5},
        morphemes={**_units("un=1 une=1 deux=2 trois=3 quatre=4 cinq=5 six=6 sept=7 huit=8 neuf=9 dix=10 "
                            "onze=11 douze=12 treize=13 quatorze=14 quinze=15 seize=16 vingt=20 vingts=20 "
                            "trente=30 quarante=40 cinquante=50 soixante=60 quatrevingt=80 quatrevingts=80"),
                   "cent": (100, "hundred"), "cents": (100, "hundred"), "mille": (1e3, "scale"),
                   "million": (1e6, "scale"), "millions": (1e6, "scale"), "milliard": (1e9, "scale"),
                   "milliards": (1e9, "scale")},
        glue=("et",),
        glue_pattern=r"[ -]et(?=[ -](?:un|une|onze)\b)",
        connectors=("-", "–", "—", "à", "a"),
        or_words=("ou",),
        between_words=("entre", "de"),
        and_words=("et",),
        periods={"par an": Y, "par année": Y, "l'an": Y, "par mois": M, "par semaine": W, "par jour": D,
                 "par heure": H, "de l'heure": H, "l'heure": H, "annuel": Y, "annuels": Y, "annuelle": Y,
                 "annuelles": Y, "mensuel": M, "mensuels": M, "mensuelle": M, "mensuelles": M,
                 "hebdomadaires": W, "journaliers": D, "/an": Y, "/mois": M, "/jour": D, "/h": H},
        period_cues={"annuel": Y, "annuelle": Y, "mensuel": M, "mensuelle": M, "hebdomadaire": W,
                     "journalier": D, "journalière": D, "horaire": H, "par mois": M, "par an": Y},
        qualifiers=("bruts", "brut", "nets", "net"),
    ),
    "es": LangTable(
        currency_words={"dólares estadounidenses": "USD", "dólares": "USD", "dólar": "USD", "dolares": "USD",
                        "dolar": "USD", "euros": "EUR", "euro": "EUR", "pesos mexicanos": "MXN",
                        "pesos argentinos": "ARS", "pesos": None, "libras": "GBP", "céntimos": "EUR"},
        currency_links=("de",),
        scales={"mil": 1e3, "millón": 1e6, "millones": 1e6, "mil millones": 1e9},
        phrases={"medio millón": 5e5},
        morphemes={**_units("uno=1 un=1 una=1 dos=2 tres=3 cuatro=4 cinco=5 seis=6 siete=7 ocho=8 nueve=9 "
                            "diez=10 once=11 doce=12 trece=13 catorce=14 quince=15 dieciséis=16 diecisiete=17 "
                            "dieciocho=18 diecinueve=19 veinte=20 veinti=20 veintiún=21 dós=2 trés=3 séis=6 "
                            "treinta=30 cuarenta=40 cincuenta=50 sesenta=60 setenta=70 ochenta=80 noventa=90 "
                            "cien=100 doscientos=200 doscientas=200 trescientos=300 trescientas=300 "
                            "cuatrocientos=400 quinientos=500 quinientas=500 seiscientos=600 setecientos=700 "
                            "ochocientos=800 novecientos=900 medio=0.5"),
                   "ciento": (100, "hundred"), "mil": (1e3, "scale"), "millón": (1e6, "scale"),
                   "millones": (1e6, "scale")},
        glue=("y",),
        glue_pattern=r"[ ]+y(?=[ ]+(?:uno|un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve)\b)",
        connectors=("-", "–", "—", "a", "hasta"),
        or_words=("o", "u"),
        between_words=("entre", "de", "desde"),
        and_words=("y",),
        periods={"al año": Y, "por año": Y, "anuales": Y, "anual": Y, "al mes": M, "por mes": M,
                 "mensuales": M, "mensual": M, "a la semana": W, "por semana": W, "semanales": W,
                 "al día": D, "por día": D, "diarios": D, "por hora": H, "la hora": H, "a la hora": H},
        period_cues={"anual": Y, "mensual": M, "semanal": W, "diario": D, "por hora": H, "al mes": M,
                     "al año": Y},
        qualifiers=("brutos", "netos", "brutas", "netas", "brutos anuales"),
    ),
    "de": LangTable(
        currency_words={"US-Dollar": "USD", "Dollar": "USD", "Euro": "EUR", "Schweizer Franken": "CHF",
                        "Franken": "CHF", "Pfund": "GBP", "Cent": "EUR", "Rappen": "CHF"},
        currency_links=(),
        scales={"Tausend": 1e3, "Mio.": 1e6, "Mio": 1e6, "Million": 1e6, "Millionen": 1e6, "Mrd.": 1e9,
                "Mrd": 1e9, "Milliarde": 1e9, "Milliarden": 1e9},
        phrases={"eine halbe Million": 5e5, "eine halbe Milliarde": 5e8},
        morphemes={**_units("ein=1 eine=1 eins=1 einen=1 zwei=2 zwo=2 drei=3 vier=4 fünf=5 sechs=6 sieben=7 "
                            "acht=8 neun=9 zehn=10 elf=11 zwölf=12 dreizehn=13 vierzehn=14 fünfzehn=15 "
                            "sechzehn=16 siebzehn=17 achtzehn=18 neunzehn=19 zwanzig=20 dreißig=30 "
                            "dreissig=30 vierzig=40 fünfzig=50 sechzig=60 siebzig=70 achtzig=80 neunzig=90"),
                   "und": (0, "unit"), "hundert": (100, "hundred"), "tausend": (1e3, "scale"),
                   "million": (1e6, "scale"), "millionen": (1e6, "scale"), "milliarde": (1e9, "scale"),
                   "milliarden": (1e9, "scale")},
        glue=("und",),
        glue_pattern="",  # German glues its compounds: fünfundzwanzig
        connectors=("-", "–", "—", "bis"),
        or_words=("oder",),
        between_words=("zwischen", "von"),
        and_words=("und",),
        periods={"pro Jahr": Y, "im Jahr": Y, "jährlich": Y, "p.a.": Y, "pro Monat": M, "im Monat": M,
                 "monatlich": M, "pro Woche": W, "die Woche": W, "pro Tag": D, "am Tag": D, "täglich": D,
                 "pro Stunde": H, "die Stunde": H, "in der Stunde": H},
        period_cues={"Jahresgehalt": Y, "Jahreslohn": Y, "jährlich": Y, "Monatsgehalt": M, "Monatslohn": M,
                     "monatlich": M, "Wochenlohn": W, "Tageslohn": D, "Tagessatz": D, "Stundenlohn": H,
                     "Stundensatz": H, "pro Stunde": H},
        qualifiers=("brutto", "netto"),
    ),
    "pt": LangTable(
        currency_words={"dólares": "USD", "dólar": "USD", "euros": "EUR", "euro": "EUR", "reais": "BRL",
                        "libras": "GBP"},
        currency_links=("de",),
        scales={"mil": 1e3, "milhão": 1e6, "milhões": 1e6, "bilhão": 1e9, "bilhões": 1e9},
        phrases={"meio milhão": 5e5, "um milhão": 1e6},
        connectors=("-", "–", "—", "a", "até"),
        or_words=("ou",),
        between_words=("entre", "de"),
        and_words=("e",),
        periods={"por ano": Y, "ao ano": Y, "anuais": Y, "anual": Y, "por mês": M, "ao mês": M, "mensais": M,
                 "por dia": D, "ao dia": D, "por hora": H},
        qualifiers=("brutos", "líquidos"),
    ),
    "ar": LangTable(
        # written without tanween/harakat: the compiled pattern lets diacritics follow any letter
        currency_words={"دولار أمريكي": "USD", "دولار أميركي": "USD", "دولارات أمريكية": "USD",
                        "ريال سعودي": "SAR", "ريالا سعوديا": "SAR", "ريال قطري": "QAR", "ريال عماني": "OMR",
                        "جنيه مصري": "EGP", "جنيه إسترليني": "GBP", "جنيه استرليني": "GBP",
                        "درهم إماراتي": "AED", "درهم اماراتي": "AED", "درهم مغربي": "MAD", "دينار كويتي": "KWD",
                        "دينار أردني": "JOD", "دينار جزائري": "DZD", "دينار تونسي": "TND", "ليرة تركية": "TRY",
                        "ليرة لبنانية": "LBP", "ليرة سورية": "SYP", "دولارات": "USD", "دولارا": "USD",
                        "دولار": "USD", "يورو": "EUR", "جنيهات": "EGP", "جنيها": "EGP", "جنيه": "EGP",
                        "ريالات": "SAR", "ريالا": "SAR", "ريال": "SAR", "دراهم": "AED", "درهما": "AED",
                        "درهم": "AED", "دنانير": None, "دينارا": None, "دينار": None, "ليرة": None,
                        "ليرات": None},
        scales={"ألف": 1e3, "الف": 1e3, "آلاف": 1e3, "الاف": 1e3, "مليون": 1e6, "ملايين": 1e6,
                "مليار": 1e9, "مليارات": 1e9},
        phrases={"نصف مليون": 5e5, "مليون": 1e6, "مليار": 1e9, "ألف": 1e3, "ألفي": 2e3, "ألفا": 1e3},
        morphemes={**_units("واحد=1 اثنان=2 اثنين=2 ثلاثة=3 ثلاث=3 أربعة=4 أربع=4 خمسة=5 خمس=5 ستة=6 ست=6 "
                            "سبعة=7 سبع=7 ثمانية=8 ثماني=8 تسعة=9 تسع=9 عشرة=10 عشر=10 عشرون=20 عشرين=20 "
                            "ثلاثون=30 ثلاثين=30 أربعون=40 أربعين=40 خمسون=50 خمسين=50 ستون=60 ستين=60 "
                            "سبعون=70 سبعين=70 ثمانون=80 ثمانين=80 تسعون=90 تسعين=90"),
                   "مئة": (100, "hundred"), "مائة": (100, "hundred"), "ألف": (1e3, "scale"),
                   "آلاف": (1e3, "scale"), "مليون": (1e6, "scale"), "ملايين": (1e6, "scale")},
        connectors=("-", "–", "—", "إلى", "الى", "حتى"),
        or_words=("أو", "او"),
        between_words=("بين", "من"),
        and_words=("و",),
        periods={"سنويا": Y, "في السنة": Y, "في العام": Y, "بالسنة": Y, "شهريا": M, "في الشهر": M,
                 "بالشهر": M, "أسبوعيا": W, "في الأسبوع": W, "يوميا": D, "في اليوم": D, "باليوم": D,
                 "بالساعة": H, "في الساعة": H, "للساعة": H},
        period_cues={"شهري": M, "شهريا": M, "سنوي": Y, "سنويا": Y, "يومي": D, "أسبوعي": W, "بالساعة": H},
        qualifiers=("إجمالي", "صافي"),
    ),
}

LANGS = tuple(TABLES)


# --- the normaliser ---------------------------------------------------------------

PERIODS = ("hour", "day", "week", "month", "year")

D = r"[0-9\u0660-\u0669\u06F0-\u06F9]"
SP = r"[ \u00A0\u202F\u2009]"
GROUP_SEP = r"(?:[,.'’\u066C]|" + SP + r")"
DEC_SEP = r"[.,\u066B]"
NUMBER = (
    rf"{D}{{1,3}}(?:{GROUP_SEP}{D}{{3}})+(?:{DEC_SEP}{D}{{1,2}})?(?!{D})"
    rf"|{D}+(?:{DEC_SEP}{D}+)?"
)
END_WORD = r"(?![\p{L}\p{M}\p{N}])"
ARABIC_PREFIX = "[وبل]?"
HARAKAT = "[\u064B-\u0652\u0640]*"  # tanween, harakat, tatweel: optional after any Arabic letter
_HARAKAT_RE = regex.compile(HARAKAT[:-1])


def _alt(words: Iterable[str], *, sort: bool = True) -> str:
    words = sorted(set(words), key=len, reverse=True) if sort else list(words)
    parts = []
    for w in words:
        pieces = []
        for ch in w:
            if ch == " ":
                pieces.append(SP + "+")
            elif ch in "'’":
                pieces.append("['’]")
            elif "\u0621" <= ch <= "\u064A":
                pieces.append(regex.escape(ch) + HARAKAT)
            else:
                pieces.append(regex.escape(ch))
        parts.append("".join(pieces))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


_SPACES_RE = regex.compile(r"\s+")
_SPLIT_RE = regex.compile(r"[\s\-]+")


def _key(s: str) -> str:
    """Lookup form of a matched word: no harakat, one space, straight apostrophe, lower case."""
    s = _HARAKAT_RE.sub("", s).replace("’", "'")
    s = _SPACES_RE.sub(" ", s)
    return s.strip().lower()


SYMBOL = _alt(SYMBOLS)
ISO = "(?-i:" + _alt(ISO_CODES) + ")"
PRE = rf"(?:{SYMBOL}{SP}?|{ISO}{SP})"


_V = TypeVar("_V")


def _merge(tables: list[LangTable]) -> LangTable:
    def cat(words: Callable[[LangTable], tuple[str, ...]]) -> tuple[str, ...]:
        out: list[str] = []
        for t in tables:
            out.extend(words(t))
        return tuple(dict.fromkeys(out))

    def dcat(table: Callable[[LangTable], dict[str, _V]]) -> dict[str, _V]:
        out: dict[str, _V] = {}
        for t in tables:
            for k, v in table(t).items():
                out.setdefault(k, v)
        return out

    return LangTable(
        currency_words=dcat(lambda t: t.currency_words), currency_links=cat(lambda t: t.currency_links),
        scales=dcat(lambda t: t.scales), phrases=dcat(lambda t: t.phrases), morphemes=dcat(lambda t: t.morphemes),
        glue=cat(lambda t: t.glue), connectors=cat(lambda t: t.connectors), or_words=cat(lambda t: t.or_words),
        between_words=cat(lambda t: t.between_words), and_words=cat(lambda t: t.and_words),
        range_articles=cat(lambda t: t.range_articles), periods=dcat(lambda t: t.periods),
        period_cues=dcat(lambda t: t.period_cues), qualifiers=cat(lambda t: t.qualifiers),
        glue_pattern="|".join(f"(?:{t.glue_pattern})" for t in tables if t.glue_pattern),
    )


class _Compiled:
    """The patterns of one language (or of all of them, for ``lang=None``)."""

    def __init__(self, t: LangTable):
        self.t = t
        self.currency = {_key(k): v for k, v in t.currency_words.items()}
        self.scales = {_key(k): v for k, v in t.scales.items()}
        self.phrases = {_key(k): v for k, v in t.phrases.items()}
        self.morphemes = {k.lower(): v for k, v in t.morphemes.items()}
        self.periods = {_key(k): v for k, v in t.periods.items()}
        self.cues = {_key(k): v for k, v in t.period_cues.items()}
        self.glue = {g.lower() for g in t.glue}
        self._number_words: dict[str, bool] = {}
        self.plain_words = set(self.glue) | {_key(x).rstrip("'") for x in t.currency_links}
        for phrase in t.phrases:
            self.plain_words.update(_SPLIT_RE.split(_key(phrase)))
        cur_word = _alt(t.currency_words)
        link = _alt(t.currency_links)
        scale = _alt(t.scales)
        attached = "(?-i:" + _alt(ATTACHED_SCALES) + ")"
        morph = _alt(self.morphemes) if self.morphemes else "(?!)"
        starts = _alt([k for k in self.morphemes if k not in ("und",)]) if self.morphemes else "(?!)"
        token = rf"(?:{starts})(?:{morph})*"  # "und" only inside a word: fünfundzwanzig
        glue = rf"(?:{t.glue_pattern})(?:{SP}+|-)" if t.glue_pattern else "(?!)"
        words = rf"{token}(?:{glue}{token}|(?:{SP}+|-){token})*"
        phrase = _alt(t.phrases)
        self.atom = regex.compile(
            rf"""
            (?<![\p{{N}}_.,\p{{Latin}}\p{{Greek}}\p{{Cyrillic}}$€£¥₹])
            (?P<pre>{PRE})?
            (?:
                (?P<num>{NUMBER})
                (?:
                    (?P<att>{attached}){END_WORD}
                  | {SP}?{ARABIC_PREFIX}(?P<scale>{scale}){END_WORD}
                )?
              | (?<![\p{{L}}\p{{M}}]){ARABIC_PREFIX}(?P<phrase>{phrase}){END_WORD}
              | (?<![\p{{L}}\p{{M}}])(?P<words>{words}){END_WORD}
            )
            (?!{SP}?%|{D}|\p{{Latin}})
            (?:
                {SP}?(?P<postsym>{SYMBOL}|{ISO}{END_WORD})
              | {SP}+(?:{link}{SP}*)?{ARABIC_PREFIX}(?P<postword>{cur_word}){END_WORD}
            )?
            """,
            regex.VERBOSE | regex.IGNORECASE | regex.V0,
        )
        sym_conn = [c for c in t.connectors if not c[0].isalpha()]
        word_conn = [c for c in t.connectors if c[0].isalpha()] + list(t.or_words)
        arts = _alt(t.range_articles)
        self.connector = regex.compile(
            rf"(?:{SP}*(?:{_alt(sym_conn)}){SP}*|{SP}+(?:{_alt(word_conn)}){SP}*(?:{arts}{SP}+)?)\Z",
            regex.IGNORECASE,
        )
        self.and_connector = regex.compile(rf"{SP}+{_alt(t.and_words)}{SP}*(?:{arts}{SP}+)?\Z", regex.IGNORECASE)
        self.between = regex.compile(
            rf"(?<![\p{{L}}\p{{M}}]){_alt(t.between_words)}{SP}+(?:(?:the|i|gli|les|los|las)\s+)?\Z",
            regex.IGNORECASE,
        )
        slash = [p for p in t.periods if p.startswith("/")]
        plain = [p for p in t.periods if not p.startswith("/")]
        self.period = regex.compile(
            rf"(?:{SP}?(?P<p>{_alt(slash)})|{SP}+(?P<p2>{_alt(plain)}))(?![\p{{L}}\p{{M}}\p{{N}}])",
            regex.IGNORECASE,
        )
        self.slash_period = regex.compile(rf"{SP}?/{SP}?(?P<p>hour|hr|h|day|week|wk|month|mo|year|yr|an|mois|jour|Jahr|Monat|Tag|Stunde|mese|anno|ora|giorno|año|mes|día|hora){END_WORD}", regex.IGNORECASE)
        self.qualifier = regex.compile(rf"{SP}+{_alt(t.qualifiers)}{END_WORD}", regex.IGNORECASE)
        self.cue = regex.compile(rf"(?<![\p{{L}}\p{{M}}])(?:{_alt(t.period_cues)})", regex.IGNORECASE)
        # anchors: where an amount can be. Digits and symbols start one; a currency,
        # scale or number-phrase word (found by its first three letters, a fast named
        # list) may end one that starts with number words a few words earlier.
        # first words of currency words, number phrases and long scale words ("milioni"):
        # searched for with str.find in the lower-cased text (short scales follow digits)
        heads = {_key(w).split(" ")[0] for w in list(t.currency_words) + list(t.phrases)}
        heads |= {_key(w) for w in t.scales if len(w) >= 4}
        self.heads = sorted(h for h in heads if len(h) >= 2)
        self.anchor = regex.compile(rf"(?P<d>{D}+)|(?P<s>[$€£¥₹₽₺₪﷼])|(?P<iso>(?-i:[A-Z]{{3}}){SP})")


    def is_number_word(self, word: str) -> bool:
        """Can ``word`` be part of a number written in words (or join one to its currency)?"""
        hit = self._number_words.get(word)
        if hit is None:
            k = _key(word)
            hit = k in self.plain_words or _split_morphemes(k, self.morphemes) is not None
            if len(self._number_words) < 100_000:
                self._number_words[word] = hit
        return hit


@cache
def _compiled(lang: str | None) -> _Compiled:
    if lang in TABLES:
        return _Compiled(TABLES[lang])
    return _Compiled(_merge(list(TABLES.values())))


def _compiled_for(lang: str | None) -> _Compiled:
    base = base_lang(lang)
    return _compiled(base if base in TABLES else None)


# --- numbers ------------------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_GROUP_CHARS = regex.compile(r"[ \u00A0\u202F\u2009'’\u066C]")


def parse_number(raw: str) -> float | None:
    """The value of a number as written: '300,000', '450.000', '300 000', '1,5', '١٢٬٥٠٠'."""
    s = _GROUP_CHARS.sub("", raw.translate(_DIGITS).strip()).replace("\u066B", ".")
    if not s:
        return None
    seps = [c for c in s if c in ",."]
    try:
        if not seps:
            return float(s)
        last = max(s.rfind(","), s.rfind("."))
        tail = s[last + 1:]
        if len(set(seps)) == 1 and (len(seps) > 1 or len(tail) == 3):
            return float(s.replace(",", "").replace(".", ""))  # thousands separators only
        head = s[:last].replace(",", "").replace(".", "")
        return float(f"{head}.{tail}")
    except ValueError:
        return None


def _split_morphemes(token: str, morphemes: Morphemes) -> list[tuple[float, str]] | None:
    """Split a glued number word ('zweitausendfünfhundert') into morphemes, longest first."""
    if not token:
        return []
    for n in range(len(token), 0, -1):
        head = token[:n]
        if head in morphemes:
            rest = _split_morphemes(token[n:], morphemes)
            if rest is not None:
                return [morphemes[head], *rest]
    return None


def number_words_value(words: str, lang: str | None = None) -> float | None:
    """Value of number words: 'zwölf' 12, 'duemilacinquecento' 2500, 'trois cents' 300,
    'veintidós mil' 22000, 'mezzo milione' 500000; None when they do not parse."""
    c = _compiled_for(lang)
    return _words_value(words, c)


def _words_value(words: str, c: _Compiled) -> float | None:
    key = _key(words)
    if key in c.phrases:
        return c.phrases[key]
    key = key.replace("quatre-vingt", "quatrevingt")
    parts: list[tuple[float, str]] = []
    for token in _SPLIT_RE.split(key):
        if not token or token in c.glue:
            continue
        split = _split_morphemes(token, c.morphemes)
        if split is None:
            return None
        parts.extend(split)
    total = current = 0.0
    seen = False
    for value, kind in parts:
        if kind == "unit":
            current += value
            seen = seen or value > 0
        elif kind == "hundred":
            current = (current or 1) * value
            seen = True
        else:  # scale
            if current == 0 and 0 < total < value:
                total *= value  # "mil millones"
            else:
                total += (current or 1) * value
            current = 0
            seen = True
    return total + current if seen else None


# --- amounts ------------------------------------------------------------------

@dataclass(frozen=True)
class Amount:
    """An amount (or a range) found in text, with its normalised value.

    ``kind`` is ``"money"`` (a currency is written), or ``"number"`` (a bare
    number, only with ``numbers=True`` or a scale word). ``period_end`` is the
    end of a period expression right after the amount (outside the span), or
    ``None``.
    """

    start: int
    end: int
    text: str
    min: float | None
    max: float | None
    currency: str | None
    period: str | None
    kind: str = "money"
    is_range: bool = False
    has_scale: bool = False
    words: bool = False  # written (partly) in number words
    period_end: int | None = None

    @property
    def has_currency(self) -> bool:
        return self.kind == "money"

    @property
    def value(self) -> AmountValue:
        """The normalised value: ``{"min", "max", "currency", "period"}`` (JSON-ready)."""
        return {"min": _num(self.min), "max": _num(self.max), "currency": self.currency, "period": self.period}


def _num(v: float | None) -> int | float | None:
    if v is None:
        return None
    r = round(v, 2)
    return int(r) if r == int(r) else r


@dataclass
class _Atom:
    start: int
    end: int
    value: float | None
    currency: str | None  # ISO code, "?" when written but unknown, None when absent
    has_scale: bool
    words: bool
    factor: float = 1.0  # the scale written on this atom (1 when none)

    @property
    def has_currency(self) -> bool:
        return self.currency is not None


# a plural scale word alone is a vague quantity, not an amount: "miliardi di dollari"
VAGUE = {"milioni", "miliardi", "millions", "milliards", "millones", "millionen", "milliarden", "billions",
         "thousands", "mila", "ملايين", "مليارات", "آلاف", "tausende", "milhões", "bilhões"}

ANCHOR_BEFORE = 60


_PREFIX_NEAR = regex.compile(r"[$€£¥₹₽₺₪﷼]|[A-Z]{3}")
_WORD_START = regex.compile(r"(?<![\p{L}\p{M}\p{N}])[\p{L}\p{M}]+")
WORDS_BEFORE = 6  # number words before a currency word: "zweitausendfünfhundert", "deux mille cinq cents"


def _is_head(w: str, heads: set[str]) -> bool:
    """Is ``w`` the first word of a currency, scale or number phrase?"""
    if w in heads or w.rstrip(".") in heads:
        return True
    if "\u0600" <= w[0] <= "\u06ff":
        k = _key(w)
        return k in heads or (k[:1] in "وبل" and k[1:] in heads)
    return False


def _walk_back(text: str, p: int, c: _Compiled, out: set[int]) -> None:
    """Add ``p`` and the starts of the number words just before it
    ("deux mille cinq cents euros", "mezzo milione", "zwölf Euro")."""
    lo = max(0, p - ANCHOR_BEFORE)
    nl = text.rfind("\n", lo, p)
    lo = nl + 1 if nl >= 0 else lo
    words = list(_WORD_START.finditer(text, lo, p))[-WORDS_BEFORE:]
    for w in reversed(words):
        if not c.is_number_word(w.group()):
            break
        out.add(w.start())
    out.add(p if text[p - 1:p] not in ("و", "ب", "ل") else p - 1)


def _starts(text: str, c: _Compiled) -> set[int]:
    """Positions where an amount may start."""
    out: set[int] = set()
    add = out.add
    for m in c.anchor.finditer(text):
        p = m.start()
        if m.lastgroup == "d":
            if _PREFIX_NEAR.search(text, max(0, p - 4), p):
                out.update(range(max(0, p - 4), p))  # "US$ 5", "€5", "CHF 5": the prefix starts it
            add(p)
        elif m.lastgroup == "s":
            out.update(range(max(0, p - 3), p + 1))  # "US$", "HK$", "CA$"
        else:
            add(p)
    low = text.lower()
    if len(low) != len(text):  # a rare letter whose lower case is longer (İ): keep offsets exact
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    for head in c.heads:
        p = low.find(head)
        while p >= 0:
            prev = low[p - 1] if p else " "
            if not (prev.isalpha() or unicodedata.category(prev)[0] == "M") or (
                    prev in "وبل" and (p < 2 or not low[p - 2].isalpha())):
                _walk_back(text, p, c, out)
            p = low.find(head, p + 1)
    return out


def _atoms(text: str, c: _Compiled) -> list[_Atom]:
    out: list[_Atom] = []
    last_end = 0
    tried: set[int] = set()
    for pos in sorted(_starts(text, c)):
        if pos < last_end or pos in tried:
            continue
        tried.add(pos)
        m = c.atom.match(text, pos)
        if m is None or m.end() == pos:
            continue
        atom = _atom(m, c)
        if atom is not None:
            out.append(atom)
            last_end = m.end()
    return out


def _currency(m: regex.Match[str], c: _Compiled) -> str | None:
    for group in ("pre", "postsym"):
        raw = m.group(group)
        if raw:
            raw = _SPACES_RE.sub("", raw)
            return SYMBOLS.get(raw) or (raw.upper() if raw.upper() in ISO_CODES else "?")
    raw = m.group("postword")
    if raw:
        iso = c.currency.get(_key(raw), "?")
        return iso if iso is not None else "?"
    return None


def _atom(m: regex.Match[str], c: _Compiled) -> _Atom | None:
    currency = _currency(m, c)
    factor = 1.0
    if m.group("num") is not None:
        value = parse_number(m.group("num"))
        has_scale = False
        if m.group("att"):
            has_scale = True
            factor = ATTACHED_SCALES.get(m.group("att")) or ATTACHED_SCALES.get(m.group("att").lower(), 1)
            value = value * factor if value is not None else None
        elif m.group("scale"):
            has_scale = True
            factor = c.scales.get(_key(m.group("scale")), 1)
            value = value * factor if value is not None else None
        words = False
    elif m.group("phrase") is not None:
        value = c.phrases.get(_key(m.group("phrase")))
        has_scale, words = True, True
    elif m.group("words") is not None:
        value = _words_value(m.group("words"), c)
        if value is None or _key(m.group("words")) in VAGUE:
            return None
        has_scale = value >= 1000 and any(
            c.morphemes.get(t, (0, ""))[1] == "scale" for t in _SPLIT_RE.split(_key(m.group("words")))
        )
        words = True
    else:
        return None
    return _Atom(m.start(), m.end(), value, currency, has_scale, words, factor)


def _range_values(left: _Atom, right: _Atom) -> tuple[float, float] | None:
    """(min, max) of a two-atom range, a shared scale applied; None if it is no range."""
    if left.value is None or right.value is None:
        return None
    lv = left.value
    if not left.has_scale and right.has_scale and right.factor > 1 and lv * right.factor <= right.value:
        lv *= right.factor  # "300 و900 ألف", "30-40k", "300 to 900 thousand"
    if not (0 < lv <= right.value):
        return None
    return lv, right.value


def _period_after(text: str, pos: int, c: _Compiled) -> tuple[int, str | None] | None:
    """(end, period) of a per-period expression right after ``pos``, with an optional
    gross/net word before or after it; None when there is neither."""
    end = pos
    period = None
    seen_q = False
    while True:
        if period is None and (m := c.period.match(text, end)):
            period = c.periods.get(_key(m.group("p") or m.group("p2")))
            end = m.end()
        elif period is None and (m := c.slash_period.match(text, end)):
            period = _SLASH.get(m.group("p").lower())
            end = m.end()
        elif not seen_q and (m := c.qualifier.match(text, end)):
            end, seen_q = m.end(), True
        else:
            break
    return (end, period) if period is not None else None


_SLASH = {"hour": "hour", "hr": "hour", "h": "hour", "stunde": "hour", "ora": "hour", "hora": "hour",
          "day": "day", "jour": "day", "tag": "day", "giorno": "day", "día": "day", "week": "week", "wk": "week",
          "month": "month", "mo": "month", "mois": "month", "monat": "month", "mese": "month", "mes": "month",
          "year": "year", "yr": "year", "an": "year", "jahr": "year", "anno": "year", "año": "year"}

_CLAUSE_END = regex.compile(r"[.;!?\n؛]\s")


def _period_before(text: str, start: int, c: _Compiled, window: int = 45) -> str | None:
    """A period cue shortly before the amount, in the same clause: 'monthly salary of'."""
    lo = max(0, start - window)
    seg = text[lo:start]
    cut = None
    for cut in _CLAUSE_END.finditer(seg):
        pass
    if cut is not None:
        seg = seg[cut.end():]
    best = None
    for m in c.cue.finditer(seg):
        best = c.cues.get(_key(m.group()))
    return best


def find_amounts(text: str, lang: str | None = None, *, numbers: bool = False, whole: bool = False) -> list[Amount]:
    """Amounts in ``text``, sorted, never overlapping; see the module docstring.

    By default only amounts with a currency and bare amounts with a scale word
    (``mezzo milione``, ``2 million``) are returned; ``numbers=True`` returns
    every number too (``kind="number"``; percentages are never amounts).
    ``whole=True`` treats ``text`` as a single amount phrase (an annotation's
    text): ``and`` joins a range without a *between* word.
    """
    c = _compiled_for(lang)
    atoms = _atoms(text, c)
    out: list[Amount] = []
    i, n = 0, len(atoms)
    while i < n:
        first = atoms[i]
        group = [first]
        values = (first.value, first.value)
        if i + 1 < n:
            a, b = first, atoms[i + 1]
            gap = text[a.end:b.start]
            if (a.has_currency or b.has_currency or (a.has_scale and b.has_scale)) and len(gap) <= 20 and "\n" not in gap:
                joined = bool(c.connector.match(gap))
                if not joined and c.and_connector.match(gap):
                    joined = whole or bool(c.between.search(text[max(0, a.start - 40):a.start]))
                if joined and (rv := _range_values(a, b)) is not None:
                    group.append(b)
                    values = rv
        i += len(group)
        start, end = group[0].start, group[-1].end
        currencies = [a.currency for a in group if a.currency is not None]
        has_currency = bool(currencies)
        has_scale = any(a.has_scale for a in group)
        if not has_currency and not has_scale and (not numbers or all(a.words for a in group)):
            continue  # a bare "dodici" is a count, not an amount
        iso = next((cur for cur in currencies if cur != "?"), None)
        after = _period_after(text, end, c)
        period = after[1] if after else _period_before(text, start, c)
        out.append(Amount(
            start, end, text[start:end], values[0], values[1], iso, period,
            kind="money" if has_currency else "number", is_range=len(group) > 1, has_scale=has_scale,
            words=any(a.words for a in group), period_end=after[0] if after else None,
        ))
    return out


def parse_amount(s: str, lang: str | None = None) -> JSONValue | None:
    """The normalised value of one amount phrase (an annotation's text), or None.

    ``parse_amount("200 $ par jour")`` -> ``{"min": 200, "max": 200, "currency":
    "USD", "period": "day"}``. A phrase with two separate amounts, or none, is
    None. Bare numbers parse (``"200 a day"``: currency None).
    """
    if not s or not s.strip():
        return None
    found = [a for a in find_amounts(s, lang, numbers=True, whole=True)]
    money = [a for a in found if a.kind == "money"]
    pick = money if money else found
    if len(pick) != 1:
        return None
    return _json(pick[0].value)


def _json(value: AmountValue) -> JSONValue:
    """``value`` as the plain JSON object an annotation keeps."""
    return dict(value)


def normalise_text(s: str) -> str:
    """NFC form used before matching (exposed for callers that compare amounts' texts)."""
    return unicodedata.normalize("NFC", s)


VALUE_LABELS = ("salary",)  # labels whose annotations carry a normalised amount


def check_value(obj: object) -> AmountValue | None:
    """``obj`` as a normalised value if it is one (``{"min", "max", "currency",
    "period"}`` with numbers, an ISO-like code or None, a known period or None),
    else None. Used on values that come from outside (imports, old stores)."""
    if not isinstance(obj, Mapping) or set(obj) != {"min", "max", "currency", "period"}:
        return None
    lo, hi, cur, period = obj["min"], obj["max"], obj["currency"], obj["period"]
    for v in (lo, hi):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v != v):  # noqa: PLR0124 - NaN
            return None
    if lo is not None and hi is not None and lo > hi:
        return None
    if cur is not None and not (isinstance(cur, str) and len(cur) == 3 and cur.isalpha() and cur.isupper()):
        return None
    if period is not None and period not in PERIODS:
        return None
    return {"min": _num(lo), "max": _num(hi), "currency": cur, "period": period}


def annotation_value(label: str, text: str, given: object = None, lang: str | None = None) -> JSONValue | None:
    """The value an annotation of ``label`` over ``text`` carries: ``given`` when it is
    a valid value, else what ``text`` parses to; None for labels other than salary."""
    if label not in VALUE_LABELS:
        return None
    checked = check_value(given) if given is not None else None
    return _json(checked) if checked is not None else parse_amount(text, lang)


_PERIOD_SHORT = {"hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"}


def format_value(value: Mapping[str, object] | None) -> str:
    """A normalised value for people: '300,000–900,000 USD / year', '12 EUR / hour', '' for None."""
    v = check_value(value) if value is not None else None
    if v is None or v["min"] is None:
        return ""

    def num(x: float) -> str:  # an int when whole (see AmountValue)
        return f"{x:,}" if isinstance(x, int) else f"{x:,.2f}"

    text = num(v["min"]) if v["min"] == v["max"] or v["max"] is None else f"{num(v['min'])}–{num(v['max'])}"
    if v["currency"]:
        text += f" {v['currency']}"
    if v["period"]:
        text += f" / {_PERIOD_SHORT[v['period']]}"
    return text
