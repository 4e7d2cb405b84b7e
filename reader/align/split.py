"""The facts of a long document found by several processes at once (issue 19 item 9).

A passage's facts depend on the document's text and that passage only, so the passages of a
long document can be cut into consecutive parts, each part's facts found by its own process,
and the parts' results put back in order: the same facts, in the same order, as one process
finds (``tests/unit/test_align_split.py`` compares both). This process takes the first part
itself while the others run; the workers are forked (Linux: they start in milliseconds with
every pattern already compiled), there is one per CPU this process may use, and all of them
have ended and been reaped when :func:`in_parts` returns (nothing is left behind, the CPU time
they used is counted in this process's ``RUSAGE_CHILDREN``). Short documents, a single CPU, a
platform without ``fork``, or a pool that cannot start: the work runs here, in one process.

This module never imports textual.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Span = tuple[int, int]
T = TypeVar("T")

#: below this many passages the work runs in this process (starting workers and sending the
#: facts back costs more than it saves: about 20 ms per worker, 3 µs per fact)
PARALLEL_PASSAGES = 2000
#: passages done before the workers are forked (see :func:`in_parts`)
WARM_UP = 50
#: no more processes than this (each holds a copy of what the document's facts need)
MAX_WORKERS = 4


def workers() -> int:
    """How many processes may work at once: the CPUs this process may run on (at most
    :data:`MAX_WORKERS`); 1 where workers cannot be forked."""
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return 1  # spawned workers would import the whole package again: slower than one process
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def cut(spans: list[Span], parts: int) -> list[list[Span]]:
    """``spans`` in ``parts`` consecutive runs of near-equal length (none empty)."""
    parts = max(1, min(parts, len(spans)))
    size, extra = divmod(len(spans), parts)
    out: list[list[Span]] = []
    at = 0
    for i in range(parts):
        n = size + (1 if i < extra else 0)
        out.append(spans[at:at + n])
        at += n
    return out


def in_parts(work: Callable[[list[Span]], list[T]], spans: list[Span],
             min_passages: int | None = None) -> list[T]:
    """``work(spans)``, one result per span, computed in parts by several processes when
    ``spans`` are many. ``work`` must be picklable (a module-level function, or a
    ``functools.partial`` of one) and give each span's result from that span alone."""
    n = workers()
    threshold = PARALLEL_PASSAGES if min_passages is None else min_passages
    if n < 2 or len(spans) < max(threshold, 2):
        return work(spans)
    # the first passages here, before forking: what the work builds once and keeps (compiled
    # patterns, tables read from CLDR, imports) is then built once, not again in each worker
    first = work(spans[:WARM_UP]) if WARM_UP > 0 else []
    spans = spans[WARM_UP:]
    parts = cut(spans, n)
    try:
        pool = ProcessPoolExecutor(max_workers=len(parts) - 1, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError):
        return first + work(spans)
    with pool:
        try:
            futures: list[Future[list[T]] | None] = [pool.submit(work, part) for part in parts[1:]]
        except (OSError, RuntimeError, BrokenProcessPool):
            futures = [None] * (len(parts) - 1)
        out = first + work(parts[0])  # this process takes the first part meanwhile
        for part, future in zip(parts[1:], futures, strict=True):
            try:
                got = future.result() if future is not None else None
            except (OSError, BrokenProcessPool):
                got = None  # a worker that died (out of memory, killed): its part is done here
            out += got if got is not None else work(part)
    return out
