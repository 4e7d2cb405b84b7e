"""Counterpart passages and monotone alignment between documents in different languages.

Documents about the same story in several languages are rarely translations of
one another, but they state the same facts: the same salary figures, the same
names, the same quotes. This package finds, for two documents:

* **passages**: paragraphs, or sentences where a paragraph is long;
* **counterparts**: pairs of passages that share facts (``reader.align.facts``),
  each with a score and the reasons ("both state 900,000 USD; both name Engadget");
  length and position add weak evidence;
* an **alignment**: a monotone chain of the best counterparts (gaps allowed), the
  stretches between them filled by the Gale–Church length model
  (``nltk.translate.gale_church``), turned into a piecewise-linear map from
  offsets in one document to offsets in the other, for synchronised scrolling.

This package never imports textual.
"""
from __future__ import annotations

from reader.align.core import (
    Alignment,
    Counterpart,
    DocumentFacts,
    Passage,
    align,
    counterparts,
    document_facts,
    passages,
)
from reader.align.parallel import ParallelSet, pick_per_language

__all__ = [
    "Alignment",
    "Counterpart",
    "DocumentFacts",
    "ParallelSet",
    "Passage",
    "align",
    "counterparts",
    "document_facts",
    "passages",
    "pick_per_language",
]
