"""The facts of a long document found by several processes at once (issue 19 item 9).

A passage's facts depend on the document's text and that passage only, so the passages of a
long document can be cut into chunks, each chunk's facts found by any process, and the
results put back in order: the same facts, in the same order, as one process finds
(``tests/unit/test_align_split.py`` compares both). This process works from the start of the
document while the workers work from its end (see :func:`in_parts`); the workers are forked
(Linux: they start in milliseconds, with every pattern already compiled), one per further CPU
this process may use, and all of them have ended and been reaped when :func:`in_parts` returns
(nothing is left behind; the CPU time they used is counted in this process's
``RUSAGE_CHILDREN``). A worker leaves each chunk's results in a memory file with no name, read back
here (:class:`_ResultsFile`), not in the executor's pipe, which a chunk's results fill (the worker would
wait for this process to read them). Short documents, a single CPU, a platform without ``fork``, a machine whose
other CPUs are busy (:func:`others_running`), or a pool that cannot start: the work runs here,
in one process.

This module never imports textual.
"""
from __future__ import annotations

import itertools
import mmap
import multiprocessing
import os
import pickle
from os import _exit as end_process  # os._exit: the name clashes with a private Textual one (public API test)
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, cast

Span = tuple[int, int]
T = TypeVar("T")

#: below this many passages the work runs in this process (starting workers and sending the
#: facts back costs more than it saves: about 20 ms per worker, 3 µs per fact)
PARALLEL_PASSAGES = 2000
#: passages in a chunk of work (a worker's share grows chunk by chunk)
CHUNK = 500
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


def others_running() -> int:
    """Processes running or ready to run on this machine besides this one, the least of three
    looks at ``/proc/loadavg`` (0 where it cannot be read). A worker forked while every other CPU
    is busy only takes CPU from this process: on a 2-CPU machine with one busy process, two
    processes of ours found a document's facts more slowly than one (bench_align_scale)."""
    seen = []
    try:
        for _ in range(3):
            with open("/proc/loadavg", encoding="ascii") as fh:
                seen.append(int(fh.read().split()[3].split("/")[0]) - 1)
            time.sleep(0.001)
    except (OSError, ValueError, IndexError):
        return 0
    return max(0, min(seen))


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


Work = Callable[[list[Span]], list[T]]


class Transfer(Protocol[T]):
    """How a worker's results travel back, when pickling them as they are costs more than needed:
    ``unpack(pack(results)) == results`` (the facts of ``reader.align.core`` travel as plain
    tuples: pickling a plain tuple calls no Python code, a ``Fact`` calls its ``__getnewargs__``)."""

    def pack(self, results: list[T]) -> object: ...

    def unpack(self, packed: object) -> list[T]: ...


#: who took a chunk (``_Job.claims``): nobody yet, this process, a worker
_FREE, _HERE, _WORKER = 0, 1, 2

#: bytes of the memory file (:class:`_ResultsFile`) for each chunk's results: chunk ``i`` writes at ``i * SLOT``
#: (the file is sparse: only what is written takes memory)
SLOT = 1 << 32


class _Left(NamedTuple):
    """What a worker returns for a chunk whose results it wrote to the job's memory file: their size."""

    size: int


class _ResultsFile:
    """Where the workers of one job leave each chunk's results: a file in memory with no name
    (``memfd_create``, made before the fork, so every worker has it), chunk ``i`` pickled at
    ``i * SLOT``, read back here and its pages given back at once. Returned through the executor, a
    chunk's results (about 180 KB for 500 passages of facts) fill its pipe, and the worker waits until
    this process, busy with its own chunks, has read them: written to memory, they cost the worker no
    wait (the bench's 20k pair: its facts 4-15% sooner in the runs measured). Where no such file can be made, or a chunk's
    results do not fit, they travel through the executor. The file is gone when this process and the
    workers have closed it, however they end."""

    def __init__(self) -> None:
        try:
            self.fd: int | None = os.memfd_create("reader-split-results")
        except (AttributeError, OSError):
            self.fd = None

    def write(self, index: int, packed: object) -> object:
        """In a worker: ``packed`` written at chunk ``index``'s place, and what says so (a
        :class:`_Left`); ``packed`` itself when it cannot be (no file, no room, larger than a slot)."""
        if self.fd is None:
            return packed
        data = pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > SLOT:
            return packed
        try:
            view, at = memoryview(data), index * SLOT
            while view:
                n = os.pwrite(self.fd, view, at)
                view, at = view[n:], at + n
        except OSError:  # no room in memory for it (ENOSPC): through the executor
            return packed
        return _Left(len(data))

    def read(self, index: int, found: object) -> object:
        """Here: what a worker returned for chunk ``index``, read from the file when it wrote it there
        (``OSError`` when part of it is missing)."""
        if not isinstance(found, _Left) or self.fd is None:
            return found
        parts, at, end = [], index * SLOT, index * SLOT + found.size
        while at < end:
            got = os.pread(self.fd, end - at, at)
            if not got:
                raise OSError(f"chunk {index}: {end - at} bytes of its results missing")
            parts.append(got)
            at += len(got)
        self._give_back(index * SLOT, found.size)
        return pickle.loads(b"".join(parts))

    def _give_back(self, at: int, size: int) -> None:
        """The memory of the results at ``at`` (read) given back to the system: the file's pages there
        are removed (``MADV_REMOVE`` on a shared map of them). Where it cannot be done, they are held until
        the file is closed."""
        if self.fd is None or size <= 0:
            return
        try:
            with mmap.mmap(self.fd, size, offset=at) as view:
                view.madvise(mmap.MADV_REMOVE, 0, size)
        except (AttributeError, OSError, ValueError):  # no MADV_REMOVE here: kept until the work ends
            pass

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _Job(Generic[T]):
    """What forked workers find of one call of :func:`in_parts_many`: the work, one shared
    byte per chunk saying who took it, and where to leave the results (:class:`_ResultsFile`). The
    two sides may both take a chunk at the same instant (no lock: a worker killed while holding one
    would block everyone): then it is done twice and the result of this process is kept, nothing is
    lost or taken from a worker twice."""

    def __init__(self, works: Sequence[Work[T]], chunks: int, pack: Callable[[list[T]], object] | None = None) -> None:
        self.works = works
        self.pack = pack
        self.claims = multiprocessing.RawArray("b", chunks)  # shared memory, inherited by the fork
        self.results = _ResultsFile()


_jobs: dict[int, _Job[Any]] = {}  # forked workers find their work here (of any job's result type)
_job_ids = itertools.count()


def _watch(parent: int) -> None:
    """In a worker: end when the parent is gone (killed: nobody will ask for more work)."""
    while os.getppid() == parent:
        time.sleep(0.2)
    end_process(0)


def _quiet(parent: int) -> None:
    """In a new worker: it ends when its parent does (killed with ``kill -9``, the worker would
    otherwise wait for work forever), its standard streams go nowhere, its signals stay its own. A fork copies what the parent had
    written to ``sys.stdout`` but not flushed yet (the TUI's writer thread, mid-frame), and a
    worker flushes its streams when it ends: the terminal would get that output twice."""
    threading.Thread(target=_watch, args=(parent,), name="reader-split-watch", daemon=True).start()
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    try:  # nor does a signal reach the parent's event loop through the wake-up fd it inherited
        signal.set_wakeup_fd(-1)
    except (ValueError, OSError):
        pass
    # an interrupt is the parent's to handle (Ctrl-C reaches it too, and it ends the workers): one
    # sent to a worker alone would come back through its future and stop the parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(job: int, index: int, part: int, spans: list[Span]) -> object | None:
    """In a worker: chunk ``index`` of job ``job`` (inherited from the parent at the fork), work
    ``part`` on ``spans`` (packed for the way back when the job says how); None when this process
    took the chunk back."""
    j = _jobs[job]
    if j.claims[index] != _FREE:
        return None
    j.claims[index] = _WORKER
    found = j.works[part](spans)
    return j.results.write(index, j.pack(found) if j.pack is not None else found)


def in_parts(work: Work[T], spans: list[Span], min_passages: int | None = None) -> list[T]:
    """``work(spans)``, one result per span, computed in parts by several processes when
    ``spans`` are many. ``work`` must give each span's result from that span alone
    (:func:`in_parts_many` with one piece of work)."""
    done = in_parts_many([(work, spans)], min_passages)
    assert done is not None  # nothing can stop it
    return done[0]


def in_parts_many(jobs: Sequence[tuple[Work[T], list[Span]]], min_passages: int | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  should_stop: Callable[[], bool] | None = None,
                  transfer: Transfer[T] | None = None,
                  each: Callable[[int, list[T]], None] | None = None) -> list[list[T]] | None:
    """``[work(spans) for work, spans in jobs]`` (the facts of several documents, say), computed
    in parts by several processes when the spans of all of them are many; each ``work`` must
    give each span's result from that span alone.

    The spans are cut into chunks of about :data:`CHUNK` passages, the chunks of every job in
    one row. The workers take chunks from the end of the row backwards while this process
    takes them from the start; when it reaches a chunk no worker has started, it does that one
    itself. So a busy machine, where a worker gets little CPU, costs little more than one process
    (at most the few chunks a worker has taken, waited for), and an idle one shares the work
    evenly, across the documents: one pool for all of them, no worker idle while one document
    is finished and the next not started. The work itself is never pickled: the workers are
    forked after it is registered, and only spans and results travel.

    ``transfer``: how a worker's results are packed for the way back (see :class:`Transfer`).
    ``each(part, results)`` is called in this process with every piece of ``part``'s results as soon
    as it is known (in no set order): what is made of all of them (the facts' counts of
    ``reader.align.core``) is made meanwhile, shared with the workers' time, not after.
    ``progress(done, total)`` is called in this process with the spans done so far;
    ``should_stop()`` is asked before each chunk this process takes: when it says so, the chunks
    not started are dropped and None is returned."""
    threshold = PARALLEL_PASSAGES if min_passages is None else min_passages
    total = sum(len(spans) for _, spans in jobs)
    n = workers()
    if total >= max(threshold, 2) and n >= 2:
        n = min(n, n - others_running())  # the CPUs nobody else is using
    if total < max(threshold, 2) or n < 2:
        return _here(jobs, total, progress, should_stop, each=each)
    # the first passages of each job here, before forking: what the work builds once and keeps
    # (compiled patterns, tables read from CLDR, imports) is then built once, not again in each worker
    out: list[list[T]] = [work(spans[:WARM_UP]) if WARM_UP > 0 else [] for work, spans in jobs]
    if each is not None:
        for part, first in enumerate(out):
            each(part, first)
    done = sum(len(part) for part in out)
    chunks: list[tuple[int, list[Span]]] = []
    for part, (_, spans) in enumerate(jobs):
        rest = spans[WARM_UP:]
        if rest:
            pieces = max(2 * n, len(rest) // CHUNK) if len(jobs) == 1 else max(1, len(rest) // CHUNK)
            chunks += [(part, c) for c in cut(rest, pieces)]
    if not chunks:
        return out  # many short documents: the warm-up did them all
    job = next(_job_ids)
    shared: _Job[T] = _Job([work for work, _ in jobs], len(chunks), transfer.pack if transfer is not None else None)
    _jobs[job] = shared
    claims = shared.claims
    try:
        try:
            pool = ProcessPoolExecutor(max_workers=n - 1, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_quiet, initargs=(os.getpid(),))
        except (OSError, ValueError):
            return _here(jobs, total, progress, should_stop, out, done, chunks, each)
        try:
            futures: dict[int, Future[object | None]] = {}
            try:
                for i in range(len(chunks) - 1, 0, -1):  # the workers start from the end
                    futures[i] = pool.submit(_run, job, i, *chunks[i])
            except (OSError, RuntimeError, BrokenProcessPool):
                pass  # the chunks not submitted are done here
            unpacked = transfer.unpack if transfer is not None else (lambda found: cast("list[T]", found))

            def unpack(i: int, found: object) -> list[T] | None:
                """Chunk ``i``'s results as a worker returned them; None when they cannot be read."""
                try:
                    return unpacked(shared.results.read(i, found))
                except (OSError, EOFError, pickle.UnpicklingError):
                    return None

            back: dict[int, list[T]] = {}  # the workers' results already read (and told to each), by chunk

            def told(i: int, got: list[T]) -> None:
                """Chunk ``i``'s results, read back from a worker, told to ``each`` at once: told when
                this loop reaches the chunk, the worker's half of the facts was counted after this
                process's last chunk, with the other CPU idle (0.04 s for the bench's 20k pair). This
                process's own chunks are told here as they are done."""
                if each is not None:
                    each(chunks[i][0], got)

            for i, (part, spans) in enumerate(chunks):
                # what the workers have sent back meanwhile is read now, between this process's own
                # chunks: read at the end, it would be work no worker can share (for the bench's 20k
                # pair, making the worker's half of the facts objects again here: 0.2-0.5 s)
                _read_back(futures, i, back, unpack, told)
                future = futures.get(i)
                # a chunk no worker has taken is taken back here. A future is never cancelled:
                # CPython 3.11's executor, when a worker dies, sets an error on every pending
                # future, fails on a cancelled one (gh-107219) and leaves the other workers running
                if i in back:
                    got = back.pop(i)  # told already
                elif future is None or claims[i] == _FREE:
                    if should_stop is not None and should_stop():
                        return None
                    claims[i] = _HERE
                    got = jobs[part][0](spans)
                    told(i, got)
                else:
                    try:
                        found = future.result()  # what work gave, in the worker
                    except (OSError, BrokenProcessPool):
                        found = None  # a worker that died (out of memory, killed): done here
                    read = None if found is None else unpack(i, found)
                    got = jobs[part][0](spans) if read is None else read
                    told(i, got)
                out[part] += got
                done += len(spans)
                if progress is not None:
                    progress(done, total)
        finally:
            # an error, an interrupt or a stop here: the chunks not started are taken, so that the
            # workers skip them, not worked through
            for i in range(len(chunks)):
                if claims[i] == _FREE:
                    claims[i] = _HERE
            pool.shutdown(wait=True)
        return out
    finally:
        del _jobs[job]
        shared.results.close()


def _read_back(futures: dict[int, Future[object | None]], after: int, back: dict[int, list[T]],
               unpack: Callable[[int, object], list[T] | None], told: Callable[[int, list[T]], None]) -> None:
    """Read into ``back`` the results of the chunks after ``after`` that workers have finished, each
    told (``told(i, results)``) as it is read (a chunk a worker gave back, whose worker failed or
    whose results cannot be read, is left to the caller, which does it)."""
    for i in [i for i in futures if i > after and i not in back]:
        future = futures[i]
        if future.done() and future.exception() is None:
            found = future.result()
            read = None if found is None else unpack(i, found)
            if read is not None:
                back[i] = read
                told(i, read)


def _here(jobs: Sequence[tuple[Work[T], list[Span]]], total: int, progress: Callable[[int, int], None] | None,
          should_stop: Callable[[], bool] | None, out: list[list[T]] | None = None, done: int = 0,
          chunks: list[tuple[int, list[Span]]] | None = None,
          each: Callable[[int, list[T]], None] | None = None) -> list[list[T]] | None:
    """The work of ``jobs`` in this process, chunk by chunk (``chunks``: what is left after the
    results ``out`` already found, ``done`` spans of ``total``); None when ``should_stop`` says so."""
    if out is None or chunks is None:
        out = [[] for _ in jobs]
        chunks = [(part, c) for part, (_, spans) in enumerate(jobs) if spans
                  for c in cut(spans, max(1, len(spans) // CHUNK))]
    for part, spans in chunks:
        if should_stop is not None and should_stop():
            return None
        got = jobs[part][0](spans)
        out[part] += got
        if each is not None:
            each(part, got)
        done += len(spans)
        if progress is not None:
            progress(done, total)
    return out
