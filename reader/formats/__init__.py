"""Export and import formats. Importing this package registers every format."""
from __future__ import annotations

from typing import TYPE_CHECKING

from reader.formats import brat, doccano, jsonl, labelstudio, parallel, prodigy, spacy, spans, tmx  # noqa: F401  (they register)
from reader.formats.base import FORMATS, Format, ImportItem, ImportNote, ImportProblem, SpanRecord, get_format, register

__all__ = ["FORMATS", "Format", "ImportItem", "ImportNote", "ImportProblem", "SpanRecord", "get_format", "register",
           "export_corpus", "import_file", "ExportResult", "ImportReport"]

_PIPELINE = ("export_corpus", "import_file", "ExportResult", "ImportReport", "guess_format")

if TYPE_CHECKING:  # what __getattr__ hands out, as the type checker should see it
    from reader.formats.pipeline import ExportResult as ExportResult
    from reader.formats.pipeline import ImportReport as ImportReport
    from reader.formats.pipeline import export_corpus as export_corpus
    from reader.formats.pipeline import guess_format as guess_format
    from reader.formats.pipeline import import_file as import_file


def __getattr__(name: str) -> object:
    # the pipeline lives in reader.formats.pipeline; imported lazily (it imports this package)
    if name in _PIPELINE:
        from reader.formats import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'reader.formats' has no attribute {name!r}")
