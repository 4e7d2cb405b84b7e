"""A PostgreSQL store behind a network that goes silent (no reset, no close: Wi-Fi or a VPN dropped, a
NAT that forgot the connection). Before, a poll on such a connection waited for the kernel's
retransmissions (about 15 minutes) holding the store, and the app's next save waited behind it: the app
froze on a tag. Now the connection's keepalives and ``tcp_user_timeout`` (``pgerrors.NETWORK_DEFAULTS``)
end it within seconds; the save fails, is kept as unsaved, and is saved when the network is back.

A real server behind a real link (``tests/netfault.py``: a network namespace and a veth pair, the link
taken down); no part of it is mocked.
"""
from __future__ import annotations

import re
import threading
import time

import pytest

from reader.errors import StoreWriteError
from reader.store import AnnotationStore

from memory_corpus import MemoryCorpus, doc, span  # noqa: F401
from netfault import SilentLink, unavailable

CORPUS = MemoryCorpus([doc("d1")])
#: far below the kernel's retransmissions (about 15 minutes), above the store's own timeouts
#: (6 s of silence on a call, then a new connection's 5 s and its diagnosis)
BOUND = 40.0


@pytest.fixture
def silent_url(pg_url):
    why = unavailable()
    if why:
        pytest.skip(f"no silent link here: {why}")
    m = re.match(r"postgresql://([^@]+)@127\.0\.0\.1:(\d+)(/.*)", pg_url)
    assert m, pg_url
    with SilentLink("127.0.0.1", int(m.group(2))) as link:
        yield f"postgresql://{m.group(1)}@{link.ns_addr}:{link.port}{m.group(3)}", link, pg_url


def _in_thread(fn):
    """Run ``fn`` in a thread; (result or exception, seconds) once it ends, or None after BOUND."""
    out = {}

    def run():
        t0 = time.monotonic()
        try:
            out["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - what the call raised is the result
            out["value"] = exc
        out["seconds"] = time.monotonic() - t0

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_a_save_behind_a_poll_on_a_silent_network_ends_and_is_kept(silent_url):
    url, link, direct = silent_url
    store = AnnotationStore(url, corpus=CORPUS, annotator="alice")
    try:
        store.add("d1", *span("Alice"), "quote")
        link.silence()
        poll, polled = _in_thread(store.refresh)  # the team sync's poll, holding the store meanwhile
        time.sleep(0.3)
        save, saved = _in_thread(lambda: store.add("d1", *span("Paris"), "claim"))  # the next tag
        save.join(BOUND)
        poll.join(5)
        assert not save.is_alive(), "the save waited on the silent network (the app would be frozen)"
        assert not poll.is_alive()
        assert polled["value"] == 0 and polled["seconds"] < BOUND
        assert isinstance(saved["value"], StoreWriteError), saved
        assert "kept in memory as unsaved" in str(saved["value"])
        assert store.unsaved == 1 and len(store.for_document("d1")) == 2  # shown, not lost
        assert store.offline_since is not None
        link.restore()
        assert store.retry_unsaved() == 1 and store.unsaved == 0
        assert store.refresh() == 0 and store.offline_since is None
    finally:
        link.restore()
        store.close()
    with AnnotationStore(direct, readonly=True) as r:  # straight to the server: both spans are there
        assert sorted(a.label for a in r.all()) == ["claim", "quote"]


def test_a_url_keeps_its_own_network_settings():
    from reader.store.pgerrors import NETWORK_DEFAULTS, network_defaults

    assert network_defaults("postgresql://u@h/db") == NETWORK_DEFAULTS
    mine = network_defaults("postgresql://u@h/db?keepalives_idle=60&tcp_user_timeout=0")
    assert "keepalives_idle" not in mine and "tcp_user_timeout" not in mine and mine["keepalives"] == "1"
