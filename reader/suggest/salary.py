"""Salary recogniser: amounts of money and pay, including ranges.

Rule-based, with one pattern table per language (it, en, fr, ar, es, de, pt)
plus script-neutral parts (currency symbols, ISO codes, digits in Latin and
Arabic-Indic forms). ``lang=None`` or an unknown language uses the union of
every table.

How it works
------------
1. **Atoms.** An atom is a number (``300,000``, ``450.000``, ``300 000`` with
   normal, no-break or thin spaces, ``1,5``, ``٣٠٠``), optionally with a
   multiplier (``300mila``, ``$100k``, ``50 milioni``, ``900 ألف``) or a number
   word (``mezzo milione``, ``half a million``), and optionally a currency
   before it (``$``, ``US$``, ``€``, ``USD``) or after it (``$``, ``dollari``,
   ``de dollars``, ``دولار``). Numbers glued to Latin letters (``A24``,
   ``L6``) and percentages are never atoms.
2. **Ranges.** Two atoms joined by a range connector (``-``, ``to``, ``a``,
   ``ai``, ``à``, ``bis``, ``إلى`` …; ``and``/``e``/``et``/``y``/``und``/``و``
   only after *between*-words such as ``between``, ``tra``, ``entre``,
   ``بين``) become **one** span when at least one side has a currency and
   the left value is not larger than the right one (a shared multiplier is
   applied: ``300 و900 ألف`` is 300k–900k).
3. **Keep.** An atom or range is kept when it has a currency. A bare amount
   is kept only in a pay context: right after a pay verb (``receives``,
   ``paga``, ``gagne`` …) and either followed by a period (``200 a day``) or
   carrying a multiplier (``paga mezzo milione``). Years, counts (``300
   attori``), phone numbers, dates and percentages therefore never match.
4. **Period.** A per-period expression right after the amount (``a year``,
   ``per year``, ``annually``, ``l'anno``, ``all'anno``, ``annui``, ``par an``,
   ``par jour``, ``annuel``, ``سنوياً`` …) is included in the span, with a
   gross/net word before or after it (``netti al mese``, ``bruts annuels``,
   ``brutto im Monat``).

Span convention (shared with ``tests/data/gold.jsonl``): the span starts at
the first currency sign or digit, so a leading *between/from* word (``dai``,
``entre``, ``بين``, ``from``) is outside it; it ends after the last currency
word, and after an adjacent per-period expression when there is one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from reader.suggest.base import Suggestion, _base_lang

LABEL = "salary"

# --- script-neutral pieces ----------------------------------------------------

D = r"[0-9\u0660-\u0669\u06F0-\u06F9]"  # ASCII, Arabic-Indic, Extended Arabic-Indic digits
SP = r"[ \u00A0\u202F\u2009]"  # space, no-break space, narrow no-break space, thin space
GROUP_SEP = r"(?:[,.'’\u066C]|" + SP + r")"  # thousands separators (٬ is U+066C)
DEC_SEP = r"[.,\u066B]"  # decimal separators (٫ is U+066B)
NUMBER = (
    rf"{D}{{1,3}}(?:{GROUP_SEP}{D}{{3}})+(?:{DEC_SEP}{D}{{1,2}})?(?!{D})"
    rf"|{D}+(?:{DEC_SEP}{D}+)?"
)

SYMBOL = r"(?:US\$|USD\$|A\$|AU\$|C\$|CA\$|NZ\$|HK\$|R\$|\$|€|£|¥|₹|₽|₺|₪|﷼)"
ISO = r"(?-i:USD|EUR|GBP|CHF|JPY|CNY|CAD|AUD|INR|AED|SAR|EGP|QAR|KWD|MAD|TND|BRL|MXN|SEK|NOK|DKK|PLN)"
# a prefix currency: a symbol (space optional) or an ISO code (space required)
PRE = rf"(?:{SYMBOL}{SP}?|{ISO}{SP})"

# Attached multipliers (no space): 300k, 5m, 2bn, 300mila
ATTACHED_MULT = {
    "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "B": 1e9,
    "mld": 1e9, "Mio": 1e6, "Mrd": 1e9, "mila": 1e3,
}


@dataclass(frozen=True)
class LangTable:
    currency_words: tuple[str, ...] = ()  # after the number (and before, for a few)
    currency_links: tuple[str, ...] = ()  # "di", "de", "of": 50 milioni di dollari
    multipliers: dict = None  # spaced multiplier words -> value
    number_words: dict = None  # "mezzo milione" -> value (multiplier included)
    connectors: tuple[str, ...] = ()  # range connectors usable anywhere
    between_words: tuple[str, ...] = ()  # words that open "between X and Y"
    and_words: tuple[str, ...] = ()  # "and" connectors, only after a between word
    range_articles: tuple[str, ...] = ()  # "tra i 300 e i 900": article after the connector
    periods: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()  # gross/net: "netti al mese", "bruts annuels", "brutto im Monat"
    pay_verbs: tuple[str, ...] = ()


TABLES: dict[str, LangTable] = {
    "en": LangTable(
        currency_words=("US dollars", "U.S. dollars", "American dollars", "Canadian dollars", "Australian dollars",
                        "Hong Kong dollars", "dollars", "dollar", "bucks", "euros", "euro", "pounds sterling", "pounds", "pound",
                        "yen", "rupees", "francs", "dirhams", "riyals"),
        currency_links=("of",),
        multipliers={"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
                     "trillion": 1e12},
        number_words={"half a million": 5e5, "a million": 1e6, "one million": 1e6, "a billion": 1e9,
                      "half a billion": 5e8, "a thousand": 1e3},
        connectors=("-", "–", "—", "to", "up to"),
        between_words=("between", "from"),
        and_words=("and",),
        periods=("a year", "per year", "per annum", "a month", "per month", "a week", "per week", "a day",
                 "per day", "an hour", "per hour", "annually", "yearly", "monthly", "weekly", "daily",
                 "hourly", "/year", "/yr", "/month", "/mo", "/week", "/day", "/hour", "/hr", "/h"),
        qualifiers=("gross", "net", "before tax", "pre-tax", "after tax"),
        pay_verbs=("paid", "pays", "pay", "paying", "earn", "earns", "earned", "earning", "receive", "receives",
                   "received", "receiving", "make", "makes", "making", "made", "salary of",
                   "wage of", "wages of", "salaries of", "offers", "offered", "offering"),
    ),
    "it": LangTable(
        currency_words=("dollari americani", "dollari statunitensi", "dollari USA", "dollari canadesi",
                        "dollari australiani", "dollari", "dollaro", "euro", "sterline", "sterlina", "franchi", "franco svizzero",
                        "yen", "rupie", "dirham"),
        currency_links=("di",),
        multipliers={"mila": 1e3, "mille": 1e3, "milione": 1e6, "milioni": 1e6, "miliardo": 1e9,
                     "miliardi": 1e9, "mln": 1e6, "mld": 1e9},
        number_words={"mezzo milione": 5e5, "un milione": 1e6, "un miliardo": 1e9, "mezzo miliardo": 5e8,
                      "mille": 1e3},
        connectors=("-", "–", "—", "a", "ai", "agli", "al", "fino a", "fino ai"),
        between_words=("tra", "fra", "da", "dai", "dagli", "dal"),
        and_words=("e",),
        range_articles=("i", "gli"),
        periods=("l'anno", "l’anno", "all'anno", "all’anno", "annui", "annuo", "annuali", "annuale",
                 "al mese", "mensili", "mensile", "al giorno", "giornalieri", "all'ora", "all’ora",
                 "l'ora", "l’ora", "a settimana", "alla settimana"),
        qualifiers=("lordi", "netti", "lordo", "netto"),
        pay_verbs=("paga", "pagare", "pagato", "pagati", "pagata", "pagate", "pagano", "pagando",
                   "guadagna", "guadagnano", "guadagnare", "guadagnerebbe", "guadagnerebbero",
                   "riceve", "ricevono", "ricevere", "percepisce", "percepiscono", "stipendio di",
                   "retribuzione di", "compenso di", "offre", "offrono"),
    ),
    "fr": LangTable(
        currency_words=("dollars américains", "dollars US", "dollars canadiens", "dollars australiens", "dollars",
                        "dollar", "euros", "euro", "livres sterling", "livres", "francs suisses",
                        "francs", "dirhams", "dinars", "yens"),
        currency_links=("de", "d'", "d’"),
        multipliers={"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
                     "k": 1e3, "M": 1e6, "Md": 1e9},
        number_words={"un demi-million": 5e5, "un million": 1e6, "un milliard": 1e9},
        connectors=("-", "–", "—", "à", "a"),
        between_words=("entre", "de"),
        and_words=("et",),
        periods=("par an", "par année", "par mois", "par semaine", "par jour", "par heure", "de l'heure",
                 "de l’heure", "annuel", "annuels", "annuelle", "annuelles", "mensuel", "mensuels",
                 "/an", "/mois", "/jour", "/h"),
        qualifiers=("bruts", "brut", "nets", "net"),
        pay_verbs=("payé", "payés", "payée", "payées", "paie", "paye", "payer", "gagne", "gagnent", "gagner",
                   "touche", "touchent", "toucher", "reçoit", "reçoivent", "recevoir", "rémunéré",
                   "rémunérés", "rémunérée", "salaire de", "offre", "offrait", "offrent"),
    ),
    "es": LangTable(
        currency_words=("dólares", "dólar", "dolares", "dolar", "euros", "euro", "pesos", "libras"),
        currency_links=("de",),
        multipliers={"mil": 1e3, "millón": 1e6, "millones": 1e6, "mil millones": 1e9},
        number_words={"medio millón": 5e5, "un millón": 1e6},
        connectors=("-", "–", "—", "a", "hasta"),
        between_words=("entre", "de", "desde"),
        and_words=("y",),
        periods=("al año", "por año", "anuales", "anual", "al mes", "por mes", "mensuales", "al día", "por día",
                 "por hora", "la hora"),
        qualifiers=("brutos", "netos", "brutas", "netas"),
        pay_verbs=("paga", "pagan", "pagar", "pagado", "pagados", "gana", "ganan", "ganar", "cobra", "cobran",
                   "cobrar", "recibe", "reciben", "salario de", "sueldo de", "ofrece"),
    ),
    "de": LangTable(
        currency_words=("Dollar", "US-Dollar", "Euro", "Franken", "Pfund"),
        currency_links=(),
        multipliers={"Tausend": 1e3, "Mio.": 1e6, "Mio": 1e6, "Million": 1e6, "Millionen": 1e6,
                     "Mrd.": 1e9, "Milliarde": 1e9, "Milliarden": 1e9},
        number_words={"eine halbe Million": 5e5, "eine Million": 1e6},
        connectors=("-", "–", "—", "bis"),
        between_words=("zwischen", "von"),
        and_words=("und",),
        periods=("pro Jahr", "im Jahr", "jährlich", "pro Monat", "im Monat", "monatlich", "pro Tag",
                 "am Tag", "pro Stunde", "die Stunde"),
        qualifiers=("brutto", "netto"),
        pay_verbs=("verdient", "verdienen", "bezahlt", "zahlt", "zahlen", "erhält", "erhalten",
                   "Gehalt von", "bietet"),
    ),
    "pt": LangTable(
        currency_words=("dólares", "dólar", "euros", "euro", "reais", "libras"),
        currency_links=("de",),
        multipliers={"mil": 1e3, "milhão": 1e6, "milhões": 1e6, "bilhão": 1e9, "bilhões": 1e9},
        number_words={"meio milhão": 5e5, "um milhão": 1e6},
        connectors=("-", "–", "—", "a", "até"),
        between_words=("entre", "de"),
        and_words=("e",),
        periods=("por ano", "ao ano", "anuais", "anual", "por mês", "ao mês", "mensais", "por dia", "ao dia",
                 "por hora"),
        qualifiers=("brutos", "líquidos"),
        pay_verbs=("paga", "pagam", "pagar", "pago", "pagos", "ganha", "ganham", "ganhar", "recebe", "recebem",
                   "salário de", "oferece"),
    ),
    "ar": LangTable(
        currency_words=("دولار أمريكي", "دولار أميركي", "ريال سعودي", "ريال قطري", "ريال عماني", "جنيه مصري",
                        "درهم إماراتي", "درهم مغربي", "دينار كويتي", "دينار أردني", "دينار جزائري", "دينار تونسي",
                        "ليرة تركية", "ليرة لبنانية", "ليرة سورية", "دولارات أمريكية", "دولارات", "دولاراً", "دولارًا", "دولار", "يورو",
                        "جنيه إسترليني", "جنيهات", "جنيهاً", "جنيهًا", "جنيه", "ريالات", "ريالاً", "ريال",
                        "دراهم", "درهماً", "درهم", "دنانير", "ديناراً", "دينار", "ليرة", "ليرات"),
        currency_links=(),
        multipliers={"ألف": 1e3, "الف": 1e3, "آلاف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9,
                     "مليارات": 1e9},
        number_words={"نصف مليون": 5e5, "مليون": 1e6, "مليار": 1e9},
        connectors=("-", "–", "—", "إلى", "الى", "حتى"),
        between_words=("بين", "من"),
        and_words=("و",),
        periods=("سنوياً", "سنويًا", "سنويا", "في السنة", "في العام", "بالسنة", "شهرياً", "شهريًا", "شهريا",
                 "في الشهر", "يومياً", "يوميًا", "يوميا", "في اليوم", "بالساعة", "في الساعة"),
        pay_verbs=("براتب", "راتب", "رواتب", "يتقاضى", "يتقاضون", "تتقاضى", "يحصل على", "يدفع", "تدفع",
                   "بأجر", "أجر", "مقابل"),
    ),
}

LANGS = tuple(TABLES)
# a word must not continue into more letters or digits (Latin or Arabic)
END_WORD = r"(?![\p{L}\p{M}\p{N}])"
# an Arabic word may carry a conjunction/preposition letter before it (و, ب, ل)
ARABIC_PREFIX = "[وبل]?"


def _alt(words, *, sort=True) -> str:
    words = sorted(set(words), key=len, reverse=True) if sort else list(words)
    parts = []
    for w in words:
        pieces = []
        for ch in w:
            if ch == " ":
                pieces.append(SP)  # any kind of space between words
            elif ch in "'’":
                pieces.append("['’]")  # either apostrophe
            else:
                pieces.append(regex.escape(ch))
        parts.append("".join(pieces))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


def _merge(tables: list[LangTable]) -> LangTable:
    def cat(attr):
        out: list[str] = []
        for t in tables:
            out.extend(getattr(t, attr) or ())
        return tuple(dict.fromkeys(out))

    def dcat(attr):
        out: dict = {}
        for t in tables:
            out.update(getattr(t, attr) or {})
        return out

    return LangTable(
        currency_words=cat("currency_words"), currency_links=cat("currency_links"),
        multipliers=dcat("multipliers"), number_words=dcat("number_words"), connectors=cat("connectors"),
        between_words=cat("between_words"), and_words=cat("and_words"), range_articles=cat("range_articles"),
        periods=cat("periods"), qualifiers=cat("qualifiers"), pay_verbs=cat("pay_verbs"),
    )


class _Compiled:
    def __init__(self, table: LangTable):
        self.table = table
        self.mult_values = {k.lower(): v for k, v in (table.multipliers or {}).items()}
        self.word_values = {k.lower(): v for k, v in (table.number_words or {}).items()}
        cur_word = _alt(table.currency_words)
        link = _alt(table.currency_links)
        mult_word = _alt((table.multipliers or {}).keys())
        attached = "(?-i:" + _alt(ATTACHED_MULT.keys()) + ")"
        number_word = _alt((table.number_words or {}).keys())
        # Arabic words may carry a prefix letter; ألف and currency words are fine bare too
        self.atom = regex.compile(
            rf"""
            (?<![\p{{N}}_.,\p{{Latin}}\p{{Greek}}\p{{Cyrillic}}$€£¥₹])
            (?P<pre>{PRE})?
            (?:
                (?P<num>{NUMBER})
                (?:
                    (?P<att>{attached}){END_WORD}
                  | {SP}?(?P<mult>{ARABIC_PREFIX}{mult_word}){END_WORD}
                )?
              | (?<![\p{{L}}\p{{M}}])(?P<word>{number_word}){END_WORD}
            )
            (?!{SP}?%|{D}|\p{{Latin}})
            (?P<post>
                {SP}?(?P<postsym>{SYMBOL}|{ISO}{END_WORD})
              | {SP}(?:{link}{SP}?)?(?P<postword>{ARABIC_PREFIX}{cur_word}){END_WORD}
            )?
            """,
            regex.VERBOSE | regex.IGNORECASE | regex.V0,
        )
        # pieces are case-insensitive, but "K"/"M"/"B" multipliers come from a fixed table anyway
        self.connector = regex.compile(
            rf"(?:{SP}*(?:{_alt([c for c in table.connectors if not c[0].isalpha()])}){SP}*"
            rf"|{SP}+(?:{_alt([c for c in table.connectors if c[0].isalpha()])}){SP}+"
            rf"(?:{_alt(table.range_articles)}{SP}+)?)\Z",
            regex.IGNORECASE,
        )
        self.and_connector = regex.compile(
            rf"{SP}+{_alt(table.and_words)}{SP}*(?:{_alt(table.range_articles)}{SP}+)?\Z", regex.IGNORECASE
        )
        self.between = regex.compile(
            rf"(?<![\p{{L}}\p{{M}}]){_alt(table.between_words)}{SP}+"
            rf"(?:(?:the|i|gli|les|los|las|the)\s+)?\Z",
            regex.IGNORECASE,
        )
        self.period = regex.compile(
            rf"(?:{SP}?(?:{_alt([p for p in table.periods if p.startswith('/')])})"
            rf"|{SP}+(?:{_alt([p for p in table.periods if not p.startswith('/')])})){END_WORD}",
            regex.IGNORECASE,
        )
        # anchors: a digit, or the first letters of the last word of a number word
        # ("mezzo milione" -> "mil"), so that the atom pattern only runs near them
        heads = sorted({w.split()[-1][:3] for w in (table.number_words or {})})
        self.anchor = regex.compile(
            rf"{D}+" + (rf"|(?i:{'|'.join(regex.escape(h) for h in heads)})" if heads else "")
        )
        self.qualifier = regex.compile(rf"{SP}+{_alt(table.qualifiers)}{END_WORD}", regex.IGNORECASE)
        self.pay = regex.compile(
            rf"(?<![\p{{L}}\p{{M}}]){_alt(table.pay_verbs)}"
            rf"(?:{SP}+[\p{{L}}'’]+){{0,2}}?{SP}+\Z",
            regex.IGNORECASE,
        )


@lru_cache(maxsize=None)
def _compiled(lang: str | None) -> _Compiled:
    if lang in TABLES:
        # the language's own table plus the script-neutral bits (symbols, ISO codes, "/h")
        tables = [TABLES[lang]] if lang == "en" else [TABLES[lang], _symbols_only()]
        return _Compiled(_merge(tables))
    return _Compiled(_merge(list(TABLES.values())))


@lru_cache(maxsize=None)
def _symbols_only() -> LangTable:
    en = TABLES["en"]
    return LangTable(connectors=("-", "–", "—"), periods=tuple(p for p in en.periods if p.startswith("/")))


# --- atoms --------------------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


_GROUP_CHARS = regex.compile(r"[ \u00A0\u202F\u2009'’\u066C]")
_SPACES = regex.compile(r"\s+")


def parse_number(raw: str) -> float | None:
    """The value of a number as written: '300,000', '450.000', '300 000', '1,5', '٣٠٠'."""
    s = raw.translate(_DIGITS)
    s = _GROUP_CHARS.sub("", s).replace("\u066B", ".")
    seps = [c for c in s if c in ",."]
    if not seps:
        return float(s) if s else None
    last = max(s.rfind(","), s.rfind("."))
    tail = s[last + 1:]
    if len(set(seps)) == 1 and (len(seps) > 1 or len(tail) == 3):
        # one kind of separator, repeated or followed by exactly 3 digits: thousands
        return float(s.replace(",", "").replace(".", ""))
    head = s[:last].replace(",", "").replace(".", "")
    try:
        return float(f"{head}.{tail}")
    except ValueError:
        return None


@dataclass
class _Atom:
    start: int
    end: int
    value: float | None
    has_currency: bool
    has_mult: bool


ANCHOR_BEFORE = 40  # room for a prefix currency or "half a" before a digit or a multiplier word
ANCHOR_AFTER = 100  # room for a multiplier, "di"/"de" and a currency word after it


def _chunks(text: str, c: _Compiled):
    """Stretches of ``text`` around digits and number words, merged: the full
    atom pattern only runs there (it is much slower than the anchor scan)."""
    n = len(text)
    cs = ce = -1
    for m in c.anchor.finditer(text):
        s, e = max(0, m.start() - ANCHOR_BEFORE), min(n, m.end() + ANCHOR_AFTER)
        if s <= ce:
            ce = max(ce, e)
            continue
        if ce >= 0:
            yield cs, ce
        cs, ce = s, e
    if ce >= 0:
        yield cs, ce


def _atoms(text: str, c: _Compiled) -> list[_Atom]:
    out = []
    last_end = 0
    for cs, ce in _chunks(text, c):
        for m in c.atom.finditer(text, max(cs, last_end), ce):
            last_end = m.end()
            atom = _atom(m, c)
            if atom is not None:
                out.append(atom)
    return out


def _atom(m, c: _Compiled) -> _Atom | None:
    if m.group("num") is None and m.group("word") is None:
        return None
    if m.group("word") is not None:
        value = c.word_values.get(_SPACES.sub(" ", m.group("word")).lower())
        has_mult = True
    else:
        value = parse_number(m.group("num"))
        has_mult = bool(m.group("att") or m.group("mult"))
        if value is not None and m.group("att"):
            value *= ATTACHED_MULT.get(m.group("att"), ATTACHED_MULT.get(m.group("att").lower(), 1))
        elif value is not None and m.group("mult"):
            word = _SPACES.sub(" ", m.group("mult")).lower()
            mult = c.mult_values.get(word) or c.mult_values.get(word[1:], 1)
            value *= mult
    has_currency = bool(m.group("pre") or m.group("post"))
    return _Atom(m.start(), m.end(), value, has_currency, has_mult)


def _range_ok(left: _Atom, right: _Atom) -> bool:
    if not (left.has_currency or right.has_currency):
        return False
    if left.value is None or right.value is None:
        return True
    lv = left.value
    # a shared multiplier: "300 و900 ألف", "300 to 900 thousand dollars", "30-40k €"
    if not left.has_mult and right.has_mult and lv < right.value / 1000 + 1e-9:
        for scale in (1e3, 1e6, 1e9):
            if lv * scale <= right.value and right.value / scale < 1000:
                lv *= scale
                break
    return lv <= right.value and lv > 0


def _period_end(text: str, pos: int, c: _Compiled) -> int | None:
    """End of the per-period expression right after ``pos`` (with an optional
    gross/net qualifier before or after it), or None when there is none."""
    end = pos
    seen_period = seen_qualifier = False
    while True:
        if not seen_period and (m := c.period.match(text, end)):
            end, seen_period = m.end(), True
        elif not seen_qualifier and (m := c.qualifier.match(text, end)):
            end, seen_qualifier = m.end(), True
        else:
            break
    return end if seen_period or seen_qualifier else None


def find(text: str, lang: str | None = None) -> list[Suggestion]:
    """Salary spans in ``text`` (canonical text); see the module docstring."""
    c = _compiled(_base_lang(lang) if _base_lang(lang) in TABLES else None)
    atoms = _atoms(text, c)
    results: list[Suggestion] = []
    i = 0
    n = len(atoms)
    while i < n:
        first = atoms[i]
        group = [first]
        j = i
        while j + 1 < n:
            a, b = atoms[j], atoms[j + 1]
            if not (a.has_currency or b.has_currency) or b.start - a.end > 20:
                break
            between_text = text[a.end:b.start]
            if "\n" in between_text:
                break
            joined = bool(c.connector.match(between_text))
            if not joined and c.and_connector.match(between_text) and j == i:
                opener = text[max(0, first.start - 40):first.start]
                joined = bool(c.between.search(opener))
            if not (joined and _range_ok(a, b)):
                break
            group.append(b)
            j += 1
            if len(group) == 2:
                break  # a range has two ends
        start, end = group[0].start, group[-1].end
        has_currency = any(a.has_currency for a in group)
        rule = "range" if len(group) > 1 else "amount"
        period_end = _period_end(text, end, c)
        if not has_currency:
            # bare amount: only in a pay context, with a period or a multiplier
            if not (period_end is not None or any(a.has_mult for a in group)) or not c.pay.search(
                text[max(0, start - 60):start]
            ):
                i = j + 1
                continue
            rule = "pay-context"
        if period_end is not None:
            end = period_end
            rule += "+period"
        results.append(Suggestion(start, end, LABEL, text[start:end], f"salary:{rule}"))
        i = j + 1
    return results
