"""Plain data shared by the domain and the UI. No I/O here."""
from __future__ import annotations

import getpass
import uuid
from functools import cached_property
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

STATUS_ACCEPTED = "accepted"
STATUS_SUGGESTED = "suggested"
STATUS_REJECTED = "rejected"
STATUSES = (STATUS_ACCEPTED, STATUS_SUGGESTED, STATUS_REJECTED)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def default_annotator() -> str:
    """The login name, as a name the store can keep: a name that is not UTF-8 (its bytes come as
    lone surrogates, which no UTF-8 file carries) has them shown as U+FFFD; one that is still not a
    usable annotator name (too long, a control character) is "unknown", so the app still opens."""
    try:
        name = getpass.getuser() or "unknown"
    except Exception:  # no user database entry (containers)
        return "unknown"
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "unknown" if annotator_problem(name) else name


#: an annotator name: 1-64 printable characters (spaces allowed, no other whitespace)
MAX_ANNOTATOR_CHARS = 64
#: an annotation or document id from outside (an import): 1-256 printable characters (spaces allowed)
MAX_ID_CHARS = 256


def annotator_problem(name: str) -> str | None:
    """Why ``name`` is not a usable annotator name (the CLI's rule, also applied to imports), or None."""
    if not name or len(name) > MAX_ANNOTATOR_CHARS or any(
            (ch.isspace() and ch != " ") or not ch.isprintable() for ch in name):
        return f"{name[:70]!r} is not a usable annotator name (1-{MAX_ANNOTATOR_CHARS} printable characters)"
    return None


def id_problem(value: str, what: str = "id") -> str | None:
    """Why ``value`` is not a usable id from outside, or None."""
    if not value or len(value) > MAX_ID_CHARS or any((ch.isspace() and ch != " ") or not ch.isprintable() for ch in value):
        shown = value[:40] + ("…" if len(value) > 40 else "")
        return f"the {what} {shown!r} is not usable (1-{MAX_ID_CHARS} printable characters; it has {len(value):,})"
    return None


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    lang: str
    confidence: float


@dataclass
class Document:
    """One document of the corpus, on its canonical text.

    ``text`` is the file decoded as UTF-8 (BOM removed) with line endings
    normalised to ``\\n``. Offsets everywhere index this string.
    """

    id: str
    text: str
    sha256: str
    path: Path | None = None
    title: str = ""
    date: str | None = None
    size: int = 0  # bytes on disk (or of the UTF-8 text for imported docs)
    lang: str = "unknown"
    lang_confidence: float = 0.0
    lang_source: str = "pending"  # pending | detected | cache | override | import
    paragraphs: list[Paragraph] | None = None
    imported: bool = False  # True for documents that live in the store only
    encoding: str = "utf-8"

    @property
    def known_lang(self) -> str | None:
        """The language code, or None while it is unknown (the form recognisers and aligners take)."""
        return None if self.lang in ("", "unknown") else self.lang

    @property
    def chars(self) -> int:
        return len(self.text)

    @cached_property
    def words(self) -> int:
        # computed once: splitting a 50 MB text costs about a second
        return count_words(self.text)

    def paragraph_at(self, offset: int) -> Paragraph | None:
        for p in self.paragraphs or ():
            if p.start <= offset < p.end or (p.start == p.end == offset):
                return p
        return None


_WORDS_CHUNK = 1 << 20


def count_words(text: str) -> int:
    """``len(text.split())`` without the list: a 30 MB text split at once holds millions of
    strings (about 12x the text, docs/reliability.md); this splits a megabyte at a time and
    counts a word cut by a chunk's edge once."""
    if len(text) <= _WORDS_CHUNK:
        return len(text.split())
    total = 0
    for at in range(0, len(text), _WORDS_CHUNK):
        total += len(text[at:at + _WORDS_CHUNK].split())
        if at and not text[at - 1].isspace() and not text[at].isspace():
            total -= 1  # one word across the edge
    return total


@dataclass
class Annotation:
    id: str
    doc_id: str
    start: int
    end: int
    label: str
    text: str
    note: str = ""
    annotator: str = field(default_factory=default_annotator)
    created: str = field(default_factory=now_iso)
    updated: str = ""
    doc_sha256: str = ""
    status: str = STATUS_ACCEPTED
    source: str = ""  # "" for hand-made, e.g. "suggest:salary", "import:doccano"
    orphaned: bool = False
    # the normalised amount of a salary: {"min", "max", "currency", "period"}
    # (reader.amounts); None for other labels and for text that does not parse
    value: dict[str, Any] | None = None
    score: float | None = None  # a suggestion's score (0..1); None for hand-made annotations
    reason: str = ""  # why the recogniser suggested it: "cue 'salary' 3 words before"
    # who made the suggestion this annotation was accepted from ("" for hand-made ones): accepting
    # credits the one who accepts (``annotator``), this keeps the origin (issue 18)
    suggested_by: str = ""

    def __post_init__(self) -> None:
        if not self.updated:
            self.updated = self.created

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Annotation":
        """From a stored dict; fields a store written by an older version lacks take their defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def key(self) -> tuple[str, int, int, str]:
        """Identity for duplicate detection."""
        return (self.doc_id, self.start, self.end, self.label)

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Link:
    """Two annotations (usually in documents in different languages) that state the same fact.

    Links are undirected; a *linked group* is a connected set of annotations.
    ``status`` is "accepted" or "suggested" (from ``reader suggest --links``).
    """

    id: str
    a: str  # annotation id
    b: str  # annotation id
    annotator: str = ""
    created: str = ""
    status: str = STATUS_ACCEPTED
    source: str = ""  # "" by hand, "suggest:links" from the suggester, "import:jsonl"

    def to_record(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "annotator": self.annotator, "created": self.created,
                "status": self.status, "source": self.source}

    @classmethod
    def from_record(cls, link_id: str, rec: object) -> "Link":
        """The link ``link_id`` of its stored record (a JSON value); ValueError when it is not one."""
        if not isinstance(rec, dict) or not isinstance(a := rec.get("a"), str) or not isinstance(b := rec.get("b"), str):
            raise ValueError(f"link {link_id!r}: fields 'a' and 'b' must be annotation ids")
        return cls(link_id, a, b, str(rec.get("annotator") or ""), str(rec.get("created") or ""),
                   str(rec.get("status") or STATUS_ACCEPTED), str(rec.get("source") or ""))

    def other(self, ann_id: str) -> str:
        return self.b if ann_id == self.a else self.a


@dataclass(frozen=True, slots=True)
class Change:
    """One undoable change. ``kind`` is "add", "update", "delete" or "batch"
    (``add_many``/``update_many``; its single changes are in ``items``), or for
    links "link", "unlink" and "link-update" (``link_before``/``link_after``).
    Slotted: the undo history of an import holds one per annotation (80 bytes, not 136)."""

    kind: str
    before: Annotation | None
    after: Annotation | None
    items: tuple["Change", ...] = ()
    link_before: Link | None = None
    link_after: Link | None = None

    @property
    def is_link(self) -> bool:
        return self.kind in ("link", "unlink", "link-update")

    def inverse(self) -> "Change":
        if self.kind == "batch":
            return Change("batch", None, None, tuple(c.inverse() for c in reversed(self.items)))
        kind = {"add": "delete", "delete": "add", "link": "unlink", "unlink": "link"}.get(self.kind, self.kind)
        return Change(kind, self.after, self.before, link_before=self.link_after, link_after=self.link_before)

    def singles(self) -> tuple["Change", ...]:
        """The single changes (a batch's items, or this change alone)."""
        return self.items if self.kind == "batch" else (self,)


@dataclass
class ReanchorReport:
    """What :meth:`AnnotationStore.attach_corpus` did to annotations of changed documents."""

    checked: int = 0  # annotations whose document changed (or that were orphaned)
    unchanged: int = 0  # document changed, span still at the same place
    moved: list[Annotation] = field(default_factory=list)
    orphaned: list[Annotation] = field(default_factory=list)
    restored: list[Annotation] = field(default_factory=list)  # orphans found again
    adopted: int = 0  # annotations saved without a document text, now filled in
    missing_documents: list[str] = field(default_factory=list)  # annotated ids not in the corpus
    saved: bool = True  # False when the store is read-only (changes kept in memory only)

    @property
    def changed(self) -> bool:
        return bool(self.moved or self.orphaned or self.restored or self.adopted)

    def summary(self) -> str:
        parts = []
        if self.moved:
            parts.append(f"{len(self.moved)} moved")
        if self.restored:
            parts.append(f"{len(self.restored)} found again")
        if self.orphaned:
            parts.append(f"{len(self.orphaned)} orphaned (text not found; kept)")
        if self.missing_documents:
            parts.append(f"{len(self.missing_documents)} annotated document(s) missing from the corpus")
        if not parts:
            return "all annotations are anchored"
        return "re-anchoring: " + ", ".join(parts)


@dataclass
class ClusterDecision:
    """One reviewer's decision on one adjudication cluster, written as one checked write
    (:meth:`reader.store.gold.GoldWriter.decide_clusters`)."""

    doc_id: str
    start: int  # the extent of the annotators' spans of the cluster (its key)
    end: int
    seen: Any  # JSON: the decision row this reviewer saw (None: undecided)
    chose: str  # whose version ("" = no span here)
    remove: list[str] = field(default_factory=list)  # ids of the gold spans it replaces
    #: the annotators' spans of the cluster: id -> the claim row seen (None: never decided)
    claims: dict[str, Any] = field(default_factory=dict)
    add: list[dict[str, Any]] = field(default_factory=list)  # the gold spans it makes
