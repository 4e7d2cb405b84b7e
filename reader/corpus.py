"""The corpus: every ``*.txt`` / ``*.md`` file below a folder, as :class:`Document` s.

Loading never raises on a bad file. Each file that cannot be read as text
becomes a :class:`Problem` (its path and a specific reason) and the others load.
Only a missing or non-directory corpus root raises :class:`ReaderError`.

Files
    Found recursively, sorted by their relative path (folder by folder). Names
    starting with ``.`` (``.git``, editor swap files) are skipped. Symbolic
    links are followed; a link that loops, or a folder reached twice through
    links, becomes a problem instead of being walked forever. A folder named
    ``x.txt`` is walked like any folder. FIFOs, sockets and devices are not
    opened (opening a FIFO would block): they are problems. Suffixes match
    case-insensitively (``NOTES.TXT``).

Documents
    ``id`` is the path relative to the root without its suffix, with ``/``
    separators (``news/001``). When two files map to the same id
    (``a.txt`` and ``a.md``) the later one keeps its suffix (``a.md``).
    ``sha256`` is over the raw bytes; ``text`` is :func:`reader.text.decode`'s
    canonical text (UTF-8 or UTF-16 with BOM; CR and CRLF become ``\\n``; every
    other separator such as U+2028 or form feed stays a character, so offsets
    never shift). Files over :data:`MAX_FILE_BYTES` are refused with a problem
    naming their size; everything up to it loads (a 50 MB file takes well under
    a second, see ``bench/bench_corpus.py``).

Metadata (:func:`derive_metadata`) reads only the first
``HEAD_CHARS`` characters, so it costs the same on a book as on a tweet.

Languages
    ``load_corpus(detect=True)`` runs :meth:`Corpus.detect_languages`;
    ``detect=False`` leaves documents ``lang_source == "pending"`` (except
    those whose result is already in the store's cache, or overridden: looking
    those up is not detection) so the UI can detect in a worker.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import regex

from reader.lang import language
from reader.fsutil import os_reason
from reader.errors import NotTextError, ReaderError
from reader.lang.langtag import normalise_tag, tag_problem
from reader.model import Document, Paragraph
from reader.protocols import JSON, StoreAPI
from reader.text import decode, display_path, one_line, sha256_bytes

MAX_FILE_BYTES = 64 * 1024 * 1024
SUFFIXES = (".txt", ".md")
HEAD_CHARS = 4_000
TITLE_MAX = 100
MAX_TITLE_LINES = 8

Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class Problem:
    """A file that was not loaded: its path (as found under the root) and why."""

    path: str
    reason: str

    def __post_init__(self) -> None:
        # a name that is not UTF-8 arrives with lone surrogates (os.fsdecode); no UTF-8 output
        # (textual-serve's web driver, JSON) can carry them: shown as \xff escapes instead
        object.__setattr__(self, "path", display_path(self.path))

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


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


# --- reading one file ------------------------------------------------------------

def _read_bytes(path: Path, limit: int) -> bytes:
    """Read at most ``limit`` bytes (tests monkeypatch this to inject faults)."""
    with open(path, "rb") as fh:
        return fh.read(limit)


def _size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


def _too_large(size: int) -> str:
    return (
        f"file too large: {_size_text(size)} (the limit is {_size_text(MAX_FILE_BYTES)}); "
        "split it into smaller documents"
    )


def _doc_id(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(path.name)
    return rel.with_suffix("").as_posix() if rel.suffix else rel.as_posix()


def load_document(path: Path | str, root: Path | str | None = None, *, doc_id: str | None = None) -> Document:
    """Read one file into a :class:`Document` (language pending).

    Raises :class:`NotTextError` naming ``path`` and a specific reason:
    unreadable, not a regular file, too large, binary or not UTF-8/UTF-16.
    """
    path = Path(path)
    root = Path(root) if root is not None else path.parent
    if doc_id is None:
        doc_id = _doc_id(path, root)
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        raise NotTextError(display_path(path), "the file name is not valid UTF-8; rename the file") from None
    try:
        st = os.stat(path)
    except OSError as exc:
        raise NotTextError(path, os_reason(exc, "file")) from None
    if stat.S_ISDIR(st.st_mode):
        raise NotTextError(path, "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise NotTextError(path, f"not a regular file ({kind}); it was not opened")
    if st.st_size > MAX_FILE_BYTES:
        raise NotTextError(path, _too_large(st.st_size))
    try:
        raw = _read_bytes(path, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise NotTextError(path, os_reason(exc, "file")) from None
    if len(raw) > MAX_FILE_BYTES:  # grew while we read it
        raise NotTextError(path, _too_large(len(raw)))
    text, encoding = decode(raw, path)
    title, date = derive_metadata(text)
    return Document(
        id=doc_id,
        text=text,
        sha256=sha256_bytes(raw),
        path=path,
        title=title,
        date=date,
        size=len(raw),
        encoding=encoding,
    )


# --- walking the folder ---------------------------------------------------------

def _walk(root: Path) -> tuple[list[tuple[tuple[str, ...], Path]], list[Problem]]:
    """Candidate files (sorted by relative parts) and folder-level problems."""
    files: list[tuple[tuple[str, ...], Path]] = []
    problems: list[Problem] = []
    try:
        rst = os.stat(root)
        visited = {(rst.st_dev, rst.st_ino)}
    except OSError:
        visited = set()
    # stack of (folder path, relative parts, ancestor identities)
    stack: list[tuple[Path, tuple[str, ...], frozenset[tuple[int, int]]]] = [(root, (), frozenset(visited))]
    while stack:
        folder, rel, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(str(folder), os_reason(exc, "folder")))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = folder / name
            parts = rel + (name,)
            matches = Path(name).suffix.lower() in SUFFIXES
            try:
                st = os.stat(path)
            except OSError as exc:
                # a loop is always reported; a broken link or unreadable entry
                # only when it would have been a document
                if matches or exc.errno == errno.ELOOP:
                    problems.append(Problem(str(path), os_reason(exc, "file")))
                continue
            if stat.S_ISDIR(st.st_mode):
                ident = (st.st_dev, st.st_ino)
                if ident in ancestors:
                    problems.append(Problem(
                        str(path),
                        "symlink loop: this link points to a folder that contains it; not followed",
                    ))
                    continue
                if ident in visited:
                    problems.append(Problem(
                        str(path),
                        "folder already read through another path (a symlink); not read twice",
                    ))
                    continue
                visited.add(ident)
                stack.append((path, parts, ancestors | {ident}))
            elif matches:
                files.append((parts, path))
    files.sort(key=lambda item: item[0])
    return files, problems


# --- the corpus ------------------------------------------------------------------

class Corpus:
    """Documents (path order, then imported documents) and problems."""

    def __init__(self, root: Path | str, documents: Iterable[Document] = (), problems: Iterable[Problem] = ()):
        self.root = Path(root)
        self.documents: list[Document] = []
        self.problems: list[Problem] = list(problems)
        self.cache_error: str | None = None  # why the language cache could not be written
        self._by_id: dict[str, Document] = {}
        self._by_sha: dict[str, Document] = {}
        self._overrides: dict[str, str] = {}
        self._detected: dict[str, tuple[str, float]] = {}  # doc id -> detector's (lang, confidence)
        self._store: StoreAPI | None = None  # the store given to load_corpus / detect_languages, for reload
        for doc in documents:
            self._append(doc)

    # container protocol
    def __iter__(self) -> Iterator[Document]:
        return iter(list(self.documents))

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, doc_id: object) -> bool:
        if isinstance(doc_id, Document):
            doc_id = doc_id.id
        return doc_id in self._by_id

    def __repr__(self) -> str:
        return f"Corpus({str(self.root)!r}, {len(self.documents)} documents, {len(self.problems)} problems)"

    def get(self, doc_id: str) -> Document | None:
        return self._by_id.get(doc_id)

    def by_sha256(self, sha: str) -> Document | None:
        return self._by_sha.get(sha)

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.documents]

    @property
    def pending(self) -> list[Document]:
        """Documents whose languages are not known yet."""
        return [d for d in self.documents if d.paragraphs is None]

    def _append(self, doc: Document) -> None:
        self.documents.append(doc)
        self._by_id[doc.id] = doc
        self._by_sha.setdefault(doc.sha256, doc)

    def _reindex(self) -> None:
        self._by_id = {d.id: d for d in self.documents}
        self._by_sha = {}
        for d in self.documents:
            self._by_sha.setdefault(d.sha256, d)

    def add_documents(self, docs: Iterable[Document]) -> list[Document]:
        """Append imported documents (``imported=True``). A clashing id is a problem."""
        added = []
        for doc in docs:
            if doc.id in self._by_id:
                existing = self._by_id[doc.id]
                if existing.imported and existing.sha256 == doc.sha256:
                    continue
                self.problems.append(Problem(
                    f"(imported) {doc.id}",
                    "an imported document has the same id as a corpus file; it is not listed",
                ))
                continue
            doc.imported = True
            if doc.lang_source == "import" and normalise_tag(doc.lang) is None:
                doc.lang, doc.lang_confidence, doc.lang_source = "unknown", 0.0, "pending"
            if doc.id in self._overrides:
                _set_override(doc, self._overrides[doc.id])
            self._append(doc)
            added.append(doc)
        return added

    # languages
    def apply_overrides(self, overrides: dict[str, str]) -> None:
        """Set user language overrides (``{doc_id: lang}``); they win over detection."""
        # a stored override that is not a language tag (an old store, a hand edit) is ignored:
        # it would reach the terminal as the document's language
        self._overrides = {k: tag for k, v in dict(overrides or {}).items() if (tag := normalise_tag(v))}
        for doc in self.documents:
            lang = self._overrides.get(doc.id)
            if lang:
                _set_override(doc, lang, self._detected.get(doc.id))
            elif doc.lang_source == "override":
                _clear_override(doc, self._detected.get(doc.id))

    def set_language_override(self, doc_id: str, lang: str | None, store: StoreAPI | None = None) -> Document:
        """Override one document's language (``None`` or ``""`` clears it).

        With ``store`` the override is saved there first (``store.set_language_override``).
        """
        doc = self.get(doc_id)
        if doc is None:
            raise ReaderError(f"{doc_id}: no such document in {self.root}")
        if lang:
            tag = normalise_tag(lang)
            if tag is None:
                raise ReaderError(f"{doc_id}: {tag_problem(lang)}")
            lang = tag
        if store is not None:
            store.set_language_override(doc_id, lang or None)
        if lang:
            self._overrides[doc_id] = lang
            _set_override(doc, lang, self._detected.get(doc_id))
        else:
            self._overrides.pop(doc_id, None)
            _clear_override(doc, self._detected.get(doc_id))
        return doc

    def detect_languages(self, store: StoreAPI | None = None, progress: Progress | None = None,
                         should_stop: Callable[[], bool] | None = None) -> int:
        """Tag every pending document with its language and paragraph languages.

        Results come from ``store.cached_language(sha256)`` when present;
        fresh results are written back in one ``store.cache_languages({...})``
        call (also when stopped early). ``progress(done, total)`` is called per
        document; ``should_stop()`` is checked before each one. Returns the
        number of documents actually run through the detector (cache hits and
        duplicates by content do not count). Never raises on document content;
        a failure to write the cache is kept in ``self.cache_error``.
        Without ``store``, the store the corpus was loaded with is used.
        """
        if store is None:
            store = self._store
        else:
            self._store = store
        if store is not None:
            self._read_overrides(store)
        todo = self.pending
        total = len(todo)
        batch: dict[str, dict[str, JSON]] = {}
        detected = 0
        for i, doc in enumerate(todo):
            if should_stop is not None and should_stop():
                break
            entry = batch.get(doc.sha256)
            source = "detected"
            if entry is None and store is not None:
                entry = _cached(store, doc)
                source = "cache"
            if entry is None:
                entry = detection_entry(doc.text)
                batch[doc.sha256] = entry
                detected += 1
                source = "detected"
            self._apply_entry(doc, entry, source)
            if progress is not None:
                progress(i + 1, total)
        if store is not None and batch:
            try:
                store.cache_languages(batch)
                self.cache_error = None
            except (ReaderError, OSError) as exc:
                self.cache_error = str(exc)
        return detected

    def apply_cached_languages(self, store: StoreAPI) -> int:
        """Take every pending document's languages from the store cache; no detection."""
        self._read_overrides(store)
        hits = 0
        for doc in self.pending:
            entry = _cached(store, doc)
            if entry is not None:
                self._apply_entry(doc, entry, "cache")
                hits += 1
        return hits

    def _read_overrides(self, store: StoreAPI) -> None:
        try:
            overrides = store.language_overrides() or {}
        except (ReaderError, AttributeError):
            return
        self.apply_overrides({k: v for k, v in overrides.items() if isinstance(v, str) and v})

    def _apply_entry(self, doc: Document, entry: dict[str, JSON], source: str) -> None:
        detected = entry["lang"]
        self._detected[doc.id] = (detected, float(entry["confidence"]))
        paragraphs = [Paragraph(int(s), int(e), str(lg), float(c)) for s, e, lg, c in entry["paragraphs"]]
        fixed = None
        if doc.id in self._overrides:
            fixed = self._overrides[doc.id]
        elif doc.lang_source == "import" and doc.lang and doc.lang != language.UNKNOWN:
            fixed = doc.lang
        if fixed:
            doc.paragraphs = _remap(paragraphs, detected, fixed)
            if doc.lang_source != "import":
                _set_override(doc, fixed)
            return
        doc.lang = detected
        doc.lang_confidence = float(entry["confidence"])
        doc.lang_source = source
        doc.paragraphs = paragraphs

    # files
    def reload(self, doc_id: str, *, store: StoreAPI | None = None, detect: bool | None = None) -> Document:
        """Re-read one document's file (it was edited while open) and return the new Document.

        The new object replaces the old one in ``documents``. Unchanged content
        keeps its languages; changed content is detected again when the old
        document had been (``detect=None``), via ``store``'s cache when given.
        Raises :class:`ReaderError` naming the file when it is gone or no
        longer text. Imported documents have no file and are returned as they are.
        Without ``store``, the store the corpus was loaded with is used.
        """
        if store is None:
            store = self._store
        old = self.get(doc_id)
        if old is None:
            raise ReaderError(f"{doc_id}: no such document in {self.root}")
        if old.imported or old.path is None:
            return old
        if not os.path.lexists(old.path):
            raise ReaderError(f"{old.path}: the file was deleted or moved while it was open")
        new = load_document(old.path, self.root, doc_id=old.id)
        if new.sha256 == old.sha256:
            new.lang, new.lang_confidence = old.lang, old.lang_confidence
            new.lang_source, new.paragraphs = old.lang_source, old.paragraphs
        else:
            if doc_id in self._overrides:
                _set_override(new, self._overrides[doc_id])
            if detect is None:
                detect = old.lang_source != "pending"
        idx = next(i for i, d in enumerate(self.documents) if d is old)
        self.documents[idx] = new
        self._reindex()
        if new.paragraphs is None and detect:
            entry = _cached(store, new) if store is not None else None
            if entry is None:
                entry = detection_entry(new.text)
                if store is not None:
                    try:
                        store.cache_languages({new.sha256: entry})
                    except (ReaderError, OSError) as exc:
                        self.cache_error = str(exc)
                self._apply_entry(new, entry, "detected")
            else:
                self._apply_entry(new, entry, "cache")
        return new


def detection_entry(text: str) -> dict[str, JSON]:
    """The cacheable language result of a text (the store's cache format)."""
    lang, conf = language.detect_language(text)
    paragraphs = language.paragraph_languages(text, lang, conf)
    return {
        "lang": lang,
        "confidence": conf,
        "paragraphs": [[p.start, p.end, p.lang, p.confidence] for p in paragraphs],
    }


def _cached(store: StoreAPI, doc: Document) -> dict[str, JSON] | None:
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


def _remap(paragraphs: list[Paragraph], detected: str, fixed: str) -> list[Paragraph]:
    """Paragraphs that followed the detected document language follow the fixed one."""
    return [Paragraph(p.start, p.end, fixed, p.confidence) if p.lang == detected else p for p in paragraphs]


def _set_override(doc: Document, lang: str, detected: tuple[str, float] | None = None) -> None:
    if doc.paragraphs is not None and detected:
        doc.paragraphs = _remap(doc.paragraphs, doc.lang if doc.lang_source == "override" else detected[0], lang)
    doc.lang = lang
    doc.lang_confidence = 1.0
    doc.lang_source = "override"


def _clear_override(doc: Document, detected: tuple[str, float] | None) -> None:
    """Back to the detected language, or pending when it was never detected."""
    if doc.paragraphs is not None and detected:
        doc.paragraphs = _remap(doc.paragraphs, doc.lang, detected[0])
        doc.lang, doc.lang_confidence = detected
        doc.lang_source = "detected"
    else:
        doc.lang = language.UNKNOWN
        doc.lang_confidence = 0.0
        doc.lang_source = "pending"
        doc.paragraphs = None


def load_corpus(path: Path | str, *, store: StoreAPI | None = None, detect: bool = True,
                progress: Progress | None = None) -> Corpus:
    """Load every ``*.txt`` / ``*.md`` below ``path`` (see the module doc).

    ``progress(done, total)`` is called per file read, and again per document
    during detection when ``detect`` is true. Raises :class:`ReaderError` only
    when ``path`` is missing or not a folder.
    """
    root = Path(path)
    try:
        st = os.stat(root)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise ReaderError(f"{root}: corpus folder not found") from None
        raise ReaderError(f"{root}: cannot open the corpus folder: {os_reason(exc, 'folder')}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise ReaderError(f"{root}: not a folder; give the folder that holds the .txt/.md documents")
    files, problems = _walk(root)
    corpus = Corpus(root)
    total = len(files)
    seen: set[str] = set()
    for i, (parts, file_path) in enumerate(files):
        rel = Path(*parts)
        doc_id = (rel.with_suffix("") if rel.suffix else rel).as_posix()
        if doc_id in seen:
            doc_id = rel.as_posix()
        try:
            if doc_id in seen:
                raise NotTextError(file_path, f"its id {doc_id!r} is already taken by another file; rename it")
            doc = load_document(file_path, root, doc_id=doc_id)
        except NotTextError as exc:
            problems.append(Problem(str(file_path), exc.reason))
        except ReaderError as exc:  # pragma: no cover - decode only raises NotTextError
            problems.append(Problem(str(file_path), str(exc)))
        else:
            seen.add(doc_id)
            corpus._append(doc)
        if progress is not None:
            progress(i + 1, total)
    corpus.problems = sorted(problems, key=lambda p: p.path)
    if store is not None:
        _attach_store(corpus, store)
    if detect:
        corpus.detect_languages(store=store, progress=progress)
    return corpus


def _attach_store(corpus: Corpus, store: StoreAPI) -> None:
    corpus._store = store
    corpus._read_overrides(store)
    try:
        imported = list(store.imported_documents() or [])
    except ReaderError as exc:
        corpus.problems.append(Problem(str(store.path), f"imported documents: {exc}"))
        imported = []
    corpus.add_documents(imported)
    corpus.apply_cached_languages(store)
