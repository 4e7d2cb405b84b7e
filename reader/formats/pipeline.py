"""The export and import pipeline shared by every format, in three modules:

* :mod:`reader.formats.export`: :func:`export_corpus` (choose, check, write atomically);
* :mod:`reader.formats.importer`: :func:`import_file` (stream, match, validate, save in batches);
* :mod:`reader.formats.guess`: :func:`guess_format`.

This module keeps the public names importable from where callers have used them.
"""
from __future__ import annotations

from reader.formats.export import ExportResult, ExportSource, export_corpus, export_documents
from reader.formats.guess import guess_format
from reader.formats.importer import BATCH_SIZE, MAX_PROBLEMS, ImportReport, content_sha256, import_file, surrogate_problem

__all__ = ["BATCH_SIZE", "MAX_PROBLEMS", "ExportResult", "ExportSource", "ImportReport", "content_sha256",
           "export_corpus", "export_documents", "guess_format", "import_file", "surrogate_problem"]
