"""The ``reader`` command line (also ``python -m reader``).

Every command takes the corpus folder as an optional first argument (default
``seeds``) and ``--store PATH`` (default ``annotations``). Commands that only
read open the store read-only, so they work while the UI holds the lock.
Errors print one line on stderr and exit non-zero; never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypedDict

from reader.teams.adjudication import GOLD
from reader.cli import output
from reader.errors import ReaderError, StoreWriteError
from reader.text import display_path, json_terminal_safe, one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from reader.formats.base import Format
    from reader.protocols import StoreAPI
    from reader.suggest.recommender import Quality
    from reader.workspace import Workspace

USAGE = """\
reader [CORPUS] [--store PATH|URL] [--readonly] [--annotator NAME] [--gold NAME]   open the terminal UI
reader docs [CORPUS] [--json] [--no-detect]     list documents (id, language, date, title, size, annotations)
reader export [CORPUS] --format F [--out FILE] [--force] [--include-suggested] [--offsets codepoint|utf16]
reader import [CORPUS] FILE [--format F] [--offsets codepoint|utf16]
reader stats [CORPUS] [--json | --plot]         annotations per label, document and language (--plot: charts)
reader labels [CORPUS] [--json]                 the label set (<store>/labels.toml or the defaults)
reader formats                                  the export and import formats
reader lang [CORPUS] DOC_ID LANG | --clear DOC_ID   override a document's language
reader suggest [CORPUS] [--labels salary,claim] [--min-score S] [--links] [--report [--json]] pre-annotate with suggested spans (or links; --report: measured quality)
reader store check | recover [--store PATH]     verify a store, or rebuild it from backup + journal
reader store copy SRC DST                       copy a store between engines (folder <-> postgresql://...)
reader store restore RESCUE_FILE [--yes]        show what a rescue file changes, ask, then replay it
reader agree [CORPUS] [--annotators a,b] [--labels l1,l2] [--doc ID] [--unit token|char] [--json]
reader merge STORE... --into STORE              combine per-annotator JSON stores into one
reader serve [CORPUS] [--store PATH] [--host 127.0.0.1] [--port 8000]   the app in a browser (textual-serve)

CORPUS defaults to "seeds", --store to $READER_STORE or "annotations" (a folder, or
postgresql://user@host/db for a team), --annotator (every command) to $READER_ANNOTATOR
or the OS user name.
"""

EPILOG = """\
exit status: 0 success; 1 error (one line on stderr), or an import with
problems (the valid records are still imported); 2 bad usage; 130 interrupted.
"""

COMMANDS = ("docs", "export", "import", "stats", "labels", "formats", "lang", "suggest", "store", "agree", "merge", "serve")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() returns a code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise output.UsageError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


class _Exit(Exception):
    def __init__(self, code: int):
        self.code = code


def _counts(store: StoreAPI) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    return store.count_by_document(), store.count_by_document(statuses=("suggested",))


# --- commands -------------------------------------------------------------------------

class _DocRow(TypedDict):
    """One document in ``reader docs`` (also its ``--json`` output)."""

    id: str
    path: str | None
    lang: str
    lang_confidence: float
    lang_source: str
    direction: str
    date: str | None
    title: str
    chars: int
    words: int
    size: int
    annotations: int
    suggested: int
    imported: bool
    sha256: str


class _ProblemRow(TypedDict):
    """A file ``reader docs`` could not load, and why."""

    path: str
    reason: str


def cmd_docs(args: argparse.Namespace) -> int:
    from reader.lang.language import text_direction

    with output.open_workspace(args, readonly=True, detect=False) as ws:
        if not args.no_detect:
            _detect_and_cache(ws, args.store)
        accepted, suggested = _counts(ws.store)
        rows: list[_DocRow] = []
        for doc in ws.corpus:
            rows.append(
                {
                    "id": doc.id,
                    "path": doc.path.as_posix() if doc.path else None,
                    "lang": doc.lang,
                    "lang_confidence": round(float(doc.lang_confidence or 0.0), 4),
                    "lang_source": doc.lang_source,
                    "direction": text_direction(doc.lang, doc.text),
                    "date": doc.date,
                    "title": doc.title,
                    "chars": doc.chars,
                    "words": doc.words,
                    "size": doc.size,
                    "annotations": sum(accepted.get(doc.id, Counter()).values()),
                    "suggested": sum(suggested.get(doc.id, Counter()).values()),
                    "imported": doc.imported,
                    "sha256": doc.sha256,
                }
            )
        problems: list[_ProblemRow] = [
            {"path": display_path(p.path), "reason": str(p.reason)} for p in ws.corpus.problems
        ]
    if args.json:
        output.write_json({"documents": rows, "problems": problems})
        return output.EXIT_OK
    _print_docs(rows, problems, args.corpus)
    return output.EXIT_OK


class _Progress:
    """``done/total`` on stderr, rewritten in place, at most ~10 times a second (only on a terminal)."""

    def __init__(self, what: str) -> None:
        import time

        self.what = what
        self.clock = time.monotonic
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done != total and now - self.last < 0.1:
            return
        self.last = now
        sys.stderr.write(f"\rreader: {self.what} {done:,}/{total:,}")
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _detect_and_cache(ws: Workspace, store_path: str) -> None:
    """Detect the languages not cached yet (progress on a terminal), then cache them in the
    store when no writer holds it, so that the next run does not detect them again."""
    from reader.lang.langcache import CollectingCache, save_detections
    from reader.workspace import store_location

    if not ws.corpus.pending:
        return
    try:
        interactive = sys.stderr.isatty()
    except (AttributeError, ValueError):
        interactive = False
    progress = _Progress("detecting languages") if interactive else None
    cache = CollectingCache(ws.store)
    try:
        ws.corpus.detect_languages(store=cache, progress=progress)
    finally:
        if progress is not None:
            progress.end()
    if cache.collected:
        note = save_detections(store_location(store_path), cache.collected)
        if interactive:
            output.info(note)


def _print_docs(rows: list[_DocRow], problems: list[_ProblemRow], corpus: str) -> None:
    from rich.table import Table

    console = output.console()
    table = Table(title=output.text(f"{corpus}: {len(rows)} document(s)"), title_justify="left")
    id_width = min(40, max([len(r["id"]) + (11 if r["imported"] else 0) for r in rows] + [2]))
    table.add_column("id", no_wrap=True, min_width=id_width, overflow="ellipsis")
    table.add_column("lang", no_wrap=True, min_width=7)
    table.add_column("dir", no_wrap=True, min_width=3)
    table.add_column("date", no_wrap=True, min_width=10)
    # the title takes what the other columns leave (8 borders + 2 spaces of padding per column)
    title_width = max(10, console.width - (id_width + 7 + 3 + 10 + 7 + 6) - 22)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    table.add_column("chars", justify="right", no_wrap=True, min_width=7)
    table.add_column("ann.", justify="right", no_wrap=True, min_width=6)
    for r in rows:
        lang = f"{r['lang']} {r['lang_confidence']:.2f}"
        if r["lang_source"] == "override":
            lang = f"{r['lang']} (set)"
        elif r["lang_source"] == "pending":
            lang = f"{r['lang']} ?"
        ann = str(r["annotations"]) + (f" +{r['suggested']}s" if r["suggested"] else "")
        doc_id = r["id"] + (" (imported)" if r["imported"] else "")
        table.add_row(output.text(doc_id), output.text(lang), r["direction"].upper(), output.text(r["date"] or ""), output.text(r["title"], title_width), f"{r['chars']:,}", ann)
    console.print(table)
    if problems:
        console.print(output.text(f"{len(problems)} file(s) not loaded:"))
        for p in problems:
            console.print(output.text(f"  {p['path']}: {p['reason']}"))


def _resolve_format(name: str, offsets: str | None) -> Format:
    """The format called ``name``, with the offset unit of ``--offsets`` when given."""
    from reader.formats import get_format

    return get_format(name).with_options(offsets=offsets)


def cmd_export(args: argparse.Namespace) -> int:
    from reader.formats.export import export_corpus

    fmt = _resolve_format(args.format, args.offsets)
    if args.out == "-":  # the usual name of standard output (a file called "-" is ./-)
        args.out = None
    if args.out is None and fmt.kind in ("dir", "binary"):
        raise ReaderError(f"{fmt.name}: this format writes a {'folder' if fmt.kind == 'dir' else 'file'}; give --out PATH")
    from reader.formats.destination import destination_problem

    # before the store and corpus are opened (a typo costs no loading); export_corpus asks again with them
    # and decides what --force may replace (never the store, the corpus or a document)
    if args.out is not None and not args.force and (problem := destination_problem(args.out, fmt, force=False)):
        raise ReaderError(f"{args.out}: {problem}")
    from reader.cli.teams import export_layers

    with output.open_workspace(args, readonly=True) as ws:
        store = export_layers(ws.store, args)
        if args.out is None:
            out, release = output.utf8_stdout()
            try:
                result = export_corpus(fmt, ws.corpus, store, out, include_suggested=args.include_suggested, doc_ids=args.doc or None)
            finally:
                release()
        else:
            result = export_corpus(
                fmt, ws.corpus, store, args.out,
                force=args.force, include_suggested=args.include_suggested, doc_ids=args.doc or None,
            )
    output.info(result.summary(), max_lines=20)
    return output.EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from reader.formats.guess import guess_format
    from reader.formats.importer import check_source, import_file, started_records

    path = _stdin_or_path(args.file, "import")
    with _named_as_typed(path, args.file):
        name = args.format or guess_format(path)  # a rescue file is refused: `reader store restore` replays it
        fmt = _resolve_format(name, args.offsets)
        check_source(fmt, path)  # before the store is opened (or made)
        # read up to the first record before it too: a file of none is refused, one of problems only reported
        started = started_records(fmt, path)
        report = started.report
        if report is None:
            with output.open_workspace(args, readonly=False, detect=False) as ws:
                report = import_file(fmt, path, ws.corpus, ws.store, records=started.records)
            del ws  # the store and corpus hold every imported text: let them go before the report is printed
    if not args.format:
        output.info(f"{path.name}: read as {name}")
    console = output.console()
    for line in report.summary().splitlines():  # the counts, then the format's notes
        console.print(output.text(line))
    shown = report.problems[: args.max_problems]
    for p in shown:
        console.print(output.text(f"  {p}"))
    hidden = report.problem_count - len(shown)
    if hidden > 0:
        console.print(output.text(f"  ... and {hidden} more problem(s)"))
    if report.unknown_labels:
        labels = ", ".join(f"{k} ({v})" for k, v in report.unknown_labels.most_common(10))
        console.print(output.text(f"unknown labels: {labels}; add them to {Path(args.store) / 'labels.toml'} and import again"))
    return output.EXIT_ERROR if report.problem_count else output.EXIT_OK


_STDIN = Path("/dev/stdin")


def _stdin_or_path(file: str, command: str) -> Path:
    """The path of a FILE argument: ``-`` is standard input (as ``--out -`` is standard output;
    a file called "-" is ./-), read once like any pipe."""
    if file != "-":
        return Path(file)
    if sys.stdin is None or sys.stdin.closed or not _STDIN.exists():
        raise output.UsageError(f"reader {command}: '-' reads standard input, which is closed or cannot be opened "
                                "by name here; give the file's path")
    if sys.stdin.isatty():
        how = "reader import - --format F < FILE" if command == "import" else "reader store restore - --yes < FILE"
        raise output.UsageError(f"reader {command}: '-' reads standard input, which is a terminal here; "
                                f"pipe the file in ({how}) or give its path")
    return _STDIN


@contextlib.contextmanager
def _named_as_typed(path: Path, typed: str) -> Iterator[None]:
    """A one-line error about ``path`` names it as the user typed it: ``-`` is "- (standard input)",
    not /dev/stdin (every format's message begins with the path it read)."""
    try:
        yield
    except ReaderError as exc:
        prefix = f"{path}:"
        if typed != "-" or type(exc) is StoreWriteError or not str(exc).startswith(prefix):
            raise
        raise ReaderError(f"- (standard input):{str(exc)[len(prefix):]}") from None


def _store_restore(args: argparse.Namespace) -> int:
    """``reader store restore FILE [--yes]``: show what the rescue file will change, ask, then replay it."""
    from reader.store.rescue import preview_rescue, restore_rescue

    if len(args.paths) != 1:
        raise output.UsageError("reader store restore: give one rescue file: reader store restore FILE [--yes]")
    from reader.store import AnnotationStore
    from reader.workspace import store_location

    path = _stdin_or_path(args.paths[0], "store restore")
    with _named_as_typed(path, args.paths[0]), AnnotationStore(store_location(args.store), annotator=args.annotator) as store:
        preview = preview_rescue(store, path)
        console = output.console()
        console.print(output.text(f"{path.name}: {len(preview.lines)} change(s) in {preview.transactions} transaction(s), "
                                  f"written for the store {preview.store or '(not named)'}; restoring into {store.location}:"))
        for line in preview.lines[:200]:
            console.print(output.text(f"  {line}"))
        if len(preview.lines) > 200:
            console.print(output.text(f"  ... and {len(preview.lines) - 200} more"))
        for p in preview.problems[: args.max_problems]:
            console.print(output.text(f"  {p}"))
        if not args.yes:
            if not sys.stdin.isatty():
                raise ReaderError(f"{path.name}: nothing restored; run again with --yes to apply these changes")
            answer = input("Apply these changes? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                console.print(output.text(f"{path.name}: nothing restored"))
                return output.EXIT_OK
        report = restore_rescue(store, preview)  # the lines it showed: a pipe is read once
    console.print(output.text(report.summary()))
    for p in report.problems[: args.max_problems]:
        console.print(output.text(f"  {p}"))
    return output.EXIT_ERROR if report.problems else output.EXIT_OK


def _stats(ws: Workspace, *, suggestions: bool = False) -> dict[str, Any]:
    from reader.stats import compute_stats
    from reader.suggest.engine import quality_report

    data = compute_stats(ws.corpus, ws.store, ws.labels.names).to_dict()
    if not suggestions:
        return data
    quality, notes = quality_report(list(ws.corpus), ws.store)  # the figures of `reader suggest --report`
    data["suggestions"] = [q.to_state() | {"hidden": q.hidden} for q in quality]
    data["suggestion_notes"] = notes
    return data


def cmd_stats(args: argparse.Namespace) -> int:
    from rich.table import Table

    with output.open_workspace(args, readonly=True) as ws:
        if args.plot:
            return _plot_stats(ws)
        stats = _stats(ws, suggestions=args.json)
    if args.json:
        output.write_json(stats)
        return output.EXIT_OK
    console = output.console()
    console.print(output.text(f"{stats['annotations']} annotation(s) in {stats['documents']} document(s)"
                        + (f", {stats['suggested']} suggested" if stats["suggested"] else "")))
    t = Table(title=output.text("per label"), title_justify="left")
    t.add_column("label")
    t.add_column("accepted", justify="right")
    t.add_column("suggested", justify="right")
    for name, n in stats["labels"].items():
        t.add_row(output.text(name), str(n), str(stats["suggested_labels"].get(name, 0)))
    console.print(t)
    progress = stats["progress"]
    console.print(output.text("progress: " + ", ".join(f"{n} {state}" for state, n in progress.items())))
    if stats["decisions"]:
        console.print(output.text("suggestions decided: " + ", ".join(
            f"{label} {d['accepted']} accepted / {d['rejected']} rejected" for label, d in stats["decisions"].items())))
    t = Table(title=output.text("per language"), title_justify="left")
    t.add_column("lang")
    t.add_column("documents", justify="right")
    t.add_column("annotations", justify="right")
    t.add_column("suggested", justify="right")
    for lang, row in stats["per_language"].items():
        t.add_row(output.text(lang), str(row["documents"]), str(row["annotations"]), str(row["suggested"]))
    console.print(t)
    t = Table(title=output.text("per document"), title_justify="left")
    t.add_column("id", no_wrap=True)
    t.add_column("lang")
    t.add_column("total", justify="right")
    t.add_column("by label")
    for doc_id, row in stats["per_document"].items():
        by = ", ".join(f"{k} {v}" for k, v in row["labels"].items())
        t.add_row(output.text(doc_id), output.text(row["lang"]), str(row["total"]), output.text(by))
    console.print(t)
    if stats["orphaned"]:
        console.print(output.text(f"{stats['orphaned']} orphaned annotation(s): their text is no longer in the document (kept, not exported)"))
    if stats["missing_documents"]:
        console.print(output.text(f"{sum(stats['missing_documents'].values())} annotation(s) belong to documents not in the corpus: "
                            + ", ".join(list(stats["missing_documents"])[:10])))
    return output.EXIT_OK


def _plot_stats(ws: Workspace) -> int:
    """`reader stats --plot`: the stats screen's charts, drawn with plotext."""
    from reader.charts import CHARTS
    from reader.stats import compute_stats

    try:
        import plotext
    except ImportError:
        raise ReaderError("--plot needs plotext: pip install 'reader[stats]' (make install does)") from None
    stats = compute_stats(ws.corpus, ws.store, ws.labels.names)
    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 120))
    colour = sys.stdout.isatty()
    for _name, (_title, draw) in CHARTS.items():
        plotext.clear_figure()
        plotext.plotsize(width, 16)
        draw(stats, plotext)
        chart = plotext.build()
        output.write_raw((chart if colour else plotext.uncolorize(chart)) + "\n")
    return output.EXIT_OK


def cmd_labels(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from reader.labels import LabelSet

    labels = LabelSet.load(args.store) if Path(args.store).is_dir() else LabelSet()
    if args.json:
        output.write_json({"source": labels.source, "labels": [
            {"name": lab.name, "key": lab.key, "color": lab.color, "description": lab.description} for lab in labels
        ]})
        return output.EXIT_OK
    console = output.console()
    t = Table(title=output.text(f"labels ({labels.source})"), title_justify="left")
    t.add_column("key")
    t.add_column("label")
    t.add_column("colour")
    t.add_column("description")
    for lab in labels:
        swatch = Text("██ ", style=lab.color)
        swatch.append(lab.color)
        t.add_row(output.text(lab.key), output.text(lab.name), swatch, output.text(lab.description))
    console.print(t)
    return output.EXIT_OK


def cmd_formats(args: argparse.Namespace) -> int:
    from rich.table import Table

    from reader.formats import FORMATS

    console = output.console()
    t = Table(title=output.text("formats"), title_justify="left")
    t.add_column("name")
    t.add_column("import")
    t.add_column("writes")
    t.add_column("description")
    for name in sorted(FORMATS):
        f = FORMATS[name]
        writes = {"dir": "folder", "binary": f"file ({f.extension})"}.get(f.kind, f"{f.kind} ({f.extension})")
        t.add_row(output.text(name), "yes" if f.can_import else "no", output.text(writes), output.text(f.description))
    console.print(t)
    return output.EXIT_OK


def cmd_lang(args: argparse.Namespace) -> int:
    pos = list(args.args)
    want = 1 if args.clear else 2
    if len(pos) == want + 1:
        args.corpus = pos.pop(0)
    if len(pos) != want:
        raise output.UsageError("reader lang: usage: reader lang [CORPUS] DOC_ID LANG, or reader lang [CORPUS] --clear DOC_ID")
    doc_id = pos[0]
    lang = None
    if not args.clear:
        from reader.lang.langtag import normalise_tag, tag_problem

        lang = normalise_tag(pos[1])
        if lang is None:
            raise ReaderError(f"reader lang: {tag_problem(pos[1])}")
    with output.open_workspace(args, readonly=False, detect=False) as ws:
        doc = ws.corpus.get(doc_id)
        if doc is None:
            raise ReaderError(f"{doc_id}: no such document in {args.corpus}")
        before = doc.lang
        ws.corpus.set_language_override(doc_id, lang, store=ws.store)
    if lang:
        output.console().print(output.text(f"{doc_id}: language set to {lang} (was {before})"))
    else:
        output.console().print(output.text(f"{doc_id}: language override cleared"))
    return output.EXIT_OK


def _suggestable_labels(args: argparse.Namespace) -> list[str]:
    """Labels ``reader suggest`` can help with: the recognisers' and the label set's (labels.toml)."""
    from reader.labels import LabelSet
    from reader.suggest import available_labels

    names = list(available_labels())
    store_dir = Path(args.store) if args.store else Path(output.DEFAULT_STORE)
    try:
        label_set = LabelSet.load(store_dir) if store_dir.is_dir() else LabelSet()
    except ReaderError:
        label_set = LabelSet()
    names += [n for n in label_set.names if n not in names]
    return names


def cmd_suggest(args: argparse.Namespace) -> int:
    from reader.suggest.engine import suggest_all

    labels = [p.strip() for p in args.labels.split(",") if p.strip()] if args.labels else None
    known = _suggestable_labels(args)
    unknown = [label for label in labels or [] if label not in known]
    if unknown:  # a usage error (exit 2), like any other bad option value
        raise output.UsageError(f"reader suggest: --labels: no recogniser or label {', '.join(unknown)} (available: {', '.join(known)})")
    if not 0.0 <= args.min_score <= 1.0:
        raise output.UsageError(f"reader suggest: --min-score must be between 0 and 1, got {args.min_score:g}")
    if args.links:
        from reader.align.links import suggest_links

        with output.open_workspace(args, readonly=False) as ws:
            n = suggest_links(ws.corpus, ws.store)
        output.console().print(output.text(f"suggested {n} link(s) between counterpart spans of different documents "
                               "(in compare: K lists a span's links to accept or reject)"))
        return output.EXIT_OK
    if args.report:
        from reader.suggest.engine import quality_report

        with output.open_workspace(args, readonly=True) as ws:
            quality, notes = quality_report(list(ws.corpus), ws.store, labels)
            if args.json:
                output.write_json([q.to_state() | {"hidden": q.hidden} for q in quality])
                return output.EXIT_OK
            _print_quality(quality, notes)
        return output.EXIT_OK
    with output.open_workspace(args, readonly=False) as ws:
        rescorer, note, rescored = None, "", 0
        if not args.no_learn:
            from reader.suggest.learn import load_or_train, rescore_pending

            learned = load_or_train(ws.store, ws.corpus)
            rescorer, note = learned.rescorer, learned.note
            if rescorer is not None:
                rescored = rescore_pending(ws.store, ws.corpus, rescorer)
        report = suggest_all(ws.corpus, ws.store, labels=[lab for lab in labels if lab] if labels else None,
                             min_score=args.min_score, rescorer=rescorer, models=not args.no_learn)
        report.model_note = note + (f" {rescored} pending suggestion(s) re-scored." if rescored else "")
    console = output.console()
    for line in report.summary().splitlines():  # its sentences one per line (output.text makes each one line)
        console.print(output.text(line))
    for line in report.quality:
        console.print(output.text("  " + line))
    return output.EXIT_OK


def _figure(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _print_quality(quality: list[Quality], notes: list[str]) -> None:
    from rich.table import Table

    console = output.console()
    t = Table(title="Recommenders, by leave-documents-out cross-validation on this store's annotations")
    for col in ("label", "recommender", "annotations", "documents", "precision", "recall", "note"):
        t.add_column(col, justify="right" if col in ("annotations", "documents", "precision", "recall") else "left")
    for q in quality:
        note = q.note + (" — hidden (precision < 0.5)" if q.hidden else "")
        t.add_row(output.text(q.label), q.kind, str(q.annotations), str(q.documents), _figure(q.precision), _figure(q.recall),
                  output.text(note))
    console.print(t)
    for line in notes:
        console.print(output.text(line))


def cmd_store(args: argparse.Namespace) -> int:
    from reader.store import recover_store
    from reader.store.recovery import check_store_report

    console = output.console()
    if args.action == "restore":
        return _store_restore(args)
    if args.action == "copy" or args.paths:
        from reader.cli.teams import store_copy

        return store_copy(args)
    from reader.store.location import is_database_url, safe_location

    name = safe_location(args.store) if is_database_url(args.store) else args.store  # no password shown
    if args.action == "check":
        problems, notes = check_store_report(args.store)
        for note in notes:
            console.print(output.text(note), soft_wrap=True)
        if not problems:
            console.print(output.text(f"{name}: ok" + (f" ({len(notes)} note(s) above)" if notes else "")))
            return output.EXIT_OK
        for p in problems:
            console.print(output.text(p), soft_wrap=True)
        if not is_database_url(args.store) and not Path(args.store).is_dir():
            output.err(f"{name}: {len(problems)} problem(s)")  # no store there: nothing for recover to rebuild
        else:
            output.err(f"{name}: {len(problems)} problem(s); run `reader store recover --store {name}` to rebuild what it "
                       "can (a line above that says what to do by hand needs that done first)")
        return output.EXIT_ERROR
    summary = recover_store(args.store)
    console.print(output.text(summary), soft_wrap=True)
    return output.EXIT_OK


def cmd_ui_unavailable(args: argparse.Namespace) -> int:
    """The UI's commands (no sub-command, ``serve``) when the UI's entry point did not start us."""
    if args.command == "serve":
        raise ReaderError("reader serve: start it with the `reader` command (reader.entry), which includes the UI")
    output.info("the terminal UI is not available here; listing the documents instead")
    args.json = False
    args.no_detect = False
    return cmd_docs(args)


def _common(p: argparse.ArgumentParser, corpus: bool = True) -> None:
    if corpus:
        p.add_argument("corpus", nargs="?", default=None, metavar="CORPUS", help=f"corpus folder (default {output.DEFAULT_CORPUS})")
    p.add_argument("--store", default=None, metavar="PATH", help=f"annotation store folder (default {output.DEFAULT_STORE})")


def _annotator_option(p: argparse.ArgumentParser, dest: str = "annotator") -> None:
    p.add_argument("--annotator", dest=dest, default=None, metavar="NAME",
                   help="who is annotating (default: $READER_ANNOTATOR, else the OS user name)")


def resolve_annotator(value: str | None) -> str:
    """--annotator, else READER_ANNOTATOR, else the OS user; a bad name is a usage error."""
    from reader.model import annotator_problem, default_annotator

    name = (value if value is not None else os.environ.get("READER_ANNOTATOR") or default_annotator()).strip()
    if annotator_problem(name):
        raise output.UsageError(f"reader: --annotator: {name[:70]!r} is not a usable name (1-64 printable characters)")
    return name


def resolve_store(value: str | None) -> str:
    """--store, else READER_STORE, else the default folder. Database URLs are kept as they are."""
    raw = value or os.environ.get("READER_STORE") or output.DEFAULT_STORE
    if raw.startswith(("postgresql://", "postgres://")):
        return raw
    return str(Path(raw))


def build_parser() -> argparse.ArgumentParser:
    from reader import __version__

    parser = _Parser(
        prog="reader",
        usage=USAGE,
        description="A terminal reader and span annotator for multilingual text.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument("--store", dest="top_store", default=None, metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--annotator", dest="top_annotator", default=None, metavar="NAME", help=argparse.SUPPRESS)
    # prog: each command's usage starts "reader COMMAND", not with the whole top-level usage
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, prog="reader")

    p = sub.add_parser("docs", help="list the documents", description="List the corpus documents, then the files that could not be loaded.")
    _common(p)
    p.add_argument("--json", action="store_true", help='print {"documents": [...], "problems": [...]}')
    p.add_argument("--no-detect", action="store_true", help="do not detect languages (cached results are still shown; others show ?)")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("export", help="export annotations", description="Export the annotations (accepted only, unless --include-suggested).")
    _common(p)
    p.add_argument("--format", "-f", required=True, help="jsonl, spans, doccano, prodigy, ... (see `reader formats`)")
    p.add_argument("--out", "-o", default=None, metavar="FILE", help="output file (default, or -: standard output), written atomically")
    p.add_argument("--force", action="store_true", help="overwrite FILE when it exists")
    p.add_argument("--include-suggested", action="store_true", help="also export suggested annotations")
    p.add_argument("--offsets", choices=("codepoint", "utf16"), default=None, help="offset unit for formats that offer one (doccano: utf16 by default, as its web page counts; labelstudio: codepoint by default, as its labelling page counts)")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="export only this document (repeatable)")
    p.add_argument("--layer", default=None, metavar="NAME|all",
                   help="export one annotator's layer (e.g. gold, the adjudicated set) or all (default); "
                        "--annotator NAME given to export means the same")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import annotations", description="Import a file of annotations into the store.",
                       usage="reader import [CORPUS] FILE [--store PATH] [--format F] [--offsets codepoint|utf16] "
                             "[--max-problems N] [--annotator NAME]")
    p.add_argument("paths", nargs="+", metavar="[CORPUS] FILE",
                   help="the corpus folder (optional) and the file to import; FILE '-' reads standard input "
                        "(give --format: a pipe's format is not guessed)")
    p.add_argument("--store", default=None, metavar="PATH", help=f"annotation store folder (default {output.DEFAULT_STORE})")
    p.add_argument("--format", "-f", default=None, help="the file's format (guessed from its content when omitted; not for a pipe, which is read once)")
    p.add_argument("--offsets", choices=("codepoint", "utf16"), default=None, help="offset unit of a doccano or Label Studio file without an offset_unit key (default: doccano utf16, labelstudio codepoint)")
    p.add_argument("--max-problems", type=int, default=20, help="problems to print (default 20)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("stats", help="annotation counts", description="Annotation counts per label, per document and per language.")
    _common(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON (for scripts)")
    p.add_argument("--plot", action="store_true", help="draw the charts of the stats screen in the terminal (plotext)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("labels", help="show the label set")
    _common(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON (for scripts)")
    p.set_defaults(func=cmd_labels)

    p = sub.add_parser("formats", help="list export/import formats")
    p.set_defaults(func=cmd_formats, corpus=None, store=None, annotator=None)

    p = sub.add_parser("lang", help="override a document's language", description="reader lang [CORPUS] DOC_ID LANG, or --clear DOC_ID")
    p.add_argument("args", nargs="+", metavar="[CORPUS] DOC_ID [LANG]")
    p.add_argument("--store", default=None, metavar="PATH", help=f"annotation store folder or postgresql:// URL (default {output.DEFAULT_STORE})")
    p.add_argument("--clear", action="store_true", help="remove the override (back to the detected language)")
    p.set_defaults(func=cmd_lang, corpus=None)

    p = sub.add_parser("suggest", help="pre-annotate with suggestions", description="Run the recognisers (rules for salary and quote, the string matcher for every annotated text, a trained model per sentence-level label); results are stored as suggested annotations.")
    _common(p)
    p.add_argument("--labels", default=None, help="comma-separated labels to suggest (default: every label with rules or annotations)")
    p.add_argument("--report", action="store_true",
                   help="only measure: precision and recall of every recommender (rules, string matcher, trained "
                        "models) by leave-documents-out cross-validation on the store's annotations; changes nothing")
    p.add_argument("--min-score", type=float, default=0.5, metavar="S",
                   help="store only candidates scored at least S, 0..1 (default 0.5; 0 keeps every amount of money)")
    p.add_argument("--no-learn", action="store_true",
                   help="do not re-score with the model learned from your accept/reject decisions, nor train the label models")
    p.add_argument("--json", action="store_true", help="with --report: print the figures as JSON")
    p.add_argument("--links", action="store_true",
                   help="instead of spans, suggest links between annotated spans that state the same fact in different documents")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("serve", help="serve the app in a browser", description="Serve the app in a browser (textual-serve): one app process per visitor. Binds to 127.0.0.1 unless --host says otherwise; there is no authentication.")
    _common(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_ui_unavailable)

    p = sub.add_parser("store", help="check, recover, copy a store, or restore a rescue file",
                       description="check | recover [--store PATH], copy SRC DST (folder <-> postgresql:// URL), "
                                   "or restore RESCUE_FILE [--yes] [--store PATH]")
    p.add_argument("action", choices=("check", "recover", "copy", "restore"))
    p.add_argument("paths", nargs="*", metavar="SRC DST", help="copy: the source and target stores; restore: the rescue file")
    p.add_argument("--yes", action="store_true", help="restore: apply without asking (after showing the changes)")
    p.add_argument("--max-problems", type=int, default=20, help="restore: problems shown")
    p.add_argument("--store", default=None, metavar="PATH", help=f"annotation store folder or postgresql:// URL (default {output.DEFAULT_STORE})")
    p.set_defaults(func=cmd_store, corpus=None)

    from reader.cli import teams as cli_teams  # agree, merge (issue 11)

    cli_teams.add_parsers(sub, _common)
    for name, sub_parser in sub.choices.items():  # every command that reads or writes the store records who did it
        if name != "formats":  # (formats lists the formats: nobody to record)
            _annotator_option(sub_parser)
    return parser


def build_ui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reader", usage=USAGE, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=None, metavar="CORPUS")
    parser.add_argument("--store", default=None, metavar="PATH", help=f"annotation store folder or postgresql:// URL (default {output.DEFAULT_STORE})")
    parser.add_argument("--readonly", action="store_true", help="open the store read-only (nothing is saved)")
    _annotator_option(parser)
    parser.add_argument("--gold", default=None, metavar="NAME",
                        help="the layer adjudication (F6) builds (default: gold)")
    parser.set_defaults(func=cmd_ui_unavailable, command=None)
    return parser


def _first_positional(argv: list[str]) -> str | None:
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        if tok.startswith("-") and tok != "-":
            if tok in ("--store", "--annotator", "--gold"):
                i += 1  # its value
            i += 1
            continue
        return tok
    return None


def parse_args(argv: list[str]) -> argparse.Namespace:
    first = _first_positional(argv)
    if first in COMMANDS or any(a in ("-h", "--help", "--version") for a in argv[:1]):
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        if extra:
            # positionals split by an option (`lang CORPUS --clear DOC`) belong together
            if args.command == "lang" and not any(x.startswith("-") for x in extra):
                args.args = list(args.args) + extra
            else:
                parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if args.command is None:
            args = build_ui_parser().parse_args([a for a in argv if a not in ("--help", "-h")])
    else:
        args = build_ui_parser().parse_args(argv)
    if args.command == "import":
        paths = list(args.paths)
        if len(paths) > 2:
            raise output.UsageError("reader import: usage: reader import [CORPUS] FILE [--format F]")
        args.file = paths.pop()
        args.corpus = paths[0] if paths else None
    for dest, flag in (("store", "--store"), ("top_store", "--store"), ("out", "--out"), ("file", "FILE"), ("corpus", "CORPUS")):
        # "" was read as the current folder (`--out ''`: "it is a folder") or as the default (`--store "$UNSET"`
        # wrote into ./annotations)
        if getattr(args, dest, None) == "":
            who = f"reader {args.command}" if args.command else "reader"
            raise output.UsageError(f"{who}: {flag} is empty (an unset shell variable?); give a file or folder name")
    top = getattr(args, "top_store", None)
    args.store = resolve_store(args.store or top)
    args.annotator_given = getattr(args, "annotator", None) or getattr(args, "top_annotator", None)
    args.annotator = resolve_annotator(getattr(args, "annotator", None) or getattr(args, "top_annotator", None))
    args.corpus = args.corpus or output.DEFAULT_CORPUS
    return args


#: Runs the UI's commands: given by the entry point above the UI (reader.entry), so the CLI never imports the UI.
UiHandler = Callable[[argparse.Namespace], int]


def main(argv: list[str] | None = None, *, ui: UiHandler | None = None) -> int:
    """Run one command. ``ui`` runs the terminal UI and ``serve`` (reader.entry passes it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parse_args(argv)
        func = ui if (ui is not None and args.func is cmd_ui_unavailable) else args.func
        return int(func(args) or 0)
    except _Exit as exc:
        return exc.code
    except output.UsageError as exc:
        sys.stderr.write(f"{one_line(str(exc))}\n(try `reader --help`)\n")
        return output.EXIT_USAGE
    except StoreWriteError as exc:
        # the store's own message promises a retry, which the app makes; a command ends here
        output.err(f"error: {exc.path}: could not save ({exc.reason}); the {exc.pending} change(s) of this command "
                   "not saved yet were not written (what it saved before stays): run it again once the store can be written")
        return output.EXIT_ERROR
    except ReaderError as exc:
        output.err(f"error: {exc}")
        return output.EXIT_ERROR
    except KeyboardInterrupt:
        output.err("interrupted")
        return output.EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return output.EXIT_PIPE
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        output.err(f"error: {where}{exc.strerror or exc}")
        return output.EXIT_ERROR
    except Exception as exc:  # a bug: still one line, but say so
        if os.environ.get("READER_DEBUG"):
            raise
        output.err(f"internal error: {type(exc).__name__}: {exc} (set READER_DEBUG=1 for the traceback, and please report it)")
        return 70


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
