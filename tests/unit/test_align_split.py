"""Issue 19 item 9: the facts of a long document found by several processes at once
(``reader.align.split``) are the facts one process finds, in the same order, and no worker
is left behind."""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
from os import _exit as end_process  # os._exit: the name clashes with a private Textual one (public API test)
import random
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proc_children import alive, children

import reader.align.core as core
import reader.align.split as split

ROOT = Path(__file__).resolve().parents[2]


def _inputs() -> list[tuple[str, str, str | None]]:
    """The varied inputs of ``tests/unit/test_facts_frozen.py`` (``tests/data/facts_frozen/build.py``)."""
    spec = importlib.util.spec_from_file_location("facts_frozen_build_split", ROOT / "tests/data/facts_frozen/build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.inputs())

needs_fork = pytest.mark.skipif(split.workers() < 2, reason="one CPU, or no fork: the work runs in one process")


@pytest.fixture(autouse=True)
def _idle_machine(monkeypatch):
    """The machine's other CPUs taken as idle: the workers run however busy the test machine is."""
    monkeypatch.setattr(split, "others_running", lambda: 0)


def _children() -> set[int]:
    """Pids of this process's live children (from /proc: what multiprocessing may not know of)."""
    return children(os.getpid(), live=True)


def _facts(text: str, lang: str | None, parallel: bool, monkeypatch: pytest.MonkeyPatch) -> core.DocumentFacts:
    pools = []

    def pool(*args: object, **kwargs: object) -> ProcessPoolExecutor:
        pools.append(args)
        return ProcessPoolExecutor(*args, **kwargs)  # type: ignore[call-overload]

    with monkeypatch.context() as m:
        m.setattr(split, "PARALLEL_PASSAGES", 4 if parallel else 10**9)
        m.setattr(split, "WARM_UP", 3)
        m.setattr(split, "CHUNK", 40)  # many chunks: workers and this process meet somewhere inside
        m.setattr(split, "ProcessPoolExecutor", pool)
        found = core._document_facts(text, lang, "d")
    n_passages = len(found.passages)
    assert len(pools) == (1 if parallel and n_passages >= 4 else 0)  # the workers did run (or not)
    return found


def _same(a: core.DocumentFacts, b: core.DocumentFacts) -> None:
    assert a.passages == b.passages
    assert a.df == b.df
    for fa, fb in zip(a.facts, b.facts, strict=True):
        assert list(fa.items()) == list(fb.items())  # the same facts, kept in the same order


@needs_fork
@pytest.mark.parametrize("lang", ["en", "it", "ar", None])
def test_a_long_document_in_parts_gives_the_facts_of_one_process(lang, monkeypatch):
    """Every frozen input (seeds, held-out stories, money, scrambled text) in one document:
    thousands of passages of every kind, shared among the workers."""
    text = "\n\n".join(t for name, t, _ in _inputs() if "(no language)" not in name)
    before = _children()
    one = _facts(text, lang, False, monkeypatch)
    many = _facts(text, lang, True, monkeypatch)
    assert len(one.passages) > 2000
    _same(one, many)
    assert _children() <= before and not multiprocessing.active_children()


_PIECES = st.sampled_from([
    "Netflix", "The Intercept", "pays", "$300,000", "to", "€900.000", "300mila", "euro", "25 aprile", "April 25",
    "Monday", "cinque", "mesi", "five months", "38%", "50,83 per cento", "«Ciao a tutti», ha detto",
    "\"we will\" said", "ميتا", "٣٠٠ ألف", "25 أبريل", "بريت تايلور", "Цукерберг", "deux mille euros", "zwölf Euro",
    "1.", "2024", "US$ 5", "in", "the", " ", ", ", ". ", "\n", "\n\n", "\n\n\n",
])


@needs_fork
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_PIECES, min_size=40, max_size=300), lang=st.sampled_from(["en", "it", "fr", "ar", "de", None]))
def test_random_documents_in_parts_give_the_same_facts(pieces, lang, monkeypatch):
    text = " ".join(pieces)
    _same(_facts(text, lang, False, monkeypatch), _facts(text, lang, True, monkeypatch))


@given(n=st.integers(0, 500), parts=st.integers(1, 8))
def test_cut_keeps_every_span_in_order(n, parts):
    spans = [(i, i + 1) for i in range(n)]
    got = split.cut(spans, parts)
    assert [s for part in got for s in part] == spans
    assert all(got) or n == 0
    assert len(got) == max(1, min(parts, n))
    assert max(map(len, got)) - min(map(len, got)) <= 1


def _square(parent: int, die: bool, spans: list[tuple[int, int]]) -> list[int]:
    if die and os.getpid() != parent:
        end_process(3)  # a worker killed mid-way (out of memory, kill -9)
    return [a * a for a, _ in spans]


def _fails(spans: list[tuple[int, int]]) -> list[int]:
    if spans and spans[0][0] >= 25:  # the second half: the worker's part
        raise ValueError(f"bad span {spans[0]}")
    return [0 for _ in spans]


@needs_fork
def test_a_worker_that_dies_has_its_part_done_here(monkeypatch):
    monkeypatch.setattr(split, "WARM_UP", 2)
    spans = [(i, i + 1) for i in range(50)]
    assert split.in_parts(partial(_square, os.getpid(), True), spans, min_passages=10) == [i * i for i in range(50)]
    assert not multiprocessing.active_children()


class _Negated:
    """A transfer that changes what travels (each result negated), so a result that skipped it shows."""

    @staticmethod
    def pack(results: list[int]) -> object:
        return [-r for r in results]

    @staticmethod
    def unpack(packed: object) -> list[int]:
        return [-r for r in packed]  # type: ignore[attr-defined]


def _square_waiting_here(parent: int, worked: Any, spans: list[tuple[int, int]]) -> list[int]:
    # this process waits (at most 5 s) until the worker has done a chunk, and a little more for its
    # result to arrive: it is then read back between this process's chunks, whatever the machine's pace
    if os.getpid() == parent:
        if spans[0][0] >= split.WARM_UP and worked.wait(5):  # not in the warm-up: no worker yet
            time.sleep(0.05)
    else:
        worked.set()
    return [a * a for a, _ in spans]


@needs_fork
@pytest.mark.parametrize("die", [False, True])
def test_results_travel_back_by_the_transfer_and_each_piece_is_told_once(die, monkeypatch):
    """Issue 19 item 9: a worker's results are packed there and unpacked here, read as they arrive,
    and ``each`` is told every piece once, in any order, whether the worker lives or dies mid-way."""
    monkeypatch.setattr(split, "WARM_UP", 2)
    monkeypatch.setattr(split, "CHUNK", 5)
    monkeypatch.setattr(split, "workers", lambda: 2)
    monkeypatch.setattr(split, "others_running", lambda: 0)
    spans = [[(i, i + 1) for i in range(n)] for n in (60, 45)]
    work = partial(_square, os.getpid(), True) if die else partial(_square_waiting_here, os.getpid(), multiprocessing.get_context("fork").Event())
    told: list[tuple[int, list[int]]] = []
    read_back: list[int] = []
    real_read_back = split._read_back

    def spy(futures, after, back, unpack, told):  # noqa: ANN001 - the same arguments
        before = len(back)
        real_read_back(futures, after, back, unpack, told)
        read_back.extend([1] * (len(back) - before))

    monkeypatch.setattr(split, "_read_back", spy)
    found = split.in_parts_many([(work, spans[0]), (work, spans[1])], min_passages=10, transfer=_Negated(),
                                each=lambda part, got: told.append((part, list(got))))
    assert found == [[i * i for i in range(60)], [i * i for i in range(45)]]
    assert die or read_back, "no result of the worker was read back between this process's chunks"
    for part in (0, 1):
        pieces = [got for p, got in told if p == part]
        assert sorted(x for got in pieces for x in got) == sorted(found[part]) and len(pieces) > 2
    assert not multiprocessing.active_children()


@needs_fork
def test_a_workers_results_are_told_when_read_back_not_when_the_loop_reaches_them(monkeypatch):
    """Issue 19 item 9: ``each`` hears of a worker's chunk as soon as this process reads it back, between
    its own chunks. Told when this process's loop reaches that chunk (after its own last one), the
    worker's half of the facts was counted there, with the other CPU idle. So the chunks are told out
    of their order: the worker's (from the end) before this process's later ones."""
    monkeypatch.setattr(split, "WARM_UP", 2)
    monkeypatch.setattr(split, "CHUNK", 5)
    monkeypatch.setattr(split, "workers", lambda: 2)
    work = partial(_square_waiting_here, os.getpid(), multiprocessing.get_context("fork").Event())
    told: list[list[int]] = []
    found = split.in_parts_many([(work, [(i, i + 1) for i in range(80)])], min_passages=10,
                                each=lambda part, got: told.append(list(got)))
    assert found == [[i * i for i in range(80)]]
    assert sorted(x for got in told for x in got) == found[0]  # every piece told once
    firsts = [got[0] for got in told]
    assert firsts != sorted(firsts), "the chunks were told in their order: a worker's waited for the loop"
    assert not multiprocessing.active_children()


def _open_fds() -> set[str]:
    """What this process's open file descriptors are (the memory file shows as "/memfd:...")."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass  # the listing's own
    return found


def _read_spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each worker's chunk came back: "memory" (read from the job's memory file) or "executor"."""
    seen: list[str] = []
    real = split._ResultsFile.read

    def read(self, index, found):  # noqa: ANN001 - the same arguments
        seen.append("memory" if isinstance(found, split._Left) else "executor")
        return real(self, index, found)

    monkeypatch.setattr(split._ResultsFile, "read", read)
    return seen


@needs_fork
def test_the_workers_results_come_back_through_memory_and_nothing_stays_open(monkeypatch):
    """A worker writes each chunk's results to the job's memory file (no pipe to fill, no wait): this
    process reads them from there, through the transfer, and the file is closed when the work ends."""
    monkeypatch.setattr(split, "WARM_UP", 2)
    monkeypatch.setattr(split, "CHUNK", 5)
    seen = _read_spy(monkeypatch)
    fds = _open_fds()
    work = partial(_square_waiting_here, os.getpid(), multiprocessing.get_context("fork").Event())
    found = split.in_parts_many([(work, [(i, i + 1) for i in range(80)])], min_passages=10, transfer=_Negated())
    assert found == [[i * i for i in range(80)]]
    assert seen and set(seen) == {"memory"}
    assert not {f for f in _open_fds() - fds if "memfd" in f}  # the memory file is closed here
    assert not multiprocessing.active_children()


def test_results_read_back_give_their_memory_back():
    """Each chunk's results leave the memory file's pages once read: a long document's worker results are
    not all held until the work ends."""
    file = split._ResultsFile()
    if file.fd is None:
        pytest.skip("no memory file here (memfd_create)")
    try:
        results = [list(range(i, i + 20_000)) for i in range(3)]
        left = [file.write(i, got) for i, got in enumerate(results)]
        assert all(isinstance(x, split._Left) for x in left)
        held = os.fstat(file.fd).st_blocks
        assert held * 512 >= sum(x.size for x in left)
        assert file.read(1, left[1]) == results[1]
        assert os.fstat(file.fd).st_blocks < held
        assert [file.read(i, left[i]) for i in (0, 2)] == [results[0], results[2]]
        assert os.fstat(file.fd).st_blocks == 0
    finally:
        file.close()


@needs_fork
@pytest.mark.parametrize("how", ["no memory file", "larger than a slot", "no room"])
def test_results_that_cannot_go_through_memory_go_through_the_executor(how, monkeypatch):
    monkeypatch.setattr(split, "WARM_UP", 2)
    monkeypatch.setattr(split, "CHUNK", 5)
    if how == "no memory file":
        monkeypatch.delattr(split.os, "memfd_create")  # no such call on this system
    elif how == "larger than a slot":
        monkeypatch.setattr(split, "SLOT", 8)
    else:
        def full(*_: object) -> int:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(split.os, "pwrite", full)  # in the forked workers too
    seen = _read_spy(monkeypatch)
    work = partial(_square_waiting_here, os.getpid(), multiprocessing.get_context("fork").Event())
    found = split.in_parts_many([(work, [(i, i + 1) for i in range(80)])], min_passages=10, transfer=_Negated())
    assert found == [[i * i for i in range(80)]]
    assert seen and set(seen) == {"executor"}
    assert not multiprocessing.active_children()


@needs_fork
def test_results_that_cannot_be_read_back_are_found_here(monkeypatch):
    """A chunk whose results the memory file no longer holds (cut short) is done here instead."""
    monkeypatch.setattr(split, "WARM_UP", 2)
    monkeypatch.setattr(split, "CHUNK", 5)
    real = split._ResultsFile.read
    lost: list[int] = []

    def read(self, index, found):  # noqa: ANN001 - the same arguments
        if isinstance(found, split._Left):
            lost.append(index)
            found = split._Left(0)  # nothing left to read: not a pickle
        return real(self, index, found)

    monkeypatch.setattr(split._ResultsFile, "read", read)
    work = partial(_square_waiting_here, os.getpid(), multiprocessing.get_context("fork").Event())
    assert split.in_parts(work, [(i, i + 1) for i in range(80)], min_passages=10) == [i * i for i in range(80)]
    assert lost
    assert not multiprocessing.active_children()


@needs_fork
def test_an_error_in_a_worker_is_raised_as_in_one_process(monkeypatch):
    monkeypatch.setattr(split, "WARM_UP", 0)
    spans = [(i, i + 1) for i in range(50)]
    with pytest.raises(ValueError, match="bad span"):
        split.in_parts(_fails, spans, min_passages=10)
    assert not multiprocessing.active_children()


def test_short_documents_one_cpu_and_a_busy_machine_run_here(monkeypatch):
    """Below the threshold, with one CPU, or with every other CPU busy, no process is started."""
    started = []
    monkeypatch.setattr(split, "ProcessPoolExecutor", lambda *a, **k: started.append(a) or None)
    spans = [(i, i + 1) for i in range(100)]
    assert split.in_parts(partial(_square, os.getpid(), False), spans, min_passages=1000) == [i * i for i in range(100)]
    monkeypatch.setattr(split, "workers", lambda: 2)
    monkeypatch.setattr(split, "others_running", lambda: 1)
    assert split.in_parts(partial(_square, os.getpid(), False), spans, min_passages=10) == [i * i for i in range(100)]
    monkeypatch.setattr(split, "workers", lambda: 1)
    monkeypatch.setattr(split, "others_running", lambda: 0)
    assert split.in_parts(partial(_square, os.getpid(), False), spans, min_passages=10) == [i * i for i in range(100)]
    assert started == []


def test_others_running_reads_the_machine():
    n = split.others_running()
    assert isinstance(n, int) and n >= 0


def test_the_bench_documents_in_parts_give_the_same_facts(monkeypatch):
    """The bench's own paragraphs (issue 19 item 9), a few thousand of them, with a random cut."""
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.bench_align_scale import two_documents

    en, it = two_documents(2500, seed=random.Random(9).randint(0, 1000))
    for text, lang in ((en, "en"), (it, "it")):
        _same(_facts(text, lang, False, monkeypatch), _facts(text, lang, True, monkeypatch))


def test_facts_and_amounts_are_still_frozen_values():
    """``Amount`` and ``Passage`` fill their ``__dict__`` in a hand-written ``__init__`` (faster than the
    frozen dataclass's) and ``Fact`` is a named tuple: the same fields and defaults, equality, hash, repr,
    replace and pickling, and still frozen."""
    import dataclasses
    import pickle

    from reader.align.facts import Fact
    from reader.amounts import Amount

    f = Fact("name", ("name", "netflix"), "Netflix", 3, 10)
    assert (f.group, f.latin, f.group_id) == (-1, True, 3)
    assert f == Fact("name", ("name", "netflix"), "Netflix", 3, 10, -1, True) and hash(f) == hash(
        Fact(kind="name", key=("name", "netflix"), shown="Netflix", start=3, end=10))
    assert f != f._replace(group=2) and f._replace(group=2).group == 2
    assert pickle.loads(pickle.dumps(f)) == f and tuple(f)[:2] == ("name", ("name", "netflix"))
    assert repr(f) == "Fact(kind='name', key=('name', 'netflix'), shown='Netflix', start=3, end=10, group=-1, latin=True)"
    a = Amount(0, 8, "$300,000", 300000.0, 300000.0, "USD", None)
    assert (a.kind, a.is_range, a.has_scale, a.words, a.period_end) == ("money", False, False, False, None)
    assert a == Amount(start=0, end=8, text="$300,000", min=300000.0, max=300000.0, currency="USD", period=None)
    assert pickle.loads(pickle.dumps(a)) == a and hash(a) == hash(dataclasses.replace(a))
    assert [fl.name for fl in dataclasses.fields(Amount)][-1] == "period_end"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.start = 1
    with pytest.raises(AttributeError):
        f.start = 1
    # Passage too (40k of them for the bench's pair, made before the workers start)
    p = core.Passage(2, 10, 20)
    assert (p.index, p.start, p.end) == (2, 10, 20) and p == core.Passage(index=2, start=10, end=20)
    assert hash(p) == hash(dataclasses.replace(p)) and pickle.loads(pickle.dumps(p)) == p
    assert repr(p) == "Passage(index=2, start=10, end=20)" and p != core.Passage(2, 10, 21)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.start = 1


def _slow_square(parent: int, spans: list[tuple[int, int]]) -> list[int]:
    if os.getpid() == parent and spans[0][0] == 0:
        raise KeyboardInterrupt  # the user stops while this process does its first chunk
    return [a * a for a, _ in spans]


@needs_fork
def test_an_interrupt_here_drops_the_workers_chunks_and_leaves_no_process(monkeypatch):
    monkeypatch.setattr(split, "WARM_UP", 0)
    monkeypatch.setattr(split, "CHUNK", 5)
    before = _children()
    with pytest.raises(KeyboardInterrupt):
        split.in_parts(partial(_slow_square, os.getpid()), [(i, i + 1) for i in range(400)], min_passages=10)
    assert not multiprocessing.active_children() and _children() <= before


def _where_output_goes(parent: int, marker: str, spans: list[tuple[int, int]]) -> list[str]:
    import sys
    import time

    if os.getpid() != parent:
        Path(marker).touch()
        return [sys.stdout.name for _ in spans]
    for _ in range(3000):  # this process waits (at most 30 s) until a worker has taken a chunk
        if Path(marker).exists():
            break
        time.sleep(0.01)
    return ["here" for _ in spans]


@needs_fork
def test_workers_write_nothing_to_the_terminal(monkeypatch, tmp_path):
    """A worker's streams go to /dev/null: what the TUI had buffered when it forked is not
    flushed a second time by the worker."""
    monkeypatch.setattr(split, "WARM_UP", 0)
    monkeypatch.setattr(split, "CHUNK", 1)
    work = partial(_where_output_goes, os.getpid(), str(tmp_path / "worker-ran"))
    got = split.in_parts(work, [(i, i + 1) for i in range(200)], min_passages=10)
    assert set(got) <= {"here", os.devnull} and os.devnull in got


def _wakeup_fd(parent: int, spans: list[tuple[int, int]]) -> list[int]:
    import signal

    if os.getpid() == parent:
        return [-2 for _ in spans]
    old = signal.set_wakeup_fd(-1)
    return [old for _ in spans]


@needs_fork
def test_workers_do_not_keep_the_event_loops_wakeup_fd(monkeypatch):
    """The TUI's event loop is woken by signals through a wake-up fd; a worker forked from it
    drops that fd, so a signal it gets (a resize) is not handed to the parent's loop."""
    import signal

    r, w = os.pipe()
    os.set_blocking(w, False)
    try:
        old = signal.set_wakeup_fd(w)
    except ValueError:
        pytest.skip("not the main thread: no wake-up fd to inherit")
    try:
        monkeypatch.setattr(split, "WARM_UP", 0)
        monkeypatch.setattr(split, "CHUNK", 1)
        got = split.in_parts(partial(_wakeup_fd, os.getpid()), [(i, i + 1) for i in range(300)], min_passages=10)
    finally:
        signal.set_wakeup_fd(old)
        os.close(r)
        os.close(w)
    assert set(got) <= {-2, -1}


_KILLED = """
import os, sys, time
from functools import partial
import reader.align.split as S
S.others_running = lambda: 0
S.WARM_UP = 0
S.CHUNK = 1
def slow(spans):
    time.sleep(0.05)
    return [0 for _ in spans]
print(os.getpid(), flush=True)
S.in_parts(slow, [(i, i + 1) for i in range(4000)], min_passages=10)
"""


@needs_fork
def test_a_killed_process_leaves_no_worker_behind():
    """``kill -9`` of the process whose workers are finding facts: its workers end too
    (each watches its parent), none waits for work forever."""
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED], stdout=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        workers: set[int] = set()
        for _ in range(1000):  # until its worker has started (at most 10 s)
            workers = {p for p in children(pid)}
            if workers:
                break
            time.sleep(0.01)
        assert workers, "no worker started"
        os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for _ in range(1000):  # each worker notices within 0.2 s; allow 10 s on a loaded machine
            if all(not alive(w) for w in workers):
                break
            time.sleep(0.01)
        assert all(not alive(w) for w in workers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _tagged(tag: int, spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    return [(tag, a, os.getpid()) for a, _ in spans]


@needs_fork
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(0, 120), min_size=1, max_size=5), chunk=st.integers(1, 30))
def test_several_jobs_in_one_pool_give_each_jobs_results_in_order(sizes, chunk, monkeypatch):
    """The documents of one comparison are one piece of work: each gets its own results, in
    order, whichever process found them; progress counts every span once, up to the total."""
    monkeypatch.setattr(split, "WARM_UP", 2)
    monkeypatch.setattr(split, "CHUNK", chunk)
    jobs = [(partial(_tagged, k), [(i, i + 1) for i in range(n)]) for k, n in enumerate(sizes)]
    seen: list[tuple[int, int]] = []
    got = split.in_parts_many(jobs, min_passages=10, progress=lambda d, t: seen.append((d, t)))
    assert got is not None
    assert [[(k, a) for k, a, _ in part] for part in got] == [[(k, i) for i in range(n)] for k, n in enumerate(sizes)]
    total = sum(sizes)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and all(t == total for _, t in seen)
    assert not seen or seen[-1][0] == total
    assert not multiprocessing.active_children()


def test_a_stop_drops_the_rest_and_returns_none(monkeypatch):
    """A stop asked (the compare screen closed) while the facts are found: no more chunks are
    done, nothing is returned, no process is left."""
    monkeypatch.setattr(split, "WARM_UP", 0)
    monkeypatch.setattr(split, "CHUNK", 10)
    calls: list[int] = []

    def work(spans: list[tuple[int, int]]) -> list[int]:
        calls.append(len(spans))
        return [0 for _ in spans]

    asked = iter(range(100))
    jobs = [(work, [(i, i + 1) for i in range(100)]), (work, [(i, i + 1) for i in range(100)])]
    before = _children()
    got = split.in_parts_many(jobs, min_passages=10**9, should_stop=lambda: next(asked) >= 3)
    assert got is None and sum(calls) == 30  # three chunks of 10, then the stop
    if split.workers() >= 2:
        got = split.in_parts_many(jobs, min_passages=10, should_stop=lambda: True)
        assert got is None
    assert not multiprocessing.active_children() and _children() <= before


@needs_fork
def test_the_facts_of_two_documents_together_are_the_facts_of_each_alone(monkeypatch):
    """``documents_facts`` (the compare screen, the bench: one pool for the pair) gives what
    ``document_facts`` gives for each document alone."""
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.bench_align_scale import two_documents

    en, it = two_documents(300, seed=random.Random(11).randint(0, 1000))
    alone = [_facts(en, "en", False, monkeypatch), _facts(it, "it", False, monkeypatch)]
    core._facts_cache.clear()
    with monkeypatch.context() as m:
        m.setattr(split, "PARALLEL_PASSAGES", 4)
        m.setattr(split, "WARM_UP", 3)
        m.setattr(split, "CHUNK", 40)
        together = core.documents_facts([(en, "en", "a"), (it, "it", "b")])
    assert together is not None
    for one, both in zip(alone, together, strict=True):
        _same(one, both)
    assert [f.doc_id for f in together] == ["a", "b"]
    again = core.documents_facts([(it, "it", "c"), (en, "en", "d")])  # from the cache, in the order asked
    assert again is not None and [f.doc_id for f in again] == ["c", "d"] and again[0].facts is together[1].facts


def test_a_fact_comes_back_from_a_worker_as_it_was():
    """Facts travel back from the workers as plain tuples (``core._PlainFacts``): each comes back equal,
    a ``Fact`` with the same fields in the same order, and a passage's key and its fact's key stay one
    object. Pickled as they are (not the workers' way), they come back the same too."""
    import pickle

    text = "\n\n".join(t for name, t, _ in _inputs()[:40])
    facts = core._document_facts(text, None, "d").facts
    for back in (core._PlainFacts.unpack(pickle.loads(pickle.dumps(core._PlainFacts.pack(facts)))),
                 pickle.loads(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))):
        assert back == facts
        for found, was in zip(back, facts, strict=True):
            assert [f._asdict() for f in found.values()] == [f._asdict() for f in was.values()]
            assert all(key is f.key and type(f) is core.Fact for key, f in found.items())


def test_the_facts_travel_back_as_plain_tuples_and_come_back_the_same():
    """A worker's facts are packed as plain tuples (issue 19 item 9): unpacked, the same facts of the
    same class in the same order, keyed by the same keys."""
    import pickle

    text = "\n\n".join(t for _, t, _ in _inputs()[:20])
    found = core._kept_facts(text, "en", core.LowerWords(text), [(p.start, p.end) for p in core.passages(text)])
    packed = core._PlainFacts.pack(found)
    back = core._PlainFacts.unpack(pickle.loads(pickle.dumps(packed)))
    assert [list(d.items()) for d in back] == [list(d.items()) for d in found]
    assert all(type(f) is core.Fact for d in back for f in d.values()) and sum(map(len, back)) > 100
    assert all(type(x) is tuple for p in packed for x in p)  # nothing that calls a reducer
