"""The word tables of the amount normaliser, per language (it, en, fr, ar, es, de, pt): data only.

Every table maps what is written to what it means (a currency word to its ISO 4217 code,
a scale word to its factor, a period phrase to ``hour|day|week|month|year``, a number
word's morphemes to their values). ``reader.amounts.parser`` compiles them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Plain data, compiled by reader.amounts.parser. Every table maps
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
    percent: tuple[str, ...] = ()  # after a number, it is a percentage: "per cento", "Prozent"


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
        percent=("percent", "per cent", "percentage points", "percentage point"),
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
        percent=("per cento", "percento", "punti percentuali", "punto percentuale"),
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
        percent=("pour cent", "pourcent", "points de pourcentage", "point de pourcentage"),
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
        percent=("por ciento", "puntos porcentuales", "punto porcentual"),
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
        percent=("Prozent", "Prozentpunkte", "Prozentpunkten", "Prozentpunkt"),
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
        percent=("por cento", "pontos percentuais", "ponto percentual"),
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
        percent=("في المئة", "في المائة", "بالمئة", "بالمائة", "نقطة مئوية", "نقاط مئوية"),
        qualifiers=("إجمالي", "صافي"),
    ),
}

LANGS = tuple(TABLES)
