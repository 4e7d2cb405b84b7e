"""Changes applied as deltas (issue 21) give what a full reload gives: the shown list, the span index, the panel."""
from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from reader.annset import ShownAnnotations, sort_key
from reader.model import Annotation, Change
from reader.view.spans import SpanIndex

TEXT_LEN = 60
LABELS = ("claim", "quote", "salary")
STATUSES = ("accepted", "suggested", "rejected")


def _ann(i: int, start: int, length: int, label: str, status: str, annotator: str) -> Annotation:
    return Annotation(f"a{i:03d}", "doc", start, start + length, label, "x" * length, status=status,
                      annotator=annotator, score=0.3 if status == "suggested" and i % 2 else None)


ops = st.lists(st.tuples(st.sampled_from(("add", "update", "delete")), st.integers(0, 50), st.integers(0, 55),
                         st.integers(1, 5), st.sampled_from(LABELS), st.sampled_from(STATUSES),
                         st.sampled_from(("ann", "bob"))), max_size=40)


@settings(max_examples=150, deadline=None)
@given(ops, st.sampled_from((None, "ann")))
def test_applying_changes_equals_a_reload(steps, layer):
    """A model store: after each change, the delta-applied state equals a fresh reset and a fresh index."""
    store: dict[str, Annotation] = {}
    shown, index = ShownAnnotations(), SpanIndex()
    shown.reset([], layer)
    index.set([], TEXT_LEN)
    for n, (kind, i, start, length, label, status, who) in enumerate(steps):
        ann_id = f"a{i:03d}"
        old = store.get(ann_id)
        if kind == "add" and old is None:
            new = _ann(i, start, length, label, status, who)
            store[ann_id] = new
            change = Change("add", None, new)
        elif kind == "update" and old is not None:
            new = dataclasses.replace(old, label=label, status=status, updated=str(n))
            store[ann_id] = new
            change = Change("update", old, new)
        elif kind == "delete" and old is not None:
            del store[ann_id]
            change = Change("delete", old, None)
        else:
            continue
        delta = shown.apply([Change("batch", None, None, (change,)) if n % 3 == 0 else change])
        index.update(delta.removed, delta.added, TEXT_LEN)

        everything = [a for a in store.values() if a.status in ("accepted", "suggested")]
        fresh = ShownAnnotations()
        fresh.reset(everything, layer)
        assert [a.id for a in shown.items] == [a.id for a in fresh.items]
        assert shown.items == sorted(shown.items, key=sort_key)
        assert shown.layer_names == fresh.layer_names
        full = SpanIndex()
        full.set(fresh.items, TEXT_LEN)
        assert index.spans == full.spans
        for offset in range(0, TEXT_LEN, 3):
            assert index.spans_at(offset) == full.spans_at(offset)
            assert index.spans_in(offset, offset + 7) == full.spans_in(offset, offset + 7)


def test_a_delta_names_the_old_and_the_new_version_of_an_update():
    shown = ShownAnnotations()
    a = _ann(1, 0, 4, "claim", "suggested", "ann")
    shown.reset([a], None)
    b = dataclasses.replace(a, status="accepted")
    delta = shown.apply([Change("update", a, b)])
    assert delta.removed == (a,) and delta.added == (b,)
    assert shown.get(a.id) is b
    rejected = dataclasses.replace(b, status="rejected")
    delta = shown.apply([Change("update", b, rejected)])
    assert delta.removed == (b,) and delta.added == () and len(shown) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 4), st.sampled_from(LABELS), st.sampled_from(STATUSES[:2])),
                max_size=40), st.integers(0, 22), st.integers(1, 5))
def test_with_bounds_finds_what_a_pass_over_every_annotation_finds(spans, start, length):
    """The tag's lookup of a suggestion with the selection's bounds is a binary search now, not a pass."""
    shown = ShownAnnotations()
    shown.reset([_ann(i, s, n, label, status, "ann") for i, (s, n, label, status) in enumerate(spans)], None)
    end = start + length
    assert shown.with_bounds(start, end) == [a for a in shown.items if (a.start, a.end) == (start, end)]
