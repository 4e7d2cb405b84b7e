"""Test-wide settings.

Hypothesis: no per-example deadline and no "too slow" health check, so that a
loaded CI machine changes how long the suite takes, never whether it passes.
Timing goals live in `make bench`, not in tests.
"""
import os

from hypothesis import HealthCheck, settings

# the annotator shown in the header (snapshots) and recorded by CLI/UI sessions: the same on every machine
os.environ["READER_ANNOTATOR"] = "tester"

settings.register_profile("reader", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("reader")

# a real PostgreSQL (pgserver) for the store tests: pg_server, pg_url, own_pg_server, store_location
from pg_fixtures import another_store_location, own_pg_server, pg_server, pg_url, store_location  # noqa: E402,F401


# --- the sample corpus: one definition for every test -------------------------

import shutil
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The repository's sample corpus. Read it; never write to it (use ``seeds_copy``)."""
    return SEEDS


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the sample corpus, in ``tmp_path / "seeds"``."""
    return copy_seeds(tmp_path)


def copy_seeds(parent: Path, name: str = "seeds") -> Path:
    """Copy the sample corpus to ``parent / name`` and return that folder.

    For helpers and tests that need the copy somewhere else than ``seeds_copy`` puts it;
    test modules import it with ``from conftest import SEEDS, copy_seeds``.
    """
    dest = parent / name
    shutil.copytree(SEEDS, dest)
    return dest


# --- bytecode: PYTHONDONTWRITEBYTECODE=1 would make every `python -m reader` of a test compile reader/ ---

def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile reader/ once (the controller, not each xdist worker): the subprocess tests start
    `python -m reader` dozens of times, and with PYTHONDONTWRITEBYTECODE=1 each start compiled
    its ~110 modules from source."""
    if hasattr(session.config, "workerinput"):
        return
    import compileall

    compileall.compile_dir(str(SEEDS.parent / "reader"), quiet=1)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A worker's heap collected once, then frozen, before pytest's own final collections (five, for
    unraisable exceptions). At the end of `make test` each worker holds 550-700k objects (the module
    caches: the facts of the last 16 documents, word keys, number words), and each full collection
    walked them in 0.6-1.2 s; execnet interrupts a worker still busy 5 s after it is told to end, which
    printed a KeyboardInterrupt warning from hypothesis' gc callback. Nothing is left unreported: the
    collection here runs first (measured with a session-end probe: 0 or 1 app alive per worker)."""
    import gc

    gc.collect()
    gc.freeze()


# --- the environment: a test that sets a variable directly must not leak it into the next ---

@pytest.fixture(autouse=True)
def _restore_environment():
    """Put ``os.environ`` back after every test. ``reader serve`` sets ``READER_STORE`` for its
    visitors' apps; left behind, every later CLI test in that worker used that database."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)

