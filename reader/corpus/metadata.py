"""Metadata of a document: its title and date, from the head of its text (no files, no Corpus).

:func:`derive_metadata` reads only the first :data:`HEAD_CHARS` characters, so
it costs the same on a book as on a tweet.
"""
from __future__ import annotations

import re
import unicodedata

from reader.text import one_line

HEAD_CHARS = 4_000
TITLE_MAX = 100
MAX_TITLE_LINES = 8

# --- metadata ------------------------------------------------------------------
#
# Standard `re` patterns and str/unicodedata tests: the titles are derived while the app starts,
# and the `regex` module would add its import and its compile times to the first screen (issue 22).
# `\s` is written `[^\S\x1c-\x1f]` where raw text is read: Python calls the four information
# separators U+001C-U+001F whitespace, Unicode (and the `regex` module these patterns came
# from) does not. Lines are whitespace-joined first (`str.split`), so none is left in them.
_SPACE = r"[^\S\x1c-\x1f]"
_DATE_MARKER = re.compile(
    rf"\A{_SPACE}*date{_SPACE}*[:=]?{_SPACE}*(\d{{4}}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)(?={_SPACE}|\Z)",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?(?!\d)")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)
_FM_FIELD = re.compile(r"^([A-Za-z_]+)[ \t]*:[ \t]*(.*)$", re.MULTILINE)
_MD_HEADING = re.compile(r"\A#{1,6} +(.*?)(?: +#+)?\Z")
_URL_LINE = re.compile(r"\A(?:https?://|www\.)\S*\Z", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?。！？؟…]+[\"'”’»)\]]*(?=\s|\Z)")
_CLAUSE_BREAK = re.compile(r"[,;:–—](?=\s)|\s[-–—](?=\s)")


def _has_letter(line: str) -> bool:
    """A letter (Unicode category L*, which is what ``str.isalpha`` tests) in ``line``."""
    return any(ch.isalpha() for ch in line)


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
        if heading and _has_letter(line) and not _URL_LINE.match(line):
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


def _is_space(ch: str) -> bool:
    """Unicode whitespace (``str.isspace`` without the information separators, see ``_SPACE``)."""
    return ch.isspace() and not "\x1c" <= ch <= "\x1f"


def _is_word_char(ch: str) -> bool:
    """A letter, mark or number (Unicode categories L*, M*, N*)."""
    return unicodedata.category(ch)[0] in "LMN"


def _run_in_headline(line: str, limit: int) -> int | None:
    """End of a headline run into its lede with no punctuation, or ``None``.

    Scraped news often glues the headline to the first sentence:
    ``Netflix amplia ... cerca persone specializzate Netflix sta cercando ...``.
    The seam is a space between a lower-case letter and a capitalised word
    (letters, marks, numbers) followed by a space or a comma, where that word
    already appeared earlier in the line, as a whole word (the lede repeats the
    headline's subject).
    """
    n = len(line)
    space = line.find(" ", 20)
    while 0 <= space <= limit:
        nxt = space + 1
        if (nxt < n and unicodedata.category(line[space - 1]) == "Ll"
                and unicodedata.category(line[nxt]) == "Lu"):
            end = nxt + 1
            while end < n and _is_word_char(line[end]):
                end += 1
            if end < n and (line[end] == "," or _is_space(line[end])) and end - nxt > 1:
                if _whole_word_in(line[nxt:end], line, space):
                    return space
        space = line.find(" ", nxt)
    return None


def _whole_word_in(word: str, line: str, stop: int) -> bool:
    """``word`` in ``line[:stop]`` with no letter or number just before or after it."""
    at = line.find(word, 0, stop)
    while at >= 0:
        before = line[at - 1] if at else ""
        after = line[at + len(word)] if at + len(word) < stop else ""
        if not (before and unicodedata.category(before)[0] in "LN") and not (after and unicodedata.category(after)[0] in "LN"):
            return True
        at = line.find(word, at + 1, stop)
    return False


def _is_junk(line: str) -> bool:
    if not _has_letter(line):
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
