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

Modules: :mod:`~reader.corpus.metadata` (titles, dates), :mod:`~reader.corpus.loading`
(one file, the folder walk), :mod:`~reader.corpus.collection` (:class:`Corpus`,
:func:`load_corpus`); the language pass is :mod:`reader.lang.corpuslang`.

Metadata (:func:`derive_metadata`) reads only the first
``HEAD_CHARS`` characters, so it costs the same on a book as on a tweet.

Languages
    ``load_corpus(detect=True)`` runs :meth:`Corpus.detect_languages`;
    ``detect=False`` leaves documents ``lang_source == "pending"`` (except
    those whose result is already in the store's cache, or overridden: looking
    those up is not detection) so the UI can detect in a worker.
"""
from __future__ import annotations

from reader.corpus.collection import Corpus, load_corpus
from reader.corpus.loading import MAX_FILE_BYTES, SUFFIXES, Problem, Progress, load_document
from reader.corpus.metadata import HEAD_CHARS, JUNK_LINES, TITLE_MAX, derive_metadata
from reader.lang.corpuslang import detection_entry

__all__ = [
    "HEAD_CHARS", "JUNK_LINES", "MAX_FILE_BYTES", "SUFFIXES", "TITLE_MAX", "Corpus", "Problem", "Progress",
    "derive_metadata", "detection_entry", "load_corpus", "load_document",
]
