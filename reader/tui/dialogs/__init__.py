"""Modal dialogs shared by every screen (the UI contract in docs/ARCHITECTURE.md).

* ``ConfirmDialog(title, message) -> bool``
* ``NoteDialog(initial, span_text) -> str | None``
* ``LanguageDialog(current) -> str | None`` ("" clears the override)
* ``ExportDialog() -> ExportResult | None`` (runs the export itself, in a worker)
* ``LabelPicker``, ``UnsavedDialog``, ``PickDialog``, ``HelpScreen`` in their own modules

Every string that comes from a document, a note, a label or a file name is
shown as ``rich.text.Text`` after :func:`reader.text.inert`, never as markup.
"""
from reader.tui.dialogs.base import Dialog, plain
from reader.tui.dialogs.confirm import ConfirmDialog
from reader.tui.dialogs.export import ExportDialog, describe_export
from reader.tui.dialogs.language import COMMON_LANGUAGES, LANGUAGE_PLACEHOLDER, LanguageDialog
from reader.tui.dialogs.note import NoteDialog

__all__ = [
    "ConfirmDialog",
    "Dialog",
    "NoteDialog",
    "LanguageDialog",
    "ExportDialog",
    "COMMON_LANGUAGES",
    "LANGUAGE_PLACEHOLDER",
    "describe_export",
    "plain",
]
