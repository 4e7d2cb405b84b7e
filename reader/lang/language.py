"""Language tags: a deterministic, never-raising wrapper around langdetect.

Document level
    :func:`detect_language` runs langdetect (seeded with
    ``DetectorFactory.seed = 0``, profiles loaded lazily, once, under a lock)
    on a *sample* of the text: the whole text when it is at most
    ``SAMPLE_CHARS`` characters, otherwise ``SAMPLE_CHUNKS`` slices spread
    evenly over it (cut at whitespace). So a 50 MB document costs about as much
    as a 20 kB one. Text with no letters, or anything langdetect rejects, gives
    ``("unknown", 0.0)``; the function never raises.

Paragraph level
    :func:`paragraph_languages` splits the canonical text on blank lines
    (a newline, optional whitespace, a newline) and trims each paragraph, so
    the offsets index ``Document.text`` exactly like :class:`~reader.model.Paragraph`
    expects. langdetect is unreliable on short text (on the seeds, "fbpx"
    came out ``ro``, "Netflix hires AI experts" ``ca`` and "And let's hope
    we're not wrong." ``af``), so the rule is:

    * a paragraph without letters inherits the document language;
    * a paragraph written mostly in a *different script* from the document
      (an Arabic quote in an English article, Cyrillic in French) takes the
      detector's answer whatever its length: the script alone is strong
      evidence, and the detector only picks among that script's languages;
    * a *short* paragraph (fewer than ``SHORT_LETTERS`` letters or
      ``SHORT_WORDS`` words) in the document's script inherits the document
      language: a handful of Latin words cannot tell Catalan from English;
    * a *long* paragraph in the document's script takes the detector's answer
      when it is at least ``LONG_MIN_PROB`` sure, and inherits otherwise.

    Inherited paragraphs carry the document's confidence. Only the first
    ``MAX_PARAGRAPHS`` paragraphs are listed (the rest take the document
    language through ``Document.paragraph_at`` returning ``None``), so a book
    does not make a huge cache entry. A detector call costs 2-4 ms whatever the
    paragraph's length, so at most ``DETECT_BUDGET`` paragraphs per document
    are run through it; after that, paragraphs in the document's script inherit
    and those in another script get that script's main language
    (:data:`SCRIPT_LANG`: Arabic -> ``ar``, Cyrillic -> ``ru``...). A 50 MB
    document is tagged in well under a second.

We do not restrict langdetect's candidate languages: a corpus may hold any of
its 55 languages, and the inheritance rule above is what removes the false
``ro``/``ca``/``af`` tags on short Latin-script lines.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

from reader.model import Paragraph
from reader.text import regex_pattern

UNKNOWN = "unknown"

SAMPLE_CHARS = 20_000  # texts longer than this are sampled
SAMPLE_CHUNKS = 4
PARAGRAPH_SAMPLE_CHARS = 2_000  # per paragraph, the detector reads at most this
SHORT_LETTERS = 60
SHORT_WORDS = 8
LONG_MIN_PROB = 0.90
MAX_PARAGRAPHS = 2_000
DETECT_BUDGET = 200  # detector calls per document for its paragraphs
SCRIPT_SAMPLE_LETTERS = 200

_LETTER = r"\p{L}"  # compiled on first use (reader.text.regex_pattern)
_BLANK_LINE = re.compile(r"\n\s*\n")

_lock = threading.Lock()
_factory: Any = None
_LangDetectException: Any = Exception


def _get_factory() -> Any:
    """Load langdetect's profiles once (about 0.4 s), seeded for determinism."""
    global _factory, _LangDetectException
    if _factory is not None:
        return _factory
    with _lock:
        if _factory is None:
            from langdetect import DetectorFactory, detector_factory
            from langdetect.lang_detect_exception import LangDetectException

            DetectorFactory.seed = 0
            detector_factory.init_factory()
            _LangDetectException = LangDetectException
            _factory = detector_factory._factory
            _factory.seed = 0
    return _factory


def languages() -> list[str]:
    """The language codes langdetect can answer (plus ``unknown``)."""
    return sorted(_get_factory().get_lang_list()) + [UNKNOWN]


def has_letters(text: str) -> bool:
    """True when ``text`` has a letter (``\\p{L}`` that Python also calls alphabetic)."""
    return any(m.group().isalpha() for m in regex_pattern(_LETTER).finditer(text))


def sample_text(text: str, size: int = SAMPLE_CHARS, chunks: int = SAMPLE_CHUNKS) -> str:
    """At most about ``size`` characters, spread evenly over ``text``."""
    n = len(text)
    if n <= size:
        return text
    per = size // chunks
    parts = []
    for i in range(chunks):
        start = (n - per) * i // max(1, chunks - 1)
        if start:
            ws = text.find(" ", start, start + 200)
            start = ws + 1 if ws >= 0 else start
        end = min(n, start + per)
        ws = text.rfind(" ", max(start, end - 200), end)
        if ws > start and end < n:
            end = ws
        parts.append(text[start:end])
    return "\n".join(parts)


def _probabilities(text: str, max_chars: int) -> list[tuple[str, float]]:
    """langdetect's ranked ``(lang, prob)`` list; ``[]`` when it cannot tell."""
    try:
        factory = _get_factory()
        detector = factory.create()
        detector.set_max_text_length(max_chars)
        detector.append(text)
        return [(p.lang, float(p.prob)) for p in detector.get_probabilities()]
    except _LangDetectException:
        return []
    except Exception:  # never let a detector bug reach the UI
        return []


def detect_language(text: str) -> tuple[str, float]:
    """``(lang, confidence)`` of ``text``; ``("unknown", 0.0)`` when there are no letters.

    Deterministic and never raises. Long texts are sampled (see module doc).
    """
    try:
        if not text or not has_letters(text):
            return UNKNOWN, 0.0
        probs = _probabilities(sample_text(text), SAMPLE_CHARS + SAMPLE_CHUNKS)
        if not probs and len(text) > SAMPLE_CHARS:
            # the sample missed the letters (a long run of numbers, say): read
            # a window from the first letter instead
            first = regex_pattern(_LETTER).search(text)
            if first is not None:
                window = text[first.start(): first.start() + SAMPLE_CHARS]
                probs = _probabilities(window, SAMPLE_CHARS)
    except Exception:
        return UNKNOWN, 0.0
    if not probs:
        return UNKNOWN, 0.0
    lang, prob = probs[0]
    return lang, round(prob, 6)


def split_paragraphs(text: str, limit: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: text between blank lines, edges trimmed.

    With ``limit``, stops after that many paragraphs (cheap on a book).
    """
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        _add_trimmed(text, pos, m.start(), out)
        pos = m.end()
        if limit is not None and len(out) >= limit:
            return out[:limit]
    _add_trimmed(text, pos, len(text), out)
    return out if limit is None else out[:limit]


def _add_trimmed(text: str, s: int, e: int, out: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if s < e:
        out.append((s, e))


_SCRIPT_GROUPS = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "CJK": "CJK", "IDEOGRAPHIC": "CJK"}


_script_cache: dict[str, str] = {}


def _script_of(ch: str) -> str:
    script = _script_cache.get(ch)
    if script is None:
        try:
            script = unicodedata.name(ch).split(" ", 1)[0]
        except ValueError:
            script = "UNKNOWN"
        script = _SCRIPT_GROUPS.get(script, script)
        if len(_script_cache) < 100_000:
            _script_cache[ch] = script
    return script


def dominant_script(text: str, limit: int = SCRIPT_SAMPLE_LETTERS) -> str | None:
    """The script most letters of ``text`` are written in (``LATIN``, ``ARABIC``...).

    Looks at the first ``limit`` letters only.
    """
    letters = regex_pattern(_LETTER).findall(text, 0, min(len(text), limit * 4))
    if len(letters) < limit and len(text) > limit * 4:
        for m in regex_pattern(_LETTER).finditer(text, limit * 4):
            letters.append(m.group())
            if len(letters) >= limit:
                break
    counts: dict[str, int] = {}
    for ch in letters[:limit]:
        script = _script_of(ch)
        counts[script] = counts.get(script, 0) + 1
    counts.pop("UNKNOWN", None)
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


RTL_LANGS = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku", "ckb", "syr", "arc"})
RTL_SCRIPTS = frozenset({"ARABIC", "HEBREW", "SYRIAC", "THAANA", "NKO", "ADLAM", "SAMARITAN", "MANDAIC"})


def text_direction(lang: str | None, text: str = "") -> str:
    """"rtl" or "ltr": by the language when it is known, else by the text's dominant script."""
    base = (lang or "").split("-")[0].lower()
    if base and base not in ("unknown", "und"):
        return "rtl" if base in RTL_LANGS else "ltr"
    return "rtl" if dominant_script(text) in RTL_SCRIPTS else "ltr"


def _is_short(chunk: str) -> bool:
    letters = 0
    for _ in regex_pattern(_LETTER).finditer(chunk):
        letters += 1
        if letters >= SHORT_LETTERS:
            break
    return letters < SHORT_LETTERS or len(chunk.split(None, SHORT_WORDS)) < SHORT_WORDS


#: The main language of a script, for paragraphs past the detection budget.
SCRIPT_LANG = {
    "ARABIC": "ar", "CYRILLIC": "ru", "GREEK": "el", "HEBREW": "he", "HANGUL": "ko",
    "THAI": "th", "DEVANAGARI": "hi", "BENGALI": "bn", "TAMIL": "ta", "TELUGU": "te",
    "GUJARATI": "gu", "GURMUKHI": "pa", "KANNADA": "kn", "MALAYALAM": "ml", "CJK": "zh-cn",
}


_NO_SCRIPT = "-"


def paragraph_language(chunk: str, doc_lang: str, doc_conf: float, doc_script: str | None,
                       may_detect: bool = True, script: str | None = _NO_SCRIPT) -> tuple[str, float]:
    """The language of one paragraph under the inheritance rule of the module doc.

    ``may_detect=False`` (past the budget) answers without calling the detector.
    ``script`` is ``dominant_script(chunk)`` when the caller has it already.
    """
    if script == _NO_SCRIPT:
        script = dominant_script(chunk)
    if script is None or not has_letters(chunk):
        return doc_lang, doc_conf
    other_script = script is not None and doc_script is not None and script != doc_script
    if doc_lang == UNKNOWN or other_script:
        probs = _probabilities(chunk, PARAGRAPH_SAMPLE_CHARS) if may_detect else []
        if probs:
            return probs[0][0], round(probs[0][1], 6)
        if other_script and script in SCRIPT_LANG:
            return SCRIPT_LANG[script], 0.5
        return doc_lang, doc_conf
    if _is_short(chunk) or not may_detect:
        return doc_lang, doc_conf
    probs = _probabilities(chunk, PARAGRAPH_SAMPLE_CHARS)
    if probs and probs[0][1] >= LONG_MIN_PROB:
        return probs[0][0], round(probs[0][1], 6)
    return doc_lang, doc_conf


def _needs_detector(chunk: str, doc_lang: str, doc_script: str | None, script: str | None) -> bool:
    """Whether :func:`paragraph_language` would call the detector (for the budget)."""
    if script is None:
        return False
    if doc_lang == UNKNOWN or (script is not None and doc_script is not None and script != doc_script):
        return True
    return not _is_short(chunk)


def paragraph_languages(text: str, doc_lang: str, doc_confidence: float | None = None) -> list[Paragraph]:
    """One :class:`Paragraph` per blank-line-separated paragraph (first ``MAX_PARAGRAPHS``).

    ``doc_lang`` is what short paragraphs inherit (see the module doc).
    ``doc_confidence`` is the confidence they carry (default 1.0 when
    ``doc_lang`` is known, else 0.0). Never raises.
    """
    if doc_confidence is None:
        doc_confidence = 0.0 if doc_lang == UNKNOWN else 1.0
    try:
        bounds = split_paragraphs(text, MAX_PARAGRAPHS)
        if not bounds:
            return []
        doc_script = dominant_script(sample_text(text, 4_000))
        out = []
        budget = DETECT_BUDGET
        for s, e in bounds:
            chunk = text[s:e]
            script = dominant_script(chunk)
            may_detect = budget > 0
            if may_detect and _needs_detector(chunk, doc_lang, doc_script, script):
                budget -= 1
            lang, conf = paragraph_language(chunk, doc_lang, doc_confidence, doc_script, may_detect, script)
            out.append(Paragraph(s, e, lang, conf))
        return out
    except Exception:
        return []
