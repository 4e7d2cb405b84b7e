"""The corpus's language pass: detection results, the store's cache of them, and overrides (no Corpus).

:class:`reader.corpus.Corpus` keeps which documents are overridden or were
detected; the work on one document is here: what detection gives for a text
(:func:`detection_entry`, the cache's format), a checked cache entry
(:func:`cached_entry`), applying an entry (:func:`apply_entry`), and setting or
clearing an override (:func:`set_override`, :func:`clear_override`).
"""
from __future__ import annotations

from reader.errors import ReaderError
from reader.lang import language
from reader.lang.langtag import normalise_tag
from reader.model import Document, Paragraph
from reader.jsonvalue import as_array, as_float, as_int
from reader.protocols import JSON, LanguageCache

def detection_entry(text: str) -> dict[str, JSON]:
    """The cacheable language result of a text (the store's cache format)."""
    lang, conf = language.detect_language(text)
    paragraphs = language.paragraph_languages(text, lang, conf)
    return {
        "lang": lang,
        "confidence": conf,
        "paragraphs": [[p.start, p.end, p.lang, p.confidence] for p in paragraphs],
    }


def cached_entry(store: LanguageCache, doc: Document) -> dict[str, JSON] | None:
    """A valid cache entry for ``doc`` or ``None`` (bad or foreign entries are ignored)."""
    try:
        entry = store.cached_language(doc.sha256)
    except (ReaderError, OSError):
        return None
    if not isinstance(entry, dict):
        return None
    lang, conf, paras = entry.get("lang"), entry.get("confidence"), entry.get("paragraphs")
    if not isinstance(lang, str) or not lang or isinstance(conf, bool) or not isinstance(conf, (int, float)):
        return None
    if normalise_tag(lang) is None:  # a tampered cache must not put an escape sequence on screen
        return None
    if not isinstance(paras, list):
        return None
    n = len(doc.text)
    for p in paras:
        if not (isinstance(p, (list, tuple)) and len(p) == 4):
            return None
        s, e, lg, c = p
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s <= e <= n):
            return None
        if not isinstance(lg, str) or isinstance(c, bool) or not isinstance(c, (int, float)):
            return None
        if normalise_tag(lg) is None:
            return None
    return entry


def remap(paragraphs: list[Paragraph], detected: str, fixed: str) -> list[Paragraph]:
    """Paragraphs that followed the detected document language follow the fixed one."""
    return [Paragraph(p.start, p.end, fixed, p.confidence) if p.lang == detected else p for p in paragraphs]


def set_override(doc: Document, lang: str, detected: tuple[str, float] | None = None) -> None:
    if doc.paragraphs is not None and detected:
        doc.paragraphs = remap(doc.paragraphs, doc.lang if doc.lang_source == "override" else detected[0], lang)
    doc.lang = lang
    doc.lang_confidence = 1.0
    doc.lang_source = "override"


def clear_override(doc: Document, detected: tuple[str, float] | None) -> None:
    """Back to the detected language, or pending when it was never detected."""
    if doc.paragraphs is not None and detected:
        doc.paragraphs = remap(doc.paragraphs, doc.lang, detected[0])
        doc.lang, doc.lang_confidence = detected
        doc.lang_source = "detected"
    else:
        doc.lang = language.UNKNOWN
        doc.lang_confidence = 0.0
        doc.lang_source = "pending"
        doc.paragraphs = None


def _paragraph(value: JSON) -> Paragraph:
    start, end, lang, confidence = as_array(value, "a detected paragraph")
    return Paragraph(as_int(start, "a paragraph's start"), as_int(end, "a paragraph's end"), str(lang),
                     as_float(confidence, "a paragraph's confidence"))


def apply_entry(doc: Document, entry: dict[str, JSON], source: str, fixed: str | None) -> tuple[str, float]:
    """Give ``doc`` the languages of a detection ``entry`` (``source``: "detected" or "cache").

    ``fixed``: a language that wins over the detected one (an override, an
    imported document's own); paragraphs that followed the detected language
    follow it. Returns the detector's (language, confidence).
    """
    detected = str(entry["lang"])
    confidence = as_float(entry["confidence"], "a detection's confidence")
    paragraphs = [_paragraph(p) for p in as_array(entry["paragraphs"], "a detection's paragraphs")]
    if fixed:
        doc.paragraphs = remap(paragraphs, detected, fixed)
        if doc.lang_source != "import":
            set_override(doc, fixed)
        return detected, confidence
    doc.lang = detected
    doc.lang_confidence = confidence
    doc.lang_source = source
    doc.paragraphs = paragraphs
    return detected, confidence


__all__ = ["apply_entry", "cached_entry", "clear_override", "detection_entry", "remap", "set_override"]
