"""Links between annotations: the same fact stated in several documents (schema 2).

A :class:`~reader.model.Link` joins two annotations; a *linked group* is a
connected set of annotations (the four seeds' salary spans, say). Links live
in the workspace table ``links`` (``link id -> {"a", "b", "annotator",
"created", "status", "source"}``), so every engine keeps them with the
operations it already knows (``meta``/``unmeta``).

* A link whose annotation is gone (deleted, or not imported) is kept but not
  shown: undoing the deletion brings it back.
* Linking, unlinking, accepting and rejecting a suggested link are undoable
  like annotation changes, and each records the annotator.
* Rejecting a suggested link keeps it with status ``rejected``, so
  ``reader suggest --links`` does not offer it again.

:class:`LinkTable` is a part :class:`~reader.store.annotations.AnnotationStore` owns
(composed, not mixed in); the store's link methods hand over to it.
"""
from __future__ import annotations

from typing import Iterable

from reader.errors import AnnotationError
from reader.model import STATUS_ACCEPTED, STATUS_REJECTED, STATUS_SUGGESTED, Annotation, Link, new_id, now_iso
from reader.store.base import Op, StoreImage, copy_annotation
from reader.store.history import Change
from reader.store.part import StorePart
from reader.store.storable import check_fields, check_storable

TABLE = "links"


class LinkError(AnnotationError):
    """A link that cannot be made (unknown annotation, a span linked to itself, already linked)."""


def put_op(link: Link) -> Op:
    return ["meta", TABLE, link.id, link.to_record()]


def del_op(link_id: str) -> Op:
    return ["unmeta", TABLE, link_id]


def read_links(image: StoreImage) -> list[Link]:
    """Every well-formed link of the image (a malformed record is skipped, not fatal)."""
    out = []
    for link_id, rec in image.meta.get(TABLE, {}).items():
        try:
            out.append(Link.from_record(link_id, rec))
        except ValueError:
            continue
    return out


def groups_of(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components of linked pairs of annotation ids, as sorted lists."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return sorted(sorted(g) for g in groups.values())


class LinkTable(StorePart):
    """The links of one store: read from and changed in the store's image, recorded in its
    history, saved through its ``commit``; every method holds the store's ``lock``."""

    # ----------------------------------------------------------------- reading

    def _live(self, link: Link) -> bool:
        return link.a in self._image.anns and link.b in self._image.anns

    def links(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> list[Link]:
        """Links between existing annotations, with one of ``statuses``, oldest first."""
        wanted = set(statuses)
        with self._lock:
            found = [ln for ln in read_links(self._image) if ln.status in wanted and self._live(ln)]
        return sorted(found, key=lambda ln: (ln.created, ln.id))

    def links_of(self, ann_id: str, *, statuses: Iterable[str] = (STATUS_ACCEPTED, STATUS_SUGGESTED)) -> list[Link]:
        return [ln for ln in self.links(statuses=statuses) if ann_id in (ln.a, ln.b)]

    def get_link(self, link_id: str) -> Link | None:
        with self._lock:
            rec = self._image.meta.get(TABLE, {}).get(link_id)
            return Link.from_record(link_id, rec) if rec is not None else None

    def link_between(self, a: str, b: str) -> Link | None:
        """The link joining annotations ``a`` and ``b`` (any status), if there is one."""
        with self._lock:
            for ln in read_links(self._image):
                if {ln.a, ln.b} == {a, b}:
                    return ln
        return None

    def link_groups(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> list[list[Annotation]]:
        """Linked groups: each a list of annotations sorted by (doc_id, start), groups in that order too."""
        with self._lock:
            groups = groups_of((ln.a, ln.b) for ln in self.links(statuses=statuses))
            out = [sorted((copy_annotation(self._image.anns[i]) for i in g), key=lambda a: (a.doc_id, a.start, a.end))
                   for g in groups]
        return sorted(out, key=lambda g: (g[0].doc_id, g[0].start))

    # ----------------------------------------------------------------- changing

    def _new_link(self, a: str, b: str, status: str, source: str, annotator: str | None) -> Link:
        if a == b:
            raise LinkError(f"annotation {a}: a span cannot be linked to itself")
        for ann_id in (a, b):
            if ann_id not in self._image.anns:
                raise LinkError(f"no annotation {ann_id!r} to link")
        if status not in (STATUS_ACCEPTED, STATUS_SUGGESTED):
            raise LinkError(f"link status must be accepted or suggested, not {status!r}")
        link = Link(new_id(), a, b, annotator or self._annotator(), now_iso(), status, source)
        check_fields(link, "the link")
        return link

    def link(self, a: str, b: str, *, status: str = STATUS_ACCEPTED, source: str = "",
             annotator: str | None = None) -> Link:
        """Link annotations ``a`` and ``b``; durable when it returns; undoable.

        Linking a pair that has a suggested or rejected link accepts that link
        (when ``status`` is accepted); an accepted pair raises :class:`LinkError`.
        """
        with self._lock:
            self._check_writable()
            old = self.link_between(a, b)
            if old is not None:
                if old.status == STATUS_ACCEPTED or status != STATUS_ACCEPTED:
                    raise LinkError(f"annotations {a} and {b} are already linked")
                return self.update_link(old.id, status=STATUS_ACCEPTED)
            link = self._new_link(a, b, status, source, annotator)
            self._image.apply(put_op(link))
            self._history.record(Change("link", None, None, link_before=None, link_after=link))
            self._commit([put_op(link)])
            return link

    def link_many(self, pairs: Iterable[tuple[str, str]], *, status: str = STATUS_ACCEPTED, source: str = "",
                  annotator: str | None = None) -> list[Link]:
        """Link several pairs: one durable save and one undo step. Pairs already linked
        (any status) and pairs with a missing annotation are skipped."""
        with self._lock:
            self._check_writable()
            seen = {frozenset((ln.a, ln.b)) for ln in read_links(self._image)}
            made: list[Link] = []
            for a, b in pairs:
                key = frozenset((a, b))
                if key in seen or len(key) < 2 or a not in self._image.anns or b not in self._image.anns:
                    continue
                seen.add(key)
                made.append(self._new_link(a, b, status, source, annotator))
            if not made:
                return []
            ops = [put_op(ln) for ln in made]
            for op in ops:
                self._image.apply(op)
            self._history.record(Change("batch", None, None, tuple(
                Change("link", None, None, link_before=None, link_after=ln) for ln in made)))
            self._commit(ops)
            return made

    def restore_links(self, links: Iterable[Link]) -> int:
        """Keep links as they were exported (ids, annotators, times, statuses): the import side
        of a lossless round trip. A link whose id or pair is already here, or whose annotation
        is missing, is skipped. One durable save, one undo step. Returns how many were added."""
        with self._lock:
            self._check_writable()
            have = {ln.id for ln in read_links(self._image)}
            pairs = {frozenset((ln.a, ln.b)) for ln in read_links(self._image)}
            made: list[Link] = []
            for ln in links:
                key = frozenset((ln.a, ln.b))
                if (ln.id in have or key in pairs or len(key) < 2 or ln.a not in self._image.anns
                        or ln.b not in self._image.anns):
                    continue
                check_fields(ln, f"link {ln.id!r}")  # before anything changes: all or nothing
                have.add(ln.id)
                pairs.add(key)
                made.append(ln)
            if made:
                ops = [put_op(ln) for ln in made]
                for op in ops:
                    self._image.apply(op)
                self._history.record(Change("batch", None, None, tuple(
                    Change("link", None, None, link_before=None, link_after=ln) for ln in made)))
                self._commit(ops)
            return len(made)

    def update_link(self, link_id: str, *, status: str) -> Link:
        """Accept (or re-suggest) a link; undoable."""
        with self._lock:
            self._check_writable()
            check_storable("the link status", status)
            old = self.get_link(link_id)
            if old is None:
                raise LinkError(f"no link {link_id!r}")
            new = Link(old.id, old.a, old.b, self._annotator(), old.created, status, old.source)
            self._image.apply(put_op(new))
            self._history.record(Change("link-update", None, None, link_before=old, link_after=new))
            self._commit([put_op(new)])
            return new

    def unlink(self, link_id: str) -> Link:
        """Delete a link (a suggested one is kept as rejected, so it is not suggested again); undoable."""
        with self._lock:
            self._check_writable()
            old = self.get_link(link_id)
            if old is None:
                raise LinkError(f"no link {link_id!r}")
            if old.status == STATUS_SUGGESTED:
                rejected = Link(old.id, old.a, old.b, self._annotator(), old.created, STATUS_REJECTED, old.source)
                new: Link | None = rejected
                op = put_op(rejected)
            else:
                new, op = None, del_op(old.id)
            self._image.apply(op)
            self._history.record(Change("unlink" if new is None else "link-update", None, None,
                                        link_before=old, link_after=new))
            self._commit([op])
            return old

    def apply_change(self, change: Change) -> list[Op]:
        """Apply one link change (from undo/redo) to the image; the ops to commit."""
        target = change.link_after or change.link_before
        assert target is not None
        op = put_op(change.link_after) if change.link_after is not None else del_op(target.id)
        self._image.apply(op)
        return [op]
