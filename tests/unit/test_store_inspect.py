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
