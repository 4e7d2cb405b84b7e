"""Merge per-annotator stores into one (``reader merge STORE... --into STORE``).

For teams without a database server, or to bring a folder into the team's
database: each annotator works in their own store, and the stores are merged
afterwards. Every store the command line takes works here, as a source or as
the target: a folder or a ``postgresql://`` URL. The merge is idempotent:
merging the same stores again changes nothing.

Rules (docs/teams.md, "Merging stores", says the same for users):

* **Identity is per layer.** An annotation is the same one when its id, its
  annotator, its document and its status (its decision) are the same. Then
  the version with the later ``updated`` time wins (reported as updated; a
  tie keeps the target's).
* **A colliding id gets a new one, reported.** The same id held by another
  annotator, in another document, or as another decision on the same
  suggestion (alice accepted it, bob rejected it) is a different annotation:
  the incoming one is added under a new id and the line names both.
* **No duplicates within a layer.** An incoming annotation whose layer
  already holds the same span with the same label and status (under another
  id) is not added again (reported); links to it follow the one kept.
* **Every annotator's decisions are kept**: by the rules above, alice's
  acceptances and bob's rejections of the same pre-annotations all survive.
* **A bad timestamp is refused.** A ``created`` or ``updated`` that is not an
  ISO 8601 date stops the merge before anything is written, naming the store,
  the annotation and the value (it would otherwise win every tie-break).
* **Links are kept**, with their ends renamed when an annotation got a new
  id; a link id held by another link gets a new id; the same pair linked
  twice is kept once.
* **One gold decision per adjudication cluster.** A reviewer's decision row
  (``gold-decision:…``, see :mod:`reader.store.gold`) comes with the gold
  spans it names and the claims on the annotators' spans. A cluster the
  target has not decided takes the source's decision (its gold ids renamed
  as the spans were); a cluster both decided differently keeps the target's
  (then the earlier source's) decision, and the losing decision's gold spans
  are not brought in: reported, naming both reviewers. "No span here"
  decisions of older stores (``adjudication:<doc>``) are united.
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
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from reader.errors import ReaderError
from reader.model import Annotation, new_id
from reader.store.base import JSON, LayerKey, Op, StorageEngine, StoreImage, ann_record, layer_key
from reader.store.gold import CLAIM_PREFIX, DECISION_PREFIX, DECISION_TABLE, parse_decision_key
from reader.store.location import is_database_url
from reader.store.transfer import display_name, label_set_of, open_engine, same_store

#: an annotation's identity within a layer for duplicates: its decision and its span
_Key = tuple[str, LayerKey]


@dataclass
class MergeReport:
    target: str
    sources: list[str]
    added: dict[str, int] = field(default_factory=dict)  # annotator -> annotations added
    updated: int = 0  # same id, newer version taken
    unchanged: int = 0
    duplicates: int = 0  # the same span already in that layer under another id: not added again
    renamed: list[str] = field(default_factory=list)  # colliding ids given a new one
    links: int = 0  # links added
    tables: int = 0  # workspace entries added (language cache, documents, rejected)
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) or self.updated or self.tables or self.links)

    def lines(self) -> list[str]:
        added = sum(self.added.values())
        head = f"{self.target}: merged {len(self.sources)} store(s): {added} annotation(s) added"
        if self.added:
            head += " (" + ", ".join(f"{who} {n}" for who, n in sorted(self.added.items())) + ")"
        head += f", {self.updated} updated to a newer version, {self.unchanged} already there"
        if self.duplicates:
            head += f", {self.duplicates} duplicate(s) within a layer not added again"
        if self.links:
            head += f", {self.links} link(s) added"
        if self.tables:
            head += f", {self.tables} workspace entr{'y' if self.tables == 1 else 'ies'} added"
        out = [head]
        if not self.changed:
            out.append("nothing changed (these stores were already merged)")
        if self.renamed:
            out.append(f"{len(self.renamed)} colliding id(s) given a new id:")
            out.extend(f"  {r}" for r in self.renamed)
        if self.conflicts:
            out.append(f"{len(self.conflicts)} workspace conflict(s):")
            out.extend(f"  {c}" for c in self.conflicts)
        return out


# --------------------------------------------------------------------------- times


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time (naive means UTC); None for an empty one. Raises ValueError otherwise."""
    if value == "":
        return None
    when = datetime.fromisoformat(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _check_times(image: StoreImage, name: str) -> None:
    for ann in image.anns.values():
        for what, value in (("created", ann.created), ("updated", ann.updated)):
            try:
                if not isinstance(value, str):
                    raise ValueError(value)
                parse_time(value)
            except (ValueError, TypeError):
                raise ReaderError(
                    f"{name}: annotation {ann.id} ({ann.annotator}, {ann.doc_id}): {what} {value!r:.60} is not "
                    "an ISO 8601 date; nothing was merged (fix or remove it in that store first)"
                ) from None


_NEVER = datetime.min.replace(tzinfo=timezone.utc)


def _when(ann: Annotation) -> datetime:
    return parse_time(ann.updated or ann.created) or _NEVER


# --------------------------------------------------------------------------- one source into the target


def _union_rejected(a: JSON, b: JSON) -> list[JSON]:
    """The entries of two rows of a table of lists ("rejected": ``[start, end, label]`` each), each once;
    an entry that is no list, or a row that is none, is left out."""
    merged: list[JSON] = []
    for row in (a, b):
        for entry in row if isinstance(row, list) else ():
            if isinstance(entry, list) and entry not in merged:
                merged.append(list(entry))
    return merged


class _Merger:
    """Brings sources into one target image, one at a time; each call returns the operations."""

    def __init__(self, target: StoreImage, report: MergeReport) -> None:
        self.target = target
        self.report = report
        self.layers: dict[_Key, str] = {(a.status, layer_key(a)): a.id for a in target.anns.values()}
        self.pairs: dict[tuple[str, str], str] = {}
        for link_id, rec in target.meta.get("links", {}).items():
            if isinstance(rec, dict):
                self.pairs[_pair(rec)] = link_id

    def losing_gold(self, source: StoreImage, name: str) -> set[str]:
        """The ids of the source's gold spans whose decision loses to the target's (one decision per
        cluster: the target's, then the earlier source's, stays), each conflict reported."""
        lost: set[str] = set()
        mine = self.target.meta.get(DECISION_TABLE, {})
        for key, value in source.meta.get(DECISION_TABLE, {}).items():
            where = parse_decision_key(key)
            held = mine.get(key)
            if where is None or held is None or _same_decision(held, value):
                continue
            gone = [str(i) for i in _gold_ids(value) if i not in _gold_ids(held)]
            lost.update(gone)
            self.report.conflicts.append(
                f"{where[0]}: the cluster at {where[1]}–{where[2]} was decided by {_decider(held)} and, differently, "
                f"by {_decider(value)} in {name}; kept {_decider(held)}'s decision, {len(gone)} gold span(s) of "
                f"{name} not merged")
        return lost

    def decisions(self, source: StoreImage, id_map: dict[str, str]) -> list[Op]:
        """The source's decision rows the target lacks (gold ids renamed as the spans were), the
        claims of the decisions that are now the target's, and the union of the older "no span
        here" decisions."""
        ops: list[Op] = []
        table = self.target.meta.setdefault(DECISION_TABLE, {})
        theirs = source.meta.get(DECISION_TABLE, {})

        def put(key: str, value: JSON) -> None:
            ops.append(["meta", DECISION_TABLE, key, value])
            self.target.apply(ops[-1])

        for key, value in theirs.items():  # the decisions first: a claim follows its decision
            if parse_decision_key(key) is not None and key not in table and isinstance(value, dict):
                put(key, {**value, "gold": [id_map.get(i, i) for i in _gold_ids(value)]})
        for key, value in theirs.items():
            if key.startswith(CLAIM_PREFIX) and isinstance(value, dict):
                ann_id = key[len(CLAIM_PREFIX):]
                renamed = CLAIM_PREFIX + id_map.get(ann_id, ann_id)
                decided = str(value.get("decision"))
                if renamed not in table and _same_decision(table.get(decided), theirs.get(decided)):
                    put(renamed, value)
            elif key.startswith(_EMPTY_PREFIX) and isinstance(value, dict):
                current = table.get(key)
                held = current.get("empty") if isinstance(current, dict) else None
                merged = _union_rejected(held, value.get("empty"))
                if merged != (held or []):
                    put(key, {"empty": merged})
        self.report.tables += len(ops)
        return ops

    def annotations(self, source: StoreImage, name: str, id_map: dict[str, str], lost: frozenset[str] | set[str] = frozenset()) -> list[Op]:
        ops: list[Op] = []
        target, report = self.target, self.report
        for ann in sorted(source.anns.values(), key=lambda a: (a.doc_id, a.start, a.end, a.label, a.id)):
            if ann.id in lost:
                continue  # a gold span of a decision that lost to the target's (reported)
            rec = ann_record(ann)
            added_as = ann.id
            mine = target.anns.get(ann.id)
            if mine is not None and (mine.annotator, mine.doc_id, mine.status) == (ann.annotator, ann.doc_id, ann.status):
                if ann_record(mine) == rec or _when(ann) <= _when(mine):
                    report.unchanged += 1
                    continue
                held = self.layers.get((ann.status, layer_key(ann)))
                if held is not None and held != ann.id:  # moved onto a span its layer already has
                    report.duplicates += 1
                    continue
                report.updated += 1
                self.layers.pop((mine.status, layer_key(mine)), None)
            else:
                held = self.layers.get((ann.status, layer_key(ann)))
                if held is not None:  # the same span in the same layer, under another id
                    id_map[ann.id] = held
                    if _renamed_before(target.anns[held], ann):  # merged before, under a new id
                        report.unchanged += 1
                    else:
                        report.duplicates += 1
                    continue
                if mine is not None:  # the id is another layer's, document's or decision's
                    fresh = new_id()
                    while fresh in target.anns or fresh in source.anns:
                        fresh = new_id()
                    why = ("another decision on the same span" if (mine.annotator, mine.doc_id) == (ann.annotator, ann.doc_id)
                           else f"{mine.annotator}'s in {mine.doc_id}")
                    report.renamed.append(f"{name}: id {ann.id} ({ann.annotator}, {ann.doc_id}) is already {why}: "
                                          f"added as {fresh}")
                    id_map[ann.id] = fresh
                    rec["id"] = added_as = fresh
                report.added[ann.annotator] = report.added.get(ann.annotator, 0) + 1
            ops.append(["put", rec])
            target.apply(ops[-1])
            self.layers[(ann.status, layer_key(ann))] = added_as
        return ops

    def links(self, source: StoreImage, name: str, id_map: dict[str, str]) -> list[Op]:
        ops: list[Op] = []
        table = self.target.meta.setdefault("links", {})
        for link_id, rec in source.meta.get("links", {}).items():
            if not isinstance(rec, dict):
                continue
            rec = {**rec, "a": id_map.get(str(rec.get("a")), rec.get("a")), "b": id_map.get(str(rec.get("b")), rec.get("b"))}
            if str(rec.get("a")) not in self.target.anns or str(rec.get("b")) not in self.target.anns:
                continue  # an end not brought in (a losing decision's gold span): no dangling link
            if _pair(rec) in self.pairs:
                continue  # the same pair is linked already (this link, or one merged before)
            if link_id in table:
                fresh = new_id()
                while fresh in table:
                    fresh = new_id()
                self.report.renamed.append(f"{name}: link {link_id} is already another link: added as {fresh}")
                link_id = fresh
            ops.append(["meta", "links", link_id, rec])
            self.target.apply(ops[-1])
            self.pairs[_pair(rec)] = link_id
            self.report.links += 1
        return ops


#: "no span here" decisions of stores from before the decision rows (reader.teams.adjudication)
_EMPTY_PREFIX = "adjudication:"


def _gold_ids(value: JSON) -> list[str]:
    gold = value.get("gold") if isinstance(value, dict) else None
    return [str(i) for i in gold] if isinstance(gold, list) else []


def _same_decision(a: JSON, b: JSON) -> bool:
    """The same decision (made once, copied into two stores): same reviewer, choice and time (gold
    ids may differ when a merge renamed them)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return bool(a == b)
    return all(a.get(k) == b.get(k) for k in ("by", "chose", "at", "layer"))


def _decider(value: JSON) -> str:
    if isinstance(value, dict) and isinstance(value.get("by"), str) and value.get("by"):
        chose = value.get("chose")
        return f"{value['by']} ({chose or 'no span'})" if isinstance(chose, str) else str(value["by"])
    return "another reviewer"


def _pair(rec: dict[str, JSON]) -> tuple[str, str]:
    a, b = str(rec.get("a")), str(rec.get("b"))
    return (a, b) if a <= b else (b, a)


def _renamed_before(held: Annotation, ann: Annotation) -> bool:
    """``held`` is ``ann`` as an earlier merge added it under a new id (same content but the id)."""
    return {**ann_record(held), "id": ann.id} == ann_record(ann)


def merge_images(target: StoreImage, source: StoreImage, source_name: str, report: MergeReport,
                 done_by: dict[str, list[str]], overrides_by: dict[str, dict[str, list[str]]],
                 merger: _Merger | None = None) -> list[Op]:
    """The operations that bring ``source`` into ``target`` (also applied to ``target``)."""
    merger = merger or _Merger(target, report)
    id_map: dict[str, str] = {}
    lost = merger.losing_gold(source, source_name)
    ops = merger.annotations(source, source_name, id_map, lost)
    ops += merger.links(source, source_name, id_map)
    ops += merger.decisions(source, id_map)
    tables: list[Op] = []
    for table in ("languages", "documents"):
        for key, value in source.meta.get(table, {}).items():
            if key not in target.meta.get(table, {}):
                tables.append(["meta", table, key, value])
                report.tables += 1
    for doc_id, keys in source.meta.get("rejected", {}).items():
        current = target.meta.get("rejected", {}).get(doc_id)
        merged = _union_rejected(current, keys)
        if merged != (current or []):
            tables.append(["meta", "rejected", doc_id, merged])
            report.tables += 1
    for doc_id, value in source.meta.get("done", {}).items():
        done_by.setdefault(doc_id, []).append(source_name)
        if value and not target.meta.get("done", {}).get(doc_id):
            tables.append(["meta", "done", doc_id, True])
    for doc_id, lang in source.meta.get("overrides", {}).items():
        overrides_by.setdefault(doc_id, {}).setdefault(str(lang), []).append(source_name)
        if doc_id not in target.meta.get("overrides", {}):
            tables.append(["meta", "overrides", doc_id, lang])
    for op in tables:
        target.apply(op)
    return ops + tables


# --------------------------------------------------------------------------- the command


def _load_source(location: str) -> tuple[StoreImage, list[str]]:
    name = display_name(location)
    if not is_database_url(location) and not (Path(location) / "meta.json").is_file():
        raise ReaderError(f"{name}: not a reader store (no meta.json)")
    engine = open_engine(location, readonly=True, annotator="merge")
    try:
        image = engine.load()
        labels = label_set_of(engine, location).names
    finally:
        engine.close()
    _check_times(image, name)
    return image, list(labels)


def merge_stores(sources: Sequence[str], into: str) -> MergeReport:
    """Merge the stores at ``sources`` (folders or URLs) into the store at ``into`` (created when missing)."""
    if not sources:
        raise ReaderError("merge: name at least one source store")
    for src in sources:
        if same_store(src, into):
            raise ReaderError(f"{display_name(src)}: a store cannot be merged into itself")
    into_name = display_name(into)
    loaded = [(display_name(src), *_load_source(str(src))) for src in sources]  # every check before any write
    report = MergeReport(into_name, [name for name, _image, _labels in loaded])
    target_engine: StorageEngine = open_engine(into, readonly=False, annotator="merge")
    target = target_engine.load()
    try:
        if target_engine.readonly:
            raise ReaderError(f"{into_name}: cannot write the target store ({target_engine.readonly_reason})")
        target_labels = label_set_of(target_engine, into).names
        done_by: dict[str, list[str]] = {d: [into_name] for d, v in target.meta.get("done", {}).items() if v}
        overrides_by: dict[str, dict[str, list[str]]] = {
            d: {str(lang): [into_name]} for d, lang in target.meta.get("overrides", {}).items()
        }
        worked_on: dict[str, set[str]] = {}  # doc -> stores with annotations in it
        for doc_id, anns in target.by_doc.items():
            if anns:
                worked_on.setdefault(doc_id, set()).add(into_name)
        merger = _Merger(target, report)
        for name, image, labels in loaded:
            if sorted(labels) != sorted(target_labels):
                report.conflicts.append(
                    f"{name}: its labels ({', '.join(labels)}) differ from {into_name}'s ({', '.join(target_labels)})"
                )
            for doc_id, anns in image.by_doc.items():
                if anns:
                    worked_on.setdefault(doc_id, set()).add(name)
            ops = merge_images(target, image, name, report, done_by, overrides_by, merger)
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
