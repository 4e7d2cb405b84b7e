"""The public read path into a session (reader.store.inspect): tests and diagnostics use it, not private attributes."""
from __future__ import annotations

import pytest

from reader.store import AnnotationStore


def test_a_folder_store_shows_its_tables_as_copies(tmp_path):
    with AnnotationStore(tmp_path / "s", annotator="alice") as store:
        store.set_state("k", {"a": [1]})
        table = store.table("state")
        assert table["k"] == {"a": [1]}
        table["k"]["a"].append(2)  # a copy: the store is unchanged
        assert store.get_state("k") == {"a": [1]}
        assert store.inspect() == {"engine": "folder"}
        with pytest.raises(ValueError, match="no workspace table 'nope'"):
            store.table("nope")


def test_a_postgresql_session_says_what_it_has_seen(pg_url):
    with AnnotationStore(pg_url, annotator="alice") as store:
        ann = store.add("d1", 0, 5, "quote", text="Alice")
        info = store.inspect(("a", ann.id))
        assert info["engine"] == "postgresql" and info["tls"] is False  # the test server has no TLS
        assert str(info["session"]).startswith("alice:") and isinstance(info["seen"], int) and info["seen"] > 0
        assert store.inspect(("a", "no-such-id"))["seen"] is None
        store.set_done("d1", True)
        assert store.table("done") == {"d1": True}


def test_an_unavailable_store_has_empty_tables_and_says_why(tmp_path):
    """The stand-in for a store that could not be opened is an AnnotationStore: its tables are
    empty (the UI state set this session aside), inspect() names it and the reason, and a
    gold decision is refused read-only, never written."""
    from reader.errors import StoreReadOnlyError
    from reader.model import ClusterDecision
    from reader.store.unavailable import UnavailableStore

    store = UnavailableStore(tmp_path / "broken", "meta.json is not JSON")
    assert store.table("done") == {} and store.table("state") == {}
    store.set_state("last", "d1")
    assert store.table("state") == {"last": "d1"}
    info = store.inspect()
    assert info["engine"] == "unavailable" and "meta.json is not JSON" in str(info["reason"])
    assert store.decisions("d1") == {}
    with pytest.raises(StoreReadOnlyError, match="could not be opened"):
        store.decide_clusters([ClusterDecision("d1", 0, 5, None, "alice")], layer="gold")
    assert not (tmp_path / "broken").exists()
