"""Merge per-annotator stores into one (``reader merge STORE... --into STORE``).

For teams without a database server: each annotator works in their own JSON
store, and the stores are merged afterwards. Each annotation keeps its id and
its annotator, so every annotator's layer survives. The merge is idempotent:
merging the same stores again changes nothing.

Rules:

* an annotation whose id is not in the target is copied as is (every field);
* the same id with different content: the version with the later ``updated``
  time wins (reported);
* the language cache, imported documents and rejected suggestions are united;
* **done flags**: a document is done when any source marks it done; documents
  that one source marks done and another does not are reported;
* **language overrides**: the target's value wins, then the sources' in
  command-line order; a document whose sources disagree is reported;
* labels: a source whose label set differs from the target's is reported
  (its annotations are copied anyway, labels and all);
* UI state (last document, positions) is personal and is not merged.

Works on engines (:class:`~reader.store.base.StorageEngine`): the sources are
opened read-only, the target for writing (one transaction per source).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from reader.errors import ReaderError
from reader.labels import LabelSet
from reader.store.base import JSON, Op, StoreImage, ann_record

if TYPE_CHECKING:
    from reader.store.engine import FileEngine


@dataclass
class MergeReport:
    target: str
    sources: list[str]
    added: dict[str, int] = field(default_factory=dict)  # annotator -> annotations added
    updated: int = 0  # same id, newer version taken
    unchanged: int = 0
    tables: int = 0  # workspace entries added (language cache, documents, rejected)
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) or self.updated or self.tables)

    def lines(self) -> list[str]:
        added = sum(self.added.values())
        head = f"{self.target}: merged {len(self.sources)} store(s): {added} annotation(s) added"
        if self.added:
            head += " (" + ", ".join(f"{who} {n}" for who, n in sorted(self.added.items())) + ")"
        head += f", {self.updated} updated to a newer version, {self.unchanged} already there"
        if self.tables:
            head += f", {self.tables} workspace entr{'y' if self.tables == 1 else 'ies'} added"
        out = [head]
        if not self.changed:
            out.append("nothing changed (these stores were already merged)")
        if self.conflicts:
            out.append(f"{len(self.conflicts)} workspace conflict(s):")
            out.extend(f"  {c}" for c in self.conflicts)
        return out


def _open_engine(path: str, *, readonly: bool) -> FileEngine:
    from reader.store.engine import FileEngine

    folder = Path(path)
    if readonly and not (folder / "meta.json").is_file():
        raise ReaderError(f"{path}: not a reader store (no meta.json)")
    return FileEngine(folder, readonly=readonly, annotator="merge")


def _union_rejected(a: JSON, b: JSON) -> list[list[JSON]]:
    merged = [list(x) for x in (a or [])]
    for entry in b or []:
        if list(entry) not in merged:
            merged.append(list(entry))
    return merged


def merge_images(target: StoreImage, source: StoreImage, source_name: str, report: MergeReport,
                 done_by: dict[str, list[str]], overrides_by: dict[str, dict[str, list[str]]]) -> list[Op]:
    """The operations that bring ``source`` into ``target`` (also applied to ``target``)."""
    ops: list[Op] = []
    for ann in sorted(source.anns.values(), key=lambda a: (a.doc_id, a.start, a.end, a.label, a.id)):
        mine = target.anns.get(ann.id)
        if mine is not None:
            if ann_record(mine) == ann_record(ann):
                report.unchanged += 1
                continue
            if (ann.updated or ann.created) <= (mine.updated or mine.created):
                report.unchanged += 1
                continue
            report.updated += 1
        else:
            report.added[ann.annotator] = report.added.get(ann.annotator, 0) + 1
        ops.append(["put", ann_record(ann)])
    for table in ("languages", "documents"):
        for key, value in source.meta.get(table, {}).items():
            if key not in target.meta.get(table, {}):
                ops.append(["meta", table, key, value])
                report.tables += 1
    for doc_id, keys in source.meta.get("rejected", {}).items():
        current = target.meta.get("rejected", {}).get(doc_id)
        merged = _union_rejected(current, keys)
        if merged != (current or []):
            ops.append(["meta", "rejected", doc_id, merged])
            report.tables += 1
    for doc_id, value in source.meta.get("done", {}).items():
        done_by.setdefault(doc_id, []).append(source_name)
        if value and not target.meta.get("done", {}).get(doc_id):
            ops.append(["meta", "done", doc_id, True])
    for doc_id, lang in source.meta.get("overrides", {}).items():
        overrides_by.setdefault(doc_id, {}).setdefault(str(lang), []).append(source_name)
        if doc_id not in target.meta.get("overrides", {}):
            ops.append(["meta", "overrides", doc_id, lang])
    for op in ops:
        target.apply(op)
    return ops


def merge_stores(sources: Sequence[str], into: str) -> MergeReport:
    """Merge the stores at ``sources`` into the store at ``into`` (created when missing)."""
    if not sources:
        raise ReaderError("merge: name at least one source store")
    into_path = Path(into).resolve()
    for src in sources:
        if Path(src).resolve() == into_path:
            raise ReaderError(f"{src}: a store cannot be merged into itself")
    report = MergeReport(str(into), [str(s) for s in sources])
    target_engine = _open_engine(into, readonly=False)
    target = target_engine.load()
    try:
        if target_engine.readonly:
            raise ReaderError(f"{into}: cannot write the target store ({target_engine.readonly_reason})")
        target_labels = LabelSet.load(Path(into))
        done_by: dict[str, list[str]] = {d: [str(into)] for d, v in target.meta.get("done", {}).items() if v}
        overrides_by: dict[str, dict[str, list[str]]] = {
            d: {str(lang): [str(into)]} for d, lang in target.meta.get("overrides", {}).items()
        }
        worked_on: dict[str, set[str]] = {}  # doc -> stores with annotations in it
        for doc_id, anns in target.by_doc.items():
            if anns:
                worked_on.setdefault(doc_id, set()).add(str(into))
        for src in sources:
            engine = _open_engine(src, readonly=True)
            try:
                image = engine.load()
            finally:
                engine.close()
            labels = LabelSet.load(Path(src))
            if sorted(labels.names) != sorted(target_labels.names):
                report.conflicts.append(
                    f"{src}: its labels ({', '.join(labels.names)}) differ from {into}'s ({', '.join(target_labels.names)})"
                )
            for doc_id, anns in image.by_doc.items():
                if anns:
                    worked_on.setdefault(doc_id, set()).add(str(src))
            ops = merge_images(target, image, str(src), report, done_by, overrides_by)
            if ops:
                target_engine.commit(ops)
        for doc_id, stores in sorted(done_by.items()):
            others = sorted(worked_on.get(doc_id, set()) - set(stores))
            if others:
                report.conflicts.append(
                    f"{doc_id}: marked done in {', '.join(stores)} but not in {', '.join(others)}; kept as done"
                )
        for doc_id, langs in sorted(overrides_by.items()):
            if len(langs) > 1:
                kept = target.meta["overrides"].get(doc_id)
                detail = "; ".join(f"{lang} in {', '.join(where)}" for lang, where in langs.items())
                report.conflicts.append(f"{doc_id}: language overrides differ ({detail}); kept {kept}")
        target_engine.compact()
    finally:
        target_engine.close()
    return report
