"""Is an amount pay or other money? Cue words around it decide, per language.

A salary is money paid for work: a salary, wage, hourly or daily rate, fee,
bonus or pay range. The words around an amount say so (``salary``,
``stipendio``, ``rémunéré``, ``راتب``, ``sueldo``, ``Gehalt``...), and other
words rule it out (``fine``, ``revenue``, ``budget``, ``price``, ``rent``,
``worth``...). :func:`pay_score` weighs the cues of the clause around the
amount (nearer counts more; the cues before a neighbouring amount belong to
it), adds the pay period when there is one, and returns a score in [0, 1]
with the reason of the strongest signal: ``cue 'salary' 3 words before``.
Pay bands are pay cues (``pay band``, ``fascia di mercato``, ``fourchette``);
*market* words rule an amount out only in market-size phrases (``market
share``, ``quota di mercato``, ``Marktwert``); a strong pay cue in the clause
halves the weak exclusions (``earns $4,000 before tax``).

Cue forms: ``word`` exact, ``stem*`` prefix, ``*stem`` suffix (German
compounds: ``*gehalt``), both for "contains". Arabic words are matched after
removing harakat and the usual attached prefixes and suffixes (و ف ب ل ك ال /
ه ها هم ات ة ي ا ون ين).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import regex

# weight > 0: pay; < 0: other money. 3 strong, 2 medium, 1 weak.
CUES: dict[str, dict[str, float]] = {
    "en": {
        "salary": 3, "salaries": 3, "wage": 3, "wages": 3, "pay": 2, "paid": 2, "pays": 2, "paying": 1.5,
        "payroll": 2, "earn": 3, "earns": 3, "earned": 3, "earning": 3, "earnings": 2.5, "hourly": 2.5,
        "stipend": 3, "compensation": 2.5, "remuneration": 3, "bonus": 2.5, "bonuses": 2, "raise": 2,
        "fee": 1.5, "fees": 1, "rate": 1.5, "make": 1.5, "makes": 2, "made": 1.5, "making": 1.5,
        "income": 1.5, "offered": 1.5, "offers": 1.5, "offer": 1.5, "job": 1.5, "jobs": 1.5, "role": 1.5, "position": 1.5, "positions": 1.5, "receive": 1.5, "receives": 1.5, "received": 1.5, "receiving": 1.5, "hire": 1.5, "hired": 1.5, "contract": 1.5,
        "starting": 1.5, "overtime": 2, "package": 2.5, "packages": 2.5, "wage bill": 2.5, "payroll costs": 2,
        "workers": 1, "employees": 1, "staff": 1, "engineers": 1, "nurses": 1, "teachers": 1, "drivers": 1,
        "settle": -4, "settled": -4, "lawsuit": -3, "take-home": 3, "gross": 1, "minimum wage": 3,
        "per hour": 2, "day rate": 3, "charges": -0.5, "charge": -0.5,
        "fine": -4, "fined": -4, "fines": -4, "penalty": -4, "penalties": -4, "revenue": -4, "revenues": -4,
        "turnover": -4, "sales": -3, "budget": -4, "budgets": -4, "grant": -4, "grants": -4, "funding": -3,
        "raised": -3, "price": -4, "prices": -4, "priced": -4, "cost": -4, "costs": -4, "costing": -4,
        "rent": -4, "rents": -4, "rented": -3, "worth": -2, "net worth": -5, "fortune": -4, "valued": -4,
        "valuation": -4, "debt": -4, "loan": -4, "bought": -3, "buy": -2, "sold": -4, "sell": -3, "sells": -3,
        "transfer fee": -5, "transfer": -2, "subscription": -4, "subscribers": -3, "ticket": -4, "tickets": -4,
        "tax": -2, "taxes": -2, "investment": -3, "invested": -3, "profit": -4, "profits": -4, "loss": -3,
        "losses": -3, "market": -0.5, "spent": -3, "spending": -3, "bill": -3, "refund": -4, "refunds": -4,
        "auction": -4, "estimate": -2, "damages": -4, "settlement": -3, "donation": -4, "donated": -4,
        "mortgage": -4, "fare": -4, "tuition": -4, "tenant": -3, "tenants": -3, "landlord": -2, "tier": -2, "plan": -1, "costs us": -4, "quarter": -1.5, "deal": -2,
        "acquisition": -4, "acquired": -3,
        # pay bands are pay; "market" rules out only in market-size phrases
        "market range": 3, "market rate": 2, "pay band": 3, "salary band": 3, "pay range": 3, "pay scale": 3,
        "salary range": 3, "pay grade": 3, "market size": -4, "market share": -4, "market cap": -4,
        "market capitalisation": -4, "market capitalization": -4, "market value": -4, "stock market": -3,
        "housing market": -3, "capitalisation": -4, "capitalization": -4,
    },
    "it": {
        "stipendi*": 3, "salari*": 3, "retribu*": 3, "paga": 2.5, "paghe": 2.5, "pagat*": 2, "pagano": 1.5,
        "guadagn*": 3, "compens*": 2.5, "ingaggi*": 3, "percepisc*": 3, "percepit*": 2.5, "lordi": 1.5,
        "netti": 1, "busta paga": 3, "prend*": 1, "premio": 1.5, "premi": 1.5, "bonus": 2.5, "borsist*": 2,
        "assunt*": 1.5, "lavoratori": 1, "infermier*": 1, "insegnant*": 1, "medici": 1, "lavor*": 1.5, "posizion*": 1.5, "fascia": 1.5, "ricev*": 1.5, "offr*": 1.5, "tariffa oraria": 3, "operai": 1.5, "dipendenti": 1.5, "annuncio": 1, "ruolo": 1,
        "multa": -4, "multe": -4, "sanzion*": -4, "ammend*": -4, "fatturato": -4, "ricavi": -4, "bilancio": -3,
        "budget": -4, "finanziament*": -4, "stanziat*": -4, "fondi": -3, "prezz*": -4, "costa": -4,
        "costo": -4, "costi": -4, "costano": -4, "affitt*": -4, "canone": -4, "vale": -3, "valore": -3,
        "patrimonio": -5, "debit*": -4, "prestito": -4, "acquist*": -3, "vendut*": -4, "vendita": -4,
        "cartellino": -4, "abbonament*": -4, "biglietto": -4, "ticket": -4, "tasse": -2, "tassa": -2,
        "investiment*": -3, "utile": -4, "perdit*": -3, "mercato": -0.5, "spesa": -3, "bolletta": -4,
        "mutuo": -4, "risarciment*": -4, "donazion*": -4, "litro": -3, "liberarlo": -2, "stima": -1,
        "fascia di mercato": 3, "fascia retributiva": 3, "fascia salariale": 3, "range retributivo": 3,
        "quota di mercato": -4, "quote di mercato": -4, "valore di mercato": -4, "dimensione del mercato": -4,
        "dimensioni del mercato": -4, "capitalizzazion*": -4, "mercato immobiliare": -3, "borsa": -1,
    },
    "fr": {
        "salaire*": 3, "rémunér*": 3, "payé*": 2, "paie": 2.5, "paye": 2, "gagn*": 3, "touch*": 2.5,
        "smic": 3, "traitement": 2, "prime": 2.5, "primes": 2.5, "brut": 1.5, "bruts": 1.5, "brute": 1.5,
        "nets": 1, "taux horaire": 3, "cachet": 2.5, "honoraires": 2.5, "factur*": 1, "perçoi*": 2.5,
        "percevr*": 2.5, "embauch*": 1.5, "salariés": 1, "employés": 1, "ouvriers": 1, "infirmi*": 1, "serveur*": 1, "poste": 1.5, "postes": 1.5, "emploi*": 1.5, "offr*": 1.5, "reçoi*": 1.5, "recevr*": 1.5, "saisonniers": 1.5, "enseignants": 1,
        "amende*": -4, "pénalit*": -4, "chiffre d'affaires": -5, "recettes": -4, "budget": -4,
        "subvention*": -4, "prix": -4, "coût*": -4, "coûte": -4, "coûté": -4, "loyer*": -4, "loue": -3,
        "vaut": -3, "valeur": -3, "fortune": -4, "patrimoine": -4, "dette*": -4, "prêt": -4, "achat": -3,
        "acheté": -3, "vendu*": -4, "vente": -4, "transfert": -4, "abonnement": -4, "billet": -4,
        "ticket": -4, "taxe": -2, "impôt*": -2, "investissement*": -3, "bénéfice*": -4, "perte*": -3,
        "marché": -0.5, "dépense*": -3, "caution": -3, "dommages": -4, "évaluée": -3,
        "évalué": -3, "coût total": -4, "passe": -0.5,
        "fourchette": 2, "fourchette salariale": 3, "grille salariale": 3, "part de marché": -4,
        "parts de marché": -4, "valeur de marché": -4, "taille du marché": -4, "capitalisation": -4,
    },
    "es": {
        "sueldo*": 3, "salari*": 3, "cobra*": 3, "cobr*": 2.5, "gana*": 3, "ganar": 3, "pag*": 1.5,
        "remunera*": 3, "retribu*": 3, "nómina": 3, "brutos": 1.5, "netos": 1, "honorarios": 2.5,
        "bono": 2, "prima": 2, "jornal": 3, "contrat*": 1.5, "trabajadores": 1, "empleados": 1, "profesor*": 1, "enfermer*": 1, "puesto*": 1.5, "empleo*": 1.5, "ofrec*": 1.5, "recib*": 1.5, "camareros": 1, "repartidores": 1,
        "multa*": -4, "sancion*": -4, "facturación": -4, "ingresos": -2, "presupuesto": -4,
        "subvenci*": -4, "precio*": -4, "cuesta": -4, "costó": -4, "coste": -4, "costo": -4, "alquil*": -4,
        "renta": -2, "vale": -3, "valor": -3, "fortuna": -4, "patrimonio": -4, "deuda*": -4,
        "préstamo": -4, "compra*": -3, "compró": -3, "vend*": -4, "venta": -4, "traspaso": -4,
        "fichaje": -1, "cláusula": -3, "suscripci*": -4, "entrada": -3, "billete": -4, "impuesto*": -2,
        "inversi*": -3, "beneficio*": -4, "pérdidas": -3, "mercado": -0.5, "gasto*": -3, "factura": -3,
        "hipoteca": -4, "indemnizaci*": -3, "pedían": -2, "pedía": -2, "piso": -1.5,
        "banda salarial": 3, "horquilla": 2, "horquilla salarial": 3, "cuota de mercado": -4,
        "valor de mercado": -4, "tamaño del mercado": -4, "capitalizaci*": -4,
    },
    "de": {
        "*gehalt": 3, "*gehälter": 3, "gehalt*": 3, "*lohn": 3, "*löhne": 3, "lohn*": 3, "verdien*": 3,
        "vergütung*": 3, "vergütet": 3, "bezahlt": 2, "bezahlung": 3, "honorar": 2.5, "bonus": 2.5,
        "prämie": 2, "brutto": 1.5, "netto": 1, "zuschlag": 2, "tarif*": 1.5, "gage": 3, "sold": 2,
        "stundensatz": 3, "tagessatz": 3, "bekommen": 1, "beschäftigte*": 1, "mitarbeiter*": 1, "arbeitnehmer*": 1, "angestellte*": 1, "erhält": 1, "zahlen": 1, "stelle": 1.5, "stellen": 1.5, "job": 1.5, "bietet": 1.5,
        "strafe": -4, "*strafe": -4, "bußgeld": -4, "umsatz": -4, "*umsatz": -4, "erlös*": -4, "budget": -4,
        "etat": -4, "haushalt": -3, "förder*": -4, "zuschuss": -4, "preis": -4, "*preis": -4, "kostet": -4,
        "kosten": -4, "kostete": -4, "*miete": -4, "miete": -4, "wert": -3, "vermögen": -4, "schulden": -4,
        "kredit": -4, "darlehen": -4, "kaufte": -3, "kauf": -3, "verkauft": -4, "verkauf": -4, "ablöse*": -5,
        "abo": -4, "*abo": -4, "abonnement": -4, "ticket": -4, "eintritt": -4, "steuer*": -2,
        "investition*": -3, "investiert": -3, "gewinn": -4, "verlust*": -3, "markt": -0.5, "ausgaben": -3,
        "rechnung": -3, "schadensersatz": -4, "spende*": -4, "bewilligt": -3, "geschätzt": -2,
        "marktanteil*": -4, "marktwert": -4, "marktkapitalisierung": -4, "marktvolumen": -4,
        "marktgröße": -4, "börsenwert": -4,
    },
    "ar": {
        "راتب": 3, "رواتب": 3, "مرتب": 3, "مرتبات": 3, "أجر": 3, "أجور": 3, "يتقاضى": 3, "يتقاضون": 3,
        "تتقاضى": 3, "يكسب": 3, "يكسبون": 3, "مكافأة": 2, "مكافآت": 2, "الحد الأدنى للأجور": 3, "العمال": 1.5,
        "عمال": 1.5, "توظف": 1.5, "موظف": 1, "موظفين": 1, "العاملين": 1, "عامل": 1, "يوظف": 1.5, "وظيفة": 1.5, "وظائف": 1.5, "منصب": 1.5, "يحصل": 1, "تحصل": 1, "أجرة": 1, "تعويض": 1,
        "غرامة": -4, "غرامات": -4, "إيرادات": -4, "عائدات": -4, "مبيعات": -3, "ميزانية": -4, "موازنة": -4,
        "منحة": -4, "سعر": -4, "أسعار": -4, "يكلف": -4, "تكلفة": -4, "كلفة": -4, "إيجار": -4, "قيمة": -2,
        "ثروة": -4, "ديون": -4, "دين": -3, "قرض": -4, "صفقة": -3, "شراء": -3, "اشترى": -3, "بيع": -4,
        "بيعت": -4, "باع": -4, "انتقال": -3, "اشتراك": -4, "تذكرة": -4, "ضريبة": -2, "استثمار": -3,
        "أرباح": -4, "خسائر": -3, "سوق": -0.5, "إنفاق": -3, "فاتورة": -3, "تبرع": -4, "رسوم": -2, "دفع": -1,
        "لفسخ": -2, "فسخ": -2,
        "سلم الرواتب": 3, "نطاق الأجور": 3, "سوقية": -4, "حجم السوق": -4, "حصة السوق": -4,
    },
}
CUES["pt"] = {"salário*": 3, "ganh*": 3, "receb*": 2, "pag*": 1.5, "multa": -4, "preço": -4, "custa": -4,
              "aluguel": -4, "receita": -4, "orçamento": -4}

# the pay period after (or just before) the amount: a strong hint, not proof (rents are monthly too)
PERIOD_WEIGHT = {"hour": 2.5, "day": 1.5, "week": 1.2, "month": 1.0, "year": 1.5}
BIAS = -0.5
BEFORE_WORDS = 14
AFTER_WORDS = 8

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}'’\-]*")
_CLAUSE = regex.compile(
    r"(?<!\p{N})[.!?;؛](?!\p{N})|\n"
    r"|[,،]\s*(?:while|whereas|but|während|aber|wohingegen|mentre|ma|invece|alors que|tandis que|mais"
    r"|mientras|pero|بينما|في حين|لكن)(?![\p{L}])"
)
_HARAKAT = regex.compile("[\u064B-\u0652\u0640]")
_AR_PREFIX = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_AR_SUFFIX = ("هما", "هم", "ها", "ات", "ون", "ين", "ه", "ة", "ي", "ا")


@dataclass(frozen=True)
class Signal:
    """One cue that counted: its word, weight after distance, and where it is."""

    word: str
    weight: float
    distance: int  # words between the cue and the amount (0 = adjacent)
    side: str  # "before" | "after" | "period"

    def describe(self) -> str:
        if self.side == "period":
            return f"pay period '{self.word}'"
        kind = "cue" if self.weight > 0 else "ruled out by"
        n = self.distance + 1
        return f"{kind} '{self.word}' {n} word{'s' if n != 1 else ''} {self.side}"


class _Lexicon:
    def __init__(self, cues: dict[str, float]):
        self.exact: dict[str, float] = {}
        self.prefix: list[tuple[str, float]] = []
        self.suffix: list[tuple[str, float]] = []
        self.phrases: dict[str, float] = {}
        for raw, w in cues.items():
            form = raw.lower()
            if " " in form:
                self.phrases[form] = w
            elif form.startswith("*") and form.endswith("*"):
                self.prefix.append((form.strip("*"), w))
                self.suffix.append((form.strip("*"), w))
            elif form.endswith("*"):
                self.prefix.append((form[:-1], w))
            elif form.startswith("*"):
                self.suffix.append((form[1:], w))
            else:
                self.exact[form] = w
        self.max_phrase = max((len(p.split()) for p in self.phrases), default=1)
        self._memo: dict[str, tuple[str, float] | None] = {}

    def weight(self, word: str) -> tuple[str, float] | None:
        try:
            return self._memo[word]
        except KeyError:
            pass
        hit = self._weight(word)
        if len(self._memo) < 200_000:
            self._memo[word] = hit
        return hit

    def _weight(self, word: str) -> tuple[str, float] | None:
        w = word.lower().replace("’", "'")
        if _is_arabic(w):
            forms = _arabic_forms(w)
        else:
            forms = [w] + ([w.split("'", 1)[1]] if "'" in w.rstrip("'") else [])  # l'abonnement, dell'ingaggio
        for form in forms:
            if form in self.exact:
                return form, self.exact[form]
            for p, weight in self.prefix:
                if form.startswith(p):
                    return p, weight
            for s, weight in self.suffix:
                if form.endswith(s) and len(form) > len(s):
                    return s, weight
        return None


def _is_arabic(w: str) -> bool:
    return any("\u0600" <= ch <= "\u06FF" for ch in w)


def _arabic_forms(w: str) -> list[str]:
    w = _HARAKAT.sub("", w)
    forms = [w]
    stems = [w] + [w[len(p):] for p in _AR_PREFIX if w.startswith(p) and len(w) - len(p) >= 2]
    for s in stems:
        forms.append(s)
        forms.extend(s[: -len(x)] for x in _AR_SUFFIX if s.endswith(x) and len(s) - len(x) >= 2)
    return list(dict.fromkeys(forms))


@cache
def _lexicon(lang: str | None) -> _Lexicon:
    if lang in CUES:
        return _Lexicon(CUES[lang])
    merged: dict[str, float] = {}
    for table in CUES.values():
        for k, v in table.items():
            merged.setdefault(k, v)
    return _Lexicon(merged)


def _decay(distance: int) -> float:
    return 1.0 if distance <= 2 else max(0.35, 1.0 - (distance - 2) * 0.08)


def _words(text: str) -> list[str]:
    return [m.group() for m in _WORD.finditer(text)]


def clause_break(text: str) -> bool:
    """Does ``text`` cross a clause boundary (sentence end, line break, ", while")?"""
    return _CLAUSE.search(text) is not None


def context_bounds(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The clause around ``text[start:end]``, not reaching past ``lo``/``hi``
    (the neighbouring amounts); at most ~160 characters before, ~100 after."""
    hi = len(text) if hi is None else hi
    left_lo = max(lo, start - 160)
    left = text[left_lo:start]
    cut = None
    for cut in _CLAUSE.finditer(left):
        pass
    cstart = left_lo + cut.end() if cut is not None else left_lo
    right_hi = min(hi, end + 100)
    m = _CLAUSE.search(text, end, right_hi)
    cend = m.start() if m is not None else right_hi
    return cstart, cend


def signals(text: str, start: int, end: int, lang: str | None, *, period: str | None = None,
            lo: int = 0, hi: int | None = None, after_from: int | None = None) -> list[Signal]:
    """The cues around an amount at ``text[start:end]`` (see the module docstring)."""
    lex = _lexicon(lang if lang in CUES else None)
    cstart, cend = context_bounds(text, start, end, lo, hi)
    before = _words(text[cstart:start])[-BEFORE_WORDS:]
    after = _words(text[after_from if after_from is not None else end:cend])[:AFTER_WORDS]
    out: list[Signal] = []
    for side, words in (("before", before[::-1]), ("after", after)):
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(lex.max_phrase, len(words) - i), 1, -1):
                seq = words[i:i + n][::-1] if side == "before" else words[i:i + n]
                phrase = " ".join(seq).lower().replace("’", "'")
                if phrase in lex.phrases:
                    hit = (phrase, lex.phrases[phrase], n)
                    break
            if hit is None:
                single = lex.weight(words[i])
                if single is not None:
                    hit = (words[i], single[1], 1)
            if hit is not None:
                word, weight, n = hit
                scale = _decay(i) * (0.8 if side == "after" else 1.0)
                out.append(Signal(word, weight * scale, i, side))
                i += n
            else:
                i += 1
    if period is not None:
        out.append(Signal(period, PERIOD_WEIGHT.get(period, 1.0), 0, "period"))
    return out


STRONG_PAY = 2.5  # a pay cue this strong (after distance) in the clause...
WEAK_AGAINST = 2.0  # ...halves the exclusions no stronger than this: "earns $4,000 before tax"


def _effective(s: Signal, sigs: list[Signal]) -> float:
    if -WEAK_AGAINST <= s.weight < 0 and any(o.weight >= STRONG_PAY and o.side != "period" for o in sigs):
        return s.weight / 2
    return s.weight


def pay_score(sigs: list[Signal], bias: float = BIAS) -> tuple[float, str]:
    """(score in [0, 1], reason) from the signals of one amount."""
    total = bias + sum(_effective(s, sigs) for s in sigs)
    score = 1.0 / (1.0 + math.exp(-total))
    if score >= 0.5:
        best = max((s for s in sigs if s.weight > 0), key=lambda s: s.weight, default=None)
        reason = best.describe() if best else "money, no cue against pay"
    else:
        best = min((s for s in sigs if s.weight < 0), key=lambda s: s.weight, default=None)
        reason = best.describe() if best else "no pay cue nearby"
    return round(score, 3), reason
