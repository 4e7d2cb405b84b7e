"""Issue 19 item 9: what is made while the collector is paused (the facts of a long document,
the counterparts of two) leaves the pause as old objects. Left young, the first allocations
after the pause walked them all, generation after generation: 1.9 s of CPU after the facts and
the alignment of the bench's 20k pair (0.5 s, 0.7 s and 0.7 s for generations 0, 1 and 2)."""
from __future__ import annotations

import gc

from reader.align.core import _GCPause


class _Thing:
    def __init__(self, n: int) -> None:
        self.n = n


def test_objects_made_during_the_pause_leave_it_in_the_oldest_generation():
    assert gc.isenabled()
    with _GCPause():
        made = [_Thing(i) for i in range(50_000)]
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_count()[0] < 1000  # nothing young left to walk at the next allocation
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(t) in oldest for t in made[::1000])
    assert id(made) in oldest


def test_cycles_made_during_the_pause_are_still_collected():
    import weakref

    with _GCPause():
        a = _Thing(1)
        b = _Thing(2)
        a.other, b.other = b, a  # type: ignore[attr-defined]
        alive = weakref.ref(a)
        del a, b
    assert alive() is not None  # a cycle: only the collector frees it
    gc.collect()
    assert alive() is None


def test_a_caller_that_paused_the_collector_keeps_it_paused():
    gc.disable()
    try:
        with _GCPause():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
