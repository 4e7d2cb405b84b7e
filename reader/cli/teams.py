"""Team commands of the ``reader`` command line: ``agree`` and ``merge``.

Kept apart from :mod:`reader.cli` (which registers them through
:func:`add_parsers`) so that the team features stay in one place.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Callable, Literal

from reader.errors import ReaderError

if TYPE_CHECKING:
    from reader.formats.pipeline import ExportSource
    from reader.protocols import StoreAPI



def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    items = [p.strip() for p in value.split(",") if p.strip()]
    return items or None


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def cmd_agree(args: argparse.Namespace) -> int:
    from reader.cli import output
    from reader.teams.agreement import compute_agreement

    annotators = _split(args.annotators)
    labels = _split(args.labels)
    if annotators is not None and len(annotators) < 2:
        raise ReaderError("--annotators: name at least two annotators (comma-separated)")
    with output.open_workspace(args, readonly=True, detect=False) as ws:
        anns = ws.store.all()
        texts = {doc.id: doc.text for doc in ws.corpus}
        known = sorted({a.annotator for a in anns})
        label_names = list(ws.labels.names)
        doc_ids = set(texts) | {d.id for d in ws.store.imported_documents()}
    unknown_labels = [name for name in labels or () if name not in label_names]
    if unknown_labels:
        raise ReaderError(f"--labels: unknown label(s) {', '.join(map(repr, unknown_labels))}; "
                          f"labels are {', '.join(label_names)}")
    unknown_docs = [d for d in args.doc or () if d not in doc_ids]
    if unknown_docs:
        raise ReaderError(f"--doc: no document with id {', '.join(map(repr, unknown_docs[:5]))} "
                          "(`reader docs` lists the ids)")
    for who in annotators or ():
        if who not in known:
            raise ReaderError(f"--annotators: {who!r} has no annotations in {args.store} (annotators: {', '.join(known) or 'none'})")
    if args.against is not None and args.against not in known:
        raise ReaderError(f"--against: no layer {args.against!r} in {args.store} (layers: {', '.join(known) or 'none'})")
    report = compute_agreement(anns, texts, annotators=annotators, labels=labels, doc_ids=args.doc or None,
                               unit=args.unit, against=args.against)
    if args.json:
        output.write_json(report.to_json())
        return output.EXIT_OK
    _print_report(report, args.top)
    return output.EXIT_OK


def _print_report(report: Any, top: int) -> None:
    from rich.table import Table

    from reader.cli import output

    console = output.console()
    text = output.text
    if report.against is not None:
        humans = [w for w in report.annotators if w != report.against]
        console.print(text(f"each annotator against {report.against}: {', '.join(humans) or 'none'}; "
                           f"{report.documents} document(s); {report.units:,} units"))
    else:
        console.print(text(f"annotators: {', '.join(report.annotators) or 'none'}; "
                           f"{report.documents} document(s) worked on by at least two of them; {report.units:,} units"))
    console.print(text(f"kappa and alpha are {report.unit_description}"))
    if len(report.annotators) < 2 or report.documents == 0:
        console.print(text("nothing to compare: agreement needs two annotators who worked on the same document"))
        return
    title = "pairwise agreement" if report.against is None else f"each annotator against {report.against}"
    t = Table(title=text(title), title_justify="left")
    columns: tuple[tuple[str, Literal["left", "right"]], ...] = (("label", "left"), ("pair", "left"), ("spans", "right"), ("exact F1", "right"),
                          ("overlap F1", "right"), ("Cohen's κ", "right"))
    for name, justify in columns:
        t.add_column(name, justify=justify, no_wrap=True)
    for score in [report.overall, *report.per_label.values()]:
        for p in score.pairs:
            t.add_row(text(score.label), text(f"{p.a} / {p.b}"), f"{p.spans_a} / {p.spans_b}",
                      _fmt(p.exact_f1), _fmt(p.overlap_f1), _fmt(p.cohen_kappa))
    console.print(t)
    if report.against is None:
        _print_all_annotators(report)
    _print_documents(report, top)


def _print_all_annotators(report: Any) -> None:
    from rich.table import Table

    from reader.cli import output

    text = output.text
    t = Table(title=text(f"across all {len(report.annotators)} annotators"), title_justify="left")
    t.add_column("label")
    t.add_column("Fleiss' κ", justify="right")
    t.add_column("units (all annotators)", justify="right")
    t.add_column("Krippendorff's α", justify="right")
    t.add_column("units (≥ 2 annotators)", justify="right")
    for score in [report.overall, *report.per_label.values()]:
        t.add_row(text(score.label), _fmt(score.fleiss_kappa), f"{score.fleiss_units:,}",
                  _fmt(score.krippendorff_alpha), f"{score.alpha_units:,}")
    output.console().print(t)


def _print_documents(report: Any, top: int) -> None:
    from rich.table import Table

    from reader.cli import output

    console = output.console()
    text = output.text
    t = Table(title=text("lowest agreement first (review these)"), title_justify="left")
    t.add_column("document", no_wrap=True)
    t.add_column("α", justify="right")
    t.add_column("exact F1", justify="right")
    t.add_column("spans", justify="right")
    t.add_column("annotators")
    for d in report.by_document[:top]:
        t.add_row(text(d.doc_id), _fmt(d.krippendorff_alpha), _fmt(d.exact_f1), str(d.spans), text(", ".join(d.annotators)))
    console.print(t)
    if len(report.by_document) > top:
        console.print(text(f"... and {len(report.by_document) - top} more document(s) (--top N, or --json for all)"))


def cmd_merge(args: argparse.Namespace) -> int:
    from reader.cli import output
    from reader.teams.merge import merge_stores

    report = merge_stores(args.sources, args.into)
    console = output.console()
    for line in report.lines():
        console.print(output.text(line), soft_wrap=True)  # paths stay whole (greppable)
    return output.EXIT_OK


def store_copy(args: argparse.Namespace) -> int:
    """reader store copy SRC DST: JSON <-> PostgreSQL, lossless, into an empty store."""
    from reader.cli import output
    from reader.store.transfer import copy_store

    if args.action != "copy" or len(args.paths) != 2:
        raise output.UsageError("reader store: usage: reader store copy SRC DST (a store folder or a postgresql:// URL each)")
    report = copy_store(args.paths[0], args.paths[1])
    output.console().print(output.text(report.summary()), soft_wrap=True)
    return output.EXIT_OK


def export_layers(store: StoreAPI, args: argparse.Namespace) -> ExportSource:
    """The store to export from: one annotator's layer (``--layer NAME``, or ``--annotator NAME``
    given to export), or every layer (``all``, the default; each span names its annotator)."""
    from reader.teams.adjudication import LayerView

    layer = args.layer or args.annotator_given  # both set for export: its --layer, and cli's parse step
    if not layer or layer == "all":
        return store
    layers = sorted({a.annotator for a in store.all(statuses=("accepted", "suggested"))})
    if layer not in layers:
        raise ReaderError(f"--layer: no annotations by {layer!r} in {args.store} (layers: {', '.join(layers) or 'none'})")
    return LayerView(store, [layer])


def add_parsers(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser(
        "agree", help="inter-annotator agreement",
        description="Pairwise span F1 (exact and overlap), Cohen's kappa per pair, Fleiss' kappa and "
                    "Krippendorff's alpha across all annotators, per label and overall, and the documents "
                    "with the lowest agreement.",
    )
    common(p)
    p.add_argument("--annotators", default=None, metavar="A,B,...",
                   help="annotators to compare (default: the human annotators: not gold, not whoever ran `reader suggest`)")
    p.add_argument("--against", default=None, metavar="LAYER",
                   help="compare each annotator with this layer instead (e.g. gold): pairwise figures only")
    p.add_argument("--labels", default=None, metavar="L1,L2", help="labels to compare (default: every label used)")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only this document (repeatable)")
    p.add_argument("--unit", choices=("token", "char"), default="token", help="units for kappa and alpha (default token)")
    p.add_argument("--top", type=int, default=10, metavar="N", help="lowest-agreement documents to list (default 10)")
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    p.set_defaults(func=cmd_agree)

    p = sub.add_parser(
        "merge", help="combine per-annotator stores",
        description="Copy every annotation and link of the source stores into --into, keeping each annotator's "
                    "layer (see docs/teams.md, 'Merging stores'): a colliding id gets a new one (reported), the same "
                    "span twice in one layer is kept once, a bad timestamp stops the merge before anything is written. "
                    "Merging again changes nothing; workspace-state conflicts (done flags, language overrides, "
                    "labels) are reported.",
    )
    p.add_argument("sources", nargs="+", metavar="STORE", help="source stores (folders or postgresql:// URLs)")
    p.add_argument("--into", required=True, metavar="STORE",
                   help="the store to merge into, a folder or a postgresql:// URL (created if missing)")
    p.set_defaults(func=cmd_merge, corpus=None, store=None)
