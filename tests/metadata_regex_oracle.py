"""The title and date rules as they were written with the `regex` module (before 2026-12-06): the
oracle that tests/unit/test_metadata_oracle.py compares reader.corpus.metadata with."""
from __future__ import annotations

import regex

from reader.text import one_line

HEAD_CHARS = 4_000
TITLE_MAX = 100
MAX_TITLE_LINES = 8

# --- metadata ------------------------------------------------------------------

_DATE_MARKER = regex.compile(
    r"\A\s*date\s*[:=]?\s*(\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)(?=\s|\Z)",
    regex.IGNORECASE,
)
_ISO_DATE = regex.compile(r"\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?(?!\d)")
_FRONT_MATTER = regex.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", regex.DOTALL)
_FM_FIELD = regex.compile(r"^([A-Za-z_]+)[ \t]*:[ \t]*(.*)$", regex.MULTILINE)
_MD_HEADING = regex.compile(r"\A#{1,6} +(.*?)(?: +#+)?\Z")
_URL_LINE = regex.compile(r"\A(?:https?://|www\.)\S*\Z", regex.IGNORECASE)
_LETTER = regex.compile(r"\p{L}")
_SENTENCE_END = regex.compile(r"[.!?。！？؟…]+[\"'”’»)\]]*(?=\s|\Z)")
_CLAUSE_BREAK = regex.compile(r"[,;:–—](?=\s)|\s[-–—](?=\s)")

#: Lines that are page furniture, never a headline (compared lower-cased).
JUNK_LINES = frozenset(
    {
        "fbpx", "advertisement", "advertising", "sponsored", "ad", "ads",
        "pubblicità", "publicité", "publicidad", "werbung", "إعلان",
        "share", "condividi", "partager", "menu", "home", "skip to content",
        "cookie", "cookies", "subscribe", "loading...", "print", "email",
    }
)


def derive_metadata(text: str) -> tuple[str, str | None]:
    """``(title, date)`` from the start of a document's canonical text.

    Date
        Several sources begin with a marker such as `` date 2023-07`` or
        ``date: 2023-08-01``. Its ISO date (month precision allowed) becomes
        ``date`` and the title is looked for after it. Markdown front matter
        (``---`` ... ``---`` at the very start) gives ``title:`` and ``date:``
        the same way. No marker: ``None``.

    Title
        The first *meaningful* line among the first ``MAX_TITLE_LINES``
        non-empty lines (of the first ``HEAD_CHARS`` characters):

        * junk lines are skipped: lines without letters, bare URLs, page
          furniture such as ``fbpx`` or ``Advertisement`` (:data:`JUNK_LINES`),
          and any line of a single word (a headline is never one word);
        * *weak* lines, of fewer than 4 words and under 30 characters, are
          section names, kickers or bylines (``Intelligenza Artificiale``
          above the real headline of seed 004): they are skipped when a strong
          line follows, and used only when none does;
        * a Markdown heading (``# Title``) is never weak: its ``#`` marks are
          dropped and it wins over longer lines below it;
        * a line up to ``TITLE_MAX`` characters is the title as it is;
        * a longer line (a headline run into its first paragraph, as in the
          seeds that start with a date marker) is cut to its first sentence
          when that fits, else at the last clause break (comma, semicolon,
          dash) or word boundary that fits, and ends with ``…``.

        Whitespace runs become single spaces and control characters are made
        inert, so the title is safe to print on one line. A document with no
        usable line gets ``""`` (callers show the id).
    """
    head = text[:HEAD_CHARS]
    date = None
    fm_title = ""
    fm = _FRONT_MATTER.match(head)
    if fm:
        head = head[fm.end():]
        for key, value in _FM_FIELD.findall(fm.group(1)):
            value = value.strip().strip("'\"").strip()
            if key.lower() == "title" and not fm_title:
                fm_title = " ".join(value.split())
            elif key.lower() == "date" and date is None:
                dm = _ISO_DATE.match(value)
                date = dm.group(0) if dm else None
    m = _DATE_MARKER.match(head)
    if m:
        date = date or m.group(1)
        head = head[m.end():]
    if fm_title:
        return one_line(_shorten(fm_title)), date
    lines: list[tuple[str, bool]] = []
    for raw in head.splitlines():
        line = " ".join(raw[: TITLE_MAX * 4].split())  # a title never needs more
        heading = False
        hm = _MD_HEADING.match(line)
        if hm:
            line, heading = hm.group(1).strip(), True
        if line:
            lines.append((line, heading))
        if len(lines) >= MAX_TITLE_LINES:
            break
    weak: str | None = None
    title = ""
    for line, heading in lines:
        if heading and _LETTER.search(line) and not _URL_LINE.match(line):
            title = line
            break
        if _is_junk(line):
            continue
        if len(line.split()) < 4 and len(line) < 30:
            weak = weak or line
            continue
        title = line
        break
    else:
        title = weak or ""
    return one_line(_shorten(title)), date


_RUN_IN = regex.compile(r"(?<=\p{Ll}) (?=(\p{Lu}[\p{L}\p{M}\p{N}]*)[\s,])")


def _run_in_headline(line: str, limit: int) -> int | None:
    """End of a headline run into its lede with no punctuation, or ``None``.

    Scraped news often glues the headline to the first sentence:
    ``Netflix amplia ... cerca persone specializzate Netflix sta cercando ...``.
    The seam is a lower-case word followed by a capitalised word that already
    appeared earlier in the line (the lede repeats the headline's subject).
    """
    for m in _RUN_IN.finditer(line, 20):
        if m.start() > limit:
            break
        word = m.group(1)
        if len(word) > 1 and regex.search(r"(?<![\p{L}\p{N}])" + regex.escape(word) + r"(?![\p{L}\p{N}])", line[: m.start()]):
            start: int = m.start()
            return start
    return None


def _is_junk(line: str) -> bool:
    if not _LETTER.search(line):
        return True
    if line.lower().strip(" .:|-") in JUNK_LINES:
        return True
    if _URL_LINE.match(line):
        return True
    return len(line.split()) < 2


def _shorten(line: str, limit: int = TITLE_MAX) -> str:
    if len(line) <= limit:
        return line
    m = _SENTENCE_END.search(line)
    if m and 20 <= m.end() <= limit:
        return line[: m.end()]
    run_in = _run_in_headline(line, limit)
    if run_in:
        return line[:run_in]
    cut = limit - 1
    window = line[:cut + 1]
    clause = None
    for cm in _CLAUSE_BREAK.finditer(window):
        if cm.start() >= limit * 0.4:
            clause = cm.start()
    if clause is not None:
        return window[:clause].rstrip() + "…"
    space = window.rfind(" ")
    if space >= limit * 0.4:
        return window[:space].rstrip(" ,;:-–—") + "…"
    return line[:cut] + "…"


__all__ = ["HEAD_CHARS", "JUNK_LINES", "MAX_TITLE_LINES", "TITLE_MAX", "derive_metadata"]
