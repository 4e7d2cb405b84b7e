"""Adversarial checks of reader.align.split's forked workers, with real processes: signals to the
parent and its process group, a worker killed as the OOM killer would. Failures of today's code are
``xfail(strict=True)`` with the reason."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from proc_children import alive, children

import reader.align.split as split

ROOT = Path(__file__).resolve().parents[2]
needs_fork = pytest.mark.skipif(split.workers() < 2, reason="one CPU, or no fork: the work runs in one process")

_SCRIPT = """
import os, sys, time
import reader.align.split as S
S.others_running = lambda: 0
S.WARM_UP = 0
S.CHUNK = 1
def slow(spans):
    time.sleep(0.02)
    return [a * 2 for a, _ in spans]
print(os.getpid(), flush=True)
try:
    out = S.in_parts(slow, [(i, i + 1) for i in range(150)], min_passages=10)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
print("done", out == [2 * i for i in range(150)], flush=True)
"""


def _start(script: str, want: int) -> tuple[subprocess.Popen[str], int, set[int]]:
    """Start ``script`` in a session of its own; it prints its pid, then forks workers: wait for
    ``want`` of them to be inside their chunks. (the process, its pid, its workers)"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT, start_new_session=True)
    try:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        workers: set[int] = set()
        for _ in range(1000):
            workers = children(pid, live=True)
            if len(workers) >= want:
                break
            time.sleep(0.01)
        assert len(workers) >= want, "the workers did not start"
    except BaseException:
        _end(proc)
        raise
    time.sleep(0.3)  # the workers are inside their chunks
    return proc, pid, workers


def _end(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _attack(action: str) -> tuple[subprocess.CompletedProcess[str], set[int]]:
    """Start the script, wait for its worker, do ``action``; the parent's result and its workers."""
    proc, pid, workers = _start(_SCRIPT, 1)
    try:
        if action == "kill-worker":
            os.kill(min(workers), signal.SIGKILL)
        elif action == "int-worker":
            os.kill(min(workers), signal.SIGINT)  # a stray Ctrl-C meant for one process
        elif action == "int-group":
            os.killpg(pid, signal.SIGINT)  # Ctrl-C in a terminal: the parent and its workers
        elif action == "term":
            os.kill(pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        for _ in range(1000):  # a worker notices a dead parent within 0.2 s
            if not any(alive(w) for w in workers):
                break
            time.sleep(0.01)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), workers
    finally:
        _end(proc)


@needs_fork
def test_a_worker_killed_mid_work_gives_the_same_facts_and_no_traceback() -> None:
    done, workers = _attack("kill-worker")
    assert done.returncode == 0 and done.stdout.strip() == "done True", done.stdout + done.stderr
    assert not any(alive(w) for w in workers)
    assert "Traceback" not in done.stderr, done.stderr


@needs_fork
def test_ctrl_c_to_the_process_group_ends_the_parent_and_every_worker() -> None:
    done, workers = _attack("int-group")
    assert done.returncode == 130 and "interrupted" in done.stdout, done.stdout + done.stderr
    assert not any(alive(w) for w in workers)


@needs_fork
def test_sigterm_of_the_parent_leaves_no_worker() -> None:
    done, workers = _attack("term")
    assert done.returncode == -signal.SIGTERM
    assert not any(alive(w) for w in workers)


_FOUR_CPUS = """
import os, sys, time
import reader.align.split as S
S.others_running = lambda: 0
S.workers = lambda: 4  # a 4-CPU machine: three workers
S.WARM_UP = 0
S.CHUNK = 1
def slow(spans):
    time.sleep(0.02)
    return [a * 2 for a, _ in spans]
print(os.getpid(), flush=True)
out = S.in_parts(slow, [(i, i + 1) for i in range(300)], min_passages=10)
print("returned", out == [2 * i for i in range(300)], flush=True)
time.sleep(0.5)
import multiprocessing
print("children", len(multiprocessing.active_children()), flush=True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux only")
def test_a_worker_killed_on_a_four_cpu_machine_leaves_no_worker_and_no_hang() -> None:
    proc, _pid, workers = _start(_FOUR_CPUS, 2)
    try:
        assert proc.stdout is not None
        os.kill(min(workers), signal.SIGKILL)
        assert proc.stdout.readline().strip() == "returned True"
        assert proc.stdout.readline().strip() == "children 0", "workers left waiting after in_parts returned"
        proc.wait(timeout=15)  # and no hang at exit
        assert proc.returncode == 0
    finally:
        _end(proc)


@needs_fork
def test_an_interrupt_sent_to_one_worker_alone_does_not_stop_the_work() -> None:
    """A worker ignores SIGINT (``kill -INT`` of its pid): before, its KeyboardInterrupt came back
    through its future and ended the parent with 130. Ctrl-C in the terminal still stops the
    parent (the test above), which then ends its workers."""
    done, workers = _attack("int-worker")
    assert done.returncode == 0 and done.stdout.strip() == "done True", done.stdout + done.stderr
    assert not any(alive(w) for w in workers)
