"""ExportDialog() -> ExportResult | None: choose a format and a path, then export in a worker."""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, ProgressBar, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from reader.errors import ReaderError
from reader.lang.langtag import normalise_tag, tag_problem
from reader.text import inert, one_line
from reader.tui.host import reader_app
from reader.tui.widgets.inert import InertInput
from reader.tui.widgets.inert_area import InertTextArea
from reader.tui.dialogs.base import Dialog, plain
from reader.tui.dialogs.confirm import ConfirmDialog

if TYPE_CHECKING:  # pragma: no cover
    from reader.formats.base import Format
    from reader.formats.pipeline import ExportResult

# --- export -----------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """What an export worker came to: the result, or the one line saying why not."""

    name: str
    path: str
    result: "ExportResult | None" = None
    failure: str = ""


def _formats() -> dict[str, Format]:
    from reader import formats  # importing the package registers every format

    return dict(formats.FORMATS)


def _extension(fmt: Format) -> str:
    ext = fmt.extension
    if fmt.kind == "dir" or ext in ("/", ""):
        return ""
    return ext if ext.startswith(".") else f".{ext}"


def default_export_path(corpus_name: str, fmt: Format, today: date | None = None) -> str:
    """``exports/CORPUS-FORMAT-DATE.EXT``: the format is in the name, because several share an
    extension (jsonl, doccano, parallel, prodigy, spans all write .jsonl), and one format's file
    must not be offered for overwriting by another's export (issue 22)."""
    today = today or date.today()
    safe = re.sub(r"[^\w.-]+", "_", corpus_name or "corpus").strip("._") or "corpus"
    kind = re.sub(r"[^\w.-]+", "_", fmt.name).strip("._")
    return str(Path("exports") / f"{safe}{'-' + kind if kind else ''}-{today.isoformat()}{_extension(fmt)}")


class FormatSelect(Select[str]):
    """The format list: enter exports, as the dialog's hint says; space, ↓ or a click open the list."""

    BINDINGS = [Binding("enter", "screen.export", "Export", show=False, id="export.format_enter")]


def describe_export(result: ExportResult, fallback_path: str = "", fmt_name: str = "") -> str:
    """A one-line summary of an ``ExportResult`` naming the file and the counts.

    ``fallback_path`` and ``fmt_name`` are unused (the result names both); kept for callers.
    """
    text = result.summary()
    return one_line(text[:1].upper() + text[1:], 400)


#: Store UI-state key of the export dialog's last format and path.
STATE_EXPORT = "ui.export"
#: The same, per running app, for when the store cannot keep it (read-only).
_SESSION_EXPORT: "weakref.WeakKeyDictionary[object, dict[str, str]]" = weakref.WeakKeyDictionary()
#: Tab order of the export dialog, as its hint says: format, path, options, then Export.
EXPORT_TAB_ORDER = ("#export-format", "#export-path", "#export-suggested", "#export")


class ExportDialog(Dialog["ExportResult | None"]):
    """Choose a format and a path, then export (in a worker). Dismisses with the result or ``None``.

    The focus starts on Export (``e`` then enter exports with the defaults);
    tab goes to the format, the path, the options and back to Export, as the
    hint says (Cancel is a click or escape away). Closing without exporting
    says so. The last format and path are remembered (in the store's UI state).
    """

    BINDINGS = [
        Binding("ctrl+s", "export", "Export", priority=True, id="export.run"),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("tab", "tab(1)", "Next field", show=False, id="export.next_field"),
        Binding("shift+tab", "tab(-1)", "Previous field", show=False, id="export.previous_field"),
    ]

    def __init__(self, default_format: str = "jsonl") -> None:
        super().__init__(classes="dialog-screen")
        self._default_format = default_format
        self._formats = _formats()
        self._last_default = ""
        self._exporting = False

    def _corpus_name(self) -> str:
        corpus = reader_app(self).corpus
        return Path(corpus.root).resolve().name if corpus is not None and corpus.root else "corpus"

    def compose(self) -> ComposeResult:
        names = list(self._formats)
        options = [
            (Text(f"{name}  {one_line(self._formats[name].description, 60)}"), name)
            for name in names
        ]
        initial = self._default_format if self._default_format in self._formats else (names[0] if names else None)
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label("Export annotations", classes="dialog-title")
            if not names:
                yield Static("No export format is registered.", classes="dialog-error")
            yield Label("Format", classes="field-label")
            if initial is None:
                yield FormatSelect(options, allow_blank=True, id="export-format")
            else:
                yield FormatSelect(options, value=initial, allow_blank=False, id="export-format")
            yield Label("Output path", classes="field-label")
            yield InertInput(id="export-path")
            yield Checkbox("Include suggested (not yet accepted) annotations", value=False, id="export-suggested")
            yield Static("", id="export-offsets", classes="dialog-hint")
            yield ProgressBar(total=None, show_eta=False, id="export-progress")
            yield Static("", id="export-status", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")
            yield Label("enter: export   tab: format, path, options   space: open the format list   ctrl+s: export from anywhere   escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#export-progress", ProgressBar).display = False
        self._sync_path(force=True)
        self._restore_choice()
        self._sync_offsets()
        # the Export button has the focus, so "e" then enter exports with the defaults;
        # (enter on the format list would only open it)
        self.query_one("#export", Button).focus()

    def action_tab(self, step: int) -> None:
        """Move the focus along EXPORT_TAB_ORDER (from Cancel or elsewhere: to the format)."""
        widgets = [self.query_one(selector) for selector in EXPORT_TAB_ORDER]
        focused = self.focused
        index = next((i for i, w in enumerate(widgets) if focused is not None and (w is focused or w in focused.ancestors)), None)
        if index is None:
            target = widgets[0] if step > 0 else widgets[-1]
        else:
            target = widgets[(index + step) % len(widgets)]
        target.focus()

    # --- the last format and path ---------------------------------------------

    def _remembered(self) -> dict[str, str]:
        try:
            value = reader_app(self).store.get_state(STATE_EXPORT)
        except (ReaderError, OSError):
            value = None
        if isinstance(value, dict) and isinstance(fmt := value.get("format"), str) and isinstance(path := value.get("path"), str):
            return {"format": fmt, "path": path}
        return dict(_SESSION_EXPORT.get(self.app, {}))

    def _remember(self) -> None:
        name = self._selected_format()
        path = self.query_one("#export-path", Input).value.strip()
        if name is None or not path:
            return
        _SESSION_EXPORT[self.app] = {"format": name, "path": path}
        try:
            reader_app(self).store.set_state(STATE_EXPORT, {"format": name, "path": path})
        except (ReaderError, OSError):
            pass  # read-only store: remembered for this session

    def _restore_choice(self) -> None:
        last = self._remembered()
        if last.get("format") in self._formats:
            self.query_one("#export-format", Select).value = last["format"]
            self._last_default = default_export_path(self._corpus_name(), self._formats[last["format"]])
        if last.get("path"):
            self.query_one("#export-path", Input).value = last["path"]

    def _selected_format(self) -> str | None:
        value = self.query_one("#export-format", Select).value
        return value if isinstance(value, str) and value in self._formats else None

    def _sync_path(self, force: bool = False) -> None:
        name = self._selected_format()
        if name is None:
            return
        path_input = self.query_one("#export-path", Input)
        new_default = default_export_path(self._corpus_name(), self._formats[name])
        if force or not path_input.value or path_input.value == self._last_default:
            path_input.value = new_default
        elif self._last_default:
            # the user edited the path: only swap a known extension for the new one
            current = Path(path_input.value)
            old_ext = Path(self._last_default).suffix
            if old_ext and current.suffix == old_ext:
                path_input.value = str(current.with_suffix(_extension(self._formats[name])))
        self._last_default = new_default

    def _sync_offsets(self) -> None:
        """Say which offset unit a format with a choice writes (doccano: UTF-16 by default)."""
        name = self._selected_format()
        unit = self._formats[name].offsets if name else None
        line = self.query_one("#export-offsets", Static)
        line.display = unit is not None
        if unit == "utf16":
            line.update(plain(f"Offsets in UTF-16 code units, as {name}'s web page counts them. "
                              f"For code points: reader export --format {name} --offsets codepoint"))
        elif unit is not None:
            line.update(plain(f"Offsets in code points. For UTF-16 units: reader export --format {name} --offsets utf16"))

    @on(Select.Changed, "#export-format")
    def _format_changed(self) -> None:
        self._sync_path()
        self._sync_offsets()

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export")
    def _export_pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def _status(self, message: str) -> None:
        self.query_one("#export-status", Static).update(plain(message, limit=500))

    def action_cancel(self) -> None:
        if not self._exporting:
            self._remember()
            self.app.notify("Export cancelled: nothing was written.", title="Export", markup=False, timeout=4)
            self.dismiss(None)

    def action_export(self) -> None:
        if self._exporting:
            return
        name = self._selected_format()
        if name is None:
            self._status("Choose a format first.")
            return
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._status("Enter an output path.")
            return
        out = Path(raw).expanduser()
        include = self.query_one("#export-suggested", Checkbox).value
        refused = self._refusal(name, out, force=True)
        if refused:
            # what an export must never replace (a store, the corpus, a folder with other
            # files) is not even offered for overwriting
            self._status(f"Not exported: {out}: {refused}")
            return
        if self._refusal(name, out, force=False):  # it exists (a device, a pipe or /dev/stdout replaces nothing)
            def answered(yes: bool | None) -> None:
                if yes:
                    self._start(name, out, include, force=True)
                else:
                    self._status(f"Not exported: {out} exists. Choose another path.")

            self.app.push_screen(
                ConfirmDialog("Overwrite?", f"{out} already exists. Replace it with this export?", yes="Overwrite", no="Keep it"),
                answered,
            )
            return
        self._start(name, out, include, force=False)

    def _refusal(self, name: str, out: Path, *, force: bool) -> str | None:
        from reader.formats.destination import destination_problem

        if not out.parent.exists():
            return None  # the export creates the folder
        app = reader_app(self)
        return destination_problem(
            out, self._formats[name], force=force, store_path=app.store.path,
            corpus_root=app.corpus.root if app.corpus is not None else None,
        )

    def _start(self, name: str, out: Path, include: bool, force: bool) -> None:
        self._remember()
        self._exporting = True
        self.query_one("#export-progress", ProgressBar).display = True
        self.query_one("#export", Button).disabled = True
        self._status(f"Exporting to {out}…")
        self._run_export(name, out, include, force)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _run_export(self, name: str, out: Path, include: bool, force: bool) -> "_Outcome":
        """The export, in a thread. What came of it is handled in :meth:`_export_ended`, once the
        worker has ended: a dialog dismissed from inside its own running worker cancelled that
        worker (the screen's workers are cancelled as it closes), so a caller waiting for the
        worker saw ``WorkerCancelled`` although the export was written."""
        corpus, store = reader_app(self).corpus, reader_app(self).store
        try:
            from reader.formats import pipeline

            if corpus is None:
                raise ReaderError("no corpus is open: nothing to export")
            if out.parent and not out.parent.exists():
                out.parent.mkdir(parents=True, exist_ok=True)
            result = pipeline.export_corpus(name, corpus, store, out, force=force, include_suggested=include)
        except ReaderError as exc:
            return _Outcome(name, str(out), failure=str(exc))
        except OSError as exc:
            return _Outcome(name, str(out), failure=f"{out}: {exc.strerror or exc}")
        except Exception as exc:  # a bug in a format module must not end the app
            return _Outcome(name, str(out), failure=f"export failed: {type(exc).__name__}: {exc}")
        return _Outcome(name, str(out), result=result)

    @on(Worker.StateChanged)
    def _export_ended(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export" or not event.worker.is_finished:
            return
        outcome = event.worker.result
        if isinstance(outcome, _Outcome) and outcome.result is not None:
            self._done(outcome.result, outcome.path, outcome.name)
        elif isinstance(outcome, _Outcome):
            self._failed(outcome.failure)
        elif event.state == WorkerState.ERROR:  # the worker catches every exception: a bug in this dialog
            self._failed(f"export failed: {event.worker.error}")

    def _failed(self, message: str) -> None:
        self._exporting = False
        self.query_one("#export-progress", ProgressBar).display = False
        self.query_one("#export", Button).disabled = False
        self._status(message)
        self.app.notify(one_line(message, 500), title="Export failed", severity="error", markup=False)

    def _done(self, result: ExportResult, out: str, name: str) -> None:
        self._exporting = False
        self.app.notify(describe_export(result, out, name), title="Export", markup=False, timeout=8)
        self.dismiss(result)
