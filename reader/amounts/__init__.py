"""The one amount normaliser: find amounts of money (and numbers) in text and
normalise them to ``{"min", "max", "currency", "period"}``.

Used by the salary recogniser, by hand-made salary annotations (their value),
and by parallel reading to link the same figure across languages.

```python
parse_amount("300mila ai 900mila dollari l'anno")
# {"min": 300000, "max": 900000, "currency": "USD", "period": "year"}
find_amounts(text, lang=None, numbers=False) -> list[Amount]   # offsets + values
find_amounts_in(text, spans, lang=None, numbers=False)          # the same, for each span of a long text
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

from reader.amounts.parser import (
    PERIODS,
    Amount,
    AmountValue,
    JSONValue,
    base_lang,
    check_value,
    find_amounts,
    find_amounts_in,
    normalise_text,
    number_words_value,
    parse_amount,
    parse_number,
    value_json,
)
from reader.amounts.tables import LANGS, TABLES, LangTable

__all__ = [
    "LANGS",
    "PERIODS",
    "TABLES",
    "Amount",
    "AmountValue",
    "JSONValue",
    "LangTable",
    "base_lang",
    "check_value",
    "find_amounts",
    "find_amounts_in",
    "normalise_text",
    "number_words_value",
    "parse_amount",
    "parse_number",
    "value_json",
]
