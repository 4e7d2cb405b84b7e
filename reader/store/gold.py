"""One gold decision per cluster (issue 18, item 3): adjudication as one atomic, checked write.

A reviewer's decision on a cluster (see :mod:`reader.teams.adjudication`) is
one transaction: the gold spans it replaces are deleted, the chosen spans are
added to the gold layer, and the cluster's **decision row** is written, all
together. The decision row is an entry of the workspace table ``state`` under
:func:`decision_key` (``gold-decision:["<doc_id>", start, end]``, the extent of
the *annotators'* spans of the cluster, not of the gold ones, so that a
reviewer who moved a gold edge and one who did not still name the same
cluster). Its value says who decided what and when (:func:`decision_value`).

Two reviewers' views of "the same" cluster may differ in more than a gold
edge: an annotator may have moved or added a span that one reviewer has
polled and the other has not, so the extents differ. So a decision also
writes a **claim** on every annotator's span of its cluster (key
:func:`claim_key`, the span's id, which an edit keeps): two decisions on
clusters that share any annotator's span write the same claim row, and
collide even when their keys differ.

The decision names the rows its reviewer saw (``seen`` and ``claims``; None:
undecided). It is written only if they are still so:

* on every engine, the session's own image is checked first (the folder
  engine has one writer, so its image is the store: a review built from an
  older snapshot, e.g. opened read-only while another process held the lock,
  is refused here);
* on PostgreSQL the row is also written with the engine's optimistic check
  (``INSERT ... ON CONFLICT DO NOTHING`` for an undecided cluster,
  ``UPDATE ... WHERE rev = <seen>`` for a re-decision, see
  :mod:`reader.store.pgwrite`): of two reviewers who decide the same cluster
  at the same time, the database lets exactly one commit, and the other's
  whole transaction (its gold spans too) is rolled back.

The loser's image is reloaded to the winner's rows and it gets
:class:`~reader.errors.StoreConflictError` with one line: "carol decided this
cluster 4 s ago; reloaded".
"""
from __future__ import annotations

import json
import time
from typing import Callable, Sequence

from reader.errors import StoreConflictError
from reader.model import Annotation, ClusterDecision, now_iso
from reader.protocols import JSON, AnnotationItem
from reader.store.base import LayerKey, Op, ann_record, copy_annotation, layer_key
from reader.store.history import Change
from reader.store.validate import AnnotationValidator
from reader.store.part import StoreCore, StorePart
from reader.store.storable import check_fields, check_storable


#: the workspace table holding the decision rows (version-checked on PostgreSQL)
DECISION_TABLE = "state"
DECISION_PREFIX = "gold-decision:"
CLAIM_PREFIX = "gold-claim:"


def decision_key(doc_id: str, start: int, end: int) -> str:
    """The ``state`` key of the decision on the cluster of ``doc_id`` whose annotators' spans cover start..end."""
    return DECISION_PREFIX + json.dumps([doc_id, start, end], ensure_ascii=False)


def claim_key(ann_id: str) -> str:
    """The ``state`` key of the claim on an annotator's span: which decision took it into account."""
    return CLAIM_PREFIX + ann_id


def parse_decision_key(key: str) -> tuple[str, int, int] | None:
    """(doc_id, start, end) of a decision key, or None when ``key`` is not one."""
    if not key.startswith(DECISION_PREFIX):
        return None
    try:
        doc_id, start, end = json.loads(key[len(DECISION_PREFIX):])
    except (ValueError, TypeError):
        return None
    if isinstance(doc_id, str) and isinstance(start, int) and isinstance(end, int):
        return doc_id, start, end
    return None


def decision_value(reviewer: str, chose: str, gold_ids: Sequence[str], layer: str) -> dict[str, JSON]:
    """A decision row: ``by`` (the reviewer), ``chose`` (whose version; "" for no span, "agreed"),
    ``gold`` (the ids of the gold spans it made), ``layer`` and ``at`` (time.time())."""
    return {"by": reviewer, "chose": chose, "gold": list(gold_ids), "layer": layer, "at": round(time.time(), 3)}


def describe_decision(value: JSON, now: float | None = None) -> str:
    """The loser's one line: "carol decided this cluster 4 s ago; reloaded"."""
    if not isinstance(value, dict):
        return "another reviewer changed the decision on this cluster meanwhile; reloaded"
    who = value.get("by") if isinstance(value.get("by"), str) and value.get("by") else "another reviewer"
    at = value.get("at")
    ago = ""
    if isinstance(at, (int, float)) and not isinstance(at, bool):
        ago = f" {max(0, int((now if now is not None else time.time()) - at))} s ago"
    return f"{who} decided this cluster{ago}; reloaded"


class GoldWriter(StorePart):
    """:meth:`decide_clusters` and :meth:`decisions` of one store: a part the store owns
    (composed, not mixed in), reading and changing the store's image, recording in its
    history and saving through its ``commit``; each public method holds the store's ``lock``."""

    def __init__(self, core: StoreCore, replace: Callable[[Annotation | None, Annotation | None], None],
                 validator: AnnotationValidator) -> None:
        super().__init__(core)
        self._replace = replace
        self._validator = validator

    def _gold_spans(self, items: list[AnnotationItem], source: str, keys: set[LayerKey]) -> list[Annotation]:
        """The annotations of ``items``, validated (not applied); an exact duplicate is skipped."""
        stamp = now_iso()
        out: list[Annotation] = []
        for n, item in enumerate(items, 1):
            ann = self._validator.make(self._validator.fields(item, n), stamp=stamp, source=source)
            if layer_key(ann) in keys or self._validator.is_duplicate(ann):
                continue
            keys.add(layer_key(ann))
            out.append(ann)
        return out

    def decisions(self, doc_id: str) -> dict[tuple[int, int], JSON]:
        """The decision rows of ``doc_id``'s clusters, by (start, end) of the cluster key."""
        with self._lock:
            out: dict[tuple[int, int], JSON] = {}
            for key, value in self._image.meta[DECISION_TABLE].items():
                parsed = parse_decision_key(key)
                if parsed is not None and parsed[0] == doc_id:
                    out[(parsed[1], parsed[2])] = value
            return out

    def decide_clusters(self, decisions: Sequence[ClusterDecision], *, layer: str, source: str = "") -> list[Annotation]:
        """Apply the decisions as one durable transaction: each one's old gold spans removed, its
        new ones added, its decision row and the claims of its annotators' spans written; all or
        nothing. A decision whose rows are no longer what it saw (another reviewer decided first)
        refuses the whole write with :class:`~reader.errors.StoreConflictError` (one line) and
        the image shows theirs. Returns the gold spans added. Undo removes them (the decision
        row stays, so the cluster shows undecided again)."""
        with self._lock:
            self._check_writable()
            check_storable("layer", layer)
            check_storable("source", source)
            for n, d in enumerate(decisions, 1):
                check_fields(d, f"decision {n}")  # the spans it adds are checked as they are made
            table = self._image.meta[DECISION_TABLE]
            rows: list[tuple[str, JSON]] = []  # (key, the value seen) of every row the decisions write
            for d in decisions:
                rows.append((decision_key(d.doc_id, d.start, d.end), d.seen))
                rows += [(claim_key(ann_id), seen) for ann_id, seen in d.claims.items()]
            for key, seen in rows:
                if table.get(key) != seen:
                    raise StoreConflictError(describe_decision(table.get(key)))
            removed = [self._image.anns[i] for d in decisions for i in d.remove if i in self._image.anns]
            for old in removed:
                self._replace(old, None)
            keys: set[LayerKey] = set()
            try:
                per = [self._gold_spans(list(d.add), source or f"adjudicated:{d.chose}", keys) for d in decisions]
            except BaseException:
                for old in removed:
                    self._replace(None, old)
                raise
            for added in per:
                for ann in added:
                    self._replace(None, ann)
            written: list[tuple[str, JSON]] = []
            for d, added in zip(decisions, per):
                key = decision_key(d.doc_id, d.start, d.end)
                value = decision_value(self._annotator(), d.chose, [a.id for a in added], layer)
                written.append((key, value))
                claim: JSON = {"decision": key, "by": value["by"], "at": value["at"]}
                written += [(claim_key(ann_id), claim) for ann_id in d.claims]
            ops: list[Op] = []
            for key, row in written:  # first: a conflict on them is the one reported
                table[key] = row
                ops.append(["meta", DECISION_TABLE, key, row])
            ops += [["del", old.doc_id, old.id] for old in removed]
            new = [a for added in per for a in added]
            ops += [["put", ann_record(a)] for a in new]
            if removed or new:
                self._history.record(Change("batch", None, None, tuple(
                    [Change("delete", old, None) for old in removed] + [Change("add", None, a) for a in new])))
            try:
                self._commit(ops)
            except StoreConflictError:
                now = [table.get(key) for key, value in written if table.get(key) not in (value, None)]
                raise StoreConflictError(describe_decision(now[0] if now else None)) from None
            return [copy_annotation(a) for a in new]


__all__ = ["ClusterDecision", "GoldWriter", "claim_key", "decision_key", "decision_value", "describe_decision", "parse_decision_key"]
